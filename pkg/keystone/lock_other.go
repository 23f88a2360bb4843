//go:build !unix

package keystone

import "context"

// lockFile is a no-op where flock is not available: FileStore then serialises
// authentication within a process only.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
