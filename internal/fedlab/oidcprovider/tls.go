package oidcprovider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS file names under the directory LoadOrCreateTLS manages.
const (
	CAFile      = "ca.pem"     // the lab CA's certificate (what clients trust)
	CertFile    = "server.pem" // the provider's certificate, for 127.0.0.1, ::1 and localhost
	CertKeyFile = "server-key.pem"
)

// LoadOrCreateTLS returns the provider's TLS certificate from dir, making a
// throw-away CA and a loopback server certificate signed by it when they are
// missing. Clients trust dir/ca.pem. The CA's key is not kept.
func LoadOrCreateTLS(dir string) (tls.Certificate, error) {
	cert, key := filepath.Join(dir, CertFile), filepath.Join(dir, CertKeyFile)
	if c, err := tls.LoadX509KeyPair(cert, key); err == nil {
		if _, err := os.Stat(filepath.Join(dir, CAFile)); err == nil {
			return c, nil
		}
	}
	caPEM, certPEM, keyPEM, err := NewLoopbackCert(time.Now(), 365*24*time.Hour)
	if err != nil {
		return tls.Certificate{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return tls.Certificate{}, err
	}
	ca := filepath.Join(dir, CAFile)
	// Explicit modes, whatever the umask: the web server's user reads the CA.
	if err := errors.Join(
		os.WriteFile(key, keyPEM, 0o600), os.Chmod(key, 0o600),
		os.WriteFile(cert, certPEM, 0o644), os.Chmod(cert, 0o644),
		os.WriteFile(ca, caPEM, 0o644), os.Chmod(ca, 0o644), os.Chmod(dir, 0o755),
	); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// NewLoopbackCert makes a CA and a server certificate it signs for
// 127.0.0.1, ::1 and localhost; it returns the PEM of the CA certificate,
// of the server certificate and of the server's key.
func NewLoopbackCert(now time.Time, ttl time.Duration) (caPEM, certPEM, keyPEM []byte, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
		return n
	}
	ca := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "gokeystone federation lab CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(ttl),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	srv := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(ttl),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, DNSNames: []string{"localhost"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srv, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return nil, nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}
