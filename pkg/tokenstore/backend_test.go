package tokenstore_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"time"
)

// memBackend is a tokenstore.Backend in memory, with expiry.
type memBackend struct {
	mu   sync.Mutex
	data map[string]memEntry
	// fail, when set, is returned by every operation.
	fail error
	// block makes every operation wait for the end of its context.
	block bool
}

type memEntry struct {
	v   []byte
	exp time.Time
}

func newMemBackend() *memBackend { return &memBackend{data: map[string]memEntry{}} }

var errDown = errors.New("connection refused")

func (m *memBackend) setFail(err error) {
	m.mu.Lock()
	m.fail = err
	m.mu.Unlock()
}

func (m *memBackend) check(ctx context.Context) error {
	m.mu.Lock()
	fail, block := m.fail, m.block
	m.mu.Unlock()
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	if fail != nil {
		return fail
	}
	return ctx.Err()
}

func (m *memBackend) get(key string) ([]byte, bool) {
	e, ok := m.data[key]
	if !ok || time.Now().After(e.exp) {
		delete(m.data, key)
		return nil, false
	}
	return e.v, true
}

func (m *memBackend) Get(ctx context.Context, key string, limit int) ([]byte, error) {
	if err := m.check(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.get(key)
	if !ok {
		return nil, nil
	}
	if len(v) > limit+1 {
		v = v[:limit+1]
	}
	return append([]byte{}, v...), nil
}

func (m *memBackend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = memEntry{append([]byte{}, value...), time.Now().Add(ttl)}
	return nil
}

func (m *memBackend) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := m.check(ctx); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.get(key); ok {
		return false, nil
	}
	m.data[key] = memEntry{append([]byte{}, value...), time.Now().Add(ttl)}
	return true, nil
}

func (m *memBackend) Delete(ctx context.Context, key string) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *memBackend) DeleteIfEqual(ctx context.Context, key string, value []byte) error {
	if err := m.check(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.get(key); ok && bytes.Equal(v, value) {
		delete(m.data, key)
	}
	return nil
}

func (m *memBackend) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.data)
}
