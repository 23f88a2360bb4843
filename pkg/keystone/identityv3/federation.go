package identityv3

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Authenticate authenticates through a federation protocol: the web server
// in front of Keystone supplies the assertion (its module authenticates the
// request), and Keystone answers an unscoped token. post sends a POST
// instead of a GET.
func (m *FederationManager) Authenticate(ctx context.Context, idpID, protocolID string, post bool) (*keystone.AccessInfo, error) {
	path, err := rest.Path("/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/auth", idpID, protocolID)
	if err != nil {
		return nil, err
	}
	method := http.MethodGet
	if post {
		method = http.MethodPost
	}
	return m.c.Token(ctx, rest.Req{Method: method, Path: path}, "")
}

// WebSSO returns the page of Keystone's WebSSO flow that posts a token to
// origin (a dashboard among Keystone's trusted_dashboard values), for the
// protocol or, with idpID, for one identity provider's protocol. The web
// server in front of Keystone authenticates the request.
func (m *FederationManager) WebSSO(ctx context.Context, idpID, protocolID, origin string) (string, error) {
	var path string
	var err error
	if idpID == "" {
		path, err = rest.Path("/v3/auth/OS-FEDERATION/websso/{protocol_id}", protocolID)
	} else {
		path, err = rest.Path("/v3/auth/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/websso", idpID, protocolID)
	}
	if err != nil {
		return "", err
	}
	if origin == "" {
		return "", fmt.Errorf("%w: empty origin", keystone.ErrInvalidArgument)
	}
	return m.c.Text(ctx, rest.Req{Method: http.MethodGet, Path: path, Query: url.Values{"origin": {origin}}})
}

// samlBody is the body of the SAML2 and ECP assertion requests: the token
// to turn into an assertion for the service provider.
func samlBody(serviceProviderID, token string) (map[string]any, error) {
	if serviceProviderID == "" || token == "" {
		return nil, fmt.Errorf("%w: a service provider and a token are needed", keystone.ErrInvalidArgument)
	}
	return map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": token}},
		"scope":    map[string]any{"service_provider": map[string]any{"id": serviceProviderID}},
	}}, nil
}

// SAML2Assertion returns a signed SAML2 assertion (XML) for the service
// provider, made from token (a project-scoped token: Keystone to Keystone
// federation).
func (m *FederationManager) SAML2Assertion(ctx context.Context, serviceProviderID, token string) (string, error) {
	body, err := samlBody(serviceProviderID, token)
	if err != nil {
		return "", err
	}
	return m.c.Text(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/auth/OS-FEDERATION/saml2", JSON: body})
}

// ECPAssertion is SAML2Assertion wrapped in a SAML2 ECP envelope (XML).
func (m *FederationManager) ECPAssertion(ctx context.Context, serviceProviderID, token string) (string, error) {
	body, err := samlBody(serviceProviderID, token)
	if err != nil {
		return "", err
	}
	return m.c.Text(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/auth/OS-FEDERATION/saml2/ecp", JSON: body})
}
