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
	return s.get(ctx, "get", "v", key)
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
	return s.put(ctx, "set", "v", key, value, min(ttl, s.o.TTL))
}
