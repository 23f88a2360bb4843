package authplugin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// OIDCOptions configure the OpenID Connect plugins (keystoneauth1's
// v3oidcpassword, v3oidcclientcredentials, v3oidcauthcode,
// v3oidcaccesstoken and v3oidcdeviceauthz). Each logs in at the OpenID
// provider, exchanges the OAuth 2.0 access token it gets at Keystone's
// federation endpoint for the identity provider and protocol
// (/v3/OS-FEDERATION/identity_providers/{idp}/protocols/{protocol}/auth,
// which the web server's OIDC module protects) for an unscoped token, and
// rescopes that token to Scope. When the token expires, both steps are done
// again (with the provider's refresh token when it gave one).
type OIDCOptions struct {
	// AuthURL is Keystone's Identity endpoint: its root or its /v3 URL.
	AuthURL string
	// IdentityProvider and Protocol are the identity provider and protocol
	// registered in Keystone (OS-FEDERATION).
	IdentityProvider, Protocol string
	// Scope is the token's scope; the zero Scope keeps the unscoped token.
	Scope Scope

	// ClientID and ClientSecret identify the client at the provider (the
	// secret is sent with HTTP Basic authentication; a public client has
	// none and sends its ID in the body).
	ClientID, ClientSecret string
	// TokenEndpoint is the provider's token endpoint; when empty it is read
	// from the discovery document at DiscoveryEndpoint.
	TokenEndpoint string
	// DiscoveryEndpoint is the provider's discovery document
	// (https://idp.example.com/.well-known/openid-configuration).
	DiscoveryEndpoint string
	// DeviceAuthorizationEndpoint is the provider's device authorization
	// endpoint (device flow); when empty it is read from the discovery
	// document.
	DeviceAuthorizationEndpoint string
	// OIDCScope is the scope asked of the provider (default "openid profile").
	OIDCScope string
	// AccessTokenType is the member of the provider's token response sent
	// to Keystone: "access_token" (the default) or "id_token".
	AccessTokenType string

	// Username and Password are the user's, for the password grant.
	Username, Password string
	// Code is the authorization code the provider gave the caller's redirect
	// URI (authorization code grant), RedirectURI that URI and CodeVerifier
	// the PKCE verifier, if the caller used one.
	Code, RedirectURI, CodeVerifier string
	// AccessToken is an access token the caller already has (access token
	// plugin): it is exchanged as it is.
	AccessToken string
	// DeviceCallback shows the user where to go and which code to enter
	// (device authorization grant); the plugin then polls the provider
	// until the user has approved, the code expires or the context ends.
	DeviceCallback func(ctx context.Context, d DeviceAuthorization) error
}

// DeviceAuthorization is what the provider's device authorization endpoint
// answers (RFC 8628): the page and the code to show the user.
type DeviceAuthorization struct {
	UserCode                string
	VerificationURI         string
	VerificationURIComplete string
	ExpiresIn               time.Duration
	// Interval is the polling interval the provider asks for.
	Interval time.Duration
}

// OIDCError is an error the OpenID provider answered (RFC 6749 §5.2):
// invalid_grant, invalid_client, access_denied, expired_token…. It matches
// keystone.ErrAuthorizationFailure for a refused grant or client.
type OIDCError struct {
	StatusCode  int
	Code        string
	Description string
	Endpoint    string
}

// Error describes the provider's answer: the endpoint, the status, the
// OAuth 2.0 error code and its description.
func (e *OIDCError) Error() string {
	msg := fmt.Sprintf("authplugin: OpenID provider %s: %d %s", e.Endpoint, e.StatusCode, e.Code)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// Is makes a refused grant or client match keystone.ErrAuthorizationFailure,
// and every OIDCError match keystone.ErrKeystone.
func (e *OIDCError) Is(target error) bool {
	if target == keystone.ErrKeystone {
		return true
	}
	if target != keystone.ErrAuthorizationFailure {
		return false
	}
	switch e.Code {
	case "invalid_grant", "invalid_client", "unauthorized_client", "access_denied", "expired_token":
		return true
	}
	return e.StatusCode == http.StatusUnauthorized
}

// Grant types of the OIDC plugins.
const (
	grantPassword          = "password"
	grantClientCredentials = "client_credentials"
	grantAuthorizationCode = "authorization_code"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	grantRefreshToken      = "refresh_token"
	grantAccessToken       = "" // no grant: the caller's access token
)

// oidc is the authenticator of the OIDC plugins.
type oidc struct {
	name  string
	grant string
	o     OIDCOptions

	mu        sync.Mutex
	discovery map[string]any
	refresh   string // the provider's refresh token, if it gave one
	codeUsed  bool
}

// NewOIDCPassword returns a plugin that logs in at the OpenID provider with
// the resource owner password grant (keystoneauth1's v3oidcpassword).
func NewOIDCPassword(o OIDCOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	return newOIDC("v3oidcpassword", grantPassword, o, []string{"username", o.Username, "password", o.Password}, opts)
}

// NewOIDCClientCredentials returns a plugin that logs in as the client
// itself with the client credentials grant (v3oidcclientcredentials).
func NewOIDCClientCredentials(o OIDCOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	return newOIDC("v3oidcclientcredentials", grantClientCredentials, o, []string{"client_secret", o.ClientSecret}, opts)
}

// NewOIDCAuthorizationCode returns a plugin that redeems an authorization
// code the caller obtained through the browser (v3oidcauthcode). A code is
// used once: later tokens come from the provider's refresh token, if it
// gives one.
func NewOIDCAuthorizationCode(o OIDCOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	return newOIDC("v3oidcauthcode", grantAuthorizationCode, o, []string{"code", o.Code, "redirect_uri", o.RedirectURI}, opts)
}

// NewOIDCAccessToken returns a plugin that exchanges an access token the
// caller already has (v3oidcaccesstoken), until it expires.
func NewOIDCAccessToken(o OIDCOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	return newOIDC("v3oidcaccesstoken", grantAccessToken, o, []string{"access_token", o.AccessToken}, opts)
}

// NewOIDCDeviceAuthorization returns a plugin that logs in with the device
// authorization grant (v3oidcdeviceauthz): DeviceCallback shows the user a
// page and a code, and the plugin waits for the approval. Later tokens come
// from the provider's refresh token when it gives one, else the user is
// asked again.
func NewOIDCDeviceAuthorization(o OIDCOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	return newOIDC("v3oidcdeviceauthz", grantDeviceCode, o, nil, opts)
}

func newOIDC(name, grant string, o OIDCOptions, key []string, opts []keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	need := func(v, option string) {
		if v == "" {
			missing = append(missing, option)
		}
	}
	need(o.AuthURL, "auth_url")
	need(o.IdentityProvider, "identity_provider")
	need(o.Protocol, "protocol")
	switch grant {
	case grantAccessToken:
		need(o.AccessToken, "access_token")
	default:
		need(o.ClientID, "client_id")
		if o.TokenEndpoint == "" && o.DiscoveryEndpoint == "" {
			missing = append(missing, "access_token_endpoint or discovery_endpoint")
		}
	}
	switch grant {
	case grantPassword:
		need(o.Username, "username")
		need(o.Password, "password")
	case grantClientCredentials:
		need(o.ClientSecret, "client_secret")
	case grantAuthorizationCode:
		need(o.Code, "code")
		need(o.RedirectURI, "redirect_uri")
	case grantDeviceCode:
		if o.DeviceCallback == nil {
			missing = append(missing, "device_callback")
		}
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: name, Options: missing}
	}
	if err := o.Scope.check(); err != nil {
		return nil, err
	}
	a := &oidc{name: name, grant: grant, o: o}
	return keystone.NewAuth(a, opts...), nil
}

// CacheKey is every parameter of the login, secrets included (Auth keeps
// only a keyed digest of it). A device login shares no cached token with
// another plugin: its user is not known until they approve.
func (a *oidc) CacheKey() []string {
	o := a.o
	k := []string{a.name, keystone.UnversionedURL(o.AuthURL), o.IdentityProvider, o.Protocol, o.ClientID, o.ClientSecret,
		o.TokenEndpoint, o.DiscoveryEndpoint, o.OIDCScope, o.AccessTokenType}
	switch a.grant {
	case grantPassword:
		k = append(k, o.Username, o.Password)
	case grantAuthorizationCode:
		k = append(k, o.Code, o.RedirectURI, o.CodeVerifier)
	case grantAccessToken:
		k = append(k, o.AccessToken)
	case grantDeviceCode:
		k = append(k, fmt.Sprintf("device %p", a))
	}
	return append(k, o.Scope.cacheKey()...)
}

// Reauthenticates: a used authorization code cannot be redeemed again, but
// the provider's refresh token can stand in for it.
func (a *oidc) Reauthenticates() bool {
	if a.grant != grantAuthorizationCode {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return !a.codeUsed || a.refresh != ""
}

// AuthURL is Keystone's, where the session prefers the identity endpoint.
func (a *oidc) AuthURL() string { return a.o.AuthURL }

// Authenticate gets an access token from the provider, exchanges it for
// an unscoped Keystone token and rescopes that.
func (a *oidc) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	access, err := a.accessToken(ctx, s)
	if err != nil {
		return nil, err
	}
	unscoped, err := federatedToken(ctx, s, a.o.AuthURL, a.o.IdentityProvider, a.o.Protocol,
		http.Header{"Authorization": {"Bearer " + access}})
	if err != nil {
		return nil, err
	}
	return rescope(ctx, s, a.o.AuthURL, unscoped, a.o.Scope)
}

// accessToken obtains what is sent to Keystone: the caller's access token,
// or one from the provider's token endpoint (by refresh token when the
// plugin holds one).
func (a *oidc) accessToken(ctx context.Context, s *keystone.Session) (string, error) {
	if a.grant == grantAccessToken {
		return a.o.AccessToken, nil
	}
	a.mu.Lock()
	refresh := a.refresh
	a.mu.Unlock()
	if refresh != "" {
		tok, err := a.tokenRequest(ctx, s, url.Values{"grant_type": {grantRefreshToken}, "refresh_token": {refresh}})
		if err == nil {
			return tok, nil
		}
		// An expired or revoked refresh token: forget it and log in anew
		// where the grant allows it.
		a.mu.Lock()
		a.refresh = ""
		a.mu.Unlock()
		if a.grant == grantAuthorizationCode {
			return "", err
		}
	}
	form := url.Values{"grant_type": {a.grant}}
	switch a.grant {
	case grantPassword:
		form.Set("username", a.o.Username)
		form.Set("password", a.o.Password)
	case grantAuthorizationCode:
		a.mu.Lock()
		used := a.codeUsed
		a.codeUsed = true
		a.mu.Unlock()
		if used {
			return "", fmt.Errorf("%w: %s: the authorization code was used and the provider gave no refresh token: log in again",
				keystone.ErrAuthorizationFailure, a.name)
		}
		form.Set("code", a.o.Code)
		form.Set("redirect_uri", a.o.RedirectURI)
		if a.o.CodeVerifier != "" {
			form.Set("code_verifier", a.o.CodeVerifier)
		}
	case grantDeviceCode:
		return a.deviceLogin(ctx, s)
	}
	if a.grant != grantAuthorizationCode {
		form.Set("scope", a.scope())
	}
	return a.tokenRequest(ctx, s, form)
}

func (a *oidc) scope() string {
	if a.o.OIDCScope != "" {
		return a.o.OIDCScope
	}
	return "openid profile"
}

// discover reads the provider's discovery document, once.
func (a *oidc) discover(ctx context.Context, s *keystone.Session) (map[string]any, error) {
	a.mu.Lock()
	doc := a.discovery
	a.mu.Unlock()
	if doc != nil || a.o.DiscoveryEndpoint == "" {
		return doc, nil
	}
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: a.o.DiscoveryEndpoint, NoAuth: true,
		Header: http.Header{"Accept": {"application/json"}}})
	if err != nil {
		return nil, fmt.Errorf("authplugin: %s: the provider's discovery document: %w", a.name, err)
	}
	doc = map[string]any{}
	if err := keystone.DecodeJSON(resp, &doc, nil); err != nil {
		return nil, fmt.Errorf("authplugin: %s: the provider's discovery document: %w", a.name, err)
	}
	if grants, ok := doc["grant_types_supported"].([]any); ok && a.grant != "" {
		if !slices.Contains(grants, any(a.grant)) {
			return nil, fmt.Errorf("%w: %s: the provider does not offer the %s grant", keystone.ErrNoMatchingPlugin, a.name, a.grant)
		}
	}
	a.mu.Lock()
	a.discovery = doc
	a.mu.Unlock()
	return doc, nil
}

// endpoint returns the given endpoint, or the discovery document's member.
func (a *oidc) endpoint(ctx context.Context, s *keystone.Session, given, member string) (string, error) {
	doc, err := a.discover(ctx, s)
	if err != nil {
		return "", err
	}
	if given != "" {
		return given, nil
	}
	u, _ := doc[member].(string)
	if u == "" {
		return "", fmt.Errorf("%w: %s: no %s given and none in the provider's discovery document", keystone.ErrInvalidResponse, a.name, member)
	}
	return u, nil
}

// postForm posts a form to the provider's endpoint with the client's
// credentials and decodes the JSON answer into v. An OAuth error answer is
// an *OIDCError.
func (a *oidc) postForm(ctx context.Context, s *keystone.Session, endpoint string, form url.Values, v any) error {
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	if a.o.ClientSecret != "" {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString(
			[]byte(url.QueryEscape(a.o.ClientID)+":"+url.QueryEscape(a.o.ClientSecret))))
	} else {
		form.Set("client_id", a.o.ClientID)
	}
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodPost, URL: endpoint, Header: h,
		Body: []byte(form.Encode()), NoAuth: true})
	if err != nil {
		// An OAuth 2.0 error: its code is the HTTPError's title.
		var he *keystone.HTTPError
		if errors.As(err, &he) && isOAuthErrorCode(he.Title) {
			return &OIDCError{StatusCode: he.StatusCode, Code: he.Title, Description: he.Message, Endpoint: redactedURL(endpoint)}
		}
		return err
	}
	return keystone.DecodeJSON(resp, v, nil)
}

// isOAuthErrorCode reports whether s looks like an OAuth 2.0 error code
// (invalid_grant, authorization_pending): lower-case ASCII and underscores.
func isOAuthErrorCode(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// tokenResponse is the provider's token endpoint answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

// tokenRequest asks the token endpoint for a token and keeps the refresh
// token it may give.
func (a *oidc) tokenRequest(ctx context.Context, s *keystone.Session, form url.Values) (string, error) {
	endpoint, err := a.endpoint(ctx, s, a.o.TokenEndpoint, "token_endpoint")
	if err != nil {
		return "", err
	}
	var tr tokenResponse
	if err := a.postForm(ctx, s, endpoint, form, &tr); err != nil {
		return "", err
	}
	return a.pick(tr, endpoint)
}

// pick returns the token of AccessTokenType from a token response.
func (a *oidc) pick(tr tokenResponse, endpoint string) (string, error) {
	if tr.RefreshToken != "" {
		a.mu.Lock()
		a.refresh = tr.RefreshToken
		a.mu.Unlock()
	}
	tok := tr.AccessToken
	if a.o.AccessTokenType == "id_token" {
		tok = tr.IDToken
	}
	if tok == "" {
		kind := a.o.AccessTokenType
		if kind == "" {
			kind = "access_token"
		}
		return "", &keystone.InvalidResponseError{Method: http.MethodPost, URL: redactedURL(endpoint),
			Err: fmt.Errorf("the provider's token response has no %s", kind)}
	}
	return tok, nil
}

// deviceLogin runs the device authorization grant (RFC 8628): it asks for a
// user code, shows it through DeviceCallback and polls the token endpoint.
func (a *oidc) deviceLogin(ctx context.Context, s *keystone.Session) (string, error) {
	endpoint, err := a.endpoint(ctx, s, a.o.DeviceAuthorizationEndpoint, "device_authorization_endpoint")
	if err != nil {
		return "", err
	}
	var d struct {
		DeviceCode              string `json:"device_code"`
		UserCode                string `json:"user_code"`
		VerificationURI         string `json:"verification_uri"`
		VerificationURIComplete string `json:"verification_uri_complete"`
		ExpiresIn               int    `json:"expires_in"`
		Interval                int    `json:"interval"`
	}
	if err := a.postForm(ctx, s, endpoint, url.Values{"scope": {a.scope()}}, &d); err != nil {
		return "", err
	}
	if d.DeviceCode == "" || d.UserCode == "" || d.VerificationURI == "" {
		return "", &keystone.InvalidResponseError{Method: http.MethodPost, URL: redactedURL(endpoint),
			Err: errors.New("the device authorization response lacks device_code, user_code or verification_uri")}
	}
	interval := time.Duration(d.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	expires := time.Duration(d.ExpiresIn) * time.Second
	if err := a.o.DeviceCallback(ctx, DeviceAuthorization{UserCode: d.UserCode, VerificationURI: d.VerificationURI,
		VerificationURIComplete: d.VerificationURIComplete, ExpiresIn: expires, Interval: interval}); err != nil {
		return "", fmt.Errorf("authplugin: %s: device callback: %w", a.name, err)
	}
	if expires > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, expires)
		defer cancel()
	}
	tokenEndpoint, err := a.endpoint(ctx, s, a.o.TokenEndpoint, "token_endpoint")
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {grantDeviceCode}, "device_code": {d.DeviceCode}}
	for {
		var tr tokenResponse
		err := a.postForm(ctx, s, tokenEndpoint, form, &tr)
		if err == nil {
			return a.pick(tr, tokenEndpoint)
		}
		var oe *OIDCError
		if !errors.As(err, &oe) {
			return "", err
		}
		switch oe.Code {
		case "authorization_pending":
		case "slow_down":
			interval += 5 * time.Second
		default:
			return "", err
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", fmt.Errorf("%w: %s: waiting for the user's approval: %w", keystone.ErrTimeout, a.name, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// redactedURL is u without its user information.
func redactedURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(invalid URL)"
	}
	return p.Redacted()
}

// federatedToken exchanges what authenticates the request (h: a bearer
// token, a SAML assertion's session) at Keystone's federation endpoint for
// the identity provider and protocol, for an unscoped token.
func federatedToken(ctx context.Context, s *keystone.Session, authURL, idp, protocol string, h http.Header) (*keystone.AccessInfo, error) {
	return readToken(ctx, s, keystone.Request{Method: http.MethodPost, URL: federatedURL(authURL, idp, protocol), Header: h, NoAuth: true})
}

// readToken sends a request answered by a token (X-Subject-Token and the
// token's body), a 401 being ErrAuthorizationFailure.
func readToken(ctx context.Context, s *keystone.Session, r keystone.Request) (*keystone.AccessInfo, error) {
	resp, err := s.Request(ctx, r)
	if err != nil {
		var he *keystone.HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized {
			return nil, fmt.Errorf("%w: %w", keystone.ErrAuthorizationFailure, he)
		}
		return nil, err
	}
	return tokenFromResponse(s, r.Method, resp)
}

// tokenFromResponse reads a token answer: the X-Subject-Token header first
// (a response without a token is not read), then the body, within the
// session's TokenBody limit.
func tokenFromResponse(s *keystone.Session, method string, resp *http.Response) (*keystone.AccessInfo, error) {
	token := resp.Header.Get("X-Subject-Token")
	if token == "" {
		resp.Body.Close()
		return nil, &keystone.InvalidResponseError{Method: method, URL: resp.Request.URL.Redacted(),
			StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
			Err: errors.New("no X-Subject-Token header")}
	}
	data, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	return keystone.NewAccessInfoV3(token, data)
}

// rescope turns an unscoped token into one scoped to scope (none: the
// unscoped token itself), as keystoneauth1's federation plugins do.
func rescope(ctx context.Context, s *keystone.Session, authURL string, unscoped *keystone.AccessInfo, scope Scope) (*keystone.AccessInfo, error) {
	if scope == (Scope{}) || scope.Unscoped {
		return unscoped, nil
	}
	a := &v3{plugin: "rescope", authURL: authURL, methods: []method{TokenMethod{Token: unscoped.Token()}}, scope: scope}
	return a.Authenticate(ctx, s)
}

// String hides the secrets: client secret, password, code, code verifier,
// access token.
func (o OIDCOptions) String() string {
	return fmt.Sprintf("OIDCOptions{AuthURL: %q, IdentityProvider: %q, Protocol: %q, Scope: %+v, ClientID: %q, ClientSecret: %s, "+
		"TokenEndpoint: %q, DiscoveryEndpoint: %q, DeviceAuthorizationEndpoint: %q, OIDCScope: %q, AccessTokenType: %q, "+
		"Username: %q, Password: %s, Code: %s, RedirectURI: %q, CodeVerifier: %s, AccessToken: %s, DeviceCallback: %t}",
		o.AuthURL, o.IdentityProvider, o.Protocol, o.Scope, o.ClientID, mask(o.ClientSecret),
		o.TokenEndpoint, o.DiscoveryEndpoint, o.DeviceAuthorizationEndpoint, o.OIDCScope, o.AccessTokenType,
		o.Username, mask(o.Password), mask(o.Code), o.RedirectURI, mask(o.CodeVerifier), mask(o.AccessToken), o.DeviceCallback != nil)
}

// GoString is String.
func (o OIDCOptions) GoString() string { return o.String() }

func (o OIDCOptions) redacted() any {
	return struct {
		AuthURL, IdentityProvider, Protocol                           string
		Scope                                                         Scope
		ClientID, ClientSecret                                        string
		TokenEndpoint, DiscoveryEndpoint, DeviceAuthorizationEndpoint string
		OIDCScope, AccessTokenType                                    string
		Username, Password, Code, RedirectURI, CodeVerifier           string
		AccessToken                                                   string
		DeviceCallback                                                bool `json:",omitempty"`
	}{o.AuthURL, o.IdentityProvider, o.Protocol, o.Scope, o.ClientID, hidden(o.ClientSecret),
		o.TokenEndpoint, o.DiscoveryEndpoint, o.DeviceAuthorizationEndpoint, o.OIDCScope, o.AccessTokenType,
		o.Username, hidden(o.Password), hidden(o.Code), o.RedirectURI, hidden(o.CodeVerifier), hidden(o.AccessToken),
		o.DeviceCallback != nil}
}

// Format implements fmt.Formatter: every verb shows String.
func (o OIDCOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the secrets masked.
func (o OIDCOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the secrets masked.
func (o OIDCOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

// String shows the plugin's options, secrets masked.
func (a *oidc) String() string { return a.name + " " + a.o.String() }
