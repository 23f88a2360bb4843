//go:build !unix

package keystone

import (
	"io/fs"
	"os"
)

// Without Unix owners, modes, O_NOFOLLOW and link counts, a FileStore checks
// what it can: its directory and files must not be symlinks (nor, on Windows,
// other reparse points that os.Lstat reports as symlinks), the directory must
// be a directory and each file a regular file, the same file before and after
// it is opened.

// checkDirOwner has no owner or mode to check here.
func checkDirOwner(string, fs.FileInfo) error { return nil }

// secureDir checks dir again after it was made: its permissions are left to
// the platform.
func secureDir(dir string) error { return checkDir(dir) }

// openStoreFile opens path in the store, refusing a symlink or a file that is
// not regular, and a file that was replaced while it was opened. A missing
// file is an error that matches fs.ErrNotExist.
func openStoreFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil {
		if err := checkFileInfo(path, fi); err != nil {
			return nil, err
		}
	} else if !os.IsNotExist(err) || flag&os.O_CREATE == 0 {
		return nil, err
	}
	f, err := os.OpenFile(path, flag, perm)
	if err != nil {
		return nil, err
	}
	opened, err := f.Stat()
	if err == nil {
		var fi fs.FileInfo
		if fi, err = os.Lstat(path); err == nil {
			if err = checkFileInfo(path, fi); err == nil && !os.SameFile(fi, opened) {
				err = unsafeStore(path, "replaced while it was opened")
			}
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkFileInfo(path string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 {
		return unsafeStore(path, "is a symlink")
	}
	if !fi.Mode().IsRegular() {
		return unsafeStore(path, "not a regular file (mode %v)", fi.Mode())
	}
	return nil
}
