package keystonetest

import (
	"context"
	"net/http"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// The PKI-era routes Keystone 22 still routes: the revoked PKI token list
// answers 403 ([token] revoke_by_id is true by default), the simple-cert
// certificates 410 Gone, with or without a token.

const pkiGone = "This API is no longer available due to the removal of support for PKI tokens."

// ListRevokedPKITokens answers as Keystone 22 with revoke_by_id: 403.
func (s *v3) ListRevokedPKITokens(context.Context, v3s.ListRevokedPKITokensRequestObject) (v3s.ListRevokedPKITokensResponseObject, error) {
	return nil, forbidden()
}

// GetSimpleCertCA answers 410 Gone, as Keystone does since Train.
func (s *v3) GetSimpleCertCA(context.Context, v3s.GetSimpleCertCARequestObject) (v3s.GetSimpleCertCAResponseObject, error) {
	return nil, errorf(http.StatusGone, pkiGone)
}

// GetSimpleCertCertificates answers 410 Gone, as Keystone does since Train.
func (s *v3) GetSimpleCertCertificates(context.Context, v3s.GetSimpleCertCertificatesRequestObject) (v3s.GetSimpleCertCertificatesResponseObject, error) {
	return nil, errorf(http.StatusGone, pkiGone)
}
