package authplugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Method is one Identity v3 authentication method: an entry of the request's
// auth.identity.methods and the member of auth.identity of the same name.
// PasswordMethod, TokenMethod, ApplicationCredentialMethod and TOTPMethod are
// the built-in ones; a program implements Method to authenticate with a
// method of its own (one its Keystone enables in [auth] methods) and gives
// it to NewMultiFactor, alone or next to built-in ones.
//
// A plugin holding a method that is not built in shares no token with another
// plugin (see keystone.WithTokenStore) unless the method implements
// MethodCacheKeyer, and re-authenticates with it unless it implements
// MethodReauthenticator and says otherwise. The plugin never prints a method
// that is not built in (only its type and name), but MultiFactorOptions
// prints its Methods: give yours String and Format methods that hide its
// secrets.
type Method interface {
	// MethodName is the method's name, such as "password" or "totp": its
	// entry in auth.identity.methods and its key in auth.identity.
	MethodName() string
	// Body returns the value of auth.identity.<MethodName>, which
	// encoding/json must encode as a JSON object (nil is sent as {}). It is
	// called at each authentication. It holds the method's credentials:
	// send it, never print it.
	Body(ctx context.Context) (any, error)
}

// MethodCacheKeyer is implemented by a Method whose credentials can be
// compared: CacheKey lists every parameter that identifies them, secrets
// included (keystone.Auth only ever uses a keyed digest of it). Two plugins
// with equal parameters then share tokens through a token store.
type MethodCacheKeyer interface {
	CacheKey() []string
}

// MethodReauthenticator is implemented by a Method that knows whether its
// credentials can be sent again once the first token expires (a single-use
// code cannot): the plugin then fails with keystone.ErrCannotReauthenticate
// instead of authenticating again.
type MethodReauthenticator interface {
	Reauthenticates() bool
}

// method is what a v3 plugin holds for each of its methods: a built-in
// method, or a program's own wrapped in customMethod.
type method interface {
	Method
	// cacheKey identifies the method's credentials; nil when they cannot
	// be compared (a passcode callback): the plugin then has a nonce.
	cacheKey() []string
	// reusable reports whether the method's credentials can be sent again.
	reusable() bool
}

// toMethod returns m as the plugin holds it.
func toMethod(m Method) method {
	if im, ok := m.(method); ok {
		return im
	}
	return customMethod{m: m}
}

// customMethod is a program's own Method inside a plugin: it prints only its
// type and name.
type customMethod struct{ m Method }

func (c customMethod) MethodName() string { return c.m.MethodName() }

func (c customMethod) Body(ctx context.Context) (any, error) {
	b, err := c.m.Body(ctx)
	if err != nil {
		return nil, fmt.Errorf("authplugin: method %q: %w", c.m.MethodName(), err)
	}
	return b, nil
}

func (c customMethod) cacheKey() []string {
	if k, ok := c.m.(MethodCacheKeyer); ok {
		return append([]string{"custom", fmt.Sprintf("%T", c.m), c.m.MethodName()}, k.CacheKey()...)
	}
	return nil
}

func (c customMethod) reusable() bool {
	if r, ok := c.m.(MethodReauthenticator); ok {
		return r.Reauthenticates()
	}
	return true
}

// String shows the method's type and name only.
func (c customMethod) String() string { return fmt.Sprintf("%T{Method: %q}", c.m, c.m.MethodName()) }

// GoString is String.
func (c customMethod) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb shows String.
func (c customMethod) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, c.String(), c.GoString())
}

// LogValue implements slog.LogValuer: String.
func (c customMethod) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes String.
func (c customMethod) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// checkMethodName rejects a name that cannot be a member of auth.identity.
func checkMethodName(name string) error {
	if name == "" || name == "methods" {
		return fmt.Errorf("%w: authplugin: method name %q", keystone.ErrInvalidArgument, name)
	}
	return nil
}

// methodJSON encodes a method's body, which must be a JSON object. The
// errors name the method and the error's type only: an encoding error may
// quote the value, a secret.
func methodJSON(name string, body any) (json.RawMessage, error) {
	if body == nil {
		return json.RawMessage("{}"), nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("%w: authplugin: the body of method %q does not encode as JSON (%T)", keystone.ErrInvalidArgument, name, err)
	}
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return json.RawMessage("{}"), nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%w: authplugin: the body of method %q is not a JSON object", keystone.ErrInvalidArgument, name)
	}
	return raw, nil
}

// PasswordMethod authenticates a user with a password.
type PasswordMethod struct {
	User     User
	Password string
}

// MethodName implements Method: "password".
func (m PasswordMethod) MethodName() string { return "password" }

// Body implements Method: the user and the password (a secret).
func (m PasswordMethod) Body(context.Context) (any, error) {
	uid, uname, dom := m.User.ids()
	return identityv3.AuthPassword{User: identityv3.AuthPasswordUser{ID: uid, Name: uname, Domain: dom, Password: m.Password}}, nil
}

func (m PasswordMethod) cacheKey() []string {
	return append(append([]string{"password"}, m.User.cacheKey()...), m.Password)
}
func (m PasswordMethod) reusable() bool { return true }

// String hides the password.
func (m PasswordMethod) String() string {
	return fmt.Sprintf("PasswordMethod{User: %+v, Password: %s}", m.User, mask(m.Password))
}

// GoString is String.
func (m PasswordMethod) GoString() string { return m.String() }

// TokenMethod authenticates with an existing token (to rescope it, say).
type TokenMethod struct {
	Token string
}

// MethodName implements Method: "token".
func (m TokenMethod) MethodName() string { return "token" }

// Body implements Method: the token (a secret).
func (m TokenMethod) Body(context.Context) (any, error) {
	return identityv3.AuthTokenMethod{ID: m.Token}, nil
}

// The token identifies the credentials (keystone.Auth only uses a keyed
// digest of it).
func (m TokenMethod) cacheKey() []string {
	return []string{"token", m.Token}
}

// A token can be exchanged again until it expires.
func (m TokenMethod) reusable() bool { return true }

// String hides the token.
func (m TokenMethod) String() string { return "TokenMethod{Token: " + mask(m.Token) + "}" }

// GoString is String.
func (m TokenMethod) GoString() string { return m.String() }

// ApplicationCredentialMethod authenticates with an application credential:
// by ID, or by name with its owner; and its secret. Such tokens are scoped by
// the credential itself: give no Scope.
type ApplicationCredentialMethod struct {
	ID, Name string
	// User owns the credential; needed with Name.
	User   User
	Secret string
}

// MethodName implements Method: "application_credential".
func (m ApplicationCredentialMethod) MethodName() string { return "application_credential" }

// Body implements Method: the credential and its secret.
func (m ApplicationCredentialMethod) Body(context.Context) (any, error) {
	ac := identityv3.AuthApplicationCredential{Secret: m.Secret}
	if m.ID != "" {
		ac.ID = ptr(m.ID)
	} else {
		uid, uname, dom := m.User.ids()
		ac.Name = ptr(m.Name)
		ac.User = &identityv3.AuthUser{ID: uid, Name: uname, Domain: dom}
	}
	return ac, nil
}

func (m ApplicationCredentialMethod) cacheKey() []string {
	return append(append([]string{"application_credential", m.ID, m.Name}, m.User.cacheKey()...), m.Secret)
}
func (m ApplicationCredentialMethod) reusable() bool { return true }

// String hides the secret.
func (m ApplicationCredentialMethod) String() string {
	return fmt.Sprintf("ApplicationCredentialMethod{ID: %q, Name: %q, User: %+v, Secret: %s}", m.ID, m.Name, m.User, mask(m.Secret))
}

// GoString is String.
func (m ApplicationCredentialMethod) GoString() string { return m.String() }

// TOTPMethod authenticates with a time-based one-time passcode. A Passcode is
// good once: the plugin cannot re-authenticate with it. Give PasscodeFunc
// instead (it is called at each authentication) to let it.
type TOTPMethod struct {
	User         User
	Passcode     string
	PasscodeFunc func(ctx context.Context) (string, error)
}

// MethodName implements Method: "totp".
func (m TOTPMethod) MethodName() string { return "totp" }

// Body implements Method: the user and the passcode (from PasscodeFunc when
// it is set).
func (m TOTPMethod) Body(ctx context.Context) (any, error) {
	code := m.Passcode
	if m.PasscodeFunc != nil {
		c, err := m.PasscodeFunc(ctx)
		if err != nil {
			return nil, fmt.Errorf("authplugin: TOTP passcode: %w", err)
		}
		code = c
	}
	uid, uname, dom := m.User.ids()
	return identityv3.AuthTOTP{User: identityv3.AuthTOTPUser{ID: uid, Name: uname, Domain: dom, Passcode: code}}, nil
}

// A passcode callback cannot be compared: the plugin then adds a value of
// its own to its cache key (see v3.nonce).
func (m TOTPMethod) cacheKey() []string {
	if m.PasscodeFunc != nil {
		return nil
	}
	return append(append([]string{"totp"}, m.User.cacheKey()...), m.Passcode)
}
func (m TOTPMethod) reusable() bool { return m.PasscodeFunc != nil }

// String hides the passcode.
func (m TOTPMethod) String() string {
	return fmt.Sprintf("TOTPMethod{User: %+v, Passcode: %s}", m.User, mask(m.Passcode))
}

// GoString is String.
func (m TOTPMethod) GoString() string { return m.String() }

func mask(secret string) string {
	if secret == "" {
		return `""`
	}
	return "***"
}

var (
	_ method = PasswordMethod{}
	_ method = TokenMethod{}
	_ method = ApplicationCredentialMethod{}
	_ method = TOTPMethod{}
	_ method = customMethod{}
)
