package tokenstore_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/authtoken"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
	"github.com/gokeystone/keystone/pkg/tokenstore"
	"github.com/gokeystone/keystone/pkg/tokenstore/internal/storetest"
)

// The Store is an authtoken.SharedCache.
var _ authtoken.SharedCache = (*tokenstore.Store)(nil)

// TestSharedCache: Get returns what Set stored, in a key space of its own
// (not the tokens'), ignores a tampered entry and degrades when the cache
// is down.
func TestSharedCache(t *testing.T) {
	ctx := t.Context()
	b := newMemBackend()
	s := newStore(t, b, storetest.Options(t, tokenstore.Encrypt))
	if got, err := s.Get(ctx, "k"); got != nil || err != nil {
		t.Fatalf("empty: %q %v", got, err)
	}
	if err := s.Set(ctx, "k", []byte("result"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "k"); string(got) != "result" || err != nil {
		t.Fatalf("Get = %q %v", got, err)
	}
	if got, _ := s.Load(ctx, "k"); got != nil {
		t.Errorf("a shared-cache entry read as a token: %q", got)
	}
	// Tamper with every stored entry: Get ignores them.
	b.mu.Lock()
	for k, e := range b.data {
		e.v = append([]byte(nil), e.v...)
		e.v[len(e.v)-1] ^= 1
		b.data[k] = e
	}
	b.mu.Unlock()
	if got, err := s.Get(ctx, "k"); got != nil || err != nil {
		t.Errorf("tampered: %q %v", got, err)
	}
	b.setFail(errDown)
	if got, err := s.Get(ctx, "k"); got != nil || err != nil {
		t.Errorf("down: Get = %q %v", got, err)
	}
	if err := s.Set(ctx, "k", []byte("x"), time.Minute); !errors.Is(err, tokenstore.ErrUnavailable) {
		t.Errorf("down: Set = %v", err)
	}
}

// TestSharedCacheFleetOfMiddlewares: two services, each with its own
// middleware and its own Store over one cache, validate a token once
// between them.
func TestSharedCacheFleetOfMiddlewares(t *testing.T) {
	ks := keystonetest.NewServer(t)
	shared := newMemBackend()
	key := []byte("0123456789abcdef0123456789abcdef")
	opts := storetest.Options(t, tokenstore.MAC) // one secret and prefix for the fleet
	var handlers []http.Handler
	var userToken string
	for range 2 {
		auth, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.AuthURL(),
			User: authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID}, Password: ks.AdminPassword,
			Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := keystone.NewSession(keystone.WithAuth(auth))
		if err != nil {
			t.Fatal(err)
		}
		if userToken == "" {
			if userToken, err = auth.Token(t.Context(), sess); err != nil {
				t.Fatal(err)
			}
		}
		mw, err := authtoken.New(sess, authtoken.Options{SharedCache: newStore(t, shared, opts),
			SharedCacheKey: key})
		if err != nil {
			t.Fatal(err)
		}
		handlers = append(handlers, mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	}
	before := ks.RequestCount("GET /v3/auth/tokens")
	for _, h := range handlers {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("X-Auth-Token", userToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if n := ks.RequestCount("GET /v3/auth/tokens") - before; n != 1 {
		t.Errorf("%d validations for two services, want 1", n)
	}
}
