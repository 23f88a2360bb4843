package cms_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"math/big"
	"time"

	"github.com/gokeystone/keystone/pkg/cms"
)

// exampleCertificates makes a CA and a signing certificate, which a Keystone
// deployment keeps in files (see LoadSigner and LoadVerifier).
func exampleCertificates() (ca, signing *x509.Certificate, key *ecdsa.PrivateKey) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Example CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		log.Fatal(err)
	}
	ca, _ = x509.ParseCertificate(der)
	key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Example Keystone signing"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err = x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		log.Fatal(err)
	}
	signing, _ = x509.ParseCertificate(der)
	return ca, signing, key
}

// Sign a token's data as a PKIZ token, verify it, and hash it to the ID
// Keystone gives it.
func Example() {
	ca, cert, key := exampleCertificates()

	signer, err := cms.NewSigner(cert, key) // or cms.LoadSigner(certfile, keyfile)
	if err != nil {
		log.Fatal(err)
	}
	token, err := signer.SignPKIZ(`{"token": {"user": {"name": "alice"}}}`)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("PKIZ:", cms.IsPKIZ(token))

	verifier, err := cms.NewVerifier([]*x509.Certificate{cert}, []*x509.Certificate{ca}) // or cms.LoadVerifier
	if err != nil {
		log.Fatal(err)
	}
	data, err := verifier.VerifyPKIZ(token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(data))
	fmt.Println("ID length:", len(cms.HashToken(token)))

	// Failures match the package's sentinel errors.
	_, err = verifier.VerifyPKIZ("PKIZ_not-a-token")
	fmt.Println("refused:", errors.Is(err, cms.ErrInvalidPKIZ))
	// Output:
	// PKIZ: true
	// {"token": {"user": {"name": "alice"}}}
	// ID length: 32
	// refused: true
}

// Sign and verify a PKI token, the form whose text starts with "MII".
func ExampleSigner_SignToken() {
	ca, cert, key := exampleCertificates()
	signer, err := cms.NewSigner(cert, key)
	if err != nil {
		log.Fatal(err)
	}
	// A PKI token starts with "MII" once its message is 256 bytes or more,
	// which Keystone's token data always makes it.
	data := `{"access": {"token": {"id": "placeholder"}, "user": {"name": "alice", "roles": [{"name": "admin"}]}}}`
	token, err := signer.SignToken(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("PKI token:", cms.IsASN1Token(token))

	verifier, err := cms.NewVerifier([]*x509.Certificate{cert}, []*x509.Certificate{ca})
	if err != nil {
		log.Fatal(err)
	}
	got, err := verifier.VerifyToken(token)
	fmt.Println(string(got) == data, err)
	// Output:
	// PKI token: true
	// true <nil>
}
