package ec2signer

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/gokeystone/keystone/internal/redact"
)

// Credentials are an EC2 credential of Keystone: the access key (the
// credential's ID in the OS-EC2 API) and the secret key that signs. Printed
// with any fmt verb, logged with slog or encoded with encoding/json, they
// show the access key and "***" for a secret that is set, never the secret.
type Credentials struct {
	// Access is the access key, sent in the clear ("access" in an ec2tokens
	// or s3tokens request; AWSAccessKeyId or the Credential's first part in
	// the signed request).
	Access string
	// Secret is the secret key the signatures are computed with.
	Secret string
}

// masked stands for a secret that is set.
const masked = "***"

func maskedOrEmpty(secret string) string {
	if secret == "" {
		return ""
	}
	return masked
}

// String describes c with its secret masked.
func (c Credentials) String() string {
	return fmt.Sprintf("Credentials{Access: %q, Secret: %q}", c.Access, maskedOrEmpty(c.Secret))
}

// GoString describes c for %#v, with its secret masked.
func (c Credentials) GoString() string { return "ec2signer." + c.String() }

// Format implements fmt.Formatter: every verb shows c as String (or GoString
// for %#v) does, without the secret.
func (c Credentials) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String(), c.GoString()) }

// LogValue implements slog.LogValuer: the access key and the masked secret.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("access", c.Access), slog.String("secret", maskedOrEmpty(c.Secret)))
}

// MarshalJSON encodes c as {"access": …, "secret": "***"}, without the
// secret ("secret" is left out when there is none).
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Access string `json:"access"`
		Secret string `json:"secret,omitempty"`
	}{c.Access, maskedOrEmpty(c.Secret)})
}
