package identityv2_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// v2Admin returns a v2.0 client of the admin endpoint, authenticated with a
// v2.0 token of the in-memory Keystone's administrator; every exchange is
// validated against api/identity-v2.yaml by the fake.
func v2Admin(t *testing.T, opts ...keystone.SessionOption) (*identityv2.Client, *keystonetest.Server) {
	t.Helper()
	ks := keystonetest.NewServer(t)
	t.Cleanup(func() {
		for _, f := range ks.Failures() {
			t.Errorf("non-conforming exchange: %v", f)
		}
	})
	auth, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{
		AuthURL: ks.AuthURLV2(), Username: ks.AdminUser, Password: ks.AdminPassword,
		Tenant: authplugin.Tenant{Name: ks.AdminProject},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(append([]keystone.SessionOption{keystone.WithAuth(auth)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := identityv2.NewClient(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	return c, ks
}

func TestNewClient(t *testing.T) {
	c, ks := v2Admin(t)
	if c.Endpoint() != ks.URL {
		t.Errorf("endpoint %q, want %q", c.Endpoint(), ks.URL)
	}
	if c.Session() == nil {
		t.Error("no session")
	}
	at, err := identityv2.NewClientAt(c.Session(), ks.AuthURLV2())
	if err != nil || at.Endpoint() != ks.URL || at.Session() != c.Session() {
		t.Errorf("NewClientAt(…/v2.0): %v %v", at, err)
	}
	if _, err := identityv2.NewClient(t.Context(), nil, keystone.EndpointFilter{}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil session: %v", err)
	}
	if _, err := identityv2.NewClientAt(nil, ks.URL); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("NewClientAt, nil session: %v", err)
	}
	if _, err := identityv2.NewClientAt(c.Session(), "keystone:5000"); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("NewClientAt, relative URL: %v", err)
	}
	if _, err := identityv2.NewClient(t.Context(), c.Session(), keystone.EndpointFilter{ServiceType: "no-such-service"}); err == nil {
		t.Error("an endpoint for a service the catalog lacks")
	}
}

func TestV2TenantsUsersRoles(t *testing.T) {
	c, ks := v2Admin(t)
	ctx := t.Context()

	tenant, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "web", Description: new("the web team"),
		Extra: map[string]any{"owner": "ops"}})
	if err != nil {
		t.Fatal(err)
	}
	if tenant.Extra["owner"] != "ops" || !tenant.Enabled {
		t.Errorf("created %+v", tenant)
	}
	if _, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "web"}); !errors.Is(err, keystone.ErrConflict) {
		t.Errorf("duplicate tenant: %v", err)
	}
	if f, err := c.Tenants.Find(ctx, "web", nil); err != nil || f.ID != tenant.ID {
		t.Errorf("find by name: %v %v", f, err)
	}
	if f, err := c.Tenants.Find(ctx, tenant.ID, nil); err != nil || f.Name != "web" {
		t.Errorf("find by ID: %v %v", f, err)
	}
	if _, err := c.Tenants.Find(ctx, "nope", nil); !errors.Is(err, keystone.ErrNoUniqueMatch) {
		t.Errorf("find nothing: %v", err)
	}
	if u, err := c.Tenants.Update(ctx, tenant.ID, identityv2.TenantUpdate{Enabled: new(false)}); err != nil || u.Enabled {
		t.Errorf("disable: %v %v", u, err)
	}
	// Paging by limit and marker.
	all, err := keystone.Collect(c.Tenants.List(ctx, nil))
	if err != nil || len(all) != 2 {
		t.Fatalf("tenants %v %v", all, err)
	}
	first, err := keystone.Collect(c.Tenants.List(ctx, &identityv2.ListTenantsOptions{Limit: new(1)}))
	if err != nil || len(first) != 1 {
		t.Fatalf("limit: %v %v", first, err)
	}
	rest, err := keystone.Collect(c.Tenants.List(ctx, &identityv2.ListTenantsOptions{Marker: &first[0].ID}))
	if err != nil || len(rest) != 1 || rest[0].ID == first[0].ID {
		t.Errorf("marker: %v %v", rest, err)
	}

	user, err := c.Users.Create(ctx, identityv2.UserCreate{Name: "alice", Password: new("pw-1"),
		Email: new("alice@example.com"), TenantID: new(tenant.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if user.Email == nil || *user.Email != "alice@example.com" || user.TenantID == nil || *user.TenantID != tenant.ID ||
		user.Username == nil || *user.Username != "alice" {
		t.Errorf("user %+v", user)
	}
	if f, err := c.Users.Find(ctx, "alice", nil); err != nil || f.ID != user.ID {
		t.Errorf("find user: %v %v", f, err)
	}
	if u, err := c.Users.SetEnabled(ctx, user.ID, identityv2.SetUserEnabledBody{Enabled: false}); err != nil || u.Enabled {
		t.Errorf("disable user: %v %v", u, err)
	}
	if _, err := c.Users.SetEnabled(ctx, user.ID, identityv2.SetUserEnabledBody{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.SetPassword(ctx, user.ID, identityv2.SetUserPasswordBody{Password: "pw-2"}); err != nil {
		t.Fatal(err)
	}
	if u, err := c.Users.SetTenant(ctx, user.ID, identityv2.SetUserTenantBody{TenantID: ks.AdminProjectID}); err != nil ||
		u.TenantID == nil || *u.TenantID != ks.AdminProjectID {
		t.Errorf("default tenant: %v %v", u, err)
	}
	if u, err := c.Users.Update(ctx, user.ID, identityv2.UserUpdate{Name: new("alice2")}); err != nil || u.Name != "alice2" {
		t.Errorf("rename: %v %v", u, err)
	}

	role, err := c.Roles.Create(ctx, identityv2.CreateRoleBody{Name: "deployer"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.Roles.Find(ctx, "deployer", nil); err != nil || r.ID != role.ID {
		t.Errorf("find role: %v %v", r, err)
	}
	if _, err := c.Tenants.Update(ctx, tenant.ID, identityv2.TenantUpdate{Enabled: new(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Roles.AddUserRole(ctx, tenant.ID, user.ID, role.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Roles.AddUserRole(ctx, tenant.ID, user.ID, role.ID); !errors.Is(err, keystone.ErrConflict) {
		t.Errorf("second grant: %v", err)
	}
	roles, err := keystone.Collect(c.Roles.ListForUser(ctx, tenant.ID, user.ID))
	if err != nil || len(roles) != 1 || roles[0].ID != role.ID {
		t.Errorf("roles for user: %v %v", roles, err)
	}
	users, err := keystone.Collect(c.Tenants.ListUsers(ctx, tenant.ID, nil))
	if err != nil || len(users) != 1 || users[0].ID != user.ID {
		t.Errorf("tenant users: %v %v", users, err)
	}

	// The user can now authenticate to the tenant with v2.0, and change its
	// own password.
	ua, _ := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), UserID: user.ID, Password: "pw-2",
		Tenant: authplugin.Tenant{ID: tenant.ID}})
	us, _ := keystone.NewSession(keystone.WithAuth(ua))
	ai, err := ua.Access(ctx, us)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project.ID != tenant.ID || !ai.HasRole("deployer") || ai.Catalog() == nil {
		t.Errorf("user token %s", ai)
	}
	uc, err := identityv2.NewClientAt(us, ks.URL)
	if err != nil {
		t.Fatal(err)
	}
	own, err := uc.Users.ChangeOwnPassword(ctx, user.ID, identityv2.ChangeOwnPasswordBody{OriginalPassword: "pw-2", Password: "pw-3"})
	if err != nil || own.User.ID != user.ID {
		t.Fatalf("own password: %v %v", own, err)
	}
	if ok, err := c.Tokens.Check(ctx, ai.Token()); err != nil || ok {
		t.Errorf("old token after a password change: %v %v", ok, err)
	}
	pa, _ := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), UserID: user.ID, Password: "pw-3"})
	ps, _ := keystone.NewSession(keystone.WithAuth(pa))
	if _, err := pa.Access(ctx, ps); err != nil {
		t.Errorf("authenticate with the new password: %v", err)
	}
	ns, _ := keystone.NewSession(keystone.WithAuth(keystone.NewAuthFromAccess(own)))
	nc, _ := identityv2.NewClientAt(ns, ks.AuthURLV2())
	if mine, err := keystone.Collect(nc.Tenants.List(ctx, nil)); err != nil || len(mine) != 1 || mine[0].ID != tenant.ID {
		t.Errorf("the user's own tenants: %v %v", mine, err)
	}

	if err := c.Roles.RemoveUserRole(ctx, tenant.ID, user.ID, role.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Roles.RemoveUserRole(ctx, tenant.ID, user.ID, role.ID); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("second revoke: %v", err)
	}
	if err := c.Roles.Delete(ctx, role.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Users.Delete(ctx, user.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Get(ctx, user.ID); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("deleted user: %v", err)
	}
	if err := c.Tenants.Delete(ctx, tenant.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tenants.Get(ctx, tenant.ID); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("deleted tenant: %v", err)
	}
}

func TestV2CatalogTokensEC2(t *testing.T) {
	c, ks := v2Admin(t)
	ctx := t.Context()

	svc, err := c.Services.Create(ctx, identityv2.CreateServiceBody{Name: new("nova"), Type: "compute",
		Description: new("compute")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Services.Get(ctx, svc.ID); err != nil || got.Name == nil || *got.Name != "nova" {
		t.Errorf("service %v %v", got, err)
	}
	for _, key := range []string{svc.ID, "nova"} {
		if got, err := c.Services.Find(ctx, key, nil); err != nil || got.ID != svc.ID {
			t.Errorf("find service %q: %v %v", key, got, err)
		}
	}
	if got, err := c.Services.FindByType(ctx, "compute"); err != nil || got.ID != svc.ID {
		t.Errorf("find service of type compute: %v %v", got, err)
	}
	if _, err := c.Services.Find(ctx, "nope", nil); !errors.Is(err, keystone.ErrNoUniqueMatch) {
		t.Errorf("find no service: %v", err)
	}
	if _, err := c.Services.FindByType(ctx, "nope"); !errors.Is(err, keystone.ErrNoUniqueMatch) || !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("find no service of a type: %v", err)
	}
	ep, err := c.Endpoints.Create(ctx, identityv2.CreateEndpointBody{ServiceID: svc.ID, Region: new("RegionOne"),
		Publicurl: "https://nova.example.com/v2.1/$(tenant_id)s", Internalurl: new("http://nova.internal/v2.1/$(tenant_id)s")})
	if err != nil {
		t.Fatal(err)
	}
	eps, err := keystone.Collect(c.Endpoints.List(ctx))
	if err != nil || !slices.ContainsFunc(eps, func(e identityv2.AdminEndpoint) bool {
		return e.ID == ep.ID && e.Publicurl != nil && *e.Publicurl == "https://nova.example.com/v2.1/$(tenant_id)s" && e.Adminurl == nil
	}) {
		t.Errorf("endpoints %+v %v", eps, err)
	}

	// A new v2.0 token's catalog has the endpoint, with the tenant substituted,
	// found through the same catalog API as v3.
	a, _ := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), Username: ks.AdminUser,
		Password: ks.AdminPassword, Tenant: authplugin.Tenant{ID: ks.AdminProjectID}})
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	url, err := a.Endpoint(ctx, s, keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"internalURL"}})
	if err != nil || url != "http://nova.internal/v2.1/"+ks.AdminProjectID {
		t.Errorf("compute endpoint %q %v", url, err)
	}
	ai, _ := a.Access(ctx, s)
	got, err := c.Tokens.Validate(ctx, ai.Token(), ks.AdminProjectID)
	if err != nil || got.User.ID != ks.AdminUserID || got.Project.ID != ks.AdminProjectID {
		t.Errorf("validate: %v %v", got, err)
	}
	if _, err := c.Tokens.Validate(ctx, ai.Token(), "another-tenant"); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("validate with belongsTo: %v", err)
	}
	teps, err := keystone.Collect(c.Tokens.ListEndpoints(ctx, ai.Token()))
	if err != nil || !slices.ContainsFunc(teps, func(e identityv2.CatalogEndpointWithService) bool { return e.Type != nil && *e.Type == "compute" }) {
		t.Errorf("token endpoints %v %v", teps, err)
	}
	if err := c.Tokens.Revoke(ctx, ai.Token()); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Tokens.Check(ctx, ai.Token()); err != nil || ok {
		t.Errorf("revoked token: %v %v", ok, err)
	}

	if err := c.Endpoints.Delete(ctx, ep.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Endpoints.Delete(ctx, ep.ID); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if err := c.Services.Delete(ctx, svc.ID); err != nil {
		t.Fatal(err)
	}

	// EC2 credentials.
	cred, err := c.EC2Credentials.Create(ctx, ks.AdminUserID, identityv2.EC2CredentialCreateRequest{TenantID: ks.AdminProjectID})
	if err != nil || cred.Secret == nil || cred.TenantID != ks.AdminProjectID {
		t.Fatalf("ec2 %+v %v", cred, err)
	}
	if l, err := keystone.Collect(c.EC2Credentials.List(ctx, ks.AdminUserID)); err != nil || len(l) != 1 {
		t.Errorf("ec2 list %v %v", l, err)
	}
	if g, err := c.EC2Credentials.Get(ctx, ks.AdminUserID, cred.Access); err != nil || g.Access != cred.Access {
		t.Errorf("ec2 get %v %v", g, err)
	}
	if err := c.EC2Credentials.Delete(ctx, ks.AdminUserID, cred.Access); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EC2Credentials.Get(ctx, ks.AdminUserID, cred.Access); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("deleted ec2: %v", err)
	}

	// Extensions, and the PKI certificates recent Keystones no longer have.
	exts, err := keystone.Collect(c.Extensions.List(ctx))
	if err != nil || !slices.ContainsFunc(exts, func(e identityv2.Extension) bool { return e.Alias == "OS-KSADM" }) {
		t.Errorf("extensions %v %v", exts, err)
	}
	if e, err := c.Extensions.Get(ctx, "OS-EC2"); err != nil || e.Alias != "OS-EC2" {
		t.Errorf("extension %v %v", e, err)
	}
	if _, err := c.Extensions.Get(ctx, "OS-NOPE"); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("unknown extension: %v", err)
	}
	if _, err := c.Certificates.GetCA(ctx); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("CA certificate: %v", err)
	}
	if _, err := c.Certificates.GetSigning(ctx); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("signing certificate: %v", err)
	}
}

// The generic plugin authenticates with v2.0 when the server's version
// document offers only that; here the same in-memory Keystone serves both
// and it picks v3, while the v2.0 plugins use v2.0 explicitly.
func TestV2AndV3SeeTheSameState(t *testing.T) {
	c, ks := v2Admin(t)
	ctx := t.Context()
	tenant, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}})
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	v3, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v3.Projects.Get(ctx, tenant.ID, nil)
	if err != nil || p.Name != "shared" {
		t.Errorf("v3 sees the v2.0 tenant: %v %v", p, err)
	}
	ai, _ := a.Access(ctx, s)
	if ai.Version() != "v3" {
		t.Errorf("generic chose %s", ai.Version())
	}
}

// A v2.0 token plugin exchanges a token for one scoped to another tenant.
func TestV2TokenPluginRescopes(t *testing.T) {
	c, ks := v2Admin(t)
	ctx := t.Context()
	tenant, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := c.Roles.Find(ctx, "admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Roles.AddUserRole(ctx, tenant.ID, ks.AdminUserID, admin.ID); err != nil {
		t.Fatal(err)
	}
	first, err := c.Session().Auth().Token(ctx, c.Session())
	if err != nil {
		t.Fatal(err)
	}
	a, err := authplugin.NewTokenV2(authplugin.TokenV2Options{AuthURL: ks.AuthURLV2(), Token: first, Tenant: authplugin.Tenant{Name: "other"}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(a))
	ai, err := a.Access(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project.ID != tenant.ID || ai.User.ID != ks.AdminUserID || ai.Token() == first {
		t.Errorf("rescoped token %s", ai)
	}
	bad, _ := authplugin.NewTokenV2(authplugin.TokenV2Options{AuthURL: ks.AuthURLV2(), Token: "not-a-token"})
	s2, _ := keystone.NewSession(keystone.WithAuth(bad))
	if _, err := bad.Access(ctx, s2); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("unknown token: %v", err)
	}
}
