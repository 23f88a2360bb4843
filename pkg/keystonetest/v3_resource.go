package keystonetest

import (
	"context"
	"net/http"
	"slices"
	"strings"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// scopeDomain is the domain of the caller's token scope, the default for new
// projects, users and groups.
func (st *state) scopeDomain(ctx context.Context) string {
	c := callerFrom(ctx)
	if c == nil {
		return "default"
	}
	if c.tok.scope.domain != "" {
		return c.tok.scope.domain
	}
	if p := st.projects.get(c.tok.scope.project); p != nil {
		if d, ok := value(p.DomainID); ok {
			return d
		}
	}
	return "default"
}

func validTags(tags []string) error {
	for _, t := range tags {
		if t == "" || len(t) > 255 || strings.ContainsAny(t, "/,") {
			return badRequest("Invalid input for field 'tags': %q is not a valid tag.", t)
		}
	}
	return nil
}

func splitCSV(s *string) []string {
	if s == nil || *s == "" {
		return nil
	}
	return strings.Split(*s, ",")
}

// --- domains

// ListDomains lists domains.
func (s *v3) ListDomains(_ context.Context, req v3s.ListDomainsRequestObject) (v3s.ListDomainsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.Domain{}
	for _, d := range st.domains.all() {
		if (req.Params.Name != nil && d.Name != *req.Params.Name) || (req.Params.Enabled != nil && d.Enabled != *req.Params.Enabled) {
			continue
		}
		out = append(out, *d)
	}
	return v3s.ListDomains200JSONResponse{Domains: out, Links: st.collection("domains")}, nil
}

// CreateDomain creates a domain.
func (s *v3) CreateDomain(_ context.Context, req v3s.CreateDomainRequestObject) (v3s.CreateDomainResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find domain in request body.")
	}
	in := req.Body.Domain
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, d := range st.domains.all() {
		if strings.EqualFold(d.Name, in.Name) {
			return nil, conflict("domain", "name", in.Name)
		}
	}
	id := newID()
	if in.ExplicitDomainID != nil {
		id = *in.ExplicitDomainID
		if st.domains.get(id) != nil {
			return nil, conflict("domain", "id", id)
		}
	}
	d := &v3s.Domain{
		ID: id, Name: in.Name, Enabled: in.Enabled == nil || *in.Enabled, Description: null[string](),
		Links: st.link("domains/" + id), Tags: sortedTags(in.Tags), AdditionalProperties: in.AdditionalProperties,
	}
	if v, ok := value(in.Description); ok {
		d.Description = some(v)
	}
	if in.Options != nil {
		d.Options = *in.Options
	}
	st.domains.put(id, d)
	return v3s.CreateDomain201JSONResponse{Domain: *d}, nil
}

// GetDomain shows a domain.
func (s *v3) GetDomain(_ context.Context, req v3s.GetDomainRequestObject) (v3s.GetDomainResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	d := st.domains.get(req.DomainID)
	if d == nil {
		return nil, notFound("domain", req.DomainID)
	}
	return v3s.GetDomain200JSONResponse{Domain: *d}, nil
}

// UpdateDomain updates a domain.
func (s *v3) UpdateDomain(_ context.Context, req v3s.UpdateDomainRequestObject) (v3s.UpdateDomainResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find domain in request body.")
	}
	in := req.Body.Domain
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	d := st.domains.get(req.DomainID)
	if d == nil {
		return nil, notFound("domain", req.DomainID)
	}
	if in.Name != nil {
		for _, o := range st.domains.all() {
			if o.ID != d.ID && strings.EqualFold(o.Name, *in.Name) {
				return nil, conflict("domain", "name", *in.Name)
			}
		}
		d.Name = *in.Name
	}
	if in.Enabled != nil {
		d.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		d.Description = in.Description
	}
	if in.Tags != nil {
		d.Tags = sortedTags(in.Tags)
	}
	if in.Options != nil {
		d.Options = *in.Options
	}
	mergeExtras(&d.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdateDomain200JSONResponse{Domain: *d}, nil
}

// DeleteDomain deletes a disabled domain and everything in it.
func (s *v3) DeleteDomain(_ context.Context, req v3s.DeleteDomainRequestObject) (v3s.DeleteDomainResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	d := st.domains.get(req.DomainID)
	if d == nil {
		return nil, notFound("domain", req.DomainID)
	}
	if d.Enabled {
		return nil, errorf(http.StatusForbidden, "Cannot delete a domain that is enabled, please disable it first.")
	}
	for _, p := range st.projects.all() {
		if dd, _ := value(p.DomainID); dd == d.ID {
			st.deleteProject(p.ID)
		}
	}
	for _, u := range st.users.all() {
		if u.DomainID == d.ID {
			st.deleteUser(u.ID)
		}
	}
	for _, g := range st.groups.all() {
		if g.DomainID == d.ID {
			st.deleteGroup(g.ID)
		}
	}
	for _, r := range st.roles.all() {
		if dd, _ := value(r.DomainID); dd == d.ID {
			st.deleteRole(r.ID)
		}
	}
	st.dropGrants(func(g grant) bool { return g.domain == d.ID })
	st.domains.del(d.ID)
	st.domainDeleted(d.ID) // hook: drops its config, records the revocation event (v3_domainconfig.go)
	// hook: deletes its identity providers (v3_federation.go)
	st.fedArea.dropDomain(d.ID)
	return v3s.DeleteDomain204Response{}, nil
}

func (st *state) dropGrants(f func(grant) bool) {
	for g := range st.grants {
		if f(g) {
			delete(st.grants, g)
		}
	}
}

// --- projects

// ListProjects lists projects with Keystone's filters.
func (s *v3) ListProjects(ctx context.Context, req v3s.ListProjectsRequestObject) (v3s.ListProjectsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := req.Params
	if c := callerFrom(ctx); c != nil && c.tok.scope.domain != "" {
		// A domain-scoped caller lists its domain's projects (Keystone's
		// list_projects filters on the token's domain).
		p.DomainID = &c.tok.scope.domain
	}
	var candidates []v3s.Project
	if p.IsDomain != nil && *p.IsDomain {
		for _, d := range st.domains.all() {
			candidates = append(candidates, st.domainAsProject(d))
		}
	} else {
		for _, pr := range st.projects.all() {
			candidates = append(candidates, *pr)
		}
	}
	out := []v3s.Project{}
	for _, pr := range candidates {
		dom, _ := value(pr.DomainID)
		parent, _ := value(pr.ParentID)
		switch {
		case p.DomainID != nil && dom != *p.DomainID,
			p.Enabled != nil && pr.Enabled != *p.Enabled,
			p.Name != nil && pr.Name != *p.Name,
			p.ParentID != nil && parent != *p.ParentID,
			!matchTags(pr.Tags, p.Tags, p.TagsAny, p.NotTags, p.NotTagsAny):
			continue
		}
		out = append(out, pr)
	}
	return projectJSON{200, v3s.ProjectList{Projects: out, Links: st.collection("projects")}}, nil
}

func matchTags(have []string, all, anyOf, notAll, notAny *string) bool {
	hasAll := func(want []string) bool {
		for _, w := range want {
			if !slices.Contains(have, w) {
				return false
			}
		}
		return true
	}
	hasAny := func(want []string) bool {
		for _, w := range want {
			if slices.Contains(have, w) {
				return true
			}
		}
		return false
	}
	if t := splitCSV(all); t != nil && !hasAll(t) {
		return false
	}
	if t := splitCSV(anyOf); t != nil && !hasAny(t) {
		return false
	}
	if t := splitCSV(notAll); t != nil && hasAll(t) {
		return false
	}
	if t := splitCSV(notAny); t != nil && hasAny(t) {
		return false
	}
	return true
}

func (st *state) domainAsProject(d *v3s.Domain) v3s.Project {
	return v3s.Project{
		ID: d.ID, Name: d.Name, Enabled: d.Enabled, IsDomain: true, Description: d.Description,
		DomainID: null[string](), ParentID: null[string](), Tags: d.Tags, Links: st.link("projects/" + d.ID),
	}
}

// CreateProject creates a project.
func (s *v3) CreateProject(ctx context.Context, req v3s.CreateProjectRequestObject) (v3s.CreateProjectResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find project in request body.")
	}
	in := req.Body.Project
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	if in.IsDomain != nil && *in.IsDomain {
		return nil, errNotImplemented
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	dom, ok := value(in.DomainID)
	if !ok {
		dom = st.scopeDomain(ctx)
	}
	parent, hasParent := value(in.ParentID)
	if hasParent {
		pp := st.projects.get(parent)
		if pp == nil {
			return nil, notFound("project", parent)
		}
		if !ok {
			dom, _ = value(pp.DomainID)
		} else if pd, _ := value(pp.DomainID); pd != dom {
			return nil, forbidden()
		}
	} else {
		parent = dom
	}
	if st.domains.get(dom) == nil {
		return nil, notFound("domain", dom)
	}
	if err := st.checkProjectDepth(parent); err != nil { // hook: the hierarchy's depth (v3_limits.go)
		return nil, err
	}
	for _, o := range st.projects.all() {
		if od, _ := value(o.DomainID); od == dom && o.Name == in.Name {
			return nil, conflict("project", "name", in.Name)
		}
	}
	id := newID()
	pr := &v3s.Project{
		ID: id, Name: in.Name, DomainID: some(dom), ParentID: some(parent), Enabled: in.Enabled == nil || *in.Enabled,
		Description: some(""), Links: st.link("projects/" + id), Tags: sortedTags(in.Tags),
		AdditionalProperties: in.AdditionalProperties,
	}
	if in.Description.IsSpecified() {
		pr.Description = in.Description
	}
	if in.Options != nil {
		pr.Options = in.Options
	}
	st.projects.put(id, pr)
	return projectJSON{201, v3s.ProjectEnvelope{Project: *pr}}, nil
}

// GetProject shows a project to an administrator or a user with a role on it.
func (s *v3) GetProject(ctx context.Context, req v3s.GetProjectRequestObject) (v3s.GetProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	c := callerFrom(ctx)
	if !c.admin && !c.policyChecked && c.tok.scope.project != req.ProjectID {
		return nil, forbidden()
	}
	p := st.projects.get(req.ProjectID)
	if p == nil {
		return nil, notFound("project", req.ProjectID)
	}
	out := *p
	on := func(b *bool) bool { return b != nil && *b }
	if on(req.Params.ParentsAsList) {
		list := []any{}
		for _, a := range st.ancestors(p) {
			list = append(list, map[string]any{"project": *a})
		}
		out.Parents = list
	} else if on(req.Params.ParentsAsIds) {
		// Nested IDs from the parent up, ending with the domain: {"parent": {"domain": null}}.
		var ids any
		dom, _ := value(p.DomainID)
		ids = map[string]any{dom: nil}
		anc := st.ancestors(p)
		for i := len(anc) - 1; i >= 0; i-- {
			ids = map[string]any{anc[i].ID: ids}
		}
		if len(anc) > 0 {
			out.Parents = ids
		} else {
			out.Parents = map[string]any{dom: nil}
		}
	}
	if on(req.Params.SubtreeAsList) {
		list := []any{}
		for _, d := range st.descendants(p.ID) {
			list = append(list, map[string]any{"project": *d})
		}
		out.Subtree = list
	} else if on(req.Params.SubtreeAsIds) {
		out.Subtree = st.subtreeIDs(p.ID)
	}
	return projectJSON{200, v3s.ProjectEnvelope{Project: out}}, nil
}

// UpdateProject updates a project.
func (s *v3) UpdateProject(_ context.Context, req v3s.UpdateProjectRequestObject) (v3s.UpdateProjectResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find project in request body.")
	}
	in := req.Body.Project
	if err := validTags(in.Tags); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.projects.get(req.ProjectID)
	if p == nil {
		return nil, notFound("project", req.ProjectID)
	}
	if d, ok := value(in.DomainID); ok {
		if cur, _ := value(p.DomainID); d != cur {
			return nil, badRequest("Cannot change Domain ID.")
		}
	}
	if pid, ok := value(in.ParentID); ok {
		if cur, _ := value(p.ParentID); pid != cur {
			return nil, forbidden()
		}
	}
	if in.IsDomain != nil && *in.IsDomain != p.IsDomain {
		return nil, badRequest("Cannot change is_domain.")
	}
	if in.Name != nil {
		dom, _ := value(p.DomainID)
		for _, o := range st.projects.all() {
			if od, _ := value(o.DomainID); o.ID != p.ID && od == dom && o.Name == *in.Name {
				return nil, conflict("project", "name", *in.Name)
			}
		}
		p.Name = *in.Name
	}
	if in.Enabled != nil {
		p.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		p.Description = in.Description
	}
	if in.Tags != nil {
		p.Tags = sortedTags(in.Tags)
	}
	if in.Options != nil {
		p.Options = in.Options
	}
	mergeExtras(&p.AdditionalProperties, in.AdditionalProperties)
	return projectJSON{200, v3s.ProjectEnvelope{Project: *p}}, nil
}

// DeleteProject deletes a project without children.
func (s *v3) DeleteProject(_ context.Context, req v3s.DeleteProjectRequestObject) (v3s.DeleteProjectResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.projects.get(req.ProjectID) == nil {
		return nil, notFound("project", req.ProjectID)
	}
	for _, o := range st.projects.all() {
		if pid, _ := value(o.ParentID); pid == req.ProjectID {
			return nil, errorf(http.StatusForbidden, "Cannot delete the project %s since it is not a leaf in the hierarchy. Use the cascade option if you want to delete a whole subtree.", req.ProjectID)
		}
	}
	st.deleteProject(req.ProjectID)
	return v3s.DeleteProject204Response{}, nil
}

func (st *state) deleteProject(id string) {
	st.dropGrants(func(g grant) bool { return g.project == id })
	for _, ac := range st.appcreds.all() {
		if p, _ := value(ac.ProjectID); p == id {
			st.appcreds.del(ac.ID)
		}
	}
	st.epArea.dropProject(id) // OS-EP-FILTER associations (v3_epfilter.go)
	st.projects.del(id)
	st.recordRevocation(revocationEvent{projectID: id}) // hook: records the revocation event (v3_revoke.go)
}

// --- project tags

func (s *v3) projectForTags(id string) (*v3s.Project, error) {
	p := s.state.projects.get(id)
	if p == nil {
		return nil, notFound("project", id)
	}
	return p, nil
}

// ListProjectTags lists a project's tags.
func (s *v3) ListProjectTags(_ context.Context, req v3s.ListProjectTagsRequestObject) (v3s.ListProjectTagsResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p, err := s.projectForTags(req.ProjectID)
	if err != nil {
		return nil, err
	}
	return v3s.ListProjectTags200JSONResponse{Tags: append([]string{}, p.Tags...), Links: v3s.ResourceLinks{Self: s.state.root + "/v3"}}, nil
}

// ReplaceProjectTags replaces a project's tags.
func (s *v3) ReplaceProjectTags(_ context.Context, req v3s.ReplaceProjectTagsRequestObject) (v3s.ReplaceProjectTagsResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find tags in request body.")
	}
	if err := validTags(req.Body.Tags); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p, err := s.projectForTags(req.ProjectID)
	if err != nil {
		return nil, err
	}
	p.Tags = sortedTags(req.Body.Tags)
	return v3s.ReplaceProjectTags200JSONResponse{Tags: append([]string{}, p.Tags...), Links: v3s.ResourceLinks{Self: s.state.root + "/v3"}}, nil
}

// AddProjectTag adds a tag to a project.
func (s *v3) AddProjectTag(_ context.Context, req v3s.AddProjectTagRequestObject) (v3s.AddProjectTagResponseObject, error) {
	if err := validTags([]string{req.Tag}); err != nil {
		return nil, err
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p, err := s.projectForTags(req.ProjectID)
	if err != nil {
		return nil, err
	}
	if slices.Contains(p.Tags, req.Tag) {
		return nil, badRequest("Tag %s already exists for project %s.", req.Tag, p.ID)
	}
	p.Tags = sortedTags(append(p.Tags, req.Tag))
	loc := s.state.root + "/v3/projects/" + p.ID + "/tags/" + req.Tag
	return v3s.AddProjectTag201Response{Headers: v3s.AddProjectTag201ResponseHeaders{Location: &loc}}, nil
}

// CheckProjectTag checks that a project has a tag.
func (s *v3) CheckProjectTag(_ context.Context, req v3s.CheckProjectTagRequestObject) (v3s.CheckProjectTagResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p, err := s.projectForTags(req.ProjectID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(p.Tags, req.Tag) {
		return nil, notFound("project tag", req.Tag)
	}
	return v3s.CheckProjectTag204Response{}, nil
}

// DeleteProjectTag removes a tag from a project.
func (s *v3) DeleteProjectTag(_ context.Context, req v3s.DeleteProjectTagRequestObject) (v3s.DeleteProjectTagResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p, err := s.projectForTags(req.ProjectID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(p.Tags, req.Tag) {
		return nil, notFound("project tag", req.Tag)
	}
	p.Tags = slices.DeleteFunc(p.Tags, func(t string) bool { return t == req.Tag })
	return v3s.DeleteProjectTag204Response{}, nil
}

// DeleteProjectTags removes all of a project's tags.
func (s *v3) DeleteProjectTags(_ context.Context, req v3s.DeleteProjectTagsRequestObject) (v3s.DeleteProjectTagsResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	p, err := s.projectForTags(req.ProjectID)
	if err != nil {
		return nil, err
	}
	p.Tags = []string{}
	return v3s.DeleteProjectTags204Response{}, nil
}

// sortedTags copies tags without duplicates, sorted as Keystone lists them.
func sortedTags(tags []string) []string {
	out := append([]string{}, tags...)
	slices.Sort(out)
	return slices.Compact(out)
}

// ancestors lists a project's parent projects, nearest first (not the domain).
func (st *state) ancestors(p *v3s.Project) []*v3s.Project {
	var out []*v3s.Project
	for {
		parent, _ := value(p.ParentID)
		pp := st.projects.get(parent)
		if pp == nil {
			return out
		}
		out = append(out, pp)
		p = pp
	}
}

// descendants lists a project's subtree, depth first.
func (st *state) descendants(id string) []*v3s.Project {
	var out []*v3s.Project
	for _, c := range st.projects.all() {
		if parent, _ := value(c.ParentID); parent == id {
			out = append(out, c)
			out = append(out, st.descendants(c.ID)...)
		}
	}
	return out
}

// subtreeIDs is a project's subtree as nested IDs ({"child": {"grandchild":
// null}}), or null for a leaf.
func (st *state) subtreeIDs(id string) any {
	m := map[string]any{}
	for _, c := range st.projects.all() {
		if parent, _ := value(c.ParentID); parent == id {
			m[c.ID] = st.subtreeIDs(c.ID)
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
