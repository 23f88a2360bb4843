package keystonetest

import (
	"context"
	"net/http"
	"slices"

	"github.com/oapi-codegen/nullable"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// ListRoles lists roles.
func (s *v3) ListRoles(_ context.Context, req v3s.ListRolesRequestObject) (v3s.ListRolesResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.Role{}
	for _, r := range st.roles.all() {
		dom, _ := value(r.DomainID)
		if (req.Params.Name != nil && r.Name != *req.Params.Name) || (req.Params.DomainID == nil && dom != "") ||
			(req.Params.DomainID != nil && (dom == "" || dom != *req.Params.DomainID)) {
			continue
		}
		out = append(out, *r)
	}
	return v3s.ListRoles200JSONResponse{Roles: out, Links: st.collection("roles")}, nil
}

// CreateRole creates a role.
func (s *v3) CreateRole(_ context.Context, req v3s.CreateRoleRequestObject) (v3s.CreateRoleResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find role in request body.")
	}
	in := req.Body.Role
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	dom, _ := value(in.DomainID)
	for _, o := range st.roles.all() {
		if od, _ := value(o.DomainID); od == dom && o.Name == in.Name {
			return nil, conflict("role", "name", in.Name)
		}
	}
	id := newID()
	r := &v3s.Role{ID: id, Name: in.Name, Description: null[string](), DomainID: null[string](), Links: st.link("roles/" + id),
		AdditionalProperties: in.AdditionalProperties}
	if dom != "" {
		r.DomainID = some(dom)
	}
	if in.Description != nil {
		r.Description = some(*in.Description)
	}
	if in.Options != nil {
		r.Options = *in.Options
	}
	st.roles.put(id, r)
	return v3s.CreateRole201JSONResponse{Role: *r}, nil
}

// GetRole shows a role.
func (s *v3) GetRole(_ context.Context, req v3s.GetRoleRequestObject) (v3s.GetRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.roles.get(req.RoleID)
	if r == nil {
		return nil, notFound("role", req.RoleID)
	}
	return v3s.GetRole200JSONResponse{Role: *r}, nil
}

// UpdateRole updates a role.
func (s *v3) UpdateRole(_ context.Context, req v3s.UpdateRoleRequestObject) (v3s.UpdateRoleResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find role in request body.")
	}
	in := req.Body.Role
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.roles.get(req.RoleID)
	if r == nil {
		return nil, notFound("role", req.RoleID)
	}
	if _, ok := in.AdditionalProperties["domain_id"]; ok {
		return nil, badRequest("Update of `domain_id` is not allowed.")
	}
	var unlock nullable.Nullable[bool]
	if in.Options != nil {
		unlock = in.Options.Immutable
	}
	if err := checkMutable("role", r.ID, r.Options.Immutable, unlock); err != nil {
		return nil, err
	}
	if in.Name != nil {
		dom, _ := value(r.DomainID)
		for _, o := range st.roles.all() {
			if od, _ := value(o.DomainID); o.ID != r.ID && od == dom && o.Name == *in.Name {
				return nil, conflict("role", "name", *in.Name)
			}
		}
		r.Name = *in.Name
	}
	if in.Description != nil {
		r.Description = some(*in.Description)
	}
	if in.Options != nil {
		r.Options = mergeOptions(r.Options, *in.Options)
	}
	mergeExtras(&r.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdateRole200JSONResponse{Role: *r}, nil
}

// DeleteRole deletes a role and its grants.
func (s *v3) DeleteRole(_ context.Context, req v3s.DeleteRoleRequestObject) (v3s.DeleteRoleResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.roles.get(req.RoleID)
	if r == nil {
		return nil, notFound("role", req.RoleID)
	}
	if err := checkMutable("role", r.ID, r.Options.Immutable, nil); err != nil {
		return nil, err
	}
	st.deleteRole(req.RoleID)
	return v3s.DeleteRole204Response{}, nil
}

func (st *state) deleteRole(id string) {
	st.dropGrants(func(g grant) bool { return g.role == id })
	delete(st.implies, id)
	for k, v := range st.implies {
		st.implies[k] = slices.DeleteFunc(v, func(s string) bool { return s == id })
	}
	st.roles.del(id)
}

// checkGrant returns a 404 for each part of g that does not exist.
func (st *state) checkGrant(g grant) error {
	// Keystone 22 does not check the actor of an inherited grant.
	switch {
	case g.inherited:
	case g.group && st.groups.get(g.actor) == nil:
		return notFound("group", g.actor)
	case !g.group && st.users.get(g.actor) == nil:
		return notFound("user", g.actor)
	}
	if g.project != "" && st.projects.get(g.project) == nil {
		return notFound("project", g.project)
	}
	if g.domain != "" && st.domains.get(g.domain) == nil {
		return notFound("domain", g.domain)
	}
	if g.role != "" && st.roles.get(g.role) == nil {
		return notFound("role", g.role)
	}
	return nil
}

// changeGrant grants, checks or revokes a role assignment.
func (st *state) changeGrant(verb string, g grant) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkGrant(g); err != nil {
		return err
	}
	switch verb {
	case "grant":
		if dom, ok := value(st.roles.get(g.role).DomainID); ok {
			switch {
			case g.system:
				return badRequest("Domain-specific roles cannot be granted on the system.")
			case g.project != "":
				if pd, _ := value(st.projects.get(g.project).DomainID); pd != dom {
					return forbidden()
				}
			}
		}
		st.grants[g] = true
	case "check", "revoke":
		if !st.grants[g] {
			return errorf(http.StatusNotFound, "Could not find role assignment with role: %s, user or group: %s, project, domain, or system: %s.",
				g.role, g.actor, describeTarget(g))
		}
		if verb == "revoke" {
			delete(st.grants, g)
		}
	}
	return nil
}

func describeTarget(g grant) string {
	switch {
	case g.project != "":
		return g.project
	case g.domain != "":
		return g.domain
	}
	return "all"
}

// grantedRoles lists the roles granted directly to an actor on a target.
func (st *state) grantedRoles(actor string, group bool, t target) (v3s.RoleList, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkGrant(grant{actor: actor, group: group, project: t.project, domain: t.domain}); err != nil {
		return v3s.RoleList{}, err
	}
	out := []v3s.Role{}
	for _, r := range st.roles.all() {
		if st.grants[grant{actor: actor, group: group, role: r.ID, project: t.project, domain: t.domain, system: t.system}] {
			out = append(out, *r)
		}
	}
	kind := "users/"
	if group {
		kind = "groups/"
	}
	path := "system/" + kind + actor + "/roles"
	switch {
	case t.project != "":
		path = "projects/" + t.project + "/" + kind + actor + "/roles"
	case t.domain != "":
		path = "domains/" + t.domain + "/" + kind + actor + "/roles"
	}
	return v3s.RoleList{Roles: out, Links: st.collection(path)}, nil
}

// inheritedRoles lists the roles granted to an actor on a domain for its projects.
func (st *state) inheritedRoles(actor string, group bool, domainID string) (v3s.RoleList, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkGrant(grant{actor: actor, group: group, domain: domainID, inherited: true}); err != nil {
		return v3s.RoleList{}, err
	}
	out := []v3s.Role{}
	for _, r := range st.roles.all() {
		if st.grants[grant{actor: actor, group: group, role: r.ID, domain: domainID, inherited: true}] {
			out = append(out, *r)
		}
	}
	kind := "users/"
	if group {
		kind = "groups/"
	}
	return v3s.RoleList{Roles: out, Links: st.collection("OS-INHERIT/domains/" + domainID + "/" + kind + actor + "/roles/inherited_to_projects")}, nil
}

// assignment is one row of a role-assignment listing.
type assignment struct {
	grant
	viaGroup  string // with effective: the group the user has the role through
	priorRole string // with effective: the role that implies this one
	// origin is, with effective, the inherited grant this row comes from.
	origin *grant
}

// ListRoleAssignments lists role assignments with Keystone's filters:
// effective (group memberships, inherited grants and implied roles
// expanded), include_names and include_subtree.
func (s *v3) ListRoleAssignments(ctx context.Context, req v3s.ListRoleAssignmentsRequestObject) (v3s.ListRoleAssignmentsResponseObject, error) {
	p := req.Params
	effective := p.Effective != nil && *p.Effective
	if effective && p.GroupID != nil {
		return nil, badRequest("Combining effective and group filter will always result in an empty list.")
	}
	subtree := p.IncludeSubtree != nil && *p.IncludeSubtree
	if subtree && p.ScopeProjectID == nil {
		return nil, badRequest("scope.project.id needs to be specified if include_subtree is also specified")
	}
	count := func(set ...bool) (n int) {
		for _, b := range set {
			if b {
				n++
			}
		}
		return n
	}
	if count(p.UserID != nil, p.GroupID != nil) > 1 {
		return nil, badRequest("Specify a user or group, not both")
	}
	if count(p.ScopeProjectID != nil, p.ScopeDomainID != nil, p.ScopeSystem != nil) > 1 {
		return nil, badRequest("Specify one of domain, project or system")
	}
	if effective && p.ScopeOSINHERITInheritedTo != nil {
		return nil, badRequest("Combining effective with inherited_to_projects is not supported")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()

	var rows []assignment
	for g := range st.grants {
		targets := []assignment{{grant: g}}
		if effective && g.inherited {
			// An inherited grant counts on every project under its target.
			targets = nil
			var under []*v3s.Project
			if g.domain != "" {
				for _, pr := range st.projects.all() {
					if d, _ := value(pr.DomainID); d == g.domain {
						under = append(under, pr)
					}
				}
			} else {
				under = st.descendants(g.project)
			}
			origin := g
			for _, pr := range under {
				t := g // still marked inherited: Keystone shows OS-INHERIT:inherited_to
				t.project, t.domain = pr.ID, ""
				targets = append(targets, assignment{grant: t, origin: &origin})
			}
		}
		for _, a := range targets {
			if !effective || !a.group {
				rows = append(rows, a)
				continue
			}
			for uid := range st.members[a.actor] {
				b := a
				b.actor, b.group, b.viaGroup = uid, false, a.actor
				rows = append(rows, b)
			}
		}
	}
	if effective {
		for _, a := range rows {
			expanded := st.expand([]string{a.role})
			if len(expanded) < 2 {
				continue
			}
			for _, implied := range expanded[1:] {
				b := a
				b.role, b.priorRole = implied, a.role
				rows = append(rows, b)
			}
		}
	}
	var inScope []string
	if p.ScopeProjectID != nil {
		inScope = []string{*p.ScopeProjectID}
		if subtree {
			for _, d := range st.descendants(*p.ScopeProjectID) {
				inScope = append(inScope, d.ID)
			}
		}
	}
	// A domain-scoped caller sees the assignments on its domain and on
	// the domain's projects.
	var onlyDomain string
	if c := callerFrom(ctx); c != nil {
		onlyDomain = c.tok.scope.domain
	}
	inDomain := func(a assignment) bool {
		if a.domain != "" {
			return a.domain == onlyDomain
		}
		pr := st.projects.get(a.project)
		d := ""
		if pr != nil {
			d, _ = value(pr.DomainID)
		}
		return a.project != "" && d == onlyDomain
	}
	out := []v3s.RoleAssignment{}
	seen := map[string]bool{}
	for _, a := range rows {
		switch {
		case onlyDomain != "" && !inDomain(a):
			continue
		case p.UserID != nil && (a.group || a.actor != *p.UserID),
			p.GroupID != nil && (!a.group || a.actor != *p.GroupID),
			p.RoleID != nil && a.role != *p.RoleID,
			p.ScopeProjectID != nil && !slices.Contains(inScope, a.project),
			p.ScopeDomainID != nil && a.domain != *p.ScopeDomainID,
			p.ScopeSystem != nil && !a.system,
			p.ScopeOSINHERITInheritedTo != nil && !a.inherited:
			continue
		}
		ra := st.renderAssignment(a, p.IncludeNames != nil && *p.IncludeNames)
		key := ra.Links.Assignment + "|" + ra.Role.ID + "|" + a.actor + "|" + a.project + "|" + a.domain
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, ra)
	}
	slices.SortFunc(out, func(x, y v3s.RoleAssignment) int {
		return compareStrings(x.Links.Assignment+x.Role.ID, y.Links.Assignment+y.Role.ID)
	})
	return v3s.ListRoleAssignments200JSONResponse{RoleAssignments: out, Links: st.collection("role_assignments")}, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (st *state) renderAssignment(a assignment, names bool) v3s.RoleAssignment {
	entity := func(id, name, domainID string) *v3s.RoleAssignmentEntity {
		e := &v3s.RoleAssignmentEntity{ID: id}
		if names {
			e.Name = ptr(name)
			if domainID != "" {
				ref := st.domainRef(domainID)
				e.Domain = &ref
			}
		}
		return e
	}
	var ra v3s.RoleAssignment
	actorPath := "users/" + a.actor
	if a.viaGroup != "" {
		actorPath = "groups/" + a.viaGroup
	}
	if a.group {
		actorPath = "groups/" + a.actor
		g := st.groups.get(a.actor)
		ra.Group = entity(g.ID, g.Name, g.DomainID)
	} else {
		u := st.users.get(a.actor)
		ra.User = entity(u.ID, u.Name, u.DomainID)
	}
	r := st.roles.get(a.role)
	rdom, _ := value(r.DomainID)
	ra.Role = *entity(r.ID, r.Name, rdom)
	var targetPath string
	switch {
	case a.project != "":
		pr := st.projects.get(a.project)
		pdom, _ := value(pr.DomainID)
		ra.Scope.Project = entity(pr.ID, pr.Name, pdom)
		targetPath = "projects/" + a.project
	case a.domain != "":
		ref := v3s.DomainRef{ID: ptr(a.domain)}
		if names {
			ref = st.domainRef(a.domain)
		}
		ra.Scope.Domain = &ref
		targetPath = "domains/" + a.domain
	default:
		ra.Scope.System = &v3s.RoleAssignmentSystemScope{All: true}
		targetPath = "system"
	}
	role := a.role
	if a.priorRole != "" {
		role = a.priorRole
	}
	ra.Links.Assignment = st.root + "/v3/" + targetPath + "/" + actorPath + "/roles/" + role
	if a.inherited {
		ra.Scope.OSINHERITInheritedTo = ptr(v3s.RoleAssignmentScopeOSINHERITInheritedToProjects)
		ra.Links.Assignment = st.root + "/v3/OS-INHERIT/" + targetPath + "/" + actorPath + "/roles/" + role + "/inherited_to_projects"
	}
	if o := a.origin; o != nil {
		originPath, originActor := "domains/"+o.domain, "users/"+o.actor
		if o.project != "" {
			originPath = "projects/" + o.project
		}
		if o.group {
			originActor = "groups/" + o.actor
		}
		ra.Links.Assignment = st.root + "/v3/OS-INHERIT/" + originPath + "/" + originActor + "/roles/" + role + "/inherited_to_projects"
	}
	if a.viaGroup != "" {
		ra.Links.Membership = ptr(st.root + "/v3/groups/" + a.viaGroup + "/users/" + a.actor)
	}
	if a.priorRole != "" {
		ra.Links.PriorRole = ptr(st.root + "/v3/roles/" + a.priorRole)
	}
	return ra
}

// checkMutable refuses to change or delete an immutable resource, unless the
// change makes it mutable (unlock set to false).
func checkMutable(kind, id string, immutable, unlock nullable.Nullable[bool]) error {
	if v, ok := value(immutable); !ok || !v {
		return nil
	}
	if unlock.IsSpecified() && (unlock.IsNull() || !unlock.MustGet()) {
		return nil
	}
	return errorf(http.StatusForbidden, "Unable to modify or delete %s %s: the resource is immutable. Set the `immutable` option to false first.", kind, id)
}

// mergeOptions applies an update of role options: null removes an option.
func mergeOptions(cur, upd v3s.RoleOptions) v3s.RoleOptions {
	if upd.Immutable.IsSpecified() {
		cur.Immutable = upd.Immutable
		if upd.Immutable.IsNull() {
			cur.Immutable = nil
		}
	}
	return cur
}
