package keystone

import (
	"context"
	"errors"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// TokensManager validates, checks and revokes tokens (the caller's session
// authenticates the request; the token in question is the "subject").
type TokensManager struct{ c *V3Client }

// ValidateOptions change Validate.
type ValidateOptions struct {
	// NoCatalog leaves the service catalog out.
	NoCatalog bool
	// AllowExpired accepts a token that has expired (within the deployment's
	// allow_expired_window).
	AllowExpired bool
}

// Validate returns what Keystone says about token (ErrNotFound when it is not
// valid).
func (m *TokensManager) Validate(ctx context.Context, token string, o *ValidateOptions) (*AccessInfo, error) {
	p := &identityv3.ValidateTokenParams{XSubjectToken: token}
	if o != nil {
		if o.NoCatalog {
			p.Nocatalog = new(string) // a flag: its presence is what counts
		}
		if o.AllowExpired {
			p.AllowExpired = new(bool)
			*p.AllowExpired = true
		}
	}
	resp, err := m.c.gen.ValidateToken(ctx, p)
	if err != nil {
		return nil, err
	}
	body, err := ReadBody(resp, m.c.s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	id := resp.Header.Get("X-Subject-Token")
	if id == "" {
		id = token
	}
	return NewAccessInfoV3(id, body)
}

// Check reports whether token is valid (HEAD: no body is transferred).
func (m *TokensManager) Check(ctx context.Context, token string, allowExpired bool) (bool, error) {
	p := &identityv3.CheckTokenParams{XSubjectToken: token}
	if allowExpired {
		p.AllowExpired = &allowExpired
	}
	return check(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.CheckToken(ctx, p) })
}

// Revoke revokes token (ErrNotFound when it was not valid).
func (m *TokensManager) Revoke(ctx context.Context, token string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RevokeToken(ctx, &identityv3.RevokeTokenParams{XSubjectToken: token})
	})
}

// RevokedPKI returns the revocation list of PKI tokens. PKI tokens were removed
// in Ocata: Keystone 22 answers 403 (or 410).
func (m *TokensManager) RevokedPKI(ctx context.Context) (*identityv3.RevokedPKITokenList, error) {
	return call[identityv3.RevokedPKITokenList](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRevokedPKITokens(ctx) })
}

// IssueOAuth2 obtains an OAuth 2.0 access token (client credentials grant)
// with an application credential's ID and secret: the access token is a
// Keystone token.
func (m *TokensManager) IssueOAuth2(ctx context.Context, clientID, clientSecret string) (*identityv3.OAuth2Token, error) {
	if clientID == "" || clientSecret == "" {
		return nil, errors.New("keystone: OAuth2 needs a client ID and secret")
	}
	return call[identityv3.OAuth2Token](WithoutAuth(ctx), func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.IssueOAuth2TokenWithFormdataBody(ctx, identityv3.OAuth2TokenRequest{GrantType: "client_credentials"},
			func(_ context.Context, req *http.Request) error {
				req.SetBasicAuth(clientID, clientSecret)
				return nil
			})
	})
}
