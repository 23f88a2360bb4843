package keystone

import (
	"encoding/json"
	"fmt"
)

// V2DomainID and V2DomainName are the domain a v2.0 token's user and project
// are reported in (Identity v2.0 only sees the default domain).
const (
	V2DomainID   = "default"
	V2DomainName = "Default"
)

// v2 access document (POST /v2.0/tokens, GET /v2.0/tokens/{id}), decoded once.
type v2AccessBody struct {
	Access struct {
		Token struct {
			ID       string   `json:"id"`
			Expires  string   `json:"expires"`
			IssuedAt string   `json:"issued_at"`
			AuditIDs []string `json:"audit_ids"`
			Tenant   *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"tenant"`
		} `json:"token"`
		User struct {
			ID       string `json:"id"`
			Name     string `json:"name"`
			Username string `json:"username"`
			Roles    []struct {
				Name string `json:"name"`
			} `json:"roles"`
		} `json:"user"`
		ServiceCatalog []struct {
			Type      string `json:"type"`
			Name      string `json:"name"`
			Endpoints []struct {
				ID          string `json:"id"`
				Region      string `json:"region"`
				PublicURL   string `json:"publicURL"`
				InternalURL string `json:"internalURL"`
				AdminURL    string `json:"adminURL"`
			} `json:"endpoints"`
		} `json:"serviceCatalog"`
		Metadata struct {
			IsAdmin int      `json:"is_admin"`
			Roles   []string `json:"roles"`
		} `json:"metadata"`
		Trust *struct {
			ID            string `json:"id"`
			Impersonation bool   `json:"impersonation"`
			TrustorUserID string `json:"trustor_user_id"`
			TrusteeUserID string `json:"trustee_user_id"`
		} `json:"trust"`
	} `json:"access"`
}

// NewAccessInfoV2 reads an Identity v2.0 access document (the body of POST
// /v2.0/tokens or GET /v2.0/tokens/{id}), which carries the token ID itself.
// The result has the same API as a v3 token's: the tenant is the Project;
// v2.0 has no domains, so the user's domain, and the project's when there is
// one, are V2DomainID and V2DomainName (the default domain, as
// keystoneclient's AccessInfoV2 reports them, which may differ from the
// server's configuration); the catalog's publicURL,
// internalURL and adminURL become public, internal and admin endpoints.
// Timestamps without a zone are UTC. It fails with ErrInvalidResponse when
// body is not a v2.0 access document. The AccessInfo keeps body, which holds
// the token ID: it never prints it (see AccessInfo).
func NewAccessInfoV2(body []byte) (*AccessInfo, error) {
	var b v2AccessBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, fmt.Errorf("%w: v2.0 access body: %v", ErrInvalidResponse, err)
	}
	acc := &b.Access
	if acc.Token.ID == "" || acc.Token.Expires == "" || acc.User.ID == "" {
		return nil, fmt.Errorf("%w: v2.0 access body lacks token.id, token.expires or user.id", ErrInvalidResponse)
	}
	if !validToken(acc.Token.ID) {
		return nil, fmt.Errorf("%w: the token is not a printable ASCII string", ErrInvalidResponse)
	}
	expires := parseKeystoneTime(acc.Token.Expires)
	if expires.IsZero() {
		return nil, fmt.Errorf("%w: v2.0 access body: bad token.expires", ErrInvalidResponse)
	}
	name := acc.User.Name
	if name == "" {
		name = acc.User.Username
	}
	a := &AccessInfo{
		accessSecret: newAccessSecret(acc.Token.ID, body),
		version:      "v2.0",
		ExpiresAt:    expires,
		AuditIDs:     acc.Token.AuditIDs,
		User:         UserRef{ID: acc.User.ID, Name: name, DomainID: V2DomainID, DomainName: V2DomainName},
	}
	if acc.Token.IssuedAt != "" {
		// Zone-less timestamps are UTC (parseKeystoneTime).
		a.IssuedAt = parseKeystoneTime(acc.Token.IssuedAt)
	}
	if t := acc.Token.Tenant; t != nil {
		a.Project = &ProjectScope{ID: t.ID, Name: t.Name, DomainID: V2DomainID, DomainName: V2DomainName}
	}
	if tr := acc.Trust; tr != nil {
		a.Trust = &TrustRef{ID: tr.ID, Impersonation: tr.Impersonation, TrustorUserID: tr.TrustorUserID, TrusteeUserID: tr.TrusteeUserID}
	}
	isAdmin := acc.Metadata.IsAdmin != 0
	if acc.Token.Tenant != nil {
		a.IsAdminProject = &isAdmin
	}
	for i, r := range acc.User.Roles {
		ref := NameRef{Name: r.Name}
		if len(acc.Metadata.Roles) == len(acc.User.Roles) {
			ref.ID = acc.Metadata.Roles[i]
		}
		a.Roles = append(a.Roles, ref)
	}
	if len(acc.ServiceCatalog) > 0 {
		var eps []Endpoint
		for _, s := range acc.ServiceCatalog {
			for _, e := range s.Endpoints {
				for _, u := range []struct{ iface, url string }{{"public", e.PublicURL}, {"internal", e.InternalURL}, {"admin", e.AdminURL}} {
					if u.url == "" {
						continue
					}
					eps = append(eps, Endpoint{
						ID: e.ID, ServiceType: s.Type, ServiceName: s.Name, Interface: u.iface,
						URL: u.url, RegionID: e.Region, Region: e.Region,
					})
				}
			}
		}
		a.catalog = newCatalog(eps)
	}
	return a, nil
}
