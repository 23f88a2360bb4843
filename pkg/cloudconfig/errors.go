package cloudconfig

import (
	"strings"

	"github.com/gokeystone/keystone/internal/sdkerr"
)

// The sentinel errors of the package, matched with errors.Is through *Error.
// Each also matches keystone.ErrKeystone.
var (
	// ErrInvalidFile means a configuration file could not be read or parsed.
	ErrInvalidFile = sdkerr.New("cloudconfig: invalid configuration file")
	// ErrCloudNotFound means the requested cloud is in no configuration file.
	ErrCloudNotFound = sdkerr.New("cloudconfig: cloud not found")
	// ErrRegionNotFound means the requested region is not one of the cloud's.
	ErrRegionNotFound = sdkerr.New("cloudconfig: region not found")
	// ErrUnknownAuthType means no plugin is registered for the auth_type.
	ErrUnknownAuthType = sdkerr.New("cloudconfig: unknown auth_type")
	// ErrMissingOption means the auth plugin needs an option that is not set.
	ErrMissingOption = sdkerr.New("cloudconfig: missing option")
	// ErrInvalidConfig means a setting has a value the loader cannot use.
	ErrInvalidConfig = sdkerr.New("cloudconfig: invalid configuration")
)

// Error is the error of Load and of Config's methods. It names the file, the
// cloud and the option concerned, never their secret values.
type Error struct {
	// Err is one of the package's sentinels (ErrCloudNotFound, …).
	Err error
	// File is the configuration file concerned, if any.
	File string
	// Cloud is the name of the cloud concerned, if any.
	Cloud string
	// Option names the option concerned (auth.password, region_name…), if any.
	Option string
	// Detail explains what is wrong; it holds no secret.
	Detail string
	// Cause is the underlying error (an I/O error, a plugin's error), if any.
	Cause error
}

// Error describes the problem with its file, cloud and option.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	if e.Option != "" {
		b.WriteString(" (option " + e.Option + ")")
	}
	if e.Cloud != "" {
		b.WriteString(" (cloud " + e.Cloud + ")")
	}
	if e.File != "" {
		b.WriteString(" (file " + e.File + ")")
	}
	if e.Cause != nil {
		b.WriteString(": " + e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// Is reports whether target is keystone.ErrKeystone, which every error of
// the SDK matches.
func (e *Error) Is(target error) bool { return target == sdkerr.Root }
