package authplugin

import (
	"context"
	"fmt"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// PasswordMethod authenticates a user with a password.
type PasswordMethod struct {
	User     User
	Password string
}

func (m PasswordMethod) name() string { return "password" }

func (m PasswordMethod) fill(ctx context.Context, id *identityv3.AuthIdentity) error {
	uid, uname, dom := m.User.ids()
	id.Password = &identityv3.AuthPassword{User: identityv3.AuthPasswordUser{ID: uid, Name: uname, Domain: dom, Password: m.Password}}
	return nil
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

func (m TokenMethod) name() string { return "token" }

func (m TokenMethod) fill(ctx context.Context, id *identityv3.AuthIdentity) error {
	id.Token = &identityv3.AuthTokenMethod{ID: m.Token}
	return nil
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

func (m ApplicationCredentialMethod) name() string { return "application_credential" }

func (m ApplicationCredentialMethod) fill(ctx context.Context, id *identityv3.AuthIdentity) error {
	ac := &identityv3.AuthApplicationCredential{Secret: m.Secret}
	if m.ID != "" {
		ac.ID = ptr(m.ID)
	} else {
		uid, uname, dom := m.User.ids()
		ac.Name = ptr(m.Name)
		ac.User = &identityv3.AuthUser{ID: uid, Name: uname, Domain: dom}
	}
	id.ApplicationCredential = ac
	return nil
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

func (m TOTPMethod) name() string { return "totp" }

func (m TOTPMethod) fill(ctx context.Context, id *identityv3.AuthIdentity) error {
	code := m.Passcode
	if m.PasscodeFunc != nil {
		c, err := m.PasscodeFunc(ctx)
		if err != nil {
			return fmt.Errorf("authplugin: TOTP passcode: %w", err)
		}
		code = c
	}
	uid, uname, dom := m.User.ids()
	id.TOTP = &identityv3.AuthTOTP{User: identityv3.AuthTOTPUser{ID: uid, Name: uname, Domain: dom, Passcode: code}}
	return nil
}

// A passcode callback cannot be compared: the plugin then adds a value of
// its own to its cache key (see v3.nonce).
func (m TOTPMethod) cacheKey() []string {
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
)
