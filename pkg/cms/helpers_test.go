package cms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI is a throw-away CA and a signing certificate it issued, also
// written as PEM files (like keystone's certfile, keyfile and ca_certs).
type testPKI struct {
	CA         *x509.Certificate
	CAKey      crypto.Signer
	Cert       *x509.Certificate
	Key        crypto.Signer
	CAFile     string
	CertFile   string
	KeyFile    string
	dir        string
	nextSerial int64
}

type keyKind int

const (
	rsaKey keyKind = iota
	ecKey
)

func newKey(t testing.TB, kind keyKind) crypto.Signer {
	t.Helper()
	var (
		k   crypto.Signer
		err error
	)
	switch kind {
	case ecKey:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newPKI makes a CA and a signing certificate with keys of the given kind.
func newPKI(t testing.TB, kind keyKind) *testPKI {
	t.Helper()
	// Random serial numbers, as real CAs use, so that two test PKIs never
	// issue the same issuer-and-serial pair.
	start, err := rand.Int(rand.Reader, big.NewInt(1<<40))
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{dir: t.TempDir(), nextSerial: start.Int64() + 1}
	p.CAKey = newKey(t, kind)
	var der []byte
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(p.nextSerial),
		Subject:               pkix.Name{CommonName: "Test Keystone CA", Organization: []string{"gokeystone"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, p.CAKey.Public(), p.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	if p.CA, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	p.Cert, p.Key = p.issue(t, "Test Keystone Signing", kind)
	p.CAFile = p.writeCert(t, "ca.pem", p.CA)
	p.CertFile = p.writeCert(t, "signing_cert.pem", p.Cert)
	p.KeyFile = p.writeKey(t, "signing_key.pem", p.Key)
	return p
}

// issue makes another certificate signed by the CA.
func (p *testPKI) issue(t testing.TB, cn string, kind keyKind) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	key := newKey(t, kind)
	p.nextSerial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.nextSerial),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"gokeystone"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(12 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.CA, key.Public(), p.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func (p *testPKI) writeCert(t testing.TB, name string, c *x509.Certificate) string {
	t.Helper()
	return p.write(t, name, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

func (p *testPKI) writeKey(t testing.TB, name string, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return p.write(t, name, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func (p *testPKI) write(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
