package keystonetest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/oapi-codegen/nullable"

	v2s "github.com/gokeystone/keystone/gen/identityv2server"
	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// v2 implements Identity v2.0 over the same state as v3, as Keystone did
// before Queens: tenants are the projects of the default domain, users the
// users of the default domain, roles the global roles, and a v2.0 endpoint
// the v3 endpoints of one service in one region (one per interface).
type v2 struct {
	unimplementedV2
	state *state
}

// globalRole is a global role grant: a role given to a user, not on a tenant.
type globalRole struct{ user, role string }

var _ v2s.StrictServerInterface = (*v2)(nil)

// v2Public operations need no token.
var v2Public = map[string]bool{
	"ListVersions": true, "GetVersion": true, "ListExtensions": true, "GetExtension": true,
	"IssueToken": true, "ValidateEC2Token": true, "GetCACertificate": true, "GetSigningCertificate": true,
}

// v2SelfService operations are open to any valid token; the handlers check
// what the caller may do.
var v2SelfService = map[string]bool{"ListTenants": true, "ChangeOwnPassword": true}

func (st *state) authenticateV2(f v2s.StrictHandlerFunc, op string) v2s.StrictHandlerFunc {
	return st.policy(f, op, v2Public, v2SelfService)
}

const v2Domain = "default"

func (s *v2) versionDoc() v2s.Version {
	updated := time.Date(2016, 8, 4, 0, 0, 0, 0, time.UTC)
	return v2s.Version{
		ID: "v2.0", Status: "deprecated", Updated: &updated,
		Links:      []v2s.Link{{Href: s.state.root + "/v2.0/", Rel: ptr("self")}},
		MediaTypes: []v2s.MediaType{{Base: "application/json", Type: "application/vnd.openstack.identity-v2.0+json"}},
	}
}

// GetVersion serves the v2.0 version document.
func (s *v2) GetVersion(context.Context, v2s.GetVersionRequestObject) (v2s.GetVersionResponseObject, error) {
	return v2s.GetVersion200JSONResponse{Version: s.versionDoc()}, nil
}

var v2Extensions = []v2s.Extension{
	{Alias: "OS-KSADM", Name: "OpenStack Keystone Admin", Namespace: "https://docs.openstack.org/identity/api/ext/OS-KSADM/v1.0",
		Description: ptr("OpenStack extensions to Keystone v2.0 API enabling Administrative Operations.")},
	{Alias: "OS-KSCRUD", Name: "OpenStack Keystone User CRUD", Namespace: "https://docs.openstack.org/identity/api/ext/OS-KSCRUD/v1.0",
		Description: ptr("OpenStack extensions to Keystone v2.0 API enabling User Operations.")},
	{Alias: "OS-EC2", Name: "OpenStack EC2 API", Namespace: "https://docs.openstack.org/identity/api/ext/OS-EC2/v1.0",
		Description: ptr("OpenStack EC2 Credentials backend.")},
}

// ListExtensions lists the extensions the fake serves.
func (s *v2) ListExtensions(context.Context, v2s.ListExtensionsRequestObject) (v2s.ListExtensionsResponseObject, error) {
	return v2s.ListExtensions200JSONResponse{Extensions: v2s.ExtensionList_Extensions{Values: v2Extensions}}, nil
}

// GetExtension shows one extension.
func (s *v2) GetExtension(_ context.Context, req v2s.GetExtensionRequestObject) (v2s.GetExtensionResponseObject, error) {
	for _, e := range v2Extensions {
		if e.Alias == req.Alias {
			return v2s.GetExtension200JSONResponse{Extension: e}, nil
		}
	}
	return nil, notFound("extension", req.Alias)
}

// GetCACertificate: PKI is gone, as in Keystone's last v2.0 releases.
func (s *v2) GetCACertificate(context.Context, v2s.GetCACertificateRequestObject) (v2s.GetCACertificateResponseObject, error) {
	return nil, notFound("certificate", "ca")
}

// GetSigningCertificate: PKI is gone.
func (s *v2) GetSigningCertificate(context.Context, v2s.GetSigningCertificateRequestObject) (v2s.GetSigningCertificateResponseObject, error) {
	return nil, notFound("certificate", "signing")
}

// ListRevokedTokens: PKI tokens are gone.
func (s *v2) ListRevokedTokens(context.Context, v2s.ListRevokedTokensRequestObject) (v2s.ListRevokedTokensResponseObject, error) {
	return nil, errorf(http.StatusGone, "PKI tokens and their revocation list are not supported.")
}

// globalRoleArgs checks the user and the role of a global role grant.
// Callers hold st.mu.
func (s *v2) globalRoleArgs(userID, roleID string) error {
	if _, err := s.state.getUserV2(userID); err != nil {
		return err
	}
	if r := s.state.roles.get(roleID); r == nil || !isGlobalRole(r) {
		return notFound("role", roleID)
	}
	return nil
}

func isGlobalRole(r *v3s.Role) bool {
	_, scoped := value(r.DomainID)
	return !scoped
}

// ListUserGlobalRoles lists the global roles granted to a user (not its
// roles on tenants), sorted by role ID.
func (s *v2) ListUserGlobalRoles(_ context.Context, req v2s.ListUserGlobalRolesRequestObject) (v2s.ListUserGlobalRolesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.getUserV2(req.UserID); err != nil {
		return nil, err
	}
	var ids []string
	for g := range s.state.v2GlobalRoles {
		if g.user == req.UserID {
			ids = append(ids, g.role)
		}
	}
	slices.Sort(ids)
	out := []v2s.Role{}
	for _, id := range ids {
		if r := st.roles.get(id); r != nil && isGlobalRole(r) {
			out = append(out, roleOf(r))
		}
	}
	return v2s.ListUserGlobalRoles200JSONResponse{Roles: out, RolesLinks: []v2s.Link{}}, nil
}

// GrantUserGlobalRole grants a global role to a user: 201 without a body, as
// the OS-KSADM api-ref says; 409 when the user has it already.
func (s *v2) GrantUserGlobalRole(_ context.Context, req v2s.GrantUserGlobalRoleRequestObject) (v2s.GrantUserGlobalRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.globalRoleArgs(req.UserID, req.RoleID); err != nil {
		return nil, err
	}
	g := globalRole{user: req.UserID, role: req.RoleID}
	if s.state.v2GlobalRoles[g] {
		return nil, conflict("role grant", "role", req.RoleID)
	}
	if s.state.v2GlobalRoles == nil {
		s.state.v2GlobalRoles = map[globalRole]bool{}
	}
	s.state.v2GlobalRoles[g] = true
	return v2s.GrantUserGlobalRole201Response{}, nil
}

// RevokeUserGlobalRole revokes a user's global role (404 when it has not).
func (s *v2) RevokeUserGlobalRole(_ context.Context, req v2s.RevokeUserGlobalRoleRequestObject) (v2s.RevokeUserGlobalRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.globalRoleArgs(req.UserID, req.RoleID); err != nil {
		return nil, err
	}
	g := globalRole{user: req.UserID, role: req.RoleID}
	if !s.state.v2GlobalRoles[g] {
		return nil, errorf(http.StatusNotFound, "Could not find role assignment with role: %s, user: %s.", req.RoleID, req.UserID)
	}
	delete(s.state.v2GlobalRoles, g)
	return v2s.RevokeUserGlobalRole204Response{}, nil
}

// --- tokens

// IssueToken authenticates with a password or a token, for a tenant by ID or name.
func (s *v2) IssueToken(_ context.Context, req v2s.IssueTokenRequestObject) (v2s.IssueTokenResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find auth in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	a := req.Body.Auth
	var (
		userID  string
		methods []string
		parent  *token
	)
	switch {
	case a.PasswordCredentials != nil:
		pc := a.PasswordCredentials
		var u *userRec
		if pc.UserID != nil {
			u = st.users.get(*pc.UserID)
		} else if pc.Username != nil {
			u = st.findUser(nil, pc.Username, &v3s.DomainRef{ID: ptr(v2Domain)})
		}
		if u == nil || !u.Enabled || u.DomainID != v2Domain || !checkPassword(u.password, pc.Password) {
			return nil, unauthorized()
		}
		userID, methods = u.ID, []string{"password"}
	case a.Token != nil:
		t, err := st.validToken(a.Token.ID)
		if err != nil {
			return nil, unauthorized()
		}
		userID, methods, parent = t.userID, t.methods, t
	default:
		return nil, badRequest("Expecting to find passwordCredentials or token in auth.")
	}
	var scope target
	switch {
	case a.TenantID != nil || a.TenantName != nil:
		p := st.tenant(a.TenantID, a.TenantName)
		if p == nil || !p.Enabled {
			return nil, unauthorized()
		}
		scope = target{project: p.ID}
		if len(st.directRoles(userID, scope)) == 0 {
			return nil, unauthorized()
		}
	case a.TrustID != nil:
		return nil, errNotImplemented
	}
	t := st.issue(userID, methods, scope, "", parent)
	return v2s.IssueToken200JSONResponse{Access: st.accessV2(t)}, nil
}

// tenant finds a project of the default domain by ID or name.
func (st *state) tenant(id, name *string) *v3s.Project {
	for _, p := range st.projects.all() {
		if d, _ := value(p.DomainID); d != v2Domain {
			continue
		}
		if (id != nil && p.ID == *id) || (id == nil && name != nil && p.Name == *name) {
			return p
		}
	}
	return nil
}

// issue records a new token.
func (st *state) issue(userID string, methods []string, scope target, appCredID string, parent *token) *token {
	now := st.now()
	t := &token{
		id: newTokenID(), userID: userID, methods: methods, scope: scope, appCredID: appCredID,
		issued: now.Truncate(time.Microsecond), expires: now.Add(st.lifetime).Truncate(time.Second),
		auditIDs: []string{newAuditID()},
	}
	if parent != nil {
		t.expires = parent.expires
		t.auditIDs = append(t.auditIDs, parent.auditIDs[len(parent.auditIDs)-1])
	}
	st.tokens[t.id] = t
	st.nIssued++
	return t
}

// accessV2 renders a token as v2.0's access document.
func (st *state) accessV2(t *token) v2s.Access {
	u := st.users.get(t.userID)
	issued := t.issued.UTC().Format("2006-01-02T15:04:05.000000")
	acc := v2s.Access{
		Token: v2s.Token{ID: t.id, Expires: t.expires.UTC(), IssuedAt: &issued, AuditIds: t.auditIDs},
		User:  v2s.AccessUser{ID: u.ID, Name: u.Name, Username: ptr(u.Name), Roles: []v2s.AccessUser_Roles{}, RolesLinks: []v2s.Link{}},
	}
	isAdmin := 0
	meta := v2s.AccessMetadata{IsAdmin: &isAdmin, Roles: []string{}}
	acc.ServiceCatalog = []v2s.CatalogService{}
	if t.scope.project != "" {
		p := st.projects.get(t.scope.project)
		acc.Token.Tenant = &v2s.TokenTenant{ID: p.ID, Name: p.Name, Enabled: ptr(p.Enabled), Description: p.Description}
		for _, r := range st.tokenRoles(t) {
			acc.User.Roles = append(acc.User.Roles, v2s.AccessUser_Roles{Name: st.roles.get(r).Name})
			meta.Roles = append(meta.Roles, r)
		}
		acc.ServiceCatalog = st.catalogV2(p.ID)
	}
	acc.Metadata = &meta
	return acc
}

// catalogV2 is the v3 catalog regrouped per service and region, with a URL
// per interface.
func (st *state) catalogV2(projectID string) []v2s.CatalogService {
	out := []v2s.CatalogService{}
	for _, svc := range st.catalog(projectID) {
		cs := v2s.CatalogService{Type: svc.Type, Name: svc.Name, Endpoints: []v2s.CatalogEndpoint{}, EndpointsLinks: []v2s.Link{}}
		byRegion := map[string]*v2s.CatalogEndpoint{}
		var order []string
		for _, ep := range svc.Endpoints {
			region, _ := value(ep.RegionID)
			e := byRegion[region]
			if e == nil {
				e = &v2s.CatalogEndpoint{ID: ptr(ep.ID), Region: ptr(region)}
				byRegion[region] = e
				order = append(order, region)
			}
			u := ptr(ep.URL)
			switch ep.Interface {
			case "public":
				e.PublicURL = u
			case "internal":
				e.InternalURL = u
			case "admin":
				e.AdminURL = u
			}
		}
		for _, r := range order {
			cs.Endpoints = append(cs.Endpoints, *byRegion[r])
		}
		out = append(out, cs)
	}
	return out
}

// ValidateToken shows a token's access document to an administrator.
func (s *v2) ValidateToken(_ context.Context, req v2s.ValidateTokenRequestObject) (v2s.ValidateTokenResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := st.validToken(req.TokenID)
	if err != nil {
		return nil, err
	}
	if req.Params.BelongsTo != nil && t.scope.project != *req.Params.BelongsTo {
		return nil, unauthorized()
	}
	return v2s.ValidateToken200JSONResponse{Access: st.accessV2(t)}, nil
}

// CheckToken checks a token.
func (s *v2) CheckToken(_ context.Context, req v2s.CheckTokenRequestObject) (v2s.CheckTokenResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := st.validToken(req.TokenID)
	if err != nil {
		return nil, err
	}
	if req.Params.BelongsTo != nil && t.scope.project != *req.Params.BelongsTo {
		return nil, unauthorized()
	}
	return v2s.CheckToken200Response{}, nil
}

// RevokeToken revokes a token.
func (s *v2) RevokeToken(_ context.Context, req v2s.RevokeTokenRequestObject) (v2s.RevokeTokenResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := st.validToken(req.TokenID)
	if err != nil {
		return nil, err
	}
	t.revoked = true
	st.recordRevocation(revocationEvent{auditID: t.auditIDs[0]}) // hook: records the revocation event (v3_revoke.go)
	return v2s.RevokeToken204Response{}, nil
}

// ListTokenEndpoints lists the endpoints of a token's catalog.
func (s *v2) ListTokenEndpoints(_ context.Context, req v2s.ListTokenEndpointsRequestObject) (v2s.ListTokenEndpointsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := st.validToken(req.TokenID)
	if err != nil {
		return nil, err
	}
	out := []v2s.CatalogEndpointWithService{}
	if t.scope.project != "" {
		for _, svc := range st.catalogV2(t.scope.project) {
			for _, e := range svc.Endpoints {
				out = append(out, v2s.CatalogEndpointWithService{ID: e.ID, Region: e.Region, PublicURL: e.PublicURL,
					InternalURL: e.InternalURL, AdminURL: e.AdminURL, Name: svc.Name, Type: ptr(svc.Type)})
			}
		}
	}
	return v2s.ListTokenEndpoints200JSONResponse{Endpoints: out, EndpointsLinks: []v2s.Link{}}, nil
}

// --- tenants

func tenantOf(p *v3s.Project) v2s.Tenant {
	return v2s.Tenant{ID: p.ID, Name: p.Name, Enabled: p.Enabled, Description: p.Description, AdditionalProperties: p.AdditionalProperties}
}

// page applies limit and marker (an ID) to a list of IDs.
func page[T any](items []T, id func(T) string, limit *int, marker *string) ([]T, error) {
	if marker != nil {
		i := slices.IndexFunc(items, func(t T) bool { return id(t) == *marker })
		if i < 0 {
			return nil, badRequest("Marker could not be found")
		}
		items = items[i+1:]
	}
	if limit != nil && *limit < len(items) {
		items = items[:*limit]
	}
	return items, nil
}

// ListTenants lists every tenant for an administrator, the caller's own for
// others; with name, shows one tenant.
func (s *v2) ListTenants(ctx context.Context, req v2s.ListTenantsRequestObject) (v2s.ListTenantsResponseObject, error) {
	c := callerFrom(ctx)
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if req.Params.Name != nil {
		if !c.admin {
			return nil, forbidden()
		}
		p := st.tenant(nil, req.Params.Name)
		if p == nil {
			return nil, notFound("project", *req.Params.Name)
		}
		t := tenantOf(p)
		return v2s.ListTenants200JSONResponse{Tenant: &t}, nil
	}
	var all []*v3s.Project
	for _, p := range st.projects.all() {
		if d, _ := value(p.DomainID); d != v2Domain {
			continue
		}
		if c.admin || len(st.directRoles(c.tok.userID, target{project: p.ID})) > 0 {
			all = append(all, p)
		}
	}
	items, err := page(all, func(p *v3s.Project) string { return p.ID }, req.Params.Limit, req.Params.Marker)
	if err != nil {
		return nil, err
	}
	out := []v2s.Tenant{}
	for _, p := range items {
		out = append(out, tenantOf(p))
	}
	return v2s.ListTenants200JSONResponse{Tenants: out, TenantsLinks: []v2s.Link{}}, nil
}

// CreateTenant creates a tenant.
func (s *v2) CreateTenant(_ context.Context, req v2s.CreateTenantRequestObject) (v2s.CreateTenantResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find tenant in request body.")
	}
	in := req.Body.Tenant
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.tenant(nil, &in.Name) != nil {
		return nil, conflict("project", "name", in.Name)
	}
	id := newID()
	if in.ID != nil {
		id = *in.ID
		if st.projects.get(id) != nil {
			return nil, conflict("project", "id", id)
		}
	}
	p := &v3s.Project{ID: id, Name: in.Name, DomainID: some(v2Domain), ParentID: some(v2Domain), Enabled: in.Enabled == nil || *in.Enabled,
		Description: null[string](), Links: st.link("projects/" + id), Tags: []string{}, AdditionalProperties: in.AdditionalProperties}
	if in.Description.IsSpecified() {
		p.Description = in.Description
	}
	st.projects.put(id, p)
	return v2s.CreateTenant200JSONResponse{Tenant: tenantOf(p)}, nil
}

func (st *state) getTenant(id string) (*v3s.Project, error) {
	p := st.projects.get(id)
	if p == nil {
		return nil, notFound("project", id)
	}
	if d, _ := value(p.DomainID); d != v2Domain {
		return nil, notFound("project", id)
	}
	return p, nil
}

// GetTenant shows a tenant.
func (s *v2) GetTenant(_ context.Context, req v2s.GetTenantRequestObject) (v2s.GetTenantResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p, err := s.state.getTenant(req.TenantID)
	if err != nil {
		return nil, err
	}
	return v2s.GetTenant200JSONResponse{Tenant: tenantOf(p)}, nil
}

// UpdateTenant updates a tenant.
func (s *v2) UpdateTenant(_ context.Context, req v2s.UpdateTenantRequestObject) (v2s.UpdateTenantResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find tenant in request body.")
	}
	in := req.Body.Tenant
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p, err := st.getTenant(req.TenantID)
	if err != nil {
		return nil, err
	}
	if in.ID != nil && *in.ID != p.ID {
		return nil, badRequest("Cannot change the tenant's ID.")
	}
	if in.Name != nil {
		if o := st.tenant(nil, in.Name); o != nil && o.ID != p.ID {
			return nil, conflict("project", "name", *in.Name)
		}
		p.Name = *in.Name
	}
	if in.Enabled != nil {
		p.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		p.Description = in.Description
	}
	mergeExtras(&p.AdditionalProperties, in.AdditionalProperties)
	return v2s.UpdateTenant200JSONResponse{Tenant: tenantOf(p)}, nil
}

// DeleteTenant deletes a tenant.
func (s *v2) DeleteTenant(_ context.Context, req v2s.DeleteTenantRequestObject) (v2s.DeleteTenantResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.getTenant(req.TenantID); err != nil {
		return nil, err
	}
	st.deleteProject(req.TenantID)
	return v2s.DeleteTenant204Response{}, nil
}

// ListTenantUsers lists the users with a role on a tenant.
func (s *v2) ListTenantUsers(_ context.Context, req v2s.ListTenantUsersRequestObject) (v2s.ListTenantUsersResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.getTenant(req.TenantID); err != nil {
		return nil, err
	}
	var users []*userRec
	for _, u := range st.users.all() {
		if len(st.directRoles(u.ID, target{project: req.TenantID})) > 0 {
			users = append(users, u)
		}
	}
	users, err := page(users, func(u *userRec) string { return u.ID }, req.Params.Limit, req.Params.Marker)
	if err != nil {
		return nil, err
	}
	out := []v2s.User{}
	for _, u := range users {
		out = append(out, userOf(u))
	}
	return v2s.ListTenantUsers200JSONResponse{Users: out, UsersLinks: []v2s.Link{}}, nil
}

func roleOf(r *v3s.Role) v2s.Role {
	return v2s.Role{ID: r.ID, Name: r.Name, Description: r.Description, AdditionalProperties: r.AdditionalProperties}
}

// ListTenantUserRoles lists a user's roles on a tenant.
func (s *v2) ListTenantUserRoles(_ context.Context, req v2s.ListTenantUserRolesRequestObject) (v2s.ListTenantUserRolesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.getTenant(req.TenantID); err != nil {
		return nil, err
	}
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	out := []v2s.Role{}
	for _, id := range st.directRoles(req.UserID, target{project: req.TenantID}) {
		out = append(out, roleOf(st.roles.get(id)))
	}
	return v2s.ListTenantUserRoles200JSONResponse{Roles: out, RolesLinks: []v2s.Link{}}, nil
}

// GrantTenantUserRole grants a role to a user on a tenant.
func (s *v2) GrantTenantUserRole(_ context.Context, req v2s.GrantTenantUserRoleRequestObject) (v2s.GrantTenantUserRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	if _, err := st.getTenant(req.TenantID); err != nil {
		st.mu.Unlock()
		return nil, err
	}
	g := grant{actor: req.UserID, role: req.RoleID, project: req.TenantID}
	if st.grants[g] {
		st.mu.Unlock()
		return nil, conflict("role grant", "role", req.RoleID)
	}
	st.mu.Unlock()
	if err := st.changeGrant("grant", g); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return v2s.GrantTenantUserRole200JSONResponse{Role: roleOf(st.roles.get(req.RoleID))}, nil
}

// RevokeTenantUserRole revokes a user's role on a tenant.
func (s *v2) RevokeTenantUserRole(_ context.Context, req v2s.RevokeTenantUserRoleRequestObject) (v2s.RevokeTenantUserRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.UserID, role: req.RoleID, project: req.TenantID}); err != nil {
		return nil, err
	}
	return v2s.RevokeTenantUserRole204Response{}, nil
}

// --- users

func userOf(u *userRec) v2s.User {
	out := v2s.User{ID: u.ID, Name: u.Name, Username: ptr(u.Name), Enabled: u.Enabled, AdditionalProperties: map[string]any{}}
	for k, v := range u.AdditionalProperties {
		if k == "email" {
			if s, ok := v.(string); ok {
				out.Email = some(s)
			} else if v == nil {
				out.Email = null[string]()
			}
			continue
		}
		out.AdditionalProperties[k] = v
	}
	if u.DefaultProjectID != nil {
		out.TenantID = some(*u.DefaultProjectID)
	}
	return out
}

func (st *state) getUserV2(id string) (*userRec, error) {
	u := st.users.get(id)
	if u == nil || u.DomainID != v2Domain {
		return nil, notFound("user", id)
	}
	return u, nil
}

// ListUsers lists the users of the default domain; with name, shows one.
func (s *v2) ListUsers(_ context.Context, req v2s.ListUsersRequestObject) (v2s.ListUsersResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if req.Params.Name != nil {
		u := st.findUser(nil, req.Params.Name, &v3s.DomainRef{ID: ptr(v2Domain)})
		if u == nil {
			return nil, notFound("user", *req.Params.Name)
		}
		v := userOf(u)
		return v2s.ListUsers200JSONResponse{User: &v}, nil
	}
	var users []*userRec
	for _, u := range st.users.all() {
		if u.DomainID == v2Domain {
			users = append(users, u)
		}
	}
	users, err := page(users, func(u *userRec) string { return u.ID }, req.Params.Limit, req.Params.Marker)
	if err != nil {
		return nil, err
	}
	out := []v2s.User{}
	for _, u := range users {
		out = append(out, userOf(u))
	}
	return v2s.ListUsers200JSONResponse{Users: out, UsersLinks: []v2s.Link{}}, nil
}

// setExtras applies email and free-form attributes of a v2.0 user body.
func setExtras(u *userRec, email nullable.Nullable[string], extra map[string]any) {
	if u.AdditionalProperties == nil {
		u.AdditionalProperties = map[string]any{}
	}
	if email.IsSpecified() {
		if v, ok := value(email); ok {
			u.AdditionalProperties["email"] = v
		} else {
			u.AdditionalProperties["email"] = nil
		}
	}
	for k, v := range extra {
		u.AdditionalProperties[k] = v
	}
}

// CreateUser creates a user in the default domain.
func (s *v2) CreateUser(_ context.Context, req v2s.CreateUserRequestObject) (v2s.CreateUserResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	in := req.Body.User
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.findUser(nil, &in.Name, &v3s.DomainRef{ID: ptr(v2Domain)}) != nil {
		return nil, conflict("user", "name", in.Name)
	}
	id := newID()
	u := &userRec{User: v3s.User{ID: id, Name: in.Name, DomainID: v2Domain, Enabled: in.Enabled == nil || *in.Enabled,
		PasswordExpiresAt: null[string](), Links: st.link("users/" + id)}}
	if t, ok := value(in.TenantID); ok {
		if _, err := st.getTenant(t); err != nil {
			return nil, err
		}
		u.DefaultProjectID = &t
	}
	u.password, _ = value(in.Password)
	setExtras(u, in.Email, in.AdditionalProperties)
	st.users.put(id, u)
	return v2s.CreateUser200JSONResponse{User: userOf(u)}, nil
}

// GetUser shows a user.
func (s *v2) GetUser(_ context.Context, req v2s.GetUserRequestObject) (v2s.GetUserResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	u, err := s.state.getUserV2(req.UserID)
	if err != nil {
		return nil, err
	}
	return v2s.GetUser200JSONResponse{User: userOf(u)}, nil
}

// UpdateUser updates a user.
func (s *v2) UpdateUser(_ context.Context, req v2s.UpdateUserRequestObject) (v2s.UpdateUserResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	in := req.Body.User
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u, err := st.getUserV2(req.UserID)
	if err != nil {
		return nil, err
	}
	if in.ID != nil && *in.ID != u.ID {
		return nil, badRequest("Cannot change the user's ID.")
	}
	if in.Name != nil {
		if o := st.findUser(nil, in.Name, &v3s.DomainRef{ID: ptr(v2Domain)}); o != nil && o.ID != u.ID {
			return nil, conflict("user", "name", *in.Name)
		}
		u.Name = *in.Name
	}
	revoke := false
	if in.Enabled != nil {
		revoke = u.Enabled && !*in.Enabled
		u.Enabled = *in.Enabled
	}
	if in.Password.IsSpecified() {
		u.password, _ = value(in.Password)
		revoke = true
	}
	if in.TenantID.IsSpecified() {
		u.DefaultProjectID = nil
		if t, ok := value(in.TenantID); ok {
			u.DefaultProjectID = &t
		}
	}
	setExtras(u, in.Email, in.AdditionalProperties)
	if revoke {
		st.revokeUser(u.ID) // hook: records the revocation event (v3_revoke.go)
	}
	return v2s.UpdateUser200JSONResponse{User: userOf(u)}, nil
}

// DeleteUser deletes a user.
func (s *v2) DeleteUser(_ context.Context, req v2s.DeleteUserRequestObject) (v2s.DeleteUserResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.getUserV2(req.UserID); err != nil {
		return nil, err
	}
	st.deleteUser(req.UserID)
	return v2s.DeleteUser204Response{}, nil
}

// SetUserEnabled enables or disables a user (disabling revokes its tokens).
func (s *v2) SetUserEnabled(_ context.Context, req v2s.SetUserEnabledRequestObject) (v2s.SetUserEnabledResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u, err := st.getUserV2(req.UserID)
	if err != nil {
		return nil, err
	}
	u.Enabled = req.Body.User.Enabled
	if !u.Enabled {
		st.revokeUser(u.ID) // hook: records the revocation event (v3_revoke.go)
	}
	return v2s.SetUserEnabled200JSONResponse{User: userOf(u)}, nil
}

// SetUserPassword sets a user's password and revokes its tokens.
func (s *v2) SetUserPassword(_ context.Context, req v2s.SetUserPasswordRequestObject) (v2s.SetUserPasswordResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u, err := st.getUserV2(req.UserID)
	if err != nil {
		return nil, err
	}
	u.password = req.Body.User.Password
	st.revokeUser(u.ID) // hook: records the revocation event (v3_revoke.go)
	return v2s.SetUserPassword200JSONResponse{User: userOf(u)}, nil
}

// SetUserTenant sets a user's default tenant.
func (s *v2) SetUserTenant(_ context.Context, req v2s.SetUserTenantRequestObject) (v2s.SetUserTenantResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u, err := st.getUserV2(req.UserID)
	if err != nil {
		return nil, err
	}
	if _, err := st.getTenant(req.Body.User.TenantID); err != nil {
		return nil, err
	}
	u.DefaultProjectID = ptr(req.Body.User.TenantID)
	return v2s.SetUserTenant200JSONResponse{User: userOf(u)}, nil
}

// ChangeOwnPassword changes the caller's own password and returns a new
// token; the user's other tokens are revoked.
func (s *v2) ChangeOwnPassword(ctx context.Context, req v2s.ChangeOwnPasswordRequestObject) (v2s.ChangeOwnPasswordResponseObject, error) {
	c := callerFrom(ctx)
	if c.tok.userID != req.UserID {
		return nil, forbidden()
	}
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u, err := st.getUserV2(req.UserID)
	if err != nil {
		return nil, err
	}
	if !checkPassword(u.password, req.Body.User.OriginalPassword) {
		return nil, unauthorized()
	}
	u.password = req.Body.User.Password
	st.revokeUser(u.ID) // hook: records the revocation event (v3_revoke.go)
	t := st.issue(u.ID, []string{"password"}, c.tok.scope, "", nil)
	return v2s.ChangeOwnPassword200JSONResponse{Access: st.accessV2(t)}, nil
}

// --- roles

// ListRoles lists the global roles.
func (s *v2) ListRoles(_ context.Context, req v2s.ListRolesRequestObject) (v2s.ListRolesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	var roles []*v3s.Role
	for _, r := range st.roles.all() {
		if _, ok := value(r.DomainID); !ok {
			roles = append(roles, r)
		}
	}
	roles, err := page(roles, func(r *v3s.Role) string { return r.ID }, req.Params.Limit, req.Params.Marker)
	if err != nil {
		return nil, err
	}
	out := []v2s.Role{}
	for _, r := range roles {
		out = append(out, roleOf(r))
	}
	return v2s.ListRoles200JSONResponse{Roles: out, RolesLinks: []v2s.Link{}}, nil
}

// CreateRole creates a global role.
func (s *v2) CreateRole(_ context.Context, req v2s.CreateRoleRequestObject) (v2s.CreateRoleResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find role in request body.")
	}
	in := req.Body.Role
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, o := range st.roles.all() {
		if _, ok := value(o.DomainID); !ok && o.Name == in.Name {
			return nil, conflict("role", "name", in.Name)
		}
	}
	id := newID()
	r := &v3s.Role{ID: id, Name: in.Name, Description: null[string](), DomainID: null[string](), Links: st.link("roles/" + id),
		AdditionalProperties: in.AdditionalProperties}
	if in.Description.IsSpecified() {
		r.Description = in.Description
	}
	st.roles.put(id, r)
	return v2s.CreateRole200JSONResponse{Role: roleOf(r)}, nil
}

// GetRole shows a role.
func (s *v2) GetRole(_ context.Context, req v2s.GetRoleRequestObject) (v2s.GetRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.roles.get(req.RoleID)
	if r == nil {
		return nil, notFound("role", req.RoleID)
	}
	return v2s.GetRole200JSONResponse{Role: roleOf(r)}, nil
}

// DeleteRole deletes a role.
func (s *v2) DeleteRole(_ context.Context, req v2s.DeleteRoleRequestObject) (v2s.DeleteRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.roles.get(req.RoleID) == nil {
		return nil, notFound("role", req.RoleID)
	}
	st.deleteRole(req.RoleID)
	return v2s.DeleteRole204Response{}, nil
}

// --- services

func serviceOf(svc *v3s.Service) v2s.Service {
	out := v2s.Service{ID: svc.ID, Type: svc.Type, Enabled: ptr(svc.Enabled), Description: svc.Description, AdditionalProperties: svc.AdditionalProperties}
	if svc.Name != "" {
		out.Name = ptr(svc.Name)
	}
	return out
}

// ListServices lists services.
func (s *v2) ListServices(_ context.Context, req v2s.ListServicesRequestObject) (v2s.ListServicesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	svcs, err := page(st.services.all(), func(s *v3s.Service) string { return s.ID }, req.Params.Limit, req.Params.Marker)
	if err != nil {
		return nil, err
	}
	out := []v2s.Service{}
	for _, svc := range svcs {
		out = append(out, serviceOf(svc))
	}
	return v2s.ListServices200JSONResponse{OSKSADMServices: out, OSKSADMServicesLinks: []v2s.Link{}}, nil
}

// CreateService creates a service.
func (s *v2) CreateService(_ context.Context, req v2s.CreateServiceRequestObject) (v2s.CreateServiceResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find OS-KSADM:service in request body.")
	}
	in := req.Body.OSKSADMService
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	svc := &v3s.Service{ID: id, Type: in.Type, Enabled: true, Links: st.link("services/" + id), AdditionalProperties: in.AdditionalProperties}
	if in.Name != nil {
		svc.Name = *in.Name
	}
	if in.Description.IsSpecified() {
		svc.Description = in.Description
	}
	st.services.put(id, svc)
	return v2s.CreateService200JSONResponse{OSKSADMService: serviceOf(svc)}, nil
}

// GetService shows a service.
func (s *v2) GetService(_ context.Context, req v2s.GetServiceRequestObject) (v2s.GetServiceResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	svc := st.services.get(req.ServiceID)
	if svc == nil {
		return nil, notFound("service", req.ServiceID)
	}
	return v2s.GetService200JSONResponse{OSKSADMService: serviceOf(svc)}, nil
}

// DeleteService deletes a service and its endpoints.
func (s *v2) DeleteService(_ context.Context, req v2s.DeleteServiceRequestObject) (v2s.DeleteServiceResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.services.get(req.ServiceID) == nil {
		return nil, notFound("service", req.ServiceID)
	}
	for _, ep := range st.endpoints.all() {
		if ep.ServiceID == req.ServiceID {
			st.endpoints.del(ep.ID)
		}
	}
	st.services.del(req.ServiceID)
	return v2s.DeleteService204Response{}, nil
}

// --- endpoints

// legacyID is the v2.0 endpoint a v3 endpoint belongs to: its
// legacy_endpoint_id, or its own ID for an endpoint created with v3.
func legacyID(ep *v3s.Endpoint) string {
	if id, ok := ep.AdditionalProperties["legacy_endpoint_id"].(string); ok {
		return id
	}
	return ep.ID
}

// ListEndpoints lists the v2.0 endpoints.
func (s *v2) ListEndpoints(context.Context, v2s.ListEndpointsRequestObject) (v2s.ListEndpointsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	byID := map[string]*v2s.AdminEndpoint{}
	var order []string
	for _, ep := range st.endpoints.all() {
		id := legacyID(ep)
		e := byID[id]
		if e == nil {
			region, _ := value(ep.RegionID)
			e = &v2s.AdminEndpoint{ID: id, ServiceID: ptr(ep.ServiceID), Region: some(region), Enabled: ptr(ep.Enabled),
				Publicurl: null[string](), Internalurl: null[string](), Adminurl: null[string]()}
			byID[id] = e
			order = append(order, id)
		}
		switch ep.Interface {
		case "public":
			e.Publicurl = some(ep.URL)
		case "internal":
			e.Internalurl = some(ep.URL)
		case "admin":
			e.Adminurl = some(ep.URL)
		}
	}
	out := []v2s.AdminEndpoint{}
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return v2s.ListEndpoints200JSONResponse{Endpoints: out}, nil
}

// CreateEndpoint creates a v2.0 endpoint: a v3 endpoint per interface given.
func (s *v2) CreateEndpoint(_ context.Context, req v2s.CreateEndpointRequestObject) (v2s.CreateEndpointResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find endpoint in request body.")
	}
	in := req.Body.Endpoint
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.services.get(in.ServiceID) == nil {
		return nil, notFound("service", in.ServiceID)
	}
	region := "RegionOne"
	if in.Region != nil {
		region = *in.Region
	}
	if st.regions.get(region) == nil {
		st.regions.put(region, &v3s.Region{ID: region, ParentRegionID: null[string](), Links: st.link("regions/" + region)})
	}
	legacy := newID()
	out := v2s.AdminEndpoint{ID: legacy, ServiceID: ptr(in.ServiceID), Region: some(region), Enabled: ptr(true),
		Publicurl: some(in.Publicurl), Internalurl: null[string](), Adminurl: null[string]()}
	urls := []struct {
		iface v3s.EndpointInterface
		url   string
	}{{v3s.EndpointInterfacePublic, in.Publicurl}}
	if u, ok := value(in.Internalurl); ok {
		urls = append(urls, struct {
			iface v3s.EndpointInterface
			url   string
		}{v3s.EndpointInterfaceInternal, u})
		out.Internalurl = some(u)
	}
	if u, ok := value(in.Adminurl); ok {
		urls = append(urls, struct {
			iface v3s.EndpointInterface
			url   string
		}{v3s.EndpointInterfaceAdmin, u})
		out.Adminurl = some(u)
	}
	for _, u := range urls {
		id := newID()
		st.endpoints.put(id, &v3s.Endpoint{ID: id, Interface: u.iface, ServiceID: in.ServiceID, URL: u.url, Enabled: true,
			Region: some(region), RegionID: some(region), Links: st.link("endpoints/" + id),
			AdditionalProperties: map[string]any{"legacy_endpoint_id": legacy}})
	}
	return v2s.CreateEndpoint200JSONResponse{Endpoint: out}, nil
}

// DeleteEndpoint deletes a v2.0 endpoint (its v3 endpoints).
func (s *v2) DeleteEndpoint(_ context.Context, req v2s.DeleteEndpointRequestObject) (v2s.DeleteEndpointResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	found := false
	for _, ep := range st.endpoints.all() {
		if legacyID(ep) == req.EndpointID {
			st.endpoints.del(ep.ID)
			found = true
		}
	}
	if !found {
		return nil, notFound("endpoint", req.EndpointID)
	}
	return v2s.DeleteEndpoint204Response{}, nil
}

// --- EC2 credentials (the ec2 credentials of the v3 store)

func ec2V2(c *v3s.Credential, b ec2Blob) v2s.EC2Credential {
	out := v2s.EC2Credential{Access: b.Access, UserID: c.UserID, TrustID: null[string]()}
	out.TenantID, _ = value(c.ProjectID)
	out.Secret = b.Secret
	if b.TrustID != nil {
		out.TrustID = some(*b.TrustID)
	}
	return out
}

// ListEC2Credentials lists a user's EC2 credentials.
func (s *v2) ListEC2Credentials(_ context.Context, req v2s.ListEC2CredentialsRequestObject) (v2s.ListEC2CredentialsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.getUserV2(req.UserID); err != nil {
		return nil, err
	}
	out := []v2s.EC2Credential{}
	for _, c := range st.credentials.all() {
		var b ec2Blob
		if c.Type == "ec2" && c.UserID == req.UserID && json.Unmarshal([]byte(c.Blob), &b) == nil {
			out = append(out, ec2V2(c, b))
		}
	}
	return v2s.ListEC2Credentials200JSONResponse{Credentials: out, CredentialsLinks: []v2s.Link{}}, nil
}

// CreateEC2Credential creates an EC2 credential for a user on a tenant.
func (s *v2) CreateEC2Credential(_ context.Context, req v2s.CreateEC2CredentialRequestObject) (v2s.CreateEC2CredentialResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find tenant_id in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.getUserV2(req.UserID); err != nil {
		return nil, err
	}
	if _, err := st.getTenant(req.Body.TenantID); err != nil {
		return nil, err
	}
	c, b := st.newEC2(req.UserID, req.Body.TenantID)
	return v2s.CreateEC2Credential200JSONResponse{Credential: ec2V2(c, b)}, nil
}

// GetEC2Credential shows an EC2 credential.
func (s *v2) GetEC2Credential(_ context.Context, req v2s.GetEC2CredentialRequestObject) (v2s.GetEC2CredentialResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c, b, err := st.ec2ByAccess(req.CredentialID)
	if err != nil || c.UserID != req.UserID {
		return nil, notFound("credential", req.CredentialID)
	}
	return v2s.GetEC2Credential200JSONResponse{Credential: ec2V2(c, b)}, nil
}

// DeleteEC2Credential deletes an EC2 credential.
func (s *v2) DeleteEC2Credential(_ context.Context, req v2s.DeleteEC2CredentialRequestObject) (v2s.DeleteEC2CredentialResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c, _, err := st.ec2ByAccess(req.CredentialID)
	if err != nil || c.UserID != req.UserID {
		return nil, notFound("credential", req.CredentialID)
	}
	st.credentials.del(c.ID)
	return v2s.DeleteEC2Credential204Response{}, nil
}
