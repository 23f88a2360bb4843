package tokenstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
	"github.com/gokeystone/keystone/pkg/tokenstore"
	"github.com/gokeystone/keystone/pkg/tokenstore/internal/storetest"
)

func memEnv() storetest.Env {
	shared := newMemBackend()
	return storetest.Env{
		Name: "memory",
		New: func(t testing.TB, _ string, o tokenstore.Options) *tokenstore.Store {
			s, err := tokenstore.New(shared, o, nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Raw:     func(testing.TB) tokenstore.Backend { return shared },
		NoProxy: true,
	}
}

// TestSuite runs the backends' conformance suite over memory.
func TestSuite(t *testing.T) { storetest.Run(t, memEnv()) }

func newStore(t *testing.T, b tokenstore.Backend, o tokenstore.Options) *tokenstore.Store {
	t.Helper()
	s, err := tokenstore.New(b, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOptions(t *testing.T) {
	const secret = "a-very-secret-shared-secret"
	b := newMemBackend()
	bad := map[string]tokenstore.Options{
		"no secret":      {},
		"short secret":   {Secret: "tooshort"},
		"strategy":       {Secret: secret, SecurityStrategy: "HMAC"},
		"prefix space":   {Secret: secret, KeyPrefix: "a b"},
		"prefix long":    {Secret: secret, KeyPrefix: strings.Repeat("p", 101)},
		"prefix unicode": {Secret: secret, KeyPrefix: "é"},
		"negative":       {Secret: secret, LockWait: -time.Second},
	}
	for what, o := range bad {
		_, err := tokenstore.New(b, o, nil)
		if !errors.Is(err, keystone.ErrInvalidArgument) || !errors.Is(err, keystone.ErrKeystone) {
			t.Errorf("%s: %v, want ErrInvalidArgument", what, err)
		}
		if err != nil && strings.Contains(err.Error(), "tooshort") {
			t.Errorf("%s: the error shows the secret", what)
		}
	}
	if _, err := tokenstore.New(nil, tokenstore.Options{Secret: secret}, nil); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil backend: %v", err)
	}
	s := newStore(t, b, tokenstore.Options{Secret: secret, SecurityStrategy: "encrypt"})
	o := s.Options()
	if o.SecurityStrategy != tokenstore.Encrypt || o.KeyPrefix != tokenstore.DefaultKeyPrefix || o.Timeout != tokenstore.DefaultTimeout ||
		o.LockTTL != tokenstore.DefaultLockTTL || o.LockWait != tokenstore.DefaultLockWait || o.TTL != tokenstore.DefaultTTL {
		t.Errorf("defaults: %v", o)
	}
	// The secret is never printed.
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "opts", o, "store", s)
	js, _ := json.Marshal(o)
	for _, out := range []string{fmt.Sprint(o), fmt.Sprintf("%+v %#v %s %q", o, o, o, o), o.String(), s.String(), string(js), logs.String(),
		fmt.Sprintf("%+v", struct{ O tokenstore.Options }{o})} {
		if strings.Contains(out, secret) {
			t.Errorf("the secret shows in %s", out)
		}
	}
}

func TestUnavailableDegrades(t *testing.T) {
	ctx := t.Context()
	b := newMemBackend()
	o := storetest.Options(t, tokenstore.MAC)
	o.Backoff = 200 * time.Millisecond
	s := newStore(t, b, o)
	if err := s.Store(ctx, "k", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	b.setFail(errDown)
	if got, err := s.Load(ctx, "k"); got != nil || err != nil {
		t.Errorf("Load = %q, %v; want nil, nil", got, err)
	}
	for what, err := range map[string]error{"Store": s.Store(ctx, "k", []byte("{}")), "Delete": s.Delete(ctx, "k")} {
		if !errors.Is(err, tokenstore.ErrUnavailable) || !errors.Is(err, keystone.ErrKeystone) {
			t.Errorf("%s: %v; want ErrUnavailable", what, err)
		}
	}
	u, err := s.Lock(ctx, "k")
	if err != nil || u == nil {
		t.Fatalf("Lock: %v", err)
	}
	u()
	if n := s.Stats().Unavailable; n != 4 {
		t.Errorf("Unavailable = %d, want 4", n)
	}
	// During the backoff the cache is not asked, even once it is back.
	b.setFail(nil)
	if got, _ := s.Load(ctx, "k"); got != nil {
		t.Errorf("Load during the backoff asked the cache")
	}
	time.Sleep(250 * time.Millisecond)
	if got, _ := s.Load(ctx, "k"); string(got) != "{}" {
		t.Errorf("Load after the backoff = %q", got)
	}
	// A cancelled caller does not put the cache in backoff.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Load(cctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: %v", err)
	}
	if got, _ := s.Load(ctx, "k"); string(got) != "{}" {
		t.Errorf("a cancelled caller put the cache in backoff")
	}
}

func TestSlowCache(t *testing.T) {
	ctx := t.Context()
	b := newMemBackend()
	b.block = true
	o := storetest.Options(t, tokenstore.MAC)
	o.Timeout = 50 * time.Millisecond
	s := newStore(t, b, o)
	start := time.Now()
	if got, err := s.Load(ctx, "k"); got != nil || err != nil {
		t.Errorf("Load = %q, %v", got, err)
	}
	u, err := s.Lock(ctx, "k") // in backoff now: at once
	if err != nil {
		t.Fatal(err)
	}
	u()
	if d := time.Since(start); d > time.Second {
		t.Errorf("a slow cache cost %v", d)
	}
	s2 := newStore(t, b, o)
	start = time.Now()
	u, err = s2.Lock(ctx, "k") // a slow lock: Timeout, then no lock
	if err != nil {
		t.Fatal(err)
	}
	u()
	if d := time.Since(start); d > time.Second {
		t.Errorf("a slow lock cost %v", d)
	}
}

// TestAuthOverBrokenCache checks that keystone.Auth never fails because of
// the cache, keeps the store on, and uses the cache again once it is back.
func TestAuthOverBrokenCache(t *testing.T) {
	ctx := t.Context()
	ks := keystonetest.NewServer(t)
	b := newMemBackend()
	o := storetest.Options(t, tokenstore.Encrypt)
	o.Backoff = 100 * time.Millisecond
	s := newStore(t, b, o)
	var logs bytes.Buffer
	var mu sync.Mutex
	sess, err := keystone.NewSession(keystone.WithLogger(slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))))
	if err != nil {
		t.Fatal(err)
	}
	a := storetest.Password(t, ks.URL, ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID, keystone.WithTokenStore(s))
	b.setFail(errDown)
	for i := range 3 {
		tok, err := a.Token(ctx, sess)
		if err != nil {
			t.Fatalf("call %d over a dead cache: %v", i, err)
		}
		a.Invalidate(tok)
	}
	b.setFail(nil)
	time.Sleep(150 * time.Millisecond)
	if _, err := a.Token(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if n := s.Stats().Stores; n != 1 {
		t.Errorf("%d stores after the cache came back, want 1 (the store was turned off?)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(logs.String(), "does not work") {
		t.Errorf("Auth turned the store off:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestEntryExpiresWithToken checks that an entry does not outlive its token.
func TestEntryExpiresWithToken(t *testing.T) {
	ctx := t.Context()
	ks := keystonetest.NewServer(t, keystonetest.WithTokenLifetime(10*time.Minute))
	b := newMemBackend()
	s := newStore(t, b, storetest.Options(t, tokenstore.MAC))
	a := storetest.Password(t, ks.URL, ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID)
	sess, _ := keystone.NewSession()
	if _, err := a.Token(ctx, sess); err != nil {
		t.Fatal(err)
	}
	state, err := a.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Store(ctx, "tok", state); err != nil {
		t.Fatal(err)
	}
	if err := s.Store(ctx, "other", []byte("not a token")); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	var exps []time.Duration
	for _, e := range b.data {
		exps = append(exps, time.Until(e.exp))
	}
	b.mu.Unlock()
	var short, long int
	for _, d := range exps {
		switch {
		case d > 9*time.Minute && d <= 10*time.Minute:
			short++
		case d > 23*time.Hour:
			long++
		}
	}
	if short != 1 || long != 1 {
		t.Errorf("entry lifetimes %v: want one of 10 min (the token's) and one of TTL", exps)
	}
}

func TestSizeBounds(t *testing.T) {
	ctx := t.Context()
	b := newMemBackend()
	o := storetest.Options(t, tokenstore.MAC)
	s := newStore(t, b, o)
	if err := s.Store(ctx, "k", make([]byte, tokenstore.MaxEntrySize)); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("Store of too much: %v", err)
	}
	p, _ := tokenstore.NewProtector(o.Secret, o.SecurityStrategy)
	name := o.KeyPrefix + p.KeyName("t", "k")
	big, _ := p.Seal(name, make([]byte, tokenstore.MaxEntrySize))
	b.Set(ctx, name, big, time.Minute)
	if got, err := s.Load(ctx, "k"); got != nil || err != nil {
		t.Errorf("Load of a too large entry: %d bytes, %v", len(got), err)
	}
	if n := s.Stats().Invalid; n != 1 {
		t.Errorf("Invalid = %d", n)
	}
}

// TestLogsShowNoSecret checks the debug log of ignored entries and an
// unavailable cache.
func TestLogsShowNoSecret(t *testing.T) {
	ctx := t.Context()
	var logs bytes.Buffer
	b := newMemBackend()
	o := storetest.Options(t, tokenstore.MAC)
	o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newStore(t, b, o)
	data := []byte(`{"token":"the-token-value"}`)
	s.Store(ctx, "raw-key", data)
	p, _ := tokenstore.NewProtector(o.Secret, o.SecurityStrategy)
	name := o.KeyPrefix + p.KeyName("t", "raw-key")
	e, _ := b.Get(ctx, name, 1<<20)
	e[len(e)-1] ^= 1
	b.Set(ctx, name, e, time.Minute)
	s.Load(ctx, "raw-key")
	b.setFail(errDown)
	s.Load(ctx, "raw-key")
	out := logs.String()
	if !strings.Contains(out, "ignored an invalid cache entry") || !strings.Contains(out, "unavailable") {
		t.Errorf("missing debug messages:\n%s", out)
	}
	for _, secret := range []string{o.Secret, "the-token-value", "raw-key", p.KeyName("t", "raw-key")} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows %q:\n%s", secret, out)
		}
	}
}
