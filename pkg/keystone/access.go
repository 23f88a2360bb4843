package keystone

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gokeystone/keystone/internal/redact"
)

// AccessInfo is what Keystone says about a token: who it is for, what it is
// scoped to, when it expires, and the service catalog. It is immutable and
// safe for concurrent use.
//
// The token ID is a credential: AccessInfo never prints it. Every fmt verb,
// json.Marshal and slog show a description with the token's {SHA256} digest
// (see TokenDigest); Token and ExportState are the only ways to get the token
// out. Build an AccessInfo with NewAccessInfoV3, NewAccessInfoV2,
// NewStaticAccess or ParseAccessInfo: the zero AccessInfo has no token.
type AccessInfo struct {
	// The token ID and the raw body (v2.0's holds the token ID too) are
	// behind two pointers, so that nothing that walks the struct by
	// reflection reaches them: encoders skip unexported fields, and fmt
	// prints a nested pointer as an address (and, for a verb that does not
	// apply to pointers, what it points to: another pointer).
	*accessSecret
	version string // "v3", "v2.0" or "static"

	ExpiresAt time.Time
	IssuedAt  time.Time
	AuditIDs  []string
	// Methods are the authentication methods the token was obtained with.
	Methods []string

	User    UserRef
	Project *ProjectScope // nil unless project-scoped (trust-scoped tokens have one too)
	Domain  *NameRef      // nil unless domain-scoped
	// System is true for a system-scoped token.
	System bool
	Roles  []NameRef
	// IsAdminProject is Keystone's is_admin_project flag, when present.
	IsAdminProject *bool

	Trust                 *TrustRef
	ApplicationCredential *ApplicationCredentialRef
	// OAuth1 is set for tokens obtained with an OAuth1 access token.
	OAuth1 *OAuth1Ref
	// ServiceProviders are the Keystone-to-Keystone service providers the
	// token may be turned into an assertion for (its service_providers).
	ServiceProviders []ServiceProvider

	catalog *Catalog
}

// ServiceProvider is a federation service provider of a token's catalog:
// the Keystone (or other SAML2 service provider) that accepts this
// Keystone's assertions.
type ServiceProvider struct {
	ID string `json:"id"`
	// AuthURL is the service provider Keystone's federation endpoint, where
	// its unscoped token comes from.
	AuthURL string `json:"auth_url"`
	// SPURL is where the assertion (in an ECP envelope) is posted.
	SPURL string `json:"sp_url"`
}

// accessSecret is what AccessInfo never shows.
type accessSecret struct{ *accessData }

type accessData struct {
	token string
	body  json.RawMessage
}

func newAccessSecret(token string, body json.RawMessage) *accessSecret {
	return &accessSecret{&accessData{token: token, body: body}}
}

// hasSecret reports whether a holds a token (the zero AccessInfo does not).
func (a *AccessInfo) hasSecret() bool {
	return a != nil && a.accessSecret != nil && a.accessData != nil
}

// NameRef is a resource by ID and name.
type NameRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// UserRef is the user of a token.
type UserRef struct {
	ID, Name             string
	DomainID, DomainName string
	// PasswordExpiresAt is when the password expires (zero when it does not).
	PasswordExpiresAt time.Time
	// Federated is set for a federated user's token.
	Federated *FederationRef
}

// FederationRef is the federation part of a federated user's token.
type FederationRef struct {
	IdentityProviderID, ProtocolID string
	GroupIDs                       []string
}

// ProjectScope is the project of a project-scoped token.
type ProjectScope struct {
	ID, Name             string
	DomainID, DomainName string
	// IsDomain is true when the project acts as a domain.
	IsDomain bool
}

// TrustRef is the trust of a trust-scoped token.
type TrustRef struct {
	ID                           string
	Impersonation                bool
	TrustorUserID, TrusteeUserID string
}

// ApplicationCredentialRef is the application credential a token was obtained with.
type ApplicationCredentialRef struct {
	ID, Name   string
	Restricted bool
}

// OAuth1Ref is the OAuth1 access token and consumer of a token. The access
// token ID is a credential: printing and JSON show its digest.
type OAuth1Ref struct {
	AccessTokenID, ConsumerID string
}

// String shows the consumer and the access token's digest.
func (o OAuth1Ref) String() string {
	return fmt.Sprintf("OAuth1Ref{AccessToken: %s, ConsumerID: %q}", redact.Digest(o.AccessTokenID), o.ConsumerID)
}

// Format implements fmt.Formatter: every verb shows String.
func (o OAuth1Ref) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "keystone."+o.String())
}

// MarshalJSON encodes the consumer and the access token's digest.
func (o OAuth1Ref) MarshalJSON() ([]byte, error) {
	return json.Marshal(oauth1Description{ConsumerID: o.ConsumerID, AccessTokenDigest: redact.Digest(o.AccessTokenID)})
}

// v3 token body, decoded once. Only what AccessInfo exposes is decoded; the raw
// body keeps the rest.
type v3TokenBody struct {
	Token struct {
		Methods []string `json:"methods"`
		// Keystone's timestamps may lack a zone (then they are UTC):
		// parseKeystoneTime reads them.
		ExpiresAt string   `json:"expires_at"`
		IssuedAt  string   `json:"issued_at"`
		AuditIDs  []string `json:"audit_ids"`
		User      struct {
			ID                string  `json:"id"`
			Name              string  `json:"name"`
			Domain            NameRef `json:"domain"`
			PasswordExpiresAt *string `json:"password_expires_at"`
			Federation        *struct {
				Groups []struct {
					ID string `json:"id"`
				} `json:"groups"`
				IdentityProvider struct {
					ID string `json:"id"`
				} `json:"identity_provider"`
				Protocol struct {
					ID string `json:"id"`
				} `json:"protocol"`
			} `json:"OS-FEDERATION"`
		} `json:"user"`
		Project *struct {
			ID     string  `json:"id"`
			Name   string  `json:"name"`
			Domain NameRef `json:"domain"`
		} `json:"project"`
		IsDomain bool     `json:"is_domain"`
		Domain   *NameRef `json:"domain"`
		System   *struct {
			All bool `json:"all"`
		} `json:"system"`
		Roles          []NameRef `json:"roles"`
		IsAdminProject *bool     `json:"is_admin_project"`
		Catalog        []struct {
			ID        string `json:"id"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Endpoints []struct {
				ID        string `json:"id"`
				Interface string `json:"interface"`
				RegionID  string `json:"region_id"` // null leaves ""
				Region    string `json:"region"`
				URL       string `json:"url"`
			} `json:"endpoints"`
		} `json:"catalog"`
		Trust *struct {
			ID            string `json:"id"`
			Impersonation bool   `json:"impersonation"`
			TrustorUser   struct {
				ID string `json:"id"`
			} `json:"trustor_user"`
			TrusteeUser struct {
				ID string `json:"id"`
			} `json:"trustee_user"`
		} `json:"OS-TRUST:trust"`
		ApplicationCredential *struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			Restricted bool   `json:"restricted"`
		} `json:"application_credential"`
		OAuth1 *struct {
			AccessTokenID string `json:"access_token_id"`
			ConsumerID    string `json:"consumer_id"`
		} `json:"OS-OAUTH1"`
		ServiceProviders []ServiceProvider `json:"service_providers"`
	} `json:"token"`
}

// NewAccessInfoV3 reads a v3 token: the token ID (from X-Subject-Token) and the
// body of POST or GET /v3/auth/tokens. It fails with ErrInvalidResponse when
// the body is not a v3 token. Timestamps without a zone are UTC, as Keystone
// means them. The AccessInfo keeps body (for Body and ExportState): do not
// modify it afterwards. token is empty for what Keystone answers without
// one (the token data of an S3 signature's validation): such an AccessInfo
// describes a user's authorization but cannot authenticate requests.
func NewAccessInfoV3(token string, body []byte) (*AccessInfo, error) {
	var b v3TokenBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("%w: v3 token body: %v", ErrInvalidResponse, err)
	}
	if token != "" && !validToken(token) {
		return nil, fmt.Errorf("%w: the token is not a printable ASCII string", ErrInvalidResponse)
	}
	t := &b.Token
	if t.User.ID == "" || t.ExpiresAt == "" {
		return nil, fmt.Errorf("%w: v3 token body lacks user.id or expires_at", ErrInvalidResponse)
	}
	expires := parseKeystoneTime(t.ExpiresAt)
	if expires.IsZero() {
		return nil, fmt.Errorf("%w: v3 token body: bad expires_at %q", ErrInvalidResponse, t.ExpiresAt)
	}
	var issued time.Time
	if t.IssuedAt != "" {
		if issued = parseKeystoneTime(t.IssuedAt); issued.IsZero() {
			return nil, fmt.Errorf("%w: v3 token body: bad issued_at %q", ErrInvalidResponse, t.IssuedAt)
		}
	}
	a := &AccessInfo{
		accessSecret: newAccessSecret(token, body),
		version:      "v3",
		ExpiresAt:    expires,
		IssuedAt:     issued,
		AuditIDs:     t.AuditIDs,
		Methods:      t.Methods,
		User: UserRef{
			ID: t.User.ID, Name: t.User.Name,
			DomainID: t.User.Domain.ID, DomainName: t.User.Domain.Name,
		},
		Domain:         t.Domain,
		System:         t.System != nil && t.System.All,
		Roles:          t.Roles,
		IsAdminProject: t.IsAdminProject,
	}
	if p := t.User.PasswordExpiresAt; p != nil && *p != "" {
		a.User.PasswordExpiresAt = parseKeystoneTime(*p)
	}
	if f := t.User.Federation; f != nil {
		fr := &FederationRef{IdentityProviderID: f.IdentityProvider.ID, ProtocolID: f.Protocol.ID}
		for _, g := range f.Groups {
			fr.GroupIDs = append(fr.GroupIDs, g.ID)
		}
		a.User.Federated = fr
	}
	if p := t.Project; p != nil {
		a.Project = &ProjectScope{ID: p.ID, Name: p.Name, DomainID: p.Domain.ID, DomainName: p.Domain.Name, IsDomain: t.IsDomain}
	}
	if tr := t.Trust; tr != nil {
		a.Trust = &TrustRef{ID: tr.ID, Impersonation: tr.Impersonation, TrustorUserID: tr.TrustorUser.ID, TrusteeUserID: tr.TrusteeUser.ID}
	}
	if ac := t.ApplicationCredential; ac != nil {
		a.ApplicationCredential = &ApplicationCredentialRef{ID: ac.ID, Name: ac.Name, Restricted: ac.Restricted}
	}
	if o := t.OAuth1; o != nil {
		a.OAuth1 = &OAuth1Ref{AccessTokenID: o.AccessTokenID, ConsumerID: o.ConsumerID}
	}
	a.ServiceProviders = t.ServiceProviders
	if t.Catalog != nil {
		n := 0
		for _, s := range t.Catalog {
			n += len(s.Endpoints)
		}
		eps := make([]Endpoint, 0, n)
		for _, s := range t.Catalog {
			for _, e := range s.Endpoints {
				ep := Endpoint{
					ID: e.ID, ServiceType: s.Type, ServiceName: s.Name, ServiceID: s.ID,
					Interface: canonicalInterface(e.Interface), URL: e.URL,
					RegionID: e.RegionID, Region: e.Region,
				}
				if ep.Region == "" {
					ep.Region = ep.RegionID
				}
				if ep.RegionID == "" {
					ep.RegionID = ep.Region
				}
				eps = append(eps, ep)
			}
		}
		a.catalog = newCatalog(eps)
	}
	return a, nil
}

// parseKeystoneTime reads Keystone's timestamps, with or without a zone: one
// without (password_expires_at, and expires_at and issued_at of some
// deployments, such as 2026-11-28T10:00:00.000000) is UTC. It returns the
// zero time for anything else.
func parseKeystoneTime(s string) time.Time {
	s = strings.TrimSpace(s)
	// Parsing accepts fractional seconds after the seconds even when the
	// layout has none.
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Year() < 1 || t.Year() > 9999 {
				return time.Time{} // not a time any encoding can carry
			}
			return t
		}
	}
	return time.Time{}
}

// validToken reports whether a token can be sent in a header and saved
// losslessly: printable ASCII without spaces, as Keystone's tokens are.
func validToken(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return false
		}
	}
	return true
}

// Token returns the token ID: a credential, to be sent as X-Auth-Token.
func (a *AccessInfo) Token() string {
	if !a.hasSecret() {
		return ""
	}
	return a.token
}

// Version is the Identity API version of the token: "v3" or "v2.0" ("static"
// for NewStaticAccess).
func (a *AccessInfo) Version() string {
	if a == nil {
		return ""
	}
	return a.version
}

// Body returns the raw token body Keystone sent. A v2.0 body holds the token
// ID: treat it as a secret.
func (a *AccessInfo) Body() []byte {
	if !a.hasSecret() {
		return nil
	}
	return append([]byte(nil), a.body...)
}

// Catalog returns the service catalog, or nil when the token has none
// (unscoped, or issued with nocatalog).
func (a *AccessInfo) Catalog() *Catalog {
	if a == nil {
		return nil
	}
	return a.catalog
}

// Scoped reports whether the token is scoped to a project, domain, system or trust.
func (a *AccessInfo) Scoped() bool {
	return a != nil && (a.Project != nil || a.Domain != nil || a.System || a.Trust != nil)
}

// ProjectScoped reports whether the token is scoped to a project.
func (a *AccessInfo) ProjectScoped() bool { return a != nil && a.Project != nil }

// DomainScoped reports whether the token is scoped to a domain.
func (a *AccessInfo) DomainScoped() bool { return a != nil && a.Domain != nil }

// SystemScoped reports whether the token is scoped to the system.
func (a *AccessInfo) SystemScoped() bool { return a != nil && a.System }

// TrustScoped reports whether the token is scoped to a trust.
func (a *AccessInfo) TrustScoped() bool { return a != nil && a.Trust != nil }

// HasRole reports whether the token carries the role with this name.
func (a *AccessInfo) HasRole(name string) bool {
	if a == nil {
		return false
	}
	for _, r := range a.Roles {
		if r.Name == name {
			return true
		}
	}
	return false
}

// WillExpireSoon reports whether the token expires within d of now. A token
// without an expiry (an admin token) never does; a nil AccessInfo (no token)
// always does.
func (a *AccessInfo) WillExpireSoon(now time.Time, d time.Duration) bool {
	if a == nil {
		return true
	}
	return !a.ExpiresAt.IsZero() && !a.ExpiresAt.After(now.Add(d))
}

// NewStaticAccess returns the AccessInfo of a token Keystone will not
// describe: an admin token (Keystone's [DEFAULT] admin_token bootstrap mode),
// or a token from elsewhere. It has no user, scope, catalog or expiry.
func NewStaticAccess(token string) *AccessInfo {
	return &AccessInfo{accessSecret: newAccessSecret(token, nil), version: "static"}
}

// TokenDigest is the SHA-256 of the token, as logs show it: {SHA256}hex.
func (a *AccessInfo) TokenDigest() string { return redact.Digest(a.Token()) }

// scope describes what the token is scoped to.
func (a *AccessInfo) scope() string {
	switch {
	case a.Trust != nil:
		return "trust " + a.Trust.ID
	case a.Project != nil:
		return "project " + a.Project.ID
	case a.Domain != nil:
		return "domain " + a.Domain.ID
	case a.System:
		return "system"
	}
	return "unscoped"
}

// String describes the token without its ID (with its digest).
func (a *AccessInfo) String() string {
	if a == nil {
		return "<nil>"
	}
	if a.version == "static" {
		return "AccessInfo{static, token " + a.TokenDigest() + "}"
	}
	return fmt.Sprintf("AccessInfo{%s user %s (%s), %s, expires %s, token %s}",
		a.version, a.User.Name, a.User.ID, a.scope(), a.ExpiresAt.Format(time.RFC3339), a.TokenDigest())
}

// GoString is String: %#v does not show the token either.
func (a *AccessInfo) GoString() string { return a.String() }

// Format implements fmt.Formatter, for an AccessInfo and a *AccessInfo:
// every verb (%v, %+v, %#v, %s, %q, %x, %d…) shows String, never the token
// nor the body.
func (a AccessInfo) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, a.String(), a.GoString())
}

// LogValue implements slog.LogValuer: the description of String as
// attributes, never the token.
func (a *AccessInfo) LogValue() slog.Value {
	if a == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.String("version", a.version)}
	if a.User.ID != "" || a.User.Name != "" {
		attrs = append(attrs, slog.String("user", a.User.Name+" ("+a.User.ID+")"))
	}
	if a.version != "static" {
		attrs = append(attrs, slog.String("scope", a.scope()))
	}
	if len(a.Roles) > 0 {
		names := make([]string, len(a.Roles))
		for i, r := range a.Roles {
			names[i] = r.Name
		}
		attrs = append(attrs, slog.String("roles", strings.Join(names, ",")))
	}
	if len(a.Methods) > 0 {
		attrs = append(attrs, slog.String("methods", strings.Join(a.Methods, ",")))
	}
	if !a.ExpiresAt.IsZero() {
		attrs = append(attrs, slog.Time("expires", a.ExpiresAt))
	}
	if !a.IssuedAt.IsZero() {
		attrs = append(attrs, slog.Time("issued", a.IssuedAt))
	}
	attrs = append(attrs, slog.String("token", a.TokenDigest()))
	return slog.GroupValue(attrs...)
}

// accessDescription is what MarshalJSON shows of an AccessInfo.
type accessDescription struct {
	Version               string                    `json:"version"`
	TokenDigest           string                    `json:"token_digest,omitempty"`
	ExpiresAt             *time.Time                `json:"expires_at,omitempty"`
	IssuedAt              *time.Time                `json:"issued_at,omitempty"`
	Methods               []string                  `json:"methods,omitempty"`
	AuditIDs              []string                  `json:"audit_ids,omitempty"`
	User                  *userDescription          `json:"user,omitempty"`
	Scope                 string                    `json:"scope,omitempty"`
	Project               *projectDescription       `json:"project,omitempty"`
	Domain                *NameRef                  `json:"domain,omitempty"`
	System                bool                      `json:"system,omitempty"`
	Trust                 *trustDescription         `json:"trust,omitempty"`
	Roles                 []NameRef                 `json:"roles,omitempty"`
	IsAdminProject        *bool                     `json:"is_admin_project,omitempty"`
	ApplicationCredential *ApplicationCredentialRef `json:"application_credential,omitempty"`
	OAuth1                *oauth1Description        `json:"oauth1,omitempty"`
	CatalogEndpoints      int                       `json:"catalog_endpoints,omitempty"`
}

type userDescription struct {
	ID                 string     `json:"id,omitempty"`
	Name               string     `json:"name,omitempty"`
	DomainID           string     `json:"domain_id,omitempty"`
	DomainName         string     `json:"domain_name,omitempty"`
	PasswordExpiresAt  *time.Time `json:"password_expires_at,omitempty"`
	IdentityProviderID string     `json:"identity_provider_id,omitempty"`
	ProtocolID         string     `json:"protocol_id,omitempty"`
	GroupIDs           []string   `json:"group_ids,omitempty"`
}

type projectDescription struct {
	ID         string `json:"id"`
	Name       string `json:"name,omitempty"`
	DomainID   string `json:"domain_id,omitempty"`
	DomainName string `json:"domain_name,omitempty"`
	IsDomain   bool   `json:"is_domain,omitempty"`
}

type trustDescription struct {
	ID            string `json:"id"`
	Impersonation bool   `json:"impersonation"`
	TrustorUserID string `json:"trustor_user_id,omitempty"`
	TrusteeUserID string `json:"trustee_user_id,omitempty"`
}

type oauth1Description struct {
	ConsumerID        string `json:"consumer_id,omitempty"`
	AccessTokenDigest string `json:"access_token_digest,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// MarshalJSON describes the token without its ID and without the raw body:
// version, user, scope, roles, expiry, methods and the token's digest (a nil
// *AccessInfo is null). To save a token and read it back, use ExportState
// and ParseAccessInfo.
func (a AccessInfo) MarshalJSON() ([]byte, error) {
	d := accessDescription{
		Version: a.version, TokenDigest: a.TokenDigest(),
		ExpiresAt: timePtr(a.ExpiresAt), IssuedAt: timePtr(a.IssuedAt),
		Methods: a.Methods, AuditIDs: a.AuditIDs, Domain: a.Domain, System: a.System,
		Roles: a.Roles, IsAdminProject: a.IsAdminProject, ApplicationCredential: a.ApplicationCredential,
	}
	if a.version != "static" {
		d.Scope = strings.Fields(a.scope())[0]
	}
	if u := a.User; u.ID != "" || u.Name != "" {
		ud := &userDescription{ID: u.ID, Name: u.Name, DomainID: u.DomainID, DomainName: u.DomainName,
			PasswordExpiresAt: timePtr(u.PasswordExpiresAt)}
		if f := u.Federated; f != nil {
			ud.IdentityProviderID, ud.ProtocolID, ud.GroupIDs = f.IdentityProviderID, f.ProtocolID, f.GroupIDs
		}
		d.User = ud
	}
	if p := a.Project; p != nil {
		d.Project = &projectDescription{ID: p.ID, Name: p.Name, DomainID: p.DomainID, DomainName: p.DomainName, IsDomain: p.IsDomain}
	}
	if t := a.Trust; t != nil {
		d.Trust = &trustDescription{ID: t.ID, Impersonation: t.Impersonation, TrustorUserID: t.TrustorUserID, TrusteeUserID: t.TrusteeUserID}
	}
	if o := a.OAuth1; o != nil {
		d.OAuth1 = &oauth1Description{ConsumerID: o.ConsumerID, AccessTokenDigest: redact.Digest(o.AccessTokenID)}
	}
	if a.catalog != nil {
		d.CatalogEndpoints = a.catalog.Len()
	}
	return json.Marshal(d)
}

// savedAccess is the exported auth state, compatible in spirit with
// keystoneauth1's get_auth_state: {"auth_token": ..., "body": {...}}.
type savedAccess struct {
	AuthToken string          `json:"auth_token"`
	Version   string          `json:"version,omitempty"`
	Body      json.RawMessage `json:"body"`
}

// ExportState exports the token and its body losslessly, for
// ParseAccessInfo. It is the one way to get the token out of an AccessInfo
// as data: the result contains the token ID, so store it as a secret.
func (a *AccessInfo) ExportState() ([]byte, error) {
	if !a.hasSecret() {
		return nil, errorf("keystone: no token to export")
	}
	body := a.body
	if len(body) == 0 {
		body = json.RawMessage("null")
	}
	return json.Marshal(savedAccess{AuthToken: a.token, Version: a.version, Body: body})
}

// ParseAccessInfo reads what ExportState wrote.
func ParseAccessInfo(data []byte) (*AccessInfo, error) {
	var s savedAccess
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: saved auth state: %v", ErrInvalidResponse, err)
	}
	if s.Version == "static" && s.AuthToken != "" {
		return NewStaticAccess(s.AuthToken), nil
	}
	if s.AuthToken == "" || len(s.Body) == 0 || string(s.Body) == "null" {
		return nil, fmt.Errorf("%w: saved auth state lacks auth_token or body", ErrInvalidResponse)
	}
	if s.Version == "v3" || (s.Version == "" && bytes.Contains(s.Body, []byte(`"token"`)) && !bytes.Contains(s.Body, []byte(`"access"`))) {
		return NewAccessInfoV3(s.AuthToken, s.Body)
	}
	if s.Version == "v2.0" || (s.Version == "" && bytes.Contains(s.Body, []byte(`"access"`))) {
		return NewAccessInfoV2(s.Body)
	}
	return nil, fmt.Errorf("%w: saved auth state of unsupported version %q", ErrUnsupportedVersion, s.Version)
}
