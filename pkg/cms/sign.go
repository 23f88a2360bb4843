package cms

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/smallstep/pkcs7"
)

// DefaultPKIZCompressionLevel is the zlib level SignPKIZ uses, as pkiz_sign
// does.
const DefaultPKIZCompressionLevel = 6

// Form is the encoding of a CMS message: FormPEM or FormDER.
type Form int

const (
	// FormPEM is the base64 text between "-----BEGIN CMS-----" and
	// "-----END CMS-----" lines (openssl's -outform PEM).
	FormPEM Form = iota
	// FormDER is the binary DER encoding (openssl's -outform DER).
	FormDER
)

// String returns "PEM" or "DER".
func (f Form) String() string {
	switch f {
	case FormPEM:
		return "PEM"
	case FormDER:
		return "DER"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// Signer signs data as `openssl cms -sign -nosmimecap -nodetach -nocerts
// -noattr` does. A Signer is safe for concurrent use once made; do not change
// its fields while it signs.
type Signer struct {
	// Certificate is the signing certificate. It identifies the signer in
	// the message (by issuer and serial number) but is not embedded in it.
	Certificate *x509.Certificate
	// Key is the private key of Certificate: an *rsa.PrivateKey, an
	// *ecdsa.PrivateKey or another crypto.Signer with an RSA or ECDSA key.
	Key crypto.Signer
	// Digest is the message digest: crypto.SHA1, SHA256, SHA384 or SHA512.
	// Zero means SHA-256, keystoneclient's default (see ParseDigest).
	Digest crypto.Hash
}

// NewSigner returns a Signer for cert and key, with the SHA-256 digest. It
// checks that key is the private key of cert; an error matches
// ErrCertificateConfig.
func NewSigner(cert *x509.Certificate, key crypto.Signer) (*Signer, error) {
	if cert == nil || key == nil {
		return nil, fmt.Errorf("%w: nil certificate or key", ErrCertificateConfig)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%w: private key does not match the signing certificate", ErrCertificateConfig)
	}
	switch key.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrCertificateConfig, key.Public())
	}
	return &Signer{Certificate: cert, Key: key, Digest: crypto.SHA256}, nil
}

// LoadSigner reads a PEM signing certificate and a PEM private key (PKCS #8,
// PKCS #1 RSA or SEC 1 EC, unencrypted) from the files keystone calls
// certfile and keyfile, and returns NewSigner of them. An error matches
// ErrCertificateConfig.
func LoadSigner(certFile, keyFile string) (*Signer, error) {
	certs, err := loadCertificates(certFile)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCertificateConfig, err)
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCertificateConfig, keyFile, err)
	}
	return NewSigner(certs[0], key)
}

func parsePrivateKey(data []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no PEM private key found")
		}
		var (
			key any
			err error
		)
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("encrypted private keys are not supported")
		default:
			continue // such as "EC PARAMETERS"
		}
		if err != nil {
			return nil, err
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("unsupported private key type %T", key)
		}
		return signer, nil
	}
}

func (s *Signer) check() (asn1.ObjectIdentifier, error) {
	if s == nil || s.Certificate == nil || s.Key == nil {
		return nil, fmt.Errorf("%w: signer has no certificate or key", ErrCertificateConfig)
	}
	if _, ok := s.Key.Public().(ed25519.PublicKey); ok {
		return nil, fmt.Errorf("%w: Ed25519 keys are not supported", ErrCertificateConfig)
	}
	switch s.Digest {
	case 0, crypto.SHA256:
		return pkcs7.OIDDigestAlgorithmSHA256, nil
	case crypto.SHA1:
		return pkcs7.OIDDigestAlgorithmSHA1, nil
	case crypto.SHA384:
		return pkcs7.OIDDigestAlgorithmSHA384, nil
	case crypto.SHA512:
		return pkcs7.OIDDigestAlgorithmSHA512, nil
	}
	return nil, fmt.Errorf("%w: %v", ErrUnsupportedDigest, s.Digest)
}

// SignDER signs data and returns the DER encoding of the CMS SignedData
// message, which carries data, no signed attributes and no certificates.
func (s *Signer) SignDER(data []byte) ([]byte, error) {
	digest, err := s.check()
	if err != nil {
		return nil, err
	}
	signed, err := pkcs7.NewSignedData(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSigning, err)
	}
	signed.SetDigestAlgorithm(digest)
	if _, ok := s.Key.Public().(*rsa.PublicKey); ok {
		// openssl writes rsaEncryption, not sha256WithRSAEncryption.
		signed.SetEncryptionAlgorithm(pkcs7.OIDEncryptionAlgorithmRSA)
	}
	// -noattr: the signature is over the content itself.
	if err := signed.SignWithoutAttr(s.Certificate, s.Key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSigning, err)
	}
	// -nocerts: SignWithoutAttr also queues the signing certificate for
	// the message, so move the signature into a SignedData without it.
	bare, err := pkcs7.NewSignedData(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSigning, err)
	}
	from, to := signed.GetSignedData(), bare.GetSignedData()
	to.DigestAlgorithmIdentifiers = from.DigestAlgorithmIdentifiers
	to.SignerInfos = from.SignerInfos
	der, err := bare.Finish()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSigning, err)
	}
	return der, nil
}

// SignData signs data and returns the CMS message in the given form
// (cms_sign_data): PEM text with "-----BEGIN CMS-----" and "-----END
// CMS-----" lines, or DER.
func (s *Signer) SignData(data []byte, form Form) ([]byte, error) {
	if form != FormPEM && form != FormDER {
		return nil, fmt.Errorf("%w: unknown form %v", ErrSigning, form)
	}
	der, err := s.SignDER(data)
	if err != nil {
		return nil, err
	}
	if form == FormDER {
		return der, nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der}), nil
}

// SignText signs text and returns the PEM text of the CMS message
// (cms_sign_text).
func (s *Signer) SignText(text string) (string, error) {
	out, err := s.SignData([]byte(text), FormPEM)
	return string(out), err
}

// SignToken signs text, such as the JSON of a token's data, and returns it
// as a PKI token (cms_sign_token): CMSToToken of the PEM message.
func (s *Signer) SignToken(text string) (string, error) {
	out, err := s.SignText(text)
	if err != nil {
		return "", err
	}
	return CMSToToken(out), nil
}

// SignPKIZ signs text and returns it as a PKIZ token (pkiz_sign): "PKIZ_"
// and the padded base64url encoding of the message's PEM text compressed by
// zlib at DefaultPKIZCompressionLevel.
func (s *Signer) SignPKIZ(text string) (string, error) {
	return s.SignPKIZLevel(text, DefaultPKIZCompressionLevel)
}

// SignPKIZLevel is SignPKIZ with a zlib compression level from
// zlib.HuffmanOnly (-2) to zlib.BestCompression (9).
func (s *Signer) SignPKIZLevel(text string, level int) (string, error) {
	if level < zlib.HuffmanOnly || level > zlib.BestCompression {
		return "", fmt.Errorf("%w: invalid compression level %d", ErrSigning, level)
	}
	signed, err := s.SignData([]byte(text), FormPEM)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, level)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrSigning, err)
	}
	if _, err := zw.Write(signed); err != nil {
		return "", fmt.Errorf("%w: %w", ErrSigning, err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("%w: %w", ErrSigning, err)
	}
	return PKIZPrefix + base64.URLEncoding.EncodeToString(buf.Bytes()), nil
}
