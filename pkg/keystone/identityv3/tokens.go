package identityv3

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// TokensManager validates, checks and revokes tokens: the caller's session
// authenticates the request, and the token in question (the "subject") goes
// in the X-Subject-Token header, never in a URL or a log line.
type TokensManager struct{ c *rest.Client }

// ValidateOptions change Validate.
type ValidateOptions struct {
	// NoCatalog leaves the service catalog out.
	NoCatalog bool
	// AllowExpired accepts a token that has expired (within the deployment's
	// allow_expired_window).
	AllowExpired bool
	// AccessRulesSupport, when set, is sent as the
	// OpenStack-Identity-Access-Rules header: the version of application
	// credential access rules the caller enforces (AccessRulesVersion1, as
	// keystonemiddleware). Keystone answers 404 (keystone.ErrNotFound) for a
	// token obtained with an application credential that has access rules
	// unless this names a version of at least 1.0: set it only if the caller
	// enforces the token's access rules itself.
	AccessRulesSupport string
}

// AccessRulesVersion1 is the version of application credential access rules
// that Keystone (since v3.13) and keystonemiddleware know.
const AccessRulesVersion1 = "1.0"

// accessRulesHeader is the header of ValidateOptions.AccessRulesSupport.
const accessRulesHeader = "OpenStack-Identity-Access-Rules"

func subjectHeader(token string) (http.Header, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: empty token", keystone.ErrInvalidArgument)
	}
	return http.Header{"X-Subject-Token": {token}}, nil
}

// Validate returns what Keystone says about token (keystone.ErrNotFound
// when it is not valid).
func (m *TokensManager) Validate(ctx context.Context, token string, opts *ValidateOptions) (*keystone.AccessInfo, error) {
	h, err := subjectHeader(token)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if opts != nil {
		if opts.NoCatalog {
			q.Set("nocatalog", "") // a flag: its presence is what counts
		}
		rest.Query(q).Flag("allow_expired", opts.AllowExpired)
		if opts.AccessRulesSupport != "" {
			h.Set(accessRulesHeader, opts.AccessRulesSupport)
		}
	}
	return m.c.Token(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/auth/tokens", Query: q, Header: h}, token)
}

// Check reports whether token is valid (HEAD: no body is transferred); an
// unknown, expired or revoked token is false with no error.
func (m *TokensManager) Check(ctx context.Context, token string, allowExpired bool) (bool, error) {
	h, err := subjectHeader(token)
	if err != nil {
		return false, err
	}
	q := url.Values{}
	rest.Query(q).Flag("allow_expired", allowExpired)
	return m.c.Check(ctx, rest.Req{Method: http.MethodHead, Path: "/v3/auth/tokens", Query: q, Header: h})
}

// Revoke revokes token (keystone.ErrNotFound when it was not valid).
func (m *TokensManager) Revoke(ctx context.Context, token string) error {
	h, err := subjectHeader(token)
	if err != nil {
		return err
	}
	return m.c.NoContent(ctx, rest.Req{Method: http.MethodDelete, Path: "/v3/auth/tokens", Header: h})
}

// RevokedPKI returns the revocation list of PKI tokens (a signed CMS
// document, under "signed"). PKI tokens were removed in Ocata: Keystone 22
// answers 403 (keystone.ErrForbidden) with its default [token]
// revoke_by_id = true, 410 (keystone.ErrGone) otherwise. It is
// RevokedPKIWith(ctx, nil).
func (m *TokensManager) RevokedPKI(ctx context.Context) (map[string]any, error) {
	return m.RevokedPKIWith(ctx, nil)
}

// RevokedPKIOptions change RevokedPKIWith.
type RevokedPKIOptions struct {
	// AuditIDOnly asks for the revoked tokens' audit IDs and expiry times,
	// unsigned (under "revoked"), instead of the signed list of token IDs
	// (the audit_id_only flag).
	AuditIDOnly bool
}

// RevokedPKIWith is RevokedPKI with options, as keystoneclient's
// tokens.get_revoked(audit_id_only=…): it returns Keystone's document as
// is, or the error Keystone answers (on Keystone 22, keystone.ErrForbidden
// or keystone.ErrGone, whatever the options).
func (m *TokensManager) RevokedPKIWith(ctx context.Context, opts *RevokedPKIOptions) (map[string]any, error) {
	q := url.Values{}
	if opts != nil {
		rest.Query(q).Flag("audit_id_only", opts.AuditIDOnly)
	}
	var out map[string]any
	err := m.c.Decode(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/auth/tokens/OS-PKI/revoked", Query: q}, &out, nil)
	return out, err
}

// OAuth2Token is an OAuth 2.0 access token: a Keystone token.
type OAuth2Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// String describes t without its token.
func (t OAuth2Token) String() string {
	return fmt.Sprintf("{AccessToken:<redacted> TokenType:%s ExpiresIn:%d}", t.TokenType, t.ExpiresIn)
}

// Format prints t without its token, whatever the verb.
func (t OAuth2Token) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, t.String(), "identityv3.OAuth2Token"+t.String())
}

// MarshalJSON encodes t without its token.
func (t OAuth2Token) MarshalJSON() ([]byte, error) {
	type plain OAuth2Token
	p := plain(t)
	if p.AccessToken != "" {
		p.AccessToken = "<redacted>"
	}
	return json.Marshal(p)
}

// IssueOAuth2 obtains an OAuth 2.0 access token (the client credentials
// grant) with an application credential's ID and secret. The request carries
// no Keystone token.
func (m *TokensManager) IssueOAuth2(ctx context.Context, clientID, clientSecret string) (*OAuth2Token, error) {
	if clientID == "" || clientSecret == "" {
		return nil, fmt.Errorf("%w: OAuth2 needs a client ID and secret", keystone.ErrInvalidArgument)
	}
	req, err := http.NewRequest(http.MethodPost, "http://x/", nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(clientID, clientSecret)
	h := http.Header{
		"Authorization": req.Header["Authorization"],
		"Content-Type":  {"application/x-www-form-urlencoded"},
	}
	resp, err := m.c.Session.Request(ctx, keystone.Request{
		Method: http.MethodPost, URL: m.c.Base + "/v3/OS-OAUTH2/token", Header: h, NoAuth: true,
		Body: []byte(url.Values{"grant_type": {"client_credentials"}}.Encode()),
	})
	if err != nil {
		return nil, err
	}
	var out OAuth2Token
	if err := rest.DecodeResponse(resp, &out, nil); err != nil {
		return nil, err
	}
	return &out, nil
}
