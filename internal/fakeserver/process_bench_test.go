package fakeserver_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// BenchmarkProcessStart measures a fresh keystone-fake process from exec to
// its first answer (GET /v3): what a test harness in another language waits
// for. The binary is built once, outside the timing.
func BenchmarkProcessStart(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "keystone-fake")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/keystone-fake").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	serving := regexp.MustCompile(`serving Keystone at (\S+) `)
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, "--listen", "127.0.0.1:0")
		cmd.Env = append(os.Environ(), "KEYSTONE_FAKE_ADMIN_PASSWORD=pw")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		url := ""
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := serving.FindStringSubmatch(sc.Text()); m != nil {
				url = m[1]
				break
			}
		}
		if url == "" {
			b.Fatal("no serving line")
		}
		resp, err := http.Get(url + "/v3")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		b.StopTimer()
		cancel()
		_ = cmd.Wait()
		b.StartTimer()
	}
}
