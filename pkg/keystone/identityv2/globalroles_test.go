package identityv2_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
)

// Global roles, as keystoneclient's roles.add_user_role(user, role),
// remove_user_role(user, role) and roles_for_user(user) without a tenant:
// PUT and DELETE /v2.0/users/{user_id}/roles/OS-KSADM/{role_id}, GET
// /v2.0/users/{user_id}/roles, and never a /v2.0/tenants// path.
func TestGlobalRoles(t *testing.T) {
	c, ks := v2Admin(t)
	ctx := t.Context()
	user, err := c.Users.Create(ctx, identityv2.UserCreate{Name: "carol", Password: new("pw-1")})
	if err != nil {
		t.Fatal(err)
	}
	role, err := c.Roles.Create(ctx, identityv2.CreateRoleBody{Name: "auditor"})
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := c.Tenants.Create(ctx, identityv2.TenantCreate{Name: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := c.Roles.Find(ctx, "member", nil)
	if err != nil {
		t.Fatal(err)
	}
	// A role on a tenant is not a global role.
	if _, err := c.Roles.AddUserRole(ctx, tenant.ID, user.ID, member.ID); err != nil {
		t.Fatal(err)
	}
	if roles, err := keystone.Collect(c.Users.ListRoles(ctx, user.ID)); err != nil || len(roles) != 0 {
		t.Fatalf("global roles before any grant: %v %v", roles, err)
	}

	if err := c.Roles.AddGlobalRole(ctx, user.ID, role.ID); err != nil {
		t.Fatal(err)
	}
	put := "PUT /v2.0/users/" + user.ID + "/roles/OS-KSADM/" + role.ID
	if n := ks.RequestCount(put); n != 1 {
		t.Errorf("%d requests %s, want 1", n, put)
	}
	if err := c.Roles.AddGlobalRole(ctx, user.ID, role.ID); !errors.Is(err, keystone.ErrConflict) {
		t.Errorf("second grant: %v, want ErrConflict", err)
	}
	roles, err := keystone.Collect(c.Users.ListRoles(ctx, user.ID))
	if err != nil || len(roles) != 1 || roles[0].ID != role.ID || roles[0].Name != "auditor" {
		t.Fatalf("global roles: %v %v", roles, err)
	}
	// Global roles do not show among the tenant's, nor the tenant's among them.
	if tr, err := keystone.Collect(c.Roles.ListForUser(ctx, tenant.ID, user.ID)); err != nil || len(tr) != 1 || tr[0].ID != member.ID {
		t.Errorf("tenant roles: %v %v", tr, err)
	}

	// Only an administrator may grant.
	ua, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), UserID: user.ID, Password: "pw-1",
		Tenant: authplugin.Tenant{ID: tenant.ID}})
	if err != nil {
		t.Fatal(err)
	}
	us, err := keystone.NewSession(keystone.WithAuth(ua))
	if err != nil {
		t.Fatal(err)
	}
	uc, err := identityv2.NewClientAt(us, ks.AuthURLV2())
	if err != nil {
		t.Fatal(err)
	}
	if err := uc.Roles.AddGlobalRole(ctx, user.ID, member.ID); !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("grant by a member: %v, want ErrForbidden", err)
	}

	if err := c.Roles.RemoveGlobalRole(ctx, user.ID, role.ID); err != nil {
		t.Fatal(err)
	}
	if n := ks.RequestCount("DELETE /v2.0/users/" + user.ID + "/roles/OS-KSADM/" + role.ID); n != 1 {
		t.Errorf("%d DELETE requests, want 1", n)
	}
	if roles, err := keystone.Collect(c.Users.ListRoles(ctx, user.ID)); err != nil || len(roles) != 0 {
		t.Errorf("global roles after revocation: %v %v", roles, err)
	}
	var he *keystone.HTTPError
	if err := c.Roles.RemoveGlobalRole(ctx, user.ID, role.ID); !errors.Is(err, keystone.ErrNotFound) ||
		!errors.As(err, &he) || he.StatusCode != http.StatusNotFound {
		t.Errorf("second revocation: %v, want a 404 *keystone.HTTPError", err)
	}
	if err := c.Roles.AddGlobalRole(ctx, user.ID, "no-such-role"); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("unknown role: %v", err)
	}
	if err := c.Roles.AddGlobalRole(ctx, "no-such-user", role.ID); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := keystone.Collect(c.Users.ListRoles(ctx, "no-such-user")); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("roles of an unknown user: %v", err)
	}
	// A deleted role is no longer listed.
	if err := c.Roles.AddGlobalRole(ctx, user.ID, role.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.Roles.Delete(ctx, role.ID); err != nil {
		t.Fatal(err)
	}
	if roles, err := keystone.Collect(c.Users.ListRoles(ctx, user.ID)); err != nil || len(roles) != 0 {
		t.Errorf("global roles after the role's deletion: %v %v", roles, err)
	}

	// No request goes out without a user or a role: the tenant-less path is
	// the global one, never /v2.0/tenants//….
	before := ks.RequestCount("")
	for _, err := range []error{
		c.Roles.AddGlobalRole(ctx, "", role.ID), c.Roles.AddGlobalRole(ctx, user.ID, ""),
		c.Roles.RemoveGlobalRole(ctx, "", role.ID), c.Roles.RemoveGlobalRole(ctx, user.ID, ""),
	} {
		if !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("empty argument: %v, want ErrInvalidArgument", err)
		}
	}
	if _, err := c.Roles.AddUserRole(ctx, "", user.ID, member.ID); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("AddUserRole without a tenant: %v, want ErrInvalidArgument", err)
	}
	if n := ks.RequestCount(""); n != before {
		t.Errorf("%d requests sent for invalid arguments", n-before)
	}
}
