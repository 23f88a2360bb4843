package keystone_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	stdlog "log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// certPEM encodes a server's certificate as a CA bundle.
func certPEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

func TestTLSWithCABundle(t *testing.T) {
	srv := keystonetest.NewServer(t, keystonetest.WithTLS())
	get := func(s *keystone.Session) error {
		resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3", NoAuth: true})
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(newSession(t, keystone.WithRetryPolicy(keystone.RetryPolicy{}))); !errors.Is(err, keystone.ErrTLS) {
		t.Fatalf("unknown CA: got %v, want ErrTLS", err)
	}
	if err := get(newSession(t, keystone.WithCACertPEM(certPEM(srv.Certificate())))); err != nil {
		t.Fatalf("CA PEM: %v", err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, certPEM(srv.Certificate()), 0o600)
	if err := get(newSession(t, keystone.WithCACertFile(caFile))); err != nil {
		t.Fatalf("CA file: %v", err)
	}
	log, buf := debugLogger()
	if err := get(newSession(t, keystone.WithInsecure(), keystone.WithLogger(log))); err != nil {
		t.Fatalf("insecure: %v", err)
	}
	if !strings.Contains(buf.String(), "verification is disabled") {
		t.Errorf("insecure logged no warning: %s", buf.String())
	}
	if _, err := keystone.NewSession(keystone.WithCACertPEM([]byte("not a certificate"))); !errors.Is(err, keystone.ErrTLS) {
		t.Errorf("bad CA bundle: %v", err)
	}
}

func TestTLSClientCertificate(t *testing.T) {
	// A CA that signs the client certificate; the server demands it.
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	clientKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	clientTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	clientDER, err := x509.CreateCertificate(rand.Reader, clientTmpl, ca, &clientKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: clientDER}), 0o600)
	keyDER, _ := x509.MarshalECPrivateKey(clientKey)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.TLS.PeerCertificates[0].Subject.CommonName))
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = stdlog.New(io.Discard, "", 0) // the refused handshake below is expected
	srv.StartTLS()
	defer srv.Close()

	s := newSession(t, keystone.WithCACertPEM(certPEM(srv.Certificate())), keystone.WithClientCert(certFile, keyFile))
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL, NoAuth: true})
	if err != nil {
		t.Fatalf("with a client certificate: %v", err)
	}
	resp.Body.Close()
	s = newSession(t, keystone.WithCACertPEM(certPEM(srv.Certificate())), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	if _, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL, NoAuth: true}); err == nil {
		t.Error("a server demanding a client certificate accepted none")
	}
	if _, err := keystone.NewSession(keystone.WithClientCert(certFile, filepath.Join(dir, "missing.key"))); !errors.Is(err, keystone.ErrTLS) {
		t.Errorf("missing key: %v", err)
	}
}
