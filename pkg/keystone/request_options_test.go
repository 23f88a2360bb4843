package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// countingPlugin is an AuthPlugin that hands out tok-1, tok-2, … (a new one
// after each Invalidate of the current one) and counts its calls. With
// fetch, Token sends a request of its own through the session (as a plugin
// that authenticates does).
type countingPlugin struct {
	mu          sync.Mutex
	n           int
	invalidated int
	fetch       string
}

func (p *countingPlugin) current() string { return fmt.Sprintf("tok-%d", p.n) }

func (p *countingPlugin) Token(ctx context.Context, s *keystone.Session) (string, error) {
	p.mu.Lock()
	fresh := p.n == 0
	if fresh {
		p.n = 1
	}
	tok := p.current()
	p.mu.Unlock()
	if fresh && p.fetch != "" {
		resp, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: p.fetch, NoAuth: true})
		if err != nil {
			return "", err
		}
		resp.Body.Close()
	}
	return tok, nil
}

func (p *countingPlugin) Access(context.Context, *keystone.Session) (*keystone.AccessInfo, error) {
	return nil, keystone.ErrEmptyCatalog
}

func (p *countingPlugin) Endpoint(context.Context, *keystone.Session, keystone.EndpointFilter) (string, error) {
	return "", keystone.ErrEmptyCatalog
}

func (p *countingPlugin) Invalidate(token string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if token != p.current() {
		return false
	}
	p.n++
	p.invalidated++
	return true
}

// NoStatusError returns an error status as a response whose body the caller
// reads; the retries of a retried status still happen, and the last
// response is the one returned.
func TestNoStatusError(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/missing":
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error": {"code": 404, "title": "Not Found", "message": "no such thing"}}`)
		case "/busy":
			w.WriteHeader(503)
			fmt.Fprintf(w, `{"attempt": %d}`, n)
		}
	}))
	defer srv.Close()
	var w waits
	s := newSession(t, keystone.WithRetryPolicy(keystone.RetryPolicy{StatusRetries: 2}), keystone.WithSleepForTest(w.sleep))

	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/missing", NoAuth: true, NoStatusError: true})
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("NoStatusError: %v, %v", resp, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), "no such thing") {
		t.Errorf("the body was consumed: %q %v", body, err)
	}
	// Without it, the same status is an *HTTPError.
	if _, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/missing", NoAuth: true}); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("without NoStatusError: %v, want ErrNotFound", err)
	}

	hits.Store(0)
	resp, err = s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/busy", NoAuth: true, NoStatusError: true})
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("NoStatusError on 503: %v, %v", resp, err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if hits.Load() != 3 || string(body) != `{"attempt": 3}` {
		t.Errorf("503: %d requests, body %s; want 3 (two retries) and the last body", hits.Load(), body)
	}
}

// A 401 on a request made with a token makes the session drop the token and
// try once more with a new one; NoReauth returns the 401 as it is.
func TestNoReauth(t *testing.T) {
	var hits atomic.Int64
	var tokens sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		tokens.Store(r.Header.Get("X-Auth-Token"), true)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
	}))
	defer srv.Close()

	// Today's behaviour: a second attempt with a new token (which the second
	// 401 invalidates too).
	p := &countingPlugin{}
	s := newSession(t, keystone.WithAuth(p), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	if _, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL}); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	if hits.Load() != 2 || p.invalidated != 2 {
		t.Fatalf("without NoReauth: %d requests, %d invalidations; want 2 and 2", hits.Load(), p.invalidated)
	}

	// NoReauth: one request, the token kept.
	hits.Store(0)
	p = &countingPlugin{}
	s = newSession(t, keystone.WithAuth(p), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	_, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL, NoReauth: true})
	var herr *keystone.HTTPError
	if !errors.As(err, &herr) || herr.StatusCode != 401 {
		t.Fatalf("NoReauth: %v, want the 401", err)
	}
	if hits.Load() != 1 || p.invalidated != 0 {
		t.Errorf("NoReauth: %d requests, %d invalidations; want 1 and 0", hits.Load(), p.invalidated)
	}
	// With NoStatusError too, the 401 is the response.
	hits.Store(0)
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL, NoReauth: true, NoStatusError: true})
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("NoReauth and NoStatusError: %v %v", resp, err)
	}
	resp.Body.Close()
	if hits.Load() != 1 || p.invalidated != 0 {
		t.Errorf("NoReauth and NoStatusError: %d requests, %d invalidations; want 1 and 0", hits.Load(), p.invalidated)
	}
	// NoStatusError alone still re-authenticates, then returns the last 401.
	hits.Store(0)
	resp, err = s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL, NoStatusError: true})
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("NoStatusError: %v %v", resp, err)
	}
	resp.Body.Close()
	if hits.Load() != 2 || p.invalidated != 2 {
		t.Errorf("NoStatusError: %d requests, %d invalidations; want 2 and 2", hits.Load(), p.invalidated)
	}
}

// Request.Header wins over the session's headers and the defaults, but not
// over the token; Request.UserAgent wins over both; Request.Logger gets the
// request's log lines (masked) instead of the session's logger.
func TestPerRequestHeadersUserAgentLogger(t *testing.T) {
	var mu sync.Mutex
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	sessionLog, sessionBuf := debugLogger()
	p := &countingPlugin{}
	s := newSession(t, keystone.WithAuth(p), keystone.WithUserAgent("app", "1.0"),
		keystone.WithGlobalRequestID("req-session"), keystone.WithLogger(sessionLog))
	send := func(r keystone.Request) http.Header {
		t.Helper()
		r.Method, r.URL = http.MethodGet, srv.URL+"/v3/users"
		resp, err := s.Request(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		mu.Lock()
		defer mu.Unlock()
		return got
	}

	h := send(keystone.Request{})
	if ua := h.Get("User-Agent"); !strings.HasPrefix(ua, "app/1.0 gokeystone/") || h.Get("X-Openstack-Request-Id") != "req-session" {
		t.Errorf("the session's headers: User-Agent %q, request ID %q", ua, h.Get("X-Openstack-Request-Id"))
	}
	// The request's headers win, whatever the case of their names; the
	// token does not.
	h = send(keystone.Request{Header: http.Header{
		"user-agent":             {"mine/2"},
		"X-OpenStack-Request-ID": {"req-mine"},
		"Accept":                 {"text/plain"},
		"X-Auth-Token":           {"not-the-token"},
	}})
	if h.Get("User-Agent") != "mine/2" || len(h.Values("User-Agent")) != 1 || h.Get("X-Openstack-Request-Id") != "req-mine" || h.Get("Accept") != "text/plain" {
		t.Errorf("the request's headers lost: %v", h)
	}
	if h.Get("X-Auth-Token") != "tok-1" {
		t.Errorf("X-Auth-Token %q, want the plugin's token", h.Get("X-Auth-Token"))
	}
	// Request.UserAgent wins over Header's.
	h = send(keystone.Request{UserAgent: "field/3", Header: http.Header{"User-Agent": {"mine/2"}}})
	if h.Get("User-Agent") != "field/3" {
		t.Errorf("User-Agent %q, want field/3", h.Get("User-Agent"))
	}

	// The request's logger, not the session's, with the token masked.
	reqLog, reqBuf := debugLogger()
	before := sessionBuf.String()
	send(keystone.Request{Logger: reqLog, Header: http.Header{"X-Subject-Token": {"subject-secret-0123456789"}}})
	if sessionBuf.String() != before {
		t.Errorf("the session's logger got the request's lines:\n%s", strings.TrimPrefix(sessionBuf.String(), before))
	}
	logged := reqBuf.String()
	if !strings.Contains(logged, "keystone: request") || !strings.Contains(logged, "keystone: response") {
		t.Errorf("the request's logger did not get its lines:\n%s", logged)
	}
	if !strings.Contains(logged, redact.Digest("tok-1")) {
		t.Errorf("the request's log does not show the token's digest:\n%s", logged)
	}
	assertNoSecret(t, "the request's log", logged, "tok-1'", "subject-secret-0123456789")
}

// redirectChain serves /hop/N, which redirects to /hop/N-1, down to /hop/0,
// which answers 200; /other redirects to another host.
func redirectChain(t *testing.T, other string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/other" {
			http.Redirect(w, r, other+"/landing", http.StatusFound)
			return
		}
		var n int
		fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
		if n > 0 {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
			return
		}
		fmt.Fprint(w, "landed")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// The session follows at most its redirect limit (10 by default,
// WithRedirectLimit, Request.RedirectLimit); one more is a *RedirectError
// matching ErrTooManyRedirects and ErrRedirect; a limit of 0 returns the
// redirect as it is. Credentials never go to another host, whatever the limit.
func TestRedirectLimit(t *testing.T) {
	var otherTokens sync.Map
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k := range r.Header {
			otherTokens.Store(k, r.Header.Get(k))
		}
		fmt.Fprint(w, "elsewhere")
	}))
	defer other.Close()
	srv, hits := redirectChain(t, other.URL)
	get := func(s *keystone.Session, path string, r keystone.Request) (*http.Response, error) {
		r.Method, r.URL, r.NoAuth = http.MethodGet, srv.URL+path, true
		r.Header = http.Header{"X-Auth-Token": {"secret-token-0123456789"}}
		return s.Request(t.Context(), r)
	}
	tooMany := func(err error, limit int) bool {
		var re *keystone.RedirectError
		return errors.As(err, &re) && re.Limit == limit && errors.Is(err, keystone.ErrTooManyRedirects) &&
			errors.Is(err, keystone.ErrRedirect) && errors.Is(err, keystone.ErrKeystone)
	}

	def := newSession(t)
	if resp, err := get(def, "/hop/10", keystone.Request{}); err != nil || resp.StatusCode != 200 {
		t.Errorf("10 redirects by default: %v", err)
	} else {
		resp.Body.Close()
	}
	if _, err := get(def, "/hop/11", keystone.Request{}); !tooMany(err, keystone.DefaultRedirectLimit) {
		t.Errorf("11 redirects by default: %v, want ErrTooManyRedirects", err)
	}
	// Other refused redirects are not "too many".
	if errors.Is(&keystone.RedirectError{Reason: "redirect loop"}, keystone.ErrTooManyRedirects) {
		t.Error("a redirect loop matches ErrTooManyRedirects")
	}

	s := newSession(t, keystone.WithRedirectLimit(2))
	if resp, err := get(s, "/hop/2", keystone.Request{}); err != nil {
		t.Errorf("2 redirects, limit 2: %v", err)
	} else {
		resp.Body.Close()
	}
	hits.Store(0)
	if _, err := get(s, "/hop/3", keystone.Request{}); !tooMany(err, 2) || hits.Load() != 3 {
		t.Errorf("3 redirects, limit 2: %v after %d requests, want ErrTooManyRedirects after 3", err, hits.Load())
	}
	// The request's limit wins.
	if resp, err := get(s, "/hop/5", keystone.Request{RedirectLimit: 5}); err != nil {
		t.Errorf("5 redirects, request limit 5: %v", err)
	} else {
		resp.Body.Close()
	}
	if _, err := get(s, "/hop/5", keystone.Request{RedirectLimit: 4}); !tooMany(err, 4) {
		t.Errorf("5 redirects, request limit 4: %v", err)
	}
	if _, err := get(s, "/hop/0", keystone.Request{RedirectLimit: -1}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("RedirectLimit -1: %v, want ErrInvalidArgument", err)
	}

	// 0: the redirect is the answer.
	none := newSession(t, keystone.WithRedirectLimit(0))
	hits.Store(0)
	resp, err := get(none, "/hop/3", keystone.Request{})
	if err != nil || resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/hop/2" || hits.Load() != 1 {
		t.Fatalf("limit 0: %v %v after %d requests, want the 302", resp, err, hits.Load())
	}
	resp.Body.Close()
	if _, err := keystone.NewSession(keystone.WithRedirectLimit(-1)); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("WithRedirectLimit(-1): %v, want ErrInvalidArgument", err)
	}

	// A large limit changes nothing to where credentials go.
	big := newSession(t, keystone.WithRedirectLimit(100))
	resp, err = get(big, "/other", keystone.Request{})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "elsewhere" {
		t.Fatalf("cross-host redirect: %q", body)
	}
	otherTokens.Range(func(k, v any) bool {
		if strings.Contains(strings.ToLower(k.(string)), "token") || strings.Contains(v.(string), "secret-token") {
			t.Errorf("the other host got %s: %s", k, v)
		}
		return true
	})
}

// The response metadata of a list over several pages keeps every page's
// request ID in order, the last one in RequestID too; the plugin's own
// requests (a token) are not the call's.
func TestResponseMetadataRequestIDs(t *testing.T) {
	var n atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Openstack-Request-Id", fmt.Sprintf("req-%d", n.Add(1)))
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/token" {
			fmt.Fprint(w, `{}`)
			return
		}
		page := 0
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		next := "null"
		if page < 2 {
			next = fmt.Sprintf("%q", fmt.Sprintf("%s/v3/projects?page=%d", srv.URL, page+1))
		}
		fmt.Fprintf(w, `{"projects": [{"id": "p%d", "name": "p%d", "domain_id": "default", "enabled": true, "is_domain": false, "links": {"self": "x"}}], "links": {"self": "x", "next": %s, "previous": null}}`, page, page, next)
	}))
	defer srv.Close()
	s := newSession(t, keystone.WithAuth(&countingPlugin{fetch: srv.URL + "/token"}))
	c, err := identityv3.NewClientAt(s, srv.URL+"/v3")
	if err != nil {
		t.Fatal(err)
	}
	var md keystone.ResponseMetadata
	ctx := keystone.WithResponseMetadata(t.Context(), &md)
	projects, err := keystone.Collect(c.Projects.List(ctx, nil))
	if err != nil || len(projects) != 3 {
		t.Fatalf("%d projects, %v", len(projects), err)
	}
	// req-1 is the token's.
	if strings.Join(md.RequestIDs, ",") != "req-2,req-3,req-4" || md.RequestID != "req-4" || !strings.Contains(md.URL, "page=2") {
		t.Errorf("metadata: IDs %v, last %q, URL %s; want req-2,req-3,req-4", md.RequestIDs, md.RequestID, md.URL)
	}
	// A new context starts afresh, even with the same md.
	ctx = keystone.WithResponseMetadata(t.Context(), &md)
	for _, err := range c.Projects.List(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		break // the first page only
	}
	if strings.Join(md.RequestIDs, ",") != "req-5" || md.RequestID != "req-5" {
		t.Errorf("after a one-page call: %v %q, want req-5", md.RequestIDs, md.RequestID)
	}
}

// A 300 Multiple Choices (a version document at an unversioned URL) is
// returned as a response, body unread, even with a Location header: it is
// not an error, nor a redirect the session follows. Discovery reads it.
func TestMultipleChoicesIsAResponse(t *testing.T) {
	var followed atomic.Int64
	const doc = `{"versions": {"values": [{"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "http://x/v3/"}]}]}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/" {
			followed.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/v3/")
		w.WriteHeader(http.StatusMultipleChoices)
		fmt.Fprint(w, doc)
	}))
	defer srv.Close()
	s := newSession(t)
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/", NoAuth: true})
	if err != nil || resp.StatusCode != http.StatusMultipleChoices {
		t.Fatalf("300: %v %v", resp, err)
	}
	body, err := keystone.ReadBody(resp, 0)
	if err != nil || string(body) != doc || followed.Load() != 0 {
		t.Errorf("300: body %q (%v), %d requests to Location", body, err, followed.Load())
	}
	// The same through Do (the generated clients).
	req, _ := http.NewRequestWithContext(keystone.WithoutAuth(t.Context()), http.MethodGet, srv.URL+"/", nil)
	resp, err = s.Do(req)
	if err != nil || resp.StatusCode != http.StatusMultipleChoices {
		t.Fatalf("300 through Do: %v %v", resp, err)
	}
	resp.Body.Close()
}
