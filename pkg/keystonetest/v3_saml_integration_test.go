//go:build integration

package keystonetest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestSAMLSignatureXmlsec1 has xmlsec1 (the program Keystone signs its
// assertions with) verify the fake's enveloped signatures with the metadata's
// certificate: the digest of the canonical assertion and the signature of
// SignedInfo. A changed assertion, or another key, must fail.
func TestSAMLSignatureXmlsec1(t *testing.T) {
	xmlsec1, err := exec.LookPath("xmlsec1")
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("xmlsec1 is missing (python3-pysaml2 pulls it in; scripts/keystone-local.sh install): %v", err)
		}
		t.Skip("xmlsec1 is not installed")
	}
	srv := keystonetest.NewServer(t)
	_, cert := samlMetadataCert(t, srv)
	dir := t.TempDir()
	certFile := filepath.Join(dir, "cert.pem")
	writePEM(t, certFile, cert.Raw)
	otherFile := filepath.Join(dir, "other.pem")
	writePEM(t, otherFile, otherCert(t))

	// Names that exercise canonicalization: escaping, non-ASCII, quotes.
	_, tok, spID := samlSetup(t, srv, `Zoë & <"co"> 'x' >`, `g "quoted" \ é & <`)
	verify := func(t *testing.T, name string, doc []byte, keyFile string) error {
		t.Helper()
		f := filepath.Join(dir, name+".xml")
		if err := os.WriteFile(f, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		// --trusted-pem: the certificate in KeyInfo is the metadata's,
		// self-signed; --pubkey-cert-pem: the key to verify with.
		out, err := exec.CommandContext(t.Context(), xmlsec1, "--verify",
			"--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
			"--pubkey-cert-pem", keyFile, "--trusted-pem", keyFile, "--enabled-key-data", "rsa,x509", f).CombinedOutput()
		if err != nil {
			return &verifyError{err, string(out)}
		}
		return nil
	}
	for _, path := range []string{"/v3/auth/OS-FEDERATION/saml2", "/v3/auth/OS-FEDERATION/saml2/ecp"} {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			code, doc, _ := samlCall(t, srv, "", http.MethodPost, path, samlRequest(tok, spID))
			if code != 200 {
				t.Fatalf("%d %s", code, doc)
			}
			if err := verify(t, name, doc, certFile); err != nil {
				t.Fatalf("xmlsec1 does not verify the assertion: %v\n%s", err, doc)
			}
			// A changed assertion: the digest no longer matches.
			changed := strings.Replace(string(doc), "<saml:NameID>Zo", "<saml:NameID>Xo", 1)
			if changed == string(doc) {
				t.Fatal("no NameID to change")
			}
			if verify(t, name+"-changed", []byte(changed), certFile) == nil {
				t.Error("xmlsec1 verifies a changed assertion")
			}
			// Another key.
			if verify(t, name+"-other", doc, otherFile) == nil {
				t.Error("xmlsec1 verifies the assertion with another key")
			}
		})
	}
}

type verifyError struct {
	err    error
	output string
}

func (e *verifyError) Error() string { return e.err.Error() + ": " + e.output }

func writePEM(t *testing.T, file string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// otherCert is a self-signed certificate of another key.
func otherCert(t *testing.T) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "other"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
