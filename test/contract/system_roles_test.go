//go:build integration

package contract

import (
	"context"
	"slices"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// systemGrantKind is a user's or a group's grants on the system, with the
// generated calls of its operations.
type systemGrantKind struct {
	name   string // the operationId infix: User or Group
	actor  string // created for the test
	grant  func(ctx context.Context, c *v3.ClientWithResponses, actor, role string) (response, error)
	check  func(ctx context.Context, c *v3.ClientWithResponses, actor, role string) (response, error) // HEAD
	get    func(ctx context.Context, c *v3.ClientWithResponses, actor, role string) (response, error) // GET, same answer
	revoke func(ctx context.Context, c *v3.ClientWithResponses, actor, role string) (response, error)
	list   func(ctx context.Context, c *v3.ClientWithResponses, actor string) (response, *v3.RoleList, error)
}

func TestSystemRoles(t *testing.T) {
	role := newRole(t, v3.RoleCreate{})
	role2 := newRole(t, v3.RoleCreate{})
	dom := newDomain(t, v3.DomainCreate{})
	domRole := newRole(t, v3.RoleCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
	user := newUser(t, v3.UserCreate{})
	group := newGroup(t, v3.GroupCreate{})
	rd := reader(t)

	kinds := []systemGrantKind{
		{
			name: "User", actor: user.ID,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.GrantSystemUserRoleWithResponse(ctx, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.CheckSystemUserRoleWithResponse(ctx, a, r)
			},
			get: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.GetSystemUserRoleWithResponse(ctx, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.RevokeSystemUserRoleWithResponse(ctx, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, a string) (response, *v3.RoleList, error) {
				r, err := c.ListSystemUserRolesWithResponse(ctx, a)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
		},
		{
			name: "Group", actor: group.ID,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.GrantSystemGroupRoleWithResponse(ctx, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.CheckSystemGroupRoleWithResponse(ctx, a, r)
			},
			get: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.GetSystemGroupRoleWithResponse(ctx, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, a, r string) (response, error) {
				return c.RevokeSystemGroupRoleWithResponse(ctx, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, a string) (response, *v3.RoleList, error) {
				r, err := c.ListSystemGroupRolesWithResponse(ctx, a)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
		},
	}

	parent := t // the grants last for all the subtests of a kind
	for _, k := range kinds {
		listed := func(t *testing.T) []v3.Role {
			t.Helper()
			r, l, err := k.list(t.Context(), adm, k.actor)
			expect(t, r, err, 200)
			return l.Roles
		}
		t.Run("grantSystem"+k.name+"Role", func(t *testing.T) {
			for range 2 { // granting again is fine
				g, err := k.grant(t.Context(), adm, k.actor, role.ID)
				expect(t, g, err, 204)
			}
			parent.Cleanup(func() {
				deleteQuietly(parent, "system grant", func() (response, error) {
					return k.revoke(cleanupCtx(), adm, k.actor, role.ID)
				})
			})
			g, err := k.grant(t.Context(), adm, k.actor, domRole.ID) // domain-specific roles are refused
			expectError(t, g, err, 400)
			g, err = k.grant(t.Context(), adm, "no-such-actor", role.ID)
			expectError(t, g, err, 404)
			g, err = k.grant(t.Context(), adm, k.actor, "no-such-role")
			expectError(t, g, err, 404)
			g, err = k.grant(t.Context(), newClient("not-a-token"), k.actor, role2.ID)
			expectError(t, g, err, 401)
			g, err = k.grant(t.Context(), rd, k.actor, role2.ID)
			expectError(t, g, err, 403)
			if got := roleIDsOf(listed(t)); !slices.Equal(got, []string{role.ID}) {
				t.Errorf("system roles of %s: %v, want [%s]", k.actor, got, role.ID)
			}
		})
		t.Run("listSystem"+k.name+"Roles", func(t *testing.T) {
			roles := listed(t)
			if len(roles) != 1 || roles[0].ID != role.ID || roles[0].Name != role.Name || roles[0].Links.Self == "" {
				t.Errorf("listed %+v, want the complete %+v", roles, role)
			}
			r, _, err := k.list(t.Context(), adm, "no-such-actor")
			expectError(t, r, err, 404)
			r, _, err = k.list(t.Context(), newClient("not-a-token"), k.actor)
			expectError(t, r, err, 401)
			// The grant shows among the system's role assignments too.
			system := v3.ListRoleAssignmentsParamsScopeSystem("all")
			a, err := adm.ListRoleAssignmentsWithResponse(t.Context(), &v3.ListRoleAssignmentsParams{ScopeSystem: &system, RoleID: &role.ID})
			expect(t, a, err, 200)
			if !slices.ContainsFunc(a.JSON200.RoleAssignments, func(a v3.RoleAssignment) bool {
				return (a.User != nil && a.User.ID == k.actor || a.Group != nil && a.Group.ID == k.actor) && a.Scope.System != nil
			}) {
				t.Errorf("system assignment of %s missing: %+v", k.actor, a.JSON200.RoleAssignments)
			}
		})
		t.Run("checkSystem"+k.name+"Role", func(t *testing.T) {
			c, err := k.check(t.Context(), adm, k.actor, role.ID)
			expect(t, c, err, 204)
			c, err = k.check(t.Context(), adm, k.actor, role2.ID) // not granted
			expect(t, c, err, 404)
			c, err = k.check(t.Context(), adm, "no-such-actor", role.ID)
			expect(t, c, err, 404)
			c, err = k.check(t.Context(), adm, k.actor, "no-such-role")
			expect(t, c, err, 404)
			c, err = k.check(t.Context(), newClient("not-a-token"), k.actor, role.ID)
			expect(t, c, err, 401)
		})
		t.Run("getSystem"+k.name+"Role", func(t *testing.T) {
			g, err := k.get(t.Context(), adm, k.actor, role.ID)
			expect(t, g, err, 204)
			if b := body(g); b != "" {
				t.Errorf("204 with a body: %q", b)
			}
			g, err = k.get(t.Context(), adm, k.actor, role2.ID) // not granted
			expectError(t, g, err, 404)
			g, err = k.get(t.Context(), adm, "no-such-actor", role.ID)
			expectError(t, g, err, 404)
			g, err = k.get(t.Context(), newClient("not-a-token"), k.actor, role.ID)
			expectError(t, g, err, 401)
		})
		t.Run("revokeSystem"+k.name+"Role", func(t *testing.T) {
			r, err := k.revoke(t.Context(), rd, k.actor, role.ID)
			expectError(t, r, err, 403)
			r, err = k.revoke(t.Context(), newClient("not-a-token"), k.actor, role.ID)
			expectError(t, r, err, 401)
			r, err = k.revoke(t.Context(), adm, k.actor, role.ID)
			expect(t, r, err, 204)
			c, err := k.check(t.Context(), adm, k.actor, role.ID)
			expect(t, c, err, 404)
			if got := listed(t); len(got) != 0 {
				t.Errorf("system roles after revoking: %v", roleIDsOf(got))
			}
			r, err = k.revoke(t.Context(), adm, k.actor, role.ID) // no longer granted
			expectError(t, r, err, 404)
			r, err = k.revoke(t.Context(), adm, "no-such-actor", role.ID)
			expectError(t, r, err, 404)
		})
	}
}
