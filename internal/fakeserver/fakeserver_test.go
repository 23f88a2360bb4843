package fakeserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/fakeserver"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// syncBuffer is a bytes.Buffer safe for the server's and the test's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// running is a server of fakeserver.Run in the background.
type running struct {
	ks     *keystonetest.Server
	stderr *syncBuffer
	stop   func() error // shuts it down and returns Run's error
}

// start runs cfg (on a random loopback port) until stopped, or the test ends.
func start(t testing.TB, cfg fakeserver.Config) *running {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	cfg.AdminUser = or(cfg.AdminUser, "admin")
	cfg.AdminProject = or(cfg.AdminProject, "admin")
	cfg.Region = or(cfg.Region, "RegionOne")
	if cfg.TokenLifetime == 0 {
		cfg.TokenLifetime = time.Hour
	}
	if cfg.SaveInterval == 0 {
		cfg.SaveInterval = 50 * time.Millisecond
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stderr: &syncBuffer{}}
	ready := make(chan *keystonetest.Server, 1)
	done := make(chan error, 1)
	go func() { done <- fakeserver.Run(ctx, cfg, r.stderr, func(ks *keystonetest.Server) { ready <- ks }) }()
	select {
	case r.ks = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v\n%s", err, r.stderr)
	}
	var once sync.Once
	var err error
	r.stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { r.stop() })
	return r
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// client returns an identity client authenticated as the administrator.
func client(t testing.TB, ks *keystonetest.Server, password string) (*identityv3.Client, *keystone.Session) {
	t.Helper()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  ks.AuthURL(),
		User:     authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: password,
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
	})
	if err != nil {
		t.Fatal(err)
	}
	session, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(session.CloseIdleConnections)
	c, err := identityv3.NewClient(context.Background(), session, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return c, session
}

// TestStatePersists creates a project, restarts the server from its state
// file on another port, and finds the project there, the administrator's
// password still working though not given again nor stored in clear.
func TestStatePersists(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "state.json")
	const password = "s3cret-Passw0rd"

	r := start(t, fakeserver.Config{AdminPassword: password, StateFile: file,
		Services: []fakeserver.Service{{Type: "compute", Name: "nova", URL: "http://127.0.0.1:8774/v2.1"}}})
	c, session := client(t, r.ks, password)
	p, err := c.Projects.Create(ctx, identityv3.ProjectCreate{Name: "persisted", DomainID: ptr("default")})
	if err != nil {
		t.Fatal(err)
	}
	session.CloseIdleConnections()
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if fs := r.ks.Failures(); len(fs) > 0 {
		t.Errorf("spec failures: %v", fs)
	}

	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	if bytes.Contains(data, []byte(password)) {
		t.Error("the state file holds the password in clear")
	}
	if !bytes.Contains(data, []byte("pbkdf2-sha256$")) {
		t.Error("the state file holds no password hash")
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}

	r2 := start(t, fakeserver.Config{StateFile: file,
		Services: []fakeserver.Service{{Type: "compute", Name: "nova", URL: "http://127.0.0.1:8774/v2.1"}}})
	if strings.Contains(r2.stderr.String(), "generated password") {
		t.Errorf("a password was generated for a loaded state:\n%s", r2.stderr)
	}
	if r2.ks.URL == r.ks.URL {
		t.Fatalf("same URL %s twice", r.ks.URL)
	}
	c2, _ := client(t, r2.ks, password)
	got, err := c2.Projects.Get(ctx, p.ID, nil)
	if err != nil {
		t.Fatalf("project %s after restart: %v", p.ID, err)
	}
	if got.Name != "persisted" || got.Links.Self != r2.ks.AuthURL()+"/projects/"+p.ID {
		t.Errorf("project after restart: name %q, link %q", got.Name, got.Links.Self)
	}
	svcs, err := keystone.Collect(c2.Services.List(ctx, nil))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range svcs {
		if s.Type == "compute" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d compute services after restart, want 1", n)
	}
	if err := r2.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestListenLoopbackOnly refuses remote addresses without --allow-remote.
func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:5000"} {
		err := fakeserver.Run(context.Background(), fakeserver.Config{Listen: addr}, io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("Run on %s: %v, want a refusal", addr, err)
		}
	}
}

// TestGeneratedPassword prints a generated password once, and it works.
func TestGeneratedPassword(t *testing.T) {
	r := start(t, fakeserver.Config{})
	out := r.stderr.String()
	if strings.Count(out, "generated password") != 1 {
		t.Fatalf("stderr:\n%s", out)
	}
	pw := strings.Fields(out[strings.Index(out, "generated password"):])[4]
	if pw != r.ks.AdminPassword {
		t.Errorf("printed %q, server has another", pw)
	}
	c, _ := client(t, r.ks, pw)
	if _, err := keystone.Collect(c.Projects.List(context.Background(), nil)); err != nil {
		t.Fatal(err)
	}
}

func TestParseArgs(t *testing.T) {
	env := map[string]string{fakeserver.PasswordEnv: "from-env"}
	cfg, err := fakeserver.ParseArgs([]string{"--listen", "127.0.0.1:5001", "--admin-user", "root",
		"--service", "compute:nova:http://h:8774/v2.1", "--service", "image:glance:http://h:9292",
		"--token-lifetime", "10m", "--state", "s.json", "--public-url", "https://id.example"},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:5001" || cfg.AdminUser != "root" || cfg.AdminPassword != "from-env" ||
		cfg.AdminProject != "admin" || cfg.Region != "RegionOne" || cfg.TokenLifetime != 10*time.Minute ||
		cfg.StateFile != "s.json" || len(cfg.Services) != 2 || cfg.Services[1] != (fakeserver.Service{"image", "glance", "http://h:9292"}) {
		t.Errorf("config %+v", cfg)
	}
	cfg, _ = fakeserver.ParseArgs([]string{"--admin-password", "flag"}, func(k string) string { return env[k] }, io.Discard)
	if cfg.AdminPassword != "flag" {
		t.Errorf("--admin-password: %q", cfg.AdminPassword)
	}
	for _, args := range [][]string{{"--service", "compute"}, {"--service", "a:b:notaurl"}, {"extra"},
		{"--public-url", "/v3"}, {"--token-lifetime", "0s"}} {
		if _, err := fakeserver.ParseArgs(args, func(string) string { return "" }, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestPublicURL puts --public-url in the catalog.
func TestPublicURL(t *testing.T) {
	r := start(t, fakeserver.Config{AdminPassword: "pw", PublicURL: "http://keystone.example:5000"})
	data, err := r.ks.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Endpoints []struct{ URL string } }
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Endpoints) != 3 || st.Endpoints[0].URL != "http://keystone.example:5000/v3/" {
		t.Errorf("endpoints %+v", st.Endpoints)
	}
}

// BenchmarkStart measures how long a bootstrapped server takes from Run to
// its first answer (GET /v3).
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		ready := make(chan *keystonetest.Server, 1)
		done := make(chan error, 1)
		go func() {
			done <- fakeserver.Run(ctx, fakeserver.Config{Listen: "127.0.0.1:0", AdminUser: "admin", AdminPassword: "pw",
				AdminProject: "admin", Region: "RegionOne", TokenLifetime: time.Hour, SaveInterval: time.Second,
				ShutdownTimeout: time.Second}, io.Discard, func(ks *keystonetest.Server) { ready <- ks })
		}()
		ks := <-ready
		resp, err := http.Get(ks.AuthURL())
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /v3: %s", resp.Status)
		}
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		http.DefaultClient.CloseIdleConnections()
		b.StartTimer()
	}
}

// TestLimitModelAndDashboards: --limit-model and --trusted-dashboard reach
// the server (the model it reports, the WebSSO origins it accepts), and an
// unknown model fails the start.
func TestLimitModelAndDashboards(t *testing.T) {
	cfg, err := fakeserver.ParseArgs([]string{"--limit-model", "strict_two_level",
		"--trusted-dashboard", "https://a.example/sso", "--trusted-dashboard", "https://b.example/sso"},
		func(string) string { return "pw" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LimitModel != "strict_two_level" || len(cfg.TrustedDashboards) != 2 || cfg.TrustedDashboards[1] != "https://b.example/sso" {
		t.Fatalf("config %+v", cfg)
	}
	cfg.Listen = "127.0.0.1:0"
	r := start(t, cfg)
	_, session := client(t, r.ks, "pw")
	resp, err := session.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: r.ks.AuthURL() + "/limits/model"})
	if err != nil {
		t.Fatal(err)
	}
	var model struct{ Model struct{ Name string } }
	err = json.NewDecoder(resp.Body).Decode(&model)
	resp.Body.Close()
	if err != nil || model.Model.Name != "strict_two_level" {
		t.Fatalf("limit model: %v %+v", err, model)
	}
	// WebSSO checks the origin first: a trusted one gets as far as the
	// identity provider (404: there is none), another is refused (401).
	for origin, want := range map[string]int{"https://b.example/sso": http.StatusNotFound, "https://evil.example/": http.StatusUnauthorized} {
		res, err := http.Get(r.ks.AuthURL() + "/auth/OS-FEDERATION/identity_providers/nobody/protocols/mapped/websso?origin=" + url.QueryEscape(origin))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("origin %s: %s, want %d", origin, res.Status, want)
		}
	}
	bad := cfg
	bad.LimitModel = "hierarchical"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	if err := fakeserver.Run(ctx, bad, io.Discard, func(*keystonetest.Server) { t.Error("started with an unknown limit model") }); err == nil {
		t.Error("an unknown limit model: no error")
	}
}
