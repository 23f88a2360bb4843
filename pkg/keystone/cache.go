package keystone

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// TokenStore keeps tokens (as AccessInfo JSON) under a key, the auth plugin's
// CacheID, so that they can be reused by later sessions and other processes.
type TokenStore interface {
	// Load returns the data stored under key, or nil if there is none.
	Load(ctx context.Context, key string) ([]byte, error)
	// Store replaces the data under key.
	Store(ctx context.Context, key string, data []byte) error
	// Delete removes key.
	Delete(ctx context.Context, key string) error
	// Lock holds key for the caller (across processes, for a shared store)
	// until unlock is called, so that only one caller authenticates.
	Lock(ctx context.Context, key string) (unlock func(), err error)
	// DigestKey returns the secret key of the store's keyed digests: an
	// Auth's key in the store is an HMAC-SHA256, under this key, of every
	// parameter of its plugin, secrets included. Every user of the store
	// (every process sharing it) must get the same key; nobody who cannot
	// read the store's tokens may learn it.
	DigestKey(ctx context.Context) ([]byte, error)
}

// MemoryStore is a TokenStore in memory, shared by the sessions of a process.
// Its zero value is ready to use.
type MemoryStore struct {
	mu    sync.Mutex
	data  map[string][]byte
	locks map[string]chan struct{}
	key   []byte
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{}
}

// Load implements TokenStore.
func (m *MemoryStore) Load(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]byte(nil), m.data[key]...), nil
}

// Store implements TokenStore.
func (m *MemoryStore) Store(_ context.Context, key string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.data == nil {
		m.data = map[string][]byte{}
	}
	m.data[key] = append([]byte(nil), data...)
	return nil
}

// Delete implements TokenStore.
func (m *MemoryStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

// DigestKey implements TokenStore: a random key, made on first use, for the
// life of the MemoryStore.
func (m *MemoryStore) DigestKey(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.key == nil {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		m.key = k
	}
	return m.key, nil
}

// Lock implements TokenStore.
func (m *MemoryStore) Lock(ctx context.Context, key string) (func(), error) {
	for {
		m.mu.Lock()
		if m.locks == nil {
			m.locks = map[string]chan struct{}{}
		}
		ch, held := m.locks[key]
		if !held {
			ch = make(chan struct{})
			m.locks[key] = ch
			m.mu.Unlock()
			return func() {
				m.mu.Lock()
				delete(m.locks, key)
				m.mu.Unlock()
				close(ch)
			}, nil
		}
		m.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// FileStore is a TokenStore in a directory, shared by the processes of a
// user: the directory is 0700, each token file 0600, written atomically, and a
// lock file per key makes processes that find no valid token wait for the one
// that authenticates (on Unix; elsewhere the lock is per process only).
type FileStore struct {
	dir   string
	local MemoryStore // in-process lock, beneath the file lock
}

// DefaultTokenDir is gokeystone/tokens under the user's cache directory.
func DefaultTokenDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("keystone: no cache directory: %w", err)
	}
	return filepath.Join(base, "gokeystone", "tokens"), nil
}

// NewFileStore returns a FileStore in dir ("" for DefaultTokenDir), creating
// it with mode 0700.
func NewFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		d, err := DefaultTokenDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keystone: token directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keystone: token directory: %w", err)
	}
	return &FileStore{dir: dir}, nil
}

// Dir is the store's directory.
func (f *FileStore) Dir() string { return f.dir }

var validKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

func (f *FileStore) path(key, ext string) (string, error) {
	if !validKey.MatchString(key) {
		return "", fmt.Errorf("keystone: invalid token store key %q", key)
	}
	return filepath.Join(f.dir, key+ext), nil
}

// Load implements TokenStore. A missing file is no error (nil data).
func (f *FileStore) Load(_ context.Context, key string) ([]byte, error) {
	p, err := f.path(key, ".json")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// Store implements TokenStore: it writes a temporary file (0600) and renames
// it over the old one.
func (f *FileStore) Store(_ context.Context, key string, data []byte) error {
	p, err := f.path(key, ".json")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(f.dir, key+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// Delete implements TokenStore.
func (f *FileStore) Delete(_ context.Context, key string) error {
	p, err := f.path(key, ".json")
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// DigestKey implements TokenStore. (Interim: the process's key; the store's
// own key file comes with the hardened FileStore.)
func (f *FileStore) DigestKey(ctx context.Context) ([]byte, error) { return f.local.DigestKey(ctx) }

// Lock implements TokenStore with a lock file per key.
func (f *FileStore) Lock(ctx context.Context, key string) (func(), error) {
	p, err := f.path(key, ".lock")
	if err != nil {
		return nil, err
	}
	unlockLocal, err := f.local.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	unlockFile, err := lockFile(ctx, p)
	if err != nil {
		unlockLocal()
		return nil, err
	}
	return func() { unlockFile(); unlockLocal() }, nil
}
