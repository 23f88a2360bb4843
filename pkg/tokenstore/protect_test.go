package tokenstore

import (
	"bytes"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
)

const testSecret = "0123456789abcdef-test-secret"

func protectors(t testing.TB) []*Protector {
	t.Helper()
	var ps []*Protector
	for _, st := range []SecurityStrategy{MAC, Encrypt} {
		p, err := NewProtector(testSecret, st)
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestProtectorRoundTrip(t *testing.T) {
	for _, p := range protectors(t) {
		for _, data := range [][]byte{nil, {}, []byte("x"), bytes.Repeat([]byte("token"), 1000)} {
			e, err := p.Seal("name", data)
			if err != nil {
				t.Fatal(err)
			}
			if len(e) != len(data)+p.Overhead() {
				t.Errorf("%s: %d bytes sealed, want %d", p, len(e), len(data)+p.Overhead())
			}
			got, err := p.Open("name", e)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s: Open = %q, %v", p, got, err)
			}
			if p.Strategy() == Encrypt && len(data) > 4 && bytes.Contains(e, data) {
				t.Errorf("ENCRYPT entry holds the data")
			}
		}
	}
}

func TestProtectorRefuses(t *testing.T) {
	data := []byte(`{"token":"secret-token-value"}`)
	foreign, err := NewProtector("another secret, long enough", MAC)
	if err != nil {
		t.Fatal(err)
	}
	foreignEnc, err := NewProtector("another secret, long enough", Encrypt)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range protectors(t) {
		e, _ := p.Seal("name", data)
		// Every single-bit change and every truncation is refused.
		for i := range e {
			for bit := range 8 {
				c := append([]byte(nil), e...)
				c[i] ^= 1 << bit
				if got, err := p.Open("name", c); err == nil {
					t.Fatalf("%s: byte %d bit %d flipped: opened %q", p, i, bit, got)
				}
			}
		}
		for n := range len(e) {
			_, err := p.Open("name", e[:n])
			if err == nil {
				t.Fatalf("%s: truncated to %d bytes: opened", p, n)
			}
			if n < headerLen && !errors.Is(err, errTruncated) {
				t.Errorf("%s: %d bytes: %v, want errTruncated", p, n, err)
			}
		}
		if _, err := p.Open("name", append(e, 0)); err == nil {
			t.Errorf("%s: an appended byte: opened", p)
		}
		if _, err := p.Open("another name", e); !errors.Is(err, errAuth) {
			t.Errorf("%s: under another name: %v, want errAuth", p, err)
		}
		if _, err := p.Open("name", data); !errors.Is(err, errFormat) {
			t.Errorf("%s: plain data: %v, want errFormat", p, err)
		}
		for _, f := range []*Protector{foreign, foreignEnc} {
			fe, _ := f.Seal("name", data)
			_, err := p.Open("name", fe)
			want := errAuth
			if f.Strategy() != p.Strategy() {
				want = errStrategy
			}
			if !errors.Is(err, want) {
				t.Errorf("%s: a %s entry of another secret: %v, want %v", p, f, err, want)
			}
		}
		for _, err := range []error{errTruncated, errFormat, errStrategy, errAuth} {
			if strings.Contains(err.Error(), "secret-token") {
				t.Errorf("the error shows data")
			}
		}
	}
}

func TestDigestKey(t *testing.T) {
	ps := protectors(t)
	again, _ := NewProtector(testSecret, MAC)
	if !bytes.Equal(ps[0].DigestKey(), ps[1].DigestKey()) || !bytes.Equal(ps[0].DigestKey(), again.DigestKey()) {
		t.Errorf("DigestKey depends on more than the secret")
	}
	other, _ := NewProtector(testSecret+"!", MAC)
	if bytes.Equal(other.DigestKey(), ps[0].DigestKey()) {
		t.Errorf("two secrets, one DigestKey")
	}
	// Pinned: processes of different versions share the cache only if the
	// derivation never changes (HKDF-SHA256, no salt, info = the label:
	// computed independently with Python's hmac module).
	const want = "0f46bce4ffbce2d36db084f8f76e9cdc9c405fb0796486f5cc5a126a18510fbe"
	if got := hex.EncodeToString(ps[0].DigestKey()); got != want {
		t.Errorf("DigestKey(%q) = %s, want %s", testSecret, got, want)
	}
	k := ps[0].DigestKey()
	k[0] ^= 1
	if bytes.Equal(k, ps[0].DigestKey()) {
		t.Errorf("DigestKey returns the protector's own slice")
	}
	if bytes.Contains([]byte(ps[0].String()), []byte(testSecret)) {
		t.Errorf("String shows the secret")
	}
}

func TestKeyName(t *testing.T) {
	ps := protectors(t)
	re := regexp.MustCompile(`^t:[0-9a-f]{64}$`)
	n := ps[0].KeyName("t", "my-raw-key")
	if !re.MatchString(n) || strings.Contains(n, "my-raw-key") {
		t.Errorf("KeyName = %q", n)
	}
	if n == ps[1].KeyName("t", "my-raw-key") {
		t.Errorf("MAC and ENCRYPT share key names")
	}
	if n == ps[0].KeyName("l", "my-raw-key") || n == ps[0].KeyName("t", "my-raw-kez") {
		t.Errorf("distinct keys share a name")
	}
	again, _ := NewProtector(testSecret, MAC)
	if n != again.KeyName("t", "my-raw-key") {
		t.Errorf("KeyName differs between processes")
	}
}

func TestNewProtectorErrors(t *testing.T) {
	if _, err := NewProtector("short", MAC); err == nil {
		t.Errorf("a short secret is accepted")
	} else if strings.Contains(err.Error(), "short") {
		t.Errorf("the error shows the secret: %v", err)
	}
	if _, err := NewProtector(testSecret, "ROT13"); err == nil {
		t.Errorf("an unknown strategy is accepted")
	}
	for in, want := range map[string]SecurityStrategy{"": MAC, "mac": MAC, "Encrypt": Encrypt, " ENCRYPT ": Encrypt} {
		if got, err := ParseSecurityStrategy(in); err != nil || got != want {
			t.Errorf("ParseSecurityStrategy(%q) = %q, %v", in, got, err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	ps := protectors(f)
	// The fuzzing workers are other processes: the nonces of the seeds are
	// not theirs, but the plaintexts are.
	seeds := map[string]bool{}
	for _, p := range ps {
		for _, d := range []string{"", "x", `{"token":"t"}`} {
			seeds[d] = true
			e, _ := p.Seal("name", []byte(d))
			f.Add(e)
			f.Add(e[:len(e)-1])
			f.Add(e[:headerLen])
			f.Add(append(append([]byte(nil), e...), 'x'))
		}
	}
	f.Add([]byte{})
	f.Add([]byte("gkt1"))
	f.Add([]byte("gkt1M"))
	f.Add([]byte("gkt1E"))
	f.Add([]byte("gkt1X0123456789012345678901234567890123456789"))
	f.Fuzz(func(t *testing.T, entry []byte) {
		for _, p := range ps {
			got, err := p.Open("name", entry)
			if err != nil {
				continue
			}
			switch p.Strategy() {
			case MAC: // deterministic: only the exact seal opens
				if e, _ := p.Seal("name", got); !bytes.Equal(e, entry) {
					t.Fatalf("forged MAC entry opened: %q", entry)
				}
			default:
				if !seeds[string(got)] || len(entry) != len(got)+p.Overhead() {
					t.Fatalf("forged ENCRYPT entry opened: %q", entry)
				}
			}
		}
	})
}

func FuzzSealOpen(f *testing.F) {
	ps := protectors(f)
	f.Add("name", []byte(`{"token":"t"}`))
	f.Add("", []byte{})
	f.Add("t:00", []byte{0, 1, 2})
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		for _, p := range ps {
			e, err := p.Seal(name, data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Open(name, e)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%s: round trip: %q, %v", p, got, err)
			}
			if _, err := p.Open(name+"x", e); err == nil {
				t.Fatalf("%s: opened under another name", p)
			}
		}
	})
}
