package identityv2

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// The token operations below are hand-written (x-gokeystone: hand-written
// in api/identity-v2.yaml): they return a *keystone.AccessInfo, the core's
// view of an access document, rather than a body of this package. The token
// is a segment of the request's URL (/v2.0/tokens/{token}); the session's
// logs and errors show such a segment as a digest, never the token. An
// empty token is an error matching keystone.ErrInvalidArgument. These are
// admin API operations.

// Validate validates token and returns its access document (its user,
// tenant, roles and catalog). With belongsTo (a tenant ID) not empty, the
// token must also be scoped to that tenant, else Keystone answers 401
// (keystone.ErrUnauthorized). An unknown, expired or revoked token is
// keystone.ErrNotFound.
//
// GET /v2.0/tokens/{token_id} (validateToken).
func (m *TokensManager) Validate(ctx context.Context, token, belongsTo string) (*keystone.AccessInfo, error) {
	path, err := rest.Path("/v2.0/tokens/{token_id}", token)
	if err != nil {
		return nil, err
	}
	var q url.Values
	if belongsTo != "" {
		q = url.Values{"belongsTo": {belongsTo}}
	}
	resp, err := m.c.Do(ctx, rest.Req{Method: http.MethodGet, Path: path, Query: q})
	if err != nil {
		return nil, err
	}
	return readAccess(m.c.Session, resp)
}

// Check reports whether token is valid: false, with no error, when Keystone
// does not know it (unknown, expired or revoked: 404).
//
// HEAD /v2.0/tokens/{token_id} (checkToken).
func (m *TokensManager) Check(ctx context.Context, token string) (bool, error) {
	path, err := rest.Path("/v2.0/tokens/{token_id}", token)
	if err != nil {
		return false, err
	}
	return m.c.Check(ctx, rest.Req{Method: http.MethodHead, Path: path})
}

// Revoke revokes token.
//
// DELETE /v2.0/tokens/{token_id} (revokeToken).
func (m *TokensManager) Revoke(ctx context.Context, token string) error {
	path, err := rest.Path("/v2.0/tokens/{token_id}", token)
	if err != nil {
		return err
	}
	return m.c.NoContent(ctx, rest.Req{Method: http.MethodDelete, Path: path})
}

// readAccess reads a v2.0 access document (bounded by the session's
// Limits().TokenBody): a body that is not one is a
// *keystone.InvalidResponseError.
func readAccess(s *keystone.Session, resp *http.Response) (*keystone.AccessInfo, error) {
	data, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	ai, err := keystone.NewAccessInfoV2(data)
	if err != nil {
		return nil, keystone.NewInvalidResponseError(resp, err)
	}
	return ai, nil
}
