package authplugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// Tenant selects the tenant (the v2.0 name of a project) a v2.0 token is
// scoped to: by ID or by name. Empty means unscoped.
type Tenant struct {
	ID, Name string
}

// PasswordV2Options configure an Identity v2.0 password plugin
// (keystoneauth1's v2.Password).
type PasswordV2Options struct {
	// AuthURL is the v2.0 endpoint, such as https://keystone.example.com/v2.0.
	AuthURL string
	// UserID or Username identifies the user (v2.0 has no domains).
	UserID, Username string
	Password         string
	Tenant           Tenant
	// TrustID asks for a token of the trust (keystoneauth1's and
	// keystoneclient's v2 trust_id, sent as auth.trust_id): the user is then
	// the trustee.
	TrustID string
}

// String hides the password.
func (o PasswordV2Options) String() string {
	return fmt.Sprintf("PasswordV2Options{AuthURL: %q, UserID: %q, Username: %q, Password: %s, Tenant: %+v, TrustID: %q}",
		o.AuthURL, o.UserID, o.Username, mask(o.Password), o.Tenant, o.TrustID)
}

// GoString is String.
func (o PasswordV2Options) GoString() string { return o.String() }

// TokenV2Options configure an Identity v2.0 token plugin (keystoneauth1's
// v2.Token): an existing token exchanged for one scoped to Tenant.
type TokenV2Options struct {
	AuthURL string
	Token   string
	Tenant  Tenant
	// TrustID asks for a token of the trust (auth.trust_id).
	TrustID string
}

// String hides the token.
func (o TokenV2Options) String() string {
	return fmt.Sprintf("TokenV2Options{AuthURL: %q, Token: %s, Tenant: %+v, TrustID: %q}", o.AuthURL, mask(o.Token), o.Tenant, o.TrustID)
}

// GoString is String.
func (o TokenV2Options) GoString() string { return o.String() }

type v2 struct {
	plugin   string
	authURL  string
	userID   string
	username string
	password string
	token    string
	tenant   Tenant
	trustID  string
}

// NewPasswordV2 returns a plugin that authenticates to Identity v2.0 with a
// password. The AccessInfo it yields has the same API as a v3 token's.
func NewPasswordV2(o PasswordV2Options, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	if o.AuthURL == "" {
		missing = append(missing, "auth_url")
	}
	if o.UserID == "" && o.Username == "" {
		missing = append(missing, "user_id or username")
	}
	if o.Password == "" {
		missing = append(missing, "password")
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "v2password", Options: missing}
	}
	return keystone.NewAuth(&v2{plugin: "v2password", authURL: o.AuthURL, userID: o.UserID, username: o.Username,
		password: o.Password, tenant: o.Tenant, trustID: o.TrustID}, opts...), nil
}

// NewTokenV2 returns a plugin that exchanges a v2.0 token for one scoped to
// a tenant.
func NewTokenV2(o TokenV2Options, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	if o.AuthURL == "" {
		missing = append(missing, "auth_url")
	}
	if o.Token == "" {
		missing = append(missing, "token")
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "v2token", Options: missing}
	}
	return keystone.NewAuth(&v2{plugin: "v2token", authURL: o.AuthURL, token: o.Token, tenant: o.Tenant, trustID: o.TrustID}, opts...), nil
}

func (a *v2) CacheKey() []string {
	k := []string{a.plugin, keystone.UnversionedURL(a.authURL), "tenant", a.tenant.ID, a.tenant.Name}
	if a.trustID != "" {
		k = append(k, "trust", a.trustID)
	}
	if a.token != "" {
		return append(k, "token", a.token)
	}
	return append(k, "user", a.userID, a.username, a.password)
}

func (a *v2) Reauthenticates() bool { return true }

// AuthURL returns the URL the plugin authenticates against: the session
// prefers the identity endpoint there when the catalog has several.
func (a *v2) AuthURL() string { return a.authURL }

// v2AuthRequest is the body of POST /v2.0/tokens.
type v2AuthRequest struct {
	Auth struct {
		PasswordCredentials *struct {
			UserID   string `json:"userId,omitempty"`
			Username string `json:"username,omitempty"`
			Password string `json:"password"`
		} `json:"passwordCredentials,omitempty"`
		Token *struct {
			ID string `json:"id"`
		} `json:"token,omitempty"`
		TenantID   string `json:"tenantId,omitempty"`
		TenantName string `json:"tenantName,omitempty"`
		TrustID    string `json:"trust_id,omitempty"`
	} `json:"auth"`
}

// Authenticate implements keystone.Authenticator: POST /v2.0/tokens.
func (a *v2) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	var body v2AuthRequest
	if a.token != "" {
		body.Auth.Token = &struct {
			ID string `json:"id"`
		}{ID: a.token}
	} else {
		body.Auth.PasswordCredentials = &struct {
			UserID   string `json:"userId,omitempty"`
			Username string `json:"username,omitempty"`
			Password string `json:"password"`
		}{UserID: a.userID, Username: a.username, Password: a.password}
	}
	body.Auth.TenantID, body.Auth.TenantName = a.tenant.ID, a.tenant.Name
	body.Auth.TrustID = a.trustID
	return issueV2(ctx, s, a.authURL, body)
}

// v2URL returns the v2.0 endpoint of an auth URL: itself when it ends with a
// version, else its /v2.0.
func v2URL(authURL string) string {
	u := strings.TrimRight(authURL, "/")
	if keystone.UnversionedURL(u) == u {
		return u + "/v2.0"
	}
	return u
}

func issueV2(ctx context.Context, s *keystone.Session, authURL string, body v2AuthRequest) (*keystone.AccessInfo, error) {
	resp, err := s.Request(keystone.WithoutAuth(ctx), keystone.Request{
		Method: http.MethodPost, URL: v2URL(authURL) + "/tokens", JSON: body, NoAuth: true,
	})
	if err != nil {
		var he *keystone.HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized {
			return nil, fmt.Errorf("%w: %w", keystone.ErrAuthorizationFailure, he)
		}
		return nil, err
	}
	data, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	return keystone.NewAccessInfoV2(data)
}
