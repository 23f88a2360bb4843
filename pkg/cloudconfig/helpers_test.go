package cloudconfig_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gokeystone/keystone/pkg/cloudconfig"
)

// sandbox is a temporary tree standing for the current directory, HOME,
// XDG_CONFIG_HOME and the site directory, so that no test reads the real
// home.
type sandbox struct {
	root, cwd, home, xdg, site string
	env                        map[string]string
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	root := t.TempDir()
	s := &sandbox{root: root, cwd: filepath.Join(root, "cwd"), home: filepath.Join(root, "home"),
		xdg: filepath.Join(root, "xdg"), site: filepath.Join(root, "site")}
	for _, d := range []string{s.cwd, s.home, s.xdg, s.site} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	s.env = map[string]string{"HOME": s.home, "XDG_CONFIG_HOME": s.xdg, "XDG_CONFIG_DIRS": s.site}
	return s
}

// write creates a file under the sandbox's root.
func (s *sandbox) write(t *testing.T, rel, content string) string {
	t.Helper()
	p := filepath.Join(s.root, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *sandbox) environ(extra map[string]string) []string {
	var out []string
	for k, v := range s.env {
		out = append(out, k+"="+v)
	}
	for k, v := range extra {
		out = append(out, k+"="+v)
	}
	return out
}

func (s *sandbox) load(t *testing.T, env map[string]string, v cloudconfig.Values) (*cloudconfig.Config, error) {
	t.Helper()
	return cloudconfig.Load(cloudconfig.Options{Values: v, Environ: s.environ(env), Dir: s.cwd})
}

func (s *sandbox) mustLoad(t *testing.T, env map[string]string, v cloudconfig.Values) *cloudconfig.Config {
	t.Helper()
	c, err := s.load(t, env, v)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}
