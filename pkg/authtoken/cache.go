package authtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/tokenstore"
)

// SharedCache is a cache that several processes share (memcached, Redis),
// where a fleet of services keeps the results of token validations so that
// each token is validated at Keystone once for the whole fleet.
//
// The middleware never gives it a token: keys are HMAC-SHA256 digests of the
// token under Options.SharedCacheKey, and values are sealed with AES-GCM
// under a key derived from it, so a reader of the cache learns neither the
// tokens nor the identities. Errors of a SharedCache never fail a request:
// the middleware logs them and goes on with its memory cache.
type SharedCache interface {
	Get(ctx context.Context, key string) ([]byte, error) // nil, nil when absent
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// MinSharedCacheKeyLen is the shortest Options.SharedCacheKey accepted.
const MinSharedCacheKeyLen = 32

// maxSharedValue bounds what the middleware accepts from a SharedCache: a
// larger value is ignored (a token body with a large catalog is well below).
const maxSharedValue = 8 << 20

// sharedKeyPrefix starts every key the middleware gives a SharedCache.
const sharedKeyPrefix = "gokeystone/authtoken/v1/"

// sealer derives the cache keys of tokens and seals the cached values: a
// tokenstore.Protector with the ENCRYPT strategy (keys derived from the one
// secret with HKDF-SHA256, values sealed with AES-256-GCM bound to their
// key), the protection the fleet's token stores use.
type sealer struct{ p *tokenstore.Protector }

// newSealer checks key's length and derives the protector's keys from it.
func newSealer(key []byte) (*sealer, error) {
	if len(key) < MinSharedCacheKeyLen {
		return nil, fmt.Errorf("%w: authtoken: Options.SharedCacheKey has %d bytes, at least %d are needed",
			keystone.ErrInvalidArgument, len(key), MinSharedCacheKeyLen)
	}
	p, err := tokenstore.NewProtector(string(key), tokenstore.Encrypt)
	if err != nil {
		return nil, fmt.Errorf("authtoken: %w", err)
	}
	return &sealer{p: p}, nil
}

// key returns the SharedCache key of token: a keyed digest, never the token.
func (s *sealer) key(token string) string { return sharedKeyPrefix + s.p.KeyName("v", token) }

// seal encrypts plain, bound to key (a value copied under another key does
// not open).
func (s *sealer) seal(key string, plain []byte) ([]byte, error) { return s.p.Seal(key, plain) }

// errSealed is why a shared value cannot be used.
var errSealed = errors.New("authtoken: shared cache value does not open (tampered, another key, or another format)")

// open decrypts a value sealed under key.
func (s *sealer) open(key string, sealed []byte) ([]byte, error) {
	if len(sealed) > maxSharedValue {
		return nil, errSealed
	}
	plain, err := s.p.Open(key, sealed)
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}

// sharedRecord is what the middleware keeps in a SharedCache (sealed): the
// result of one validation. Body is the token body Keystone answered, which
// (for v3) does not hold the token ID.
type sharedRecord struct {
	Valid bool `json:"valid"`
	// AllowExpiredChecked: the token was found invalid even with
	// allow_expired.
	AllowExpiredChecked bool            `json:"allow_expired_checked,omitempty"`
	ValidatedAt         int64           `json:"validated_at"` // Unix nanoseconds
	Until               int64           `json:"until"`        // Unix nanoseconds
	Body                json.RawMessage `json:"body,omitempty"`
}

// entry is the result of one validation, as the memory cache keeps it, with
// everything a request needs precomputed. It is immutable but for used.
type entry struct {
	valid               bool
	allowExpiredChecked bool
	ai                  *keystone.AccessInfo
	body                []byte // the token body, for the shared cache
	tokenExpires        time.Time
	validatedAt         time.Time
	staleAt             time.Time // revalidate from then on
	deadline            time.Time // never use from then on

	serviceRoleOK bool      // carries one of Options.ServiceTokenRoles
	user          headerSet // the headers of a user token
	service       headerSet // the headers of a service token
	ident         *identity // the context value when it is the only token

	used atomic.Bool // for eviction (CLOCK)
}

// usable reports whether e may answer a request at now: within its
// deadline, and, for a valid token, not expired unless allowExpired.
func (e *entry) usable(now time.Time, allowExpired bool) bool {
	if !now.Before(e.deadline) {
		return false
	}
	if !e.valid {
		return !allowExpired || e.allowExpiredChecked
	}
	return true
}

// tokenValid reports whether e says the token is valid at now.
func (e *entry) tokenValid(now time.Time, allowExpired bool) bool {
	return e.valid && (allowExpired || now.Before(e.tokenExpires))
}

const memShards = 32

// memCache is the process's cache of validations: a bounded, sharded map
// that reads under a read lock and evicts expired entries first, then those
// not used lately (the CLOCK approximation of LRU).
type memCache struct {
	seed     maphash.Seed
	perShard int
	shards   [memShards]memShard
}

type memShard struct {
	mu sync.RWMutex
	m  map[string]*entry
}

func newMemCache(max int) *memCache {
	c := &memCache{seed: maphash.MakeSeed(), perShard: max/memShards + 1}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*entry)
	}
	return c
}

func (c *memCache) shard(token string) *memShard {
	return &c.shards[maphash.String(c.seed, token)%memShards]
}

func (c *memCache) get(token string) *entry {
	s := c.shard(token)
	s.mu.RLock()
	e := s.m[token]
	s.mu.RUnlock()
	if e != nil && !e.used.Load() {
		e.used.Store(true)
	}
	return e
}

func (c *memCache) put(token string, e *entry, now time.Time) {
	s := c.shard(token)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[token]; !ok && len(s.m) >= c.perShard {
		s.evict(now)
	}
	s.m[token] = e
}

// evict removes the expired entries, or else one entry not used since the
// last sweep. Callers hold s.mu.
func (s *memShard) evict(now time.Time) {
	n := len(s.m)
	for k, e := range s.m {
		if !now.Before(e.deadline) {
			delete(s.m, k)
		}
	}
	if len(s.m) < n {
		return
	}
	for range 2 {
		for k, e := range s.m {
			if !e.used.Swap(false) {
				delete(s.m, k)
				return
			}
		}
	}
	for k := range s.m {
		delete(s.m, k)
		return
	}
}

// len is the number of entries (for tests).
func (c *memCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}
