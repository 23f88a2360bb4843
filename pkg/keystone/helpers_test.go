package keystone_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/ksfake"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

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

func debugLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// noSleep makes retries instant in tests and records the waits.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func passwordAuth(t testing.TB, srv *ksfake.Server, opts ...keystone.AuthOption) *keystone.Auth {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  srv.URL + "/v3",
		User:     authplugin.User{Name: srv.UserName, DomainID: "default"},
		Password: srv.Password,
		Scope:    authplugin.Scope{ProjectName: "demo", ProjectDomainID: "default"},
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newSession(t testing.TB, opts ...keystone.SessionOption) *keystone.Session {
	t.Helper()
	s, err := keystone.NewSession(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func getProjects(ctx context.Context, s *keystone.Session, base string) (int, error) {
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: base + "/v3/projects"})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// settle waits for the goroutine count to come back to at most base (plus a
// little slack for the runtime), and fails if it does not: no goroutine may be
// left behind by a request.
func settle(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base+2 {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left behind (had %d):\n%s", n-base, base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s shows the secret %q:\n%s", where, s, text)
		}
	}
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func newFakeForClient(t *testing.T) string {
	t.Helper()
	return ksfake.New(t).URL
}
