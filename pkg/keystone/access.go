package keystone

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// AccessInfo is what Keystone says about a token: who it is for, what it is
// scoped to, when it expires, and the service catalog. It is immutable and
// safe for concurrent use.
//
// The token ID is a credential: AccessInfo never prints it (String, GoString
// and the %v verbs show a digest).
type AccessInfo struct {
	token   string
	version string // "v3" or "v2.0"
	body    json.RawMessage

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

	catalog *Catalog
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

// OAuth1Ref is the OAuth1 access token and consumer of a token.
type OAuth1Ref struct {
	AccessTokenID, ConsumerID string
}

// v3 token body, decoded once. Only what AccessInfo exposes is decoded; the raw
// body keeps the rest.
type v3TokenBody struct {
	Token struct {
		Methods   []string  `json:"methods"`
		ExpiresAt time.Time `json:"expires_at"`
		IssuedAt  time.Time `json:"issued_at"`
		AuditIDs  []string  `json:"audit_ids"`
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
	} `json:"token"`
}

// NewAccessInfoV3 reads a v3 token: the token ID (from X-Subject-Token) and the
// body of POST or GET /v3/auth/tokens. It fails with ErrInvalidResponse when
// the body is not a v3 token. The AccessInfo keeps body (for Body and
// MarshalJSON): do not modify it afterwards.
func NewAccessInfoV3(token string, body []byte) (*AccessInfo, error) {
	var b v3TokenBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("%w: v3 token body: %v", ErrInvalidResponse, err)
	}
	t := &b.Token
	if t.User.ID == "" || t.ExpiresAt.IsZero() {
		return nil, fmt.Errorf("%w: v3 token body lacks user.id or expires_at", ErrInvalidResponse)
	}
	a := &AccessInfo{
		token:     token,
		version:   "v3",
		body:      body,
		ExpiresAt: t.ExpiresAt,
		IssuedAt:  t.IssuedAt,
		AuditIDs:  t.AuditIDs,
		Methods:   t.Methods,
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

// parseKeystoneTime reads Keystone's timestamps, with or without a zone
// (password_expires_at has none: it is UTC).
func parseKeystoneTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Token returns the token ID: a credential, to be sent as X-Auth-Token.
func (a *AccessInfo) Token() string { return a.token }

// Version is the Identity API version of the token: "v3" or "v2.0".
func (a *AccessInfo) Version() string { return a.version }

// Body returns the raw token body Keystone sent.
func (a *AccessInfo) Body() []byte { return append([]byte(nil), a.body...) }

// Catalog returns the service catalog, or nil when the token has none
// (unscoped, or issued with nocatalog).
func (a *AccessInfo) Catalog() *Catalog { return a.catalog }

// Scoped reports whether the token is scoped to a project, domain, system or trust.
func (a *AccessInfo) Scoped() bool {
	return a.Project != nil || a.Domain != nil || a.System || a.Trust != nil
}

// ProjectScoped reports whether the token is scoped to a project.
func (a *AccessInfo) ProjectScoped() bool { return a.Project != nil }

// DomainScoped reports whether the token is scoped to a domain.
func (a *AccessInfo) DomainScoped() bool { return a.Domain != nil }

// SystemScoped reports whether the token is scoped to the system.
func (a *AccessInfo) SystemScoped() bool { return a.System }

// TrustScoped reports whether the token is scoped to a trust.
func (a *AccessInfo) TrustScoped() bool { return a.Trust != nil }

// HasRole reports whether the token carries the role with this name.
func (a *AccessInfo) HasRole(name string) bool {
	for _, r := range a.Roles {
		if r.Name == name {
			return true
		}
	}
	return false
}

// WillExpireSoon reports whether the token expires within d of now. A token
// without an expiry (an admin token) never does.
func (a *AccessInfo) WillExpireSoon(now time.Time, d time.Duration) bool {
	return !a.ExpiresAt.IsZero() && !a.ExpiresAt.After(now.Add(d))
}

// NewStaticAccess returns the AccessInfo of a token Keystone will not
// describe: an admin token (Keystone's [DEFAULT] admin_token bootstrap mode),
// or a token from elsewhere. It has no user, scope, catalog or expiry.
func NewStaticAccess(token string) *AccessInfo {
	return &AccessInfo{token: token, version: "static"}
}

// TokenDigest is the SHA-256 of the token, as logs show it: {SHA256}hex.
func (a *AccessInfo) TokenDigest() string { return tokenDigest(a.token) }

func tokenDigest(token string) string {
	if token == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(token))
	return "{SHA256}" + hex.EncodeToString(sum[:])
}

// String describes the token without its ID.
func (a *AccessInfo) String() string {
	scope := "unscoped"
	switch {
	case a.Trust != nil:
		scope = "trust " + a.Trust.ID
	case a.Project != nil:
		scope = "project " + a.Project.ID
	case a.Domain != nil:
		scope = "domain " + a.Domain.ID
	case a.System:
		scope = "system"
	}
	return fmt.Sprintf("AccessInfo{%s user %s (%s), %s, expires %s, token %s}",
		a.version, a.User.Name, a.User.ID, scope, a.ExpiresAt.Format(time.RFC3339), a.TokenDigest())
}

// GoString is String: %#v does not show the token either.
func (a *AccessInfo) GoString() string { return a.String() }

// savedAccess is the exported auth state, compatible in spirit with
// keystoneauth1's get_auth_state: {"auth_token": ..., "body": {...}}.
type savedAccess struct {
	AuthToken string          `json:"auth_token"`
	Version   string          `json:"version,omitempty"`
	Body      json.RawMessage `json:"body"`
}

// MarshalJSON exports the token and its body losslessly. The result contains
// the token ID: store it as a secret.
func (a *AccessInfo) MarshalJSON() ([]byte, error) {
	return a.ExportState()
}

// ExportState exports the token and its body losslessly, for
// ParseAccessInfo. It is the one way to get the token out of an AccessInfo
// as data: the result contains the token ID, so store it as a secret.
func (a *AccessInfo) ExportState() ([]byte, error) {
	return json.Marshal(savedAccess{AuthToken: a.token, Version: a.version, Body: a.body})
}

// ParseAccessInfo reads what ExportState wrote.
func ParseAccessInfo(data []byte) (*AccessInfo, error) {
	var s savedAccess
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: saved auth state: %v", ErrInvalidResponse, err)
	}
	if s.AuthToken == "" || len(s.Body) == 0 {
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
