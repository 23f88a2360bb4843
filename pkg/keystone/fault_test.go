package keystone_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gokeystone/keystone/internal/faultproxy"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// faultEnv is what a fault case's operation works with.
type faultEnv struct {
	b     backend
	p     *faultproxy.Proxy
	s     *keystone.Session
	auth  *keystone.Auth
	other *otherHost
}

// otherHost is a server on another host:port than the proxy's: it records
// whether a request reached it and with which credentials.
type otherHost struct {
	*httptest.Server
	requests, withToken, withBody atomic.Int64
}

func newOtherHost(t *testing.T) *otherHost {
	o := &otherHost{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.requests.Add(1)
		if r.Header.Get("X-Auth-Token") != "" || r.Header.Get("X-Subject-Token") != "" {
			o.withToken.Add(1)
		}
		if r.ContentLength > 0 {
			o.withBody.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"projects": [], "links": {"self": "x", "next": null, "previous": null}}`)
	}))
	t.Cleanup(o.Close)
	return o
}

type faultOp func(ctx context.Context, e *faultEnv) error

// opToken authenticates.
func opToken(ctx context.Context, e *faultEnv) error {
	_, err := e.auth.Token(ctx, e.s)
	return err
}

// opList lists projects through the catalog's identity endpoint.
func opList(ctx context.Context, e *faultEnv) error {
	c, err := identityv3.NewClient(ctx, e.s, keystone.EndpointFilter{})
	if err != nil {
		return err
	}
	_, err = keystone.Collect(c.Projects.List(ctx, nil))
	return err
}

// opCreate creates (and deletes) a project: a request that is not idempotent.
func opCreate(ctx context.Context, e *faultEnv) error {
	c, err := identityv3.NewClient(ctx, e.s, keystone.EndpointFilter{})
	if err != nil {
		return err
	}
	p, err := c.Projects.Create(ctx, identityv3.ProjectCreate{
		Name: fmt.Sprintf("fault-%d", time.Now().UnixNano()), DomainID: &e.b.domain})
	if err != nil {
		return err
	}
	return c.Projects.Delete(context.WithoutCancel(ctx), p.ID)
}

// times runs op n times.
func times(n int, op faultOp) faultOp {
	return func(ctx context.Context, e *faultEnv) error {
		for range n {
			if err := op(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
}

// editToken rewrites the JSON body of token responses.
func editToken(name string, edit func(token map[string]any)) faultproxy.Fault {
	return faultproxy.Rewrite(name, func(r *http.Request, resp *faultproxy.Response) {
		var doc map[string]any
		if json.Unmarshal(resp.Body, &doc) != nil {
			return
		}
		if tok, ok := doc["token"].(map[string]any); ok {
			edit(tok)
		}
		resp.Body, _ = json.Marshal(doc)
	})
}

// shiftTimes moves a token's issued_at and expires_at by d (a clock skew).
func shiftTimes(d time.Duration) func(map[string]any) {
	return func(tok map[string]any) {
		for _, k := range []string{"issued_at", "expires_at"} {
			if s, ok := tok[k].(string); ok {
				if ts, err := time.Parse(time.RFC3339Nano, s); err == nil {
					tok[k] = ts.Add(d).UTC().Format("2006-01-02T15:04:05.000000Z")
				}
			}
		}
	}
}

// setIdentityURLs gives every identity endpoint of the catalog url.
func setIdentityURLs(url string) func(map[string]any) {
	return func(tok map[string]any) {
		cat, _ := tok["catalog"].([]any)
		for _, s := range cat {
			svc, _ := s.(map[string]any)
			if svc["type"] != "identity" {
				continue
			}
			eps, _ := svc["endpoints"].([]any)
			for _, ep := range eps {
				if m, ok := ep.(map[string]any); ok {
					m["url"] = url
				}
			}
		}
	}
}

type faultCase struct {
	name    string
	rules   func(e *faultEnv) []faultproxy.Rule
	opts    []keystone.SessionOption
	authOps []keystone.AuthOption
	// deadline bounds the operation's context (default 20s).
	deadline time.Duration
	op       faultOp
	// want is the error the operation must match (nil: success); wantToo
	// another it must match as well.
	want, wantToo error
	// counts are the attempts the proxy must have seen: method, path
	// suffix, number.
	counts [][3]any
	// within bounds the operation's duration; minTime is a lower bound (a
	// Retry-After honoured).
	within, minTime time.Duration
	// maxAlloc bounds what the operation allocates (0: not checked).
	maxAlloc uint64
	// check, if set, runs after the operation.
	check func(t *testing.T, e *faultEnv)
}

const (
	authPath     = "/v3/auth/tokens"
	projectsPath = "/v3/projects"
	hugeBody     = 200 << 20
)

func rule(method, suffix string, n int, f faultproxy.Fault) faultproxy.Rule {
	return faultproxy.Rule{Method: method, PathSuffix: suffix, Times: n, Fault: f}
}

func rules(r ...faultproxy.Rule) func(*faultEnv) []faultproxy.Rule {
	return func(*faultEnv) []faultproxy.Rule { return r }
}

func faultCases() []faultCase {
	return []faultCase{
		// Connections that break.
		{name: "reset before headers, GET: retried", rules: rules(rule("GET", projectsPath, 1, faultproxy.ResetBeforeHeaders())),
			op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, within: 10 * time.Second},
		{name: "EOF before headers, GET: retried", rules: rules(rule("GET", projectsPath, 1, faultproxy.EOFBeforeHeaders())),
			op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, within: 10 * time.Second},
		{name: "reset before headers, POST: not retried", rules: rules(rule("POST", projectsPath, 1, faultproxy.ResetBeforeHeaders())),
			op: opCreate, want: keystone.ErrConnectionFailure, counts: [][3]any{{"POST", projectsPath, 1}}, within: 10 * time.Second},
		{name: "reset before headers, token POST: retried", rules: rules(rule("POST", authPath, 1, faultproxy.ResetBeforeHeaders())),
			op: opToken, counts: [][3]any{{"POST", authPath, 2}}, within: 10 * time.Second},
		{name: "reset mid-body", rules: rules(rule("GET", projectsPath, 0, faultproxy.BreakMidBody(true))),
			op: opList, want: keystone.ErrConnectionFailure, counts: [][3]any{{"GET", projectsPath, 1}}, within: 10 * time.Second},
		{name: "EOF mid-body (short body)", rules: rules(rule("GET", projectsPath, 0, faultproxy.BreakMidBody(false))),
			op: opList, want: keystone.ErrConnectionFailure, counts: [][3]any{{"GET", projectsPath, 1}}, within: 10 * time.Second},

		// Stalls.
		{name: "stalled headers", rules: rules(rule("GET", projectsPath, 0, faultproxy.StallHeaders())),
			opts: []keystone.SessionOption{keystone.WithTimeout(time.Second)},
			op:   opList, want: keystone.ErrTimeout, counts: [][3]any{{"GET", projectsPath, 1}}, within: 4 * time.Second},
		{name: "stalled body", rules: rules(rule("GET", projectsPath, 0, faultproxy.StallBody())),
			opts: []keystone.SessionOption{keystone.WithTimeout(time.Second)},
			op:   opList, want: keystone.ErrTimeout, counts: [][3]any{{"GET", projectsPath, 1}}, within: 4 * time.Second},
		{name: "stalled token POST, caller's deadline; the next caller gets a token", rules: rules(rule("POST", authPath, 1, faultproxy.StallHeaders())),
			deadline: time.Second,
			op:       opToken, want: keystone.ErrTimeout, within: 3 * time.Second,
			check: func(t *testing.T, e *faultEnv) {
				start := time.Now()
				if _, err := e.auth.Token(withDeadline(t, 10*time.Second), e.s); err != nil {
					t.Fatalf("next caller: %v", err)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("the next caller waited %v: the stalled refresh outlived its caller", d)
				}
			}},

		// Statuses.
		{name: "500: not retried", rules: rules(rule("GET", projectsPath, 0, faultproxy.Status(500))),
			op: opList, want: keystone.ErrInternalServerError, counts: [][3]any{{"GET", projectsPath, 1}}, within: 5 * time.Second},
		{name: "502: retried", rules: rules(rule("GET", projectsPath, 1, faultproxy.Status(502))),
			op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, within: 5 * time.Second},
		{name: "503: retried", rules: rules(rule("GET", projectsPath, 1, faultproxy.Status(503))),
			op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, within: 5 * time.Second},
		{name: "504: retried", rules: rules(rule("GET", projectsPath, 1, faultproxy.Status(504))),
			op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, within: 5 * time.Second},
		{name: "503 on POST: not retried", rules: rules(rule("POST", projectsPath, 0, faultproxy.Status(503))),
			op: opCreate, want: keystone.ErrServiceUnavailable, counts: [][3]any{{"POST", projectsPath, 1}}, within: 5 * time.Second},
		{name: "503 on every GET: given up", rules: rules(rule("GET", projectsPath, 0, faultproxy.Status(503))),
			op: opList, want: keystone.ErrServiceUnavailable, counts: [][3]any{{"GET", projectsPath, 3}}, within: 5 * time.Second},
		{name: "429 Retry-After in seconds", rules: rules(rule("GET", projectsPath, 1, faultproxy.Status(429, "Retry-After", "1"))),
			op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, minTime: time.Second, within: 5 * time.Second},
		{name: "429 Retry-After as an HTTP date", rules: func(*faultEnv) []faultproxy.Rule {
			return []faultproxy.Rule{rule("GET", projectsPath, 1, faultproxy.Status(429, "Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat)))}
		}, op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, minTime: 500 * time.Millisecond, within: 6 * time.Second},
		{name: "429 Retry-After past the deadline: returned at once", rules: rules(rule("GET", projectsPath, 0, faultproxy.Status(429, "Retry-After", "3600"))),
			deadline: 1500 * time.Millisecond, // shorter than the wait (MaxDelay caps Retry-After at 2s)
			op:       opList, want: keystone.ErrTooManyRequests, counts: [][3]any{{"GET", projectsPath, 1}}, within: time.Second},
		{name: "401 loop: one re-authentication", rules: rules(rule("GET", projectsPath, 0, faultproxy.Status(401))),
			op: opList, want: keystone.ErrUnauthorized, counts: [][3]any{{"GET", projectsPath, 2}, {"POST", authPath, 1}}, within: 10 * time.Second},

		// Redirects.
		{name: "redirect to the same host: followed with the token", rules: func(e *faultEnv) []faultproxy.Rule {
			return []faultproxy.Rule{rule("GET", projectsPath, 1, faultproxy.Redirect(307, e.p.URL+projectsPath+"?redirected=1"))}
		}, op: opList, counts: [][3]any{{"GET", projectsPath, 2}}, within: 5 * time.Second,
			check: func(t *testing.T, e *faultEnv) {
				for _, r := range e.p.Seen() {
					if r.Path == projectsPath && !r.Token {
						t.Error("the redirected request lost its token on the same host")
					}
				}
			}},
		{name: "redirect to another host: followed without the token", rules: func(e *faultEnv) []faultproxy.Rule {
			return []faultproxy.Rule{rule("GET", projectsPath, 1, faultproxy.Redirect(302, e.other.URL+projectsPath))}
		}, op: opList, within: 5 * time.Second,
			check: func(t *testing.T, e *faultEnv) {
				if e.other.requests.Load() != 1 || e.other.withToken.Load() != 0 {
					t.Errorf("other host: %d requests, %d with a token; want 1 without", e.other.requests.Load(), e.other.withToken.Load())
				}
			}},
		{name: "307 of the password POST to another host: refused", rules: func(e *faultEnv) []faultproxy.Rule {
			return []faultproxy.Rule{rule("POST", authPath, 0, faultproxy.Redirect(307, e.other.URL+authPath))}
		}, op: opToken, want: keystone.ErrRedirect, within: 5 * time.Second,
			check: func(t *testing.T, e *faultEnv) {
				if n := e.other.requests.Load(); n != 0 {
					t.Errorf("the other host received %d requests", n)
				}
			}},
		{name: "308 of the password POST to the same host: refused", rules: func(e *faultEnv) []faultproxy.Rule {
			return []faultproxy.Rule{rule("POST", authPath, 0, faultproxy.Redirect(308, e.p.URL+authPath+"?again"))}
		}, op: opToken, want: keystone.ErrRedirect, counts: [][3]any{{"POST", authPath, 1}}, within: 5 * time.Second},
		{name: "redirect loop", rules: func(e *faultEnv) []faultproxy.Rule {
			return []faultproxy.Rule{rule("GET", projectsPath, 0, faultproxy.Redirect(302, e.p.URL+projectsPath))}
		}, op: opList, want: keystone.ErrRedirect, within: 5 * time.Second},

		// Bodies.
		{name: "truncated JSON", rules: rules(rule("GET", projectsPath, 0, faultproxy.Rewrite("truncate", func(_ *http.Request, r *faultproxy.Response) {
			r.Body = r.Body[:len(r.Body)/2]
		}))), op: opList, want: keystone.ErrInvalidResponse, counts: [][3]any{{"GET", projectsPath, 1}}, within: 5 * time.Second},
		{name: "list of another shape", rules: rules(rule("GET", projectsPath, 0, faultproxy.Body(200, "application/json", []byte(`{"status": "ok", "items": [{"id": "p1"}]}`)))),
			op: opList, want: keystone.ErrInvalidResponse, within: 5 * time.Second},
		{name: "null list body", rules: rules(rule("GET", projectsPath, 0, faultproxy.Body(200, "application/json", []byte(`null`)))),
			op: opList, want: keystone.ErrInvalidResponse, within: 5 * time.Second},
		{name: "huge list body with Content-Length", rules: rules(rule("GET", projectsPath, 0, faultproxy.Huge(200, hugeBody, false))),
			op: opList, want: keystone.ErrResponseTooLarge, wantToo: keystone.ErrInvalidResponse, within: 5 * time.Second, maxAlloc: 16 << 20},
		{name: "huge chunked list body", rules: rules(rule("GET", projectsPath, 0, faultproxy.Huge(200, hugeBody, true))),
			opts: []keystone.SessionOption{keystone.WithLimits(keystone.Limits{ResponseBody: 4 << 20})},
			op:   opList, want: keystone.ErrResponseTooLarge, within: 10 * time.Second, maxAlloc: 32 << 20},
		{name: "huge error body, logged at debug level", rules: rules(rule("GET", projectsPath, 0, faultproxy.Huge(500, hugeBody, true))),
			opts: []keystone.SessionOption{keystone.WithLogger(func() *slog.Logger { l, _ := debugLogger(); return l }())},
			op:   opList, want: keystone.ErrInternalServerError, within: 10 * time.Second, maxAlloc: 16 << 20},
		{name: "huge token body without X-Subject-Token: not read", rules: rules(rule("POST", authPath, 0, faultproxy.Huge(201, hugeBody, false))),
			op: opToken, want: keystone.ErrInvalidResponse, counts: [][3]any{{"POST", authPath, 1}}, within: 5 * time.Second, maxAlloc: 8 << 20},
		{name: "huge token body", rules: rules(rule("POST", authPath, 0, faultproxy.Huge(201, hugeBody, true, "X-Subject-Token", "tok"))),
			opts: []keystone.SessionOption{keystone.WithLimits(keystone.Limits{TokenBody: 4 << 20})},
			op:   opToken, want: keystone.ErrResponseTooLarge, within: 10 * time.Second, maxAlloc: 32 << 20},
		{name: "token response without X-Subject-Token", rules: rules(rule("POST", authPath, 0, faultproxy.Rewrite("no subject token", func(_ *http.Request, r *faultproxy.Response) {
			r.Header.Del("X-Subject-Token")
		}))), op: opToken, want: keystone.ErrInvalidResponse, counts: [][3]any{{"POST", authPath, 1}}, within: 5 * time.Second},

		// Token times.
		{name: "token that expires before it was issued", rules: rules(rule("POST", authPath, 0, editToken("expired", func(tok map[string]any) {
			tok["expires_at"] = "2001-01-01T00:00:00.000000Z"
		}))), op: opToken, want: keystone.ErrInvalidResponse, within: 5 * time.Second},
		{name: "expires_at and issued_at without a zone (UTC)", rules: rules(rule("POST", authPath, 0, editToken("zone-less", func(tok map[string]any) {
			for _, k := range []string{"issued_at", "expires_at"} {
				if s, ok := tok[k].(string); ok {
					tok[k] = strings.TrimSuffix(s, "Z")
				}
			}
		}))), op: times(3, opList), counts: [][3]any{{"POST", authPath, 1}}, within: 10 * time.Second},
		{name: "server clock 3h behind", rules: rules(rule("POST", authPath, 0, editToken("skew -3h", shiftTimes(-3*time.Hour)))),
			op: times(5, opList), counts: [][3]any{{"POST", authPath, 1}}, within: 10 * time.Second},
		{name: "server clock 3h ahead", rules: rules(rule("POST", authPath, 0, editToken("skew +3h", shiftTimes(3*time.Hour)))),
			op: times(5, opList), counts: [][3]any{{"POST", authPath, 1}}, within: 10 * time.Second},

		// Catalogs.
		{name: "identity endpoints with an empty URL", rules: rules(rule("POST", authPath, 0, editToken("empty URLs", setIdentityURLs("")))),
			op: opList, want: keystone.ErrEndpointNotFound, wantToo: keystone.ErrInvalidResponse, within: 5 * time.Second},
		{name: "identity endpoints with a relative URL", rules: rules(rule("POST", authPath, 0, editToken("relative URLs", setIdentityURLs("/identity/v3")))),
			op: opList, want: keystone.ErrEndpointNotFound, wantToo: keystone.ErrInvalidResponse, within: 5 * time.Second},
		{name: "a token without a catalog", rules: rules(rule("POST", authPath, 0, editToken("no catalog", func(tok map[string]any) {
			delete(tok, "catalog")
		}))), op: opList, want: keystone.ErrEmptyCatalog, within: 5 * time.Second},
	}
}

// TestFaults drives the SDK through a fault-injecting proxy in front of each
// backend: every case checks the error's kind, the attempts the proxy saw,
// the time it took, what it allocated, and that no goroutine is left behind.
func TestFaults(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range faultCases() {
				t.Run(c.name, func(t *testing.T) { runFaultCase(t, b, c) })
			}
		})
	}
}

func runFaultCase(t *testing.T, b backend, c faultCase) {
	ignore := goleak.IgnoreCurrent()
	p := proxyFor(t, b)
	other := newOtherHost(t)
	logger, logs := debugLogger()
	opts := append([]keystone.SessionOption{fastRetries(), keystone.WithTimeout(5*time.Second + b.slack), keystone.WithLogger(logger)}, c.opts...)
	auth := adminAuth(t, b, p.URL, c.authOps...)
	opts = append(opts, keystone.WithAuth(auth))
	s := newSession(t, opts...)
	e := &faultEnv{b: b, p: p, s: s, auth: auth, other: other}
	var faults []faultproxy.Rule
	if c.rules != nil {
		faults = c.rules(e)
	}
	// Unless the faults are in authentication, authenticate first: the
	// case measures the operation, not the password check.
	warm := true
	for _, r := range faults {
		if r.PathSuffix == authPath {
			warm = false
		}
	}
	if warm {
		if _, err := auth.Token(withDeadline(t, 30*time.Second), s); err != nil {
			t.Fatalf("authenticating before the faults: %v", err)
		}
		p.Reset()
	}
	p.Add(faults...)
	deadline := c.deadline
	if deadline == 0 {
		deadline = 20 * time.Second
	}
	ctx := withDeadline(t, deadline)
	var err error
	start := time.Now()
	alloc := heapDelta(func() { err = c.op(ctx, e) })
	took := time.Since(start)
	switch {
	case c.want == nil && err != nil:
		t.Errorf("got %v, want success", err)
	case c.want != nil && !errors.Is(err, c.want):
		t.Errorf("got %v, want %v", err, c.want)
	case c.wantToo != nil && !errors.Is(err, c.wantToo):
		t.Errorf("got %v, want it to match %v too", err, c.wantToo)
	}
	for _, n := range c.counts {
		if got := p.Count(n[0].(string), n[1].(string)); got != n[2].(int) {
			t.Errorf("%s %s: %d attempts, want %d (seen: %v)", n[0], n[1], got, n[2], p.Seen())
		}
	}
	if c.within > 0 && took > c.within+b.slack {
		t.Errorf("took %v, want at most %v", took, c.within+b.slack)
	}
	if took < c.minTime {
		t.Errorf("took %v, want at least %v (Retry-After)", took, c.minTime)
	}
	if c.maxAlloc > 0 && alloc > c.maxAlloc {
		t.Errorf("allocated %d MB, want at most %d MB", alloc>>20, c.maxAlloc>>20)
	}
	if c.check != nil {
		c.check(t, e)
	}
	if err != nil {
		assertNoSecret(t, "the error", err.Error(), b.password, tokenOf(auth))
	}
	assertNoSecret(t, "the debug log", logs.String(), b.password, tokenOf(auth))
	p.Close()
	other.Close()
	s.CloseIdleConnections()
	goleak.VerifyNone(t, ignore)
}

// tokenOf is the plugin's current token, or "".
func tokenOf(a *keystone.Auth) string {
	if ai := a.Current(); ai != nil {
		return ai.Token()
	}
	return ""
}
