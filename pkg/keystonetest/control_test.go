package keystonetest_test

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// RequestCount and LastRequest see every request, intercepted or not;
// FailFirst fails the first ones and lets the others through.
func TestInterceptAndRequests(t *testing.T) {
	srv := keystonetest.NewServer(t)
	if n := srv.RequestCount(""); n != 0 || srv.LastRequest("") != nil {
		t.Fatalf("a new server has %d requests", n)
	}
	c, auth := adminClient(t, srv)
	ctx := t.Context()
	if _, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil {
		t.Fatal(err)
	}
	if n := srv.RequestCount("POST /v3/auth/tokens"); n != 1 {
		t.Errorf("%d authentication requests, want 1", n)
	}
	last := srv.LastRequest("POST /v3/auth/tokens")
	body, _ := io.ReadAll(last.Body)
	if !strings.Contains(string(body), `"password"`) || last.Header.Get("Content-Type") != "application/json" {
		t.Errorf("last authentication request: %s %q", last.Header, body)
	}
	if tok := srv.LastRequest("/v3/projects").Header.Get("X-Auth-Token"); tok != auth.Current().Token() {
		t.Error("the last request to /v3/projects does not carry the token")
	}
	if got := srv.LastRequest("").URL.Path; got != "/v3/projects" {
		t.Errorf("the last request went to %s", got)
	}

	// Two 503s, then the server answers: the SDK retries through them.
	before := srv.RequestCount("/v3/projects")
	srv.Intercept(keystonetest.FailFirst(2, "GET /v3/projects", http.StatusServiceUnavailable, 1500*time.Millisecond))
	s, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithRetryPolicy(keystone.RetryPolicy{
		StatusRetries: 2, Statuses: []int{503}, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3/projects"})
	if err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	resp.Body.Close()
	if n := srv.RequestCount("/v3/projects") - before; n != 3 {
		t.Errorf("%d requests, want 3 (two failed, one answered)", n)
	}

	// A failure carries Keystone's body and Retry-After, in whole seconds.
	srv.Intercept(keystonetest.FailFirst(1, "/v3/projects", http.StatusTooManyRequests, 1500*time.Millisecond))
	s, _ = keystone.NewSession(keystone.WithAuth(auth), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	_, err = s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3/projects"})
	var he *keystone.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 429 || he.RetryAfter != 2*time.Second || he.Message == "" {
		t.Errorf("got %v", err)
	}

	// The interceptor reads the body; the server still gets it.
	var seen string
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		b, _ := io.ReadAll(r.Body)
		seen = string(b)
		return false
	})
	resp, err = s.Request(ctx, keystone.Request{Method: http.MethodPost, URL: srv.URL + "/v3/projects",
		JSON: map[string]any{"project": map[string]any{"name": "seen"}}})
	if err != nil {
		t.Fatalf("create after an interceptor read the body: %v", err)
	}
	resp.Body.Close()
	if seen != `{"project":{"name":"seen"}}` || resp.StatusCode != 201 {
		t.Errorf("interceptor saw %q; status %d", seen, resp.StatusCode)
	}
	srv.Intercept(nil)
	if _, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil {
		t.Errorf("without an interceptor: %v", err)
	}
}

// A service added from Go is in the catalog of new tokens.
func TestAddService(t *testing.T) {
	srv := keystonetest.NewServer(t)
	srv.AddService("compute", "nova",
		keystonetest.Endpoint{Interface: "public", URL: "http://nova.example/v2.1"},
		keystonetest.Endpoint{Interface: "internal", URL: "http://nova.internal/v2.1"},
		keystonetest.Endpoint{Interface: "public", Region: "RegionTwo", URL: "http://nova.region2.example/v2.1"})
	c, _ := adminClient(t, srv)
	for _, tc := range []struct{ iface, region, want string }{
		{"public", srv.Region, "http://nova.example/v2.1"},
		{"internal", srv.Region, "http://nova.internal/v2.1"},
		{"public", "RegionTwo", "http://nova.region2.example/v2.1"},
	} {
		u, err := c.Session().EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{tc.iface}, Region: tc.region})
		if err != nil || u != tc.want {
			t.Errorf("%s compute endpoint in %s: %q, %v", tc.iface, tc.region, u, err)
		}
	}
	if _, err := c.Regions.Get(t.Context(), "RegionTwo"); err != nil {
		t.Errorf("the new region: %v", err)
	}
	if _, err := c.Session().EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"admin"}}); !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Errorf("admin compute endpoint: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("an unknown interface was accepted")
		}
	}()
	srv.AddService("image", "glance", keystonetest.Endpoint{Interface: "private", URL: "http://glance"})
}

// RequireMFA and TOTPPasscode drive a receipt flow for the administrator; no
// rules turn it off.
func TestRequireMFAAndTOTPPasscode(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := keystonetest.NewServer(t, keystonetest.WithClock(func() time.Time { return now }))
	if err := srv.RequireMFA("no-such-user", []string{"password", "totp"}); err == nil {
		t.Error("RequireMFA of an unknown user")
	}
	if _, err := srv.TOTPPasscode("no-such-user"); err == nil {
		t.Error("TOTPPasscode of an unknown user")
	}
	if err := srv.RequireMFA(srv.AdminUserID, []string{"password", "totp"}); err != nil {
		t.Fatal(err)
	}
	code, err := srv.TOTPPasscode(srv.AdminUserID)
	if err != nil || len(code) != 6 {
		t.Fatalf("passcode %q, %v", code, err)
	}
	if again, _ := srv.TOTPPasscode(srv.AdminUserID); again != code {
		t.Errorf("a second passcode in the same step differs: %s, %s", again, code)
	}
	ctx := t.Context()
	user := authplugin.User{ID: srv.AdminUserID}
	pw, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: srv.AuthURL(), User: user, Password: srv.AdminPassword})
	s, _ := keystone.NewSession()
	_, err = pw.Token(ctx, s)
	var re *keystone.AuthReceiptError
	if !errors.As(err, &re) || len(re.Receipt.RequiredMethods) != 1 {
		t.Fatalf("password alone: %v, want an auth receipt", err)
	}
	mfa, _ := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: srv.AuthURL(), Receipt: re.Receipt,
		Methods: []authplugin.Method{authplugin.TOTPMethod{User: user, Passcode: code}}})
	ai, err := mfa.Access(ctx, s)
	if err != nil || !slices.Contains(ai.Methods, "password") || !slices.Contains(ai.Methods, "totp") {
		t.Fatalf("with the receipt and the passcode: %v %v", ai, err)
	}
	srv.Advance(time.Hour)
	if later, _ := srv.TOTPPasscode(srv.AdminUserID); later == code {
		t.Errorf("the passcode did not change in an hour")
	}
	if err := srv.RequireMFA(srv.AdminUserID); err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Token(ctx, s); err != nil {
		t.Errorf("password alone after RequireMFA without rules: %v", err)
	}
}

// WithTLS serves HTTPS; Client and Certificate let clients trust it.
func TestWithTLS(t *testing.T) {
	srv := keystonetest.NewServer(t, keystonetest.WithTLS())
	if !strings.HasPrefix(srv.URL, "https://") || srv.Certificate() == nil {
		t.Fatalf("URL %s, certificate %v", srv.URL, srv.Certificate())
	}
	resp, err := srv.Client().Get(srv.AuthURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /v3: %s", resp.Status)
	}
	if keystonetest.NewServer(t).Certificate() != nil {
		t.Error("a certificate without TLS")
	}
}
