package keystone

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"
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
	// read the store's tokens may learn it. It is asked for at each token
	// refresh: keep it in memory. The caller does not modify it.
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

// ErrUnsafeTokenStore is matched (with errors.Is) by the errors of a
// FileStore that refuses its directory or one of its files: a directory that
// is a symlink, is not owned by the effective user or is writable by group or
// others; a token, lock or key file that is a symlink, not a regular file, not
// owned by the effective user, accessible by group or others, or has more than
// one link; a digest key of the wrong size. The error names the path and the
// reason, never the data.
var ErrUnsafeTokenStore = newSentinel("keystone: unsafe token store")

// unsafeStoreError is an ErrUnsafeTokenStore refusal of path.
type unsafeStoreError struct {
	path, reason string
	links        bool // refused only for its link count
}

func (e *unsafeStoreError) Error() string {
	return ErrUnsafeTokenStore.Error() + ": " + e.path + ": " + e.reason
}

func (e *unsafeStoreError) Unwrap() error { return ErrUnsafeTokenStore }

// checkDir checks, with one lstat, that dir is still a safe store directory.
func checkDir(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("keystone: token directory: %w", err)
	}
	return checkDirInfo(dir, fi)
}

// checkDirInfo checks that fi (from lstat or fstat) is a directory, not a
// symlink, and, where the platform has owners and modes, owned by the
// effective user and not writable by group or others (checkDirOwner).
func checkDirInfo(dir string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 {
		return unsafeStore(dir, "directory is a symlink")
	}
	if !fi.IsDir() {
		return unsafeStore(dir, "not a directory (mode %v)", fi.Mode())
	}
	return checkDirOwner(dir, fi)
}

func unsafeStore(path, format string, args ...any) error {
	return &unsafeStoreError{path: path, reason: fmt.Sprintf(format, args...)}
}

// errNoFileStore is returned by the methods of a nil or zero FileStore.
var errNoFileStore = errors.New("keystone: FileStore not made by NewFileStore")

// FileStore is a TokenStore in a directory, shared by the processes of a
// user: the directory is 0700, each token file 0600, written atomically, and a
// lock file per key makes processes that find no valid token wait for the one
// that authenticates (on Unix; elsewhere the lock is per process only).
//
// A FileStore trusts only what the user alone could have written. On Unix,
// the directory must be owned by the effective user, must not be writable by
// group or others and must not be a symlink (it is checked at every
// operation); every file is opened without following symlinks and must be a
// regular file owned by the user, with no group or other permission and a
// single link. Anything else is refused with an ErrUnsafeTokenStore error,
// and never read, written or locked. Elsewhere, symlinks and non-regular files
// are refused, as far as the platform allows.
type FileStore struct {
	dir   string
	local MemoryStore // in-process lock, beneath the file lock

	keyMu sync.Mutex
	key   []byte // the digest key, once read
}

// digestKeyFile holds the store's digest key: its name (with a dot) is no
// token key's.
const digestKeyFile = "digest.key"

// digestKeySize is the size of the digest key.
const digestKeySize = 32

// DefaultTokenDir is gokeystone/tokens under the user's cache directory.
func DefaultTokenDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("keystone: no cache directory: %w", err)
	}
	return filepath.Join(base, "gokeystone", "tokens"), nil
}

// NewFileStore returns a FileStore in dir ("" for DefaultTokenDir), creating
// it (and its missing parents) with mode 0700. It refuses, with an
// ErrUnsafeTokenStore error, a dir that is a symlink, is not a directory, is
// not owned by the effective user or is writable by group or others; it
// removes the group and other permissions of a dir that has some (through the
// opened directory, never through its path; where that fails, as on a
// read-only file system, the dir is kept as it is). A read-only dir is
// accepted: Store, Lock and DigestKey then fail with the system's error.
func NewFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		d, err := DefaultTokenDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("keystone: token directory %s: %w", dir, err)
	}
	dir = abs
	// A symlink at dir is refused before MkdirAll (which would follow it).
	if fi, err := os.Lstat(dir); err == nil {
		if err := checkDirInfo(dir, fi); err != nil {
			return nil, err
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("keystone: token directory: %w", err)
		}
	} else {
		return nil, fmt.Errorf("keystone: token directory: %w", err)
	}
	if err := secureDir(dir); err != nil {
		return nil, err
	}
	return &FileStore{dir: dir}, nil
}

// Dir is the store's directory ("" for a nil FileStore).
func (f *FileStore) Dir() string {
	if f == nil {
		return ""
	}
	return f.dir
}

var validKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// path checks the store and its directory, and returns the file of key.
func (f *FileStore) path(key, ext string) (string, error) {
	if err := f.check(); err != nil {
		return "", err
	}
	if !validKey.MatchString(key) {
		return "", fmt.Errorf("keystone: invalid token store key %q", key)
	}
	return filepath.Join(f.dir, key+ext), nil
}

// check fails for a nil or zero FileStore, and for a directory that is no
// longer safe.
func (f *FileStore) check() error {
	if f == nil || f.dir == "" {
		return errNoFileStore
	}
	return checkDir(f.dir)
}

// Load implements TokenStore. A missing file is no error (nil data); a file
// that is not safe (see FileStore) is an ErrUnsafeTokenStore error, and its
// data is not returned.
func (f *FileStore) Load(_ context.Context, key string) ([]byte, error) {
	p, err := f.path(key, ".json")
	if err != nil {
		return nil, err
	}
	file, err := openStoreFile(p, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxStoredState+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStoredState {
		return nil, fmt.Errorf("%w: %s is larger than a saved token can be (%d bytes)", ErrResponseTooLarge, p, maxStoredState)
	}
	return data, nil
}

// maxStoredState bounds what Load reads: a token body as large as
// DefaultLimits allows, and its token.
const maxStoredState = 16<<20 + 64<<10

// Store implements TokenStore: it writes a temporary file (0600) and renames
// it over the old one (which replaces a symlink rather than following it).
func (f *FileStore) Store(_ context.Context, key string, data []byte) error {
	p, err := f.path(key, ".json")
	if err != nil {
		return err
	}
	return writeFileAtomic(f.dir, key+".*.tmp", data, func(tmp string) error { return os.Rename(tmp, p) })
}

// writeFileAtomic writes data to a new 0600 file in dir, named after pattern,
// and calls publish with its path to put it in place. The temporary file is
// removed before it returns.
func writeFileAtomic(dir, pattern string, data []byte, publish func(tmp string) error) error {
	tmp, err := os.CreateTemp(dir, pattern) // O_EXCL: never follows a symlink
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
	return publish(tmp.Name())
}

// Delete implements TokenStore. It removes the entry itself, whatever it is,
// never what a symlink points to.
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

// DigestKey implements TokenStore: a random 32-byte key in the file
// digest.key of the directory, made by the first process that needs it and
// then shared by every process of the store; it is kept in memory after the
// first success. A key file that is not safe (see FileStore) or not 32 bytes
// long is an ErrUnsafeTokenStore error.
func (f *FileStore) DigestKey(ctx context.Context) ([]byte, error) {
	if f == nil || f.dir == "" {
		return nil, errNoFileStore
	}
	f.keyMu.Lock()
	defer f.keyMu.Unlock()
	if f.key != nil {
		return append([]byte(nil), f.key...), nil
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	p := filepath.Join(f.dir, digestKeyFile)
	key, err := readDigestKey(ctx, p)
	if errors.Is(err, fs.ErrNotExist) {
		k := make([]byte, digestKeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		// os.Link fails if the key file exists: the first process to link
		// its key wins, and everybody then reads the winner's.
		err = writeFileAtomic(f.dir, digestKeyFile+".*.tmp", k, func(tmp string) error {
			if err := os.Link(tmp, p); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			return os.Remove(tmp) // now, so that the key file has one link
		})
		if err != nil {
			return nil, err
		}
		key, err = readDigestKey(ctx, p)
	}
	if err != nil {
		return nil, err
	}
	f.key = key
	return append([]byte(nil), key...), nil
}

// readDigestKey reads the key file p. A file with two links may be one that
// another process has just linked, and not yet unlinked from its temporary
// name: it is read again for a while before it is refused.
func readDigestKey(ctx context.Context, p string) ([]byte, error) {
	delay := time.Millisecond
	deadline := time.Now().Add(time.Second)
	for {
		key, err := readDigestKeyOnce(p)
		var unsafe *unsafeStoreError
		if err == nil || !errors.As(err, &unsafe) || !unsafe.links || time.Now().After(deadline) {
			return key, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
}

func readDigestKeyOnce(p string) ([]byte, error) {
	file, err := openStoreFile(p, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	key, err := io.ReadAll(io.LimitReader(file, digestKeySize+1))
	if err != nil {
		return nil, err
	}
	if len(key) != digestKeySize {
		return nil, unsafeStore(p, "digest key is not %d bytes long", digestKeySize)
	}
	return key, nil
}

// Lock implements TokenStore with a lock file per key, opened under the
// checks of Load (a lock file that is not safe is never created or locked).
// It waits until ctx is done.
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
