package authtoken

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestEntryExpiryCheckedOnEveryHit(t *testing.T) {
	now := time.Now()
	// An entry whose cache deadline outlives the token (a clock step, a
	// shared value written by a misconfigured instance).
	e := &entry{valid: true, tokenExpires: now.Add(time.Minute), deadline: now.Add(time.Hour), staleAt: now.Add(time.Hour)}
	if !e.usable(now, false) || !e.tokenValid(now, false) {
		t.Fatal("a valid entry is not valid")
	}
	later := now.Add(2 * time.Minute)
	if e.tokenValid(later, false) {
		t.Error("an expired token is valid from the cache")
	}
	if !e.tokenValid(later, true) {
		t.Error("allow_expired does not accept an expired token")
	}
	neg := &entry{deadline: now.Add(time.Minute)}
	if !neg.usable(now, false) || neg.usable(now, true) {
		t.Error("a negative entry from a plain validation must not answer an allow_expired lookup")
	}
	neg.allowExpiredChecked = true
	if !neg.usable(now, true) {
		t.Error("a negative entry from an allow_expired validation answers both")
	}
	if neg.usable(now.Add(time.Minute), false) {
		t.Error("an entry is used past its deadline")
	}
}

func TestMemCacheEvictsExpiredFirst(t *testing.T) {
	now := time.Now()
	c := newMemCache(64)
	for i := range 1000 {
		deadline := now.Add(time.Hour)
		if i%2 == 0 {
			deadline = now.Add(-time.Second)
		}
		c.put(fmt.Sprint("tok-", i), &entry{deadline: deadline}, now)
	}
	if n := c.len(); n > 64+memShards {
		t.Errorf("%d entries, bound %d", n, 64+memShards)
	}
	// A recently used entry survives a sweep that can evict another.
	c = newMemCache(1) // one per shard... plus one
	c.put("a", &entry{deadline: now.Add(time.Hour)}, now)
	if c.get("a") == nil {
		t.Fatal("lost")
	}
}

func TestSealer(t *testing.T) {
	s, err := newSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	k := s.key("the-token")
	if strings.Contains(k, "the-token") || !strings.HasPrefix(k, sharedKeyPrefix) || k != s.key("the-token") || k == s.key("other") {
		t.Errorf("key %q", k)
	}
	sealed, err := s.seal(k, []byte("secret body"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("secret body")) {
		t.Error("not encrypted")
	}
	if p, err := s.open(k, sealed); err != nil || string(p) != "secret body" {
		t.Errorf("open: %q %v", p, err)
	}
	if _, err := s.open(s.key("other"), sealed); err == nil {
		t.Error("a value opens under another key")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s.open(k, sealed); err == nil {
		t.Error("a tampered value opens")
	}
	if _, err := s.open(k, nil); err == nil {
		t.Error("an empty value opens")
	}
	if _, err := newSealer([]byte("short")); err == nil {
		t.Error("a short key is accepted")
	}
}
