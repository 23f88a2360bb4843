package authplugin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gokeystone/keystone/internal/sdkerr"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// K2KOptions configure the Keystone-to-Keystone plugin (keystoneauth1's
// Keystone2Keystone): a token of the local Keystone (the identity provider)
// becomes a token of a service provider Keystone.
type K2KOptions struct {
	// Local authenticates to the local Keystone; its token's
	// service_providers name the service provider.
	Local keystone.AuthPlugin
	// ServiceProvider is the service provider's ID in the local Keystone.
	ServiceProvider string
	// Scope is the token's scope at the service provider; the zero Scope
	// keeps the unscoped token.
	Scope Scope
}

// NewK2K returns a plugin that turns the local plugin's token into a
// token of the service provider Keystone: the local Keystone makes a SAML2
// assertion for the service provider wrapped in an ECP envelope
// (/v3/auth/OS-FEDERATION/saml2/ecp), which is posted to the service
// provider's sp_url; the SAML2 session the service provider opens (its
// cookie) then obtains an unscoped token at its auth_url, rescoped to Scope.
// Cookies go only to the host of sp_url.
func NewK2K(o K2KOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	if o.Local == nil {
		missing = append(missing, "local plugin")
	}
	if o.ServiceProvider == "" {
		missing = append(missing, "service_provider")
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "k2k", Options: missing}
	}
	if err := o.Scope.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(&k2k{o: o}, opts...), nil
}

type k2k struct {
	o K2KOptions
}

// CacheKey: the local plugin's identity is not comparable here, so a K2K
// plugin shares cached tokens with no other.
func (a *k2k) CacheKey() []string {
	return append([]string{"k2k", a.o.ServiceProvider, fmt.Sprintf("%p", a)}, a.o.Scope.cacheKey()...)
}

func (a *k2k) Reauthenticates() bool { return true }

// ErrNoServiceProvider is returned when the local token names no service
// provider of the requested ID.
var ErrNoServiceProvider = sdkerr.New("authplugin: the local token has no such service provider")

// Authenticate obtains the assertion, opens the SAML2 session at the
// service provider and gets its token.
func (a *k2k) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	local, err := a.o.Local.Access(ctx, s)
	if err != nil {
		return nil, fmt.Errorf("authplugin: k2k: the local token: %w", err)
	}
	var sp *keystone.ServiceProvider
	for i := range local.ServiceProviders {
		if local.ServiceProviders[i].ID == a.o.ServiceProvider {
			sp = &local.ServiceProviders[i]
		}
	}
	if sp == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoServiceProvider, a.o.ServiceProvider)
	}
	spURL, err := url.Parse(sp.SPURL)
	if err != nil || spURL.Host == "" {
		return nil, &keystone.InvalidResponseError{Err: fmt.Errorf("service provider %q: sp_url is not a URL", sp.ID)}
	}
	authURL, err := url.Parse(sp.AuthURL)
	if err != nil || authURL.Host == "" {
		return nil, &keystone.InvalidResponseError{Err: fmt.Errorf("service provider %q: auth_url is not a URL", sp.ID)}
	}
	identity, err := a.o.Local.Endpoint(ctx, s, keystone.EndpointFilter{ServiceType: "identity"})
	if err != nil {
		return nil, fmt.Errorf("authplugin: k2k: the local identity endpoint: %w", err)
	}

	// 1. The assertion, from the local Keystone: the token is in the body.
	body := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"token"}, "token": map[string]any{"id": local.Token()}},
		"scope":    map[string]any{"service_provider": map[string]any{"id": sp.ID}},
	}}
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodPost, NoAuth: true,
		URL:    strings.TrimRight(keystone.UnversionedURL(identity), "/") + "/v3/auth/OS-FEDERATION/saml2/ecp",
		Header: http.Header{"Accept": {"text/xml, application/xml"}}, JSON: body})
	if err != nil {
		return nil, fmt.Errorf("authplugin: k2k: the ECP assertion: %w", err)
	}
	assertion, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}

	// 2. The assertion to the service provider, which answers a redirect
	// with its session cookie (not followed: the redirect only says the
	// session is open).
	cookies, err := postAssertion(ctx, s, "k2k", sp.SPURL, "application/vnd.paos+xml", assertion)
	if err != nil {
		return nil, err
	}

	// 3. The service provider's unscoped token, with its session cookie
	// (sent only to the host that set it), then its scoped one.
	unscoped, err := sessionToken(ctx, s, "k2k", sp.SPURL, sp.AuthURL, cookies)
	if err != nil {
		return nil, err
	}
	return rescope(ctx, s, identityRoot(sp.AuthURL), unscoped, a.o.Scope)
}

// identityRoot is the root of the Keystone a URL under /v3 belongs to
// (https://sp:5000/v3/OS-FEDERATION/… → https://sp:5000).
func identityRoot(u string) string {
	if i := strings.Index(u, "/v3/"); i >= 0 {
		return u[:i]
	}
	return keystone.UnversionedURL(u)
}
