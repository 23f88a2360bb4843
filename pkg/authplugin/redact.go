package authplugin

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Printing methods of the option, method and plugin types, which hold
// passwords, tokens, secrets and passcodes. Each implements fmt.Formatter (so
// that no fmt verb prints its fields by reflection: every verb shows String,
// which masks the secrets), slog.LogValuer and json.Marshaler (the same
// fields, the secrets masked as "***"). The field types stay what they are:
// a program reads o.Password as before.

// hidden is how JSON and slog show a secret: "***" when it is set.
func hidden(secret string) string {
	if secret == "" {
		return ""
	}
	return "***"
}

// redactedViews are what JSON and slog show: the types' fields with their
// secrets masked.
type redactedView interface{ redacted() any }

func methodViews(ms []Method) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		if v, ok := m.(redactedView); ok {
			out[i] = v.redacted()
		} else if m != nil {
			out[i] = fmt.Sprintf("%T", m)
		}
	}
	return out
}

// methodStrings prints methods for String: the built-in ones redact
// themselves; a method of the program's own shows only its type and name,
// whatever fields (secrets among them) it has.
func methodStrings(ms []Method) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		switch v := m.(type) {
		case nil:
			out[i] = "<nil>"
		case redactedView:
			out[i] = fmt.Sprint(v)
		default:
			out[i] = fmt.Sprintf("%T{MethodName: %q}", m, safeMethodName(m))
		}
	}
	return out
}

// safeMethodName is m.MethodName(), or "" if that panics (a nil pointer).
func safeMethodName(m Method) (name string) {
	defer func() {
		if recover() != nil {
			name = ""
		}
	}()
	return m.MethodName()
}

func receiptString(r *keystone.AuthReceipt) string {
	if r == nil {
		return ""
	}
	return r.String()
}

// ---- options

func (o PasswordOptions) redacted() any {
	return struct {
		AuthURL  string
		User     User
		Password string
		Scope    Scope
	}{o.AuthURL, o.User, hidden(o.Password), o.Scope}
}

// Format implements fmt.Formatter: every verb shows String.
func (o PasswordOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the password masked.
func (o PasswordOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the password masked.
func (o PasswordOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

func (o TokenOptions) redacted() any {
	return struct {
		AuthURL string
		Token   string
		Scope   Scope
	}{o.AuthURL, hidden(o.Token), o.Scope}
}

// Format implements fmt.Formatter: every verb shows String.
func (o TokenOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the token masked.
func (o TokenOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the token masked.
func (o TokenOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

func (o ApplicationCredentialOptions) redacted() any {
	return struct {
		AuthURL, ID, Name string
		User              User
		Secret            string
	}{o.AuthURL, o.ID, o.Name, o.User, hidden(o.Secret)}
}

// Format implements fmt.Formatter: every verb shows String.
func (o ApplicationCredentialOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the secret masked.
func (o ApplicationCredentialOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the secret masked.
func (o ApplicationCredentialOptions) MarshalJSON() ([]byte, error) {
	return json.Marshal(o.redacted())
}

func (o TOTPOptions) redacted() any {
	return struct {
		AuthURL      string
		User         User
		Passcode     string
		PasscodeFunc bool `json:",omitempty"`
		Scope        Scope
	}{o.AuthURL, o.User, hidden(o.Passcode), o.PasscodeFunc != nil, o.Scope}
}

// Format implements fmt.Formatter: every verb shows String.
func (o TOTPOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the passcode masked.
func (o TOTPOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the passcode masked (and whether
// there is a PasscodeFunc).
func (o TOTPOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

// String shows the methods with their secrets masked, and the receipt
// without its ID.
func (o MultiFactorOptions) String() string {
	return fmt.Sprintf("MultiFactorOptions{AuthURL: %q, Methods: %v, Scope: %+v, Receipt: %v}", o.AuthURL, methodStrings(o.Methods), o.Scope, o.Receipt)
}

// GoString is String.
func (o MultiFactorOptions) GoString() string { return o.String() }

func (o MultiFactorOptions) redacted() any {
	return struct {
		AuthURL string
		Methods []any
		Scope   Scope
		Receipt string `json:",omitempty"`
	}{o.AuthURL, methodViews(o.Methods), o.Scope, receiptString(o.Receipt)}
}

// Format implements fmt.Formatter: every verb shows String.
func (o MultiFactorOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the methods' secrets masked.
func (o MultiFactorOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the methods' secrets masked and the
// receipt described (without its ID).
func (o MultiFactorOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

func (o GenericOptions) redacted() any {
	return struct {
		AuthURL  string
		User     User
		Password string
		Token    string
		Scope    Scope
	}{o.AuthURL, o.User, hidden(o.Password), hidden(o.Token), o.Scope}
}

// Format implements fmt.Formatter: every verb shows String.
func (o GenericOptions) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the password and token masked.
func (o GenericOptions) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the password and token masked.
func (o GenericOptions) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

func (o PasswordV2Options) redacted() any {
	return struct {
		AuthURL, UserID, Username string
		Password                  string
		Tenant                    Tenant
	}{o.AuthURL, o.UserID, o.Username, hidden(o.Password), o.Tenant}
}

// Format implements fmt.Formatter: every verb shows String.
func (o PasswordV2Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the password masked.
func (o PasswordV2Options) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the password masked.
func (o PasswordV2Options) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

func (o TokenV2Options) redacted() any {
	return struct {
		AuthURL string
		Token   string
		Tenant  Tenant
	}{o.AuthURL, hidden(o.Token), o.Tenant}
}

// Format implements fmt.Formatter: every verb shows String.
func (o TokenV2Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the token masked.
func (o TokenV2Options) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the token masked.
func (o TokenV2Options) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }

// ---- methods

func (m PasswordMethod) redacted() any {
	return struct {
		Method   string
		User     User
		Password string
	}{"password", m.User, hidden(m.Password)}
}

// Format implements fmt.Formatter: every verb shows String.
func (m PasswordMethod) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, m.String(), "authplugin."+m.String())
}

// LogValue implements slog.LogValuer, with the password masked.
func (m PasswordMethod) LogValue() slog.Value { return slog.AnyValue(m.redacted()) }

// MarshalJSON encodes the method with the password masked.
func (m PasswordMethod) MarshalJSON() ([]byte, error) { return json.Marshal(m.redacted()) }

func (m TokenMethod) redacted() any {
	return struct {
		Method string
		Token  string
	}{"token", hidden(m.Token)}
}

// Format implements fmt.Formatter: every verb shows String.
func (m TokenMethod) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, m.String(), "authplugin."+m.String())
}

// LogValue implements slog.LogValuer, with the token masked.
func (m TokenMethod) LogValue() slog.Value { return slog.AnyValue(m.redacted()) }

// MarshalJSON encodes the method with the token masked.
func (m TokenMethod) MarshalJSON() ([]byte, error) { return json.Marshal(m.redacted()) }

func (m ApplicationCredentialMethod) redacted() any {
	return struct {
		Method   string
		ID, Name string
		User     User
		Secret   string
	}{"application_credential", m.ID, m.Name, m.User, hidden(m.Secret)}
}

// Format implements fmt.Formatter: every verb shows String.
func (m ApplicationCredentialMethod) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, m.String(), "authplugin."+m.String())
}

// LogValue implements slog.LogValuer, with the secret masked.
func (m ApplicationCredentialMethod) LogValue() slog.Value { return slog.AnyValue(m.redacted()) }

// MarshalJSON encodes the method with the secret masked.
func (m ApplicationCredentialMethod) MarshalJSON() ([]byte, error) {
	return json.Marshal(m.redacted())
}

func (m TOTPMethod) redacted() any {
	return struct {
		Method       string
		User         User
		Passcode     string
		PasscodeFunc bool `json:",omitempty"`
	}{"totp", m.User, hidden(m.Passcode), m.PasscodeFunc != nil}
}

// Format implements fmt.Formatter: every verb shows String.
func (m TOTPMethod) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, m.String(), "authplugin."+m.String())
}

// LogValue implements slog.LogValuer, with the passcode masked.
func (m TOTPMethod) LogValue() slog.Value { return slog.AnyValue(m.redacted()) }

// MarshalJSON encodes the method with the passcode masked.
func (m TOTPMethod) MarshalJSON() ([]byte, error) { return json.Marshal(m.redacted()) }

// ---- plugins (the Authenticators inside a *keystone.Auth)

// String shows the endpoint and the token's digest.
func (a adminToken) String() string {
	return fmt.Sprintf("admintoken{Endpoint: %q, Token: %s}", a.endpoint, redact.Digest(a.token))
}

// GoString is String.
func (a adminToken) GoString() string { return a.String() }

// Format implements fmt.Formatter: every verb shows String.
func (a adminToken) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String(), a.GoString()) }

// LogValue implements slog.LogValuer: String.
func (a adminToken) LogValue() slog.Value { return slog.StringValue(a.String()) }

// MarshalJSON encodes String.
func (a adminToken) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// String shows the plugin's parameters with the methods' secrets masked and
// the receipt without its ID.
func (a *v3) String() string {
	if a == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s{AuthURL: %q, Methods: %v, Scope: %+v, Receipt: %v}", a.plugin, a.authURL, a.methods, a.scope, a.receipt)
}

// GoString is String.
func (a *v3) GoString() string { return a.String() }

// Format implements fmt.Formatter: every verb shows String.
func (a *v3) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String(), a.GoString()) }

// LogValue implements slog.LogValuer: String.
func (a *v3) LogValue() slog.Value { return slog.StringValue(a.String()) }

// MarshalJSON encodes String.
func (a *v3) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// String shows the plugin's parameters with the password and token masked.
func (a *v2) String() string {
	if a == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s{AuthURL: %q, UserID: %q, Username: %q, Password: %s, Token: %s, Tenant: %+v}",
		a.plugin, a.authURL, a.userID, a.username, mask(a.password), mask(a.token), a.tenant)
}

// GoString is String.
func (a *v2) GoString() string { return a.String() }

// Format implements fmt.Formatter: every verb shows String.
func (a *v2) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String(), a.GoString()) }

// LogValue implements slog.LogValuer: String.
func (a *v2) LogValue() slog.Value { return slog.StringValue(a.String()) }

// MarshalJSON encodes String.
func (a *v2) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// String shows the options with the password and token masked.
func (g *generic) String() string {
	if g == nil {
		return "<nil>"
	}
	return "generic{" + g.o.String() + "}"
}

// GoString is String.
func (g *generic) GoString() string { return g.String() }

// Format implements fmt.Formatter: every verb shows String.
func (g *generic) Format(f fmt.State, verb rune) { redact.Format(f, verb, g.String(), g.GoString()) }

// LogValue implements slog.LogValuer: String.
func (g *generic) LogValue() slog.Value { return slog.StringValue(g.String()) }

// MarshalJSON encodes String.
func (g *generic) MarshalJSON() ([]byte, error) { return json.Marshal(g.String()) }
