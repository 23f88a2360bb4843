package ec2signer

import "github.com/gokeystone/keystone/internal/sdkerr"

// The kinds of error Sign, SignS3 and Request.Version return, wrapped in an
// *Error: test for them with errors.Is. Each also matches
// keystone.ErrKeystone.
var (
	// ErrUnknownVersion means the SignatureVersion parameter is set but is
	// not "0", "1" or "2" (and the request is not a Signature Version 4 one).
	ErrUnknownVersion = sdkerr.New("ec2signer: unknown signature version")
	// ErrUnexpectedFormat means the request has no SignatureVersion
	// parameter and is not a Signature Version 4 request either.
	ErrUnexpectedFormat = sdkerr.New("ec2signer: unexpected signature format")
	// ErrMissing means something the signature version needs is absent: a
	// parameter, a header, the body hash or the secret.
	ErrMissing = sdkerr.New("ec2signer: missing input")
	// ErrInvalid means an input is malformed: text that is not UTF-8, a
	// Signature Version 4 credential without a full scope, or an S3 string to
	// sign that starts with "AWS4" but is not a Signature Version 4 one.
	ErrInvalid = sdkerr.New("ec2signer: invalid input")
	// ErrDateMismatch means a Signature Version 4 request's X-Amz-Date does
	// not fall on the date of its credential scope.
	ErrDateMismatch = sdkerr.New("ec2signer: request date mismatch")
)

// Error is the error Sign, SignS3 and Request.Version return: what failed,
// the input at fault, and one of the Err… values above as the cause.
type Error struct {
	// Op is what failed, such as "sign v4" or "sign s3".
	Op string
	// Field names the parameter, header or field at fault ("" if none).
	Field string
	// Detail says more, if there is more to say. It never holds the secret.
	Detail string
	// Err is the kind of error: ErrUnknownVersion, ErrUnexpectedFormat,
	// ErrMissing, ErrInvalid or ErrDateMismatch.
	Err error
}

// Error describes e as "ec2signer: <op>: <kind>: <field>: <detail>".
func (e *Error) Error() string {
	s := "ec2signer: " + e.Op + ": " + trimPrefix(e.Err.Error())
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the kind of error, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is keystone.ErrKeystone, which every error of
// the SDK matches.
func (e *Error) Is(target error) bool { return target == sdkerr.Root }

func trimPrefix(s string) string {
	const p = "ec2signer: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

func newError(op string, kind error, field, detail string) error {
	return &Error{Op: op, Field: field, Detail: detail, Err: kind}
}
