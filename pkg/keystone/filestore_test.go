//go:build unix

package keystone_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// validToken looks like a stored token, as a planted file would.
const validToken = `{"token":"planted-token","body":{"token":{"expires_at":"2099-01-01T00:00:00Z","catalog":[{"type":"identity","endpoints":[{"interface":"public","url":"https://evil.example"}]}]}}}`

func newStore(t *testing.T, dir string) *keystone.FileStore {
	t.Helper()
	s, err := keystone.NewFileStore(dir)
	if err != nil {
		t.Fatalf("NewFileStore(%s): %v", dir, err)
	}
	return s
}

func wantUnsafe(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, keystone.ErrUnsafeTokenStore) {
		t.Fatalf("%s: got error %v, want ErrUnsafeTokenStore", what, err)
	}
}

func perm(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// foreignDir is a directory owned by another user: as root, a temporary
// directory given to nobody; otherwise /, owned by root.
func foreignDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		return "/"
	}
	dir := filepath.Join(t.TempDir(), "foreign")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFileStoreRefusesForeignDir(t *testing.T) {
	dir := foreignDir(t)
	before := perm(t, dir)
	_, err := keystone.NewFileStore(dir)
	wantUnsafe(t, "directory of another user", err)
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "owned by") {
		t.Errorf("error does not name the path and reason: %v", err)
	}
	if got := perm(t, dir); got != before {
		t.Errorf("mode of the directory changed from %v to %v", before, got)
	}
}

func TestFileStoreRefusesWritableDir(t *testing.T) {
	for _, mode := range []os.FileMode{0o770, 0o707, 0o722, 0o777} {
		dir := filepath.Join(t.TempDir(), "tokens")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		_, err := keystone.NewFileStore(dir)
		wantUnsafe(t, "mode "+mode.String(), err)
		if got := perm(t, dir); got != mode {
			t.Errorf("mode %v changed to %v", mode, got)
		}
	}
}

func TestFileStoreRefusesSymlinkedDir(t *testing.T) {
	base := t.TempDir()
	target := filepath.Join(base, "target")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "tokens")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	_, err := keystone.NewFileStore(link)
	wantUnsafe(t, "symlinked directory", err)
	if got := perm(t, target); got != 0o755 {
		t.Errorf("the symlink's target was changed to mode %v", got)
	}
	// A dangling symlink is refused too, and nothing is created.
	dangling := filepath.Join(base, "dangling")
	if err := os.Symlink(filepath.Join(base, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	_, err = keystone.NewFileStore(dangling)
	wantUnsafe(t, "dangling symlink", err)
	if _, err := os.Lstat(filepath.Join(base, "nowhere")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dangling symlink's target was created: %v", err)
	}
}

func TestFileStoreDirModes(t *testing.T) {
	// Missing directories are made 0700, parents included.
	base := t.TempDir()
	dir := filepath.Join(base, "a", "b", "tokens")
	s := newStore(t, dir)
	for _, d := range []string{filepath.Join(base, "a"), filepath.Join(base, "a", "b"), dir} {
		if got := perm(t, d); got != 0o700 {
			t.Errorf("%s: mode %v, want 0700", d, got)
		}
	}
	if s.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", s.Dir(), dir)
	}
	// Group and other read and execute bits are removed.
	dir = filepath.Join(t.TempDir(), "tokens")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	newStore(t, dir)
	if got := perm(t, dir); got != 0o700 {
		t.Errorf("mode %v, want 0700", got)
	}
}

func TestFileStoreReadOnlyDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, dir)
	if err := s.Store(t.Context(), "k", []byte("data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	ro, err := keystone.NewFileStore(dir)
	if err != nil {
		t.Fatalf("read-only directory: %v", err)
	}
	if got := perm(t, dir); got != 0o500 {
		t.Errorf("read-only directory made mode %v", got)
	}
	if data, err := ro.Load(t.Context(), "k"); err != nil || string(data) != "data" {
		t.Errorf("Load in a read-only directory: %q, %v", data, err)
	}
	if os.Geteuid() == 0 {
		return // root writes anyway
	}
	if err := ro.Store(t.Context(), "k2", []byte("x")); err == nil || errors.Is(err, keystone.ErrUnsafeTokenStore) {
		t.Errorf("Store in a read-only directory: %v, want the system's error", err)
	}
	if _, err := ro.Lock(t.Context(), "k2"); err == nil || errors.Is(err, keystone.ErrUnsafeTokenStore) {
		t.Errorf("Lock in a read-only directory: %v, want the system's error", err)
	}
	if _, err := ro.DigestKey(t.Context()); err == nil || errors.Is(err, keystone.ErrUnsafeTokenStore) {
		t.Errorf("DigestKey in a read-only directory: %v, want the system's error", err)
	}
}

func TestFileStoreRechecksDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	s := newStore(t, dir)
	if err := s.Store(t.Context(), "k", []byte(validToken)); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777)
	_, err := s.Load(t.Context(), "k")
	wantUnsafe(t, "Load in a directory made writable", err)
	wantUnsafe(t, "Store in a directory made writable", s.Store(t.Context(), "k", []byte("x")))
	_, err = s.Lock(t.Context(), "k")
	wantUnsafe(t, "Lock in a directory made writable", err)
	_, err = s.DigestKey(t.Context())
	wantUnsafe(t, "DigestKey in a directory made writable", err)
	os.Chmod(dir, 0o700)
	if os.Geteuid() == 0 {
		os.Chown(dir, 65534, 65534)
		_, err = s.Load(t.Context(), "k")
		wantUnsafe(t, "Load in a directory given away", err)
		os.Chown(dir, 0, 0)
	}
	// A directory replaced by a symlink.
	moved := dir + ".moved"
	if err := os.Rename(dir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(moved, dir); err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(t.Context(), "k")
	wantUnsafe(t, "Load through a symlinked directory", err)
}

func TestFileStoreSymlinkedTokenNotRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	s := newStore(t, dir)
	outside := filepath.Join(t.TempDir(), "bob.json")
	if err := os.WriteFile(outside, []byte(validToken), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "k1.json")); err != nil {
		t.Fatal(err)
	}
	data, err := s.Load(t.Context(), "k1")
	wantUnsafe(t, "symlinked token file", err)
	if data != nil {
		t.Fatalf("Load returned the symlink's data: %q", data)
	}
	if !strings.Contains(err.Error(), "k1.json") || strings.Contains(err.Error(), "planted-token") {
		t.Errorf("error message: %v", err)
	}
	// Store replaces the symlink, and leaves its target alone.
	if err := s.Store(t.Context(), "k1", []byte("mine")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != validToken {
		t.Errorf("Store wrote through the symlink: %q", b)
	}
	if data, err := s.Load(t.Context(), "k1"); err != nil || string(data) != "mine" {
		t.Errorf("after Store: %q, %v", data, err)
	}
	// Delete removes a symlink, not its target.
	if err := os.Remove(filepath.Join(dir, "k1.json")); err != nil {
		t.Fatal(err)
	}
	os.Symlink(outside, filepath.Join(dir, "k1.json"))
	if err := s.Delete(t.Context(), "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Errorf("Delete removed the symlink's target: %v", err)
	}
}

func TestFileStoreSymlinkedLockNotFollowed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	s := newStore(t, dir)
	outside := filepath.Join(t.TempDir(), "created-by-lock")
	if err := os.Symlink(outside, filepath.Join(dir, "k1.lock")); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), "k1")
	if err == nil {
		unlock()
	}
	wantUnsafe(t, "symlinked lock file", err)
	if _, err := os.Lstat(outside); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Lock created the symlink's target: %v", err)
	}
	// A symlink to an existing file is refused too.
	existing := filepath.Join(t.TempDir(), "existing")
	os.WriteFile(existing, nil, 0o600)
	if err := os.Symlink(existing, filepath.Join(dir, "k2.lock")); err != nil {
		t.Fatal(err)
	}
	if unlock, err := s.Lock(t.Context(), "k2"); err == nil {
		unlock()
		t.Fatal("Lock through a symlink to a file succeeded")
	}
	// The refused key is not left locked in the process.
	os.Remove(filepath.Join(dir, "k1.lock"))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	unlock, err = s.Lock(ctx, "k1")
	if err != nil {
		t.Fatalf("Lock after the symlink was removed: %v", err)
	}
	unlock()
	if m := perm(t, filepath.Join(dir, "k1.lock")); m != 0o600 {
		t.Errorf("lock file mode %v", m)
	}
}

func TestFileStoreRefusesUnsafeTokenFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	s := newStore(t, dir)
	ctx := t.Context()

	// Readable by others.
	p := filepath.Join(dir, "open.json")
	os.WriteFile(p, []byte(validToken), 0o600)
	os.Chmod(p, 0o644)
	data, err := s.Load(ctx, "open")
	wantUnsafe(t, "0644 token file", err)
	if data != nil {
		t.Errorf("Load returned a 0644 file's data")
	}
	// A lock file readable by others is not locked.
	lp := filepath.Join(dir, "open.lock")
	os.WriteFile(lp, nil, 0o600)
	os.Chmod(lp, 0o644)
	if unlock, err := s.Lock(ctx, "open"); err == nil {
		unlock()
		t.Error("a 0644 lock file was locked")
	}

	// A hard link (two links).
	if err := s.Store(ctx, "linked", []byte(validToken)); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "linked.json"), filepath.Join(t.TempDir(), "other")); err != nil {
		t.Fatal(err)
	}
	data, err = s.Load(ctx, "linked")
	wantUnsafe(t, "hard-linked token file", err)
	if data != nil {
		t.Errorf("Load returned a hard-linked file's data")
	}

	// Not a regular file: a directory, a FIFO (which must not block).
	os.Mkdir(filepath.Join(dir, "dir.json"), 0o700)
	_, err = s.Load(ctx, "dir")
	wantUnsafe(t, "directory token file", err)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Load(ctx, "fifo"); done <- err }()
	select {
	case err := <-done:
		wantUnsafe(t, "FIFO token file", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Load blocked on a FIFO")
	}

	// Owned by another user.
	if os.Geteuid() == 0 {
		p := filepath.Join(dir, "foreign.json")
		os.WriteFile(p, []byte(validToken), 0o600)
		os.Chown(p, 65534, 65534)
		data, err := s.Load(ctx, "foreign")
		wantUnsafe(t, "foreign token file", err)
		if data != nil {
			t.Errorf("Load returned a foreign file's data")
		}
	}

	// A missing key is still no error, and a valid file is read.
	if data, err := s.Load(ctx, "missing"); data != nil || err != nil {
		t.Errorf("missing key: %q, %v", data, err)
	}
	if err := s.Store(ctx, "good", []byte("ok")); err != nil {
		t.Fatal(err)
	}
	if data, err := s.Load(ctx, "good"); string(data) != "ok" || err != nil {
		t.Errorf("valid key: %q, %v", data, err)
	}
	if _, err := s.Load(ctx, "../escape"); err == nil {
		t.Error("a key with a path was accepted")
	}
}

func TestFileStoreLockHonoursContext(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	a, b := newStore(t, dir), newStore(t, dir)
	unlock, err := a.Lock(t.Context(), "k")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if unlock2, err := b.Lock(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			unlock2()
		}
		t.Fatalf("Lock of a held key: %v, want DeadlineExceeded", err)
	}
}

func TestFileStoreDigestKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	ctx := t.Context()
	k1, err := newStore(t, dir).DigestKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(k1) != 32 {
		t.Fatalf("key of %d bytes", len(k1))
	}
	s2 := newStore(t, dir)
	k2, err := s2.DigestKey(ctx)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second store on the same directory: %x, %v; want %x", k2, err, k1)
	}
	k2[0] ^= 0xff // the caller's copy
	if k3, _ := s2.DigestKey(ctx); !bytes.Equal(k1, k3) {
		t.Fatal("the cached key was changed through a returned slice")
	}
	other, err := newStore(t, filepath.Join(t.TempDir(), "tokens")).DigestKey(ctx)
	if err != nil || bytes.Equal(other, k1) {
		t.Fatalf("store on another directory: %x, %v", other, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "digest.key" {
		t.Errorf("directory holds %v, want only digest.key", entries)
	}
	if m := perm(t, filepath.Join(dir, "digest.key")); m != 0o600 {
		t.Errorf("digest.key mode %v", m)
	}
}

func TestFileStoreDigestKeyConcurrent(t *testing.T) {
	for range 20 {
		dir := filepath.Join(t.TempDir(), "tokens")
		stores := []*keystone.FileStore{newStore(t, dir), newStore(t, dir), newStore(t, dir)}
		const n = 8
		keys := make([][]byte, len(stores)*n)
		errs := make([]error, len(keys))
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() { keys[i], errs[i] = stores[i%len(stores)].DigestKey(t.Context()) })
		}
		wg.Wait()
		for i := range keys {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("call %d got %x, call 0 got %x", i, keys[i], keys[0])
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("directory holds %d entries, want only digest.key", len(entries))
		}
	}
}

func TestFileStoreDigestKeyRefusesUnsafeFile(t *testing.T) {
	ctx := t.Context()
	plant := func(t *testing.T, content []byte, mode os.FileMode) *keystone.FileStore {
		dir := filepath.Join(t.TempDir(), "tokens")
		s := newStore(t, dir)
		p := filepath.Join(dir, "digest.key")
		os.WriteFile(p, content, 0o600)
		os.Chmod(p, mode)
		return s
	}
	key := bytes.Repeat([]byte{7}, 32)
	for name, s := range map[string]*keystone.FileStore{
		"short": plant(t, key[:16], 0o600),
		"long":  plant(t, append(key, 1), 0o600),
		"empty": plant(t, nil, 0o600),
		"0644":  plant(t, key, 0o644),
	} {
		k, err := s.DigestKey(ctx)
		wantUnsafe(t, name, err)
		if k != nil {
			t.Errorf("%s: key returned", name)
		}
	}
	// A symlink to another store's key is not followed.
	dir := filepath.Join(t.TempDir(), "tokens")
	s := newStore(t, dir)
	outside := filepath.Join(t.TempDir(), "key")
	os.WriteFile(outside, key, 0o600)
	os.Symlink(outside, filepath.Join(dir, "digest.key"))
	_, err := s.DigestKey(ctx)
	wantUnsafe(t, "symlinked digest.key", err)
	// A valid planted key is used as it is.
	if k, err := plant(t, key, 0o600).DigestKey(ctx); err != nil || !bytes.Equal(k, key) {
		t.Errorf("valid key file: %x, %v", k, err)
	}
}

func TestFileStoreNil(t *testing.T) {
	ctx := t.Context()
	for name, s := range map[string]*keystone.FileStore{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			if _, err := s.Load(ctx, "k"); err == nil {
				t.Error("Load: no error")
			}
			if err := s.Store(ctx, "k", []byte("x")); err == nil {
				t.Error("Store: no error")
			}
			if err := s.Delete(ctx, "k"); err == nil {
				t.Error("Delete: no error")
			}
			if unlock, err := s.Lock(ctx, "k"); err == nil {
				unlock()
				t.Error("Lock: no error")
			}
			if _, err := s.DigestKey(ctx); err == nil {
				t.Error("DigestKey: no error")
			}
			if s.Dir() != "" {
				t.Errorf("Dir() = %q", s.Dir())
			}
		})
	}
	var ts keystone.TokenStore = (*keystone.FileStore)(nil)
	if _, err := ts.Load(ctx, "k"); err == nil {
		t.Error("Load through the interface: no error")
	}
}

// TestFileStoreLoadIsBounded: a token file larger than any saved token is
// not read whole.
func TestFileStoreLoadIsBounded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	store, err := keystone.NewFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "big.json"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	if data, err := store.Load(t.Context(), "big"); err == nil || data != nil {
		t.Fatalf("Load of a 64 MiB file: %d bytes, %v; want an error", len(data), err)
	}
}
