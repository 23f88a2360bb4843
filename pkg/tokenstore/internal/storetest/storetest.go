// Package storetest is the conformance suite of the tokenstore backends: the
// unit tests run it over an in-memory backend, and the integration tests of
// tokenstore/memcache and tokenstore/redis over real servers.
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
	"github.com/gokeystone/keystone/pkg/tokenstore"
)

// Env is a backend under test.
type Env struct {
	// Name names the backend in messages.
	Name string
	// Addr is the server's address.
	Addr string
	// New returns a store at addr (Addr, a proxy's or a dead one) with o; the
	// test closes it.
	New func(t testing.TB, addr string, o tokenstore.Options) *tokenstore.Store
	// Raw returns a backend at Addr, for the tests that write entries
	// themselves.
	Raw func(t testing.TB) tokenstore.Backend
	// LockTTLGranularity is how precisely the cache expires locks (memcached:
	// one second).
	LockTTLGranularity time.Duration
	// NoProxy skips the tests that need a TCP proxy to the server (an
	// in-memory backend has no address).
	NoProxy bool
	// RealKeystone runs the fleet against the real Keystone too (testenv:
	// skipped without one, failed without one in CI): for the integration
	// suites, which run where CI has started one.
	RealKeystone bool
}

// Options returns options with a random secret and a random key prefix (an
// empty cache), for strategy.
func Options(t testing.TB, strategy tokenstore.SecurityStrategy) tokenstore.Options {
	t.Helper()
	return tokenstore.Options{
		Secret:           random(t, 24),
		SecurityStrategy: strategy,
		KeyPrefix:        "gkst-" + random(t, 6) + ":",
		Timeout:          time.Second,
	}
}

func random(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// Run runs the suite.
func Run(t *testing.T, env Env) {
	for _, st := range []tokenstore.SecurityStrategy{tokenstore.MAC, tokenstore.Encrypt} {
		t.Run(string(st), func(t *testing.T) {
			t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, env, st) })
			t.Run("TamperIgnored", func(t *testing.T) { testTamper(t, env, st) })
			t.Run("ForeignIgnored", func(t *testing.T) { testForeign(t, env, st) })
		})
	}
	t.Run("LockExclusion", func(t *testing.T) { testLockExclusion(t, env) })
	t.Run("LockReleased", func(t *testing.T) { testLockReleased(t, env) })
	t.Run("LockWaitTimeout", func(t *testing.T) { testLockWaitTimeout(t, env) })
	t.Run("LockTTLAfterCrash", func(t *testing.T) { testLockTTL(t, env) })
	t.Run("Fleet", func(t *testing.T) { testFleet(t, env) })
	if !env.NoProxy {
		t.Run("DeadServer", func(t *testing.T) { testDeadServer(t, env) })
		t.Run("ServerDiesMidRun", func(t *testing.T) { testDiesMidRun(t, env) })
	}
}

func newStore(t testing.TB, env Env, addr string, o tokenstore.Options) *tokenstore.Store {
	t.Helper()
	s := env.New(t, addr, o)
	t.Cleanup(func() { s.Close() })
	return s
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func testRoundTrip(t *testing.T, env Env, st tokenstore.SecurityStrategy) {
	ctx := ctxT(t)
	o := Options(t, st)
	a, b := newStore(t, env, env.Addr, o), newStore(t, env, env.Addr, o)
	if got, err := a.Load(ctx, "k1"); err != nil || got != nil {
		t.Fatalf("Load of an empty cache = %q, %v; want nil, nil", got, err)
	}
	data := []byte(`{"not":"a token"}`)
	if err := a.Store(ctx, "k1", data); err != nil {
		t.Fatalf("Store: %v", err)
	}
	got, err := b.Load(ctx, "k1") // another "process"
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Load = %q, %v; want %q", got, err, data)
	}
	if got, _ := b.Load(ctx, "k2"); got != nil {
		t.Fatalf("Load of another key = %q", got)
	}
	if err := b.Delete(ctx, "k1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got, _ := a.Load(ctx, "k1"); got != nil {
		t.Fatalf("Load after Delete = %q", got)
	}
	if err := a.Delete(ctx, "k1"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	ka, _ := a.DigestKey(ctx)
	kb, _ := b.DigestKey(ctx)
	if !bytes.Equal(ka, kb) || len(ka) < 16 {
		t.Fatalf("DigestKeys differ (or are short) between two stores with one secret")
	}
	// The cache holds neither the key nor, with ENCRYPT, the data.
	raw := env.Raw(t)
	if err := a.Store(ctx, "plain-key", data); err != nil {
		t.Fatal(err)
	}
	if v, _ := raw.Get(ctx, o.KeyPrefix+"plain-key", 1<<20); v != nil {
		t.Errorf("the raw key is in the cache")
	}
	name := entryName(t, o, "plain-key")
	v, err := raw.Get(ctx, name, 1<<20)
	if err != nil || v == nil {
		t.Fatalf("no entry under its digest name: %v", err)
	}
	if st == tokenstore.Encrypt && bytes.Contains(v, []byte("a token")) {
		t.Errorf("ENCRYPT entry holds the plain data")
	}
	if s := a.Stats(); s.Hits != 0 || s.Stores != 2 {
		t.Errorf("stats of a: %+v", s)
	}
}

func entryName(t testing.TB, o tokenstore.Options, key string) string {
	t.Helper()
	p, err := tokenstore.NewProtector(o.Secret, o.SecurityStrategy)
	if err != nil {
		t.Fatal(err)
	}
	return o.KeyPrefix + p.KeyName("t", key)
}

func testTamper(t *testing.T, env Env, st tokenstore.SecurityStrategy) {
	ctx := ctxT(t)
	o := Options(t, st)
	s := newStore(t, env, env.Addr, o)
	raw := env.Raw(t)
	data := []byte(`{"token":"x"}`)
	if err := s.Store(ctx, "k", data); err != nil {
		t.Fatal(err)
	}
	name := entryName(t, o, "k")
	orig, err := raw.Get(ctx, name, 1<<20)
	if err != nil || orig == nil {
		t.Fatalf("raw entry: %v", err)
	}
	cases := map[string][]byte{
		"flipped last byte":  flip(orig, len(orig)-1),
		"flipped data byte":  flip(orig, len(orig)/2),
		"flipped header":     flip(orig, 0),
		"truncated":          orig[:len(orig)-1],
		"header only":        orig[:5],
		"empty-ish":          []byte{'x'},
		"plain token":        data,
		"appended":           append(append([]byte(nil), orig...), 0),
		"strategy swapped":   swapStrategy(orig),
		"another key's data": nil, // filled below
	}
	if err := s.Store(ctx, "other", []byte(`{"token":"y"}`)); err != nil {
		t.Fatal(err)
	}
	other, _ := raw.Get(ctx, entryName(t, o, "other"), 1<<20)
	cases["another key's data"] = other
	want := uint64(0)
	for what, v := range cases {
		if err := raw.Set(ctx, name, v, time.Minute); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx, "k")
		if err != nil || got != nil {
			t.Errorf("%s: Load = %q, %v; want nil, nil", what, got, err)
		}
		want++
	}
	if n := s.Stats().Invalid; n != want {
		t.Errorf("Invalid = %d, want %d", n, want)
	}
	// The genuine entry still loads.
	if err := raw.Set(ctx, name, orig, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx, "k"); !bytes.Equal(got, data) {
		t.Errorf("the genuine entry: %q", got)
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x20
	return c
}

func swapStrategy(b []byte) []byte {
	c := append([]byte(nil), b...)
	if c[4] == 'M' {
		c[4] = 'E'
	} else {
		c[4] = 'M'
	}
	return c
}

func testForeign(t *testing.T, env Env, st tokenstore.SecurityStrategy) {
	ctx := ctxT(t)
	o := Options(t, st)
	foreign := o
	foreign.Secret = "another secret of the same length!"
	other := o
	if st == tokenstore.MAC {
		other.SecurityStrategy = tokenstore.Encrypt
	} else {
		other.SecurityStrategy = tokenstore.MAC
	}
	s := newStore(t, env, env.Addr, o)
	raw := env.Raw(t)
	for what, fo := range map[string]tokenstore.Options{"secret": foreign, "strategy": other} {
		f := newStore(t, env, env.Addr, fo)
		if err := raw.Delete(ctx, entryName(t, o, "k")); err != nil {
			t.Fatal(err)
		}
		if err := f.Store(ctx, "k", []byte(`{"from":"elsewhere"}`)); err != nil {
			t.Fatal(err)
		}
		// Under its own name, a store with another secret or strategy is
		// invisible to s...
		if got, _ := s.Load(ctx, "k"); got != nil {
			t.Errorf("foreign %s: Load = %q", what, got)
		}
		// ...and its entry copied under s's name does not open.
		v, err := raw.Get(ctx, entryName(t, fo, "k"), 1<<20)
		if err != nil || v == nil {
			t.Fatalf("foreign %s: raw entry: %v", what, err)
		}
		if err := raw.Set(ctx, entryName(t, o, "k"), v, time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(ctx, "k"); err != nil || got != nil {
			t.Errorf("foreign %s entry: Load = %q, %v; want nil, nil", what, got, err)
		}
		fk, _ := f.DigestKey(ctx)
		sk, _ := s.DigestKey(ctx)
		if what == "secret" && bytes.Equal(fk, sk) {
			t.Errorf("two secrets give one DigestKey")
		}
	}
	if n := s.Stats().Invalid; n != 2 {
		t.Errorf("Invalid = %d, want 2", n)
	}
}

func lockOptions(t testing.TB) tokenstore.Options {
	o := Options(t, tokenstore.MAC)
	o.LockTTL = 30 * time.Second
	o.LockWait = 20 * time.Second
	return o
}

func testLockExclusion(t *testing.T, env Env) {
	ctx := ctxT(t)
	o := lockOptions(t)
	a, b := newStore(t, env, env.Addr, o), newStore(t, env, env.Addr, o)
	var holders, maxHolders atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			for range 3 {
				unlock, err := s.Lock(ctx, "k")
				if err != nil {
					t.Errorf("Lock: %v", err)
					return
				}
				n := holders.Add(1)
				for {
					m := maxHolders.Load()
					if n <= m || maxHolders.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				holders.Add(-1)
				unlock()
			}
		})
	}
	wg.Wait()
	if m := maxHolders.Load(); m != 1 {
		t.Errorf("%d holders at once, want 1", m)
	}
	sa, sb := a.Stats(), b.Stats()
	if sa.Locks+sb.Locks != 24 || sa.LockTimeouts+sb.LockTimeouts != 0 || sa.Unavailable+sb.Unavailable != 0 {
		t.Errorf("stats: %+v, %+v; want 24 locks, no timeout", sa, sb)
	}
	if sa.LockWaits+sb.LockWaits == 0 {
		t.Errorf("nobody waited: the lock excluded nothing")
	}
	// Another key is not held by this one.
	unlock, _ := a.Lock(ctx, "k")
	start := time.Now()
	unlock2, _ := b.Lock(ctx, "other")
	if d := time.Since(start); d > time.Second {
		t.Errorf("locking another key took %v", d)
	}
	unlock2()
	unlock()
}

func testLockReleased(t *testing.T, env Env) {
	ctx := ctxT(t)
	o := lockOptions(t)
	a, b := newStore(t, env, env.Addr, o), newStore(t, env, env.Addr, o)
	unlock, err := a.Lock(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan time.Time, 1)
	go func() {
		u, err := b.Lock(ctx, "k")
		if err != nil {
			t.Errorf("Lock: %v", err)
		}
		got <- time.Now()
		u()
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("b got the lock while a held it")
	default:
	}
	released := time.Now()
	unlock()
	unlock() // twice: no effect
	at := <-got
	if d := at.Sub(released); d > time.Second {
		t.Errorf("b got the lock %v after the release", d)
	}
	if s := b.Stats(); s.Locks != 1 || s.LockWaits != 1 || s.LockTimeouts != 0 {
		t.Errorf("b: %+v", s)
	}
}

func testLockWaitTimeout(t *testing.T, env Env) {
	ctx := ctxT(t)
	o := lockOptions(t)
	a := newStore(t, env, env.Addr, o)
	short := o
	short.LockWait = 300 * time.Millisecond
	b := newStore(t, env, env.Addr, short)
	unlock, _ := a.Lock(ctx, "k")
	defer unlock()
	start := time.Now()
	u, err := b.Lock(ctx, "k")
	d := time.Since(start)
	if err != nil || u == nil {
		t.Fatalf("Lock after LockWait = %v; want a no-op unlock", err)
	}
	u()
	if d < 250*time.Millisecond || d > 3*time.Second {
		t.Errorf("Lock gave up after %v, want about 300ms", d)
	}
	if s := b.Stats(); s.LockTimeouts != 1 || s.Locks != 0 {
		t.Errorf("b: %+v", s)
	}
	// The end of the context is the one error.
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := a.Lock(cctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Lock with an ending context: %v", err)
	}
}

func testLockTTL(t *testing.T, env Env) {
	ctx := ctxT(t)
	o := lockOptions(t)
	o.LockTTL = time.Second
	crashed := newStore(t, env, env.Addr, o)
	lateUnlock, err := crashed.Lock(ctx, "k") // not called before the lock expires
	if err != nil {
		t.Fatal(err)
	}
	o.LockWait = 10 * time.Second
	b := newStore(t, env, env.Addr, o)
	start := time.Now()
	u, err := b.Lock(ctx, "k")
	d := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	// The crashed holder comes back and unlocks: b's lock is not its own,
	// and stays.
	lateUnlock()
	short := o
	short.LockWait = 300 * time.Millisecond
	c := newStore(t, env, env.Addr, short)
	u2, _ := c.Lock(ctx, "k")
	u2()
	if s := c.Stats(); s.Locks != 0 || s.LockTimeouts != 1 {
		t.Errorf("the late unlock of an expired lock freed the next holder's: %+v", s)
	}
	u()
	if s := b.Stats(); s.Locks != 1 || s.LockTimeouts != 0 {
		t.Errorf("b: %+v; want the lock itself", s)
	}
	if d < 500*time.Millisecond || d > time.Second+env.LockTTLGranularity+time.Second {
		t.Errorf("the crashed holder's lock expired after %v; want about LockTTL (1s)", d)
	}
}

// Password returns a password plugin for ks with opts.
func Password(t testing.TB, url, user, password, project, domain string, opts ...keystone.AuthOption) *keystone.Auth {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  url + "/v3",
		User:     authplugin.User{Name: user, DomainID: domain},
		Password: password,
		Scope:    authplugin.Scope{ProjectName: project, ProjectDomainID: domain},
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Fleet runs n "processes" at once, each with its own store (from newStore)
// and its own Auth, and returns their tokens and errors.
func Fleet(ctx context.Context, t testing.TB, n int, newStore func() keystone.TokenStore, newAuth func(opts ...keystone.AuthOption) *keystone.Auth) ([]string, []error) {
	auths := make([]*keystone.Auth, n)
	sessions := make([]*keystone.Session, n)
	for i := range n {
		auths[i] = newAuth(keystone.WithTokenStore(newStore()))
		s, err := keystone.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		sessions[i] = s
	}
	tokens, errs := make([]string, n), make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			tokens[i], errs[i] = auths[i].Token(ctx, sessions[i])
		})
	}
	close(start)
	wg.Wait()
	return tokens, errs
}

func testFleet(t *testing.T, env Env) {
	for _, st := range []tokenstore.SecurityStrategy{tokenstore.MAC, tokenstore.Encrypt} {
		t.Run(string(st)+"/keystonetest", func(t *testing.T) {
			ctx := ctxT(t)
			ks := keystonetest.NewServer(t)
			o := Options(t, st)
			tokens, errs := Fleet(ctx, t, 16, func() keystone.TokenStore { return newStore(t, env, env.Addr, o) },
				func(opts ...keystone.AuthOption) *keystone.Auth {
					return Password(t, ks.URL, ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID, opts...)
				})
			checkFleet(t, tokens, errs)
			if n := ks.TokenCount(); n != 1 {
				t.Errorf("%d authentications for a fleet of 16, want 1", n)
			}
		})
	}
	if !env.RealKeystone {
		return
	}
	t.Run("Keystone", func(t *testing.T) {
		k := testenv.Require(t)
		ctx := ctxT(t)
		o := Options(t, tokenstore.Encrypt)
		tokens, errs := Fleet(ctx, t, 16, func() keystone.TokenStore { return newStore(t, env, env.Addr, o) },
			func(opts ...keystone.AuthOption) *keystone.Auth {
				return Password(t, k.URL, k.AdminUser, k.AdminPassword, k.AdminProject, k.Domain, opts...)
			})
		checkFleet(t, tokens, errs)
	})
}

// checkFleet checks that every process got a token, the same one.
func checkFleet(t testing.TB, tokens []string, errs []error) {
	t.Helper()
	distinct := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			t.Errorf("process %d: %v", i, err)
			continue
		}
		distinct[tokens[i]] = true
	}
	if len(distinct) != 1 {
		t.Errorf("%d distinct tokens in the fleet, want 1 (one authentication)", len(distinct))
	}
}

// Proxy forwards TCP connections to target until Kill, which closes the
// listener and every connection, as if the server died.
type Proxy struct {
	Addr  string
	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
	dead  bool
	wg    sync.WaitGroup
}

// StartProxy starts a Proxy to target, killed at the end of the test.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: l.Addr().String(), l: l}
	p.wg.Go(p.serve(target))
	t.Cleanup(p.Kill)
	return p
}

func (p *Proxy) serve(target string) func() {
	return func() {
		for {
			c, err := p.l.Accept()
			if err != nil {
				return
			}
			u, err := net.DialTimeout("tcp", target, time.Second)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.dead {
				p.mu.Unlock()
				c.Close()
				u.Close()
				return
			}
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(u, c); u.Close(); c.Close() })
			p.wg.Go(func() { io.Copy(c, u); u.Close(); c.Close() })
		}
	}
}

// Kill stops the proxy: new connections are refused, open ones cut.
func (p *Proxy) Kill() {
	p.mu.Lock()
	p.dead = true
	p.l.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}

// DeadAddr returns an address where nothing listens.
func DeadAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func testDeadServer(t *testing.T, env Env) {
	ctx := ctxT(t)
	o := Options(t, tokenstore.MAC)
	s := newStore(t, env, DeadAddr(t), o)
	start := time.Now()
	if got, err := s.Load(ctx, "k"); got != nil || err != nil {
		t.Errorf("Load = %q, %v; want nil, nil", got, err)
	}
	if err := s.Store(ctx, "k", []byte("{}")); !errors.Is(err, tokenstore.ErrUnavailable) || !errors.Is(err, keystone.ErrKeystone) {
		t.Errorf("Store: %v; want ErrUnavailable", err)
	}
	if err := s.Delete(ctx, "k"); !errors.Is(err, tokenstore.ErrUnavailable) {
		t.Errorf("Delete: %v; want ErrUnavailable", err)
	}
	u, err := s.Lock(ctx, "k")
	if err != nil || u == nil {
		t.Fatalf("Lock = %v; want a no-op unlock", err)
	}
	u()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("a dead cache cost %v", d)
	}
	// An Auth over the dead cache works.
	ks := keystonetest.NewServer(t)
	for i := range 3 {
		a := Password(t, ks.URL, ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID,
			keystone.WithTokenStore(newStore(t, env, DeadAddr(t), o)))
		sess, _ := keystone.NewSession()
		if _, err := a.Token(ctx, sess); err != nil {
			t.Errorf("Auth %d over a dead cache: %v", i, err)
		}
	}
}

func testDiesMidRun(t *testing.T, env Env) {
	ctx := ctxT(t)
	ks := keystonetest.NewServer(t, keystonetest.WithTokenLifetime(time.Hour))
	o := Options(t, tokenstore.MAC)
	p := StartProxy(t, env.Addr)
	newAuth := func(opts ...keystone.AuthOption) *keystone.Auth {
		return Password(t, ks.URL, ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID, opts...)
	}
	tokens, errs := Fleet(ctx, t, 8, func() keystone.TokenStore { return newStore(t, env, p.Addr, o) }, newAuth)
	checkFleet(t, tokens, errs)
	if n := ks.TokenCount(); n != 1 {
		t.Errorf("%d authentications before the cache died, want 1", n)
	}
	p.Kill()
	// A new fleet (empty processes) with the cache gone: every call works.
	tokens, errs = Fleet(ctx, t, 8, func() keystone.TokenStore { return newStore(t, env, p.Addr, o) }, newAuth)
	for i, err := range errs {
		if err != nil || tokens[i] == "" {
			t.Errorf("process %d with the cache dead: %v", i, err)
		}
	}
}

// FleetRun is the result of one benchmark run of a fleet.
type FleetRun struct {
	Auths    int // authentications the Keystone served
	Failures int // calls that failed
}

// BenchFleet runs, b.N times, a fleet of hosts×procs "processes" with an
// empty cache: each process has its own store (newStore, given a key prefix
// new to the run) and its own Auth against ks. If midRun is not nil, it is
// called during run b.N/2, while the fleet calls (to kill the cache). It
// reports auths/run (1 while the cache works), failures/run (always 0) and,
// when midRun is set, auths/run-after-kill.
func BenchFleet(b *testing.B, hosts, procs int, ks *keystonetest.Server, newStore func(prefix string) keystone.TokenStore, midRun func()) {
	ctx := context.Background()
	newAuth := func(opts ...keystone.AuthOption) *keystone.Auth {
		return Password(b, ks.URL, ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID, opts...)
	}
	var before, after []FleetRun
	for i := range b.N {
		prefix := "gkbench-" + random(b, 6) + ":"
		n0 := ks.TokenCount()
		var killed sync.WaitGroup
		if midRun != nil && i == b.N/2 {
			killed.Go(midRun)
		}
		tokens, errs := Fleet(ctx, b, hosts*procs, func() keystone.TokenStore { return newStore(prefix) }, newAuth)
		killed.Wait()
		r := FleetRun{Auths: ks.TokenCount() - n0}
		for j, err := range errs {
			if err != nil || tokens[j] == "" {
				r.Failures++
				b.Logf("process %d: %v", j, err)
			}
		}
		if midRun != nil && i >= b.N/2 {
			after = append(after, r)
		} else {
			before = append(before, r)
		}
	}
	sum := func(runs []FleetRun) (auths, failures float64) {
		for _, r := range runs {
			auths += float64(r.Auths)
			failures += float64(r.Failures)
		}
		return auths, failures
	}
	a1, f1 := sum(before)
	a2, f2 := sum(after)
	if len(before) > 0 {
		b.ReportMetric(a1/float64(len(before)), "auths/run")
	}
	if midRun != nil {
		b.ReportMetric(a2/float64(len(after)), "auths/run-after-kill")
	}
	b.ReportMetric((f1+f2)/float64(len(before)+len(after)), "failures/run")
	if f1+f2 > 0 {
		b.Errorf("%v failed calls", f1+f2)
	}
	if len(before) > 0 && a1 != float64(len(before)) {
		b.Errorf("%v authentications in %d runs with a working cache, want one per run", a1, len(before))
	}
}
