//go:build integration

package keystonetest_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestKeystoneclientV2 checks the v2.0 fake against the requests
// python-keystoneclient's v2_0 managers make (Debian's python3-keystoneclient,
// installed with the local Keystone): every one of them must conform to
// api/identity-v2.yaml and get the answer keystoneclient expects.
func TestKeystoneclientV2(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import keystoneclient.v2_0.client").Run(); err != nil {
		if testenv.InCI() {
			t.Fatalf("python3-keystoneclient is missing (scripts/keystone-local.sh install provides it): %v", err)
		}
		t.Skip("python3-keystoneclient is not installed")
	}
	ks := keystonetest.NewServer(t)
	cmd := exec.Command(py, "testdata/keystoneclient_v2.py", ks.URL)
	cmd.Env = append(os.Environ(), "ADMIN_PASSWORD="+ks.AdminPassword)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("keystoneclient: %v\n%s", err, out)
	}
	for _, f := range ks.Failures() {
		t.Errorf("keystoneclient sent a request the spec does not allow: %v", f)
	}
}
