package keystone_test

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestHelperProcess is not a test: TestFileStoreAcrossProcesses runs the test
// binary again with it, as the "other processes" sharing a token directory.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("GOKEYSTONE_HELPER_PROCESS") != "1" {
		t.Skip("runs only as a helper process")
	}
	store, err := keystone.NewFileStore(os.Getenv("GOKEYSTONE_STORE"))
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	auth, _ := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: os.Getenv("GOKEYSTONE_URL"), User: authplugin.User{ID: os.Getenv("GOKEYSTONE_USER_ID")},
		Password: os.Getenv("GOKEYSTONE_PASSWORD"), Scope: authplugin.Scope{ProjectID: os.Getenv("GOKEYSTONE_PROJECT_ID")},
	}, keystone.WithTokenStore(store))
	s, _ := keystone.NewSession()
	tok, err := auth.Token(t.Context(), s)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	fmt.Println("TOKEN", keystone.NewStaticAccess(tok).TokenDigest())
	os.Exit(0)
}

func TestFileStoreAcrossProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file locks are Unix-only")
	}
	srv := keystonetest.NewServer(t)
	slowAuth(srv, 300*time.Millisecond) // every process arrives while the first authenticates
	dir := t.TempDir()
	const n = 6
	var wg sync.WaitGroup
	outs := make([]string, n)
	for i := range n {
		wg.Go(func() {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), "GOKEYSTONE_HELPER_PROCESS=1", "GOKEYSTONE_STORE="+dir, "GOKEYSTONE_URL="+srv.URL,
				"GOKEYSTONE_USER_ID="+srv.AdminUserID, "GOKEYSTONE_PASSWORD="+srv.AdminPassword, "GOKEYSTONE_PROJECT_ID="+srv.AdminProjectID)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("process %d: %v: %s", i, err, out)
			}
			outs[i] = string(out)
		})
	}
	wg.Wait()
	if got := authRequests(srv); got != 1 {
		t.Fatalf("%d processes made %d authentication requests, want 1", n, got)
	}
	first := ""
	for _, o := range outs {
		line := ""
		for _, l := range strings.Split(o, "\n") {
			if strings.HasPrefix(l, "TOKEN ") {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("a process printed no token: %q", o)
		}
		if first == "" {
			first = line
		} else if line != first {
			t.Errorf("processes got different tokens: %s vs %s", line, first)
		}
	}
}
