//go:build integration

package contract

import (
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// Fixtures: each creates a resource with the admin client and removes it when
// the test ends. Zero-valued fields get unique names and sensible defaults.

// newProject creates a project in the admin's domain (with create's fields
// applied) and deletes it when t ends.
func newProject(t testing.TB, create v3.ProjectCreate) v3.Project {
	t.Helper()
	if create.Name == "" {
		create.Name = uniq("project")
	}
	if !create.DomainID.IsSpecified() && !create.ParentID.IsSpecified() {
		create.DomainID = nullable.NewNullableWithValue(ks.Domain)
	}
	r, err := adm.CreateProjectWithResponse(t.Context(), v3.ProjectCreateRequest{Project: create})
	expect(t, r, err, 201)
	p := r.JSON201.Project
	t.Cleanup(func() {
		deleteQuietly(t, "project "+p.ID, func() (response, error) {
			return adm.DeleteProjectWithResponse(cleanupCtx(), p.ID)
		})
	})
	return p
}

// newDomain creates a domain and, when t ends, disables and deletes it
// (Keystone refuses to delete an enabled domain).
func newDomain(t testing.TB, create v3.DomainCreate) v3.Domain {
	t.Helper()
	if create.Name == "" {
		create.Name = uniq("domain")
	}
	r, err := adm.CreateDomainWithResponse(t.Context(), v3.DomainCreateRequest{Domain: create})
	expect(t, r, err, 201)
	d := r.JSON201.Domain
	t.Cleanup(func() {
		ctx := cleanupCtx()
		u, err := adm.UpdateDomainWithResponse(ctx, d.ID, v3.DomainUpdateRequest{Domain: v3.DomainUpdate{Enabled: ptr(false)}})
		if err == nil && u.StatusCode() != 200 && u.StatusCode() != 404 {
			t.Errorf("cleanup: disable domain %s: %s", d.ID, u.Status())
		}
		deleteQuietly(t, "domain "+d.ID, func() (response, error) { return adm.DeleteDomainWithResponse(ctx, d.ID) })
	})
	return d
}

// newRegion creates a region and deletes it when t ends.
func newRegion(t testing.TB, create v3.RegionCreate) v3.Region {
	t.Helper()
	if create.ID == nil {
		create.ID = ptr(uniq("region"))
	}
	r, err := adm.CreateRegionWithResponse(t.Context(), v3.RegionCreateRequest{Region: create})
	expect(t, r, err, 201)
	reg := r.JSON201.Region
	t.Cleanup(func() {
		deleteQuietly(t, "region "+reg.ID, func() (response, error) { return adm.DeleteRegionWithResponse(cleanupCtx(), reg.ID) })
	})
	return reg
}

// newService creates a service and deletes it (and so its endpoints) when t ends.
func newService(t testing.TB, create v3.ServiceCreate) v3.Service {
	t.Helper()
	if create.Type == "" {
		create.Type = uniq("type")
	}
	r, err := adm.CreateServiceWithResponse(t.Context(), v3.ServiceCreateRequest{Service: create})
	expect(t, r, err, 201)
	s := r.JSON201.Service
	t.Cleanup(func() {
		deleteQuietly(t, "service "+s.ID, func() (response, error) { return adm.DeleteServiceWithResponse(cleanupCtx(), s.ID) })
	})
	return s
}

// newEndpoint creates an endpoint and deletes it when t ends.
func newEndpoint(t testing.TB, create v3.EndpointCreate) v3.Endpoint {
	t.Helper()
	r, err := adm.CreateEndpointWithResponse(t.Context(), v3.EndpointCreateRequest{Endpoint: create})
	expect(t, r, err, 201)
	e := r.JSON201.Endpoint
	t.Cleanup(func() {
		deleteQuietly(t, "endpoint "+e.ID, func() (response, error) { return adm.DeleteEndpointWithResponse(cleanupCtx(), e.ID) })
	})
	return e
}

// newUser creates a user in the admin's domain and deletes it when t ends.
func newUser(t testing.TB, create v3.UserCreate) v3.User {
	t.Helper()
	if create.Name == "" {
		create.Name = uniq("user")
	}
	if create.DomainID == nil {
		create.DomainID = &ks.Domain
	}
	r, err := adm.CreateUserWithResponse(t.Context(), v3.UserCreateRequest{User: create})
	expect(t, r, err, 201)
	u := r.JSON201.User
	t.Cleanup(func() {
		deleteQuietly(t, "user "+u.ID, func() (response, error) { return adm.DeleteUserWithResponse(cleanupCtx(), u.ID) })
	})
	return u
}

// newGroup creates a group in the admin's domain and deletes it when t ends.
func newGroup(t testing.TB, create v3.GroupCreate) v3.Group {
	t.Helper()
	if create.Name == "" {
		create.Name = uniq("group")
	}
	if create.DomainID == nil {
		create.DomainID = &ks.Domain
	}
	r, err := adm.CreateGroupWithResponse(t.Context(), v3.GroupCreateRequest{Group: create})
	expect(t, r, err, 201)
	g := r.JSON201.Group
	t.Cleanup(func() {
		deleteQuietly(t, "group "+g.ID, func() (response, error) { return adm.DeleteGroupWithResponse(cleanupCtx(), g.ID) })
	})
	return g
}

// newRole creates a role (global unless create.DomainID is set) and deletes it
// when t ends.
func newRole(t testing.TB, create v3.RoleCreate) v3.Role {
	t.Helper()
	if create.Name == "" {
		create.Name = uniq("role")
	}
	r, err := adm.CreateRoleWithResponse(t.Context(), v3.RoleCreateRequest{Role: create})
	expect(t, r, err, 201)
	role := r.JSON201.Role
	t.Cleanup(func() {
		deleteQuietly(t, "role "+role.ID, func() (response, error) { return adm.DeleteRoleWithResponse(cleanupCtx(), role.ID) })
	})
	return role
}

// userWithRole creates a user with a password and the named global role on a
// new project, and returns the user, the project and a client holding a token
// scoped to that project.
func userWithRole(t testing.TB, roleName string) (v3.User, v3.Project, *v3.ClientWithResponses) {
	t.Helper()
	password := uniq("pw")
	u := newUser(t, v3.UserCreate{Password: nullable.NewNullableWithValue(password)})
	p := newProject(t, v3.ProjectCreate{})
	g, err := adm.GrantProjectUserRoleWithResponse(t.Context(), p.ID, u.ID, roleID(t, roleName))
	expect(t, g, err, 204)
	token, _ := issue(t, passwordByID(u.ID, password, projectScopeByID(p.ID)))
	return u, p, newClient(token)
}
