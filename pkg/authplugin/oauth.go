package authplugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// OAuth2ClientCredentialsOptions configure the OAuth 2.0 client credentials
// plugin (keystoneauth1's v3oauth2clientcredential): Keystone's own token
// endpoint (/v3/OS-OAUTH2/token, Keystone 22 and later) gives an access
// token for an application credential's ID and secret.
type OAuth2ClientCredentialsOptions struct {
	// AuthURL is Keystone's Identity endpoint: its root or its /v3 URL.
	AuthURL string
	// ClientID and ClientSecret are the application credential's ID and
	// secret.
	ClientID, ClientSecret string
}

// NewOAuth2ClientCredentials returns a plugin that obtains its tokens from
// Keystone's OAuth 2.0 token endpoint. The access token is a Keystone token
// scoped as the application credential is; the plugin reads its catalog by
// validating it.
func NewOAuth2ClientCredentials(o OAuth2ClientCredentialsOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	for option, v := range map[string]string{"auth_url": o.AuthURL, "oauth2_client_id": o.ClientID, "oauth2_client_secret": o.ClientSecret} {
		if v == "" {
			missing = append(missing, option)
		}
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "v3oauth2clientcredential", Options: missing}
	}
	return keystone.NewAuth(&oauth2ClientCredentials{o: o}, opts...), nil
}

type oauth2ClientCredentials struct {
	o OAuth2ClientCredentialsOptions
}

func (a *oauth2ClientCredentials) CacheKey() []string {
	return []string{"v3oauth2clientcredential", keystone.UnversionedURL(a.o.AuthURL), a.o.ClientID, a.o.ClientSecret}
}

func (a *oauth2ClientCredentials) Reauthenticates() bool { return true }

// AuthURL is Keystone's, where the session prefers the identity endpoint.
func (a *oauth2ClientCredentials) AuthURL() string { return a.o.AuthURL }

// Authenticate asks the token endpoint for an access token, then validates
// it to read the token's data.
func (a *oauth2ClientCredentials) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	c, err := identityv3.NewClientAt(s, a.o.AuthURL)
	if err != nil {
		return nil, err
	}
	tok, err := c.Tokens.IssueOAuth2(ctx, a.o.ClientID, a.o.ClientSecret)
	if err != nil {
		var he *keystone.HTTPError
		if errors.As(err, &he) && (he.StatusCode == http.StatusUnauthorized || he.StatusCode == http.StatusNotFound) {
			return nil, fmt.Errorf("%w: %w", keystone.ErrAuthorizationFailure, err)
		}
		return nil, err
	}
	return validateOwn(ctx, s, a.o.AuthURL, tok.AccessToken)
}

// validateOwn reads a token's data with the token itself (GET
// /v3/auth/tokens, the token being both the caller and the subject).
func validateOwn(ctx context.Context, s *keystone.Session, authURL, token string) (*keystone.AccessInfo, error) {
	u := strings.TrimRight(keystone.UnversionedURL(authURL), "/") + "/v3/auth/tokens"
	return readToken(ctx, s, keystone.Request{Method: http.MethodGet, URL: u, NoAuth: true,
		Header: http.Header{"X-Auth-Token": {token}, "X-Subject-Token": {token}}})
}

// OAuth1Options configure the OAuth 1.0a plugin (keystoneauth1's
// v3oauth1): a consumer and an access token of Keystone's OS-OAUTH1
// extension, delegated by a user with roles on a project, sign the
// authentication request (HMAC-SHA1); the token is scoped to that project.
type OAuth1Options struct {
	// AuthURL is Keystone's Identity endpoint: its root or its /v3 URL.
	AuthURL                     string
	ConsumerKey, ConsumerSecret string
	AccessKey, AccessSecret     string
}

// NewOAuth1 returns a plugin that authenticates with an OAuth 1.0a access
// token.
func NewOAuth1(o OAuth1Options, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	for option, v := range map[string]string{"auth_url": o.AuthURL, "consumer_key": o.ConsumerKey, "consumer_secret": o.ConsumerSecret,
		"access_key": o.AccessKey, "access_secret": o.AccessSecret} {
		if v == "" {
			missing = append(missing, option)
		}
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "v3oauth1", Options: missing}
	}
	return keystone.NewAuth(&oauth1{o: o}, opts...), nil
}

type oauth1 struct{ o OAuth1Options }

func (a *oauth1) CacheKey() []string {
	return []string{"v3oauth1", keystone.UnversionedURL(a.o.AuthURL), a.o.ConsumerKey, a.o.ConsumerSecret, a.o.AccessKey, a.o.AccessSecret}
}

func (a *oauth1) Reauthenticates() bool { return true }

// AuthURL is Keystone's, where the session prefers the identity endpoint.
func (a *oauth1) AuthURL() string { return a.o.AuthURL }

// Authenticate signs the oauth1 authentication request.
func (a *oauth1) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	c, err := identityv3.NewClientAt(s, a.o.AuthURL)
	if err != nil {
		return nil, err
	}
	ai, err := c.OAuth1.Authenticate(ctx, identityv3.OAuth1Signer{ConsumerKey: a.o.ConsumerKey, ConsumerSecret: a.o.ConsumerSecret,
		Token: a.o.AccessKey, TokenSecret: a.o.AccessSecret})
	if err != nil {
		var he *keystone.HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized {
			return nil, fmt.Errorf("%w: %w", keystone.ErrAuthorizationFailure, err)
		}
		return nil, err
	}
	return ai, nil
}

// String hides the secret.
func (o OAuth2ClientCredentialsOptions) String() string {
	return fmt.Sprintf("OAuth2ClientCredentialsOptions{AuthURL: %q, ClientID: %q, ClientSecret: %s}", o.AuthURL, o.ClientID, mask(o.ClientSecret))
}

// GoString is String.
func (o OAuth2ClientCredentialsOptions) GoString() string { return o.String() }

func (o OAuth2ClientCredentialsOptions) redacted() any {
	return struct{ AuthURL, ClientID, ClientSecret string }{o.AuthURL, o.ClientID, hidden(o.ClientSecret)}
}

// Format implements fmt.Formatter: every verb shows String.
func (o OAuth2ClientCredentialsOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the secret masked.
func (o OAuth2ClientCredentialsOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the secret masked.
func (o OAuth2ClientCredentialsOptions) MarshalJSON() ([]byte, error) {
	return json.Marshal(o.redacted())
}

// String hides the secrets.
func (o OAuth1Options) String() string {
	return fmt.Sprintf("OAuth1Options{AuthURL: %q, ConsumerKey: %q, ConsumerSecret: %s, AccessKey: %q, AccessSecret: %s}",
		o.AuthURL, o.ConsumerKey, mask(o.ConsumerSecret), o.AccessKey, mask(o.AccessSecret))
}

// GoString is String.
func (o OAuth1Options) GoString() string { return o.String() }

func (o OAuth1Options) redacted() any {
	return struct{ AuthURL, ConsumerKey, ConsumerSecret, AccessKey, AccessSecret string }{
		o.AuthURL, o.ConsumerKey, hidden(o.ConsumerSecret), o.AccessKey, hidden(o.AccessSecret)}
}

// Format implements fmt.Formatter: every verb shows String.
func (o OAuth1Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the secrets masked.
func (o OAuth1Options) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the secrets masked.
func (o OAuth1Options) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }
