package cms_test

import (
	"encoding/pem"
	"testing"

	"github.com/gokeystone/keystone/pkg/cms"
)

// FuzzVerify checks that no input makes the verifier or the token
// transformations panic, and that whatever verifies is the signed content.
func FuzzVerify(f *testing.F) {
	p := newPKI(f, ecKey)
	s := mustSigner(f, p)
	v := mustVerifier(f, p)
	der, err := s.SignDER([]byte(tokenJSON))
	if err != nil {
		f.Fatal(err)
	}
	pkiz, err := s.SignPKIZ(tokenJSON)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(der)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: der}))
	f.Add([]byte(pkiz))
	f.Add(tamperSignature(der))
	f.Add(p.Cert.Raw)
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80})
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(name string, got []byte, err error) {
			if err == nil && string(got) != tokenJSON {
				t.Fatalf("%s verified unexpected content %q", name, got)
			}
		}
		got, err := v.Verify(data, cms.FormDER)
		check("Verify(DER)", got, err)
		got, err = v.Verify(data, cms.FormPEM)
		check("Verify(PEM)", got, err)
		got, err = v.VerifyToken(string(data))
		check("VerifyToken", got, err)
		got, err = v.VerifyPKIZ(string(data))
		check("VerifyPKIZ", got, err)
		_ = cms.HashToken(string(data))
		_ = cms.CMSToToken(cms.TokenToCMS(string(data)))
	})
}
