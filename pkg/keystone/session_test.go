package keystone_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	genv3 "github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func TestRequestHeadersAndAuth(t *testing.T) {
	srv := keystonetest.NewServer(t)
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth),
		keystone.WithUserAgent("myapp", "1.2"), keystone.WithGlobalRequestID("req-global-1"), keystone.WithOriginalIP("10.1.2.3"))
	st, err := getProjects(t.Context(), s, srv.URL)
	if err != nil || st != 200 {
		t.Fatalf("GET projects: %d %v", st, err)
	}
	h := srv.LastRequest("GET /v3/projects").Header
	if ua := h.Get("User-Agent"); !strings.HasPrefix(ua, "myapp/1.2 gokeystone/"+keystone.Version+" Go/") {
		t.Errorf("User-Agent = %q", ua)
	}
	if h.Get("X-Openstack-Request-Id") != "req-global-1" {
		t.Errorf("global request ID = %q", h.Get("X-Openstack-Request-Id"))
	}
	if f := h.Get("Forwarded"); !strings.Contains(f, "for=10.1.2.3") {
		t.Errorf("Forwarded = %q", f)
	}
	if tok := h.Get("X-Auth-Token"); tok == "" || tok != auth.Current().Token() {
		t.Errorf("the plugin's token was not sent (%d bytes sent)", len(tok))
	}
	if n := authRequests(srv); n != 1 {
		t.Errorf("%d authentications, want 1", n)
	}
	// A second request reuses the token.
	if _, err := getProjects(t.Context(), s, srv.URL); err != nil {
		t.Fatal(err)
	}
	if n := authRequests(srv); n != 1 {
		t.Errorf("%d authentications after two requests, want 1", n)
	}
}

func TestRequestRelativeToEndpoint(t *testing.T) {
	srv := keystonetest.NewServer(t)
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)))
	resp, err := s.Request(t.Context(), keystone.Request{
		Method: http.MethodPost, URL: "projects",
		Endpoint: &keystone.EndpointFilter{ServiceType: "identity"},
		JSON:     map[string]any{"project": map[string]any{"name": "new"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.Request.URL.Path != "/v3/projects" {
		t.Errorf("got %d at %s", resp.StatusCode, resp.Request.URL)
	}
	last := srv.LastRequest("POST /v3/projects")
	if body := readAll(t, last); body != `{"project":{"name":"new"}}` || last.Header.Get("Content-Type") != "application/json" {
		t.Errorf("body %q, content type %q", body, last.Header.Get("Content-Type"))
	}
}

func TestMissingAuthPlugin(t *testing.T) {
	srv := keystonetest.NewServer(t)
	s := newSession(t)
	if _, err := getProjects(t.Context(), s, srv.URL); !errors.Is(err, keystone.ErrMissingAuthPlugin) {
		t.Fatalf("got %v, want ErrMissingAuthPlugin", err)
	}
	// NoAuth requests need none.
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3", NoAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestErrorStatusesAreTyped(t *testing.T) {
	srv := keystonetest.NewServer(t)
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)))
	_, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3/nothing"})
	var he *keystone.HTTPError
	if !errors.As(err, &he) || he.StatusCode != 404 || !errors.Is(err, keystone.ErrNotFound) || !errors.Is(err, keystone.ErrClientError) {
		t.Fatalf("got %#v", err)
	}
	if he.Message != "The resource could not be found." || he.RequestID == "" || he.Method != "GET" || !strings.HasSuffix(he.URL, "/v3/nothing") {
		t.Errorf("HTTPError = %+v", he)
	}
	if errors.Is(err, keystone.ErrConflict) || errors.Is(err, keystone.ErrServerError) {
		t.Error("a 404 matches other statuses")
	}
}

func TestRetriesOn503Then503ThenSuccess(t *testing.T) {
	base := runtime.NumGoroutine()
	srv := keystonetest.NewServer(t)
	srv.Intercept(keystonetest.FailFirst(2, "/v3/projects", 503, 0))
	w := &waits{}
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)), keystone.WithRetryPolicy(keystone.RetryPolicy{
		StatusRetries: 3, Statuses: []int{503}, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second,
	}), keystone.WithSleepForTest(w.sleep))
	st, err := getProjects(t.Context(), s, srv.URL)
	if err != nil || st != 200 {
		t.Fatalf("got %d %v", st, err)
	}
	if len(w.d) != 2 || w.d[0] != 100*time.Millisecond || w.d[1] != 200*time.Millisecond {
		t.Errorf("waits = %v, want [100ms 200ms] (exponential)", w.d)
	}
	s.CloseIdleConnections()
	srv.Close()
	settle(t, base)
}

func TestRetryGivesUp(t *testing.T) {
	srv := keystonetest.NewServer(t)
	srv.Intercept(keystonetest.FailFirst(10, "/v3/projects", 503, 0))
	w := &waits{}
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)), keystone.WithRetryPolicy(keystone.RetryPolicy{
		StatusRetries: 2, Statuses: []int{503}, BaseDelay: time.Millisecond, MaxDelay: time.Second,
	}), keystone.WithSleepForTest(w.sleep))
	_, err := getProjects(t.Context(), s, srv.URL)
	if !errors.Is(err, keystone.ErrServiceUnavailable) || len(w.d) != 2 {
		t.Fatalf("got %v after %d waits", err, len(w.d))
	}
}

func TestRetryAfterIsHonouredAndCapped(t *testing.T) {
	srv := keystonetest.NewServer(t)
	srv.Intercept(keystonetest.FailFirst(1, "/v3/projects", 429, 7*time.Second))
	w := &waits{}
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)), keystone.WithRetryPolicy(keystone.RetryPolicy{
		StatusRetries: 1, Statuses: []int{429}, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Second,
	}), keystone.WithSleepForTest(w.sleep))
	if _, err := getProjects(t.Context(), s, srv.URL); err != nil {
		t.Fatal(err)
	}
	if len(w.d) != 1 || w.d[0] != 5*time.Second {
		t.Errorf("waits = %v, want [5s] (Retry-After 7s capped at MaxDelay)", w.d)
	}
	// Not retried: the error carries Retry-After.
	srv.Intercept(keystonetest.FailFirst(1, "/v3/projects", 429, 3*time.Second))
	s = newSession(t, keystone.WithAuth(passwordAuth(t, srv)), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	_, err := getProjects(t.Context(), s, srv.URL)
	var he *keystone.HTTPError
	if !errors.As(err, &he) || he.RetryAfter != 3*time.Second || !errors.Is(err, keystone.ErrTooManyRequests) {
		t.Errorf("got %v", err)
	}
}

func TestConnectionRefused(t *testing.T) {
	base := runtime.NumGoroutine()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	w := &waits{}
	s := newSession(t, keystone.WithRetryPolicy(keystone.RetryPolicy{ConnectRetries: 2, BaseDelay: time.Millisecond}),
		keystone.WithSleepForTest(w.sleep))
	_, err = s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: "http://" + addr + "/v3", NoAuth: true})
	if !errors.Is(err, keystone.ErrConnectionRefused) {
		t.Fatalf("got %v, want ErrConnectionRefused", err)
	}
	if len(w.d) != 2 {
		t.Errorf("%d retries, want 2", len(w.d))
	}
	settle(t, base)
}

func TestTimeout(t *testing.T) {
	base := runtime.NumGoroutine()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	s := newSession(t, keystone.WithTimeout(50*time.Millisecond))
	_, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL, NoAuth: true})
	if !errors.Is(err, keystone.ErrTimeout) {
		t.Fatalf("client timeout: got %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	s = newSession(t)
	_, err = s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: srv.URL, NoAuth: true})
	if !errors.Is(err, keystone.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("context deadline: got %v", err)
	}
	srv.CloseClientConnections()
	settle(t, base)
}

func TestHTMLErrorPage(t *testing.T) {
	base := runtime.NumGoroutine()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>")
	}))
	defer srv.Close()
	s := newSession(t, keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	_, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL, NoAuth: true})
	var he *keystone.HTTPError
	if !errors.As(err, &he) || !errors.Is(err, keystone.ErrBadGateway) || !strings.Contains(he.Message, "502 Bad Gateway") || strings.Contains(he.Message, "<") {
		t.Fatalf("got %v", err)
	}
	s.CloseIdleConnections()
	srv.Close()
	settle(t, base)
}

func TestMalformedTokenBody(t *testing.T) {
	base := runtime.NumGoroutine()
	srv := keystonetest.NewServer(t)
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v3/auth/tokens" {
			return false
		}
		w.Header().Set("X-Subject-Token", "tok-x")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		io.WriteString(w, `{"token": {"user": `)
		return true
	})
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)))
	if _, err := getProjects(t.Context(), s, srv.URL); !errors.Is(err, keystone.ErrInvalidResponse) {
		t.Fatalf("got %v, want ErrInvalidResponse", err)
	}
	s.CloseIdleConnections()
	srv.Close()
	settle(t, base)
}

func TestReauthenticatesOnceAfter401(t *testing.T) {
	srv := keystonetest.NewServer(t)
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	if _, err := getProjects(t.Context(), s, srv.URL); err != nil {
		t.Fatal(err)
	}
	srv.RevokeAllTokens()
	// A POST with a body: the body is replayed on the retry.
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodPost, URL: srv.URL + "/v3/projects",
		JSON: map[string]any{"project": map[string]any{"name": "x"}}})
	if err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	resp.Body.Close()
	if n := authRequests(srv); n != 2 {
		t.Errorf("%d authentications, want 2", n)
	}
	if n := srv.RequestCount("POST /v3/projects"); n != 2 {
		t.Errorf("%d POST requests, want 2 (the rejected one and its replay)", n)
	}
	if body := readAll(t, srv.LastRequest("POST /v3/projects")); body != `{"project":{"name":"x"}}` {
		t.Errorf("replayed body = %q", body)
	}
	// A server that keeps rejecting: one retry only, then the 401.
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v3/projects" {
			w.WriteHeader(401)
			return true
		}
		return false
	})
	before := authRequests(srv)
	_, err = getProjects(t.Context(), s, srv.URL)
	if !errors.Is(err, keystone.ErrUnauthorized) || authRequests(srv)-before != 1 {
		t.Fatalf("got %v after %d authentications", err, authRequests(srv)-before)
	}
}

func TestGeneratedClientThroughSession(t *testing.T) {
	srv := keystonetest.NewServer(t)
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	// The session is the HTTP doer of the clients oapi-codegen generates.
	u, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := genv3.NewClientWithResponses(keystone.UnversionedURL(u), genv3.WithHTTPClient(s))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.ListProjectsWithResponse(t.Context(), nil)
	if err != nil || r.JSON200 == nil || len(r.JSON200.Projects) != 1 {
		t.Fatalf("list projects: %v %v", r, err)
	}
	if tok := srv.LastRequest("GET /v3/projects").Header.Get("X-Auth-Token"); tok == "" || tok != auth.Current().Token() {
		t.Error("the generated call was not authenticated")
	}
	_, err = c.GetRoleWithResponse(t.Context(), "nope")
	if !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("error status through the generated client: %v", err)
	}
}

func TestConcurrentRequestsShareOneAuthentication(t *testing.T) {
	srv := keystonetest.NewServer(t)
	slowAuth(srv, 20*time.Millisecond)
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)))
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 50 {
		wg.Go(func() {
			if _, err := getProjects(t.Context(), s, srv.URL); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 || authRequests(srv) != 1 {
		t.Fatalf("%d failures, %d authentications", failed.Load(), authRequests(srv))
	}
}

func TestPluginIsUsedPerRequest(t *testing.T) {
	srv := keystonetest.NewServer(t)
	other := passwordAuth(t, srv)
	s := newSession(t) // no session-wide plugin
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3/projects", Auth: other})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if authRequests(srv) != 1 {
		t.Errorf("the per-request plugin did not authenticate")
	}
}
