// Package tokenstore shares tokens between processes and hosts through a
// cache server: a keystone.TokenStore over a key-value Backend, with the
// entries protected as keystonemiddleware's memcache_security_strategy does
// (MAC or ENCRYPT, under keys derived from a shared secret) and a lock entry
// per key, so that a fleet that finds no token authenticates once.
//
// The backends are in their own packages, so that a program pulls in only
// the client it uses: tokenstore/memcache (memcached) and tokenstore/redis
// (Redis).
//
// The cache is best-effort: when it is slow, down or full of entries that do
// not open, a Store behaves as an empty cache whose Lock is free, and the
// caller authenticates on its own. A keystone.Auth given a Store never fails
// because of the cache.
package tokenstore

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeystone/keystone/internal/sdkerr"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// ErrUnavailable is matched (errors.Is) by the errors of Store and Delete
// when the cache cannot be reached or does not answer in time. keystone.Auth
// only logs them: the token is still used.
var ErrUnavailable = sdkerr.New("tokenstore: the cache is unavailable")

// Backend is a key-value cache under a Store. Keys are at most 250 bytes of
// printable ASCII without spaces. Every method is bounded by ctx.
type Backend interface {
	// Get returns the value of key, or nil if there is none. It reads at
	// most limit+1 bytes of it: a longer value comes back truncated to
	// limit+1 bytes (or whole), and is refused by the Store.
	Get(ctx context.Context, key string, limit int) ([]byte, error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Add stores value under key for ttl only if key has no value, and
	// reports whether it did.
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key; a missing key is no error.
	Delete(ctx context.Context, key string) error
	// DeleteIfEqual removes key only if its value is value (atomically if the
	// cache can; otherwise as closely as it can).
	DeleteIfEqual(ctx context.Context, key string, value []byte) error
}

// Defaults of Options.
const (
	// DefaultKeyPrefix is the default Options.KeyPrefix.
	DefaultKeyPrefix = "gokeystone:"
	// DefaultTimeout is the default Options.Timeout.
	DefaultTimeout = 500 * time.Millisecond
	// DefaultLockTTL is the default Options.LockTTL.
	DefaultLockTTL = 30 * time.Second
	// DefaultLockWait is the default Options.LockWait: less than the quarter
	// of keystone.DefaultRefreshTimeout that keystone.Auth waits for a lock.
	DefaultLockWait = 10 * time.Second
	// DefaultTTL is the default Options.TTL.
	DefaultTTL = 24 * time.Hour
	// DefaultBackoff is the default Options.Backoff.
	DefaultBackoff = 2 * time.Second
)

// MaxEntrySize bounds what a Store writes and reads: the largest token state
// keystone.Auth stores (a token body of 16 MiB) and the protection's
// overhead. A larger entry is refused on Store and ignored on Load.
const MaxEntrySize = 16<<20 + 64<<10 + 1024

// maxPrefix leaves room, within memcached's 250 bytes, for the key name.
const maxPrefix = 100

// Options configure a Store. Secret is required; every other field has a
// default. String and LogValue never show the secret.
type Options struct {
	// Secret is the shared secret (keystonemiddleware's
	// memcache_secret_key), at least MinSecretLength bytes: every process
	// that shares tokens needs it, and nobody else may have it.
	Secret string `json:"-"`
	// SecurityStrategy is MAC (the default) or Encrypt.
	SecurityStrategy SecurityStrategy
	// KeyPrefix starts every key the Store writes (DefaultKeyPrefix):
	// printable ASCII without spaces, at most 100 bytes.
	KeyPrefix string
	// Timeout bounds each cache operation (DefaultTimeout).
	Timeout time.Duration
	// LockTTL is how long a lock lives in the cache if its holder never
	// releases it, as after a crash (DefaultLockTTL; memcached counts in
	// whole seconds).
	LockTTL time.Duration
	// LockWait is how long Lock waits for another process's lock before it
	// lets the caller go on without one (DefaultLockWait).
	LockWait time.Duration
	// TTL is the longest an entry stays in the cache (DefaultTTL); a token
	// entry expires with its token if that is sooner.
	TTL time.Duration
	// Backoff is how long the Store leaves the cache alone after an
	// operation failed (DefaultBackoff): meanwhile it acts as an empty cache
	// with free locks, without waiting for a dead server.
	Backoff time.Duration
	// Logger receives the Store's debug messages (ignored entries, an
	// unavailable cache, lock timeouts); nil discards them. They carry no
	// secret, token or key.
	Logger *slog.Logger
}

// String describes o without the secret.
func (o Options) String() string {
	secret := "<none>"
	if o.Secret != "" {
		secret = "<redacted>"
	}
	return fmt.Sprintf("tokenstore.Options{Secret: %s, SecurityStrategy: %q, KeyPrefix: %q, Timeout: %v, LockTTL: %v, LockWait: %v, TTL: %v, Backoff: %v}",
		secret, o.SecurityStrategy, o.KeyPrefix, o.Timeout, o.LockTTL, o.LockWait, o.TTL, o.Backoff)
}

// GoString is String.
func (o Options) GoString() string { return o.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %q...).
func (o Options) Format(f fmt.State, _ rune) { fmt.Fprint(f, o.String()) }

// LogValue is String.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

// withDefaults checks o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.KeyPrefix == "" {
		o.KeyPrefix = DefaultKeyPrefix
	}
	if len(o.KeyPrefix) > maxPrefix {
		return o, fmt.Errorf("%w: tokenstore: KeyPrefix is longer than %d bytes", keystone.ErrInvalidArgument, maxPrefix)
	}
	for i := 0; i < len(o.KeyPrefix); i++ {
		if c := o.KeyPrefix[i]; c <= ' ' || c > '~' {
			return o, fmt.Errorf("%w: tokenstore: KeyPrefix %q has a space, control or non-ASCII character", keystone.ErrInvalidArgument, o.KeyPrefix)
		}
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.Timeout, DefaultTimeout}, {&o.LockTTL, DefaultLockTTL}, {&o.LockWait, DefaultLockWait}, {&o.TTL, DefaultTTL}, {&o.Backoff, DefaultBackoff}} {
		if *d.v < 0 {
			return o, fmt.Errorf("%w: tokenstore: negative duration in %v", keystone.ErrInvalidArgument, o)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Stats counts what a Store did.
type Stats struct {
	Hits    uint64 // Loads that found a valid entry
	Misses  uint64 // Loads that found none
	Invalid uint64 // entries ignored: tampered, foreign secret or strategy, truncated, too large
	// Unavailable counts the operations that failed or were skipped because
	// the cache was unavailable.
	Unavailable  uint64
	Stores       uint64 // entries written
	Locks        uint64 // locks acquired
	LockWaits    uint64 // Lock calls that found the lock held and waited
	LockTimeouts uint64 // Lock calls that gave up after LockWait and went on without the lock
}

// Store is a keystone.TokenStore over a Backend. It is safe for concurrent
// use; give each keystone.Auth (or share one among several) as
// keystone.WithTokenStore(store).
type Store struct {
	b     Backend
	p     *Protector
	o     Options
	close func() error

	downUntil atomic.Int64 // unix ns: the cache is left alone until then

	hits, misses, invalid, unavailable, stores, locks, lockWaits, lockTimeouts atomic.Uint64
}

var _ keystone.TokenStore = (*Store)(nil)

// New returns a Store over b. closeFn, if not nil, is called by Close (the
// backend packages pass the client they made, and nil for a caller's client).
func New(b Backend, o Options, closeFn func() error) (*Store, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: tokenstore: nil Backend", keystone.ErrInvalidArgument)
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	p, err := NewProtector(o.Secret, o.SecurityStrategy)
	if err != nil {
		return nil, err
	}
	o.SecurityStrategy = p.Strategy()
	return &Store{b: b, p: p, o: o, close: closeFn}, nil
}

// Options returns the Store's options, defaults filled in.
func (s *Store) Options() Options { return s.o }

// String describes the store without its secret.
func (s *Store) String() string {
	return fmt.Sprintf("tokenstore.Store{%T, %s, prefix %q}", s.b, s.p.strategy, s.o.KeyPrefix)
}

// Stats returns the Store's counters.
func (s *Store) Stats() Stats {
	return Stats{
		Hits: s.hits.Load(), Misses: s.misses.Load(), Invalid: s.invalid.Load(),
		Unavailable: s.unavailable.Load(), Stores: s.stores.Load(), Locks: s.locks.Load(),
		LockWaits: s.lockWaits.Load(), LockTimeouts: s.lockTimeouts.Load(),
	}
}

// Close closes the client the Store made (not a caller's).
func (s *Store) Close() error {
	if s.close == nil {
		return nil
	}
	return s.close()
}

// name returns the cache key of key.
func (s *Store) name(kind, key string) string { return s.o.KeyPrefix + s.p.KeyName(kind, key) }

// up reports whether the cache may be used (it has not failed lately).
func (s *Store) up() bool { return time.Now().UnixNano() >= s.downUntil.Load() }

// failed records that op failed with err: unless the caller gave up (ctx
// ended), the cache is left alone for Backoff. It returns an
// ErrUnavailable error.
func (s *Store) failed(ctx context.Context, op string, err error) error {
	s.unavailable.Add(1)
	if ctx.Err() == nil {
		s.downUntil.Store(time.Now().Add(s.o.Backoff).UnixNano())
	}
	s.o.Logger.DebugContext(ctx, "tokenstore: the cache is unavailable", "op", op, "error", err.Error(), "backoff", s.o.Backoff)
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}

// skipped counts an operation not tried because the cache is down.
func (s *Store) skipped(op string) error {
	s.unavailable.Add(1)
	return fmt.Errorf("%w: %s: the cache failed less than %v ago", ErrUnavailable, op, s.o.Backoff)
}

// opContext bounds one cache operation by Timeout.
func (s *Store) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.o.Timeout)
}

// DigestKey implements keystone.TokenStore: a key derived from the secret,
// the same in every process. It never fails and never asks the cache.
func (s *Store) DigestKey(context.Context) ([]byte, error) { return s.p.DigestKey(), nil }

// Load implements keystone.TokenStore. A missing entry, an entry that does not
// open (tampered, sealed with another secret or strategy, truncated, too
// large) and an unavailable cache all give nil data and no error: the caller
// authenticates.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	return s.get(ctx, "load", "t", key)
}

// get reads and opens the entry of key in the key space kind; see Load.
func (s *Store) get(ctx context.Context, op, kind, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.up() {
		s.skipped(op)
		return nil, nil
	}
	name := s.name(kind, key)
	octx, cancel := s.opContext(ctx)
	entry, err := s.b.Get(octx, name, MaxEntrySize)
	cancel()
	if err != nil {
		s.failed(ctx, op, err)
		return nil, nil
	}
	if entry == nil {
		s.misses.Add(1)
		return nil, nil
	}
	if len(entry) > MaxEntrySize {
		s.ignore(ctx, fmt.Errorf("entry larger than %d bytes", MaxEntrySize))
		return nil, nil
	}
	data, err := s.p.Open(name, entry)
	if err != nil {
		s.ignore(ctx, err)
		return nil, nil
	}
	s.hits.Add(1)
	return data, nil
}

func (s *Store) ignore(ctx context.Context, why error) {
	s.invalid.Add(1)
	s.o.Logger.DebugContext(ctx, "tokenstore: ignored an invalid cache entry", "reason", why.Error())
}

// Store implements keystone.TokenStore: the entry lives until the token in
// data expires (keystone's exported state), or for TTL if that is sooner or
// data is not a token. An unavailable cache is an ErrUnavailable error.
func (s *Store) Store(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(data)+s.p.Overhead() > MaxEntrySize {
		return fmt.Errorf("%w: tokenstore: %d bytes is more than an entry may hold", keystone.ErrInvalidArgument, len(data))
	}
	ttl := s.o.TTL
	if ai, err := keystone.ParseAccessInfo(data); err == nil && !ai.ExpiresAt.IsZero() {
		left := time.Until(ai.ExpiresAt)
		if left <= 0 {
			return nil // an expired token is not worth sharing
		}
		ttl = min(ttl, left)
	}
	return s.put(ctx, "store", "t", key, data, ttl)
}

// put seals data and stores it under key in the key space kind for ttl; see
// Store.
func (s *Store) put(ctx context.Context, op, kind, key string, data []byte, ttl time.Duration) error {
	if !s.up() {
		return s.skipped(op)
	}
	name := s.name(kind, key)
	entry, err := s.p.Seal(name, data)
	if err != nil {
		return err
	}
	octx, cancel := s.opContext(ctx)
	err = s.b.Set(octx, name, entry, ttl)
	cancel()
	if err != nil {
		return s.failed(ctx, op, err)
	}
	s.stores.Add(1)
	return nil
}

// Delete implements keystone.TokenStore. An unavailable cache is an
// ErrUnavailable error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.up() {
		return s.skipped("delete")
	}
	octx, cancel := s.opContext(ctx)
	err := s.b.Delete(octx, s.name("t", key))
	cancel()
	if err != nil {
		return s.failed(ctx, "delete", err)
	}
	return nil
}

// noUnlock is the unlock of a lock not taken.
func noUnlock() {}

// Lock implements keystone.TokenStore with a lock entry in the cache, made
// with an add-if-absent that expires after LockTTL (so that a crashed
// holder's lock goes away), and polled with a growing, jittered delay while
// another process holds it. Unlock deletes the entry only if it is still this
// caller's.
//
// When the cache is unavailable, or the lock is still held after LockWait,
// Lock returns a no-op unlock and no error: the caller goes on without the
// lock (and may authenticate in parallel with the holder). Only the end of
// ctx is an error.
func (s *Store) Lock(ctx context.Context, key string) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.up() {
		s.skipped("lock")
		return noUnlock, nil
	}
	name := s.name("l", key)
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(s.o.LockWait)
	delay := 2 * time.Millisecond
	waited := false
	for {
		octx, cancel := s.opContext(ctx)
		ok, err := s.b.Add(octx, name, token, s.o.LockTTL)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, fmt.Errorf("tokenstore: lock: %w", ctx.Err())
		case err != nil:
			s.failed(ctx, "lock", err)
			return noUnlock, nil
		case ok:
			s.locks.Add(1)
			return s.unlocker(name, token), nil
		}
		if !waited {
			waited = true
			s.lockWaits.Add(1)
		}
		if !time.Now().Before(deadline) {
			s.lockTimeouts.Add(1)
			s.o.Logger.DebugContext(ctx, "tokenstore: the lock is still held; going on without it", "waited", s.o.LockWait)
			return noUnlock, nil
		}
		// Full jitter, so that waiters do not poll in step.
		sleep := min(delay/2+rand.N(delay/2+1), time.Until(deadline))
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("tokenstore: lock: %w", ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, 50*time.Millisecond)
	}
}

// unlocker returns the unlock of the lock name held with token: it deletes
// the lock if it still holds token, once, within Timeout.
func (s *Store) unlocker(name string, token []byte) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			ctx, cancel := s.opContext(context.Background())
			defer cancel()
			if err := s.b.DeleteIfEqual(ctx, name, token); err != nil {
				s.failed(ctx, "unlock", err)
			}
		})
	}
}

// randomToken returns the value of a lock entry: 16 random bytes, in hex.
func randomToken() ([]byte, error) {
	b := make([]byte, 16)
	if _, err := crand.Read(b); err != nil {
		return nil, err
	}
	return []byte(hex.EncodeToString(b)), nil
}
