package identityv3

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/gokeystone/keystone/internal/redact"
)

// masked stands for a secret that is set.
const masked = "***"

// OAuth1 tokens are credentials too: shown as digests, their secrets masked.

func maskedOrEmpty(secret string) string {
	if secret == "" {
		return ""
	}
	return masked
}

func (s OAuth1Signer) redacted() string {
	return fmt.Sprintf("OAuth1Signer{ConsumerKey: %q, ConsumerSecret: %q, Token: %q, TokenSecret: %q}",
		s.ConsumerKey, maskedOrEmpty(s.ConsumerSecret), redact.Digest(s.Token), maskedOrEmpty(s.TokenSecret))
}

// Format implements fmt.Formatter: the consumer key, the token's digest, no
// secret, for every verb.
func (s OAuth1Signer) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, s.redacted(), "identityv3."+s.redacted())
}

// LogValue implements slog.LogValuer, without the secrets.
func (s OAuth1Signer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("consumer_key", s.ConsumerKey), slog.String("consumer_secret", maskedOrEmpty(s.ConsumerSecret)),
		slog.String("token", redact.Digest(s.Token)), slog.String("token_secret", maskedOrEmpty(s.TokenSecret)))
}

// MarshalJSON encodes the signer without its secrets.
func (s OAuth1Signer) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ConsumerKey    string `json:"consumer_key"`
		ConsumerSecret string `json:"consumer_secret,omitempty"`
		TokenDigest    string `json:"token_digest,omitempty"`
		TokenSecret    string `json:"token_secret,omitempty"`
	}{s.ConsumerKey, maskedOrEmpty(s.ConsumerSecret), redact.Digest(s.Token), maskedOrEmpty(s.TokenSecret)})
}

func (c OAuth1Credentials) redacted() string {
	expires := ""
	if !c.ExpiresAt.IsZero() {
		expires = c.ExpiresAt.Format(time.RFC3339)
	}
	return fmt.Sprintf("OAuth1Credentials{Token: %q, TokenSecret: %q, ExpiresAt: %q}", redact.Digest(c.Token), maskedOrEmpty(c.TokenSecret), expires)
}

// Format implements fmt.Formatter: the token's digest, no secret, for every
// verb.
func (c OAuth1Credentials) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, c.redacted(), "identityv3."+c.redacted())
}

// LogValue implements slog.LogValuer, without the secrets.
func (c OAuth1Credentials) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("token", redact.Digest(c.Token)), slog.String("token_secret", maskedOrEmpty(c.TokenSecret))}
	if !c.ExpiresAt.IsZero() {
		attrs = append(attrs, slog.Time("expires_at", c.ExpiresAt))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON encodes the credentials without their secrets.
func (c OAuth1Credentials) MarshalJSON() ([]byte, error) {
	var expires *time.Time
	if !c.ExpiresAt.IsZero() {
		expires = &c.ExpiresAt
	}
	return json.Marshal(struct {
		TokenDigest string     `json:"token_digest,omitempty"`
		TokenSecret string     `json:"token_secret,omitempty"`
		ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	}{redact.Digest(c.Token), maskedOrEmpty(c.TokenSecret), expires})
}
