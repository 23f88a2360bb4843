package keystonetest

import (
	"context"
	"net/http"
	"slices"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// epFilterState holds endpoint groups, project-endpoint associations and
// endpoint policy associations.
type epFilterState struct {
	// OS-EP-FILTER
	projectEndpoints []projectEndpoint // in creation order
	groups           table[v3s.EndpointGroup]
	groupProjects    []groupProject // in creation order

	// OS-ENDPOINT-POLICY: as in Keystone's policy_association table, at most
	// one policy per (endpoint, service, region), and nothing removes the
	// associations of a deleted endpoint, service, region or policy.
	policyAssocs []policyAssoc
}

type projectEndpoint struct{ project, endpoint string }

type groupProject struct{ group, project string }

// policyAssoc associates a policy with an endpoint, a service, or a service in
// a region (the other members are "").
type policyAssoc struct{ policy, endpoint, service, region string }

func (a policyAssoc) target() policyAssoc { a.policy = ""; return a }

// --- hooks of other files (Keystone's callbacks on deleted projects and
// endpoints, catalog/core.py)

// dropProject removes the associations of a deleted project.
func (e *epFilterState) dropProject(id string) {
	e.projectEndpoints = slices.DeleteFunc(e.projectEndpoints, func(a projectEndpoint) bool { return a.project == id })
	e.groupProjects = slices.DeleteFunc(e.groupProjects, func(a groupProject) bool { return a.project == id })
}

// dropEndpoint removes the project associations of a deleted endpoint (not its
// policy associations: Keystone 22 keeps them).
func (e *epFilterState) dropEndpoint(id string) {
	e.projectEndpoints = slices.DeleteFunc(e.projectEndpoints, func(a projectEndpoint) bool { return a.endpoint == id })
}

// filterCatalog keeps, as Keystone's get_v3_catalog does, only the endpoints
// associated with the project (directly or by endpoint groups) when there are
// any, and then drops the services left without endpoints.
func (st *state) filterCatalog(projectID string, catalog []v3s.CatalogService) []v3s.CatalogService {
	allowed := st.endpointsForProject(projectID)
	if len(allowed) == 0 {
		return catalog
	}
	keep := map[string]bool{}
	for _, ep := range allowed {
		keep[ep.ID] = ep.Enabled
	}
	out := []v3s.CatalogService{}
	for _, svc := range catalog {
		var eps []v3s.CatalogEndpoint
		for _, ce := range svc.Endpoints {
			if keep[ce.ID] {
				eps = append(eps, ce)
			}
		}
		if len(eps) > 0 {
			svc.Endpoints = eps
			out = append(out, svc)
		}
	}
	return out
}

// --- helpers

func groupMatches(f v3s.EndpointGroupFilters, ep *v3s.Endpoint) bool {
	region, _ := value(ep.RegionID)
	return (f.ServiceID == nil || *f.ServiceID == ep.ServiceID) &&
		(f.RegionID == nil || *f.RegionID == region) &&
		(f.Interface == nil || *f.Interface == ep.Interface)
}

// groupEndpoints lists the endpoints matching an endpoint group's filters.
func (st *state) groupEndpoints(g *v3s.EndpointGroup) []v3s.Endpoint {
	out := []v3s.Endpoint{}
	for _, ep := range st.endpoints.all() {
		if groupMatches(g.Filters, ep) {
			out = append(out, *ep)
		}
	}
	return out
}

// endpointsForProject lists the endpoints associated with a project directly,
// then those of its endpoint groups (Keystone's list_endpoints_for_project).
func (st *state) endpointsForProject(projectID string) []v3s.Endpoint {
	e := &st.epArea
	out := []v3s.Endpoint{}
	seen := map[string]bool{}
	for _, a := range e.projectEndpoints {
		// An association with an endpoint deleted with its service is
		// skipped (Keystone removes it when it finds it).
		if ep := st.endpoints.get(a.endpoint); a.project == projectID && ep != nil && !seen[ep.ID] {
			seen[ep.ID] = true
			out = append(out, *ep)
		}
	}
	for _, a := range e.groupProjects {
		g := e.groups.get(a.group)
		if a.project != projectID || g == nil {
			continue
		}
		for _, ep := range st.groupEndpoints(g) {
			if !seen[ep.ID] {
				seen[ep.ID] = true
				out = append(out, ep)
			}
		}
	}
	return out
}

func (st *state) endpointGroup(id string) (*v3s.EndpointGroup, error) {
	g := st.epArea.groups.get(id)
	if g == nil {
		return nil, notFound("Endpoint Group", id)
	}
	return g, nil
}

// checkExist answers Keystone's 404 for the first missing one of a policy,
// endpoint, service and region ("" are not checked).
func (st *state) checkExist(policy, endpoint, service, region string) error {
	if policy != "" && st.policies.get(policy) == nil {
		return notFound("policy", policy)
	}
	if endpoint != "" && st.endpoints.get(endpoint) == nil {
		return notFound("endpoint", endpoint)
	}
	if service != "" && st.services.get(service) == nil {
		return notFound("service", service)
	}
	if region != "" && st.regions.get(region) == nil {
		return notFound("region", region)
	}
	return nil
}

// --- OS-EP-FILTER: project-endpoint associations

// AddEndpointToProject associates an endpoint with a project.
func (s *v3) AddEndpointToProject(_ context.Context, req v3s.AddEndpointToProjectRequestObject) (v3s.AddEndpointToProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkExist("", req.EndpointID, "", ""); err != nil {
		return nil, err
	}
	if st.projects.get(req.ProjectID) == nil {
		return nil, notFound("project", req.ProjectID)
	}
	// Keystone 22 answers 409 to a second association.
	a := projectEndpoint{project: req.ProjectID, endpoint: req.EndpointID}
	if slices.Contains(st.epArea.projectEndpoints, a) {
		return nil, errorf(http.StatusConflict, "Conflict occurred attempting to store project_endpoint - Duplicate entry.")
	}
	st.epArea.projectEndpoints = append(st.epArea.projectEndpoints, a)
	return v3s.AddEndpointToProject204Response{}, nil
}

// CheckEndpointInProject checks that an endpoint is associated with a project.
func (s *v3) CheckEndpointInProject(_ context.Context, req v3s.CheckEndpointInProjectRequestObject) (v3s.CheckEndpointInProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkExist("", req.EndpointID, "", ""); err != nil {
		return nil, err
	}
	if st.projects.get(req.ProjectID) == nil {
		return nil, notFound("project", req.ProjectID)
	}
	if !slices.Contains(st.epArea.projectEndpoints, projectEndpoint{project: req.ProjectID, endpoint: req.EndpointID}) {
		return nil, errorf(http.StatusNotFound, "Endpoint %s not found in project %s", req.EndpointID, req.ProjectID)
	}
	return v3s.CheckEndpointInProject204Response{}, nil
}

// RemoveEndpointFromProject removes the association of an endpoint with a
// project.
func (s *v3) RemoveEndpointFromProject(_ context.Context, req v3s.RemoveEndpointFromProjectRequestObject) (v3s.RemoveEndpointFromProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	a := projectEndpoint{project: req.ProjectID, endpoint: req.EndpointID}
	i := slices.Index(st.epArea.projectEndpoints, a)
	if i < 0 {
		return nil, errorf(http.StatusNotFound, "Endpoint %s not found in project %s", req.EndpointID, req.ProjectID)
	}
	st.epArea.projectEndpoints = slices.Delete(st.epArea.projectEndpoints, i, i+1)
	return v3s.RemoveEndpointFromProject204Response{}, nil
}

// ListEndpointsForProject lists the endpoints associated with a project,
// directly or by endpoint groups.
func (s *v3) ListEndpointsForProject(_ context.Context, req v3s.ListEndpointsForProjectRequestObject) (v3s.ListEndpointsForProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.projects.get(req.ProjectID) == nil {
		return nil, notFound("project", req.ProjectID)
	}
	return v3s.ListEndpointsForProject200JSONResponse{Endpoints: st.endpointsForProject(req.ProjectID),
		Links: st.collection("OS-EP-FILTER/projects/" + req.ProjectID + "/endpoints")}, nil
}

// ListProjectsForEndpoint lists the projects an endpoint is directly
// associated with.
func (s *v3) ListProjectsForEndpoint(_ context.Context, req v3s.ListProjectsForEndpointRequestObject) (v3s.ListProjectsForEndpointResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkExist("", req.EndpointID, "", ""); err != nil {
		return nil, err
	}
	out := []v3s.Project{}
	for _, a := range st.epArea.projectEndpoints {
		if p := st.projects.get(a.project); a.endpoint == req.EndpointID && p != nil {
			out = append(out, *p)
		}
	}
	return projectJSON{200, v3s.ProjectList{Projects: out,
		Links: st.collection("OS-EP-FILTER/endpoints/" + req.EndpointID + "/projects")}}, nil
}

// projectJSON (render.go) drops the null parents and subtree of listed projects.
func (p projectJSON) VisitListProjectsForEndpointResponse(w http.ResponseWriter) error {
	return p.write(w)
}

func (p projectJSON) VisitListProjectsForEndpointGroupResponse(w http.ResponseWriter) error {
	return p.write(w)
}

// --- OS-EP-FILTER: endpoint groups

// ListEndpointGroups lists endpoint groups.
func (s *v3) ListEndpointGroups(_ context.Context, req v3s.ListEndpointGroupsRequestObject) (v3s.ListEndpointGroupsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.EndpointGroup{}
	for _, g := range st.epArea.groups.all() {
		if req.Params.Name == nil || g.Name == *req.Params.Name {
			out = append(out, *g)
		}
	}
	return v3s.ListEndpointGroups200JSONResponse{EndpointGroups: out, Links: st.collection("OS-EP-FILTER/endpoint_groups")}, nil
}

// CreateEndpointGroup creates an endpoint group (the spec's schema refuses
// missing, empty or unknown filters with a 400, as Keystone does).
func (s *v3) CreateEndpointGroup(_ context.Context, req v3s.CreateEndpointGroupRequestObject) (v3s.CreateEndpointGroupResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find endpoint_group in request body.")
	}
	in := req.Body.EndpointGroup
	f := in.Filters
	if f.ServiceID == nil && f.RegionID == nil && f.Interface == nil {
		return nil, badRequest("filters field is required and cannot be empty")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	g := &v3s.EndpointGroup{ID: id, Name: in.Name, Description: null[string](), Filters: f,
		Links: st.link("OS-EP-FILTER/endpoint_groups/" + id)}
	if d, ok := value(in.Description); ok {
		g.Description = some(d)
	}
	st.epArea.groups.put(id, g)
	return v3s.CreateEndpointGroup201JSONResponse{EndpointGroup: *g}, nil
}

// GetEndpointGroup shows an endpoint group.
func (s *v3) GetEndpointGroup(_ context.Context, req v3s.GetEndpointGroupRequestObject) (v3s.GetEndpointGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	g, err := st.endpointGroup(req.EndpointGroupID)
	if err != nil {
		return nil, err
	}
	return v3s.GetEndpointGroup200JSONResponse{EndpointGroup: *g}, nil
}

// CheckEndpointGroup checks that an endpoint group exists.
func (s *v3) CheckEndpointGroup(_ context.Context, req v3s.CheckEndpointGroupRequestObject) (v3s.CheckEndpointGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.endpointGroup(req.EndpointGroupID); err != nil {
		return nil, err
	}
	return v3s.CheckEndpointGroup200Response{}, nil
}

// UpdateEndpointGroup updates an endpoint group: given filters replace the
// old ones.
func (s *v3) UpdateEndpointGroup(_ context.Context, req v3s.UpdateEndpointGroupRequestObject) (v3s.UpdateEndpointGroupResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find endpoint_group in request body.")
	}
	in := req.Body.EndpointGroup
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	g, err := st.endpointGroup(req.EndpointGroupID)
	if err != nil {
		return nil, err
	}
	if in.Name != nil {
		g.Name = *in.Name
	}
	if in.Description.IsSpecified() {
		g.Description = null[string]()
		if d, ok := value(in.Description); ok {
			g.Description = some(d)
		}
	}
	if in.Filters != nil {
		g.Filters = *in.Filters
	}
	return v3s.UpdateEndpointGroup200JSONResponse{EndpointGroup: *g}, nil
}

// DeleteEndpointGroup deletes an endpoint group and its project associations.
func (s *v3) DeleteEndpointGroup(_ context.Context, req v3s.DeleteEndpointGroupRequestObject) (v3s.DeleteEndpointGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.endpointGroup(req.EndpointGroupID); err != nil {
		return nil, err
	}
	st.epArea.groupProjects = slices.DeleteFunc(st.epArea.groupProjects, func(a groupProject) bool { return a.group == req.EndpointGroupID })
	st.epArea.groups.del(req.EndpointGroupID)
	return v3s.DeleteEndpointGroup204Response{}, nil
}

// ListEndpointsInEndpointGroup lists the endpoints matching an endpoint
// group's filters.
func (s *v3) ListEndpointsInEndpointGroup(_ context.Context, req v3s.ListEndpointsInEndpointGroupRequestObject) (v3s.ListEndpointsInEndpointGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	g, err := st.endpointGroup(req.EndpointGroupID)
	if err != nil {
		return nil, err
	}
	return v3s.ListEndpointsInEndpointGroup200JSONResponse{Endpoints: st.groupEndpoints(g),
		Links: st.collection("OS-EP-FILTER/endpoint_groups/" + g.ID + "/endpoints")}, nil
}

// --- OS-EP-FILTER: endpoint group-project associations

// groupAndProject checks, in Keystone's order, the project and the group of
// an association.
func (st *state) groupAndProject(groupID, projectID string) error {
	if st.projects.get(projectID) == nil {
		return notFound("project", projectID)
	}
	_, err := st.endpointGroup(groupID)
	return err
}

func (st *state) projectEndpointGroup(groupID, projectID string) (v3s.ProjectEndpointGroup, error) {
	if err := st.groupAndProject(groupID, projectID); err != nil {
		return v3s.ProjectEndpointGroup{}, err
	}
	if !slices.Contains(st.epArea.groupProjects, groupProject{group: groupID, project: projectID}) {
		return v3s.ProjectEndpointGroup{}, errorf(http.StatusNotFound, "Endpoint Group Project Association not found")
	}
	// Keystone 22's link is a path without the root and /v3.
	return v3s.ProjectEndpointGroup{EndpointGroupID: groupID, ProjectID: projectID,
		Links: v3s.ResourceLinks{Self: "/OS-EP-FILTER/endpoint_groups/" + groupID + "/projects/" + projectID}}, nil
}

// AddEndpointGroupToProject associates an endpoint group with a project.
func (s *v3) AddEndpointGroupToProject(_ context.Context, req v3s.AddEndpointGroupToProjectRequestObject) (v3s.AddEndpointGroupToProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.groupAndProject(req.EndpointGroupID, req.ProjectID); err != nil {
		return nil, err
	}
	// Keystone 22 answers 409 to a second association.
	a := groupProject{group: req.EndpointGroupID, project: req.ProjectID}
	if slices.Contains(st.epArea.groupProjects, a) {
		return nil, errorf(http.StatusConflict, "Conflict occurred attempting to store project_endpoint_group - Duplicate entry.")
	}
	st.epArea.groupProjects = append(st.epArea.groupProjects, a)
	return v3s.AddEndpointGroupToProject204Response{}, nil
}

// GetEndpointGroupInProject shows the association of an endpoint group with a
// project.
func (s *v3) GetEndpointGroupInProject(_ context.Context, req v3s.GetEndpointGroupInProjectRequestObject) (v3s.GetEndpointGroupInProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	a, err := st.projectEndpointGroup(req.EndpointGroupID, req.ProjectID)
	if err != nil {
		return nil, err
	}
	return v3s.GetEndpointGroupInProject200JSONResponse{ProjectEndpointGroup: a}, nil
}

// CheckEndpointGroupInProject checks the association of an endpoint group
// with a project.
func (s *v3) CheckEndpointGroupInProject(_ context.Context, req v3s.CheckEndpointGroupInProjectRequestObject) (v3s.CheckEndpointGroupInProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.projectEndpointGroup(req.EndpointGroupID, req.ProjectID); err != nil {
		return nil, err
	}
	return v3s.CheckEndpointGroupInProject200Response{}, nil
}

// RemoveEndpointGroupFromProject removes the association of an endpoint group
// with a project.
func (s *v3) RemoveEndpointGroupFromProject(_ context.Context, req v3s.RemoveEndpointGroupFromProjectRequestObject) (v3s.RemoveEndpointGroupFromProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.projectEndpointGroup(req.EndpointGroupID, req.ProjectID); err != nil {
		return nil, err
	}
	st.epArea.groupProjects = slices.DeleteFunc(st.epArea.groupProjects, func(a groupProject) bool {
		return a == groupProject{group: req.EndpointGroupID, project: req.ProjectID}
	})
	return v3s.RemoveEndpointGroupFromProject204Response{}, nil
}

// ListProjectsForEndpointGroup lists the projects associated with an endpoint
// group (an empty list for an unknown group, as in Keystone 22).
func (s *v3) ListProjectsForEndpointGroup(_ context.Context, req v3s.ListProjectsForEndpointGroupRequestObject) (v3s.ListProjectsForEndpointGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.Project{}
	for _, a := range st.epArea.groupProjects {
		if p := st.projects.get(a.project); a.group == req.EndpointGroupID && p != nil {
			out = append(out, *p)
		}
	}
	return projectJSON{200, v3s.ProjectList{Projects: out,
		Links: st.collection("OS-EP-FILTER/endpoint_groups/" + req.EndpointGroupID + "/projects")}}, nil
}

// ListEndpointGroupsForProject lists the endpoint groups associated with a
// project.
func (s *v3) ListEndpointGroupsForProject(_ context.Context, req v3s.ListEndpointGroupsForProjectRequestObject) (v3s.ListEndpointGroupsForProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.projects.get(req.ProjectID) == nil {
		return nil, notFound("project", req.ProjectID)
	}
	out := []v3s.EndpointGroup{}
	for _, a := range st.epArea.groupProjects {
		if g := st.epArea.groups.get(a.group); a.project == req.ProjectID && g != nil {
			out = append(out, *g)
		}
	}
	return v3s.ListEndpointGroupsForProject200JSONResponse{EndpointGroups: out,
		Links: st.collection("OS-EP-FILTER/projects/" + req.ProjectID + "/endpoint_groups")}, nil
}

// --- OS-ENDPOINT-POLICY

// associate creates the association of a policy with a target, or moves the
// target's association to the policy.
func (e *epFilterState) associate(a policyAssoc) {
	for i, o := range e.policyAssocs {
		if o.target() == a.target() {
			e.policyAssocs[i].policy = a.policy
			return
		}
	}
	e.policyAssocs = append(e.policyAssocs, a)
}

func (e *epFilterState) associated(a policyAssoc) error {
	if !slices.Contains(e.policyAssocs, a) {
		return errorf(http.StatusNotFound, "Could not find policy association.")
	}
	return nil
}

// unassociate removes an association; removing a missing one is no error.
func (e *epFilterState) unassociate(a policyAssoc) {
	e.policyAssocs = slices.DeleteFunc(e.policyAssocs, func(o policyAssoc) bool { return o == a })
}

// policyOf returns the policy associated with a target, if any.
func (e *epFilterState) policyOf(target policyAssoc) (string, bool) {
	for _, a := range e.policyAssocs {
		if a.target() == target {
			return a.policy, true
		}
	}
	return "", false
}

// withPolicyAssoc checks, under the state's lock, that the policy and the
// endpoint, service or region of the association exist (Keystone's
// order), then applies op to it.
func (s *v3) withPolicyAssoc(a policyAssoc, op func(*epFilterState, policyAssoc) error) error {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkExist(a.policy, a.endpoint, a.service, a.region); err != nil {
		return err
	}
	return op(&st.epArea, a)
}

// The operations withPolicyAssoc applies.
func addPolicyAssoc(e *epFilterState, a policyAssoc) error    { e.associate(a); return nil }
func removePolicyAssoc(e *epFilterState, a policyAssoc) error { e.unassociate(a); return nil }
func checkPolicyAssoc(e *epFilterState, a policyAssoc) error  { return e.associated(a) }

// AssociatePolicyWithEndpoint associates a policy with an endpoint.
func (s *v3) AssociatePolicyWithEndpoint(_ context.Context, req v3s.AssociatePolicyWithEndpointRequestObject) (v3s.AssociatePolicyWithEndpointResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, endpoint: req.EndpointID}, addPolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.AssociatePolicyWithEndpoint204Response{}, nil
}

// CheckPolicyAssociationWithEndpoint checks that a policy is associated with
// an endpoint.
func (s *v3) CheckPolicyAssociationWithEndpoint(_ context.Context, req v3s.CheckPolicyAssociationWithEndpointRequestObject) (v3s.CheckPolicyAssociationWithEndpointResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, endpoint: req.EndpointID}, checkPolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.CheckPolicyAssociationWithEndpoint204Response{}, nil
}

// RemovePolicyAssociationWithEndpoint removes the association of a policy
// with an endpoint.
func (s *v3) RemovePolicyAssociationWithEndpoint(_ context.Context, req v3s.RemovePolicyAssociationWithEndpointRequestObject) (v3s.RemovePolicyAssociationWithEndpointResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, endpoint: req.EndpointID}, removePolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.RemovePolicyAssociationWithEndpoint204Response{}, nil
}

// AssociatePolicyWithService associates a policy with a service.
func (s *v3) AssociatePolicyWithService(_ context.Context, req v3s.AssociatePolicyWithServiceRequestObject) (v3s.AssociatePolicyWithServiceResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, service: req.ServiceID}, addPolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.AssociatePolicyWithService204Response{}, nil
}

// CheckPolicyAssociationWithService checks that a policy is associated with a
// service.
func (s *v3) CheckPolicyAssociationWithService(_ context.Context, req v3s.CheckPolicyAssociationWithServiceRequestObject) (v3s.CheckPolicyAssociationWithServiceResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, service: req.ServiceID}, checkPolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.CheckPolicyAssociationWithService204Response{}, nil
}

// RemovePolicyAssociationWithService removes the association of a policy with
// a service.
func (s *v3) RemovePolicyAssociationWithService(_ context.Context, req v3s.RemovePolicyAssociationWithServiceRequestObject) (v3s.RemovePolicyAssociationWithServiceResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, service: req.ServiceID}, removePolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.RemovePolicyAssociationWithService204Response{}, nil
}

// AssociatePolicyWithServiceInRegion associates a policy with a service in a
// region.
func (s *v3) AssociatePolicyWithServiceInRegion(_ context.Context, req v3s.AssociatePolicyWithServiceInRegionRequestObject) (v3s.AssociatePolicyWithServiceInRegionResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, service: req.ServiceID, region: req.RegionID}, addPolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.AssociatePolicyWithServiceInRegion204Response{}, nil
}

// CheckPolicyAssociationWithServiceInRegion checks that a policy is associated
// with a service in a region.
func (s *v3) CheckPolicyAssociationWithServiceInRegion(_ context.Context, req v3s.CheckPolicyAssociationWithServiceInRegionRequestObject) (v3s.CheckPolicyAssociationWithServiceInRegionResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, service: req.ServiceID, region: req.RegionID}, checkPolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.CheckPolicyAssociationWithServiceInRegion204Response{}, nil
}

// RemovePolicyAssociationWithServiceInRegion removes the association of a
// policy with a service in a region.
func (s *v3) RemovePolicyAssociationWithServiceInRegion(_ context.Context, req v3s.RemovePolicyAssociationWithServiceInRegionRequestObject) (v3s.RemovePolicyAssociationWithServiceInRegionResponseObject, error) {
	if err := s.withPolicyAssoc(policyAssoc{policy: req.PolicyID, service: req.ServiceID, region: req.RegionID}, removePolicyAssoc); err != nil {
		return nil, err
	}
	return v3s.RemovePolicyAssociationWithServiceInRegion204Response{}, nil
}

// ListEndpointsForPolicy lists the endpoints of a policy's associations: the
// endpoint, the endpoints of the service, or those of the service in the
// region and its descendants, in the order of the associations and without
// removing duplicates, as Keystone 22 does. An association with a deleted
// endpoint is a 404, as there.
func (s *v3) ListEndpointsForPolicy(_ context.Context, req v3s.ListEndpointsForPolicyRequestObject) (v3s.ListEndpointsForPolicyResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkExist(req.PolicyID, "", "", ""); err != nil {
		return nil, err
	}
	out := []v3s.Endpoint{}
	for _, a := range st.epArea.policyAssocs {
		switch {
		case a.policy != req.PolicyID:
		case a.endpoint != "":
			ep := st.endpoints.get(a.endpoint)
			if ep == nil {
				return nil, notFound("endpoint", a.endpoint)
			}
			out = append(out, *ep)
		case a.region == "":
			for _, ep := range st.endpoints.all() {
				if ep.ServiceID == a.service {
					out = append(out, *ep)
				}
			}
		default:
			examined := map[string]bool{}
			var walk func(region string)
			walk = func(region string) {
				if examined[region] {
					return
				}
				examined[region] = true
				for _, ep := range st.endpoints.all() {
					if r, _ := value(ep.RegionID); ep.ServiceID == a.service && r == region {
						out = append(out, *ep)
					}
				}
				for _, r := range st.regions.all() {
					if parent, _ := value(r.ParentRegionID); parent == region {
						walk(r.ID)
					}
				}
			}
			walk(a.region)
		}
	}
	return v3s.ListEndpointsForPolicy200JSONResponse{Endpoints: out,
		Links: st.collection("policies/" + req.PolicyID + "/OS-ENDPOINT-POLICY/endpoints")}, nil
}

// GetPolicyForEndpoint shows the policy effective for an endpoint: that of
// the endpoint, else of its service in its region or the nearest ancestor
// region, else of its service.
func (s *v3) GetPolicyForEndpoint(_ context.Context, req v3s.GetPolicyForEndpointRequestObject) (v3s.GetPolicyForEndpointResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	ep := st.endpoints.get(req.EndpointID)
	if ep == nil {
		return nil, notFound("endpoint", req.EndpointID)
	}
	e := &st.epArea
	id, ok := e.policyOf(policyAssoc{endpoint: ep.ID})
	region, _ := value(ep.RegionID)
	examined := map[string]bool{}
	for !ok && region != "" && !examined[region] {
		examined[region] = true
		if id, ok = e.policyOf(policyAssoc{service: ep.ServiceID, region: region}); ok {
			break
		}
		r := st.regions.get(region)
		if r == nil {
			return nil, notFound("region", region)
		}
		region, _ = value(r.ParentRegionID)
	}
	if !ok {
		id, ok = e.policyOf(policyAssoc{service: ep.ServiceID})
	}
	if !ok {
		return nil, errorf(http.StatusNotFound, "No policy is associated with endpoint %s.", ep.ID)
	}
	p := st.policies.get(id)
	if p == nil {
		// The association outlives the policy; Keystone 22 names the
		// policy by its database row.
		return nil, errorf(http.StatusNotFound, "Could not find policy: ('%s',).", id)
	}
	out := *p
	// Keystone 22 links the policy under /v3/endpoints.
	out.Links = st.link("endpoints/" + p.ID)
	return v3s.GetPolicyForEndpoint200JSONResponse{Policy: out}, nil
}

// The api-ref's /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/policy is routed
// by no Keystone: it answers Flask's 404 before authenticating (see the
// policy table).

// GetPolicyForPolicyEndpoint answers 404, as Keystone 22 does.
func (s *v3) GetPolicyForPolicyEndpoint(context.Context, v3s.GetPolicyForPolicyEndpointRequestObject) (v3s.GetPolicyForPolicyEndpointResponseObject, error) {
	return nil, errorf(http.StatusNotFound, "The resource could not be found.")
}

// CheckPolicyForPolicyEndpoint answers 404, as Keystone 22 does.
func (s *v3) CheckPolicyForPolicyEndpoint(context.Context, v3s.CheckPolicyForPolicyEndpointRequestObject) (v3s.CheckPolicyForPolicyEndpointResponseObject, error) {
	return nil, errorf(http.StatusNotFound, "The resource could not be found.")
}
