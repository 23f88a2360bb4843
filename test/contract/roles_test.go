//go:build integration

package contract

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// roleIDsOf returns the IDs of roles.
func roleIDsOf(roles []v3.Role) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		out = append(out, r.ID)
	}
	return out
}

// roleRefIDs returns the IDs of role references.
func roleRefIDs(refs []v3.RoleRef) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.ID)
	}
	return out
}

func TestRoles(t *testing.T) {
	dom := newDomain(t, v3.DomainCreate{})
	global := newRole(t, v3.RoleCreate{
		Description:          ptr("contract role"),
		AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	// Names are unique per domain: the same name is fine in another domain.
	domRole := newRole(t, v3.RoleCreate{Name: global.Name, DomainID: nullable.NewNullableWithValue(dom.ID)})

	t.Run("createRole", func(t *testing.T) {
		if global.DomainID.IsSpecified() && !global.DomainID.IsNull() {
			t.Errorf("global role has domain_id %v", global.DomainID)
		}
		if global.Description.MustGet() != "contract role" || global.Links.Self == "" || global.Options.Immutable.IsSpecified() {
			t.Errorf("created %+v", global)
		}
		if v, _ := global.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", global.AdditionalProperties)
		}
		if domRole.Name != global.Name || domRole.DomainID.MustGet() != dom.ID || domRole.ID == global.ID {
			t.Errorf("domain role %+v", domRole)
		}
		if !domRole.Description.IsNull() {
			t.Errorf("unset description = %v, want null", domRole.Description)
		}
	})

	t.Run("getRole", func(t *testing.T) {
		r, err := adm.GetRoleWithResponse(t.Context(), global.ID)
		expect(t, r, err, 200)
		got := r.JSON200.Role
		if got.ID != global.ID || got.Name != global.Name || got.Description.MustGet() != "contract role" {
			t.Errorf("got %+v", got)
		}
		if v, _ := got.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute not returned by get: %v", got.AdditionalProperties)
		}
		r, err = adm.GetRoleWithResponse(t.Context(), domRole.ID)
		expect(t, r, err, 200)
		if r.JSON200.Role.DomainID.MustGet() != dom.ID {
			t.Errorf("domain role: %+v", r.JSON200.Role)
		}
		r, err = adm.GetRoleWithResponse(t.Context(), "no-such-role")
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").GetRoleWithResponse(t.Context(), global.ID)
		expectError(t, r, err, 401)
	})

	t.Run("listRoles", func(t *testing.T) {
		ids := func(p *v3.ListRolesParams) []string {
			t.Helper()
			r, err := adm.ListRolesWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			return roleIDsOf(r.JSON200.Roles)
		}
		admin := roleID(t, "admin")
		cases := []struct {
			name   string
			params *v3.ListRolesParams
			want   []string
			absent []string
		}{
			{"no filter: global roles only", nil, []string{global.ID, admin}, []string{domRole.ID}},
			{"name: the global one", &v3.ListRolesParams{Name: &global.Name}, []string{global.ID}, []string{domRole.ID, admin}},
			{"domain_id: that domain's roles", &v3.ListRolesParams{DomainID: &dom.ID}, []string{domRole.ID}, []string{global.ID, admin}},
			{"domain_id and name", &v3.ListRolesParams{DomainID: &dom.ID, Name: &global.Name}, []string{domRole.ID}, []string{global.ID}},
			{"empty domain_id matches none", &v3.ListRolesParams{DomainID: ptr("")}, nil, []string{global.ID, domRole.ID, admin}},
			{"unknown name", &v3.ListRolesParams{Name: ptr(uniq("none"))}, nil, []string{global.ID, admin}},
		}
		for _, c := range cases {
			got := ids(c.params)
			for _, id := range c.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s: %s missing from %v", c.name, id, got)
				}
			}
			for _, id := range c.absent {
				if slices.Contains(got, id) {
					t.Errorf("%s: %s should not be in %v", c.name, id, got)
				}
			}
		}
		if got := ids(&v3.ListRolesParams{Name: &global.Name}); len(got) != 1 {
			t.Errorf("name filter: %v", got)
		}
		r, err := newClient("not-a-token").ListRolesWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
	})

	t.Run("updateRole", func(t *testing.T) {
		victim := newRole(t, v3.RoleCreate{Description: ptr("before")})
		newName := victim.Name + "-renamed"
		r, err := adm.UpdateRoleWithResponse(t.Context(), victim.ID, v3.RoleUpdateRequest{Role: v3.RoleUpdate{
			Name:                 &newName,
			Description:          ptr("after"),
			AdditionalProperties: map[string]interface{}{"ct_extra": "added"},
		}})
		expect(t, r, err, 200)
		got := r.JSON200.Role
		if got.ID != victim.ID || got.Name != newName || got.Description.MustGet() != "after" {
			t.Errorf("update not applied: %+v", got)
		}
		if v, _ := got.Get("ct_extra"); v != "added" {
			t.Errorf("extra attribute = %v", got.AdditionalProperties)
		}
		g, err := adm.GetRoleWithResponse(t.Context(), victim.ID)
		expect(t, g, err, 200)
		if g.JSON200.Role.Name != newName {
			t.Errorf("update not stored: %+v", g.JSON200.Role)
		}

		// Another global role's name: conflict.
		r, err = adm.UpdateRoleWithResponse(t.Context(), victim.ID, v3.RoleUpdateRequest{Role: v3.RoleUpdate{Name: &global.Name}})
		expectError(t, r, err, 409)
		// domain_id cannot change (the schema allows extra attributes, Keystone refuses this one).
		r, err = adm.UpdateRoleWithResponse(t.Context(), victim.ID, v3.RoleUpdateRequest{Role: v3.RoleUpdate{
			AdditionalProperties: map[string]interface{}{"domain_id": dom.ID},
		}})
		expectError(t, r, err, 400)
		r, err = adm.UpdateRoleWithResponse(t.Context(), "no-such-role", v3.RoleUpdateRequest{Role: v3.RoleUpdate{Name: ptr(uniq("role"))}})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").UpdateRoleWithResponse(t.Context(), victim.ID, v3.RoleUpdateRequest{Role: v3.RoleUpdate{Description: ptr("x")}})
		expectError(t, r, err, 401)
		// Bodies the spec forbids, sent on purpose.
		for _, b := range []string{`{"role": {"description": null}}`, `{"role": {}}`, `{"role": {"name": ""}}`, `{"nothing": 1}`} {
			r, err := adm.UpdateRoleWithBodyWithResponse(invalid(t), victim.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		g, err = adm.GetRoleWithResponse(t.Context(), victim.ID)
		expect(t, g, err, 200)
		if g.JSON200.Role.Name != newName || g.JSON200.Role.Description.MustGet() != "after" || g.JSON200.Role.DomainID.IsSpecified() && !g.JSON200.Role.DomainID.IsNull() {
			t.Errorf("a refused update changed the role: %+v", g.JSON200.Role)
		}
	})

	t.Run("immutable role", func(t *testing.T) {
		role := newRole(t, v3.RoleCreate{Options: &v3.RoleOptions{Immutable: nullable.NewNullableWithValue(true)}})
		unlock := func(ctx context.Context) (*v3.UpdateRoleResponse, error) {
			return adm.UpdateRoleWithResponse(ctx, role.ID, v3.RoleUpdateRequest{Role: v3.RoleUpdate{
				Options: &v3.RoleOptions{Immutable: nullable.NewNullableWithValue(false)},
			}})
		}
		t.Cleanup(func() { _, _ = unlock(cleanupCtx()) }) // runs before newRole's deletion
		if !role.Options.Immutable.MustGet() {
			t.Fatalf("options = %+v", role.Options)
		}
		r, err := adm.UpdateRoleWithResponse(t.Context(), role.ID, v3.RoleUpdateRequest{Role: v3.RoleUpdate{Description: ptr("x")}})
		expectError(t, r, err, 403)
		d, err := adm.DeleteRoleWithResponse(t.Context(), role.ID)
		expectError(t, d, err, 403)
		r, err = unlock(t.Context())
		expect(t, r, err, 200)
		if r.JSON200.Role.Options.Immutable.IsSpecified() && r.JSON200.Role.Options.Immutable.MustGet() {
			t.Errorf("still immutable: %+v", r.JSON200.Role.Options)
		}
		d, err = adm.DeleteRoleWithResponse(t.Context(), role.ID)
		expect(t, d, err, 204)
	})

	t.Run("createRole errors", func(t *testing.T) {
		r, err := adm.CreateRoleWithResponse(t.Context(), v3.RoleCreateRequest{Role: v3.RoleCreate{Name: global.Name}})
		expectError(t, r, err, 409)
		r, err = adm.CreateRoleWithResponse(t.Context(), v3.RoleCreateRequest{Role: v3.RoleCreate{
			Name: global.Name, DomainID: nullable.NewNullableWithValue(dom.ID),
		}})
		expectError(t, r, err, 409)
		r, err = newClient("not-a-token").CreateRoleWithResponse(t.Context(), v3.RoleCreateRequest{Role: v3.RoleCreate{Name: uniq("role")}})
		expectError(t, r, err, 401)
		_, _, reader := userWithRole(t, "reader")
		name := uniq("role")
		r, err = reader.CreateRoleWithResponse(t.Context(), v3.RoleCreateRequest{Role: v3.RoleCreate{Name: name}})
		expectError(t, r, err, 403)
		// Bodies the spec forbids, sent on purpose: Keystone must refuse them too.
		for _, b := range []string{
			fmt.Sprintf(`{"role": {"name": %q, "description": null}}`, name),
			fmt.Sprintf(`{"role": {"name": %q, "options": {"ct_unknown": true}}}`, name),
			`{"role": {"name": ""}}`, `{"role": {}}`, `{"nothing": 1}`,
		} {
			r, err := adm.CreateRoleWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		l, err := adm.ListRolesWithResponse(t.Context(), &v3.ListRolesParams{Name: &name})
		expect(t, l, err, 200)
		if len(l.JSON200.Roles) != 0 {
			t.Errorf("a refused create made a role: %+v", l.JSON200.Roles)
		}
	})

	t.Run("deleteRole", func(t *testing.T) {
		victim := newRole(t, v3.RoleCreate{})
		r, err := reader(t).DeleteRoleWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").DeleteRoleWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 401)
		r, err = adm.DeleteRoleWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		g, err := adm.GetRoleWithResponse(t.Context(), victim.ID)
		expectError(t, g, err, 404)
		r, err = adm.DeleteRoleWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}

// reader returns a client for a new user that has only the reader role (on a
// new project).
func reader(t testing.TB) *v3.ClientWithResponses {
	t.Helper()
	_, _, c := userWithRole(t, "reader")
	return c
}

// grantKind is one of the four kinds of direct grants (user or group, on a
// project or a domain), with the generated calls of its operations.
type grantKind struct {
	name           string // the operationId suffix: ProjectUser, DomainGroup, …
	target, actor  string // a project or domain, and a user or group, both created for the test
	foreignRole    string // a domain-specific role of another domain than the target's
	foreignRoleSts int    // what granting it answers
	grant          func(ctx context.Context, c *v3.ClientWithResponses, target, actor, role string) (response, error)
	check          func(ctx context.Context, c *v3.ClientWithResponses, target, actor, role string) (response, error)
	revoke         func(ctx context.Context, c *v3.ClientWithResponses, target, actor, role string) (response, error)
	list           func(ctx context.Context, c *v3.ClientWithResponses, target, actor string) (response, *v3.RoleList, error)
}

func TestRoleGrants(t *testing.T) {
	other := newDomain(t, v3.DomainCreate{})
	foreign := newRole(t, v3.RoleCreate{DomainID: nullable.NewNullableWithValue(other.ID)})
	local := newRole(t, v3.RoleCreate{DomainID: nullable.NewNullableWithValue(ks.Domain)}) // the targets' domain
	role := newRole(t, v3.RoleCreate{})
	role2 := newRole(t, v3.RoleCreate{})
	project := newProject(t, v3.ProjectCreate{})
	user := newUser(t, v3.UserCreate{})
	group := newGroup(t, v3.GroupCreate{})
	rd := reader(t)

	kinds := []grantKind{
		{
			name: "ProjectUser", target: project.ID, actor: user.ID, foreignRole: foreign.ID, foreignRoleSts: 403,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.GrantProjectUserRoleWithResponse(ctx, p, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.CheckProjectUserRoleWithResponse(ctx, p, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.RevokeProjectUserRoleWithResponse(ctx, p, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, p, a string) (response, *v3.RoleList, error) {
				r, err := c.ListProjectUserRolesWithResponse(ctx, p, a)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
		},
		{
			name: "ProjectGroup", target: project.ID, actor: group.ID, foreignRole: foreign.ID, foreignRoleSts: 403,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.GrantProjectGroupRoleWithResponse(ctx, p, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.CheckProjectGroupRoleWithResponse(ctx, p, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, p, a, r string) (response, error) {
				return c.RevokeProjectGroupRoleWithResponse(ctx, p, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, p, a string) (response, *v3.RoleList, error) {
				r, err := c.ListProjectGroupRolesWithResponse(ctx, p, a)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
		},
		{
			// Keystone 22 accepts a domain-specific role of any domain on a domain.
			name: "DomainUser", target: ks.Domain, actor: user.ID, foreignRole: foreign.ID, foreignRoleSts: 204,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.GrantDomainUserRoleWithResponse(ctx, d, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.CheckDomainUserRoleWithResponse(ctx, d, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.RevokeDomainUserRoleWithResponse(ctx, d, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, d, a string) (response, *v3.RoleList, error) {
				r, err := c.ListDomainUserRolesWithResponse(ctx, d, a)
				if err != nil {
					return nil, nil, err
				}
				return r, r.JSON200, nil
			},
		},
		{
			name: "DomainGroup", target: ks.Domain, actor: group.ID, foreignRole: foreign.ID, foreignRoleSts: 204,
			grant: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.GrantDomainGroupRoleWithResponse(ctx, d, a, r)
			},
			check: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.CheckDomainGroupRoleWithResponse(ctx, d, a, r)
			},
			revoke: func(ctx context.Context, c *v3.ClientWithResponses, d, a, r string) (response, error) {
				return c.RevokeDomainGroupRoleWithResponse(ctx, d, a, r)
			},
			list: func(ctx context.Context, c *v3.ClientWithResponses, d, a string) (response, *v3.RoleList, error) {
				r, err := c.ListDomainGroupRolesWithResponse(ctx, d, a)
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
			r, l, err := k.list(t.Context(), adm, k.target, k.actor)
			expect(t, r, err, 200)
			return l.Roles
		}
		t.Run("grant"+k.name+"Role", func(t *testing.T) {
			for _, r := range []string{role.ID, role.ID, local.ID} { // granting again is fine
				g, err := k.grant(t.Context(), adm, k.target, k.actor, r)
				expect(t, g, err, 204)
				parent.Cleanup(func() {
					deleteQuietly(parent, k.name+" grant", func() (response, error) {
						return k.revoke(cleanupCtx(), adm, k.target, k.actor, r)
					})
				})
			}
			g, err := k.grant(t.Context(), adm, k.target, k.actor, k.foreignRole)
			if k.foreignRoleSts == 204 {
				expect(t, g, err, 204)
				parent.Cleanup(func() {
					deleteQuietly(parent, k.name+" grant", func() (response, error) {
						return k.revoke(cleanupCtx(), adm, k.target, k.actor, k.foreignRole)
					})
				})
			} else {
				expectError(t, g, err, k.foreignRoleSts)
			}
			for _, ids := range [][3]string{
				{"no-such-target", k.actor, role.ID}, {k.target, "no-such-actor", role.ID}, {k.target, k.actor, "no-such-role"},
			} {
				g, err := k.grant(t.Context(), adm, ids[0], ids[1], ids[2])
				expectError(t, g, err, 404)
			}
			g, err = k.grant(t.Context(), newClient("not-a-token"), k.target, k.actor, role2.ID)
			expectError(t, g, err, 401)
			g, err = k.grant(t.Context(), rd, k.target, k.actor, role2.ID)
			expectError(t, g, err, 403)

			got := roleIDsOf(listed(t))
			if !slices.Contains(got, role.ID) || !slices.Contains(got, local.ID) || slices.Contains(got, role2.ID) {
				t.Errorf("roles after granting: %v", got)
			}
			if slices.Contains(got, foreign.ID) != (k.foreignRoleSts == 204) {
				t.Errorf("foreign domain-specific role: %v", got)
			}
		})
		t.Run("list"+k.name+"Roles", func(t *testing.T) {
			roles := listed(t)
			i := slices.IndexFunc(roles, func(r v3.Role) bool { return r.ID == role.ID })
			if i < 0 {
				t.Fatalf("%s missing from %v", role.ID, roleIDsOf(roles))
			}
			if r := roles[i]; r.Name != role.Name || r.Links.Self == "" || r.DomainID.IsSpecified() && !r.DomainID.IsNull() {
				t.Errorf("listed role %+v, want complete %+v", r, role)
			}
			j := slices.IndexFunc(roles, func(r v3.Role) bool { return r.ID == local.ID })
			if j < 0 || roles[j].DomainID.MustGet() != ks.Domain {
				t.Errorf("domain-specific role in %+v", roles)
			}
			for _, ids := range [][2]string{{"no-such-target", k.actor}, {k.target, "no-such-actor"}} {
				r, _, err := k.list(t.Context(), adm, ids[0], ids[1])
				expectError(t, r, err, 404)
			}
			r, _, err := k.list(t.Context(), newClient("not-a-token"), k.target, k.actor)
			expectError(t, r, err, 401)
		})
		t.Run("check"+k.name+"Role", func(t *testing.T) {
			c, err := k.check(t.Context(), adm, k.target, k.actor, role.ID)
			expect(t, c, err, 204)
			c, err = k.check(t.Context(), adm, k.target, k.actor, role2.ID) // not granted
			expect(t, c, err, 404)
			for _, ids := range [][3]string{
				{"no-such-target", k.actor, role.ID}, {k.target, "no-such-actor", role.ID}, {k.target, k.actor, "no-such-role"},
			} {
				c, err := k.check(t.Context(), adm, ids[0], ids[1], ids[2])
				expect(t, c, err, 404)
			}
			c, err = k.check(t.Context(), newClient("not-a-token"), k.target, k.actor, role.ID)
			expect(t, c, err, 401)
		})
		t.Run("revoke"+k.name+"Role", func(t *testing.T) {
			r, err := k.revoke(t.Context(), rd, k.target, k.actor, role.ID)
			expectError(t, r, err, 403)
			r, err = k.revoke(t.Context(), newClient("not-a-token"), k.target, k.actor, role.ID)
			expectError(t, r, err, 401)
			r, err = k.revoke(t.Context(), adm, k.target, k.actor, role.ID)
			expect(t, r, err, 204)
			c, err := k.check(t.Context(), adm, k.target, k.actor, role.ID)
			expect(t, c, err, 404)
			if got := roleIDsOf(listed(t)); slices.Contains(got, role.ID) || !slices.Contains(got, local.ID) {
				t.Errorf("roles after revoking %s: %v", role.ID, got)
			}
			r, err = k.revoke(t.Context(), adm, k.target, k.actor, role.ID) // no longer granted
			expectError(t, r, err, 404)
			r, err = k.revoke(t.Context(), adm, k.target, k.actor, "no-such-role")
			expectError(t, r, err, 404)
		})
	}
}

func TestImpliedRoles(t *testing.T) {
	prior := newRole(t, v3.RoleCreate{})
	implied := newRole(t, v3.RoleCreate{})
	implied2 := newRole(t, v3.RoleCreate{})
	dom := newDomain(t, v3.DomainCreate{})
	domRole := newRole(t, v3.RoleCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
	parent := t // the rules last for all the subtests

	// imply creates a rule, which is deleted when owner ends. Rules must go before
	// their roles: on a Keystone backed by SQLite (no foreign-key cascades),
	// deleting a role leaves its rules behind, and GET /v3/role_inferences then
	// answers 500.
	imply := func(t *testing.T, owner testing.TB, p, i string) *v3.CreateImpliedRoleResponse {
		t.Helper()
		r, err := adm.CreateImpliedRoleWithResponse(t.Context(), p, i)
		expect(t, r, err, 201)
		owner.Cleanup(func() {
			deleteQuietly(owner, "rule "+p+" → "+i, func() (response, error) {
				return adm.DeleteImpliedRoleWithResponse(cleanupCtx(), p, i)
			})
		})
		return r
	}

	t.Run("createImpliedRole", func(t *testing.T) {
		r := imply(t, parent, prior.ID, implied.ID)
		rule := r.JSON201.RoleInference
		if rule.PriorRole.ID != prior.ID || rule.PriorRole.Name != prior.Name || rule.Implies.ID != implied.ID ||
			rule.Implies.Name != implied.Name || rule.Implies.Links.Self == "" || r.JSON201.Links.Self == "" {
			t.Errorf("created %+v", r.JSON201)
		}
		imply(t, parent, prior.ID, implied2.ID)
		imply(t, parent, domRole.ID, implied.ID) // a domain-specific prior role is accepted

		d, err := adm.CreateImpliedRoleWithResponse(t.Context(), prior.ID, implied.ID)
		expectError(t, d, err, 409)
		d, err = adm.CreateImpliedRoleWithResponse(t.Context(), prior.ID, domRole.ID)
		expectError(t, d, err, 403)
		d, err = adm.CreateImpliedRoleWithResponse(t.Context(), prior.ID, "no-such-role")
		expectError(t, d, err, 404)
		d, err = adm.CreateImpliedRoleWithResponse(t.Context(), "no-such-role", implied.ID)
		expectError(t, d, err, 404)
		d, err = newClient("not-a-token").CreateImpliedRoleWithResponse(t.Context(), implied.ID, implied2.ID)
		expectError(t, d, err, 401)
		d, err = reader(t).CreateImpliedRoleWithResponse(t.Context(), implied.ID, implied2.ID)
		expectError(t, d, err, 403)
	})

	t.Run("getImpliedRole", func(t *testing.T) {
		r, err := adm.GetImpliedRoleWithResponse(t.Context(), prior.ID, implied2.ID)
		expect(t, r, err, 200)
		if r.JSON200.RoleInference.PriorRole.ID != prior.ID || r.JSON200.RoleInference.Implies.ID != implied2.ID {
			t.Errorf("got %+v", r.JSON200)
		}
		r, err = adm.GetImpliedRoleWithResponse(t.Context(), implied.ID, implied2.ID) // no such rule
		expectError(t, r, err, 404)
		r, err = adm.GetImpliedRoleWithResponse(t.Context(), prior.ID, "no-such-role")
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").GetImpliedRoleWithResponse(t.Context(), prior.ID, implied.ID)
		expectError(t, r, err, 401)
	})

	t.Run("checkImpliedRole", func(t *testing.T) {
		r, err := adm.CheckImpliedRoleWithResponse(t.Context(), prior.ID, implied.ID)
		expect(t, r, err, 204)
		r, err = adm.CheckImpliedRoleWithResponse(t.Context(), implied.ID, prior.ID) // the reverse rule does not exist
		expect(t, r, err, 404)
		r, err = adm.CheckImpliedRoleWithResponse(t.Context(), "no-such-role", implied.ID)
		expect(t, r, err, 404)
		r, err = newClient("not-a-token").CheckImpliedRoleWithResponse(t.Context(), prior.ID, implied.ID)
		expect(t, r, err, 401)
	})

	t.Run("listImpliedRoles", func(t *testing.T) {
		r, err := adm.ListImpliedRolesWithResponse(t.Context(), prior.ID)
		expect(t, r, err, 200)
		inf := r.JSON200.RoleInference
		got := roleRefIDs(inf.Implies)
		slices.Sort(got)
		want := []string{implied.ID, implied2.ID}
		slices.Sort(want)
		if inf.PriorRole.ID != prior.ID || !slices.Equal(got, want) || r.JSON200.Links.Self == "" {
			t.Errorf("implied by %s: %+v", prior.ID, r.JSON200)
		}
		r, err = adm.ListImpliedRolesWithResponse(t.Context(), implied2.ID)
		expect(t, r, err, 200)
		if r.JSON200.RoleInference.PriorRole.ID != implied2.ID || len(r.JSON200.RoleInference.Implies) != 0 {
			t.Errorf("implied by %s: %+v", implied2.ID, r.JSON200.RoleInference)
		}
		r, err = adm.ListImpliedRolesWithResponse(t.Context(), "no-such-role")
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").ListImpliedRolesWithResponse(t.Context(), prior.ID)
		expectError(t, r, err, 401)
	})

	t.Run("listRoleInferences", func(t *testing.T) {
		r, err := adm.ListRoleInferencesWithResponse(t.Context())
		expect(t, r, err, 200)
		byPrior := map[string][]string{}
		for _, inf := range r.JSON200.RoleInferences {
			byPrior[inf.PriorRole.ID] = append(byPrior[inf.PriorRole.ID], roleRefIDs(inf.Implies)...)
		}
		got := byPrior[prior.ID]
		if !slices.Contains(got, implied.ID) || !slices.Contains(got, implied2.ID) || len(got) != 2 {
			t.Errorf("rules of %s: %v", prior.ID, got)
		}
		if got := byPrior[domRole.ID]; !slices.Equal(got, []string{implied.ID}) {
			t.Errorf("rules of %s: %v", domRole.ID, got)
		}
		if _, ok := byPrior[implied2.ID]; ok {
			t.Errorf("%s implies nothing but is listed", implied2.ID)
		}
		l, err := newClient("not-a-token").ListRoleInferencesWithResponse(t.Context())
		expectError(t, l, err, 401)
	})

	t.Run("deleteImpliedRole", func(t *testing.T) {
		a, b := newRole(t, v3.RoleCreate{}), newRole(t, v3.RoleCreate{})
		imply(t, t, a.ID, b.ID)
		r, err := reader(t).DeleteImpliedRoleWithResponse(t.Context(), a.ID, b.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").DeleteImpliedRoleWithResponse(t.Context(), a.ID, b.ID)
		expectError(t, r, err, 401)
		r, err = adm.DeleteImpliedRoleWithResponse(t.Context(), a.ID, b.ID)
		expect(t, r, err, 204)
		c, err := adm.CheckImpliedRoleWithResponse(t.Context(), a.ID, b.ID)
		expect(t, c, err, 404)
		l, err := adm.ListImpliedRolesWithResponse(t.Context(), a.ID)
		expect(t, l, err, 200)
		if len(l.JSON200.RoleInference.Implies) != 0 {
			t.Errorf("rule still listed: %+v", l.JSON200.RoleInference)
		}
		r, err = adm.DeleteImpliedRoleWithResponse(t.Context(), a.ID, b.ID)
		expectError(t, r, err, 404)
	})
}

// grantInherited makes an inherited grant of role to user on domain (inherited
// by the domain's projects) until t ends.
func grantInherited(t testing.TB, domainID, userID, roleID string) {
	t.Helper()
	r, err := adm.GrantInheritedDomainUserRoleWithResponse(t.Context(), domainID, userID, roleID)
	expect(t, r, err, 204)
	t.Cleanup(func() {
		deleteQuietly(t, "inherited grant", func() (response, error) {
			return adm.RevokeInheritedDomainUserRoleWithResponse(cleanupCtx(), domainID, userID, roleID)
		})
	})
}

func TestRoleAssignments(t *testing.T) {
	role := newRole(t, v3.RoleCreate{})
	impliedRole := newRole(t, v3.RoleCreate{})
	ir, err := adm.CreateImpliedRoleWithResponse(t.Context(), role.ID, impliedRole.ID)
	expect(t, ir, err, 201)
	t.Cleanup(func() {
		deleteQuietly(t, "rule", func() (response, error) {
			return adm.DeleteImpliedRoleWithResponse(cleanupCtx(), role.ID, impliedRole.ID)
		})
	})
	dom := newDomain(t, v3.DomainCreate{})
	domProject := newProject(t, v3.ProjectCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
	parent := newProject(t, v3.ProjectCreate{})
	child := newProject(t, v3.ProjectCreate{ParentID: nullable.NewNullableWithValue(parent.ID)})
	user := newUser(t, v3.UserCreate{})
	member := newUser(t, v3.UserCreate{})
	group := newGroup(t, v3.GroupCreate{})
	m, err := adm.AddUserToGroupWithResponse(t.Context(), group.ID, member.ID)
	expect(t, m, err, 204)

	grants := []struct {
		what string
		call func() (response, error)
	}{
		{"user on parent", func() (response, error) {
			return adm.GrantProjectUserRoleWithResponse(t.Context(), parent.ID, user.ID, role.ID)
		}},
		{"user on child", func() (response, error) {
			return adm.GrantProjectUserRoleWithResponse(t.Context(), child.ID, user.ID, role.ID)
		}},
		{"group on parent", func() (response, error) {
			return adm.GrantProjectGroupRoleWithResponse(t.Context(), parent.ID, group.ID, role.ID)
		}},
		{"user on domain", func() (response, error) {
			return adm.GrantDomainUserRoleWithResponse(t.Context(), dom.ID, user.ID, role.ID)
		}},
		{"group on domain", func() (response, error) {
			return adm.GrantDomainGroupRoleWithResponse(t.Context(), dom.ID, group.ID, role.ID)
		}},
		{"user on system", func() (response, error) { return adm.GrantSystemUserRoleWithResponse(t.Context(), user.ID, role.ID) }},
	}
	for _, g := range grants {
		r, err := g.call()
		if err != nil || r.StatusCode() != 204 {
			t.Fatalf("grant %s: %v %v", g.what, r, err)
		}
	}
	// Deleting the role at the end removes its assignments; revoke the system
	// grant explicitly anyway (system assignments are global state).
	t.Cleanup(func() {
		deleteQuietly(t, "system grant", func() (response, error) {
			return adm.RevokeSystemUserRoleWithResponse(cleanupCtx(), user.ID, role.ID)
		})
	})
	grantInherited(t, dom.ID, user.ID, role.ID)

	list := func(t *testing.T, p v3.ListRoleAssignmentsParams) []v3.RoleAssignment {
		t.Helper()
		r, err := adm.ListRoleAssignmentsWithResponse(t.Context(), &p)
		expect(t, r, err, 200)
		if r.JSON200.Links.Self == "" {
			t.Errorf("no self link")
		}
		return r.JSON200.RoleAssignments
	}
	// key describes an assignment: actor, role, target, inherited.
	key := func(a v3.RoleAssignment) string {
		actor := "?"
		if a.User != nil {
			actor = "user:" + a.User.ID
		} else if a.Group != nil {
			actor = "group:" + a.Group.ID
		}
		target := "?"
		switch s := a.Scope; {
		case s.Project != nil:
			target = "project:" + s.Project.ID
		case s.Domain != nil && s.Domain.ID != nil:
			target = "domain:" + *s.Domain.ID
		case s.System != nil && s.System.All:
			target = "system"
		}
		if a.Scope.OSINHERITInheritedTo != nil {
			target += "+inherited:" + string(*a.Scope.OSINHERITInheritedTo)
		}
		return actor + " " + a.Role.ID + " " + target
	}
	keys := func(as []v3.RoleAssignment) []string {
		out := make([]string, 0, len(as))
		for _, a := range as {
			out = append(out, key(a))
		}
		return out
	}
	var (
		uParent    = "user:" + user.ID + " " + role.ID + " project:" + parent.ID
		uChild     = "user:" + user.ID + " " + role.ID + " project:" + child.ID
		uDomain    = "user:" + user.ID + " " + role.ID + " domain:" + dom.ID
		uInherited = "user:" + user.ID + " " + role.ID + " domain:" + dom.ID + "+inherited:projects"
		uSystem    = "user:" + user.ID + " " + role.ID + " system"
		gParent    = "group:" + group.ID + " " + role.ID + " project:" + parent.ID
		gDomain    = "group:" + group.ID + " " + role.ID + " domain:" + dom.ID
	)
	mine := []string{uParent, uChild, uDomain, uInherited, uSystem, gParent, gDomain}
	system := v3.ListRoleAssignmentsParamsScopeSystem("all")

	t.Run("listRoleAssignments filters", func(t *testing.T) {
		cases := []struct {
			name   string
			params v3.ListRoleAssignmentsParams
			want   []string // exactly these of mine
		}{
			{"no filter", v3.ListRoleAssignmentsParams{}, mine},
			{"user.id", v3.ListRoleAssignmentsParams{UserID: &user.ID}, []string{uParent, uChild, uDomain, uInherited, uSystem}},
			{"group.id", v3.ListRoleAssignmentsParams{GroupID: &group.ID}, []string{gParent, gDomain}},
			{"role.id", v3.ListRoleAssignmentsParams{RoleID: &role.ID}, mine},
			{"role.id of the implied role", v3.ListRoleAssignmentsParams{RoleID: &impliedRole.ID}, nil},
			{"scope.project.id", v3.ListRoleAssignmentsParams{ScopeProjectID: &parent.ID}, []string{uParent, gParent}},
			{"scope.project.id and user.id", v3.ListRoleAssignmentsParams{ScopeProjectID: &parent.ID, UserID: &user.ID}, []string{uParent}},
			{"scope.domain.id", v3.ListRoleAssignmentsParams{ScopeDomainID: &dom.ID}, []string{uDomain, uInherited, gDomain}},
			{"scope.system=all", v3.ListRoleAssignmentsParams{ScopeSystem: &system, RoleID: &role.ID}, []string{uSystem}},
			{"inherited_to=projects", v3.ListRoleAssignmentsParams{ScopeOSINHERITInheritedTo: ptr("projects"), ScopeDomainID: &dom.ID}, []string{uInherited}},
			{"include_subtree", v3.ListRoleAssignmentsParams{ScopeProjectID: &parent.ID, IncludeSubtree: ptr(true), UserID: &user.ID}, []string{uParent, uChild}},
		}
		for _, c := range cases {
			got := keys(list(t, c.params))
			var gotMine []string
			for _, k := range got {
				if slices.Contains(mine, k) || strings.Contains(k, role.ID) || strings.Contains(k, impliedRole.ID) {
					gotMine = append(gotMine, k)
				}
			}
			slices.Sort(gotMine)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(gotMine, want) {
				t.Errorf("%s: got %v, want %v", c.name, gotMine, want)
			}
		}
		// The filters really filter: nothing of another actor or target slips in.
		for _, a := range list(t, v3.ListRoleAssignmentsParams{UserID: &user.ID}) {
			if a.User == nil || a.User.ID != user.ID || a.Links.Assignment == "" {
				t.Errorf("user.id filter let through %+v", a)
			}
		}
		for _, a := range list(t, v3.ListRoleAssignmentsParams{ScopeSystem: &system}) {
			if a.Scope.System == nil || !a.Scope.System.All {
				t.Errorf("scope.system filter let through %s", key(a))
			}
		}
		for _, a := range list(t, v3.ListRoleAssignmentsParams{ScopeDomainID: &dom.ID, ScopeOSINHERITInheritedTo: ptr("projects")}) {
			if a.Scope.OSINHERITInheritedTo == nil || !strings.Contains(a.Links.Assignment, "OS-INHERIT") {
				t.Errorf("inherited filter let through %+v", a)
			}
		}
	})

	t.Run("listRoleAssignments effective", func(t *testing.T) {
		// A group's assignment becomes one per member, with the membership link.
		as := list(t, v3.ListRoleAssignmentsParams{Effective: ptr(true), UserID: &member.ID})
		got := keys(as)
		want := []string{
			"user:" + member.ID + " " + role.ID + " project:" + parent.ID,
			"user:" + member.ID + " " + impliedRole.ID + " project:" + parent.ID,
			"user:" + member.ID + " " + role.ID + " domain:" + dom.ID,
			"user:" + member.ID + " " + impliedRole.ID + " domain:" + dom.ID,
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("effective: %s missing from %v", w, got)
			}
		}
		for _, a := range as {
			if a.Group != nil {
				t.Errorf("effective lists a group assignment: %s", key(a))
			}
			if a.Role.ID == role.ID && (a.Links.Membership == nil || !strings.Contains(*a.Links.Membership, group.ID)) {
				t.Errorf("no membership link: %+v", a.Links)
			}
			if a.Role.ID == impliedRole.ID && (a.Links.PriorRole == nil || *a.Links.PriorRole == "") {
				t.Errorf("implied role without prior_role link: %+v", a.Links)
			}
		}
		// The inherited grant on the domain becomes one on each of its projects,
		// and the implied role is added.
		got = keys(list(t, v3.ListRoleAssignmentsParams{Effective: ptr(true), UserID: &user.ID, ScopeProjectID: &domProject.ID}))
		for _, w := range []string{
			"user:" + user.ID + " " + role.ID + " project:" + domProject.ID + "+inherited:projects",
			"user:" + user.ID + " " + impliedRole.ID + " project:" + domProject.ID + "+inherited:projects",
		} {
			if !slices.Contains(got, w) {
				t.Errorf("effective inherited: %s missing from %v", w, got)
			}
		}
		// Without effective, no implied role and no membership expansion.
		if got := keys(list(t, v3.ListRoleAssignmentsParams{UserID: &member.ID})); len(got) != 0 {
			t.Errorf("member's direct assignments: %v", got)
		}
	})

	t.Run("listRoleAssignments include_names", func(t *testing.T) {
		as := list(t, v3.ListRoleAssignmentsParams{IncludeNames: ptr(true), UserID: &user.ID, ScopeProjectID: &parent.ID})
		if len(as) != 1 {
			t.Fatalf("got %v", keys(as))
		}
		a := as[0]
		if a.User.Name == nil || *a.User.Name != user.Name || a.User.Domain == nil || a.User.Domain.ID == nil || *a.User.Domain.ID != ks.Domain {
			t.Errorf("user = %+v", a.User)
		}
		if a.Role.Name == nil || *a.Role.Name != role.Name {
			t.Errorf("role = %+v", a.Role)
		}
		if a.Scope.Project.Name == nil || *a.Scope.Project.Name != parent.Name || a.Scope.Project.Domain == nil {
			t.Errorf("project = %+v", a.Scope.Project)
		}
		as = list(t, v3.ListRoleAssignmentsParams{IncludeNames: ptr(true), GroupID: &group.ID, ScopeDomainID: &dom.ID})
		if len(as) != 1 || as[0].Group.Name == nil || *as[0].Group.Name != group.Name ||
			as[0].Scope.Domain.Name == nil || *as[0].Scope.Domain.Name != dom.Name {
			t.Errorf("group on domain with names: %+v", as)
		}
		// Without include_names, only IDs.
		as = list(t, v3.ListRoleAssignmentsParams{UserID: &user.ID, ScopeProjectID: &parent.ID})
		if len(as) != 1 || as[0].User.Name != nil || as[0].Role.Name != nil {
			t.Errorf("names without include_names: %+v", as)
		}
	})

	t.Run("listRoleAssignments errors", func(t *testing.T) {
		bad := []v3.ListRoleAssignmentsParams{
			{IncludeSubtree: ptr(true)},                          // needs scope.project.id
			{IncludeSubtree: ptr(true), ScopeDomainID: &dom.ID},  // idem
			{Effective: ptr(true), GroupID: &group.ID},           // groups are expanded away
			{UserID: &user.ID, GroupID: &group.ID},               // one actor
			{ScopeProjectID: &parent.ID, ScopeDomainID: &dom.ID}, // one target
			{ScopeProjectID: &parent.ID, ScopeSystem: &system},   // idem
			{Effective: ptr(true), ScopeDomainID: &dom.ID, ScopeOSINHERITInheritedTo: ptr("projects")},
		}
		for _, p := range bad {
			r, err := adm.ListRoleAssignmentsWithResponse(t.Context(), &p)
			expectError(t, r, err, 400)
		}
		r, err := newClient("not-a-token").ListRoleAssignmentsWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
		r, err = reader(t).ListRoleAssignmentsWithResponse(t.Context(), &v3.ListRoleAssignmentsParams{UserID: &user.ID})
		expectError(t, r, err, 403)
	})
}
