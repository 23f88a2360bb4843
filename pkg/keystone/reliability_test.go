package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/faultproxy"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func fakeBackend(t *testing.T) (backend, *keystonetest.Server) {
	ks := keystonetest.NewServer(t)
	return backend{name: "fake", url: ks.URL, user: ks.AdminUser, password: ks.AdminPassword,
		project: ks.AdminProject, domain: ks.DomainID}, ks
}

// TestNoDeadlockAfter401WithConnectionCap: a 401 must release its
// connection before the session re-authenticates, or a transport with
// MaxConnsPerHost waits for ever for the connection the 401 holds.
func TestNoDeadlockAfter401WithConnectionCap(t *testing.T) {
	for _, capN := range []int{1, 2} {
		t.Run(fmt.Sprint("cap ", capN), func(t *testing.T) {
			b, ks := fakeBackend(t)
			auth := adminAuth(t, b, ks.URL)
			s := newSession(t, keystone.WithAuth(auth), keystone.WithHTTPClient(cappedClient(capN)))
			c, err := identityv3.NewClientAt(s, ks.URL)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := keystone.Collect(c.Projects.List(withDeadline(t, 5*time.Second), nil)); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				ks.RevokeAllTokens()
				ctx := withDeadline(t, 5*time.Second)
				if _, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil {
					t.Fatalf("call %d after a revocation: %v", i, err)
				}
			}
			if n := ks.TokenCount(); n != 4 {
				t.Errorf("%d tokens issued, want 4 (one, then one per revocation)", n)
			}
			s.CloseIdleConnections()
		})
	}
}

// neverAnswers is a server that accepts connections and never answers.
func neverAnswers(t *testing.T) string {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.CloseClientConnections(); srv.Close() })
	return srv.URL
}

// TestTimeoutWithCallersClient: WithTimeout bounds authentication and
// discovery when the caller brings its own http.Client.
func TestTimeoutWithCallersClient(t *testing.T) {
	url := neverAnswers(t)
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: url + "/v3",
		User: authplugin.User{Name: "u", DomainID: "default"}, Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, keystone.WithHTTPClient(&http.Client{}), keystone.WithTimeout(200*time.Millisecond),
		keystone.WithRetryPolicy(keystone.RetryPolicy{}), keystone.WithAuth(auth))
	for name, f := range map[string]func() error{
		"discovery": func() error { _, err := s.Discover(context.Background(), url+"/v3"); return err },
		"auth":      func() error { _, err := auth.Token(context.Background(), s); return err },
	} {
		start := time.Now()
		err := f()
		if !errors.Is(err, keystone.ErrTimeout) || time.Since(start) > 3*time.Second {
			t.Errorf("%s: %v after %v, want ErrTimeout after about 200ms", name, err, time.Since(start))
		}
	}
	// The caller's client is not changed.
	c := &http.Client{Timeout: time.Hour}
	newSession(t, keystone.WithHTTPClient(c), keystone.WithTimeout(time.Second))
	if c.Timeout != time.Hour || c.CheckRedirect != nil {
		t.Error("WithHTTPClient changed the caller's client")
	}
	if _, err := keystone.NewSession(keystone.WithHTTPClient(c), keystone.WithInsecure()); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("WithHTTPClient with TLS options: %v, want ErrInvalidArgument", err)
	}
}

// panicky is an Authenticator that panics on its first call.
type panicky struct {
	calls atomic.Int32
	inner keystone.Authenticator
}

func (p *panicky) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if p.calls.Add(1) == 1 {
		panic("authenticator bug")
	}
	return p.inner.Authenticate(ctx, s)
}
func (p *panicky) CacheKey() []string    { return []string{"panicky"} }
func (p *panicky) Reauthenticates() bool { return true }

// TestNoLockOutlivesAPanic: a nil context is an error, and a panicking
// authenticator does not wedge the plugin.
func TestNoLockOutlivesAPanic(t *testing.T) {
	b, ks := fakeBackend(t)
	good := adminAuth(t, b, ks.URL)
	s := newSession(t)
	//lint:ignore SA1012 a nil context is what a careless caller passes
	if _, err := good.Token(nil, s); !errors.Is(err, keystone.ErrInvalidArgument) { //nolint:staticcheck
		t.Fatalf("nil context: %v, want ErrInvalidArgument", err)
	}
	if _, err := good.Token(withDeadline(t, 5*time.Second), s); err != nil {
		t.Fatalf("after a nil context: %v", err)
	}
	//lint:ignore SA1012 as above
	if _, err := s.Request(nil, keystone.Request{Method: "GET", URL: ks.URL, NoAuth: true}); !errors.Is(err, keystone.ErrInvalidArgument) { //nolint:staticcheck
		t.Errorf("Request with a nil context: %v", err)
	}

	a := keystone.NewAuth(&panicky{inner: authnOf(t, b, ks.URL)})
	_, err := a.Token(withDeadline(t, 5*time.Second), s)
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("panicking authenticator: %v", err)
	}
	if _, err := a.Token(withDeadline(t, 5*time.Second), s); err != nil {
		t.Fatalf("after the panic: %v (the plugin is wedged)", err)
	}
}

// authnOf returns an Authenticator for b's admin: the password plugin's.
type authnFunc func(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error)

func (f authnFunc) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	return f(ctx, s)
}
func (authnFunc) CacheKey() []string    { return []string{"func"} }
func (authnFunc) Reauthenticates() bool { return true }

func authnOf(t *testing.T, b backend, root string) keystone.Authenticator {
	a := adminAuth(t, b, root)
	return authnFunc(func(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
		a.Invalidate(tokenOf(a))
		return a.Access(ctx, s)
	})
}

// TestZeroValues: the zero Session works, and nil values are errors, not panics.
func TestZeroValues(t *testing.T) {
	_, ks := fakeBackend(t)
	var s keystone.Session
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: ks.URL + "/v3", NoAuth: true})
	if err != nil {
		t.Fatalf("zero Session: %v", err)
	}
	resp.Body.Close()
	if _, err := s.Discover(t.Context(), ks.URL+"/v3"); err != nil {
		t.Fatalf("zero Session discovery: %v", err)
	}
	if _, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: ks.URL + "/v3/projects"}); !errors.Is(err, keystone.ErrMissingAuthPlugin) {
		t.Errorf("zero Session without auth: %v", err)
	}
	var nilSession *keystone.Session
	if _, err := nilSession.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: ks.URL}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil Session: %v", err)
	}
	if _, err := keystone.NewAuthFromAccess(nil).Token(t.Context(), &s); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("NewAuthFromAccess(nil): %v", err)
	}
	if _, err := keystone.NewAuth(nil).Token(t.Context(), &s); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("NewAuth(nil): %v", err)
	}
	if _, err := keystone.ReadBody(nil, 0); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("ReadBody(nil): %v", err)
	}
}

// TestRetryDelayFloor: BaseDelay 0 does not make a request storm.
func TestRetryDelayFloor(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(503)
	}))
	defer srv.Close()
	s := newSession(t, keystone.WithRetryPolicy(keystone.RetryPolicy{StatusRetries: 1000, BaseDelay: 0, MaxDelay: keystone.MinRetryDelay}))
	ctx := withDeadline(t, time.Second)
	_, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: srv.URL, NoAuth: true})
	if err == nil {
		t.Fatal("no error")
	}
	if got := n.Load(); got > int64(time.Second/keystone.MinRetryDelay)+2 {
		t.Errorf("%d requests in a second with BaseDelay 0; the floor allows %d", got, time.Second/keystone.MinRetryDelay+1)
	}
	srv.CloseClientConnections()
}

// TestRetryWaitKeepsTheCause: a deadline during the wait for a retry gives
// an error that matches both ErrTimeout and the status waited on.
func TestRetryWaitKeepsTheCause(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(429)
	}))
	defer srv.Close()
	s := newSession(t)
	// The deadline is after the Retry-After but before the second retry's wait ends.
	ctx := withDeadline(t, 1500*time.Millisecond)
	_, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: srv.URL, NoAuth: true})
	if !errors.Is(err, keystone.ErrTooManyRequests) {
		t.Fatalf("got %v, want ErrTooManyRequests", err)
	}
	srv.CloseClientConnections()
}

// TestRefreshDeadlineKeepsTheCause: a caller whose deadline ends while the
// refresh is retrying learns why the refresh is failing.
func TestRefreshDeadlineKeepsTheCause(t *testing.T) {
	b, _ := fakeBackend(t)
	p := proxyFor(t, b)
	p.Add(
		faultproxy.Rule{Method: "POST", PathSuffix: authPath, Times: 1, Fault: faultproxy.Status(503)},
		faultproxy.Rule{Method: "POST", PathSuffix: authPath, Fault: faultproxy.StallHeaders()},
	)
	auth := adminAuth(t, b, p.URL)
	s := newSession(t)
	_, err := auth.Token(withDeadline(t, 800*time.Millisecond), s)
	if !errors.Is(err, keystone.ErrTimeout) || !errors.Is(err, keystone.ErrServiceUnavailable) {
		t.Fatalf("got %v, want ErrTimeout with the 503 as the last attempt's cause", err)
	}
	p.Close()
	s.CloseIdleConnections()
}

// TestStalledRefreshIsNotJoined: a refresh stalled past a quarter of the
// refresh timeout is not joined by new callers; they start another.
func TestStalledRefreshIsNotJoined(t *testing.T) {
	b, _ := fakeBackend(t)
	p := proxyFor(t, b)
	p.Add(faultproxy.Rule{Method: "POST", PathSuffix: authPath, Times: 1, Fault: faultproxy.StallHeaders()})
	auth := adminAuth(t, b, p.URL, keystone.WithRefreshTimeout(2*time.Second))
	s := newSession(t)
	first := make(chan error, 1)
	go func() { _, err := auth.Token(context.Background(), s); first <- err }() // no deadline of its own
	time.Sleep(700 * time.Millisecond)                                          // past a quarter of 2s
	start := time.Now()
	if _, err := auth.Token(withDeadline(t, time.Second), s); err != nil {
		t.Fatalf("a caller after the stall: %v", err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("the second caller took %v", d)
	}
	select {
	case err := <-first:
		if err != nil && !errors.Is(err, keystone.ErrTimeout) {
			t.Errorf("first caller: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stalled refresh was not bounded by the refresh timeout")
	}
	p.Close()
	s.CloseIdleConnections()
}

// TestTokenStoreLockHeldElsewhere: another process holding the token store's
// lock neither blocks a caller past its deadline nor, without a deadline,
// past the lock wait.
func TestTokenStoreLockHeldElsewhere(t *testing.T) {
	b, ks := fakeBackend(t)
	dir := filepath.Join(t.TempDir(), "tokens")
	mine, err := keystone.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Another FileStore on the same directory takes its own flock, as
	// another process would: lockingStore makes it hold the lock of the key
	// the plugin asks for.
	theirs, err := keystone.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	held := &lockingStore{FileStore: mine, other: theirs}
	auth := adminAuth(t, b, ks.URL, keystone.WithTokenStore(held), keystone.WithRefreshTimeout(time.Second))
	s := newSession(t)
	start := time.Now()
	if _, err := auth.Token(withDeadline(t, 150*time.Millisecond), s); !errors.Is(err, keystone.ErrTimeout) {
		t.Fatalf("caller with a deadline: %v, want ErrTimeout", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the caller waited %v past its 150ms deadline", d)
	}
	start = time.Now()
	if _, err := auth.Token(context.Background(), s); err != nil {
		t.Fatalf("caller without a deadline: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the lock wait took %v; the refresh timeout is 1s", d)
	}
	held.release()
}

// lockingStore holds, through other, the lock of every key it is asked to
// lock, before locking it itself: as if another process held it.
type lockingStore struct {
	*keystone.FileStore
	other   *keystone.FileStore
	mu      sync.Mutex
	unlocks []func()
}

func (l *lockingStore) Lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	if len(l.unlocks) == 0 {
		u, err := l.other.Lock(ctx, key)
		if err != nil {
			l.mu.Unlock()
			return nil, err
		}
		l.unlocks = append(l.unlocks, u)
	}
	l.mu.Unlock()
	return l.FileStore.Lock(ctx, key)
}

func (l *lockingStore) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range l.unlocks {
		u()
	}
	l.unlocks = nil
}

// brokenStore fails as a store in a read-only directory does.
type brokenStore struct{ calls atomic.Int32 }

func (b *brokenStore) Load(context.Context, string) ([]byte, error) {
	b.calls.Add(1)
	return nil, syscall.EROFS
}
func (b *brokenStore) Store(context.Context, string, []byte) error {
	b.calls.Add(1)
	return syscall.EROFS
}
func (b *brokenStore) Delete(context.Context, string) error { return syscall.EROFS }
func (b *brokenStore) Lock(context.Context, string) (func(), error) {
	b.calls.Add(1)
	return nil, &os.PathError{Op: "open", Path: "/ro/x.lock", Err: syscall.EROFS}
}
func (b *brokenStore) DigestKey(context.Context) ([]byte, error) {
	return []byte("0123456789abcdef0123456789abcdef"), nil
}

// TestBrokenTokenStoreDegrades: a token store that cannot lock (a read-only
// cache directory) does not stop authentication: one warning, no cache.
func TestBrokenTokenStoreDegrades(t *testing.T) {
	b, ks := fakeBackend(t)
	logger, logs := debugLogger()
	store := &brokenStore{}
	auth := adminAuth(t, b, ks.URL, keystone.WithTokenStore(store))
	s := newSession(t, keystone.WithLogger(logger))
	for range 3 {
		auth.Invalidate(tokenOf(auth))
		if _, err := auth.Token(withDeadline(t, 5*time.Second), s); err != nil {
			t.Fatalf("with a read-only store: %v", err)
		}
	}
	if n := strings.Count(logs.String(), "token store does not work"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, logs)
	}
	if n := store.calls.Load(); n != 1 {
		t.Errorf("the broken store was used %d times after failing", n)
	}
	// A real FileStore in a directory that cannot be written, even by root:
	// the process's own directory in /proc (safe: owned by us, not writable
	// by others), where no lock file can be created.
	if runtime.GOOS == "linux" {
		fs, err := keystone.NewFileStore("/proc/" + strconv.Itoa(os.Getpid()))
		if err != nil {
			t.Fatalf("FileStore in /proc/<pid>: %v", err)
		}
		a := adminAuth(t, b, ks.URL, keystone.WithTokenStore(fs))
		if _, err := a.Token(withDeadline(t, 5*time.Second), s); err != nil {
			t.Errorf("FileStore in /proc/<pid>: %v", err)
		}
	}
}

// TestRedirects checks the session's redirect rules outside the fault
// suite's proxy: plain HTTP after HTTPS, and credentials to another host.
func TestRedirects(t *testing.T) {
	var plainHits atomic.Int64
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { plainHits.Add(1) }))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer secure.Close()
	tr := secure.Client().Transport.(*http.Transport).Clone()
	s := newSession(t, keystone.WithTransport(tr), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	for _, withToken := range []bool{false, true} {
		h := http.Header{}
		if withToken {
			h.Set("X-Auth-Token", "secret-token")
		}
		_, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: secure.URL + "/v3", Header: h, NoAuth: true})
		var re *keystone.RedirectError
		if !errors.As(err, &re) || !errors.Is(err, keystone.ErrRedirect) || re.StatusCode != 301 {
			t.Errorf("HTTPS to HTTP (token %v): %v, want *RedirectError", withToken, err)
		}
	}
	if n := plainHits.Load(); n != 0 {
		t.Errorf("the plain HTTP server got %d requests", n)
	}
}

// TestConnectionErrorKinds: resets, EOF and dial failures match their sentinels.
func TestConnectionErrorKinds(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 4096)) // the request was sent
			c.(*net.TCPConn).SetLinger(0)
			c.Close() // a reset
		}
	}()
	defer l.Close()
	s := newSession(t, keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	_, err = s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: "http://" + l.Addr().String() + "/", NoAuth: true})
	if !errors.Is(err, keystone.ErrConnectionFailure) || errors.Is(err, keystone.ErrConnectionRefused) {
		t.Errorf("reset: %v, want ErrConnectionFailure", err)
	}
}

// TestErrorMessageMasksSentToken: a server that quotes the token it was sent
// in its error message (older Keystones: "Could not find token: <id>") does
// not put it in the error's text.
func TestErrorMessageMasksSentToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		fmt.Fprintf(w, `{"error": {"code": 404, "title": "Not Found", "message": "Could not find token: %s"}}`, r.Header.Get("X-Subject-Token"))
	}))
	defer srv.Close()
	s := newSession(t)
	const subject = "gAAAAABsubject-token-0123456789"
	_, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3/auth/tokens", NoAuth: true,
		Header: http.Header{"X-Subject-Token": {subject}}})
	if !errors.Is(err, keystone.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
	assertNoSecret(t, "the error", err.Error(), subject)
	assertNoSecret(t, "the error", fmt.Sprintf("%+v", err), subject)
}
