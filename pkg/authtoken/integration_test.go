//go:build integration

package authtoken_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/authtoken"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// These tests run against the real Keystone that testenv finds: they skip
// without one, and fail without one in CI.

// realSession returns a session of the bootstrap admin, with a token of its
// own (each call authenticates anew).
func realSession(t *testing.T, ks testenv.Keystone) *keystone.Session {
	t.Helper()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.CloseIdleConnections)
	return s
}

func realToken(t *testing.T, s *keystone.Session) string {
	t.Helper()
	tok, err := s.Auth().Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func realMiddleware(t *testing.T, opts authtoken.Options) (http.Handler, *recorder, testenv.Keystone, *keystone.Session) {
	t.Helper()
	ks := testenv.Require(t)
	svc := realSession(t, ks)
	logs := &syncBuffer{}
	opts.Logger = newTextLogger(logs)
	m, err := authtoken.New(svc, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("middleware logs:\n%s", logs)
		}
	})
	rec := &recorder{}
	return m.Handler(rec), rec, ks, svc
}

func TestIntegrationValidToken(t *testing.T) {
	h, rec, ks, svc := realMiddleware(t, authtoken.Options{})
	user := realSession(t, ks)
	tok := realToken(t, user)
	admin, err := identityv3.NewClient(t.Context(), svc, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := admin.Tokens.Validate(t.Context(), tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := do(h, "X-Auth-Token", tok, "X-Service-Token", realToken(t, svc), "X-Roles", "spoofed")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	s := rec.seen()
	want := map[string]string{
		"X-Identity-Status":         "Confirmed",
		"X-Service-Identity-Status": "Confirmed",
		"X-User-Id":                 ai.User.ID,
		"X-User-Name":               ks.AdminUser,
		"X-User-Domain-Id":          ai.User.DomainID,
		"X-User-Domain-Name":        ai.User.DomainName,
		"X-Project-Id":              ai.Project.ID,
		"X-Project-Name":            ks.AdminProject,
		"X-Project-Domain-Id":       ai.Project.DomainID,
		"X-Service-User-Id":         ai.User.ID,
	}
	for k, v := range want {
		if got := s.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	var roles []string
	for _, r := range ai.Roles {
		roles = append(roles, r.Name)
	}
	got := strings.Split(s.header.Get("X-Roles"), ",")
	if len(got) != len(roles) || !strings.Contains(","+s.header.Get("X-Roles")+",", ",admin,") || strings.Contains(s.header.Get("X-Roles"), "spoofed") {
		t.Errorf("X-Roles = %q, want %q", s.header.Get("X-Roles"), roles)
	}
	if s.header.Get("X-Service-Catalog") == "" {
		t.Error("no X-Service-Catalog")
	}
	if s.user == nil || s.user.User.ID != ai.User.ID || s.user.Token() != tok {
		t.Errorf("FromContext = %v", s.user)
	}
}

func TestIntegrationInvalidToken(t *testing.T) {
	h, rec, _, _ := realMiddleware(t, authtoken.Options{})
	for _, tok := range []string{"", "gAAAAABnot-a-token-at-all"} {
		w := do(h, "X-Auth-Token", tok)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("token %q: status %d, want 401", tok, w.Code)
		}
		if a := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(a, `Keystone uri="http`) {
			t.Errorf("WWW-Authenticate = %q", a)
		}
	}
	if rec.n.Load() != 0 {
		t.Error("the handler saw an invalid request")
	}
}

func TestIntegrationRevokedToken(t *testing.T) {
	const bound = 2 * time.Second
	h, _, ks, svc := realMiddleware(t, authtoken.Options{RevalidateEvery: bound})
	tok := realToken(t, realSession(t, ks))
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	admin, err := identityv3.NewClient(t.Context(), svc, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := admin.Tokens.Revoke(ctx, tok); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	// Within the bound the cached validation may still answer; after it,
	// the token must be refused.
	time.Sleep(bound + 100*time.Millisecond)
	if w := do(h, "X-Auth-Token", tok); w.Code != http.StatusUnauthorized {
		t.Fatalf("revoked token %v after its revocation: status %d, want 401", time.Since(revoked), w.Code)
	}
}
