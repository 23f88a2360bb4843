package keystone_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// clock is a settable clock shared by the fake server and the plugin.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.t.Add(int64(d)) }

func TestRefreshBeforeExpiry(t *testing.T) {
	clk := newClock()
	srv := keystonetest.NewServer(t, keystonetest.WithClock(clk.Now))
	auth := passwordAuth(t, srv, keystone.WithClock(clk.Now))
	s := newSession(t, keystone.WithAuth(auth))
	first, err := auth.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour - keystone.DefaultExpiryMargin - time.Second) // just outside the margin
	if tok, _ := auth.Token(t.Context(), s); tok != first || authRequests(srv) != 1 {
		t.Fatalf("refreshed too early (%d authentications)", authRequests(srv))
	}
	clk.Advance(2 * time.Second) // inside the margin: refresh ahead of expiry
	second, err := auth.Token(t.Context(), s)
	if err != nil || second == first || authRequests(srv) != 2 {
		t.Fatalf("not refreshed within the margin: %v, %d authentications", err, authRequests(srv))
	}
	// A custom margin.
	auth = passwordAuth(t, srv, keystone.WithClock(clk.Now), keystone.WithExpiryMargin(10*time.Minute))
	if _, err := auth.Token(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	clk.Advance(51 * time.Minute)
	if _, err := auth.Token(t.Context(), s); err != nil || authRequests(srv) != 4 {
		t.Fatalf("10-minute margin ignored: %d authentications", authRequests(srv))
	}
}

func TestThousandWaitersOneAuthentication(t *testing.T) {
	clk := newClock()
	srv := keystonetest.NewServer(t, keystonetest.WithClock(clk.Now))
	slowAuth(srv, 50*time.Millisecond)
	auth := passwordAuth(t, srv, keystone.WithClock(clk.Now))
	s := newSession(t, keystone.WithAuth(auth))
	if _, err := auth.Token(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Hour) // the token has expired
	var wg sync.WaitGroup
	var failed atomic.Int64
	tokens := sync.Map{}
	start := make(chan struct{})
	for range 1000 {
		wg.Go(func() {
			<-start
			tok, err := auth.Token(t.Context(), s)
			if err != nil {
				failed.Add(1)
				return
			}
			tokens.Store(tok, true)
		})
	}
	close(start)
	wg.Wait()
	n := 0
	tokens.Range(func(any, any) bool { n++; return true })
	if failed.Load() != 0 || authRequests(srv) != 2 || n != 1 {
		t.Fatalf("%d failed, %d authentications (want 1 after the first), %d distinct tokens", failed.Load(), authRequests(srv)-1, n)
	}
}

func TestCancelledWaiterReturnsAlone(t *testing.T) {
	srv := keystonetest.NewServer(t)
	slowAuth(srv, 200*time.Millisecond)
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 2)
	go func() {
		_, err := auth.Token(ctx, s)
		errs <- err
	}()
	go func() {
		_, err := auth.Token(t.Context(), s)
		errs <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	first := <-errs
	if !errors.Is(first, context.Canceled) {
		t.Fatalf("the cancelled waiter got %v", first)
	}
	if err := <-errs; err != nil {
		t.Fatalf("the other waiter failed: %v", err)
	}
	if authRequests(srv) != 1 {
		t.Errorf("%d authentications", authRequests(srv))
	}
}

func TestCannotReauthenticate(t *testing.T) {
	srv := keystonetest.NewServer(t)
	code := adminPasscode(t, srv)
	user, scope := authplugin.User{ID: srv.AdminUserID}, authplugin.Scope{ProjectID: srv.AdminProjectID}
	totp, err := authplugin.NewTOTP(authplugin.TOTPOptions{AuthURL: srv.URL, User: user, Passcode: code, Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, keystone.WithAuth(totp))
	tok, err := totp.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	srv.RevokeAllTokens()
	_, err = getProjects(t.Context(), s, srv.URL)
	if !errors.Is(err, keystone.ErrCannotReauthenticate) || !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrCannotReauthenticate and the 401", err)
	}
	if authRequests(srv) != 1 {
		t.Errorf("a single-use passcode was sent again (%d authentications)", authRequests(srv))
	}
	if strings.Contains(err.Error(), tok) || strings.Contains(err.Error(), code) {
		t.Errorf("error shows a secret: %v", err)
	}

	// With a PasscodeFunc it can.
	codes := 0
	totp, _ = authplugin.NewTOTP(authplugin.TOTPOptions{AuthURL: srv.URL, User: user, Scope: scope,
		PasscodeFunc: func(context.Context) (string, error) { codes++; return srv.TOTPPasscode(srv.AdminUserID) }})
	s = newSession(t, keystone.WithAuth(totp))
	if _, err := getProjects(t.Context(), s, srv.URL); err != nil {
		t.Fatal(err)
	}
	srv.RevokeAllTokens()
	if _, err := getProjects(t.Context(), s, srv.URL); err != nil || codes != 2 {
		t.Fatalf("PasscodeFunc plugin: %v after %d codes", err, codes)
	}
}

func TestRefreshAheadFailureKeepsTheValidToken(t *testing.T) {
	clk := newClock()
	srv := keystonetest.NewServer(t, keystonetest.WithClock(clk.Now))
	auth := passwordAuth(t, srv, keystone.WithClock(clk.Now))
	s := newSession(t, keystone.WithAuth(auth), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	first, _ := auth.Token(t.Context(), s)
	srv.Intercept(keystonetest.FailFirst(100, "/v3/auth/tokens", 503, 0))
	clk.Advance(time.Hour - time.Minute) // within the margin, not yet expired
	tok, err := auth.Token(t.Context(), s)
	if err != nil || tok != first {
		t.Fatalf("got %v; the still-valid token should be kept", err)
	}
	clk.Advance(2 * time.Minute) // expired: now the failure shows
	if _, err := auth.Token(t.Context(), s); !errors.Is(err, keystone.ErrServiceUnavailable) {
		t.Fatalf("got %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	srv := keystonetest.NewServer(t)
	log, buf := debugLogger()
	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: srv.URL, User: authplugin.User{ID: srv.AdminUserID}, Password: "wr0ng-pa55"})
	s := newSession(t, keystone.WithAuth(auth), keystone.WithLogger(log))
	_, err := getProjects(t.Context(), s, srv.URL)
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("got %v", err)
	}
	assertNoSecret(t, "the error", err.Error(), "wr0ng-pa55")
	assertNoSecret(t, "the debug log", buf.String(), "wr0ng-pa55")
}

func TestMultiFactorReceipt(t *testing.T) {
	srv := keystonetest.NewServer(t)
	if err := srv.RequireMFA(srv.AdminUserID, []string{"password", "totp"}); err != nil {
		t.Fatal(err)
	}
	code := adminPasscode(t, srv)
	user := authplugin.User{Name: srv.AdminUser, DomainName: "Default"}
	pw, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: srv.URL, User: user, Password: srv.AdminPassword})
	s := newSession(t)
	_, err := pw.Token(t.Context(), s)
	var re *keystone.AuthReceiptError
	if !errors.As(err, &re) || !errors.Is(err, keystone.ErrAuthReceiptRequired) {
		t.Fatalf("got %v, want *AuthReceiptError", err)
	}
	if re.Receipt.ID == "" || re.Receipt.UserID != srv.AdminUserID || len(re.Receipt.RequiredMethods) != 1 {
		t.Fatalf("receipt = %v", re.Receipt)
	}
	if strings.Contains(err.Error(), re.Receipt.ID) || strings.Contains(re.Receipt.String(), re.Receipt.ID) {
		t.Error("the receipt ID is shown")
	}
	// Continue with the receipt and the missing method.
	mfa, err := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: srv.URL, Receipt: re.Receipt,
		Methods: []authplugin.Method{authplugin.TOTPMethod{User: user, Passcode: code}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mfa.Token(t.Context(), s); err != nil {
		t.Fatalf("with the receipt: %v", err)
	}
	// Or both methods at once.
	both, _ := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: srv.URL, Methods: []authplugin.Method{
		authplugin.PasswordMethod{User: user, Password: srv.AdminPassword}, authplugin.TOTPMethod{User: user, Passcode: code}}})
	if _, err := both.Token(t.Context(), s); err != nil {
		t.Fatalf("password and totp together: %v", err)
	}
}

func TestExportImportState(t *testing.T) {
	srv := keystonetest.NewServer(t)
	srv.AddService("compute", "nova", keystonetest.Endpoint{Interface: "public", URL: srv.URL + "/compute/v2.1"})
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	if st, _ := auth.ExportState(); st != nil {
		t.Fatalf("state before authentication: %s", st)
	}
	tok, _ := auth.Token(t.Context(), s)
	state, err := auth.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	// Another "process": a new plugin imports the state and makes no auth request.
	other := passwordAuth(t, srv)
	if err := other.ImportState(state); err != nil {
		t.Fatal(err)
	}
	s2 := newSession(t, keystone.WithAuth(other))
	if got, _ := other.Token(t.Context(), s2); got != tok || authRequests(srv) != 1 {
		t.Fatalf("imported state not used (%d authentications)", authRequests(srv))
	}
	// A plugin built from the saved AccessInfo.
	ai, err := keystone.ParseAccessInfo(state)
	if err != nil {
		t.Fatal(err)
	}
	saved := authplugin.NewFromAccess(ai)
	if got, err := saved.Token(t.Context(), s2); err != nil || got != tok {
		t.Fatalf("from access: %v", err)
	}
	if u, err := saved.Endpoint(t.Context(), s2, keystone.EndpointFilter{ServiceType: "compute"}); err != nil || !strings.HasSuffix(u, "/compute/v2.1") {
		t.Fatalf("endpoint from a saved token: %q %v", u, err)
	}
	saved.Invalidate(tok)
	if _, err := saved.Token(t.Context(), s2); !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Fatalf("saved token re-authenticated: %v", err)
	}
	if err := other.ImportState([]byte(`{"auth_token": "x"}`)); !errors.Is(err, keystone.ErrInvalidResponse) {
		t.Errorf("bad state accepted: %v", err)
	}
}

// TestTokenStoreKeyHasTheSecret: a cached token is only reused by a plugin
// with the same secret; a wrong password does not get the cached token.
func TestTokenStoreKeyHasTheSecret(t *testing.T) {
	for name, mk := range map[string]func(t *testing.T) keystone.TokenStore{
		"memory": func(*testing.T) keystone.TokenStore { return keystone.NewMemoryStore() },
		"file": func(t *testing.T) keystone.TokenStore {
			st, err := keystone.NewFileStore(filepath.Join(t.TempDir(), "tokens"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := keystonetest.NewServer(t)
			store := mk(t)
			plugin := func(password string, scope authplugin.Scope) *keystone.Auth {
				a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: srv.AuthURL(),
					User: authplugin.User{Name: srv.AdminUser, DomainID: srv.DomainID}, Password: password,
					Scope: scope}, keystone.WithTokenStore(store))
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
			project := authplugin.Scope{ProjectName: srv.AdminProject, ProjectDomainID: srv.DomainID}
			if _, err := plugin(srv.AdminPassword, project).Token(t.Context(), newSession(t)); err != nil {
				t.Fatal(err)
			}
			// The same credentials share the token: no second authentication.
			if _, err := plugin(srv.AdminPassword, project).Token(t.Context(), newSession(t)); err != nil || authRequests(srv) != 1 {
				t.Fatalf("same credentials: %v, %d authentications", err, authRequests(srv))
			}
			// A wrong password authenticates itself, and fails.
			_, err := plugin("wrong-"+srv.AdminPassword, project).Token(t.Context(), newSession(t))
			if !errors.Is(err, keystone.ErrAuthorizationFailure) || authRequests(srv) != 2 {
				t.Fatalf("wrong password: %v, %d authentications; want ErrAuthorizationFailure after a second authentication", err, authRequests(srv))
			}
			// Another scope is another token.
			if _, err := plugin(srv.AdminPassword, authplugin.Scope{System: true}).Token(t.Context(), newSession(t)); err != nil || authRequests(srv) != 3 {
				t.Fatalf("other scope: %v, %d authentications", err, authRequests(srv))
			}
			if fs, ok := store.(*keystone.FileStore); ok {
				entries, _ := os.ReadDir(fs.Dir())
				for _, e := range entries {
					data, _ := os.ReadFile(filepath.Join(fs.Dir(), e.Name()))
					assertNoSecret(t, "token store file name", e.Name(), srv.AdminPassword, srv.AdminUser)
					assertNoSecret(t, "token store file", string(data), srv.AdminPassword)
				}
			}
		})
	}
}

func TestAdminToken(t *testing.T) {
	var got atomic.Value
	srv := keystonetest.NewServer(t)
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		got.Store(r.Header.Get("X-Auth-Token") + " " + r.URL.Path)
		w.WriteHeader(204)
		return true
	})
	auth, err := authplugin.NewAdminToken(srv.URL+"/v3", "ADMIN-secret")
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, keystone.WithAuth(auth))
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodDelete, URL: "projects/p1",
		Endpoint: &keystone.EndpointFilter{ServiceType: "identity"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Load() != "ADMIN-secret /v3/projects/p1" || authRequests(srv) != 0 {
		t.Fatalf("got %v with %d auth requests", got.Load(), authRequests(srv))
	}
	if _, err := authplugin.NewAdminToken("", ""); !errors.Is(err, keystone.ErrMissingOptions) {
		t.Errorf("missing options: %v", err)
	}
}

func TestMissingOptions(t *testing.T) {
	_, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: "x", User: authplugin.User{Name: "a"}, Password: "p"})
	var mo *keystone.MissingOptionsError
	if !errors.As(err, &mo) || !strings.Contains(err.Error(), "user_domain_id") {
		t.Errorf("user name without domain: %v", err)
	}
	if _, err := authplugin.NewPassword(authplugin.PasswordOptions{User: authplugin.User{ID: "u"}, Password: "p"}); !errors.Is(err, keystone.ErrMissingOptions) {
		t.Errorf("no auth URL: %v", err)
	}
	if _, err := authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: "x"}); !errors.As(err, &mo) || len(mo.Options) != 2 {
		t.Errorf("app cred: %v", err)
	}
	if _, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: "x", User: authplugin.User{ID: "u"}, Password: "p",
		Scope: authplugin.Scope{ProjectID: "p", System: true}}); err == nil {
		t.Error("two scopes accepted")
	}
	if _, err := authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: "x"}); !errors.Is(err, keystone.ErrNoMatchingPlugin) {
		t.Errorf("generic without credentials: %v", err)
	}
}

func TestGenericPluginDiscoversV3(t *testing.T) {
	srv := keystonetest.NewServer(t)
	for _, u := range []string{srv.URL, srv.URL + "/v3"} {
		auth, err := authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: u, User: authplugin.User{ID: srv.AdminUserID}, Password: srv.AdminPassword,
			Scope: authplugin.Scope{ProjectID: srv.AdminProjectID}})
		if err != nil {
			t.Fatal(err)
		}
		s := newSession(t, keystone.WithAuth(auth))
		ai, err := auth.Access(t.Context(), s)
		if err != nil || ai.Version() != "v3" || ai.Project == nil {
			t.Fatalf("%s: %v %v", u, ai, err)
		}
	}
	// A server with neither v3 nor v2.0 (v2.0-only servers: authplugin's TestGenericChoosesV2).
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(300)
		w.Write([]byte(`{"versions": {"values": [{"id": "v1.0", "status": "stable", "links": [{"rel": "self", "href": "` + srv.URL + `/v1.0/"}]}]}}`))
		return true
	})
	auth, _ := authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: srv.URL, Token: "t"})
	if _, err := auth.Token(t.Context(), newSession(t)); !errors.Is(err, keystone.ErrUnsupportedVersion) {
		t.Fatalf("got %v", err)
	}
}

func TestTokenMethodRescopes(t *testing.T) {
	srv := keystonetest.NewServer(t)
	pw, _ := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: srv.URL, User: authplugin.User{ID: srv.AdminUserID}, Password: srv.AdminPassword})
	s := newSession(t)
	unscoped, err := pw.Access(t.Context(), s)
	if err != nil || unscoped.Scoped() {
		t.Fatalf("unscoped: %v %v", unscoped, err)
	}
	tok, _ := authplugin.NewToken(authplugin.TokenOptions{AuthURL: srv.URL, Token: unscoped.Token(), Scope: authplugin.Scope{ProjectID: srv.AdminProjectID}})
	scoped, err := tok.Access(t.Context(), s)
	if err != nil || !scoped.ProjectScoped() || scoped.Token() == unscoped.Token() {
		t.Fatalf("rescoped: %v %v", scoped, err)
	}
}

func TestTokenStoreSharedInProcess(t *testing.T) {
	srv := keystonetest.NewServer(t)
	store := keystone.NewMemoryStore()
	a1 := passwordAuth(t, srv, keystone.WithTokenStore(store))
	a2 := passwordAuth(t, srv, keystone.WithTokenStore(store))
	s := newSession(t)
	t1, err := a1.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := a2.Token(t.Context(), s)
	if err != nil || t1 != t2 || authRequests(srv) != 1 {
		t.Fatalf("second plugin: %v, %d authentications", err, authRequests(srv))
	}
	// A rejected token in the store is not reused.
	srv.RevokeAllTokens()
	a2.Invalidate(t2)
	t3, err := a2.Token(t.Context(), s)
	if err != nil || t3 == t2 || authRequests(srv) != 2 {
		t.Fatalf("after revocation: %v, %d authentications", err, authRequests(srv))
	}
}

func TestFileStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	store, err := keystone.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v", fi.Mode().Perm())
	}
	srv := keystonetest.NewServer(t)
	a := passwordAuth(t, srv, keystone.WithTokenStore(store))
	if _, err := a.Token(t.Context(), newSession(t)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		fi, _ := e.Info()
		files = append(files, e.Name())
		if strings.HasSuffix(e.Name(), ".json") && fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", e.Name(), fi.Mode().Perm())
		}
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	var tokenFile string
	for _, f := range files {
		if strings.HasSuffix(f, ".json") {
			tokenFile = f
		}
	}
	if tokenFile == "" {
		t.Fatalf("no token file in %v", files)
	}
	// An unreadable entry is ignored and replaced.
	os.WriteFile(filepath.Join(dir, tokenFile), []byte("garbage"), 0o600)
	b := passwordAuth(t, srv, keystone.WithTokenStore(store))
	if _, err := b.Token(t.Context(), newSession(t)); err != nil || authRequests(srv) != 2 {
		t.Fatalf("garbage entry: %v, %d authentications", err, authRequests(srv))
	}
	if _, err := store.Load(t.Context(), "../escape"); err == nil {
		t.Error("a key with a path was accepted")
	}
}
