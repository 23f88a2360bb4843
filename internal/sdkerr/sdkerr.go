// Package sdkerr holds the root every error of the SDK matches, so that the
// packages that do not depend on pkg/keystone (pkg/cms, pkg/ec2signer) can
// declare sentinels that match keystone.ErrKeystone, which is Root.
package sdkerr

import "errors"

// Root is keystone.ErrKeystone: errors.Is(err, Root) holds for every
// sentinel and error type of the SDK.
var Root = errors.New("keystone: SDK error")

// sentinel is a sentinel error of the SDK: it matches its parent and Root.
type sentinel struct {
	msg    string
	parent error
}

// New returns a sentinel with message msg that matches Root.
func New(msg string) error { return &sentinel{msg: msg, parent: Root} }

// NewUnder returns a sentinel with message msg that matches parent (a
// sentinel made by New) and, through it, Root.
func NewUnder(parent error, msg string) error { return &sentinel{msg: msg, parent: parent} }

func (e *sentinel) Error() string { return e.msg }

// Unwrap returns the parent: Root, or the sentinel this one refines.
func (e *sentinel) Unwrap() error { return e.parent }
