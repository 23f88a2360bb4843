// Package redis is a keystone.TokenStore in Redis, shared by every process and
// host given the same server and secret: see tokenstore.Store for what it
// does, and tokenstore.Options for its settings.
//
// Locks are "SET key token NX PX ttl" entries that expire after
// Options.LockTTL; an unlock deletes its lock only if it still holds it, with
// a compare-and-delete Lua script. Reads use GETRANGE, so that no more than
// tokenstore.MaxEntrySize+1 bytes of an entry are ever read.
package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/tokenstore"
	goredis "github.com/redis/go-redis/v9"
)

// New returns a Store in the Redis server at addr (host:port). Its client
// dials, reads and writes within o.Timeout, does not retry (the Store
// degrades instead) and honours context deadlines. Close closes the client.
// go-redis logs failed dials through its own global logger (see
// goredis.SetLogger); the Store leaves it as it is.
func New(addr string, o tokenstore.Options) (*tokenstore.Store, error) {
	if addr == "" {
		return nil, fmt.Errorf("%w: redis: no server address", keystone.ErrInvalidArgument)
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = tokenstore.DefaultTimeout
	}
	c := goredis.NewClient(&goredis.Options{
		Addr:                  addr,
		DialTimeout:           timeout,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
		PoolTimeout:           timeout,
		MaxRetries:            -1,
		DialerRetries:         1,
		ContextTimeoutEnabled: true,
		DisableIdentity:       true,
	})
	s, err := tokenstore.New(&Backend{Client: c}, o, c.Close)
	if err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

// NewFromClient returns a Store that uses the caller's client (a
// *goredis.Client, a cluster or ring client...). Close leaves it open.
func NewFromClient(c goredis.UniversalClient, o tokenstore.Options) (*tokenstore.Store, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: redis: nil client", keystone.ErrInvalidArgument)
	}
	return tokenstore.New(&Backend{Client: c}, o, nil)
}

// Backend is the tokenstore.Backend of a go-redis client.
type Backend struct {
	Client goredis.UniversalClient
}

var _ tokenstore.Backend = (*Backend)(nil)

// compareAndDelete deletes KEYS[1] only if its value is ARGV[1].
var compareAndDelete = goredis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`)

// Get implements tokenstore.Backend with GETRANGE key 0 limit: a missing key
// is an empty string (an entry is never empty).
func (b *Backend) Get(ctx context.Context, key string, limit int) ([]byte, error) {
	v, err := b.Client.GetRange(ctx, key, 0, int64(limit)).Bytes()
	if err != nil {
		return nil, err
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// Set implements tokenstore.Backend.
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return b.Client.Set(ctx, key, value, max(ttl, time.Millisecond)).Err()
}

// Add implements tokenstore.Backend with SET NX PX.
func (b *Backend) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	return b.Client.SetNX(ctx, key, value, max(ttl, time.Millisecond)).Result()
}

// Delete implements tokenstore.Backend.
func (b *Backend) Delete(ctx context.Context, key string) error {
	return b.Client.Del(ctx, key).Err()
}

// DeleteIfEqual implements tokenstore.Backend with a Lua script.
func (b *Backend) DeleteIfEqual(ctx context.Context, key string, value []byte) error {
	return compareAndDelete.Run(ctx, b.Client, []string{key}, value).Err()
}
