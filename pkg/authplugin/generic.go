package authplugin

import (
	"context"
	"errors"
	"fmt"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// GenericOptions configure a plugin that discovers which Identity API
// versions AuthURL offers and authenticates with the best one it supports:
// with Password when it is set, else with Token.
type GenericOptions struct {
	AuthURL  string
	User     User
	Password string
	Token    string
	Scope    Scope
	// NoCatalog asks for tokens without their service catalog (Identity v3
	// only: keystoneauth1's include_catalog=False). Endpoint lookups then
	// fail with keystone.ErrEmptyCatalog.
	NoCatalog bool
}

// String hides the password and token.
func (o GenericOptions) String() string {
	return fmt.Sprintf("GenericOptions{AuthURL: %q, User: %+v, Password: %s, Token: %s, Scope: %+v}",
		o.AuthURL, o.User, mask(o.Password), mask(o.Token), o.Scope)
}

// GoString is String.
func (o GenericOptions) GoString() string { return o.String() }

type generic struct {
	o GenericOptions
}

// NewGeneric returns a version-discovering plugin (keystoneauth1's
// generic.Password and generic.Token). It uses Identity v3, or v2.0 when the
// server offers only that (then the user is taken by ID or name, without a
// domain, and the scope must be a project, by ID or name, a trust, or none).
func NewGeneric(o GenericOptions, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	if o.AuthURL == "" {
		return nil, &keystone.MissingOptionsError{Plugin: "generic", Options: []string{"auth_url"}}
	}
	switch {
	case o.Password != "":
		if o.User.ID == "" && o.User.Name == "" {
			return nil, &keystone.MissingOptionsError{Plugin: "generic password", Options: []string{"user_id or username"}}
		}
	case o.Token != "":
	default:
		return nil, fmt.Errorf("%w: give a password (with a user) or a token", keystone.ErrNoMatchingPlugin)
	}
	// The user's and the project's domains are checked when Identity v3 is
	// chosen (Authenticate): v2.0 has none, so an openrc of v2.0 names none.
	sc := o.Scope
	if sc.ProjectDomainID == "" && sc.ProjectDomainName == "" {
		sc.ProjectDomainID = "checked-with-v3"
	}
	if err := sc.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(&generic{o: o}, opts...), nil
}

func (g *generic) CacheKey() []string {
	m := method(TokenMethod{Token: g.o.Token})
	if g.o.Password != "" {
		m = PasswordMethod{User: g.o.User, Password: g.o.Password}
	}
	k := append([]string{"generic", keystone.UnversionedURL(g.o.AuthURL)}, m.cacheKey()...)
	k = append(k, g.o.Scope.cacheKey()...)
	if g.o.NoCatalog {
		k = append(k, "nocatalog")
	}
	return k
}

func (g *generic) Reauthenticates() bool { return true }

// AuthURL returns the URL the plugin discovers and authenticates against: the
// session prefers the identity endpoint there when the catalog has several.
func (g *generic) AuthURL() string { return g.o.AuthURL }

// Authenticate discovers the versions at the auth URL (or its unversioned
// root) and authenticates with Identity v3.
func (g *generic) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	d, err := s.Discover(ctx, g.o.AuthURL) // at the URL, else at its root
	if err != nil {
		return nil, err
	}
	v, err := d.Match("3", "3")
	if errors.Is(err, keystone.ErrVersionNotAvailable) {
		if v2, err2 := d.Match("2.0", "2.0"); err2 == nil {
			return g.authenticateV2(ctx, s, v2.URL)
		}
		return nil, fmt.Errorf("%w: %s offers neither Identity v3 nor v2.0: %w", keystone.ErrUnsupportedVersion, g.o.AuthURL, err)
	}
	if err != nil {
		return nil, err
	}
	if g.o.Password != "" {
		if err := g.o.User.check("generic password"); err != nil {
			return nil, err
		}
	}
	if err := g.o.Scope.check(); err != nil {
		return nil, err
	}
	url := v.URL
	if url == "" {
		url = g.o.AuthURL
	}
	a := &v3{plugin: "generic", authURL: url, scope: g.o.Scope, noCatalog: g.o.NoCatalog}
	if g.o.Password != "" {
		a.methods = []method{PasswordMethod{User: g.o.User, Password: g.o.Password}}
	} else {
		a.methods = []method{TokenMethod{Token: g.o.Token}}
	}
	return a.Authenticate(ctx, s)
}

// authenticateV2 authenticates with Identity v2.0 at url.
func (g *generic) authenticateV2(ctx context.Context, s *keystone.Session, url string) (*keystone.AccessInfo, error) {
	sc := g.o.Scope
	if sc.DomainID != "" || sc.DomainName != "" || sc.System {
		return nil, fmt.Errorf("%w: %s offers only Identity v2.0, which has no domain or system scope",
			keystone.ErrUnsupportedVersion, g.o.AuthURL)
	}
	if url == "" {
		url = g.o.AuthURL
	}
	a := &v2{plugin: "generic", authURL: url, tenant: Tenant{ID: sc.ProjectID, Name: sc.ProjectName}, trustID: sc.TrustID}
	if g.o.Password != "" {
		a.userID, a.username, a.password = g.o.User.ID, g.o.User.Name, g.o.Password
	} else {
		a.token = g.o.Token
	}
	return a.Authenticate(ctx, s)
}
