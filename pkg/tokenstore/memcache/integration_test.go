//go:build integration

package memcache_test

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	gomemcache "github.com/bradfitz/gomemcache/memcache"
	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
	"github.com/gokeystone/keystone/pkg/tokenstore"
	"github.com/gokeystone/keystone/pkg/tokenstore/internal/storetest"
	"github.com/gokeystone/keystone/pkg/tokenstore/memcache"
)

// serverAddr returns MEMCACHED_ADDR (scripts/cache-servers.sh start sets it),
// skipping the test when it is unset, except in CI.
func serverAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv("MEMCACHED_ADDR")
	if addr == "" {
		if testenv.InCI() {
			t.Fatal("MEMCACHED_ADDR is not set (scripts/cache-servers.sh start)")
		}
		t.Skip("skipping: MEMCACHED_ADDR is not set (scripts/cache-servers.sh start)")
	}
	if err := gomemcache.New(addr).Ping(); err != nil {
		t.Fatalf("memcached at %s: %v", addr, err)
	}
	return addr
}

func newStore(t testing.TB, addr string, o tokenstore.Options) *tokenstore.Store {
	t.Helper()
	s, err := memcache.New(addr, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMemcached(t *testing.T) {
	addr := serverAddr(t)
	storetest.Run(t, storetest.Env{
		Name: "memcached",
		Addr: addr,
		New:  newStore,
		Raw: func(testing.TB) tokenstore.Backend {
			return &memcache.Backend{Client: gomemcache.New(addr)}
		},
		LockTTLGranularity: time.Second,
		RealKeystone:       true,
	})
}

// TestCallerClient checks NewFromClient, and that Close leaves the
// caller's client open.
func TestCallerClient(t *testing.T) {
	addr := serverAddr(t)
	c := gomemcache.New(addr)
	s, err := memcache.NewFromClient(c, storetest.Options(t, tokenstore.MAC))
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

// startMemcached runs a memcached of its own on a free port, for a benchmark
// that kills it. It skips when there is no memcached binary, except in CI.
func startMemcached(b *testing.B) (addr string, kill func()) {
	b.Helper()
	bin, err := exec.LookPath("memcached")
	if err != nil {
		bin = "/usr/bin/memcached"
		if _, err := os.Stat(bin); err != nil {
			if testenv.InCI() {
				b.Fatal("no memcached binary (scripts/cache-servers.sh install)")
			}
			b.Skip("skipping: no memcached binary (scripts/cache-servers.sh install)")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0", "-m", "64", "-I", "16m"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr, _ = os.Create(filepath.Join(b.TempDir(), "memcached.log"))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	kill = func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
	}
	b.Cleanup(kill)
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; gomemcache.New(addr).Ping() != nil; i++ {
		if i == 100 {
			b.Fatal("memcached did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, kill
}

// BenchmarkFleet: 2 hosts × 8 processes, each with its own Auth and its own
// store in one memcached (keystone.Auth takes one TokenStore: there is no
// per-host FileStore tier), find an empty cache. auths/run must be 1.
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

// BenchmarkFleetMemcachedStopped is BenchmarkFleet with a memcached of its
// own, killed during the middle run: failures/run must be 0.
func BenchmarkFleetMemcachedStopped(b *testing.B) {
	addr, kill := startMemcached(b)
	ks := keystonetest.NewServer(b, keystonetest.WithoutValidation())
	o := tokenstore.Options{Secret: "benchmark-secret-0123456789", SecurityStrategy: tokenstore.Encrypt}
	storetest.BenchFleet(b, 2, 8, ks, func(prefix string) keystone.TokenStore {
		o := o
		o.KeyPrefix = prefix
		s := newStore(b, addr, o)
		b.Cleanup(func() { s.Close() })
		return s
	}, kill)
}
