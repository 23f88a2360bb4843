package tokenstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// SecurityStrategy says how entries are protected in the cache, as
// keystonemiddleware's memcache_security_strategy does.
type SecurityStrategy string

const (
	// MAC authenticates each entry with an HMAC-SHA256 under a key derived
	// from the secret: the cache can read the tokens, but nobody without
	// the secret can forge or alter one.
	MAC SecurityStrategy = "MAC"
	// Encrypt encrypts and authenticates each entry with AES-256-GCM under
	// a key derived from the secret: the cache sees neither the tokens nor
	// what they are for.
	Encrypt SecurityStrategy = "ENCRYPT"
)

// ParseSecurityStrategy reads a strategy the way keystonemiddleware does,
// ignoring case: "MAC" or "ENCRYPT" ("" is MAC).
func ParseSecurityStrategy(s string) (SecurityStrategy, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", string(MAC):
		return MAC, nil
	case string(Encrypt):
		return Encrypt, nil
	}
	return "", fmt.Errorf("%w: tokenstore: unknown security strategy %q (want MAC or ENCRYPT)", keystone.ErrInvalidArgument, s)
}

// MinSecretLength is the shortest secret a Protector accepts, in bytes.
const MinSecretLength = 16

// The labels of the keys derived from the secret (HKDF-SHA256 info): each
// key has one purpose.
const (
	labelDigest  = "gokeystone/tokenstore/v1/digest-key"
	labelKeyName = "gokeystone/tokenstore/v1/cache-key-names"
	labelMAC     = "gokeystone/tokenstore/v1/mac-key"
	labelEncrypt = "gokeystone/tokenstore/v1/encryption-key"
)

// entryMagic starts every sealed entry; the byte after it is the strategy.
const entryMagic = "gkt1"

const (
	headerLen = len(entryMagic) + 1
	macLen    = sha256.Size
	nonceLen  = 12
	gcmTagLen = 16
)

// Why an entry was refused (for the debug log and the tests; no data).
var (
	errTruncated = errors.New("entry too short")
	errFormat    = errors.New("not a gokeystone token store entry")
	errStrategy  = errors.New("entry sealed with another security strategy")
	errAuth      = errors.New("entry fails authentication (tampered, or another secret)")
)

// Protector seals and opens cache entries, and names cache keys, with keys
// derived from one secret: every process given the same secret and strategy
// derives the same keys. It never prints its keys or the secret.
type Protector struct {
	strategy  SecurityStrategy
	digestKey []byte // TokenStore.DigestKey
	nameKey   []byte // cache key names
	macKey    []byte // MAC
	aead      cipher.AEAD
}

// NewProtector derives the keys of secret (at least MinSecretLength bytes)
// for strategy ("" is MAC).
func NewProtector(secret string, strategy SecurityStrategy) (*Protector, error) {
	st, err := ParseSecurityStrategy(string(strategy))
	if err != nil {
		return nil, err
	}
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("%w: tokenstore: the secret must be at least %d bytes long", keystone.ErrInvalidArgument, MinSecretLength)
	}
	var derr error
	derive := func(label string) []byte {
		k, err := hkdf.Key(sha256.New, []byte(secret), nil, label, 32)
		if err != nil && derr == nil { // only for an impossible key length
			derr = err
		}
		return k
	}
	p := &Protector{
		strategy:  st,
		digestKey: derive(labelDigest),
		nameKey:   derive(labelKeyName),
	}
	switch st {
	case MAC:
		p.macKey = derive(labelMAC)
	case Encrypt:
		key := derive(labelEncrypt)
		if derr != nil {
			return nil, derr
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		if p.aead, err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	if derr != nil {
		return nil, derr
	}
	return p, nil
}

// Strategy returns the protector's security strategy.
func (p *Protector) Strategy() SecurityStrategy { return p.strategy }

// String names the strategy, never a key.
func (p *Protector) String() string { return "tokenstore.Protector{" + string(p.strategy) + "}" }

// DigestKey returns the key of keystone.TokenStore.DigestKey: HKDF-SHA256 of
// the secret with a fixed label, the same in every process (whatever the
// strategy). The caller may keep it but must not modify it.
func (p *Protector) DigestKey() []byte { return append([]byte(nil), p.digestKey...) }

// KeyName returns the name of key in the cache, under kind ("t" for a token,
// "l" for a lock): kind, a colon and the hex HMAC-SHA256 of the strategy,
// kind and key under a key derived from the secret. The key itself never
// reaches the cache.
func (p *Protector) KeyName(kind, key string) string {
	m := hmac.New(sha256.New, p.nameKey)
	writeField(m, string(p.strategy))
	writeField(m, kind)
	writeField(m, key)
	return kind + ":" + hex.EncodeToString(m.Sum(nil))
}

type writer interface{ Write([]byte) (int, error) }

// writeField writes s preceded by its length: fields never run together.
func writeField(w writer, s string) {
	w.Write(binary.AppendUvarint(nil, uint64(len(s))))
	w.Write([]byte(s))
}

// header returns the entry header of the strategy.
func (p *Protector) header() []byte {
	return []byte(entryMagic + string(p.strategy[0]))
}

// aad is what is authenticated besides the data: the header and the name of
// the entry, so that an entry moved under another key is refused.
func (p *Protector) aad(name string) []byte {
	b := p.header()
	b = binary.AppendUvarint(b, uint64(len(name)))
	return append(b, name...)
}

// Overhead is how many bytes Seal adds to the data.
func (p *Protector) Overhead() int {
	if p.strategy == Encrypt {
		return headerLen + nonceLen + gcmTagLen
	}
	return headerLen + macLen
}

// Seal protects data for the cache entry named name (see KeyName).
func (p *Protector) Seal(name string, data []byte) ([]byte, error) {
	out := make([]byte, 0, len(data)+p.Overhead())
	out = append(out, p.header()...)
	switch p.strategy {
	case Encrypt:
		nonce := make([]byte, nonceLen)
		if _, err := rand.Read(nonce); err != nil {
			return nil, err
		}
		out = append(out, nonce...)
		return p.aead.Seal(out, nonce, data, p.aad(name)), nil
	default:
		out = append(out, data...)
		return append(out, p.mac(name, data)...), nil
	}
}

func (p *Protector) mac(name string, data []byte) []byte {
	m := hmac.New(sha256.New, p.macKey)
	m.Write(p.aad(name))
	m.Write(data)
	return m.Sum(nil)
}

// Open returns the data of an entry sealed by Seal for name with the same
// secret and strategy. Anything else (altered, truncated, sealed under
// another name, secret or strategy, or not an entry at all) is an error that
// says which, without data.
func (p *Protector) Open(name string, entry []byte) ([]byte, error) {
	if len(entry) < headerLen {
		return nil, errTruncated
	}
	if string(entry[:len(entryMagic)]) != entryMagic {
		return nil, errFormat
	}
	if entry[len(entryMagic)] != p.strategy[0] {
		if b := entry[len(entryMagic)]; b == MAC[0] || b == Encrypt[0] {
			return nil, errStrategy
		}
		return nil, errFormat
	}
	body := entry[headerLen:]
	switch p.strategy {
	case Encrypt:
		if len(body) < nonceLen+gcmTagLen {
			return nil, errTruncated
		}
		data, err := p.aead.Open(nil, body[:nonceLen], body[nonceLen:], p.aad(name))
		if err != nil {
			return nil, errAuth
		}
		return data, nil
	default:
		if len(body) < macLen {
			return nil, errTruncated
		}
		data, tag := body[:len(body)-macLen], body[len(body)-macLen:]
		if !hmac.Equal(tag, p.mac(name, data)) {
			return nil, errAuth
		}
		return append([]byte(nil), data...), nil
	}
}
