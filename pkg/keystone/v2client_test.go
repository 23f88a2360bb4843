package keystone_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/oapi-codegen/nullable"

	"github.com/gokeystone/keystone/gen/identityv2"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// v2Admin returns a v2.0 client authenticated with a v2.0 token of the
// in-memory Keystone's administrator; every exchange is validated against
// api/identity-v2.yaml by the fake.
func v2Admin(t *testing.T) (*keystone.V2Client, *keystonetest.Server) {
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
	s, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		t.Fatal(err)
	}
	c, err := keystone.NewV2Client(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	return c, ks
}

func TestV2TenantsUsersRoles(t *testing.T) {
	c, ks := v2Admin(t)
	ctx := t.Context()

	tenant, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "web", Description: nullable.NewNullableWithValue("the web team"),
		AdditionalProperties: map[string]any{"owner": "ops"}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := tenant.Get("owner"); v != "ops" || !tenant.Enabled {
		t.Errorf("created %+v", tenant)
	}
	if _, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "web"}); !errors.Is(err, keystone.ErrConflict) {
		t.Errorf("duplicate tenant: %v", err)
	}
	if f, err := c.Tenants.Find(ctx, "web"); err != nil || f.ID != tenant.ID {
		t.Errorf("find by name: %v %v", f, err)
	}
	if f, err := c.Tenants.Find(ctx, tenant.ID); err != nil || f.Name != "web" {
		t.Errorf("find by ID: %v %v", f, err)
	}
	if _, err := c.Tenants.Find(ctx, "nope"); !errors.Is(err, keystone.ErrNoUniqueMatch) {
		t.Errorf("find nothing: %v", err)
	}
	if u, err := c.Tenants.Update(ctx, tenant.ID, identityv2.TenantUpdate{Enabled: ptrTo(false)}); err != nil || u.Enabled {
		t.Errorf("disable: %v %v", u, err)
	}
	// Paging by limit and marker.
	all, err := c.Tenants.ListAll(ctx, nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("tenants %v %v", all, err)
	}
	first, err := c.Tenants.ListAll(ctx, &identityv2.ListTenantsParams{Limit: ptrTo(1)})
	if err != nil || len(first) != 1 {
		t.Fatalf("limit: %v %v", first, err)
	}
	rest, err := c.Tenants.ListAll(ctx, &identityv2.ListTenantsParams{Marker: &first[0].ID})
	if err != nil || len(rest) != 1 || rest[0].ID == first[0].ID {
		t.Errorf("marker: %v %v", rest, err)
	}

	user, err := c.Users.Create(ctx, identityv2.UserCreate{Name: "alice", Password: nullable.NewNullableWithValue("pw-1"),
		Email: nullable.NewNullableWithValue("alice@example.com"), TenantID: nullable.NewNullableWithValue(tenant.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if user.Email.MustGet() != "alice@example.com" || user.TenantID.MustGet() != tenant.ID || *user.Username != "alice" {
		t.Errorf("user %+v", user)
	}
	if f, err := c.Users.Find(ctx, "alice"); err != nil || f.ID != user.ID {
		t.Errorf("find user: %v %v", f, err)
	}
	if u, err := c.Users.SetEnabled(ctx, user.ID, false); err != nil || u.Enabled {
		t.Errorf("disable user: %v %v", u, err)
	}
	if _, err := c.Users.SetEnabled(ctx, user.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.SetPassword(ctx, user.ID, "pw-2"); err != nil {
		t.Fatal(err)
	}
	if u, err := c.Users.SetTenant(ctx, user.ID, ks.AdminProjectID); err != nil || u.TenantID.MustGet() != ks.AdminProjectID {
		t.Errorf("default tenant: %v %v", u, err)
	}
	if u, err := c.Users.Update(ctx, user.ID, identityv2.UserUpdate{Name: ptrTo("alice2")}); err != nil || u.Name != "alice2" {
		t.Errorf("rename: %v %v", u, err)
	}

	role, err := c.Roles.Create(ctx, "deployer")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.Roles.Find(ctx, "deployer"); err != nil || r.ID != role.ID {
		t.Errorf("find role: %v %v", r, err)
	}
	if _, err := c.Tenants.Update(ctx, tenant.ID, identityv2.TenantUpdate{Enabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Roles.AddUserRole(ctx, user.ID, role.ID, tenant.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Roles.AddUserRole(ctx, user.ID, role.ID, tenant.ID); !errors.Is(err, keystone.ErrConflict) {
		t.Errorf("second grant: %v", err)
	}
	roles, err := c.Roles.RolesForUser(ctx, user.ID, tenant.ID)
	if err != nil || len(roles) != 1 || roles[0].ID != role.ID {
		t.Errorf("roles for user: %v %v", roles, err)
	}
	users, err := c.Tenants.UsersAll(ctx, tenant.ID)
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
	uc, err := keystone.NewV2ClientAt(us, ks.URL)
	if err != nil {
		t.Fatal(err)
	}
	own, err := uc.Users.UpdateOwnPassword(ctx, user.ID, "pw-2", "pw-3")
	if err != nil || own.User.ID != user.ID {
		t.Fatalf("own password: %v %v", own, err)
	}
	if ok, err := c.Tokens.Check(ctx, ai.Token()); err != nil || ok {
		t.Errorf("old token after a password change: %v %v", ok, err)
	}
	ns, _ := keystone.NewSession(keystone.WithAuth(keystone.NewAuthFromAccess(own)))
	nc, _ := keystone.NewV2ClientAt(ns, ks.AuthURLV2())
	if mine, err := nc.Tenants.ListAll(ctx, nil); err != nil || len(mine) != 1 || mine[0].ID != tenant.ID {
		t.Errorf("the user's own tenants: %v %v", mine, err)
	}

	if err := c.Roles.RemoveUserRole(ctx, user.ID, role.ID, tenant.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Roles.RemoveUserRole(ctx, user.ID, role.ID, tenant.ID); !errors.Is(err, keystone.ErrNotFound) {
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

	svc, err := c.Services.Create(ctx, identityv2.ServiceCreateRequest_OSKSADMService{Name: ptrTo("nova"), Type: "compute",
		Description: nullable.NewNullableWithValue("compute")})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Services.Get(ctx, svc.ID); err != nil || *got.Name != "nova" {
		t.Errorf("service %v %v", got, err)
	}
	for _, key := range []string{svc.ID, "nova", "compute"} {
		if got, err := c.Services.Find(ctx, key); err != nil || got.ID != svc.ID {
			t.Errorf("find service %q: %v %v", key, got, err)
		}
	}
	if _, err := c.Services.Find(ctx, "nope"); !errors.Is(err, keystone.ErrNoUniqueMatch) {
		t.Errorf("find no service: %v", err)
	}
	ep, err := c.Endpoints.Create(ctx, identityv2.EndpointCreateRequest_Endpoint{ServiceID: svc.ID, Region: ptrTo("RegionOne"),
		Publicurl: "https://nova.example.com/v2.1/$(tenant_id)s", Internalurl: nullable.NewNullableWithValue("http://nova.internal/v2.1/$(tenant_id)s")})
	if err != nil {
		t.Fatal(err)
	}
	eps, err := c.Endpoints.List(ctx)
	if err != nil || !slices.ContainsFunc(eps, func(e identityv2.AdminEndpoint) bool {
		return e.ID == ep.ID && e.Publicurl.MustGet() == "https://nova.example.com/v2.1/$(tenant_id)s" && e.Adminurl.IsNull()
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
	teps, err := c.Tokens.Endpoints(ctx, ai.Token())
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
	cred, err := c.EC2.Create(ctx, ks.AdminUserID, ks.AdminProjectID)
	if err != nil || cred.Secret == nil || cred.TenantID != ks.AdminProjectID {
		t.Fatalf("ec2 %+v %v", cred, err)
	}
	if l, err := c.EC2.List(ctx, ks.AdminUserID); err != nil || len(l) != 1 {
		t.Errorf("ec2 list %v %v", l, err)
	}
	if g, err := c.EC2.Get(ctx, ks.AdminUserID, cred.Access); err != nil || g.Access != cred.Access {
		t.Errorf("ec2 get %v %v", g, err)
	}
	if err := c.EC2.Delete(ctx, ks.AdminUserID, cred.Access); err != nil {
		t.Fatal(err)
	}
	if _, err := c.EC2.Get(ctx, ks.AdminUserID, cred.Access); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("deleted ec2: %v", err)
	}

	// Extensions, and the PKI certificates recent Keystones no longer have.
	exts, err := c.Extensions.List(ctx)
	if err != nil || !slices.ContainsFunc(exts, func(e identityv2.Extension) bool { return e.Alias == "OS-KSADM" }) {
		t.Errorf("extensions %v %v", exts, err)
	}
	if e, err := c.Extensions.Get(ctx, "OS-EC2"); err != nil || e.Alias != "OS-EC2" {
		t.Errorf("extension %v %v", e, err)
	}
	if _, err := c.Extensions.Get(ctx, "OS-NOPE"); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("unknown extension: %v", err)
	}
	if _, err := c.Certificates.CA(ctx); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("CA certificate: %v", err)
	}
	if _, err := c.Certificates.Signing(ctx); !errors.Is(err, keystone.ErrNotFound) {
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
	v3, err := keystone.NewV3Client(ctx, s, keystone.EndpointFilter{})
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

func ptrTo[T any](v T) *T { return &v }

// A v2.0 token plugin exchanges a token for one scoped to another tenant.
func TestV2TokenPluginRescopes(t *testing.T) {
	c, ks := v2Admin(t)
	ctx := t.Context()
	tenant, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := c.Roles.Find(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Roles.AddUserRole(ctx, ks.AdminUserID, admin.ID, tenant.ID); err != nil {
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
