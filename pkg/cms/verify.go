package cms

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"time"

	"github.com/smallstep/pkcs7"
)

// Verifier checks CMS messages as `openssl cms -verify -certfile
// signing.pem -CAfile ca.pem -nosmimecap -nodetach -nocerts -noattr` does,
// and returns their content. It is safe for concurrent use once made; do not
// change its fields while it verifies.
//
// Unlike openssl, which by default requires a signing certificate fit for
// S/MIME signing (no extended key usage, or one that allows email
// protection), a Verifier accepts a signing certificate with any extended
// key usage.
type Verifier struct {
	// SigningCertificates are the certificates that may have signed a
	// message (openssl's -certfile); they may also serve as intermediates.
	SigningCertificates []*x509.Certificate
	// Roots are the trusted CA certificates (openssl's -CAfile).
	Roots *x509.CertPool
	// Time is the time at which certificates must be valid; zero means the
	// current time.
	Time time.Time
}

// NewVerifier returns a Verifier that trusts messages signed by one of
// signingCerts when that certificate chains to one of caCerts. An error
// matches ErrCertificateConfig.
func NewVerifier(signingCerts, caCerts []*x509.Certificate) (*Verifier, error) {
	if len(caCerts) == 0 {
		return nil, fmt.Errorf("%w: no CA certificate", ErrCertificateConfig)
	}
	roots := x509.NewCertPool()
	for _, c := range caCerts {
		if c == nil {
			return nil, fmt.Errorf("%w: nil CA certificate", ErrCertificateConfig)
		}
		roots.AddCert(c)
	}
	var signers []*x509.Certificate
	for _, c := range signingCerts {
		if c == nil {
			return nil, fmt.Errorf("%w: nil signing certificate", ErrCertificateConfig)
		}
		signers = append(signers, c)
	}
	return &Verifier{SigningCertificates: signers, Roots: roots}, nil
}

// LoadVerifier reads the PEM signing certificate(s) and the PEM CA
// certificate(s) from the files that cms_verify takes, and returns
// NewVerifier of them. An error matches ErrCertificateConfig.
func LoadVerifier(signingCertFile, caFile string) (*Verifier, error) {
	signers, err := loadCertificates(signingCertFile)
	if err != nil {
		return nil, err
	}
	cas, err := loadCertificates(caFile)
	if err != nil {
		return nil, err
	}
	return NewVerifier(signers, cas)
}

// loadCertificates reads every CERTIFICATE block of a PEM file; it fails
// when the file cannot be read or holds no certificate.
func loadCertificates(file string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCertificateConfig, err)
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCertificateConfig, file, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w: %s: no PEM certificate found", ErrCertificateConfig, file)
	}
	return certs, nil
}

// Verify checks a CMS SignedData message in the given form and returns its
// content (cms_verify). A PEM message may be labelled CMS or PKCS7. The
// errors match ErrInvalidCMS, ErrSignerNotFound, ErrUntrustedSigner or
// ErrSignatureInvalid.
func (v *Verifier) Verify(message []byte, form Form) ([]byte, error) {
	if v == nil || v.Roots == nil {
		return nil, fmt.Errorf("%w: verifier has no CA certificates", ErrCertificateConfig)
	}
	der, err := toDER(message, form)
	if err != nil {
		return nil, err
	}
	return v.verifyDER(der)
}

// VerifyToken checks a PKI token and returns its content (verify_token):
// Verify of TokenToCMS(token).
func (v *Verifier) VerifyToken(token string) ([]byte, error) {
	return v.Verify([]byte(TokenToCMS(token)), FormPEM)
}

// VerifyPKIZ checks a PKIZ token and returns its content (pkiz_verify). The
// compressed message may be PEM (as keystoneclient makes them) or DER. The
// errors are those of PKIZUncompress and Verify.
func (v *Verifier) VerifyPKIZ(token string) ([]byte, error) {
	msg, err := PKIZUncompress(token)
	if err != nil {
		return nil, err
	}
	form := FormDER
	if bytes.HasPrefix(bytes.TrimLeft(msg, " \t\r\n"), []byte("-----BEGIN ")) {
		form = FormPEM
	}
	return v.Verify(msg, form)
}

func toDER(message []byte, form Form) ([]byte, error) {
	switch form {
	case FormDER:
		if len(message) == 0 {
			return nil, fmt.Errorf("%w: empty message", ErrInvalidCMS)
		}
		return message, nil
	case FormPEM:
		block, _ := pem.Decode(message)
		if block == nil {
			return nil, fmt.Errorf("%w: no PEM block found", ErrInvalidCMS)
		}
		if block.Type != pemType && block.Type != "PKCS7" {
			return nil, fmt.Errorf("%w: unexpected PEM type %q", ErrInvalidCMS, block.Type)
		}
		if len(block.Bytes) == 0 {
			return nil, fmt.Errorf("%w: empty PEM block", ErrInvalidCMS)
		}
		return block.Bytes, nil
	}
	return nil, fmt.Errorf("%w: unknown form %v", ErrInvalidCMS, form)
}

// parse runs pkcs7.Parse, turning a panic of the parser on hostile input
// into an error.
func parse(der []byte) (p7 *pkcs7.PKCS7, err error) {
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, fmt.Errorf("%w: malformed message: %v", ErrInvalidCMS, r)
		}
	}()
	p7, err = pkcs7.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidCMS, err)
	}
	return p7, nil
}

// checkSignatures runs the library's signature check without a trust store
// (the chain is checked separately), turning a panic into an error.
func checkSignatures(p7 *pkcs7.PKCS7) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: malformed signer: %v", ErrSignatureInvalid, r)
		}
	}()
	if err := p7.Verify(); err != nil {
		return fmt.Errorf("%w: %w", ErrSignatureInvalid, err)
	}
	return nil
}

func (v *Verifier) verifyDER(der []byte) ([]byte, error) {
	p7, err := parse(der)
	if err != nil {
		return nil, err
	}
	if len(p7.Signers) == 0 {
		return nil, fmt.Errorf("%w: not a SignedData message with a signer", ErrInvalidCMS)
	}
	// The message's own certificates (none with -nocerts) and the
	// configured signing certificates, as openssl's -certfile adds them.
	var known []*x509.Certificate
	for _, c := range p7.Certificates {
		if c != nil {
			known = append(known, c)
		}
	}
	for _, c := range v.SigningCertificates {
		if c != nil {
			known = append(known, c)
		}
	}
	intermediates := x509.NewCertPool()
	for _, c := range known {
		intermediates.AddCert(c)
	}
	opts := x509.VerifyOptions{
		Roots:         v.Roots,
		Intermediates: intermediates,
		CurrentTime:   v.Time,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	for i, si := range p7.Signers {
		ias := si.IssuerAndSerialNumber
		if ias.SerialNumber == nil || len(ias.IssuerName.FullBytes) == 0 {
			return nil, fmt.Errorf("%w: signer %d has no issuer and serial number", ErrInvalidCMS, i)
		}
		var ee *x509.Certificate
		for _, c := range known {
			if c.SerialNumber != nil && c.SerialNumber.Cmp(ias.SerialNumber) == 0 &&
				bytes.Equal(c.RawIssuer, ias.IssuerName.FullBytes) {
				ee = c
				break
			}
		}
		if ee == nil {
			return nil, fmt.Errorf("%w: serial number %s", ErrSignerNotFound, ias.SerialNumber)
		}
		if _, err := ee.Verify(opts); err != nil {
			return nil, fmt.Errorf("%w: %q: %w", ErrUntrustedSigner, ee.Subject.String(), err)
		}
	}
	p7.Certificates = known
	if err := checkSignatures(p7); err != nil {
		return nil, err
	}
	return bytes.Clone(p7.Content), nil
}
