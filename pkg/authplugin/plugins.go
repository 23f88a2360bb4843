package authplugin

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// PasswordOptions configure a v3 password plugin.
type PasswordOptions struct {
	// AuthURL is the Identity endpoint: its root or its /v3 URL.
	AuthURL  string
	User     User
	Password string
	Scope    Scope
	// NoCatalog asks for tokens without their service catalog
	// (keystoneauth1's include_catalog=False: POST
	// /v3/auth/tokens?nocatalog): smaller, for a program that only checks
	// who it is. Endpoint lookups then fail with keystone.ErrEmptyCatalog.
	NoCatalog bool
}

// String hides the password.
func (o PasswordOptions) String() string {
	return fmt.Sprintf("PasswordOptions{AuthURL: %q, User: %+v, Password: %s, Scope: %+v}", o.AuthURL, o.User, mask(o.Password), o.Scope)
}

// GoString is String.
func (o PasswordOptions) GoString() string { return o.String() }

// NewPassword returns a plugin that authenticates with a user's password.
func NewPassword(o PasswordOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	if err := o.User.check("password"); err != nil {
		return nil, err
	}
	if o.Password == "" {
		return nil, &keystone.MissingOptionsError{Plugin: "password", Options: []string{"password"}}
	}
	a := &v3{plugin: "v3password", authURL: o.AuthURL, scope: o.Scope, noCatalog: o.NoCatalog,
		methods: []method{PasswordMethod{User: o.User, Password: o.Password}}}
	if err := a.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(a, opts...), nil
}

// TokenOptions configure a v3 token plugin.
type TokenOptions struct {
	AuthURL string
	// Token is an existing token, exchanged for one with Scope.
	Token string
	Scope Scope
	// NoCatalog asks for tokens without their service catalog
	// (keystoneauth1's include_catalog=False: POST
	// /v3/auth/tokens?nocatalog): smaller, for a program that only checks
	// who it is. Endpoint lookups then fail with keystone.ErrEmptyCatalog.
	NoCatalog bool
}

// String hides the token.
func (o TokenOptions) String() string {
	return fmt.Sprintf("TokenOptions{AuthURL: %q, Token: %s, Scope: %+v}", o.AuthURL, mask(o.Token), o.Scope)
}

// GoString is String.
func (o TokenOptions) GoString() string { return o.String() }

// NewToken returns a plugin that exchanges a token for a (re)scoped one. It
// can re-authenticate while the original token is valid.
func NewToken(o TokenOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	if o.Token == "" {
		return nil, &keystone.MissingOptionsError{Plugin: "token", Options: []string{"token"}}
	}
	a := &v3{plugin: "v3token", authURL: o.AuthURL, scope: o.Scope, noCatalog: o.NoCatalog, methods: []method{TokenMethod{Token: o.Token}}}
	if err := a.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(a, opts...), nil
}

// ApplicationCredentialOptions configure a v3 application credential plugin:
// ID and Secret, or Name, User and Secret.
type ApplicationCredentialOptions struct {
	AuthURL string
	ID      string
	Name    string
	User    User
	Secret  string
	// NoCatalog asks for tokens without their service catalog
	// (keystoneauth1's include_catalog=False: POST
	// /v3/auth/tokens?nocatalog): smaller, for a program that only checks
	// who it is. Endpoint lookups then fail with keystone.ErrEmptyCatalog.
	NoCatalog bool
}

// String hides the secret.
func (o ApplicationCredentialOptions) String() string {
	return fmt.Sprintf("ApplicationCredentialOptions{AuthURL: %q, ID: %q, Name: %q, User: %+v, Secret: %s}", o.AuthURL, o.ID, o.Name, o.User, mask(o.Secret))
}

// GoString is String.
func (o ApplicationCredentialOptions) GoString() string { return o.String() }

// NewApplicationCredential returns a plugin that authenticates with an
// application credential. The token's scope is the credential's project.
func NewApplicationCredential(o ApplicationCredentialOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	if o.ID == "" && o.Name == "" {
		missing = append(missing, "application_credential_id or application_credential_name")
	}
	if o.Secret == "" {
		missing = append(missing, "application_credential_secret")
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "application credential", Options: missing}
	}
	if o.ID == "" {
		if err := o.User.check("application credential"); err != nil {
			return nil, err
		}
	}
	a := &v3{plugin: "v3applicationcredential", authURL: o.AuthURL, noCatalog: o.NoCatalog,
		methods: []method{ApplicationCredentialMethod{ID: o.ID, Name: o.Name, User: o.User, Secret: o.Secret}}}
	if err := a.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(a, opts...), nil
}

// TOTPOptions configure a v3 TOTP plugin.
type TOTPOptions struct {
	AuthURL string
	User    User
	// Passcode is used once; with PasscodeFunc instead, the plugin can
	// re-authenticate.
	Passcode     string
	PasscodeFunc func(ctx context.Context) (string, error)
	Scope        Scope
	// NoCatalog asks for tokens without their service catalog
	// (keystoneauth1's include_catalog=False: POST
	// /v3/auth/tokens?nocatalog): smaller, for a program that only checks
	// who it is. Endpoint lookups then fail with keystone.ErrEmptyCatalog.
	NoCatalog bool
}

// String hides the passcode.
func (o TOTPOptions) String() string {
	return fmt.Sprintf("TOTPOptions{AuthURL: %q, User: %+v, Passcode: %s, Scope: %+v}", o.AuthURL, o.User, mask(o.Passcode), o.Scope)
}

// GoString is String.
func (o TOTPOptions) GoString() string { return o.String() }

// NewTOTP returns a plugin that authenticates with a TOTP passcode alone.
func NewTOTP(o TOTPOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	if err := o.User.check("totp"); err != nil {
		return nil, err
	}
	if o.Passcode == "" && o.PasscodeFunc == nil {
		return nil, &keystone.MissingOptionsError{Plugin: "totp", Options: []string{"passcode"}}
	}
	a := &v3{plugin: "v3totp", authURL: o.AuthURL, scope: o.Scope, noCatalog: o.NoCatalog,
		methods: []method{TOTPMethod{User: o.User, Passcode: o.Passcode, PasscodeFunc: o.PasscodeFunc}}}
	if err := a.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(a, opts...), nil
}

// MultiFactorOptions configure a v3 plugin with several methods at once (for
// example password and TOTP), or with a method of the program's own (see
// Method).
type MultiFactorOptions struct {
	AuthURL string
	Methods []Method
	Scope   Scope
	// Receipt continues a multi-factor authentication that Keystone answered
	// with *keystone.AuthReceiptError: give the receipt and only the methods
	// still missing.
	Receipt *keystone.AuthReceipt
	// NoCatalog asks for tokens without their service catalog
	// (keystoneauth1's include_catalog=False: POST
	// /v3/auth/tokens?nocatalog): smaller, for a program that only checks
	// who it is. Endpoint lookups then fail with keystone.ErrEmptyCatalog.
	NoCatalog bool
}

// NewMultiFactor returns a plugin that authenticates with all of o.Methods in
// one request: built-in methods and the program's own (see Method). As with
// keystoneauth1, a name given twice is listed twice in identity.methods and
// the last method's body is sent. When the user's multi-factor rules need more methods, Token
// fails with *keystone.AuthReceiptError (keystone.ErrAuthReceiptRequired):
// build a new plugin with its Receipt and the missing methods.
func NewMultiFactor(o MultiFactorOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	if len(o.Methods) == 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "multi-factor", Options: []string{"methods"}}
	}
	a := &v3{plugin: "v3multifactor", authURL: o.AuthURL, scope: o.Scope, receipt: o.Receipt, noCatalog: o.NoCatalog}
	var names []string
	for _, m := range o.Methods {
		if isNil(m) {
			return nil, fmt.Errorf("%w: authplugin: nil method", keystone.ErrInvalidArgument)
		}
		name := m.MethodName()
		if err := checkMethodName(name); err != nil {
			return nil, err
		}
		a.methods = append(a.methods, toMethod(m))
		names = append(names, name)
	}
	if o.Receipt != nil && o.Receipt.ID == "" {
		return nil, &keystone.MissingOptionsError{Plugin: "multi-factor", Options: []string{"receipt ID"}}
	}
	if err := a.check(); err != nil {
		return nil, fmt.Errorf("authplugin: multi-factor (%s): %w", strings.Join(names, ", "), err)
	}
	return keystone.NewAuth(a, opts...), nil
}

// adminToken is Keystone's [DEFAULT] admin_token bootstrap mode: a shared
// secret token and a fixed endpoint; no catalog, no authentication request.
type adminToken struct {
	endpoint, token string
}

func (a adminToken) Authenticate(context.Context, *keystone.Session) (*keystone.AccessInfo, error) {
	return keystone.NewStaticAccess(a.token), nil
}

func (a adminToken) CacheKey() []string {
	return []string{"admintoken", a.endpoint, a.token}
}

// The token does not expire; if the server rejects it, there is nothing to renew.
func (a adminToken) Reauthenticates() bool { return false }

func (a adminToken) EndpointOverride(keystone.EndpointFilter) (string, bool) { return a.endpoint, true }

// AuthURL returns the plugin's fixed endpoint.
func (a adminToken) AuthURL() string { return a.endpoint }

// NewAdminToken returns a plugin for Keystone's admin_token bootstrap mode:
// every request goes to endpoint with token, with no catalog and no
// authentication call.
func NewAdminToken(endpoint, token string, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	var missing []string
	if endpoint == "" {
		missing = append(missing, "endpoint")
	}
	if token == "" {
		missing = append(missing, "token")
	}
	if len(missing) > 0 {
		return nil, &keystone.MissingOptionsError{Plugin: "admin token", Options: missing}
	}
	return keystone.NewAuth(adminToken{endpoint: endpoint, token: token}, opts...), nil
}

// NewFromAccess returns a plugin that reuses a token obtained earlier, for
// example by another process (keystone.ParseAccessInfo reads what
// Auth.ExportState wrote). It cannot re-authenticate.
func NewFromAccess(ai *keystone.AccessInfo, opts ...keystone.AuthOption) *keystone.Auth {
	return keystone.NewAuthFromAccess(ai, opts...)
}

// isNil reports whether m is nil or a nil pointer, map, slice, func or
// channel in an interface (calling its methods could panic).
func isNil(m Method) bool {
	if m == nil {
		return true
	}
	switch v := reflect.ValueOf(m); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// errNeedsSession: a plugin's Authenticate was called without a session.
var errNeedsSession = fmt.Errorf("%w: authplugin: authenticating needs a session", keystone.ErrInvalidArgument)
