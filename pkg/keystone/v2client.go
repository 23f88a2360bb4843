package keystone

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"

	"github.com/gokeystone/keystone/gen/identityv2"
)

// V2Client is a typed client of the Identity API v2.0, with the managers of
// python-keystoneclient's v2_0 client: tenants, users, roles, services,
// endpoints, EC2 credentials, tokens, extensions and certificates. It sends
// every request through its session (authentication, retries, logging, typed
// errors). Most of v2.0 is its admin API: point the client at the admin
// endpoint (EndpointFilter{Interfaces: []string{"admin"}}) for it.
type V2Client struct {
	s   *Session
	gen *identityv2.Client

	Tenants      *V2TenantsManager
	Users        *V2UsersManager
	Roles        *V2RolesManager
	Services     *V2ServicesManager
	Endpoints    *V2EndpointsManager
	EC2          *V2EC2Manager
	Tokens       *V2TokensManager
	Extensions   *V2ExtensionsManager
	Certificates *V2CertificatesManager
}

// NewV2Client returns a v2.0 client for the identity endpoint of the
// session's catalog (f narrows it; zero means the public one).
func NewV2Client(ctx context.Context, s *Session, f EndpointFilter) (*V2Client, error) {
	if f.ServiceType == "" {
		f.ServiceType = IdentityFilter.ServiceType
	}
	u, err := s.EndpointURL(ctx, nil, f)
	if err != nil {
		return nil, err
	}
	return NewV2ClientAt(s, u)
}

// NewV2ClientAt returns a v2.0 client for the Identity service at url (its
// root or its /v2.0 URL).
func NewV2ClientAt(s *Session, url string) (*V2Client, error) {
	gen, err := identityv2.NewClient(UnversionedURL(url), identityv2.WithHTTPClient(s))
	if err != nil {
		return nil, fmt.Errorf("keystone: identity v2.0 client: %w", err)
	}
	c := &V2Client{s: s, gen: gen}
	c.Tenants = &V2TenantsManager{c: c}
	c.Users = &V2UsersManager{c: c}
	c.Roles = &V2RolesManager{c: c}
	c.Services = &V2ServicesManager{c: c}
	c.Endpoints = &V2EndpointsManager{c: c}
	c.EC2 = &V2EC2Manager{c: c}
	c.Tokens = &V2TokensManager{c: c}
	c.Extensions = &V2ExtensionsManager{c: c}
	c.Certificates = &V2CertificatesManager{c: c}
	return c, nil
}

// Generated returns the generated client the managers use.
func (c *V2Client) Generated() *identityv2.Client { return c.gen }

// Session returns the client's session.
func (c *V2Client) Session() *Session { return c.s }

// nextV2 reads the "next" link of a v2.0 collection's *_links.
func nextV2(links []identityv2.Link) *string {
	for _, l := range links {
		if l.Rel != nil && *l.Rel == "next" && l.Href != "" {
			h := l.Href
			return &h
		}
	}
	return nil
}

// findV2 returns the resource with this ID, or else the one with this name.
func findV2[T any](ctx context.Context, kind, nameOrID string, get func(context.Context, string) (*T, error),
	byName func(context.Context, string) (*T, error)) (*T, error) {
	v, err := get(ctx, nameOrID)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return v, err
	}
	v, err = byName(ctx, nameOrID)
	if errors.Is(err, ErrNotFound) {
		return nil, &NoUniqueMatchError{Kind: kind, Name: nameOrID}
	}
	return v, err
}

// ---- tenants

// V2TenantsManager manages tenants (v2.0's projects) and role grants on them.
type V2TenantsManager struct{ c *V2Client }

// List lists tenants page by page (limit and marker in opts): every tenant
// on the admin endpoint, the token user's on the public one.
func (m *V2TenantsManager) List(ctx context.Context, opts *identityv2.ListTenantsParams) iter.Seq2[identityv2.Tenant, error] {
	var o identityv2.ListTenantsParams
	if opts != nil {
		o = *opts
		o.Name = nil
	}
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListTenants(ctx, &o) },
		func(l *identityv2.TenantListOrOne) ([]identityv2.Tenant, *string) {
			return l.Tenants, nextV2(l.TenantsLinks)
		})
}

// ListAll collects every tenant.
func (m *V2TenantsManager) ListAll(ctx context.Context, opts *identityv2.ListTenantsParams) ([]identityv2.Tenant, error) {
	return Collect(m.List(ctx, opts))
}

// Get returns a tenant by ID.
func (m *V2TenantsManager) Get(ctx context.Context, tenantID string) (*identityv2.Tenant, error) {
	e, err := call[identityv2.TenantEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetTenant(ctx, tenantID) })
	if err != nil {
		return nil, err
	}
	return &e.Tenant, nil
}

// GetByName returns a tenant by name (admin API).
func (m *V2TenantsManager) GetByName(ctx context.Context, name string) (*identityv2.Tenant, error) {
	e, err := call[identityv2.TenantListOrOne](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListTenants(ctx, &identityv2.ListTenantsParams{Name: &name})
	})
	if err != nil {
		return nil, err
	}
	if e.Tenant == nil {
		return nil, &InvalidResponseError{Method: http.MethodGet, URL: "/v2.0/tenants?name=", Err: errors.New("no tenant in the body")}
	}
	return e.Tenant, nil
}

// Find returns the tenant with this ID, or else with this name.
func (m *V2TenantsManager) Find(ctx context.Context, nameOrID string) (*identityv2.Tenant, error) {
	return findV2(ctx, "tenant", nameOrID, m.Get, m.GetByName)
}

// Create creates a tenant.
func (m *V2TenantsManager) Create(ctx context.Context, t identityv2.TenantCreate) (*identityv2.Tenant, error) {
	e, err := call[identityv2.TenantEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateTenant(ctx, identityv2.TenantCreateRequest{Tenant: t})
	})
	if err != nil {
		return nil, err
	}
	return &e.Tenant, nil
}

// Update changes a tenant.
func (m *V2TenantsManager) Update(ctx context.Context, tenantID string, t identityv2.TenantUpdate) (*identityv2.Tenant, error) {
	e, err := call[identityv2.TenantEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateTenant(ctx, tenantID, identityv2.TenantUpdateRequest{Tenant: t})
	})
	if err != nil {
		return nil, err
	}
	return &e.Tenant, nil
}

// Delete deletes a tenant.
func (m *V2TenantsManager) Delete(ctx context.Context, tenantID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteTenant(ctx, tenantID) })
}

// Users lists the users with a role on a tenant.
func (m *V2TenantsManager) Users(ctx context.Context, tenantID string) iter.Seq2[identityv2.User, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListTenantUsers(ctx, tenantID, nil) },
		func(l *identityv2.UserList) ([]identityv2.User, *string) { return l.Users, nextV2(l.UsersLinks) })
}

// UsersAll collects the users with a role on a tenant.
func (m *V2TenantsManager) UsersAll(ctx context.Context, tenantID string) ([]identityv2.User, error) {
	return Collect(m.Users(ctx, tenantID))
}

// ---- users

// V2UsersManager manages users.
type V2UsersManager struct{ c *V2Client }

// List lists users page by page.
func (m *V2UsersManager) List(ctx context.Context, opts *identityv2.ListUsersParams) iter.Seq2[identityv2.User, error] {
	var o identityv2.ListUsersParams
	if opts != nil {
		o = *opts
		o.Name = nil
	}
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListUsers(ctx, &o) },
		func(l *identityv2.UserListOrOne) ([]identityv2.User, *string) { return l.Users, nextV2(l.UsersLinks) })
}

// ListAll collects every user.
func (m *V2UsersManager) ListAll(ctx context.Context, opts *identityv2.ListUsersParams) ([]identityv2.User, error) {
	return Collect(m.List(ctx, opts))
}

// Get returns a user by ID.
func (m *V2UsersManager) Get(ctx context.Context, userID string) (*identityv2.User, error) {
	return userV2(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetUser(ctx, userID) })
}

// GetByName returns a user by name.
func (m *V2UsersManager) GetByName(ctx context.Context, name string) (*identityv2.User, error) {
	e, err := call[identityv2.UserListOrOne](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListUsers(ctx, &identityv2.ListUsersParams{Name: &name})
	})
	if err != nil {
		return nil, err
	}
	if e.User == nil {
		return nil, &InvalidResponseError{Method: http.MethodGet, URL: "/v2.0/users?name=", Err: errors.New("no user in the body")}
	}
	return e.User, nil
}

// Find returns the user with this ID, or else with this name.
func (m *V2UsersManager) Find(ctx context.Context, nameOrID string) (*identityv2.User, error) {
	return findV2(ctx, "user", nameOrID, m.Get, m.GetByName)
}

func userV2(ctx context.Context, do func(context.Context) (*http.Response, error)) (*identityv2.User, error) {
	e, err := call[identityv2.UserEnvelope](ctx, do)
	if err != nil {
		return nil, err
	}
	return &e.User, nil
}

// Create creates a user.
func (m *V2UsersManager) Create(ctx context.Context, u identityv2.UserCreate) (*identityv2.User, error) {
	return userV2(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateUser(ctx, identityv2.UserCreateRequest{User: u})
	})
}

// Update changes a user.
func (m *V2UsersManager) Update(ctx context.Context, userID string, u identityv2.UserUpdate) (*identityv2.User, error) {
	return userV2(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateUser(ctx, userID, identityv2.UserUpdateRequest{User: u})
	})
}

// Delete deletes a user.
func (m *V2UsersManager) Delete(ctx context.Context, userID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteUser(ctx, userID) })
}

// SetEnabled enables or disables a user (OS-KSADM).
func (m *V2UsersManager) SetEnabled(ctx context.Context, userID string, enabled bool) (*identityv2.User, error) {
	return userV2(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.SetUserEnabled(ctx, userID, identityv2.UserEnabledRequest{User: identityv2.UserEnabledRequest_User{Enabled: enabled}})
	})
}

// SetPassword sets a user's password as an administrator (OS-KSADM).
func (m *V2UsersManager) SetPassword(ctx context.Context, userID, password string) (*identityv2.User, error) {
	return userV2(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.SetUserPassword(ctx, userID, identityv2.UserPasswordRequest{User: identityv2.UserPasswordRequest_User{Password: password}})
	})
}

// SetTenant sets a user's default tenant (OS-KSADM).
func (m *V2UsersManager) SetTenant(ctx context.Context, userID, tenantID string) (*identityv2.User, error) {
	return userV2(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.SetUserTenant(ctx, userID, identityv2.UserTenantRequest{User: identityv2.UserTenantRequest_User{TenantID: tenantID}})
	})
}

// UpdateOwnPassword changes the caller's own password (OS-KSCRUD) and
// returns the new token Keystone issues (the user's other tokens, the
// session's included, are revoked).
func (m *V2UsersManager) UpdateOwnPassword(ctx context.Context, userID, oldPassword, newPassword string) (*AccessInfo, error) {
	resp, err := m.c.gen.ChangeOwnPassword(ctx, userID, identityv2.OwnPasswordRequest{
		User: identityv2.OwnPasswordRequest_User{OriginalPassword: oldPassword, Password: newPassword}})
	if err != nil {
		return nil, err
	}
	data, err := ReadBody(resp, 0)
	if err != nil {
		return nil, err
	}
	return NewAccessInfoV2(data)
}

// ---- roles

// V2RolesManager manages roles (OS-KSADM) and a user's roles on tenants.
type V2RolesManager struct{ c *V2Client }

// List lists roles.
func (m *V2RolesManager) List(ctx context.Context) iter.Seq2[identityv2.Role, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRoles(ctx, nil) },
		func(l *identityv2.RoleList) ([]identityv2.Role, *string) { return l.Roles, nextV2(l.RolesLinks) })
}

// ListAll collects every role.
func (m *V2RolesManager) ListAll(ctx context.Context) ([]identityv2.Role, error) {
	return Collect(m.List(ctx))
}

// Get returns a role.
func (m *V2RolesManager) Get(ctx context.Context, roleID string) (*identityv2.Role, error) {
	e, err := call[identityv2.RoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetRole(ctx, roleID) })
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}

// Find returns the role with this ID, or else the only one with this name.
func (m *V2RolesManager) Find(ctx context.Context, nameOrID string) (*identityv2.Role, error) {
	return findV2(ctx, "role", nameOrID, m.Get, func(ctx context.Context, name string) (*identityv2.Role, error) {
		all, err := m.ListAll(ctx)
		if err != nil {
			return nil, err
		}
		all = slices.DeleteFunc(all, func(r identityv2.Role) bool { return r.Name != name })
		if len(all) != 1 {
			return nil, &NoUniqueMatchError{Kind: "role", Name: name, Count: len(all)}
		}
		return &all[0], nil
	})
}

// Create creates a role.
func (m *V2RolesManager) Create(ctx context.Context, name string) (*identityv2.Role, error) {
	e, err := call[identityv2.RoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateRole(ctx, identityv2.RoleCreateRequest{Role: identityv2.RoleCreateRequest_Role{Name: name}})
	})
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}

// Delete deletes a role.
func (m *V2RolesManager) Delete(ctx context.Context, roleID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteRole(ctx, roleID) })
}

// RolesForUser lists a user's roles on a tenant (keystoneclient's
// roles.roles_for_user).
func (m *V2RolesManager) RolesForUser(ctx context.Context, userID, tenantID string) ([]identityv2.Role, error) {
	e, err := call[identityv2.RoleList](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListTenantUserRoles(ctx, tenantID, userID)
	})
	if err != nil {
		return nil, err
	}
	return e.Roles, nil
}

// AddUserRole grants a role to a user on a tenant.
func (m *V2RolesManager) AddUserRole(ctx context.Context, userID, roleID, tenantID string) (*identityv2.Role, error) {
	e, err := call[identityv2.RoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GrantTenantUserRole(ctx, tenantID, userID, roleID)
	})
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}

// RemoveUserRole revokes a user's role on a tenant.
func (m *V2RolesManager) RemoveUserRole(ctx context.Context, userID, roleID, tenantID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RevokeTenantUserRole(ctx, tenantID, userID, roleID)
	})
}

// ---- services

// V2ServicesManager manages the services of the catalog (OS-KSADM).
type V2ServicesManager struct{ c *V2Client }

// List lists services.
func (m *V2ServicesManager) List(ctx context.Context) iter.Seq2[identityv2.Service, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListServices(ctx, nil) },
		func(l *identityv2.ServiceList) ([]identityv2.Service, *string) {
			return l.OSKSADMServices, nextV2(l.OSKSADMServicesLinks)
		})
}

// ListAll collects every service.
func (m *V2ServicesManager) ListAll(ctx context.Context) ([]identityv2.Service, error) {
	return Collect(m.List(ctx))
}

// Get returns a service.
func (m *V2ServicesManager) Get(ctx context.Context, serviceID string) (*identityv2.Service, error) {
	e, err := call[identityv2.ServiceEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetService(ctx, serviceID) })
	if err != nil {
		return nil, err
	}
	return &e.OSKSADMService, nil
}

// Find returns the service with this ID, or else the only one with this
// name (or, failing that, type).
func (m *V2ServicesManager) Find(ctx context.Context, nameOrID string) (*identityv2.Service, error) {
	return findV2(ctx, "service", nameOrID, m.Get, func(ctx context.Context, name string) (*identityv2.Service, error) {
		all, err := m.ListAll(ctx)
		if err != nil {
			return nil, err
		}
		for _, match := range []func(identityv2.Service) bool{
			func(s identityv2.Service) bool { return s.Name != nil && *s.Name == name },
			func(s identityv2.Service) bool { return s.Type == name },
		} {
			found := slices.DeleteFunc(slices.Clone(all), func(s identityv2.Service) bool { return !match(s) })
			if len(found) == 1 {
				return &found[0], nil
			}
			if len(found) > 1 {
				return nil, &NoUniqueMatchError{Kind: "service", Name: name, Count: len(found)}
			}
		}
		return nil, &NoUniqueMatchError{Kind: "service", Name: name}
	})
}

// Create creates a service.
func (m *V2ServicesManager) Create(ctx context.Context, s identityv2.ServiceCreateRequest_OSKSADMService) (*identityv2.Service, error) {
	e, err := call[identityv2.ServiceEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateService(ctx, identityv2.ServiceCreateRequest{OSKSADMService: s})
	})
	if err != nil {
		return nil, err
	}
	return &e.OSKSADMService, nil
}

// Delete deletes a service and its endpoints.
func (m *V2ServicesManager) Delete(ctx context.Context, serviceID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteService(ctx, serviceID) })
}

// ---- endpoints

// V2EndpointsManager manages endpoints: one per service and region, with a
// URL per interface.
type V2EndpointsManager struct{ c *V2Client }

// List lists endpoints.
func (m *V2EndpointsManager) List(ctx context.Context) ([]identityv2.AdminEndpoint, error) {
	e, err := call[identityv2.AdminEndpointList](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListEndpoints(ctx) })
	if err != nil {
		return nil, err
	}
	return e.Endpoints, nil
}

// Create creates an endpoint.
func (m *V2EndpointsManager) Create(ctx context.Context, ep identityv2.EndpointCreateRequest_Endpoint) (*identityv2.AdminEndpoint, error) {
	e, err := call[identityv2.AdminEndpointEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateEndpoint(ctx, identityv2.EndpointCreateRequest{Endpoint: ep})
	})
	if err != nil {
		return nil, err
	}
	return &e.Endpoint, nil
}

// Delete deletes an endpoint.
func (m *V2EndpointsManager) Delete(ctx context.Context, endpointID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteEndpoint(ctx, endpointID) })
}

// ---- EC2

// V2EC2Manager manages users' EC2 credentials (OS-EC2).
type V2EC2Manager struct{ c *V2Client }

// List lists a user's EC2 credentials.
func (m *V2EC2Manager) List(ctx context.Context, userID string) ([]identityv2.EC2Credential, error) {
	e, err := call[identityv2.EC2CredentialList](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListEC2Credentials(ctx, userID)
	})
	if err != nil {
		return nil, err
	}
	return e.Credentials, nil
}

// Create creates an EC2 credential for a user on a tenant; the result holds
// its secret.
func (m *V2EC2Manager) Create(ctx context.Context, userID, tenantID string) (*identityv2.EC2Credential, error) {
	e, err := call[identityv2.EC2CredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateEC2Credential(ctx, userID, identityv2.EC2CredentialCreateRequest{TenantID: tenantID})
	})
	if err != nil {
		return nil, err
	}
	return &e.Credential, nil
}

// Get returns an EC2 credential by its access key.
func (m *V2EC2Manager) Get(ctx context.Context, userID, access string) (*identityv2.EC2Credential, error) {
	e, err := call[identityv2.EC2CredentialEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetEC2Credential(ctx, userID, access)
	})
	if err != nil {
		return nil, err
	}
	return &e.Credential, nil
}

// Delete deletes an EC2 credential.
func (m *V2EC2Manager) Delete(ctx context.Context, userID, access string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteEC2Credential(ctx, userID, access)
	})
}

// ---- tokens

// V2TokensManager validates, checks and revokes tokens, and lists a token's
// endpoints (admin API).
type V2TokensManager struct{ c *V2Client }

// Validate returns a token's access document; with belongsTo (not empty), the
// token must be scoped to that tenant.
func (m *V2TokensManager) Validate(ctx context.Context, token, belongsTo string) (*AccessInfo, error) {
	var p *identityv2.ValidateTokenParams
	if belongsTo != "" {
		p = &identityv2.ValidateTokenParams{BelongsTo: &belongsTo}
	}
	resp, err := m.c.gen.ValidateToken(ctx, token, p)
	if err != nil {
		return nil, err
	}
	data, err := ReadBody(resp, m.c.s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	return NewAccessInfoV2(data)
}

// Check reports whether a token is valid (false, nil for an unknown or
// expired token).
func (m *V2TokensManager) Check(ctx context.Context, token string) (bool, error) {
	err := callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.CheckToken(ctx, token, nil) })
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Revoke revokes a token.
func (m *V2TokensManager) Revoke(ctx context.Context, token string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.RevokeToken(ctx, token) })
}

// Endpoints lists the endpoints of a token's catalog.
func (m *V2TokensManager) Endpoints(ctx context.Context, token string) ([]identityv2.CatalogEndpointWithService, error) {
	e, err := call[identityv2.EndpointList](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListTokenEndpoints(ctx, token) })
	if err != nil {
		return nil, err
	}
	return e.Endpoints, nil
}

// ---- extensions and certificates

// V2ExtensionsManager lists the API extensions.
type V2ExtensionsManager struct{ c *V2Client }

// List lists the extensions.
func (m *V2ExtensionsManager) List(ctx context.Context) ([]identityv2.Extension, error) {
	e, err := call[identityv2.ExtensionList](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ListExtensions(WithoutAuth(ctx))
	})
	if err != nil {
		return nil, err
	}
	return e.Extensions.Values, nil
}

// Get returns an extension by alias.
func (m *V2ExtensionsManager) Get(ctx context.Context, alias string) (*identityv2.Extension, error) {
	e, err := call[identityv2.ExtensionEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetExtension(WithoutAuth(ctx), alias)
	})
	if err != nil {
		return nil, err
	}
	return &e.Extension, nil
}

// V2CertificatesManager reads the PKI certificates (gone from recent
// Keystones: expect ErrNotFound).
type V2CertificatesManager struct{ c *V2Client }

// CA returns the CA certificate in PEM.
func (m *V2CertificatesManager) CA(ctx context.Context) ([]byte, error) {
	resp, err := m.c.gen.GetCACertificate(WithoutAuth(ctx))
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}

// Signing returns the token signing certificate in PEM.
func (m *V2CertificatesManager) Signing(ctx context.Context) ([]byte, error) {
	resp, err := m.c.gen.GetSigningCertificate(WithoutAuth(ctx))
	if err != nil {
		return nil, err
	}
	return ReadBody(resp, 0)
}
