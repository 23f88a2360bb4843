// Package oidcprovider is a small OpenID Connect provider for the federation
// lab (scripts/federation-lab.sh): discovery, JWKS, the authorization, token,
// device authorization and userinfo endpoints, with the password,
// client_credentials, authorization_code (with PKCE), refresh_token and
// device_code grants. Access and ID tokens are RS256 JWTs.
//
// It is a test fixture, not an identity provider for production: users,
// clients and issued codes live in memory, passwords are compared in clear.
package oidcprovider

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// Grant types.
const (
	GrantPassword          = "password"
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
)

// Config is the provider's configuration (the JSON file of the command).
type Config struct {
	// Issuer is the provider's issuer URL, without a trailing slash, for
	// example http://127.0.0.1:35401. The endpoints are under it.
	Issuer  string   `json:"issuer"`
	Clients []Client `json:"clients"`
	Users   []User   `json:"users"`
	// TokenTTL is the lifetime of access and ID tokens (default 1h).
	TokenTTL Duration `json:"token_ttl,omitempty"`
	// DeviceInterval is the device flow's polling interval (default 1s; a
	// poll sooner than 80% of it is answered slow_down).
	DeviceInterval Duration `json:"device_interval,omitempty"`
	// DeviceTTL is how long a device code is valid (default 10m).
	DeviceTTL Duration `json:"device_ttl,omitempty"`
}

// Client is an OAuth 2.0 client.
type Client struct {
	ID string `json:"id"`
	// Secret is empty for a public client (token_endpoint_auth_method none).
	Secret       string   `json:"secret,omitempty"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// GrantTypes the client may use; empty means all the provider has for a
	// confidential client, and authorization_code, refresh_token and
	// device_code for a public one.
	GrantTypes []string `json:"grant_types,omitempty"`
}

// Public reports whether the client has no secret.
func (c Client) Public() bool { return c.Secret == "" }

// Allows reports whether the client may use the grant type.
func (c Client) Allows(grant string) bool {
	if len(c.GrantTypes) > 0 {
		return slices.Contains(c.GrantTypes, grant)
	}
	if c.Public() {
		return grant == GrantAuthorizationCode || grant == GrantRefreshToken || grant == GrantDeviceCode
	}
	return true
}

// User is an end user.
type User struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	// Subject is the sub claim; default: a stable UUID-shaped value derived
	// from the name.
	Subject string   `json:"sub,omitempty"`
	Email   string   `json:"email,omitempty"`
	Groups  []string `json:"groups,omitempty"`
}

// Sub returns the user's subject.
func (u User) Sub() string {
	if u.Subject != "" {
		return u.Subject
	}
	h := sha256.Sum256([]byte("gokeystone-fedlab-user:" + u.Name))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Duration is a time.Duration written as a string ("1h", "30s") in JSON.
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a string ("90s") or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		*d = Duration(v)
		return nil
	}
	var n float64
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("oidcprovider: a duration is a string such as \"90s\" or a number of seconds")
	}
	*d = Duration(time.Duration(n * float64(time.Second)))
	return nil
}

// LoadConfig reads a JSON configuration file.
func LoadConfig(path string) (Config, error) {
	var c Config
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("oidcprovider: %s: %w", path, err)
	}
	return c, nil
}

// Validate checks the configuration and fills in the defaults.
func (c *Config) Validate() error {
	if c.Issuer == "" {
		return errors.New("oidcprovider: no issuer")
	}
	for len(c.Issuer) > 0 && c.Issuer[len(c.Issuer)-1] == '/' {
		c.Issuer = c.Issuer[:len(c.Issuer)-1]
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = Duration(time.Hour)
	}
	if c.DeviceInterval <= 0 {
		c.DeviceInterval = Duration(time.Second)
	}
	if c.DeviceTTL <= 0 {
		c.DeviceTTL = Duration(10 * time.Minute)
	}
	seen := map[string]bool{}
	for _, cl := range c.Clients {
		if cl.ID == "" || seen["c:"+cl.ID] {
			return fmt.Errorf("oidcprovider: client ID %q empty or repeated", cl.ID)
		}
		seen["c:"+cl.ID] = true
	}
	for _, u := range c.Users {
		if u.Name == "" || u.Password == "" || seen["u:"+u.Name] {
			return fmt.Errorf("oidcprovider: user %q: empty or repeated name, or no password", u.Name)
		}
		seen["u:"+u.Name] = true
	}
	return nil
}
