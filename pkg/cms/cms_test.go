package cms_test

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/gokeystone/keystone/pkg/cms"
)

const tokenJSON = `{"access": {"token": {"id": "placeholder", "expires": "2026-11-28T12:00:00Z"}, "user": {"name": "alice"}}}`

func mustSigner(t testing.TB, p *testPKI) *cms.Signer {
	t.Helper()
	s, err := cms.LoadSigner(p.CertFile, p.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustVerifier(t testing.TB, p *testPKI) *cms.Verifier {
	t.Helper()
	v, err := cms.LoadVerifier(p.CertFile, p.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSignVerifyRoundTrip(t *testing.T) {
	for _, kind := range []struct {
		name string
		kind keyKind
	}{{"rsa", rsaKey}, {"ecdsa", ecKey}} {
		p := newPKI(t, kind.kind)
		v := mustVerifier(t, p)
		for _, digest := range []crypto.Hash{0, crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			t.Run(fmt.Sprintf("%s/%v", kind.name, digest), func(t *testing.T) {
				s := mustSigner(t, p)
				s.Digest = digest

				pemText, err := s.SignText(tokenJSON)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(pemText, "-----BEGIN CMS-----\n") || !strings.HasSuffix(pemText, "-----END CMS-----\n") {
					t.Fatalf("SignText is not CMS PEM: %q", pemText)
				}
				got, err := v.Verify([]byte(pemText), cms.FormPEM)
				if err != nil || string(got) != tokenJSON {
					t.Fatalf("Verify(PEM) = %q, %v", got, err)
				}

				der, err := s.SignData([]byte(tokenJSON), cms.FormDER)
				if err != nil {
					t.Fatal(err)
				}
				if got, err := v.Verify(der, cms.FormDER); err != nil || string(got) != tokenJSON {
					t.Fatalf("Verify(DER) = %q, %v", got, err)
				}

				token, err := s.SignToken(tokenJSON)
				if err != nil {
					t.Fatal(err)
				}
				if !cms.IsASN1Token(token) || strings.ContainsAny(token, "/\n") {
					t.Fatalf("SignToken gave %q", token)
				}
				if got, err := v.VerifyToken(token); err != nil || string(got) != tokenJSON {
					t.Fatalf("VerifyToken = %q, %v", got, err)
				}

				pkiz, err := s.SignPKIZ(tokenJSON)
				if err != nil {
					t.Fatal(err)
				}
				if !cms.IsPKIZ(pkiz) {
					t.Fatalf("SignPKIZ gave %q", pkiz)
				}
				if got, err := v.VerifyPKIZ(pkiz); err != nil || string(got) != tokenJSON {
					t.Fatalf("VerifyPKIZ = %q, %v", got, err)
				}
			})
		}
	}
}

// The message is what openssl's -nodetach -nocerts -noattr make: the content
// inside, no certificates, no signed attributes.
func TestSignedMessageShape(t *testing.T) {
	p := newPKI(t, rsaKey)
	der, err := mustSigner(t, p).SignDER([]byte(tokenJSON))
	if err != nil {
		t.Fatal(err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(p7.Certificates) != 0 {
		t.Errorf("message carries %d certificates, want none", len(p7.Certificates))
	}
	if string(p7.Content) != tokenJSON {
		t.Errorf("content = %q", p7.Content)
	}
	if len(p7.Signers) != 1 {
		t.Fatalf("%d signers", len(p7.Signers))
	}
	si := p7.Signers[0]
	if len(si.AuthenticatedAttributes) != 0 || len(si.UnauthenticatedAttributes) != 0 {
		t.Errorf("signer has attributes")
	}
	if !si.DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA256) {
		t.Errorf("digest = %v, want SHA-256", si.DigestAlgorithm.Algorithm)
	}
	if !si.DigestEncryptionAlgorithm.Algorithm.Equal(pkcs7.OIDEncryptionAlgorithmRSA) {
		t.Errorf("signature algorithm = %v, want rsaEncryption", si.DigestEncryptionAlgorithm.Algorithm)
	}
	if si.IssuerAndSerialNumber.SerialNumber.Cmp(p.Cert.SerialNumber) != 0 {
		t.Errorf("signer serial = %v", si.IssuerAndSerialNumber.SerialNumber)
	}
}

func TestEmptyContent(t *testing.T) {
	p := newPKI(t, ecKey)
	tok, err := mustSigner(t, p).SignToken("")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := mustVerifier(t, p).VerifyToken(tok); err != nil || len(got) != 0 {
		t.Fatalf("VerifyToken = %q, %v", got, err)
	}
}

// tamperSignature flips a bit in the last byte of the DER message, which is
// the end of the signature (there are no unsigned attributes).
func tamperSignature(der []byte) []byte {
	out := bytes.Clone(der)
	out[len(out)-1] ^= 0x01
	return out
}

// tamperContent changes one character of the signed content in place.
func tamperContent(t testing.TB, der []byte, content string) []byte {
	t.Helper()
	i := bytes.Index(der, []byte(content))
	if i < 0 {
		t.Fatal("content not found in message")
	}
	out := bytes.Clone(der)
	out[i+strings.Index(content, "alice")] = 'A'
	return out
}

func TestTamperedMessageRefused(t *testing.T) {
	for _, kind := range []keyKind{rsaKey, ecKey} {
		p := newPKI(t, kind)
		v := mustVerifier(t, p)
		der, err := mustSigner(t, p).SignDER([]byte(tokenJSON))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(tamperSignature(der), cms.FormDER); !errors.Is(err, cms.ErrSignatureInvalid) {
			t.Errorf("tampered signature: error = %v, want ErrSignatureInvalid", err)
		}
		bad := tamperContent(t, der, tokenJSON)
		if _, err := v.Verify(bad, cms.FormDER); !errors.Is(err, cms.ErrSignatureInvalid) {
			t.Errorf("tampered content: error = %v, want ErrSignatureInvalid", err)
		}
		tok := cms.CMSToToken(string(pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: bad})))
		if _, err := v.VerifyToken(tok); !errors.Is(err, cms.ErrSignatureInvalid) {
			t.Errorf("tampered token: error = %v, want ErrSignatureInvalid", err)
		}
	}
}

func TestWrongCARefused(t *testing.T) {
	p := newPKI(t, rsaKey)
	other := newPKI(t, rsaKey)
	token, err := mustSigner(t, p).SignToken(tokenJSON)
	if err != nil {
		t.Fatal(err)
	}
	// Right signing certificate, wrong CA.
	v, err := cms.LoadVerifier(p.CertFile, other.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.VerifyToken(token)
	if !errors.Is(err, cms.ErrUntrustedSigner) {
		t.Fatalf("error = %v, want ErrUntrustedSigner", err)
	}
	var unknownAuthority x509.UnknownAuthorityError
	if !errors.As(err, &unknownAuthority) {
		t.Errorf("error %v does not wrap x509.UnknownAuthorityError", err)
	}
	// The other PKI's signing certificate is not the signer.
	if _, err := mustVerifier(t, other).VerifyToken(token); !errors.Is(err, cms.ErrSignerNotFound) {
		t.Errorf("error = %v, want ErrSignerNotFound", err)
	}
}

func TestSignedWithAnotherKeyRefused(t *testing.T) {
	// A message that names the signing certificate but was signed with
	// another key of the same CA.
	p := newPKI(t, rsaKey)
	_, otherKey := p.issue(t, "impostor", rsaKey)
	s := &cms.Signer{Certificate: p.Cert, Key: otherKey}
	tok, err := s.SignToken(tokenJSON)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustVerifier(t, p).VerifyToken(tok); !errors.Is(err, cms.ErrSignatureInvalid) {
		t.Errorf("error = %v, want ErrSignatureInvalid", err)
	}
}

func TestCertificateValidity(t *testing.T) {
	p := newPKI(t, ecKey)
	tok, err := mustSigner(t, p).SignToken(tokenJSON)
	if err != nil {
		t.Fatal(err)
	}
	v := mustVerifier(t, p)
	v.Time = time.Now().Add(48 * time.Hour)
	if _, err := v.VerifyToken(tok); !errors.Is(err, cms.ErrUntrustedSigner) {
		t.Errorf("expired: error = %v, want ErrUntrustedSigner", err)
	}
	v.Time = time.Now().Add(-48 * time.Hour)
	if _, err := v.VerifyToken(tok); !errors.Is(err, cms.ErrUntrustedSigner) {
		t.Errorf("not yet valid: error = %v, want ErrUntrustedSigner", err)
	}
}

func TestIntermediateAmongSigningCerts(t *testing.T) {
	// The signing certificates may include the intermediate CA up to the root.
	root := newPKI(t, rsaKey)
	interCert, interKey := root.issue(t, "Intermediate", rsaKey)
	// Re-issue the intermediate as a CA so that it can sign.
	inter := &testPKI{CA: interCert, CAKey: interKey, dir: t.TempDir(), nextSerial: 100}
	caTmpl := *interCert
	caTmpl.IsCA, caTmpl.BasicConstraintsValid = true, true
	caTmpl.KeyUsage = x509.KeyUsageCertSign
	der, err := x509.CreateCertificate(rand.Reader, &caTmpl, root.CA, interKey.Public(), root.CAKey)
	if err != nil {
		t.Fatal(err)
	}
	if inter.CA, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	leaf, leafKey := inter.issue(t, "Leaf signer", rsaKey)
	s, err := cms.NewSigner(leaf, leafKey)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.SignToken(tokenJSON)
	if err != nil {
		t.Fatal(err)
	}
	v, err := cms.NewVerifier([]*x509.Certificate{leaf, inter.CA}, []*x509.Certificate{root.CA})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.VerifyToken(tok); err != nil || string(got) != tokenJSON {
		t.Fatalf("VerifyToken = %q, %v", got, err)
	}
	v2, err := cms.NewVerifier([]*x509.Certificate{leaf}, []*x509.Certificate{root.CA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v2.VerifyToken(tok); !errors.Is(err, cms.ErrUntrustedSigner) {
		t.Errorf("without the intermediate: error = %v, want ErrUntrustedSigner", err)
	}
}

func TestInvalidMessages(t *testing.T) {
	p := newPKI(t, ecKey)
	v := mustVerifier(t, p)
	der, err := mustSigner(t, p).SignDER([]byte(tokenJSON))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		msg  []byte
		form cms.Form
	}{
		"empty PEM":        {nil, cms.FormPEM},
		"empty DER":        {nil, cms.FormDER},
		"not PEM":          {[]byte("hello"), cms.FormPEM},
		"certificate PEM":  {pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Cert.Raw}), cms.FormPEM},
		"garbage CMS PEM":  {pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: []byte("garbage")}), cms.FormPEM},
		"garbage DER":      {[]byte{0x30, 0x82, 0xff, 0xff, 0x01}, cms.FormDER},
		"truncated DER":    {der[:len(der)/2], cms.FormDER},
		"a certificate":    {p.Cert.Raw, cms.FormDER},
		"DER given as PEM": {der, cms.FormPEM},
		"unknown form":     {der, cms.Form(7)},
		"empty token body": {[]byte(cms.TokenToCMS("")), cms.FormPEM},
		"bad token base64": {[]byte(cms.TokenToCMS("MII!!!")), cms.FormPEM},
	} {
		if _, err := v.Verify(tc.msg, tc.form); !errors.Is(err, cms.ErrInvalidCMS) {
			t.Errorf("%s: error = %v, want ErrInvalidCMS", name, err)
		}
	}
	if _, err := v.VerifyToken("not-a-token"); !errors.Is(err, cms.ErrInvalidCMS) {
		t.Errorf("VerifyToken(garbage): error = %v, want ErrInvalidCMS", err)
	}
	var nilVerifier *cms.Verifier
	if _, err := nilVerifier.Verify(der, cms.FormDER); !errors.Is(err, cms.ErrCertificateConfig) {
		t.Errorf("nil Verifier: error = %v, want ErrCertificateConfig", err)
	}
}

func zlibB64(t testing.TB, data []byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return base64.URLEncoding.EncodeToString(buf.Bytes())
}

func TestPKIZ(t *testing.T) {
	p := newPKI(t, rsaKey)
	s := mustSigner(t, p)
	v := mustVerifier(t, p)

	tok, err := s.SignPKIZ(tokenJSON)
	if err != nil {
		t.Fatal(err)
	}
	// Like keystoneclient, the compressed message is PEM text.
	msg, err := cms.PKIZUncompress(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(msg, []byte("-----BEGIN CMS-----\n")) {
		t.Errorf("PKIZ message is not PEM: %q", msg[:20])
	}
	// Padded or not.
	if got, err := v.VerifyPKIZ(strings.TrimRight(tok, "=")); err != nil || string(got) != tokenJSON {
		t.Errorf("VerifyPKIZ(unpadded) = %q, %v", got, err)
	}
	// A PKIZ token around a DER message verifies too.
	der, err := s.SignDER([]byte(tokenJSON))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.VerifyPKIZ(cms.PKIZPrefix + zlibB64(t, der)); err != nil || string(got) != tokenJSON {
		t.Errorf("VerifyPKIZ(DER inside) = %q, %v", got, err)
	}
	// Every level works.
	for level := zlib.HuffmanOnly; level <= zlib.BestCompression; level++ {
		tok, err := s.SignPKIZLevel(tokenJSON, level)
		if err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
		if got, err := v.VerifyPKIZ(tok); err != nil || string(got) != tokenJSON {
			t.Errorf("level %d: VerifyPKIZ = %q, %v", level, got, err)
		}
	}
	for _, level := range []int{-3, 10} {
		if _, err := s.SignPKIZLevel(tokenJSON, level); !errors.Is(err, cms.ErrSigning) {
			t.Errorf("level %d: error = %v, want ErrSigning", level, err)
		}
	}
	// A tampered PKIZ message.
	bad := cms.PKIZPrefix + zlibB64(t, tamperSignature(der))
	if _, err := v.VerifyPKIZ(bad); !errors.Is(err, cms.ErrSignatureInvalid) {
		t.Errorf("tampered PKIZ: error = %v, want ErrSignatureInvalid", err)
	}
}

func TestInvalidPKIZ(t *testing.T) {
	p := newPKI(t, ecKey)
	v := mustVerifier(t, p)
	bomb := cms.PKIZPrefix + zlibB64(t, make([]byte, cms.MaxPKIZSize+1))
	for name, tok := range map[string]string{
		"no prefix":    "eJxLTEoGAAJNASc=",
		"empty":        "",
		"prefix only":  cms.PKIZPrefix,
		"bad base64":   cms.PKIZPrefix + "!!!!",
		"std base64":   cms.PKIZPrefix + "ab+/",
		"not zlib":     cms.PKIZPrefix + base64.URLEncoding.EncodeToString([]byte("plain text")),
		"truncated":    cms.PKIZPrefix + zlibB64(t, []byte(tokenJSON))[:12],
		"empty inside": cms.PKIZPrefix + zlibB64(t, nil),
		"bomb":         bomb,
	} {
		if _, err := cms.PKIZUncompress(tok); !errors.Is(err, cms.ErrInvalidPKIZ) {
			t.Errorf("%s: PKIZUncompress error = %v, want ErrInvalidPKIZ", name, err)
		}
		if _, err := v.VerifyPKIZ(tok); !errors.Is(err, cms.ErrInvalidPKIZ) {
			t.Errorf("%s: VerifyPKIZ error = %v, want ErrInvalidPKIZ", name, err)
		}
	}
	if _, err := v.VerifyPKIZ(cms.PKIZPrefix + zlibB64(t, []byte("not CMS"))); !errors.Is(err, cms.ErrInvalidCMS) {
		t.Errorf("PKIZ of garbage: error = %v, want ErrInvalidCMS", err)
	}
}

func TestLoadErrors(t *testing.T) {
	p := newPKI(t, rsaKey)
	other := newPKI(t, rsaKey)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pem")
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	encrypted := filepath.Join(dir, "enc.pem")
	if err := os.WriteFile(encrypted, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, files := range map[string][2]string{
		"missing cert":       {missing, p.KeyFile},
		"missing key":        {p.CertFile, missing},
		"garbage cert":       {garbage, p.KeyFile},
		"empty cert":         {empty, p.KeyFile},
		"empty key":          {p.CertFile, empty},
		"key given as cert":  {p.KeyFile, p.KeyFile},
		"cert given as key":  {p.CertFile, p.CertFile},
		"encrypted key":      {p.CertFile, encrypted},
		"key of another one": {p.CertFile, other.KeyFile},
	} {
		if _, err := cms.LoadSigner(files[0], files[1]); !errors.Is(err, cms.ErrCertificateConfig) {
			t.Errorf("LoadSigner %s: error = %v, want ErrCertificateConfig", name, err)
		}
	}
	for name, files := range map[string][2]string{
		"missing signing cert": {missing, p.CAFile},
		"missing CA":           {p.CertFile, missing},
		"garbage CA":           {p.CertFile, garbage},
		"empty CA":             {p.CertFile, empty},
	} {
		if _, err := cms.LoadVerifier(files[0], files[1]); !errors.Is(err, cms.ErrCertificateConfig) {
			t.Errorf("LoadVerifier %s: error = %v, want ErrCertificateConfig", name, err)
		}
	}
	if _, err := cms.NewVerifier([]*x509.Certificate{p.Cert}, nil); !errors.Is(err, cms.ErrCertificateConfig) {
		t.Errorf("NewVerifier without CA: error = %v", err)
	}
	if _, err := cms.NewVerifier([]*x509.Certificate{nil}, []*x509.Certificate{p.CA}); !errors.Is(err, cms.ErrCertificateConfig) {
		t.Errorf("NewVerifier with nil cert: error = %v", err)
	}
	if _, err := cms.NewSigner(nil, p.Key); !errors.Is(err, cms.ErrCertificateConfig) {
		t.Errorf("NewSigner(nil): error = %v", err)
	}
	if _, err := cms.NewSigner(p.Cert, other.Key); !errors.Is(err, cms.ErrCertificateConfig) {
		t.Errorf("NewSigner(mismatched key): error = %v", err)
	}
}

func TestLoadKeyFormats(t *testing.T) {
	for _, kind := range []keyKind{rsaKey, ecKey} {
		p := newPKI(t, kind)
		var keyPEM []byte
		switch k := p.Key.(type) {
		case *rsa.PrivateKey:
			keyPEM = pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
		case *ecdsa.PrivateKey:
			der, err := x509.MarshalECPrivateKey(k)
			if err != nil {
				t.Fatal(err)
			}
			// openssl ecparam -genkey writes EC PARAMETERS first.
			keyPEM = append([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"),
				pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})...)
		}
		file := p.write(t, "legacy_key.pem", keyPEM)
		s, err := cms.LoadSigner(p.CertFile, file)
		if err != nil {
			t.Fatalf("LoadSigner: %v", err)
		}
		tok, err := s.SignToken(tokenJSON)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mustVerifier(t, p).VerifyToken(tok); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSignerErrors(t *testing.T) {
	p := newPKI(t, rsaKey)
	s := mustSigner(t, p)
	s.Digest = crypto.MD5
	if _, err := s.SignToken(tokenJSON); !errors.Is(err, cms.ErrUnsupportedDigest) {
		t.Errorf("MD5 digest: error = %v, want ErrUnsupportedDigest", err)
	}
	var nilSigner *cms.Signer
	if _, err := nilSigner.SignText(tokenJSON); !errors.Is(err, cms.ErrCertificateConfig) {
		t.Errorf("nil Signer: error = %v, want ErrCertificateConfig", err)
	}
	if _, err := (&cms.Signer{}).SignPKIZ(tokenJSON); !errors.Is(err, cms.ErrCertificateConfig) {
		t.Errorf("empty Signer: error = %v, want ErrCertificateConfig", err)
	}
	if _, err := mustSigner(t, p).SignData([]byte(tokenJSON), cms.Form(9)); !errors.Is(err, cms.ErrSigning) {
		t.Errorf("unknown form: error = %v, want ErrSigning", err)
	}
	if cms.FormPEM.String() != "PEM" || cms.FormDER.String() != "DER" || cms.Form(9).String() != "Form(9)" {
		t.Error("Form.String")
	}
}

func TestConcurrentUse(t *testing.T) {
	p := newPKI(t, ecKey)
	s, v := mustSigner(t, p), mustVerifier(t, p)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := fmt.Sprintf(`{"n": %d}`, i)
			tok, err := s.SignPKIZ(text)
			if err != nil {
				errs <- err
				return
			}
			got, err := v.VerifyPKIZ(tok)
			if err != nil || string(got) != text {
				errs <- fmt.Errorf("VerifyPKIZ = %q, %v", got, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
