package authplugin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// Scope is what a v3 token is scoped to: set one of project (by ID, or by name
// with its domain's ID or name), domain (by ID or name), System or TrustID;
// or Unscoped. The zero Scope asks for no scope: Keystone then scopes the
// token to the user's default project, if it has one.
type Scope struct {
	ProjectID, ProjectName             string
	ProjectDomainID, ProjectDomainName string
	DomainID, DomainName               string
	System                             bool
	TrustID                            string
	// Unscoped asks explicitly for an unscoped token, even if the user has a
	// default project.
	Unscoped bool
}

func (s Scope) cacheKey() []string {
	return []string{"scope", s.ProjectID, s.ProjectName, s.ProjectDomainID, s.ProjectDomainName,
		s.DomainID, s.DomainName, strconv.FormatBool(s.System), s.TrustID, strconv.FormatBool(s.Unscoped)}
}

// check reports a scope that sets several targets or misses a name's domain.
func (s Scope) check() error {
	n := 0
	if s.ProjectID != "" || s.ProjectName != "" {
		n++
		if s.ProjectID == "" && s.ProjectDomainID == "" && s.ProjectDomainName == "" {
			return &keystone.MissingOptionsError{Plugin: "scope", Options: []string{"project_domain_id or project_domain_name"}}
		}
	}
	if s.DomainID != "" || s.DomainName != "" {
		n++
	}
	if s.System {
		n++
	}
	if s.TrustID != "" {
		n++
	}
	if s.Unscoped {
		n++
	}
	if n > 1 {
		return fmt.Errorf("%w: authplugin: a scope has exactly one of project, domain, system, trust or unscoped", keystone.ErrInvalidArgument)
	}
	return nil
}

func (s Scope) request() (*identityv3.AuthScopeRequest, error) {
	var r identityv3.AuthScopeRequest
	var sc identityv3.AuthScope
	switch {
	case s.Unscoped:
		if err := r.FromAuthScopeUnscoped(identityv3.AuthScopeUnscopedUnscoped); err != nil {
			return nil, err
		}
		return &r, nil
	case s.ProjectID != "":
		sc.Project = &identityv3.AuthScopeProject{ID: ptr(s.ProjectID)}
	case s.ProjectName != "":
		sc.Project = &identityv3.AuthScopeProject{Name: ptr(s.ProjectName), Domain: domainRef(s.ProjectDomainID, s.ProjectDomainName)}
	case s.DomainID != "" || s.DomainName != "":
		sc.Domain = domainRef(s.DomainID, s.DomainName)
	case s.System:
		sc.System = &identityv3.SystemScope{All: ptr(true)}
	case s.TrustID != "":
		sc.OSTRUSTTrust = &identityv3.AuthScopeTrust{ID: s.TrustID}
	default:
		return nil, nil
	}
	if err := r.FromAuthScope(sc); err != nil {
		return nil, err
	}
	return &r, nil
}

func domainRef(id, name string) *identityv3.DomainRef {
	if id != "" {
		return &identityv3.DomainRef{ID: ptr(id)}
	}
	if name != "" {
		return &identityv3.DomainRef{Name: ptr(name)}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// User is a user by ID, or by name with the user's domain (ID or name).
type User struct {
	ID, Name             string
	DomainID, DomainName string
}

func (u User) check(plugin string) error {
	if u.ID == "" && u.Name == "" {
		return &keystone.MissingOptionsError{Plugin: plugin, Options: []string{"user_id or username"}}
	}
	if u.ID == "" && u.DomainID == "" && u.DomainName == "" {
		return &keystone.MissingOptionsError{Plugin: plugin, Options: []string{"user_domain_id or user_domain_name"}}
	}
	return nil
}

func (u User) cacheKey() []string { return []string{"user", u.ID, u.Name, u.DomainID, u.DomainName} }

func (u User) ids() (id, name *string, dom *identityv3.DomainRef) {
	if u.ID != "" {
		return ptr(u.ID), nil, nil
	}
	return nil, ptr(u.Name), domainRef(u.DomainID, u.DomainName)
}

// v3 authenticates with one or more methods against an Identity v3 endpoint.
type v3 struct {
	plugin  string
	authURL string
	methods []method
	scope   Scope
	receipt *keystone.AuthReceipt
	nonce   string
	// noCatalog asks for a token without its catalog (?nocatalog).
	noCatalog bool
}

func (a *v3) check() error {
	a.setNonce()
	if a.authURL == "" {
		return &keystone.MissingOptionsError{Plugin: a.plugin, Options: []string{"auth_url"}}
	}
	return a.scope.check()
}

// CacheKey implements keystone.Authenticator: the auth URL, every parameter
// of the methods (secrets included: keystone.Auth only uses a keyed digest of
// them), the scope, the receipt, and the plugin's nonce if it has one.
func (a *v3) CacheKey() []string {
	k := []string{a.plugin, keystone.UnversionedURL(a.authURL)}
	for _, m := range a.methods {
		k = append(k, m.cacheKey()...)
	}
	k = append(k, a.scope.cacheKey()...)
	if a.receipt != nil {
		k = append(k, "receipt", a.receipt.ID)
	}
	if a.nonce != "" {
		k = append(k, "nonce", a.nonce)
	}
	if a.noCatalog {
		k = append(k, "nocatalog")
	}
	return k
}

// setNonce gives the plugin a random value of its own when one of its
// methods has credentials that cannot be compared (a passcode callback, a
// program's method without a cache key): its tokens are then never shared
// with another plugin.
func (a *v3) setNonce() {
	for _, m := range a.methods {
		if m.cacheKey() == nil {
			b := make([]byte, 16)
			rand.Read(b)
			a.nonce = hex.EncodeToString(b)
			return
		}
	}
}

// Reauthenticates implements keystone.Authenticator.
func (a *v3) Reauthenticates() bool {
	if a.receipt != nil {
		return false // a receipt is good for one use and expires
	}
	for _, m := range a.methods {
		if !m.reusable() {
			return false
		}
	}
	return true
}

// AuthURL returns the URL the plugin authenticates against: the session
// prefers the identity endpoint there when the catalog has several.
func (a *v3) AuthURL() string { return a.authURL }

// v3AuthRequest is the body of POST /v3/auth/tokens: auth.identity holds
// the methods' names and their bodies, built-in or not.
type v3AuthRequest struct {
	Auth struct {
		Identity map[string]any               `json:"identity"`
		Scope    *identityv3.AuthScopeRequest `json:"scope,omitempty"`
	} `json:"auth"`
}

// request builds the authentication request: each method's body under its
// name (the last one's when a name comes twice, as keystoneauth1 does), the
// names in identity.methods, and the scope.
func (a *v3) request(ctx context.Context) (*v3AuthRequest, error) {
	req := &v3AuthRequest{}
	req.Auth.Identity = make(map[string]any, len(a.methods)+1)
	names := make([]string, 0, len(a.methods))
	for _, m := range a.methods {
		name := m.MethodName()
		if err := checkMethodName(name); err != nil {
			return nil, err
		}
		body, err := m.Body(ctx)
		if err != nil {
			return nil, err
		}
		raw, err := methodJSON(name, body)
		if err != nil {
			return nil, err
		}
		req.Auth.Identity[name] = raw
		names = append(names, name)
	}
	req.Auth.Identity["methods"] = names
	scope, err := a.scope.request()
	if err != nil {
		return nil, err
	}
	req.Auth.Scope = scope
	return req, nil
}

// Authenticate implements keystone.Authenticator: POST /v3/auth/tokens
// (?nocatalog when the plugin asks for no catalog).
func (a *v3) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	req, err := a.request(ctx)
	if err != nil {
		return nil, err
	}
	return issueV3(ctx, s, a.authURL, req, a.receipt, a.noCatalog)
}

// issueV3 sends an authentication request and reads the token.
func issueV3(ctx context.Context, s *keystone.Session, authURL string, body any, receipt *keystone.AuthReceipt, noCatalog bool) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	var h http.Header
	if receipt != nil {
		h = http.Header{"Openstack-Auth-Receipt": {receipt.ID}}
	}
	u := strings.TrimRight(keystone.UnversionedURL(authURL), "/") + "/v3/auth/tokens"
	if noCatalog {
		u += "?nocatalog"
	}
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodPost, URL: u, JSON: body, Header: h, NoAuth: true})
	if err != nil {
		var he *keystone.HTTPError
		if errors.As(err, &he) && he.StatusCode == http.StatusUnauthorized {
			if he.Receipt != nil {
				return nil, &keystone.AuthReceiptError{Receipt: he.Receipt, Err: he}
			}
			return nil, fmt.Errorf("%w: %w", keystone.ErrAuthorizationFailure, he)
		}
		return nil, err
	}
	return tokenFromResponse(s, http.MethodPost, resp)
}
