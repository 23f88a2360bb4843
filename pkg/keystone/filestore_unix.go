//go:build unix

package keystone

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkDirOwner checks that the directory dir (fi from lstat or fstat) is
// owned by the effective user and not writable by group or others.
func checkDirOwner(dir string, fi fs.FileInfo) error {
	if err := checkOwner(dir, fi); err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		return unsafeStore(dir, "directory is writable by group or others (mode %04o)", perm)
	}
	return nil
}

func checkOwner(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return unsafeStore(path, "no owner information")
	}
	if euid := os.Geteuid(); uint64(st.Uid) != uint64(euid) {
		return unsafeStore(path, "owned by uid %d, not by the effective user (uid %d)", st.Uid, euid)
	}
	return nil
}

// secureDir opens dir without following a symlink, checks what it opened and
// removes the group and other permissions, if any, through the descriptor
// (fchmod, never chmod on the path).
func secureDir(dir string) error {
	d, err := os.OpenFile(dir, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_DIRECTORY, 0)
	if err != nil {
		if err := refuseSymlink(dir); err != nil {
			return err
		}
		return fmt.Errorf("keystone: token directory: %w", err)
	}
	defer d.Close()
	fi, err := d.Stat() // fstat
	if err != nil {
		return fmt.Errorf("keystone: token directory: %w", err)
	}
	if err := checkDirInfo(dir, fi); err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		// Best effort: on a read-only file system the directory stays as
		// it is, which is still safe (nobody else can write in it, and
		// every file is checked when it is opened).
		keep := os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky
		d.Chmod(fi.Mode() & keep &^ 0o077) // fchmod
	}
	return nil
}

// refuseSymlink returns an ErrUnsafeTokenStore error if path is a symlink:
// why an open with O_NOFOLLOW failed (ELOOP on Linux, EMLINK or EFTYPE on
// some BSDs).
func refuseSymlink(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return unsafeStore(path, "is a symlink")
	}
	return nil
}

// openStoreFile opens path in the store, never following a symlink, and
// checks what it opened: a regular file owned by the effective user, with no
// group or other permission and a single link. A missing file is an error
// that matches fs.ErrNotExist. O_NONBLOCK keeps a FIFO from blocking the open:
// it is then refused as not a regular file.
func openStoreFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
	if err != nil {
		if err := refuseSymlink(path); err != nil {
			return nil, err
		}
		return nil, err
	}
	fi, err := f.Stat() // fstat
	if err == nil {
		err = checkFileInfo(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkFileInfo(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return unsafeStore(path, "not a regular file (mode %v)", fi.Mode())
	}
	if err := checkOwner(path, fi); err != nil {
		return err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return unsafeStore(path, "accessible by group or others (mode %04o)", perm)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return unsafeStore(path, "no link count")
	}
	if n := uint64(st.Nlink); n != 1 {
		return &unsafeStoreError{path: path, reason: fmt.Sprintf("has %d links", n), links: true}
	}
	return nil
}
