package authtoken_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/authtoken"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// clock is a test clock shared by the fake Keystone, the plugins and the
// middleware.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *clock) Now() time.Time               { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration)      { c.ns.Add(int64(d)) }
func (c *clock) opt() keystonetest.Option     { return keystonetest.WithClock(c.Now) }
func (c *clock) authOpt() keystone.AuthOption { return keystone.WithClock(c.Now) }

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a fake Keystone, a clock, and the service's session (the admin).
type env struct {
	t     testing.TB
	ks    *keystonetest.Server
	clock *clock
	sess  *keystone.Session
	logs  *syncBuffer
	log   *slog.Logger
	admin *identityv3.Client
}

func newEnv(t testing.TB, opts ...keystonetest.Option) *env {
	t.Helper()
	c := newClock()
	ks := keystonetest.NewServer(t, append([]keystonetest.Option{c.opt()}, opts...)...)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := &env{t: t, ks: ks, clock: c, logs: logs, log: logger}
	e.sess = e.session(ks.AdminUser, "", ks.AdminPassword, authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
		keystone.WithLogger(logger), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	admin, err := identityv3.NewClient(t.Context(), e.sess, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	e.admin = admin
	return e
}

// session authenticates as a user (by name in the default domain, or by ID).
func (e *env) session(name, id, password string, scope authplugin.Scope, opts ...keystone.SessionOption) *keystone.Session {
	e.t.Helper()
	u := authplugin.User{ID: id}
	if id == "" {
		u = authplugin.User{Name: name, DomainID: e.ks.DomainID}
	}
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: e.ks.AuthURL(), User: u, Password: password, Scope: scope,
	}, e.clock.authOpt())
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := keystone.NewSession(append([]keystone.SessionOption{keystone.WithAuth(auth)}, opts...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(s.CloseIdleConnections)
	return s
}

// adminToken issues a new token for the administrator (a new one each call).
func (e *env) adminToken() string {
	e.t.Helper()
	s := e.session(e.ks.AdminUser, "", e.ks.AdminPassword, authplugin.Scope{ProjectName: e.ks.AdminProject, ProjectDomainID: e.ks.DomainID})
	tok, err := s.Auth().Token(context.Background(), s)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// user creates a user with roles on the admin project and returns its ID
// and a new token of it.
func (e *env) user(name string, roles ...string) (id, token string) {
	e.t.Helper()
	ctx := context.Background()
	pw := "pw-" + name + "-secret"
	dom := e.ks.DomainID
	u, err := e.admin.Users.Create(ctx, identityv3.UserCreate{Name: name, DomainID: &dom, Password: &pw})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, rn := range roles {
		r, err := e.admin.Roles.Find(ctx, rn, nil)
		if errors.Is(err, keystone.ErrNoUniqueMatch) {
			r, err = e.admin.Roles.Create(ctx, identityv3.RoleCreate{Name: rn})
		}
		if err != nil {
			e.t.Fatal(err)
		}
		if err := e.admin.Roles.Grant(ctx, r.ID, identityv3.UserActor(u.ID), identityv3.OnProject(e.ks.AdminProjectID)); err != nil {
			e.t.Fatal(err)
		}
	}
	s := e.session("", u.ID, pw, authplugin.Scope{ProjectID: e.ks.AdminProjectID})
	tok, err := s.Auth().Token(ctx, s)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID, tok
}

// mw returns a middleware over the service's session, logging to e.logs.
func (e *env) mw(opts authtoken.Options) *authtoken.Middleware {
	e.t.Helper()
	if opts.Logger == nil {
		opts.Logger = e.log
	}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	m, err := authtoken.New(e.sess, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func (e *env) validations() int { return e.ks.RequestCount("GET /v3/auth/tokens") }

// seen is what the handler behind the middleware saw.
type seen struct {
	called  bool
	header  http.Header
	user    *keystone.AccessInfo
	service *keystone.AccessInfo
}

// recorder is a handler that records what it sees.
type recorder struct {
	mu   sync.Mutex
	last seen
	n    atomic.Int64
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.n.Add(1)
	rec.mu.Lock()
	rec.last = seen{called: true, header: r.Header.Clone(), user: authtoken.FromContext(r.Context()),
		service: authtoken.ServiceFromContext(r.Context())}
	rec.mu.Unlock()
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok")
}

func (rec *recorder) seen() seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := rec.last
	rec.last = seen{}
	return s
}

// do sends one request through h with headers (pairs of name, value).
func do(h http.Handler, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://service.example/v1/things", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// memShared is an in-memory SharedCache, with switches for failures.
type memShared struct {
	mu      sync.Mutex
	m       map[string][]byte
	fail    atomic.Bool
	gets    atomic.Int64
	sets    atomic.Int64
	lastTTL atomic.Int64
}

func newMemShared() *memShared { return &memShared{m: map[string][]byte{}} }

var errStoreDown = errors.New("memShared: store down")

func (s *memShared) Get(ctx context.Context, key string) ([]byte, error) {
	s.gets.Add(1)
	if s.fail.Load() {
		return nil, errStoreDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return nil, nil
	}
	return append([]byte(nil), v...), nil
}

func (s *memShared) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.sets.Add(1)
	if s.fail.Load() {
		return errStoreDown
	}
	s.lastTTL.Store(int64(ttl))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = append([]byte(nil), value...)
	return nil
}

func (s *memShared) snapshot() map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]byte, len(s.m))
	for k, v := range s.m {
		out[k] = append([]byte(nil), v...)
	}
	return out
}

var sharedKey = []byte("0123456789abcdef0123456789abcdef-fleet-secret")

func newRequest() *http.Request {
	return httptest.NewRequest(http.MethodGet, "http://service.example/v1/things", nil)
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}

func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
