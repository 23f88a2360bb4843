// Package redact holds what the SDK's packages share to show values that
// carry secrets: a fmt.Formatter body that never falls back to reflection,
// and the {SHA256} digest that stands for a token.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// Format implements fmt.Formatter with a description that holds no secret:
// s for %v, %+v, %s, %q, %x and %X (with their flags and width), gs for %#v;
// other verbs are bad verbs, shown as %!verb(s).
func Format(f fmt.State, verb rune, s, gs string) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			io.WriteString(f, gs)
			return
		}
		fmt.Fprintf(f, fmt.FormatString(f, 's'), s)
	case 's', 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), s)
	default:
		fmt.Fprintf(f, "%%!%c(%s)", verb, s)
	}
}

// Digest is how a token is shown: "{SHA256}" and the hex SHA-256 of it (""
// for "").
func Digest(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return "{SHA256}" + hex.EncodeToString(sum[:])
}
