// Package memcache is a keystone.TokenStore in memcached, shared by every
// process and host given the same servers and secret: see tokenstore.Store for
// what it does, and tokenstore.Options for its settings.
//
// Locks are memcached "add" entries that expire after Options.LockTTL
// (rounded up to whole seconds, plus one for memcached's clock); an unlock deletes its lock only if it still
// holds it, with a compare-and-swap that expires the entry at once.
//
// The client reads an entry of whatever size the server announces, so a
// read is bounded by the server's item size limit (memcached -I, 1 MiB by
// default); entries larger than tokenstore.MaxEntrySize are then ignored.
// Start memcached with -I 2m or more for tokens with large catalogs.
package memcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	gomemcache "github.com/bradfitz/gomemcache/memcache"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/tokenstore"
)

// New returns a Store in the memcached server at addr (host:port, or a Unix
// socket path). Its client's socket timeout is o.Timeout. Close closes the
// client's connections. For several servers (each key goes to one of them
// by its hash), give NewFromClient a client of them all.
func New(addr string, o tokenstore.Options) (*tokenstore.Store, error) {
	if addr == "" {
		return nil, fmt.Errorf("%w: memcache: no server address", keystone.ErrInvalidArgument)
	}
	var ss gomemcache.ServerList
	if err := ss.SetServers(addr); err != nil {
		return nil, fmt.Errorf("%w: memcache: %w", keystone.ErrInvalidArgument, err)
	}
	c := gomemcache.NewFromSelector(&ss)
	c.Timeout = o.Timeout
	if c.Timeout <= 0 {
		c.Timeout = tokenstore.DefaultTimeout
	}
	c.MaxIdleConns = 8
	return tokenstore.New(&Backend{Client: c}, o, c.Close)
}

// NewFromClient returns a Store that uses the caller's client (its Timeout
// bounds each operation; Close leaves it open).
func NewFromClient(c *gomemcache.Client, o tokenstore.Options) (*tokenstore.Store, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: memcache: nil client", keystone.ErrInvalidArgument)
	}
	return tokenstore.New(&Backend{Client: c}, o, nil)
}

// Backend is the tokenstore.Backend of a memcached client. The client has no
// contexts: an operation is bounded by the client's Timeout, and a context
// that has ended stops it before it starts.
type Backend struct {
	Client *gomemcache.Client
}

var _ tokenstore.Backend = (*Backend)(nil)

// expiration converts ttl to memcached's whole seconds: rounded up, plus one
// because memcached's clock ticks once a second (an entry set for one second
// may otherwise expire at the next tick, at once), at most 30 days (a larger
// number would be read as a Unix time).
func expiration(ttl time.Duration) int32 {
	const maxRelative = 30 * 24 * 3600
	secs := math.Ceil(ttl.Seconds()) + 1
	return int32(max(1, min(secs, maxRelative)))
}

// Get implements tokenstore.Backend. The limit is checked after the read (see
// the package documentation).
func (b *Backend) Get(ctx context.Context, key string, limit int) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	it, err := b.Client.Get(key)
	if errors.Is(err, gomemcache.ErrCacheMiss) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v := it.Value
	if v == nil {
		v = []byte{}
	}
	if len(v) > limit+1 {
		v = v[:limit+1]
	}
	return v, nil
}

// Set implements tokenstore.Backend.
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.Client.Set(&gomemcache.Item{Key: key, Value: value, Expiration: expiration(ttl)})
}

// Add implements tokenstore.Backend.
func (b *Backend) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	err := b.Client.Add(&gomemcache.Item{Key: key, Value: value, Expiration: expiration(ttl)})
	if errors.Is(err, gomemcache.ErrNotStored) {
		return false, nil
	}
	return err == nil, err
}

// Delete implements tokenstore.Backend.
func (b *Backend) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := b.Client.Delete(key); err != nil && !errors.Is(err, gomemcache.ErrCacheMiss) {
		return err
	}
	return nil
}

// DeleteIfEqual implements tokenstore.Backend: it reads the entry and, if it
// holds value, replaces it by compare-and-swap with an entry that has
// already expired, so that an entry changed in between is left alone.
func (b *Backend) DeleteIfEqual(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	it, err := b.Client.Get(key)
	if errors.Is(err, gomemcache.ErrCacheMiss) {
		return nil
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(it.Value, value) {
		return nil
	}
	it.Expiration = -1 // memcached: expired at once
	err = b.Client.CompareAndSwap(it)
	if errors.Is(err, gomemcache.ErrCASConflict) || errors.Is(err, gomemcache.ErrNotStored) || errors.Is(err, gomemcache.ErrCacheMiss) {
		return nil
	}
	return err
}
