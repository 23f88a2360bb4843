package cms_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/cms"
)

// keystoneclientScript runs one function of keystoneclient.common.cms:
// argv[1] is its name, the others its string arguments, stdin its first
// argument; it prints the result.
const keystoneclientScript = `
import sys
from keystoneclient.common import cms
fn = getattr(cms, sys.argv[1])
out = fn(sys.stdin.read(), *sys.argv[2:])
if isinstance(out, bytes):
    out = out.decode("utf-8")
sys.stdout.write(out)
`

// requireKeystoneclient returns a Python with python-keystoneclient, or
// skips the test: this cross-check with the original is optional (the
// openssl interoperability tests are the required ones).
func requireKeystoneclient(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import keystoneclient.common.cms").Run() == nil {
			return path
		}
	}
	t.Skip("python-keystoneclient is not installed")
	return ""
}

func runKeystoneclient(t *testing.T, py, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, append([]string{"-c", keystoneclientScript}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Logf("stderr: %s", stderr.String())
		return "", err
	}
	return stdout.String(), nil
}

// The tokens of this package and of keystoneclient (which runs openssl)
// verify with each other, and hash to the same IDs.
func TestKeystoneclientInterop(t *testing.T) {
	requireOpenSSL(t)
	py := requireKeystoneclient(t)
	p := newPKI(t, rsaKey)
	s, v := mustSigner(t, p), mustVerifier(t, p)

	// Go signs, keystoneclient verifies.
	pkiz, err := s.SignPKIZ(tokenJSON)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runKeystoneclient(t, py, pkiz, "pkiz_verify", p.CertFile, p.CAFile); err != nil || out != tokenJSON {
		t.Errorf("keystoneclient pkiz_verify = %q, %v", out, err)
	}
	pki, err := s.SignToken(tokenJSON)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := runKeystoneclient(t, py, pki, "verify_token", p.CertFile, p.CAFile); err != nil || out != tokenJSON {
		t.Errorf("keystoneclient verify_token = %q, %v", out, err)
	}

	// keystoneclient signs, Go verifies.
	pyPKIZ, err := runKeystoneclient(t, py, tokenJSON, "pkiz_sign", p.CertFile, p.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.VerifyPKIZ(pyPKIZ); err != nil || string(got) != tokenJSON {
		t.Errorf("VerifyPKIZ(keystoneclient's token) = %q, %v", got, err)
	}
	pyPKI, err := runKeystoneclient(t, py, tokenJSON, "cms_sign_token", p.CertFile, p.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.VerifyToken(pyPKI); err != nil || string(got) != tokenJSON {
		t.Errorf("VerifyToken(keystoneclient's token) = %q, %v", got, err)
	}

	// The same IDs and transformations.
	for _, tok := range []string{pkiz, pki, pyPKIZ, pyPKI, "uuid-token"} {
		for _, mode := range []string{"md5", "sha256"} {
			want, err := runKeystoneclient(t, py, tok, "cms_hash_token", mode)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := cms.HashTokenMode(tok, mode); err != nil || got != want {
				t.Errorf("HashTokenMode(%.12s…, %s) = %q, %v; keystoneclient %q", tok, mode, got, err, want)
			}
		}
	}
	want, err := runKeystoneclient(t, py, pki, "token_to_cms")
	if err != nil {
		t.Fatal(err)
	}
	if got := cms.TokenToCMS(pki); got != want {
		t.Errorf("TokenToCMS differs from keystoneclient's:\n%q\n%q", got, want)
	}
	if back, err := runKeystoneclient(t, py, want, "cms_to_token"); err != nil || back != cms.CMSToToken(want) {
		t.Errorf("CMSToToken differs from keystoneclient's: %q, %v", back, err)
	}
}
