//go:build integration

package authtoken_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/authtoken"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/tokenstore"
	"github.com/gokeystone/keystone/pkg/tokenstore/memcache"
	"github.com/gokeystone/keystone/pkg/tokenstore/redis"
)

// countingTransport counts the token validations a service sends.
type countingTransport struct{ validations atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/auth/tokens") {
		c.validations.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestIntegrationFleetSharedCache: three services behind the middleware,
// each with its own session and its own store over the real memcached (then
// Redis), validate a user's token at the real Keystone once between them.
func TestIntegrationFleetSharedCache(t *testing.T) {
	ks := testenv.Require(t)
	secret := "a fleet-wide secret for the integration test"
	stores := map[string]func(t *testing.T) authtoken.SharedCache{
		"memcached": func(t *testing.T) authtoken.SharedCache {
			addr := os.Getenv("MEMCACHED_ADDR")
			if addr == "" {
				skipOrFail(t, "MEMCACHED_ADDR is not set (scripts/cache-servers.sh start)")
			}
			s, err := memcache.New(addr, tokenstore.Options{Secret: secret, KeyPrefix: "fleet-" + t.Name() + ":"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"redis": func(t *testing.T) authtoken.SharedCache {
			addr := os.Getenv("REDIS_ADDR")
			if addr == "" {
				skipOrFail(t, "REDIS_ADDR is not set (scripts/cache-servers.sh start)")
			}
			s, err := redis.New(addr, tokenstore.Options{Secret: secret, KeyPrefix: "fleet-" + t.Name() + ":"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			user := realToken(t, realSession(t, ks))
			counter := &countingTransport{}
			key := []byte("an HMAC and sealing key of 32+ bytes, shared")
			for i := range 3 {
				auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
					AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
					Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain},
				})
				if err != nil {
					t.Fatal(err)
				}
				sess, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithTransport(counter), keystone.WithTimeout(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(sess.CloseIdleConnections)
				mw, err := authtoken.New(sess, authtoken.Options{SharedCache: newStore(t), SharedCacheKey: key})
				if err != nil {
					t.Fatal(err)
				}
				h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if authtoken.FromContext(r.Context()) == nil {
						t.Error("no identity")
					}
				}))
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Header.Set("X-Auth-Token", user)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("service %d: status %d", i, rec.Code)
				}
			}
			if n := counter.validations.Load(); n != 1 {
				t.Errorf("%d validations at Keystone for three services, want 1", n)
			}
		})
	}
}

// skipOrFail skips t for want of a server, or fails it in CI.
func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if testenv.InCI() {
		t.Fatal(why)
	}
	t.Skip(why)
}
