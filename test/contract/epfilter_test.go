//go:build integration

package contract

import (
	"slices"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

func init() {
	notServed["getPolicyForPolicyEndpoint"] = "documented by the api-ref, routed by no Keystone release (a documentation error for getPolicyForEndpoint)"
	notServed["checkPolicyForPolicyEndpoint"] = "documented by the api-ref, routed by no Keystone release (a documentation error for getPolicyForEndpoint)"
}

func endpointIDs(eps []v3.Endpoint) []string {
	var ids []string
	for _, e := range eps {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return ids
}

func projectIDs(ps []v3.Project) []string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func newPolicy(t *testing.T) v3.Policy {
	t.Helper()
	r, err := adm.CreatePolicyWithResponse(t.Context(), v3.PolicyCreateRequest{Policy: v3.PolicyCreate{Type: "application/json", Blob: `{"ct": "` + uniq("blob") + `"}`}})
	expect(t, r, err, 201)
	p := r.JSON201.Policy
	t.Cleanup(func() {
		deleteQuietly(t, "policy "+p.ID, func() (response, error) { return adm.DeletePolicyWithResponse(cleanupCtx(), p.ID) })
	})
	return p
}

func TestEndpointPolicy(t *testing.T) {
	region := newRegion(t, v3.RegionCreate{})
	svc := newService(t, v3.ServiceCreate{})
	ep1 := newEndpoint(t, v3.EndpointCreate{ServiceID: svc.ID, Interface: v3.EndpointInterfacePublic, URL: "http://127.0.0.1:1/a", RegionID: &region.ID})
	ep2 := newEndpoint(t, v3.EndpointCreate{ServiceID: svc.ID, Interface: v3.EndpointInterfaceInternal, URL: "http://127.0.0.1:1/b"})
	pol := newPolicy(t)
	other := newPolicy(t)

	t.Run("endpoint association", func(t *testing.T) {
		g, err := adm.GetPolicyForEndpointWithResponse(t.Context(), ep1.ID)
		expectError(t, g, err, 404) // nothing associated yet
		r, err := adm.AssociatePolicyWithEndpointWithResponse(t.Context(), pol.ID, ep1.ID)
		expect(t, r, err, 204)
		c, err := adm.CheckPolicyAssociationWithEndpointWithResponse(t.Context(), pol.ID, ep1.ID)
		expect(t, c, err, 204)
		g, err = adm.GetPolicyForEndpointWithResponse(t.Context(), ep1.ID)
		expect(t, g, err, 200)
		if g.JSON200.Policy.ID != pol.ID || g.JSON200.Policy.Blob != pol.Blob {
			t.Errorf("effective policy %+v", g.JSON200.Policy)
		}
		l, err := adm.ListEndpointsForPolicyWithResponse(t.Context(), pol.ID)
		expect(t, l, err, 200)
		if got := endpointIDs(l.JSON200.Endpoints); !slices.Equal(got, []string{ep1.ID}) {
			t.Errorf("endpoints for the policy: %v", got)
		}
		d, err := adm.RemovePolicyAssociationWithEndpointWithResponse(t.Context(), pol.ID, ep1.ID)
		expect(t, d, err, 204)
		c, err = adm.CheckPolicyAssociationWithEndpointWithResponse(t.Context(), pol.ID, ep1.ID)
		expectError(t, c, err, 404)
		r, err = adm.AssociatePolicyWithEndpointWithResponse(t.Context(), "no-such-policy", ep1.ID)
		expectError(t, r, err, 404)
		r, err = reader(t).AssociatePolicyWithEndpointWithResponse(t.Context(), pol.ID, ep1.ID)
		expectError(t, r, err, 403)
	})
	t.Run("service association", func(t *testing.T) {
		r, err := adm.AssociatePolicyWithServiceWithResponse(t.Context(), other.ID, svc.ID)
		expect(t, r, err, 204)
		c, err := adm.CheckPolicyAssociationWithServiceWithResponse(t.Context(), other.ID, svc.ID)
		expect(t, c, err, 204)
		// Every endpoint of the service gets the policy.
		l, err := adm.ListEndpointsForPolicyWithResponse(t.Context(), other.ID)
		expect(t, l, err, 200)
		want := []string{ep1.ID, ep2.ID}
		slices.Sort(want)
		if got := endpointIDs(l.JSON200.Endpoints); !slices.Equal(got, want) {
			t.Errorf("endpoints by service: %v, want %v", got, want)
		}
		g, err := adm.GetPolicyForEndpointWithResponse(t.Context(), ep2.ID)
		expect(t, g, err, 200)
		if g.JSON200.Policy.ID != other.ID {
			t.Errorf("ep2's policy: %s", g.JSON200.Policy.ID)
		}
		d, err := adm.RemovePolicyAssociationWithServiceWithResponse(t.Context(), other.ID, svc.ID)
		expect(t, d, err, 204)
		c, err = adm.CheckPolicyAssociationWithServiceWithResponse(t.Context(), other.ID, svc.ID)
		expectError(t, c, err, 404)
		c, err = adm.CheckPolicyAssociationWithServiceWithResponse(t.Context(), other.ID, "no-such-service")
		expectError(t, c, err, 404)
	})
	t.Run("service in region association", func(t *testing.T) {
		r, err := adm.AssociatePolicyWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
		expect(t, r, err, 204)
		c, err := adm.CheckPolicyAssociationWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
		expect(t, c, err, 204)
		l, err := adm.ListEndpointsForPolicyWithResponse(t.Context(), pol.ID)
		expect(t, l, err, 200)
		if got := endpointIDs(l.JSON200.Endpoints); !slices.Equal(got, []string{ep1.ID}) {
			t.Errorf("endpoints by service in region: %v (only ep1 is in the region)", got)
		}
		d, err := adm.RemovePolicyAssociationWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
		expect(t, d, err, 204)
		c, err = adm.CheckPolicyAssociationWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
		expectError(t, c, err, 404)
		// Removing it again is no error for Keystone 22.
		d, err = adm.RemovePolicyAssociationWithServiceInRegionWithResponse(t.Context(), pol.ID, svc.ID, region.ID)
		expect(t, d, err, 204)
	})
}

func TestEndpointFilter(t *testing.T) {
	svc := newService(t, v3.ServiceCreate{})
	pub := newEndpoint(t, v3.EndpointCreate{ServiceID: svc.ID, Interface: v3.EndpointInterfacePublic, URL: "http://127.0.0.1:1/pub"})
	internal := newEndpoint(t, v3.EndpointCreate{ServiceID: svc.ID, Interface: v3.EndpointInterfaceInternal, URL: "http://127.0.0.1:1/int"})
	// A user with a role on a project, to see the project's catalog.
	password := uniq("pw")
	u := newUser(t, v3.UserCreate{Password: nullable.NewNullableWithValue(password)})
	project := newProject(t, v3.ProjectCreate{})
	g, err := adm.GrantProjectUserRoleWithResponse(t.Context(), project.ID, u.ID, roleID(t, "member"))
	expect(t, g, err, 204)

	catalogEndpoints := func(t *testing.T) []string {
		t.Helper()
		_, tok := issue(t, passwordByID(u.ID, password, projectScopeByID(project.ID)))
		var ids []string
		for _, s := range tok.Catalog {
			for _, e := range s.Endpoints {
				ids = append(ids, e.ID)
			}
		}
		slices.Sort(ids)
		return ids
	}
	if got := catalogEndpoints(t); !slices.Contains(got, pub.ID) || !slices.Contains(got, internal.ID) {
		t.Fatalf("without filters the catalog has every endpoint: %v", got)
	}

	t.Run("project endpoints", func(t *testing.T) {
		r, err := adm.AddEndpointToProjectWithResponse(t.Context(), project.ID, pub.ID)
		expect(t, r, err, 204)
		again, err := adm.AddEndpointToProjectWithResponse(t.Context(), project.ID, pub.ID)
		expectError(t, again, err, 409) // Keystone stores an association once
		t.Cleanup(func() {
			deleteQuietly(t, "project endpoint", func() (response, error) {
				return adm.RemoveEndpointFromProjectWithResponse(cleanupCtx(), project.ID, pub.ID)
			})
		})
		c, err := adm.CheckEndpointInProjectWithResponse(t.Context(), project.ID, pub.ID)
		expect(t, c, err, 204)
		c, err = adm.CheckEndpointInProjectWithResponse(t.Context(), project.ID, internal.ID)
		expect(t, c, err, 404)
		l, err := adm.ListEndpointsForProjectWithResponse(t.Context(), project.ID)
		expect(t, l, err, 200)
		if got := endpointIDs(l.JSON200.Endpoints); !slices.Equal(got, []string{pub.ID}) {
			t.Errorf("project endpoints: %v", got)
		}
		p, err := adm.ListProjectsForEndpointWithResponse(t.Context(), pub.ID)
		expect(t, p, err, 200)
		if got := projectIDs(p.JSON200.Projects); !slices.Equal(got, []string{project.ID}) {
			t.Errorf("projects of the endpoint: %v", got)
		}
		// The filter shows: the project's catalog now has only that endpoint.
		if got := catalogEndpoints(t); !slices.Equal(got, []string{pub.ID}) {
			t.Errorf("filtered catalog: %v, want only %s", got, pub.ID)
		}
		d, err := adm.RemoveEndpointFromProjectWithResponse(t.Context(), project.ID, pub.ID)
		expect(t, d, err, 204)
		d, err = adm.RemoveEndpointFromProjectWithResponse(t.Context(), project.ID, pub.ID)
		expectError(t, d, err, 404)
		r, err = adm.AddEndpointToProjectWithResponse(t.Context(), "no-such-project", pub.ID)
		expectError(t, r, err, 404)
	})

	t.Run("endpoint groups", func(t *testing.T) {
		name := uniq("epg")
		cr, err := adm.CreateEndpointGroupWithResponse(t.Context(), v3.EndpointGroupCreateRequest{EndpointGroup: v3.EndpointGroupCreate{
			Name: name, Description: nullable.NewNullableWithValue("internal ones"),
			Filters: v3.EndpointGroupFilters{ServiceID: &svc.ID, Interface: ptr(v3.EndpointInterfaceInternal)},
		}})
		expect(t, cr, err, 201)
		eg := cr.JSON201.EndpointGroup
		t.Cleanup(func() {
			deleteQuietly(t, "endpoint group", func() (response, error) { return adm.DeleteEndpointGroupWithResponse(cleanupCtx(), eg.ID) })
		})
		if eg.Name != name || *eg.Filters.ServiceID != svc.ID {
			t.Errorf("created %+v", eg)
		}
		g, err := adm.GetEndpointGroupWithResponse(t.Context(), eg.ID)
		expect(t, g, err, 200)
		h, err := adm.CheckEndpointGroupWithResponse(t.Context(), eg.ID)
		expect(t, h, err, 200)
		h, err = adm.CheckEndpointGroupWithResponse(t.Context(), "no-such-group")
		expect(t, h, err, 404)
		l, err := adm.ListEndpointGroupsWithResponse(t.Context(), &v3.ListEndpointGroupsParams{Name: &name})
		expect(t, l, err, 200)
		if len(l.JSON200.EndpointGroups) != 1 || l.JSON200.EndpointGroups[0].ID != eg.ID {
			t.Errorf("list by name: %+v", l.JSON200.EndpointGroups)
		}
		u, err := adm.UpdateEndpointGroupWithResponse(t.Context(), eg.ID, v3.EndpointGroupUpdateRequest{EndpointGroup: v3.EndpointGroupUpdate{
			Description: nullable.NewNullNullable[string]()}})
		expect(t, u, err, 200)
		if !u.JSON200.EndpointGroup.Description.IsNull() {
			t.Errorf("description not cleared: %v", u.JSON200.EndpointGroup.Description)
		}
		e, err := adm.ListEndpointsInEndpointGroupWithResponse(t.Context(), eg.ID)
		expect(t, e, err, 200)
		if got := endpointIDs(e.JSON200.Endpoints); !slices.Equal(got, []string{internal.ID}) {
			t.Errorf("endpoints of the group: %v", got)
		}

		a, err := adm.AddEndpointGroupToProjectWithResponse(t.Context(), eg.ID, project.ID)
		expect(t, a, err, 204)
		again, err := adm.AddEndpointGroupToProjectWithResponse(t.Context(), eg.ID, project.ID)
		expectError(t, again, err, 409)
		t.Cleanup(func() {
			deleteQuietly(t, "endpoint group association", func() (response, error) {
				return adm.RemoveEndpointGroupFromProjectWithResponse(cleanupCtx(), eg.ID, project.ID)
			})
		})
		gp, err := adm.GetEndpointGroupInProjectWithResponse(t.Context(), eg.ID, project.ID)
		expect(t, gp, err, 200)
		if gp.JSON200.ProjectEndpointGroup.ProjectID != project.ID {
			t.Errorf("association %+v", gp.JSON200.ProjectEndpointGroup)
		}
		hp, err := adm.CheckEndpointGroupInProjectWithResponse(t.Context(), eg.ID, project.ID)
		expect(t, hp, err, 200)
		pl, err := adm.ListProjectsForEndpointGroupWithResponse(t.Context(), eg.ID)
		expect(t, pl, err, 200)
		if got := projectIDs(pl.JSON200.Projects); !slices.Equal(got, []string{project.ID}) {
			t.Errorf("projects of the group: %v", got)
		}
		gl, err := adm.ListEndpointGroupsForProjectWithResponse(t.Context(), project.ID)
		expect(t, gl, err, 200)
		if len(gl.JSON200.EndpointGroups) != 1 || gl.JSON200.EndpointGroups[0].ID != eg.ID {
			t.Errorf("groups of the project: %+v", gl.JSON200.EndpointGroups)
		}
		if got := catalogEndpoints(t); !slices.Equal(got, []string{internal.ID}) {
			t.Errorf("catalog filtered by the group: %v, want only %s", got, internal.ID)
		}
		d, err := adm.RemoveEndpointGroupFromProjectWithResponse(t.Context(), eg.ID, project.ID)
		expect(t, d, err, 204)
		hp, err = adm.CheckEndpointGroupInProjectWithResponse(t.Context(), eg.ID, project.ID)
		expect(t, hp, err, 404)

		// Errors.
		bad, err := adm.CreateEndpointGroupWithBodyWithResponse(invalid(t), "application/json",
			strings.NewReader(`{"endpoint_group": {"name": "x", "filters": {"colour": "blue"}}}`))
		expectError(t, bad, err, 400)
		bad, err = adm.CreateEndpointGroupWithBodyWithResponse(invalid(t), "application/json",
			strings.NewReader(`{"endpoint_group": {"name": "x", "filters": {}}}`))
		expectError(t, bad, err, 400)
		r, err := reader(t).CreateEndpointGroupWithResponse(t.Context(), v3.EndpointGroupCreateRequest{EndpointGroup: v3.EndpointGroupCreate{
			Name: uniq("epg"), Filters: v3.EndpointGroupFilters{ServiceID: &svc.ID}}})
		expectError(t, r, err, 403)
		del, err := adm.DeleteEndpointGroupWithResponse(t.Context(), eg.ID)
		expect(t, del, err, 204)
		g, err = adm.GetEndpointGroupWithResponse(t.Context(), eg.ID)
		expectError(t, g, err, 404)
	})
}

// TestPolicyForPolicyEndpoint checks that the path the api-ref documents is
// indeed not served (Flask's HTML 404, which the spec does not describe).
func TestPolicyForPolicyEndpoint(t *testing.T) {
	pol := newPolicy(t)
	resp, err := rawGet(t, "/v3/policies/"+pol.ID+"/OS-ENDPOINT-POLICY/policy")
	if err != nil {
		t.Fatal(err)
	}
	if resp != 404 {
		t.Errorf("got %d, want 404", resp)
	}
}
