package cloudconfig

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Config is a resolved cloud configuration. Its methods print, log and encode
// it with the secrets of Auth masked.
type Config struct {
	// Cloud is the name of the cloud: a clouds.yaml entry, EnvCloudName for
	// the OS_* variables, or "defaults" when there is no configuration.
	Cloud string
	// AuthType is the auth plugin's name (password, v3applicationcredential…).
	AuthType string
	// Auth holds the plugin's options and any other auth setting, by their
	// keystoneauth1 names. It holds secrets: do not print it by itself.
	Auth map[string]string
	// RegionName is the region (empty: none).
	RegionName string
	// Interface is the endpoint interface (public, internal, admin, or the
	// v2.0 spellings publicURL…).
	Interface string
	// IdentityAPIVersion is identity_api_version, if set ("3", "2.0").
	IdentityAPIVersion string
	// CACert, Cert and Key are the TLS CA bundle, client certificate and key.
	CACert, Cert, Key string
	// Insecure turns certificate verification off (insecure: true or
	// verify: false).
	Insecure bool
	// APITimeout is api_timeout in seconds, if set.
	APITimeout string
	// File and SecureFile are the clouds.yaml and secure.yaml read for the
	// cloud, if any.
	File, SecureFile string
	// Warnings lists what the loader ignored (an unknown vendor profile).
	Warnings []string

	secrets map[string]bool
}

// IsSecret reports whether auth option name holds a secret: one that the
// plugin marks secret, or whose name says password, secret, token or
// passcode.
func (c Config) IsSecret(name string) bool {
	if c.secrets[name] {
		return true
	}
	n := strings.ToLower(name)
	for _, w := range []string{"password", "secret", "token", "passcode", "code", "key"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

const mask = "***"

// maskedAuth returns Auth with its secrets masked.
func (c Config) maskedAuth() map[string]string {
	out := make(map[string]string, len(c.Auth))
	for k, v := range c.Auth {
		if c.IsSecret(k) {
			v = mask
		}
		out[k] = v
	}
	return out
}

// String describes the configuration with its secrets masked.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cloud=%s auth_type=%s", strconv.Quote(c.Cloud), c.AuthType)
	auth := c.maskedAuth()
	keys := make([]string, 0, len(auth))
	for k := range auth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " auth.%s=%s", k, strconv.Quote(auth[k]))
	}
	for _, kv := range [][2]string{{"region_name", c.RegionName}, {"interface", c.Interface},
		{"identity_api_version", c.IdentityAPIVersion}, {"cacert", c.CACert}, {"cert", c.Cert},
		{"key", c.Key}, {"api_timeout", c.APITimeout}, {"file", c.File}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, " %s=%s", kv[0], strconv.Quote(kv[1]))
		}
	}
	if c.Insecure {
		b.WriteString(" insecure=true")
	}
	return b.String()
}

// GoString is String.
func (c Config) GoString() string { return "cloudconfig.Config{" + c.String() + "}" }

// Format implements fmt.Formatter: every verb shows String.
func (c Config) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, c.String(), c.GoString())
}

type redactedConfig struct {
	Cloud              string            `json:"cloud"`
	AuthType           string            `json:"auth_type"`
	Auth               map[string]string `json:"auth"`
	RegionName         string            `json:"region_name,omitempty"`
	Interface          string            `json:"interface,omitempty"`
	IdentityAPIVersion string            `json:"identity_api_version,omitempty"`
	CACert             string            `json:"cacert,omitempty"`
	Cert               string            `json:"cert,omitempty"`
	Key                string            `json:"key,omitempty"`
	Insecure           bool              `json:"insecure"`
	APITimeout         string            `json:"api_timeout,omitempty"`
	File               string            `json:"file,omitempty"`
	SecureFile         string            `json:"secure_file,omitempty"`
}

func (c Config) redacted() redactedConfig {
	return redactedConfig{c.Cloud, c.AuthType, c.maskedAuth(), c.RegionName, c.Interface,
		c.IdentityAPIVersion, c.CACert, c.Cert, c.Key, c.Insecure, c.APITimeout, c.File, c.SecureFile}
}

// LogValue implements slog.LogValuer, with the secrets masked.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes the configuration with the secrets masked.
func (c Config) MarshalJSON() ([]byte, error) { return json.Marshal(c.redacted()) }

// Plugin builds the auth plugin of c.AuthType from the registry.
func (c *Config) Plugin(opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	p, ok := LookupPlugin(c.AuthType)
	if !ok {
		return nil, &Error{Err: ErrUnknownAuthType, File: c.File, Cloud: c.Cloud, Option: "auth_type",
			Detail: fmt.Sprintf("%q (registered: %s)", c.AuthType, strings.Join(PluginNames(), ", "))}
	}
	plugin, err := p.New(c, opts...)
	if err != nil {
		return nil, &Error{Err: ErrInvalidConfig, File: c.File, Cloud: c.Cloud, Option: "auth",
			Detail: "auth_type " + c.AuthType, Cause: err}
	}
	return plugin, nil
}

// SessionOptions returns the keystone.Session options of c: its auth plugin,
// region, interface, TLS settings and timeout.
func (c *Config) SessionOptions(authOpts ...keystone.AuthOption) ([]keystone.SessionOption, error) {
	plugin, err := c.Plugin(authOpts...)
	if err != nil {
		return nil, err
	}
	opts := []keystone.SessionOption{keystone.WithAuth(plugin)}
	if c.RegionName != "" {
		opts = append(opts, keystone.WithRegion(c.RegionName))
	}
	if c.Interface != "" {
		opts = append(opts, keystone.WithInterface(c.Interface))
	}
	if c.Insecure {
		opts = append(opts, keystone.WithInsecure())
	} else if c.CACert != "" {
		opts = append(opts, keystone.WithCACertFile(c.CACert))
	}
	if c.Cert != "" {
		key := c.Key
		if key == "" {
			key = c.Cert // a PEM file with both, as requests accepts
		}
		opts = append(opts, keystone.WithClientCert(c.Cert, key))
	}
	if c.APITimeout != "" {
		secs, err := strconv.ParseFloat(c.APITimeout, 64)
		if err != nil || secs < 0 {
			return nil, &Error{Err: ErrInvalidConfig, File: c.File, Cloud: c.Cloud, Option: "api_timeout",
				Detail: "not a number of seconds"}
		}
		if secs > 0 {
			opts = append(opts, keystone.WithTimeout(time.Duration(secs*float64(time.Second))))
		}
	}
	return opts, nil
}

// NewSession builds a session from c (see SessionOptions) with opts after its
// own, so that they win: add keystone.WithUserAgent with the program's name
// and version, keystone.WithLogger, and so on.
func (c *Config) NewSession(opts ...keystone.SessionOption) (*keystone.Session, error) {
	own, err := c.SessionOptions()
	if err != nil {
		return nil, err
	}
	s, err := keystone.NewSession(append(own, opts...)...)
	if err != nil {
		return nil, &Error{Err: ErrInvalidConfig, File: c.File, Cloud: c.Cloud, Detail: "cannot build the session", Cause: err}
	}
	return s, nil
}
