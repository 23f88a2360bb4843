package keystone_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestWithoutReauthentication: keystoneauth1's reauthenticate=False. The
// plugin keeps its one token until it expires (even within the margin),
// then fails with ErrCannotReauthenticate instead of authenticating again;
// the same after the token is invalidated. Without the option, it
// re-authenticates (the control).
func TestWithoutReauthentication(t *testing.T) {
	clk := newClock()
	srv := keystonetest.NewServer(t, keystonetest.WithClock(clk.Now))
	auth := passwordAuth(t, srv, keystone.WithClock(clk.Now), keystone.WithoutReauthentication())
	s := newSession(t, keystone.WithAuth(auth))
	first, err := auth.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	// Within the margin: the token still works, so it is kept.
	clk.Advance(time.Hour - time.Minute)
	if tok, err := auth.Token(t.Context(), s); err != nil || tok != first {
		t.Fatalf("within the margin: %v (same token: %v)", err, tok == first)
	}
	if n, err := getProjects(t.Context(), s, srv.URL); err != nil || n == 0 {
		t.Fatalf("request with the kept token: %d projects, %v", n, err)
	}
	// Expired: no new authentication.
	clk.Advance(2 * time.Minute)
	_, err = auth.Token(t.Context(), s)
	if !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Fatalf("after expiry: %v, want ErrCannotReauthenticate", err)
	}
	if _, err := getProjects(t.Context(), s, srv.URL); !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Fatalf("request after expiry: %v", err)
	}
	if _, err := auth.Headers(t.Context(), s); !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Fatalf("Headers after expiry: %v", err)
	}
	if n := authRequests(srv); n != 1 {
		t.Fatalf("%d authentications, want 1", n)
	}

	// Invalidated: the same.
	auth = passwordAuth(t, srv, keystone.WithClock(clk.Now), keystone.WithoutReauthentication())
	tok, err := auth.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !auth.Invalidate(tok) {
		t.Fatal("Invalidate did not forget the current token")
	}
	if _, err := auth.Access(t.Context(), s); !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Fatalf("after Invalidate: %v", err)
	}
	if n := authRequests(srv); n != 2 {
		t.Fatalf("%d authentications, want 2", n)
	}

	// The control: the default plugin authenticates again.
	auth = passwordAuth(t, srv, keystone.WithClock(clk.Now))
	tok, err = auth.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	auth.Invalidate(tok)
	if again, err := auth.Token(t.Context(), s); err != nil || again == tok {
		t.Fatalf("default plugin after Invalidate: %v", err)
	}
}

// TestAuthHeaders: Headers authenticates when needed and returns the
// X-Auth-Token a request would carry, which the server accepts.
func TestAuthHeaders(t *testing.T) {
	srv := keystonetest.NewServer(t)
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	h, err := auth.Headers(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.Token(t.Context(), s)
	if len(h) != 1 || h.Get("X-Auth-Token") != tok || tok == "" {
		t.Fatalf("headers %d, token matches: %v", len(h), h.Get("X-Auth-Token") == tok)
	}
	if authRequests(srv) != 1 {
		t.Fatalf("%d authentications", authRequests(srv))
	}
	// The header authenticates a request made without the plugin.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/v3/projects", nil)
	req.Header = h.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("request with Headers: %d", resp.StatusCode)
	}
	// A rejected password fails typed, with no header.
	bad, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: srv.AuthURL(),
		User: authplugin.User{Name: srv.AdminUser, DomainID: srv.DomainID}, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if h, err := bad.Headers(t.Context(), s); !errors.Is(err, keystone.ErrAuthorizationFailure) || h != nil {
		t.Fatalf("wrong password: %v %v", h != nil, err)
	}
	var nilAuth *keystone.Auth
	if _, err := nilAuth.Headers(t.Context(), s); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Fatalf("nil Auth: %v", err)
	}
}

// TestInterfaceAuth: the auth pseudo-interface is the plugin's auth URL,
// found without authenticating and without the catalog; after other
// interfaces, it is the fallback when they match nothing.
func TestInterfaceAuth(t *testing.T) {
	srv := keystonetest.NewServer(t)
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	u, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", Interfaces: []string{keystone.InterfaceAuth}})
	if err != nil || u != srv.AuthURL() {
		t.Fatalf("auth interface: %q %v, want %q", u, err, srv.AuthURL())
	}
	if n := authRequests(srv); n != 0 {
		t.Fatalf("%d authentications for the auth URL", n)
	}
	// With a version: the session discovers it at the auth URL.
	u, err = s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}, MinVersion: "3"})
	if err != nil || strings.TrimRight(u, "/") != srv.AuthURL() {
		t.Fatalf("auth interface, version 3: %q %v", u, err)
	}
	// After "internal": the catalog's internal endpoint wins when there is one…
	srv.AddService("compute", "nova", keystonetest.Endpoint{Interface: "public", URL: "https://nova.example.com/v2.1", Region: "RegionOne"})
	u, err = s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", Interfaces: []string{"internal", keystone.InterfaceAuth}})
	if err != nil || u == "" || authRequests(srv) != 1 {
		t.Fatalf("internal then auth: %q %v", u, err)
	}
	// … and the auth URL when there is none (nova has no internal endpoint).
	u, err = s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"internal", keystone.InterfaceAuth}})
	if err != nil || u != srv.AuthURL() {
		t.Fatalf("internal (missing) then auth: %q %v", u, err)
	}
	// A failure other than "not found" is not hidden by the fallback.
	bad, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: srv.AuthURL(),
		User: authplugin.User{Name: srv.AdminUser, DomainID: srv.DomainID}, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EndpointURL(t.Context(), bad, keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"public", keystone.InterfaceAuth}}); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Fatalf("wrong password then auth: %v", err)
	}
	// But with the auth interface first, no authentication happens at all.
	if u, err := s.EndpointURL(t.Context(), bad, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}}); err != nil || u != srv.AuthURL() {
		t.Fatalf("auth URL of a plugin with a wrong password: %q %v", u, err)
	}

	// A plugin without an auth URL (a saved token) has no auth endpoint.
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	saved := keystone.NewAuthFromAccess(ai)
	if _, err := saved.Endpoint(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}}); !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Fatalf("saved token: %v", err)
	}
	// The admin-token plugin's fixed endpoint answers every interface.
	at, err := authplugin.NewAdminToken("http://fixed.example.com/v3", "ADMIN")
	if err != nil {
		t.Fatal(err)
	}
	if u, err := at.Endpoint(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}}); err != nil || u != "http://fixed.example.com/v3" {
		t.Fatalf("admin token: %q %v", u, err)
	}
}

// stubAuthn is an Authenticator with an auth URL and no server.
type stubAuthn struct{ url string }

func (a stubAuthn) Authenticate(context.Context, *keystone.Session) (*keystone.AccessInfo, error) {
	return nil, errors.New("stub: no server")
}
func (a stubAuthn) CacheKey() []string    { return []string{"stub", a.url} }
func (a stubAuthn) Reauthenticates() bool { return true }
func (a stubAuthn) AuthURL() string       { return a.url }

// TestInterfaceAuthNoAuthentication: a plugin that cannot authenticate
// still answers the auth interface, and an endpoint ID is never the auth URL.
func TestInterfaceAuthNoAuthentication(t *testing.T) {
	a := keystone.NewAuth(stubAuthn{url: "https://ks.example.com:5000/v3"})
	s := newSession(t)
	if u, err := a.Endpoint(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{"auth"}}); err != nil || u != "https://ks.example.com:5000/v3" {
		t.Fatalf("%q %v", u, err)
	}
	if _, err := a.Endpoint(t.Context(), s, keystone.EndpointFilter{EndpointID: "e1", Interfaces: []string{"auth"}}); err == nil {
		t.Fatal("an endpoint ID resolved to the auth URL")
	}
	if _, err := a.Endpoint(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{"public"}}); err == nil {
		t.Fatal("the public interface resolved without a token")
	}
	if _, err := keystone.NewAuth(stubAuthn{}).Endpoint(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{"auth"}}); !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Fatalf("empty auth URL: %v", err)
	}
}
