//go:build integration

package redis_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
	"github.com/gokeystone/keystone/pkg/tokenstore"
	"github.com/gokeystone/keystone/pkg/tokenstore/internal/storetest"
	"github.com/gokeystone/keystone/pkg/tokenstore/redis"
	goredis "github.com/redis/go-redis/v9"
)

// serverAddr returns REDIS_ADDR (scripts/cache-servers.sh start sets it),
// skipping the test when it is unset, except in CI.
func serverAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		if testenv.InCI() {
			t.Fatal("REDIS_ADDR is not set (scripts/cache-servers.sh start)")
		}
		t.Skip("skipping: REDIS_ADDR is not set (scripts/cache-servers.sh start)")
	}
	c := rawClient(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s: %v", addr, err)
	}
	return addr
}

func rawClient(t testing.TB, addr string) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: addr, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

func newStore(t testing.TB, addr string, o tokenstore.Options) *tokenstore.Store {
	t.Helper()
	s, err := redis.New(addr, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRedis(t *testing.T) {
	addr := serverAddr(t)
	storetest.Run(t, storetest.Env{
		Name: "redis",
		Addr: addr,
		New:  newStore,
		Raw: func(t testing.TB) tokenstore.Backend {
			return &redis.Backend{Client: rawClient(t, addr)}
		},
		RealKeystone: true,
	})
}

// TestCallerClient checks NewFromClient, and that Close leaves the
// caller's client open.
func TestCallerClient(t *testing.T) {
	addr := serverAddr(t)
	c := rawClient(t, addr)
	s, err := redis.NewFromClient(c, storetest.Options(t, tokenstore.MAC))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Store(t.Context(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got, err := s.Load(t.Context(), "k"); err != nil || string(got) != "v" {
		t.Fatalf("Load = %q, %v", got, err)
	}
}

// TestBoundedRead checks that a huge value is read only up to the limit.
func TestBoundedRead(t *testing.T) {
	addr := serverAddr(t)
	c := rawClient(t, addr)
	ctx := t.Context()
	key := "gkst-bounded-read-test"
	if err := c.Set(ctx, key, make([]byte, 1<<20), time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	got, err := (&redis.Backend{Client: c}).Get(ctx, key, 1000)
	if err != nil || len(got) != 1001 {
		t.Errorf("Get with limit 1000: %d bytes, %v; want 1001", len(got), err)
	}
}

// BenchmarkFleet: 2 hosts × 8 processes, each with its own Auth and its own
// store in one Redis, find an empty cache. auths/run must be 1.
func BenchmarkFleet(b *testing.B) {
	addr := serverAddr(b)
	ks := keystonetest.NewServer(b, keystonetest.WithoutValidation())
	o := tokenstore.Options{Secret: "benchmark-secret-0123456789", SecurityStrategy: tokenstore.Encrypt}
	storetest.BenchFleet(b, 2, 8, ks, func(prefix string) keystone.TokenStore {
		o := o
		o.KeyPrefix = prefix
		s := newStore(b, addr, o)
		b.Cleanup(func() { s.Close() })
		return s
	}, nil)
}
