package cms_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/cms"
)

// The flags keystoneclient.common.cms passes to `openssl cms`.
var (
	cmsPySignFlags   = []string{"-outform", "PEM", "-nosmimecap", "-nodetach", "-nocerts", "-noattr"}
	cmsPyVerifyFlags = []string{"-inform", "PEM", "-nosmimecap", "-nodetach", "-nocerts", "-noattr"}
)

// requireOpenSSL returns the path of the openssl command. Without one the
// test is skipped, except in CI (CI=true), where it fails.
func requireOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openssl is required in CI: %v", err)
		}
		t.Skipf("openssl not found: %v", err)
	}
	return path
}

// runOpenSSL runs openssl with stdin and returns its stdout, or an error
// that includes its stderr.
func runOpenSSL(t *testing.T, bin string, stdin []byte, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, errors.Join(err, errors.New(strings.TrimSpace(stderr.String())))
	}
	return stdout.Bytes(), nil
}

var interopKinds = []struct {
	name string
	kind keyKind
}{{"rsa", rsaKey}, {"ecdsa", ecKey}}

// Sign with this package, verify with `openssl cms -verify`.
func TestOpenSSLVerifiesGoSignatures(t *testing.T) {
	bin := requireOpenSSL(t)
	for _, k := range interopKinds {
		p := newPKI(t, k.kind)
		other := newPKI(t, k.kind)
		for _, digest := range []crypto.Hash{crypto.SHA256, crypto.SHA1, crypto.SHA512} {
			t.Run(k.name+"/"+digest.String(), func(t *testing.T) {
				s := mustSigner(t, p)
				s.Digest = digest
				pemText, err := s.SignText(tokenJSON)
				if err != nil {
					t.Fatal(err)
				}
				plain := []string{"cms", "-verify", "-inform", "PEM", "-CAfile", p.CAFile, "-certfile", p.CertFile}
				withCmsPy := append([]string{"cms", "-verify", "-certfile", p.CertFile, "-CAfile", p.CAFile}, cmsPyVerifyFlags...)
				for _, args := range [][]string{plain, withCmsPy} {
					out, err := runOpenSSL(t, bin, []byte(pemText), args...)
					if err != nil {
						t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
					}
					if string(out) != tokenJSON {
						t.Fatalf("openssl returned %q", out)
					}
				}

				// A PKI token turned back into PEM (verify_token).
				token, err := s.SignToken(tokenJSON)
				if err != nil {
					t.Fatal(err)
				}
				if out, err := runOpenSSL(t, bin, []byte(cms.TokenToCMS(token)), withCmsPy...); err != nil || string(out) != tokenJSON {
					t.Fatalf("openssl on TokenToCMS(token) = %q, %v", out, err)
				}

				// DER output.
				der, err := s.SignData([]byte(tokenJSON), cms.FormDER)
				if err != nil {
					t.Fatal(err)
				}
				derArgs := []string{"cms", "-verify", "-inform", "DER", "-CAfile", p.CAFile, "-certfile", p.CertFile}
				if out, err := runOpenSSL(t, bin, der, derArgs...); err != nil || string(out) != tokenJSON {
					t.Fatalf("openssl -inform DER = %q, %v", out, err)
				}

				// PKIZ: the inflated message is what pkiz_verify hands to
				// openssl with -inform PEM.
				pkiz, err := s.SignPKIZ(tokenJSON)
				if err != nil {
					t.Fatal(err)
				}
				msg, err := cms.PKIZUncompress(pkiz)
				if err != nil {
					t.Fatal(err)
				}
				if out, err := runOpenSSL(t, bin, msg, withCmsPy...); err != nil || string(out) != tokenJSON {
					t.Fatalf("openssl on the PKIZ message = %q, %v", out, err)
				}

				// openssl refuses a tampered signature and a wrong CA.
				bad := pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: tamperSignature(der)})
				if out, err := runOpenSSL(t, bin, bad, withCmsPy...); err == nil {
					t.Errorf("openssl accepted a tampered signature: %q", out)
				}
				bad = pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: tamperContent(t, der, tokenJSON)})
				if out, err := runOpenSSL(t, bin, bad, withCmsPy...); err == nil {
					t.Errorf("openssl accepted tampered content: %q", out)
				}
				wrongCA := append([]string{"cms", "-verify", "-certfile", p.CertFile, "-CAfile", other.CAFile}, cmsPyVerifyFlags...)
				if out, err := runOpenSSL(t, bin, []byte(pemText), wrongCA...); err == nil {
					t.Errorf("openssl accepted a wrong CA: %q", out)
				}
			})
		}
	}
}

// Sign with `openssl cms -sign` and cms.py's flags, verify with this package.
func TestGoVerifiesOpenSSLSignatures(t *testing.T) {
	bin := requireOpenSSL(t)
	for _, k := range interopKinds {
		p := newPKI(t, k.kind)
		other := newPKI(t, k.kind)
		v := mustVerifier(t, p)
		for _, md := range []string{"sha256", "sha1", "sha384", "sha512"} {
			t.Run(k.name+"/"+md, func(t *testing.T) {
				args := append([]string{"cms", "-sign", "-signer", p.CertFile, "-inkey", p.KeyFile}, cmsPySignFlags...)
				args = append(args, "-md", md)
				pemText, err := runOpenSSL(t, bin, []byte(tokenJSON), args...)
				if err != nil {
					t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
				}
				if got, err := v.Verify(pemText, cms.FormPEM); err != nil || string(got) != tokenJSON {
					t.Fatalf("Verify = %q, %v", got, err)
				}
				// cms_sign_token: the same message as a PKI token.
				token := cms.CMSToToken(string(pemText))
				if !cms.IsASN1Token(token) {
					t.Fatalf("token %q does not start with MII", token[:10])
				}
				if got, err := v.VerifyToken(token); err != nil || string(got) != tokenJSON {
					t.Fatalf("VerifyToken = %q, %v", got, err)
				}
				// pkiz_sign: the PEM text compressed.
				if got, err := v.VerifyPKIZ(cms.PKIZPrefix + zlibB64(t, pemText)); err != nil || string(got) != tokenJSON {
					t.Fatalf("VerifyPKIZ = %q, %v", got, err)
				}

				// DER output of openssl.
				derArgs := []string{"cms", "-sign", "-signer", p.CertFile, "-inkey", p.KeyFile, "-outform", "DER",
					"-nosmimecap", "-nodetach", "-nocerts", "-noattr", "-md", md}
				der, err := runOpenSSL(t, bin, []byte(tokenJSON), derArgs...)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := v.Verify(der, cms.FormDER); err != nil || string(got) != tokenJSON {
					t.Fatalf("Verify(DER) = %q, %v", got, err)
				}

				// Refused: tampered signature, tampered content, wrong CA.
				if _, err := v.Verify(tamperSignature(der), cms.FormDER); !errors.Is(err, cms.ErrSignatureInvalid) {
					t.Errorf("tampered signature: error = %v, want ErrSignatureInvalid", err)
				}
				if _, err := v.Verify(tamperContent(t, der, tokenJSON), cms.FormDER); !errors.Is(err, cms.ErrSignatureInvalid) {
					t.Errorf("tampered content: error = %v, want ErrSignatureInvalid", err)
				}
				wrong, err := cms.LoadVerifier(p.CertFile, other.CAFile)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := wrong.VerifyToken(token); !errors.Is(err, cms.ErrUntrustedSigner) {
					t.Errorf("wrong CA: error = %v, want ErrUntrustedSigner", err)
				}
			})
		}
	}
}

// openssl's defaults (signed attributes, the signer certificate embedded,
// S/MIME capabilities) verify too, with or without -certfile.
func TestGoVerifiesOpenSSLDefaultSignatures(t *testing.T) {
	bin := requireOpenSSL(t)
	p := newPKI(t, rsaKey)
	pemText, err := runOpenSSL(t, bin, []byte(tokenJSON),
		"cms", "-sign", "-signer", p.CertFile, "-inkey", p.KeyFile, "-outform", "PEM", "-nodetach")
	if err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, p)
	if got, err := v.Verify(pemText, cms.FormPEM); err != nil || string(got) != tokenJSON {
		t.Fatalf("Verify = %q, %v", got, err)
	}
	noSigning, err := cms.NewVerifier(nil, []*x509.Certificate{p.CA})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := noSigning.Verify(pemText, cms.FormPEM); err != nil || string(got) != tokenJSON {
		t.Fatalf("Verify with the embedded certificate = %q, %v", got, err)
	}
}
