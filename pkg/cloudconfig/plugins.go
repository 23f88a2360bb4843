package cloudconfig

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/gokeystone/keystone/internal/sdkerr"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Option is one option of an auth plugin, named as in keystoneauth1
// (with "_", as in clouds.yaml).
type Option struct {
	// Name is the option's name, such as auth_url or project_name.
	Name string
	// Deprecated lists older names that are read when Name is not set
	// (tenant_name for project_name, user_name for username).
	Deprecated []string
	// Required makes Load fail with ErrMissingOption when the option is unset.
	Required bool
	// Secret masks the option's value wherever a Config is printed.
	Secret bool
}

// Plugin describes an auth plugin of the registry: its options and how to
// build it from a resolved Config.
type Plugin struct {
	// Options are the plugin's options. Load moves them from the top level
	// of the cloud's settings into Config.Auth, as keystoneauth1 does.
	Options []Option
	// OptionsFor, when set, returns the options for a given configuration
	// instead (v3multifactor's depend on its auth_methods).
	OptionsFor func(auth map[string]string) []Option
	// New builds the plugin.
	New func(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error)
}

func (p Plugin) options(auth map[string]string) []Option {
	if p.OptionsFor != nil {
		return p.OptionsFor(auth)
	}
	return p.Options
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Plugin{}
)

// Register adds or replaces the plugin for auth_type name (keystoneauth1's
// entry-point names: password, v3oidcpassword, …). It is safe for concurrent
// use; packages call it from init.
func Register(name string, p Plugin) {
	if name == "" || p.New == nil {
		panic("cloudconfig: Register needs a name and a New function")
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[name] = p
}

// LookupPlugin returns the plugin registered for auth_type name.
func LookupPlugin(name string) (Plugin, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	p, ok := registry[name]
	return p, ok
}

// PluginNames returns the registered auth_type names, sorted.
func PluginNames() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func opt(name string, deprecated ...string) Option {
	return Option{Name: name, Deprecated: deprecated}
}

func secret(name string, required bool) Option {
	return Option{Name: name, Required: required, Secret: true}
}

var (
	authURL  = Option{Name: "auth_url", Required: true}
	v3Scope  = []Option{opt("system_scope"), opt("domain_id"), opt("domain_name"), opt("project_id"), opt("project_name"), opt("project_domain_id"), opt("project_domain_name"), opt("trust_id"), opt("include_catalog")}
	v3User   = []Option{opt("user_id"), opt("username", "user_name"), opt("user_domain_id"), opt("user_domain_name")}
	generic  = []Option{opt("system_scope"), opt("domain_id"), opt("domain_name"), opt("project_id", "tenant_id"), opt("project_name", "tenant_name"), opt("project_domain_id"), opt("project_domain_name"), opt("trust_id"), opt("default_domain_id"), opt("default_domain_name"), opt("include_catalog")}
	v2Tenant = []Option{opt("tenant_id"), opt("tenant_name"), opt("trust_id")}
)

func join(parts ...[]Option) []Option {
	var out []Option
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// methodPlugins are the auth_methods a v3multifactor plugin accepts.
var methodPlugins = []string{"v3password", "v3token", "v3totp", "v3applicationcredential"}

func init() {
	Register("password", Plugin{
		Options: join([]Option{authURL}, generic, []Option{opt("user_id"), opt("username", "user_name"), opt("user_domain_id"), opt("user_domain_name"), secret("password", false)}),
		New:     newGenericPassword,
	})
	Register("token", Plugin{
		Options: join([]Option{authURL}, generic, []Option{secret("token", false)}),
		New:     newGenericToken,
	})
	Register("v3password", Plugin{
		Options: join([]Option{authURL}, v3Scope, v3User, []Option{secret("password", false)}),
		New:     newV3Password,
	})
	Register("v3token", Plugin{
		Options: join([]Option{authURL}, v3Scope, []Option{secret("token", true)}),
		New:     newV3Token,
	})
	Register("v3applicationcredential", Plugin{
		Options: join([]Option{authURL}, v3Scope, v3User, []Option{secret("application_credential_secret", true), opt("application_credential_id"), opt("application_credential_name")}),
		New:     newV3AppCred,
	})
	Register("v3totp", Plugin{
		Options: join([]Option{authURL}, v3Scope, v3User, []Option{secret("passcode", false)}),
		New:     newV3TOTP,
	})
	Register("v3multifactor", Plugin{
		OptionsFor: multiFactorOptions,
		New:        newV3MultiFactor,
	})
	Register("v2password", Plugin{
		Options: join([]Option{authURL}, v2Tenant, []Option{opt("username", "user_name"), opt("user_id"), secret("password", false)}),
		New:     newV2Password,
	})
	Register("v2token", Plugin{
		Options: join([]Option{authURL}, v2Tenant, []Option{secret("token", false)}),
		New:     newV2Token,
	})
	Register("admin_token", Plugin{
		Options: []Option{{Name: "endpoint", Deprecated: []string{"url"}}, secret("token", false)},
		New: func(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
			return authplugin.NewAdminToken(c.Auth["endpoint"], c.Auth["token"], opts...)
		},
	})
	Register("none", Plugin{
		Options: []Option{opt("endpoint")},
		New: func(c *Config, _ ...keystone.AuthOption) (keystone.AuthPlugin, error) {
			if c.Auth["endpoint"] == "" {
				return nil, &keystone.MissingOptionsError{Plugin: "none", Options: []string{"endpoint"}}
			}
			return noAuth{endpoint: c.Auth["endpoint"]}, nil
		},
	})
}

// authMethods splits v3multifactor's auth_methods ("v3password,v3totp").
func authMethods(auth map[string]string) []string {
	var out []string
	for _, m := range strings.FieldsFunc(auth["auth_methods"], func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, m)
	}
	return out
}

func multiFactorOptions(auth map[string]string) []Option {
	opts := join([]Option{authURL}, v3Scope, []Option{{Name: "auth_methods", Required: true}})
	for _, m := range authMethods(auth) {
		p, ok := LookupPlugin(m)
		if !ok || !slices.Contains(methodPlugins, m) {
			continue
		}
		for _, o := range p.Options {
			if !slices.ContainsFunc(opts, func(x Option) bool { return x.Name == o.Name }) {
				o.Required = false
				opts = append(opts, o)
			}
		}
	}
	return opts
}

func user(a map[string]string) authplugin.User {
	u := authplugin.User{ID: a["user_id"], Name: a["username"], DomainID: a["user_domain_id"], DomainName: a["user_domain_name"]}
	if u.DomainID == "" && u.DomainName == "" {
		u.DomainID, u.DomainName = a["default_domain_id"], a["default_domain_name"]
	}
	return u
}

func scope(a map[string]string) authplugin.Scope {
	s := authplugin.Scope{
		ProjectID: a["project_id"], ProjectName: a["project_name"],
		ProjectDomainID: a["project_domain_id"], ProjectDomainName: a["project_domain_name"],
		DomainID: a["domain_id"], DomainName: a["domain_name"],
		System:  a["system_scope"] != "",
		TrustID: a["trust_id"],
	}
	if s.ProjectName != "" && s.ProjectDomainID == "" && s.ProjectDomainName == "" {
		s.ProjectDomainID, s.ProjectDomainName = a["default_domain_id"], a["default_domain_name"]
	}
	return s
}

func newGenericPassword(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	// A token with no password (auth.token in clouds.yaml, where the
	// openstack CLI leaves auth_type at password) is used as the token plugin.
	nc, err := noCatalog(c)
	if err != nil {
		return nil, err
	}
	return authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: a["auth_url"], User: user(a), Password: a["password"], Token: a["token"], Scope: scope(a), NoCatalog: nc}, opts...)
}

func newGenericToken(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	nc, err := noCatalog(c)
	if err != nil {
		return nil, err
	}
	return authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: a["auth_url"], Token: a["token"], Scope: scope(a), NoCatalog: nc}, opts...)
}

func newV3Password(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	nc, err := noCatalog(c)
	if err != nil {
		return nil, err
	}
	return authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: a["auth_url"], User: user(a), Password: a["password"], Scope: scope(a), NoCatalog: nc}, opts...)
}

func newV3Token(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	nc, err := noCatalog(c)
	if err != nil {
		return nil, err
	}
	return authplugin.NewToken(authplugin.TokenOptions{AuthURL: a["auth_url"], Token: a["token"], Scope: scope(a), NoCatalog: nc}, opts...)
}

func newV3AppCred(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	nc, err := noCatalog(c)
	if err != nil {
		return nil, err
	}
	return authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{
		AuthURL: a["auth_url"], ID: a["application_credential_id"], Name: a["application_credential_name"],
		User: user(a), Secret: a["application_credential_secret"], NoCatalog: nc,
	}, opts...)
}

func newV3TOTP(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	nc, err := noCatalog(c)
	if err != nil {
		return nil, err
	}
	return authplugin.NewTOTP(authplugin.TOTPOptions{AuthURL: a["auth_url"], User: user(a), Passcode: a["passcode"], Scope: scope(a), NoCatalog: nc}, opts...)
}

func newV3MultiFactor(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	var methods []authplugin.Method
	for _, m := range authMethods(a) {
		switch m {
		case "v3password":
			methods = append(methods, authplugin.PasswordMethod{User: user(a), Password: a["password"]})
		case "v3token":
			methods = append(methods, authplugin.TokenMethod{Token: a["token"]})
		case "v3totp":
			methods = append(methods, authplugin.TOTPMethod{User: user(a), Passcode: a["passcode"]})
		case "v3applicationcredential":
			methods = append(methods, authplugin.ApplicationCredentialMethod{
				ID: a["application_credential_id"], Name: a["application_credential_name"], User: user(a),
				Secret: a["application_credential_secret"]})
		default:
			return nil, &Error{Err: ErrInvalidConfig, Cloud: c.Cloud, Option: "auth.auth_methods",
				Detail: "unsupported method " + m + " (supported: " + strings.Join(methodPlugins, ", ") + ")"}
		}
	}
	nc, err := noCatalog(c)
	if err != nil {
		return nil, err
	}
	return authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: a["auth_url"], Methods: methods, Scope: scope(a), NoCatalog: nc}, opts...)
}

// noCatalog reads the v3 plugins' include_catalog option (default true:
// false asks for tokens without their catalog).
func noCatalog(c *Config) (bool, error) {
	v := strings.TrimSpace(c.Auth["include_catalog"])
	if v == "" {
		return false, nil
	}
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return false, nil
	case "false", "no", "off", "0":
		return true, nil
	}
	return false, &Error{Err: ErrInvalidConfig, Cloud: c.Cloud, Option: "auth.include_catalog",
		Detail: fmt.Sprintf("%q is not a boolean", v)}
}

func tenant(a map[string]string) authplugin.Tenant {
	return authplugin.Tenant{ID: a["tenant_id"], Name: a["tenant_name"]}
}

func newV2Password(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	return authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: a["auth_url"], UserID: a["user_id"], Username: a["username"], Password: a["password"], Tenant: tenant(a), TrustID: a["trust_id"]}, opts...)
}

func newV2Token(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	a := c.Auth
	return authplugin.NewTokenV2(authplugin.TokenV2Options{AuthURL: a["auth_url"], Token: a["token"], Tenant: tenant(a), TrustID: a["trust_id"]}, opts...)
}

// errNoAuth is what the none plugin answers when asked for a token's details.
var errNoAuth = sdkerr.New("cloudconfig: the none auth plugin has no token")

// noAuth is keystoneauth1's noauth plugin: no token, one endpoint for every
// service.
type noAuth struct{ endpoint string }

func (noAuth) Token(context.Context, *keystone.Session) (string, error) { return "", nil }

func (noAuth) Access(context.Context, *keystone.Session) (*keystone.AccessInfo, error) {
	return nil, errNoAuth
}

func (n noAuth) Endpoint(context.Context, *keystone.Session, keystone.EndpointFilter) (string, error) {
	return n.endpoint, nil
}

func (noAuth) Invalidate(string) bool { return false }
