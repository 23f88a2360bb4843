package tokenstore

import (
	"context"
	"fmt"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// The Store is also a shared cache for pkg/authtoken (authtoken.SharedCache):
// the validation results of a fleet of services, so that each token is
// validated once at Keystone. Its entries live in their own key space ("v"),
// sealed as the token entries are; authtoken seals what it stores as well.

// Get implements authtoken.SharedCache: the value Set stored under key, or
// nil. A missing, invalid or unreadable entry and an unavailable cache all
// give nil and no error.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.up() {
		s.skipped("get")
		return nil, nil
	}
	name := s.name("v", key)
	octx, cancel := s.opContext(ctx)
	entry, err := s.b.Get(octx, name, MaxEntrySize)
	cancel()
	if err != nil {
		s.failed(ctx, "get", err)
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
	value, err := s.p.Open(name, entry)
	if err != nil {
		s.ignore(ctx, err)
		return nil, nil
	}
	s.hits.Add(1)
	return value, nil
}

// Set implements authtoken.SharedCache: value is kept under key for ttl (at
// most the Store's TTL). An unavailable cache is an ErrUnavailable error.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ttl <= 0 {
		return nil
	}
	if len(value)+s.p.Overhead() > MaxEntrySize {
		return fmt.Errorf("%w: tokenstore: %d bytes is more than an entry may hold", keystone.ErrInvalidArgument, len(value))
	}
	if !s.up() {
		return s.skipped("set")
	}
	name := s.name("v", key)
	entry, err := s.p.Seal(name, value)
	if err != nil {
		return err
	}
	octx, cancel := s.opContext(ctx)
	err = s.b.Set(octx, name, entry, min(ttl, s.o.TTL))
	cancel()
	if err != nil {
		return s.failed(ctx, "set", err)
	}
	s.stores.Add(1)
	return nil
}
