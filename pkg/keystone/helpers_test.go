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

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
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

// passwordAuth is a password plugin for the administrator of the in-memory
// Keystone ks, scoped to the admin project.
func passwordAuth(t testing.TB, ks *keystonetest.Server, opts ...keystone.AuthOption) *keystone.Auth {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
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

// authRequests counts the authentication requests ks has received,
// successful or not.
func authRequests(ks *keystonetest.Server) int {
	return ks.RequestCount("POST /v3/auth/tokens")
}

// slowAuth makes every authentication of ks take d (unless its client gives
// up first), to widen the windows in which callers wait for one.
func slowAuth(ks *keystonetest.Server, d time.Duration) {
	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens" {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}
		return false
	})
}

func newFakeForClient(t *testing.T) string {
	t.Helper()
	return keystonetest.NewServer(t).URL
}

// adminPasscode is the TOTP passcode ks accepts now for its administrator.
func adminPasscode(t testing.TB, ks *keystonetest.Server) string {
	t.Helper()
	code, err := ks.TOTPPasscode(ks.AdminUserID)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// readAll reads the body of r, a request the fake recorded ("" for none).
func readAll(t testing.TB, r *http.Request) string {
	t.Helper()
	if r == nil {
		t.Fatal("no such request recorded")
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
