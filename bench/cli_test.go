package bench

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// cliEnv is the real local Keystone of scripts/keystone-local.sh
// (KEYSTONE_URL and KEYSTONE_ADMIN_PASSWORD set), with the keystone binary
// built from cmd/keystone and the OS_* environment both CLIs read, in a
// throw-away HOME.
type cliEnv struct {
	url, password, user, project, domain, region string
	bin, dir                                     string
	environ                                      []string
}

func newCLIEnv(b *testing.B) *cliEnv {
	b.Helper()
	url, password := os.Getenv("KEYSTONE_URL"), os.Getenv("KEYSTONE_ADMIN_PASSWORD")
	if url == "" || password == "" {
		b.Skip("needs a Keystone: eval \"$(scripts/keystone-local.sh env)\"")
	}
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	e := &cliEnv{url: url, password: password, user: env("KEYSTONE_ADMIN_USER", "admin"),
		project: env("KEYSTONE_ADMIN_PROJECT", "admin"), domain: env("KEYSTONE_DOMAIN", "default"),
		region: env("KEYSTONE_REGION", "RegionOne"), dir: b.TempDir()}
	e.bin = filepath.Join(e.dir, "keystone")
	build := exec.Command("go", "build", "-o", e.bin, "./cmd/keystone")
	build.Dir = ".." // the SDK's module
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v: %s", err, out)
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "OS_") || strings.HasPrefix(name, "XDG_") || name == "HOME" {
			continue
		}
		e.environ = append(e.environ, kv)
	}
	e.environ = append(e.environ, "HOME="+e.dir, "XDG_CACHE_HOME="+filepath.Join(e.dir, "cache"),
		"XDG_CONFIG_HOME="+e.dir, "OS_AUTH_URL="+url+"/v3", "OS_USERNAME="+e.user, "OS_PASSWORD="+password,
		"OS_PROJECT_NAME="+e.project, "OS_USER_DOMAIN_ID="+e.domain, "OS_PROJECT_DOMAIN_ID="+e.domain,
		"OS_REGION_NAME="+e.region, "OS_INTERFACE=public", "OS_IDENTITY_API_VERSION=3")
	return e
}

// run runs one command to its end and returns its peak resident memory in
// KiB (getrusage's ru_maxrss).
func (e *cliEnv) run(b *testing.B, c *exec.Cmd) int64 {
	b.Helper()
	c.Env = e.environ
	if out, err := c.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v: %s", strings.Join(c.Args, " "), err, out)
	}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}

// BenchmarkCLIPath: a cold password `keystone token issue --no-cache`
// against the real local Keystone, as a fresh process, next to curl sending
// the same request. Keystone's bcrypt dominates both; the target is ≤ 1.1×.
// Skipped without a Keystone.
func BenchmarkCLIPath(b *testing.B) {
	e := newCLIEnv(b)
	body, _ := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": map[string]any{
			"name": e.user, "domain": map[string]any{"id": e.domain}, "password": e.password}}},
		"scope": map[string]any{"project": map[string]any{"name": e.project, "domain": map[string]any{"id": e.domain}}},
	}})
	bodyFile := filepath.Join(e.dir, "body.json") // the password stays off the command line
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		b.Fatal(err)
	}
	impls := []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"gokeystone", func() *exec.Cmd {
			return exec.Command(e.bin, "token", "issue", "--no-cache", "-f", "value", "-c", "expires")
		}},
		{"raw", func() *exec.Cmd {
			return exec.Command("curl", "-sf", "-o", "/dev/null", "-H", "Content-Type: application/json",
				"--data-binary", "@"+bodyFile, e.url+"/v3/auth/tokens")
		}},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			for b.Loop() {
				e.run(b, impl.cmd())
			}
		})
	}
}

// BenchmarkCLIProjectList: `project list` as a shell session of commands
// runs it: keystone with its token cache warm (one authentication before the
// loop), next to python-openstackclient's `openstack project list`. Reports
// the wall time per command and the peak resident memory (maxrss-KiB).
// Targets: ≤ 1/20 of openstack's time, ≤ 1/5 of its memory. Skipped without
// a Keystone or without the openstack command.
func BenchmarkCLIProjectList(b *testing.B) {
	e := newCLIEnv(b)
	openstack, err := exec.LookPath("openstack")
	if err != nil {
		b.Skip("needs python-openstackclient (the openstack command)")
	}
	e.run(b, exec.Command(e.bin, "token", "issue", "-f", "value", "-c", "expires")) // warms the cache
	impls := []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"gokeystone", func() *exec.Cmd { return exec.Command(e.bin, "project", "list", "-f", "value") }},
		{"openstack", func() *exec.Cmd { return exec.Command(openstack, "project", "list", "-f", "value") }},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			var peak int64
			for b.Loop() {
				peak = max(peak, e.run(b, impl.cmd()))
			}
			b.ReportMetric(float64(peak), "maxrss-KiB")
		})
	}
}
