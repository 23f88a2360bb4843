package cms_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/cms"
)

// The expected values below are what keystoneclient.common.cms returns for
// the same input.

func TestTokenToCMS(t *testing.T) {
	got := cms.TokenToCMS(strings.Repeat("ab-c/", 30))
	want := "-----BEGIN CMS-----\n" +
		"ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c\n" +
		"/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/c/ab/\n" +
		"c/ab/c/ab/c/ab/c/ab/c/\n" +
		"-----END CMS-----\n"
	if got != want {
		t.Errorf("TokenToCMS:\n got %q\nwant %q", got, want)
	}
	if got, want := cms.TokenToCMS(""), "-----BEGIN CMS-----\n-----END CMS-----\n"; got != want {
		t.Errorf("TokenToCMS(\"\") = %q, want %q", got, want)
	}
	exact := strings.Repeat("A", 128)
	if got, want := cms.TokenToCMS(exact), "-----BEGIN CMS-----\n"+exact[:64]+"\n"+exact[64:]+"\n-----END CMS-----\n"; got != want {
		t.Errorf("TokenToCMS(128 chars) = %q, want %q", got, want)
	}
}

func TestCMSToToken(t *testing.T) {
	for in, want := range map[string]string{
		"-----BEGIN CMS-----\nMIIab/c\nd/e\n-----END CMS-----\n":         "MIIab-cd-e",
		"-----BEGIN CMS-----\r\nMIIab/c\r\nd/e\r\n-----END CMS-----\r\n": "MIIab-cd-e",
		"": "",
	} {
		if got := cms.CMSToToken(in); got != want {
			t.Errorf("CMSToToken(%q) = %q, want %q", in, got, want)
		}
	}
	token := "MIIB" + strings.Repeat("xy-z+", 40)
	if got := cms.CMSToToken(cms.TokenToCMS(token)); got != token {
		t.Errorf("CMSToToken(TokenToCMS(t)) = %q, want %q", got, token)
	}
}

func TestIsASN1TokenAndIsPKIZ(t *testing.T) {
	for _, tc := range []struct {
		token      string
		asn1, pkiz bool
	}{
		{"MIIBxyz", true, false},
		{"MII", true, false},
		{"MI", false, false},
		{"PKIZ_eJx", false, true},
		{"PKIZ", false, false},
		{"pkiz_abc", false, false},
		{"gAAAAABfernet", false, false},
		{"3f2a9c2e-uuid", false, false},
		{"", false, false},
	} {
		if got := cms.IsASN1Token(tc.token); got != tc.asn1 {
			t.Errorf("IsASN1Token(%q) = %v", tc.token, got)
		}
		if got := cms.IsPKIZ(tc.token); got != tc.pkiz {
			t.Errorf("IsPKIZ(%q) = %v", tc.token, got)
		}
	}
}

func TestHashToken(t *testing.T) {
	if got, want := cms.HashToken("MIIabc"), "7da02632e3093fc3cd2ae2f0d6d68d9f"; got != want {
		t.Errorf("HashToken(MIIabc) = %q, want %q", got, want)
	}
	for _, id := range []string{"", "3f2a9c2e0ef24b2a8a0b5f3d1c2e4f60", "gAAAAABfernet"} {
		if got := cms.HashToken(id); got != id {
			t.Errorf("HashToken(%q) = %q, want it unchanged", id, got)
		}
	}
	for _, tc := range []struct{ token, mode, want string }{
		{"PKIZ_xyz", "sha256", "59ae5dc2b9cc3d724119bae9ac684b2942fcb2c2a3b464170de9703c3b7e813d"},
		{"PKIZ_xyz", "SHA256", "59ae5dc2b9cc3d724119bae9ac684b2942fcb2c2a3b464170de9703c3b7e813d"},
		{"MIIabc", "sha3_256", "6986a3ef57a3c561a9be76902c7bf59be746196bf5278f5e77993fc2bf60162a"},
		{"MIIabc", "", "7da02632e3093fc3cd2ae2f0d6d68d9f"},
		{"uuid-token", "sha512", "uuid-token"},
	} {
		got, err := cms.HashTokenMode(tc.token, tc.mode)
		if err != nil || got != tc.want {
			t.Errorf("HashTokenMode(%q, %q) = %q, %v; want %q", tc.token, tc.mode, got, err, tc.want)
		}
	}
	for _, mode := range []string{"md4", "whirlpool", "sha-256"} {
		if _, err := cms.HashTokenMode("MIIabc", mode); !errors.Is(err, cms.ErrUnsupportedDigest) {
			t.Errorf("HashTokenMode(mode %q) error = %v, want ErrUnsupportedDigest", mode, err)
		}
	}
	for _, mode := range []string{"md5", "sha1", "sha224", "sha384", "sha512", "sha512_224", "sha512_256", "sha3_224", "sha3_384", "sha3_512"} {
		got, err := cms.HashTokenMode("MIIabc", mode)
		if err != nil || got == "" || got == "MIIabc" {
			t.Errorf("HashTokenMode(mode %q) = %q, %v", mode, got, err)
		}
	}
}

func TestParseDigest(t *testing.T) {
	for _, name := range []string{"", "sha256", "SHA256", "sha-256", "sha1", "sha384", "sha512"} {
		if _, err := cms.ParseDigest(name); err != nil {
			t.Errorf("ParseDigest(%q): %v", name, err)
		}
	}
	for _, name := range []string{"md5", "sha224", "sha3-256", "nope"} {
		if _, err := cms.ParseDigest(name); !errors.Is(err, cms.ErrUnsupportedDigest) {
			t.Errorf("ParseDigest(%q) error = %v, want ErrUnsupportedDigest", name, err)
		}
	}
}
