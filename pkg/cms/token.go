package cms

import (
	"crypto"
	"crypto/md5"  //nolint:gosec // Keystone's token IDs are MD5 digests by default.
	"crypto/sha1" //nolint:gosec // offered because hashlib offers it.
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

const (
	// PKIASN1Prefix starts every PKI token: it is the base64 encoding of
	// 0x30 0x82, the DER header of a SEQUENCE whose length takes two bytes.
	PKIASN1Prefix = "MII"

	// PKIZPrefix starts every PKIZ token.
	PKIZPrefix = "PKIZ_"

	// DefaultTokenHashMode is the algorithm HashToken uses, as cms_hash_token
	// does.
	DefaultTokenHashMode = "md5"

	pemBegin = "-----BEGIN CMS-----"
	pemEnd   = "-----END CMS-----"
	pemType  = "CMS"
)

// IsASN1Token reports whether token looks like a PKI token, that is, starts
// with "MII" (is_asn1_token). Like keystoneclient, it does not recognise a
// message shorter than 256 bytes (whose token starts with "MIG" or "MIH"),
// which only tiny content signed with an ECDSA key can give, nor one of 64
// KiB or more.
func IsASN1Token(token string) bool {
	return strings.HasPrefix(token, PKIASN1Prefix)
}

// IsPKIZ reports whether token is a PKIZ token, that is, starts with "PKIZ_"
// (is_pkiz).
func IsPKIZ(token string) bool {
	return strings.HasPrefix(token, PKIZPrefix)
}

// CMSToToken turns a PEM-encoded CMS message into a PKI token
// (cms_to_token): it removes the "-----BEGIN CMS-----" and "-----END
// CMS-----" lines' delimiters and all line breaks, and replaces every '/' with
// '-' so that the token can travel in an HTTP header. Carriage returns are
// removed too, so CRLF PEM gives the same token as LF PEM.
func CMSToToken(pemText string) string {
	s := strings.ReplaceAll(pemText, "/", "-")
	s = strings.ReplaceAll(s, pemBegin, "")
	s = strings.ReplaceAll(s, pemEnd, "")
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", "")
}

// TokenToCMS turns a PKI token back into the PEM text of its CMS message
// (token_to_cms): '-' becomes '/', the body is cut into lines of 64
// characters, and the CMS header and footer are added. The result ends with
// a newline.
func TokenToCMS(token string) string {
	body := strings.ReplaceAll(token, "-", "/")
	var b strings.Builder
	b.Grow(len(body) + len(body)/64 + len(pemBegin) + len(pemEnd) + 4)
	b.WriteString(pemBegin)
	b.WriteByte('\n')
	for len(body) > 64 {
		b.WriteString(body[:64])
		b.WriteByte('\n')
		body = body[64:]
	}
	if body != "" {
		b.WriteString(body)
		b.WriteByte('\n')
	}
	b.WriteString(pemEnd)
	b.WriteByte('\n')
	return b.String()
}

// HashToken returns the MD5 hex digest of a PKI or PKIZ token, the ID that
// Keystone gives such a token; any other token (a UUID or Fernet token, or
// the empty string) is returned unchanged. It is cms_hash_token with its
// default mode.
func HashToken(token string) string {
	h, _ := HashTokenMode(token, DefaultTokenHashMode) // md5 is always supported
	return h
}

// HashTokenMode is HashToken with the hash algorithm named by mode, as
// hashlib names them (case is ignored): "md5", "sha1", "sha224", "sha256",
// "sha384", "sha512", "sha512_224", "sha512_256", "sha3_224", "sha3_256",
// "sha3_384" or "sha3_512"; an empty mode means "md5". Another name gives an
// error matching ErrUnsupportedDigest, even for a token that would not be
// hashed.
func HashTokenMode(token, mode string) (string, error) {
	newHash, err := hashForMode(mode)
	if err != nil {
		return "", err
	}
	if !IsASN1Token(token) && !IsPKIZ(token) {
		return token, nil
	}
	h := newHash()
	h.Write([]byte(token))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashForMode(mode string) (func() hash.Hash, error) {
	switch strings.ToLower(mode) {
	case "", "md5":
		return md5.New, nil
	case "sha1":
		return sha1.New, nil
	case "sha224":
		return sha256.New224, nil
	case "sha256":
		return sha256.New, nil
	case "sha384":
		return sha512.New384, nil
	case "sha512":
		return sha512.New, nil
	case "sha512_224":
		return sha512.New512_224, nil
	case "sha512_256":
		return sha512.New512_256, nil
	case "sha3_224":
		return func() hash.Hash { return sha3.New224() }, nil
	case "sha3_256":
		return func() hash.Hash { return sha3.New256() }, nil
	case "sha3_384":
		return func() hash.Hash { return sha3.New384() }, nil
	case "sha3_512":
		return func() hash.Hash { return sha3.New512() }, nil
	}
	return nil, fmt.Errorf("%w: hash mode %q", ErrUnsupportedDigest, mode)
}

// ParseDigest returns the digest algorithm that openssl's -md option names:
// "sha1", "sha256", "sha384" or "sha512" (case and dashes are ignored, so
// "SHA-256" works too). An empty name means "sha256", the default of
// keystoneclient (DEFAULT_TOKEN_DIGEST_ALGORITHM). Another name gives an
// error matching ErrUnsupportedDigest.
func ParseDigest(name string) (crypto.Hash, error) {
	switch strings.ReplaceAll(strings.ToLower(name), "-", "") {
	case "", "sha256":
		return crypto.SHA256, nil
	case "sha1":
		return crypto.SHA1, nil
	case "sha384":
		return crypto.SHA384, nil
	case "sha512":
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnsupportedDigest, name)
}
