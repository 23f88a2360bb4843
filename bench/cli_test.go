package bench

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkCLIPath: a cold password `token issue` against the real local
// Keystone (scripts/keystone-local.sh; KEYSTONE_URL and KEYSTONE_ADMIN_PASSWORD
// set), as a fresh process: the SDK (cmd/tokenissue) next to curl sending the
// same request. Keystone's bcrypt dominates both; the target is ≤ 1.1×.
// Skipped without a Keystone.
func BenchmarkCLIPath(b *testing.B) {
	url, password := os.Getenv("KEYSTONE_URL"), os.Getenv("KEYSTONE_ADMIN_PASSWORD")
	if url == "" || password == "" {
		b.Skip("needs a Keystone: eval \"$(scripts/keystone-local.sh env)\"")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "tokenissue")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tokenissue").CombinedOutput(); err != nil {
		b.Fatalf("build: %v: %s", err, out)
	}
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	domain := env("KEYSTONE_DOMAIN", "default")
	body, _ := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": map[string]any{
			"name": env("KEYSTONE_ADMIN_USER", "admin"), "domain": map[string]any{"id": domain}, "password": password}}},
		"scope": map[string]any{"project": map[string]any{"name": env("KEYSTONE_ADMIN_PROJECT", "admin"), "domain": map[string]any{"id": domain}}},
	}})
	bodyFile := filepath.Join(dir, "body.json") // the password stays off the command line
	if err := os.WriteFile(bodyFile, body, 0o600); err != nil {
		b.Fatal(err)
	}
	impls := []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"gokeystone", func() *exec.Cmd { return exec.Command(bin) }},
		{"raw", func() *exec.Cmd {
			return exec.Command("curl", "-sf", "-o", "/dev/null", "-H", "Content-Type: application/json",
				"--data-binary", "@"+bodyFile, url+"/v3/auth/tokens")
		}},
	}
	for _, impl := range impls {
		b.Run("impl="+impl.name, func(b *testing.B) {
			for b.Loop() {
				if out, err := impl.cmd().CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
	}
}
