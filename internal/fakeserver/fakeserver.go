// Package fakeserver is cmd/keystone-fake: the in-memory Keystone of
// pkg/keystonetest served on a fixed address, bootstrapped as by
// `keystone-manage bootstrap`, with its state optionally kept in a file.
package fakeserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// PasswordEnv is the environment variable the administrator's password is
// read from when --admin-password is not given.
const PasswordEnv = "KEYSTONE_FAKE_ADMIN_PASSWORD"

// Config is what the command's flags set.
type Config struct {
	Listen        string // host:port, 127.0.0.1:5000 by default
	AllowRemote   bool   // allow a Listen address that is not loopback
	AdminUser     string
	AdminPassword string // empty: generated (and printed) at first bootstrap
	AdminProject  string
	Region        string
	PublicURL     string // the identity endpoint URL; empty: the listen URL
	Services      []Service
	TokenLifetime time.Duration
	// StateFile, if set, is loaded at start if present, and saved when
	// changed every SaveInterval and at shutdown.
	StateFile       string
	SaveInterval    time.Duration
	ShutdownTimeout time.Duration // bound of the graceful shutdown
	// NoValidate turns off checking exchanges against the OpenAPI specs
	// (loading them is most of a start).
	NoValidate bool
	// LimitModel is [unified_limit] enforcement_model: "flat" (the
	// default) or "strict_two_level".
	LimitModel string
	// TrustedDashboards are [federation] trusted_dashboard: the WebSSO
	// origins the server posts tokens to.
	TrustedDashboards []string
}

// stringList is a repeatable string flag.
type stringList struct{ s *[]string }

func (l stringList) String() string {
	if l.s == nil {
		return ""
	}
	return strings.Join(*l.s, ",")
}

func (l stringList) Set(v string) error {
	*l.s = append(*l.s, v)
	return nil
}

// Service is a catalog entry of --service type:name:url.
type Service struct{ Type, Name, URL string }

type serviceList struct{ s *[]Service }

func (l serviceList) String() string {
	if l.s == nil {
		return ""
	}
	var parts []string
	for _, s := range *l.s {
		parts = append(parts, s.Type+":"+s.Name+":"+s.URL)
	}
	return strings.Join(parts, ",")
}

func (l serviceList) Set(v string) error {
	typ, rest, ok1 := strings.Cut(v, ":")
	name, u, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || typ == "" || name == "" || u == "" {
		return errors.New("want type:name:url, such as compute:nova:http://127.0.0.1:8774/v2.1")
	}
	if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", u)
	}
	*l.s = append(*l.s, Service{Type: typ, Name: name, URL: u})
	return nil
}

// ParseArgs parses the command's arguments; getenv reads the environment.
// Usage and errors go to stderr; -h gives flag.ErrHelp.
func ParseArgs(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	fs := flag.NewFlagSet("keystone-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: keystone-fake [flags]\n\nServes an in-memory Keystone (Identity v3 and v2.0) for development and tests.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:5000", "`address` to listen on (loopback only unless --allow-remote)")
	fs.BoolVar(&c.AllowRemote, "allow-remote", false, "allow a --listen address that is not loopback")
	fs.StringVar(&c.AdminUser, "admin-user", "admin", "bootstrap administrator's `name`")
	fs.StringVar(&c.AdminPassword, "admin-password", "", "bootstrap administrator's `password` (default $"+PasswordEnv+", else generated and printed)")
	fs.StringVar(&c.AdminProject, "admin-project", "admin", "bootstrap admin project's `name`")
	fs.StringVar(&c.Region, "region", "RegionOne", "`region` of the bootstrap endpoints")
	fs.StringVar(&c.PublicURL, "public-url", "", "identity endpoint `URL` in the catalog (default the listen URL + /v3/)")
	fs.Var(serviceList{&c.Services}, "service", "catalog entry `type:name:url` (public, internal and admin endpoints); repeatable")
	fs.DurationVar(&c.TokenLifetime, "token-lifetime", time.Hour, "lifetime of issued tokens")
	fs.StringVar(&c.StateFile, "state", "", "JSON `file` to load the state from and save it to (mode 0600)")
	fs.DurationVar(&c.SaveInterval, "save-interval", 2*time.Second, "how often to save the state when changed")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 5*time.Second, "bound of the graceful shutdown")
	fs.BoolVar(&c.NoValidate, "no-validate", false, "do not check exchanges against the OpenAPI specs (starts faster)")
	fs.StringVar(&c.LimitModel, "limit-model", "flat", "unified limits enforcement `model`: flat or strict_two_level")
	fs.Var(stringList{&c.TrustedDashboards}, "trusted-dashboard", "WebSSO origin `URL` tokens may be posted to; repeatable")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.AdminPassword == "" {
		c.AdminPassword = getenv(PasswordEnv)
	}
	if c.TokenLifetime <= 0 || c.SaveInterval <= 0 || c.ShutdownTimeout <= 0 {
		return c, errors.New("--token-lifetime, --save-interval and --shutdown-timeout must be positive")
	}
	if c.PublicURL != "" {
		if p, err := url.Parse(c.PublicURL); err != nil || p.Scheme == "" || p.Host == "" {
			return c, fmt.Errorf("--public-url %q is not an absolute URL", c.PublicURL)
		}
	}
	return c, nil
}

// Main runs the command with args and returns its exit status: 0 after a
// clean shutdown (when ctx is done), 2 for bad usage, 1 otherwise.
func Main(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg, err := ParseArgs(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "keystone-fake: %v\n", err)
		return 2
	}
	if err := Run(ctx, cfg, stderr, nil); err != nil {
		fmt.Fprintf(stderr, "keystone-fake: %v\n", err)
		return 1
	}
	return 0
}

// checkListen refuses an address that is not loopback unless allowRemote.
func checkListen(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if allowRemote {
		return nil
	}
	if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address: the fake has no real security; give --allow-remote to serve it anyway", addr)
}

// Run serves the fake described by cfg until ctx is done, then shuts it down
// and saves its state. It calls ready, if not nil, once the server answers.
// Messages (the generated password, spec validation failures) go to stderr.
func Run(ctx context.Context, cfg Config, stderr io.Writer, ready func(*keystonetest.Server)) error {
	if err := checkListen(cfg.Listen, cfg.AllowRemote); err != nil {
		return err
	}
	var saved []byte
	if cfg.StateFile != "" {
		b, err := os.ReadFile(cfg.StateFile)
		switch {
		case err == nil:
			saved = b
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
	}
	password, generated := cfg.AdminPassword, false
	if password == "" && saved == nil {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		password, generated = base64.RawURLEncoding.EncodeToString(b), true
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	publicURL := cfg.PublicURL
	if p, err := url.Parse(publicURL); err == nil && publicURL != "" && strings.Trim(p.Path, "/") == "" {
		publicURL = strings.TrimRight(publicURL, "/") + "/v3/"
	}
	opts := []keystonetest.Option{
		keystonetest.WithListener(ln),
		keystonetest.WithTokenLifetime(cfg.TokenLifetime),
		keystonetest.WithBootstrap(keystonetest.Bootstrap{AdminUser: cfg.AdminUser, AdminProject: cfg.AdminProject,
			Region: cfg.Region, PublicURL: publicURL}),
	}
	if password != "" {
		opts = append(opts, keystonetest.WithAdminPassword(password))
	}
	if cfg.NoValidate {
		opts = append(opts, keystonetest.WithoutValidation())
	}
	if cfg.LimitModel != "" {
		opts = append(opts, keystonetest.WithLimitModel(cfg.LimitModel))
	}
	if len(cfg.TrustedDashboards) > 0 {
		opts = append(opts, keystonetest.WithTrustedDashboard(cfg.TrustedDashboards...))
	}
	ks, err := keystonetest.Start(opts...)
	if err != nil {
		ln.Close()
		return err
	}
	// From here on the server answers; it has the bootstrap state until the
	// saved one replaces it, before anyone is told of the server.
	if saved != nil {
		if err := ks.ImportState(saved); err != nil {
			ks.Close()
			return fmt.Errorf("%s: %w", cfg.StateFile, err)
		}
		switch {
		case ks.AdminUserID == "":
			fmt.Fprintf(stderr, "keystone-fake: warning: the state of %s has no user %q in the default domain\n", cfg.StateFile, cfg.AdminUser)
		case password != "":
			_ = ks.SetPassword(ks.AdminUserID, password) // as keystone-manage bootstrap resets it
		}
	}
	if err := addServices(ks, cfg.Services); err != nil {
		ks.Close()
		return err
	}
	if generated {
		fmt.Fprintf(stderr, "keystone-fake: generated password of %s: %s\n", cfg.AdminUser, password)
	}
	fmt.Fprintf(stderr, "keystone-fake: serving Keystone at %s (OS_AUTH_URL=%s, user %s, project %s, region %s)\n",
		ks.URL, ks.AuthURL(), cfg.AdminUser, cfg.AdminProject, cfg.Region)

	p := &persister{file: cfg.StateFile, ks: ks}
	if saved != nil {
		p.last = saved
	}
	if err := p.save(); err != nil { // the bootstrap state, or fail early on an unwritable file
		ks.Close()
		return err
	}
	if ready != nil {
		ready(ks)
	}
	var saveErr error
	if cfg.StateFile != "" {
		tick := time.NewTicker(cfg.SaveInterval)
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-tick.C:
				if err := p.save(); err != nil {
					fmt.Fprintf(stderr, "keystone-fake: %v\n", err)
				}
			}
		}
		tick.Stop()
	} else {
		<-ctx.Done()
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	err = ks.Shutdown(sctx)
	cancel()
	saveErr = p.save()
	if fs := ks.Failures(); len(fs) > 0 {
		fmt.Fprintf(stderr, "keystone-fake: %d exchanges did not conform to the Identity spec:\n", len(fs))
		for _, f := range fs {
			fmt.Fprintf(stderr, "  %v\n", f)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("shutdown: requests still in flight after %v", cfg.ShutdownTimeout)
	}
	return errors.Join(err, saveErr)
}

// addServices adds the catalog entries that the server does not have yet
// (by type and name).
func addServices(ks *keystonetest.Server, svcs []Service) error {
	if len(svcs) == 0 {
		return nil
	}
	b, err := ks.ExportState()
	if err != nil {
		return err
	}
	var have struct {
		Services []struct{ Type, Name string } `json:"services"`
	}
	if err := json.Unmarshal(b, &have); err != nil {
		return err
	}
	seen := map[[2]string]bool{}
	for _, s := range have.Services {
		seen[[2]string{s.Type, s.Name}] = true
	}
	for _, s := range svcs {
		if seen[[2]string{s.Type, s.Name}] {
			continue
		}
		seen[[2]string{s.Type, s.Name}] = true
		ks.AddService(s.Type, s.Name,
			keystonetest.Endpoint{Interface: "public", URL: s.URL},
			keystonetest.Endpoint{Interface: "internal", URL: s.URL},
			keystonetest.Endpoint{Interface: "admin", URL: s.URL})
	}
	return nil
}

// persister saves the server's state to file when it changed.
type persister struct {
	file string
	ks   *keystonetest.Server
	last []byte
}

func (p *persister) save() error {
	if p.file == "" {
		return nil
	}
	b, err := p.ks.ExportState()
	if err != nil {
		return err
	}
	if bytes.Equal(b, p.last) {
		return nil
	}
	if err := writeFileAtomic(p.file, b); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	p.last = b
	return nil
}

// writeFileAtomic writes data to a new file of mode 0600 next to name, then
// renames it to name.
func writeFileAtomic(name string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
