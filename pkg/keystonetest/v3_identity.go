package keystonetest

import (
	"context"
	"net/http"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// --- users

func userMatches(u *userRec, domainID *string, enabled *bool, name *string) bool {
	return (domainID == nil || u.DomainID == *domainID) && (enabled == nil || u.Enabled == *enabled) &&
		(name == nil || u.Name == *name)
}

// ListUsers lists users.
func (s *v3) ListUsers(ctx context.Context, req v3s.ListUsersRequestObject) (v3s.ListUsersResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := req.Params
	dom, err := st.listDomain(ctx, p.DomainID)
	if err != nil {
		return nil, err
	}
	p.DomainID = dom
	// The fake has no federated users: federated filters match none.
	federated := p.IdpID != nil || p.ProtocolID != nil || p.UniqueID != nil
	out := []v3s.User{}
	for _, u := range st.users.all() {
		if federated {
			break
		}
		// No password of the fake expires: a password_expires_at filter
		// matches none, as in Keystone for users without an expiry.
		if p.PasswordExpiresAt == nil && userMatches(u, p.DomainID, p.Enabled, p.Name) {
			listed := u.User
			listed.Federated = nil // Keystone shows a user's federated identities on GET only
			out = append(out, listed)
		}
	}
	return v3s.ListUsers200JSONResponse{Users: out, Links: st.collection("users")}, nil
}

// CreateUser creates a user.
func (s *v3) CreateUser(ctx context.Context, req v3s.CreateUserRequestObject) (v3s.CreateUserResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	in := req.Body.User
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	dom := st.scopeDomain(ctx)
	if in.DomainID != nil {
		dom = *in.DomainID
	}
	if st.domains.get(dom) == nil {
		return nil, notFound("domain", dom)
	}
	for _, o := range st.users.all() {
		if o.DomainID == dom && o.Name == in.Name {
			return nil, conflict("user", "name", in.Name)
		}
	}
	id := newID()
	u := &userRec{User: v3s.User{
		ID: id, Name: in.Name, DomainID: dom, Enabled: in.Enabled == nil || *in.Enabled,
		PasswordExpiresAt: null[string](), Links: st.link("users/" + id), AdditionalProperties: in.AdditionalProperties,
	}}
	if p, ok := value(in.DefaultProjectID); ok {
		u.DefaultProjectID = &p
	}
	if in.Description.IsSpecified() {
		u.Description = in.Description
	}
	if in.Options != nil {
		u.Options = *in.Options
	}
	u.password, _ = value(in.Password)
	st.users.put(id, u)
	return v3s.CreateUser201JSONResponse{User: u.User}, nil
}

// selfOrAdmin lets administrators and the user itself through.
func selfOrAdmin(ctx context.Context, userID string) error {
	if c := callerFrom(ctx); c != nil && !c.admin && !c.policyChecked && c.tok.userID != userID {
		return forbidden()
	}
	return nil
}

// GetUser shows a user to an administrator or to itself.
func (s *v3) GetUser(ctx context.Context, req v3s.GetUserRequestObject) (v3s.GetUserResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.users.get(req.UserID)
	if u == nil {
		return nil, notFound("user", req.UserID)
	}
	return v3s.GetUser200JSONResponse{User: u.User}, nil
}

// UpdateUser updates a user; a new password or disabling revokes its tokens.
func (s *v3) UpdateUser(_ context.Context, req v3s.UpdateUserRequestObject) (v3s.UpdateUserResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	in := req.Body.User
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.users.get(req.UserID)
	if u == nil {
		return nil, notFound("user", req.UserID)
	}
	if in.DomainID != nil && *in.DomainID != u.DomainID {
		return nil, badRequest("Cannot change Domain ID.")
	}
	if in.Name != nil {
		for _, o := range st.users.all() {
			if o.ID != u.ID && o.DomainID == u.DomainID && o.Name == *in.Name {
				return nil, conflict("user", "name", *in.Name)
			}
		}
		u.Name = *in.Name
	}
	revoke := false
	if in.Enabled != nil {
		revoke = u.Enabled && !*in.Enabled
		u.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		u.Description = in.Description
	}
	if in.DefaultProjectID.IsSpecified() {
		u.DefaultProjectID = nil
		if p, ok := value(in.DefaultProjectID); ok {
			u.DefaultProjectID = &p
		}
	}
	if in.Options != nil {
		u.Options = *in.Options
	}
	if in.Password.IsSpecified() {
		u.password, _ = value(in.Password)
		revoke = true
	}
	mergeExtras(&u.AdditionalProperties, in.AdditionalProperties)
	if revoke {
		st.revokeUser(u.ID) // hook: records the revocation event (v3_revoke.go)
	}
	return v3s.UpdateUser200JSONResponse{User: u.User}, nil
}

// DeleteUser deletes a user, its grants, memberships and credentials.
func (s *v3) DeleteUser(_ context.Context, req v3s.DeleteUserRequestObject) (v3s.DeleteUserResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	st.deleteUser(req.UserID)
	return v3s.DeleteUser204Response{}, nil
}

func (st *state) deleteUser(id string) {
	st.dropGrants(func(g grant) bool { return !g.group && g.actor == id })
	for _, m := range st.members {
		delete(m, id)
	}
	for _, ac := range st.appcreds.all() {
		if ac.UserID == id {
			st.appcreds.del(ac.ID)
		}
	}
	for _, c := range st.credentials.all() {
		if c.UserID == id {
			st.credentials.del(c.ID)
		}
	}
	st.revokeUser(id) // hook: records the revocation event (v3_revoke.go)
	st.users.del(id)
}

// ChangeUserPassword changes a user's own password, checked with the original.
func (s *v3) ChangeUserPassword(_ context.Context, req v3s.ChangeUserPasswordRequestObject) (v3s.ChangeUserPasswordResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find user in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.users.get(req.UserID)
	if u == nil || !checkPassword(u.password, req.Body.User.OriginalPassword) {
		return nil, unauthorized()
	}
	u.password = req.Body.User.Password
	st.revokeUser(u.ID) // hook: records the revocation event (v3_revoke.go)
	return v3s.ChangeUserPassword204Response{}, nil
}

// ListUserGroups lists the groups of a user.
func (s *v3) ListUserGroups(ctx context.Context, req v3s.ListUserGroupsRequestObject) (v3s.ListUserGroupsResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	out := []v3s.UserGroup{}
	for _, gid := range st.groupsOf(req.UserID) {
		g := st.groups.get(gid)
		if req.Params.Name != nil && g.Name != *req.Params.Name {
			continue
		}
		out = append(out, v3s.UserGroup{
			ID: g.ID, Name: g.Name, DomainID: g.DomainID, Description: g.Description, Links: g.Links,
			MembershipExpiresAt: null[string](), AdditionalProperties: g.AdditionalProperties,
		})
	}
	return v3s.ListUserGroups200JSONResponse{Groups: out, Links: st.collection("users/" + req.UserID + "/groups")}, nil
}

// ListUserProjects lists the projects a user has a role on.
func (s *v3) ListUserProjects(ctx context.Context, req v3s.ListUserProjectsRequestObject) (v3s.ListUserProjectsResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(req.UserID) == nil {
		return nil, notFound("user", req.UserID)
	}
	p := req.Params
	out := []v3s.Project{}
	for _, pr := range st.projects.all() {
		dom, _ := value(pr.DomainID)
		if len(st.directRoles(req.UserID, target{project: pr.ID})) == 0 ||
			(p.DomainID != nil && dom != *p.DomainID) || (p.Enabled != nil && pr.Enabled != *p.Enabled) ||
			(p.Name != nil && pr.Name != *p.Name) {
			continue
		}
		out = append(out, *pr)
	}
	return projectJSON{200, v3s.ProjectList{Projects: out, Links: st.collection("users/" + req.UserID + "/projects")}}, nil
}

// --- groups

// ListGroups lists groups.
func (s *v3) ListGroups(ctx context.Context, req v3s.ListGroupsRequestObject) (v3s.ListGroupsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	dom, err := st.listDomain(ctx, req.Params.DomainID)
	if err != nil {
		return nil, err
	}
	out := []v3s.Group{}
	for _, g := range st.groups.all() {
		if (req.Params.Name != nil && g.Name != *req.Params.Name) || (dom != nil && g.DomainID != *dom) {
			continue
		}
		out = append(out, *g)
	}
	return v3s.ListGroups200JSONResponse{Groups: out, Links: st.collection("groups")}, nil
}

// CreateGroup creates a group.
func (s *v3) CreateGroup(ctx context.Context, req v3s.CreateGroupRequestObject) (v3s.CreateGroupResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find group in request body.")
	}
	in := req.Body.Group
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	dom := st.scopeDomain(ctx)
	if in.DomainID != nil {
		dom = *in.DomainID
	}
	if st.domains.get(dom) == nil {
		return nil, notFound("domain", dom)
	}
	for _, o := range st.groups.all() {
		if o.DomainID == dom && o.Name == in.Name {
			return nil, conflict("group", "name", in.Name)
		}
	}
	id := newID()
	g := &v3s.Group{ID: id, Name: in.Name, DomainID: dom, Description: some(""), Links: st.link("groups/" + id),
		AdditionalProperties: in.AdditionalProperties}
	if in.Description.IsSpecified() {
		g.Description = in.Description
	}
	st.groups.put(id, g)
	st.members[id] = map[string]bool{}
	return v3s.CreateGroup201JSONResponse{Group: *g}, nil
}

// GetGroup shows a group.
func (s *v3) GetGroup(_ context.Context, req v3s.GetGroupRequestObject) (v3s.GetGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	g := st.groups.get(req.GroupID)
	if g == nil {
		return nil, notFound("group", req.GroupID)
	}
	return v3s.GetGroup200JSONResponse{Group: *g}, nil
}

// UpdateGroup updates a group.
func (s *v3) UpdateGroup(_ context.Context, req v3s.UpdateGroupRequestObject) (v3s.UpdateGroupResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find group in request body.")
	}
	in := req.Body.Group
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	g := st.groups.get(req.GroupID)
	if g == nil {
		return nil, notFound("group", req.GroupID)
	}
	if in.DomainID != nil && *in.DomainID != g.DomainID {
		return nil, badRequest("Cannot change Domain ID.")
	}
	if in.Name != nil {
		for _, o := range st.groups.all() {
			if o.ID != g.ID && o.DomainID == g.DomainID && o.Name == *in.Name {
				return nil, conflict("group", "name", *in.Name)
			}
		}
		g.Name = *in.Name
	}
	if in.Description.IsSpecified() {
		g.Description = in.Description
	}
	mergeExtras(&g.AdditionalProperties, in.AdditionalProperties)
	return v3s.UpdateGroup200JSONResponse{Group: *g}, nil
}

// DeleteGroup deletes a group and its grants.
func (s *v3) DeleteGroup(_ context.Context, req v3s.DeleteGroupRequestObject) (v3s.DeleteGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.groups.get(req.GroupID) == nil {
		return nil, notFound("group", req.GroupID)
	}
	st.deleteGroup(req.GroupID)
	return v3s.DeleteGroup204Response{}, nil
}

func (st *state) deleteGroup(id string) {
	st.revokeGroupMembers(id) // hook: records the revocation event (v3_revoke.go)
	st.dropGrants(func(g grant) bool { return g.group && g.actor == id })
	delete(st.members, id)
	st.groups.del(id)
}

// ListGroupUsers lists the members of a group.
func (s *v3) ListGroupUsers(_ context.Context, req v3s.ListGroupUsersRequestObject) (v3s.ListGroupUsersResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.groups.get(req.GroupID) == nil {
		return nil, notFound("group", req.GroupID)
	}
	p := req.Params
	out := []v3s.User{}
	for _, u := range st.users.all() {
		if p.PasswordExpiresAt == nil && st.members[req.GroupID][u.ID] && userMatches(u, p.DomainID, p.Enabled, p.Name) {
			out = append(out, u.User)
		}
	}
	return v3s.ListGroupUsers200JSONResponse{Users: out, Links: st.collection("groups/" + req.GroupID + "/users")}, nil
}

func (st *state) groupAndUser(groupID, userID string) error {
	if st.groups.get(groupID) == nil {
		return notFound("group", groupID)
	}
	if st.users.get(userID) == nil {
		return notFound("user", userID)
	}
	return nil
}

// AddUserToGroup adds a user to a group.
func (s *v3) AddUserToGroup(_ context.Context, req v3s.AddUserToGroupRequestObject) (v3s.AddUserToGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.groupAndUser(req.GroupID, req.UserID); err != nil {
		return nil, err
	}
	st.members[req.GroupID][req.UserID] = true
	return v3s.AddUserToGroup204Response{}, nil
}

// CheckUserInGroup checks that a user belongs to a group.
func (s *v3) CheckUserInGroup(_ context.Context, req v3s.CheckUserInGroupRequestObject) (v3s.CheckUserInGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.groupAndUser(req.GroupID, req.UserID); err != nil {
		return nil, err
	}
	if !st.members[req.GroupID][req.UserID] {
		return nil, errorf(http.StatusNotFound, "User '%s' not found in group '%s'", req.UserID, req.GroupID)
	}
	return v3s.CheckUserInGroup204Response{}, nil
}

// RemoveUserFromGroup removes a user from a group.
func (s *v3) RemoveUserFromGroup(_ context.Context, req v3s.RemoveUserFromGroupRequestObject) (v3s.RemoveUserFromGroupResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.groupAndUser(req.GroupID, req.UserID); err != nil {
		return nil, err
	}
	if !st.members[req.GroupID][req.UserID] {
		return nil, errorf(http.StatusNotFound, "User '%s' not found in group '%s'", req.UserID, req.GroupID)
	}
	delete(st.members[req.GroupID], req.UserID)
	st.recordRevocation(revocationEvent{userID: req.UserID}) // hook: records the revocation event (v3_revoke.go)
	return v3s.RemoveUserFromGroup204Response{}, nil
}

// --- application credentials

// CreateApplicationCredential creates an application credential for the
// caller's own user, on the caller's project, with some or all of the
// token's roles and, optionally, access rules.
func (s *v3) CreateApplicationCredential(ctx context.Context, req v3s.CreateApplicationCredentialRequestObject) (v3s.CreateApplicationCredentialResponseObject, error) {
	c := callerFrom(ctx)
	if c.tok.userID != req.UserID {
		return nil, forbidden()
	}
	if c.tok.scope.project == "" {
		return nil, errorf(http.StatusForbidden, "Application credentials require a project-scoped token.")
	}
	if req.Body == nil {
		return nil, badRequest("Expecting to find application_credential in request body.")
	}
	in := req.Body.ApplicationCredential
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, o := range st.appcreds.all() {
		if o.UserID == req.UserID && o.Name == in.Name {
			return nil, conflict("application_credential", "name", in.Name)
		}
	}
	if e, ok := value(in.ExpiresAt); ok && !e.After(st.now()) {
		return nil, badRequest("The expiration date of an application credential must be in the future.")
	}
	have := st.tokenRoles(c.tok)
	roleIDs := have
	if len(in.Roles) > 0 {
		roleIDs = nil
		for _, ref := range in.Roles {
			var r *v3s.Role
			if ref.ID != nil {
				r = st.roles.get(*ref.ID)
			} else if ref.Name != nil {
				for _, o := range st.roles.all() {
					if _, global := value(o.DomainID); o.Name == *ref.Name && !global {
						r = o
					}
				}
			}
			if r == nil {
				name := ""
				if ref.ID != nil {
					name = *ref.ID
				} else if ref.Name != nil {
					name = *ref.Name
				}
				return nil, notFound("role", name)
			}
			if !containsStr(have, r.ID) {
				return nil, badRequest("Invalid application credential: role %s is not one of the token's roles.", r.Name)
			}
			roleIDs = append(roleIDs, r.ID)
		}
	}
	var rules []v3s.ApplicationCredentialAccessRule
	for _, ar := range in.AccessRules {
		rule, err := st.accessRuleFor(req.UserID, ar)
		if err != nil {
			return nil, err
		}
		rules = append(rules, v3s.ApplicationCredentialAccessRule{ID: rule.id, Service: rule.service, Path: rule.path, Method: rule.method})
	}
	id := newID()
	secret, _ := value(in.Secret)
	if secret == "" {
		secret = newTokenID()[6:]
	}
	ac := &appCred{ApplicationCredential: v3s.ApplicationCredential{
		ID: id, Name: in.Name, UserID: req.UserID, ProjectID: some(c.tok.scope.project),
		Description: null[string](), ExpiresAt: null[string](), System: null[string](), Unrestricted: null[bool](),
		Links: st.link("application_credentials/" + id), AccessRules: rules,
	}, secret: secret, roleIDs: roleIDs, restricted: in.Unrestricted == nil || !*in.Unrestricted}
	if in.Unrestricted != nil {
		ac.Unrestricted = some(*in.Unrestricted)
	}
	if d, ok := value(in.Description); ok {
		ac.Description = some(d)
	}
	if e, ok := value(in.ExpiresAt); ok {
		ac.ExpiresAt = some(e.UTC().Format("2006-01-02T15:04:05.000000"))
	}
	for _, rid := range roleIDs {
		r := st.roles.get(rid)
		ac.Roles = append(ac.Roles, v3s.ApplicationCredentialRole{ID: r.ID, Name: r.Name, Description: r.Description, DomainID: r.DomainID, Options: r.Options})
	}
	st.appcreds.put(id, ac)
	out := ac.ApplicationCredential
	out.Secret = &secret
	return v3s.CreateApplicationCredential201JSONResponse{ApplicationCredential: out}, nil
}

// accessRuleFor returns the user's access rule given by ID, or the one with
// the same service, path and method, or a new one.
func (st *state) accessRuleFor(userID string, ar v3s.ApplicationCredentialAccessRuleCreate) (*accessRule, error) {
	if ar.ID != nil {
		r := st.rules.get(*ar.ID)
		if r == nil || r.userID != userID {
			return nil, notFound("access rule", *ar.ID)
		}
		return r, nil
	}
	if ar.Service == nil || ar.Path == nil || ar.Method == nil {
		return nil, badRequest("An access rule needs a service, a path and a method, or an id.")
	}
	for _, r := range st.rules.all() {
		if r.userID == userID && r.service == *ar.Service && r.path == *ar.Path && r.method == string(*ar.Method) {
			return r, nil
		}
	}
	r := &accessRule{id: newID(), userID: userID, service: *ar.Service, path: *ar.Path, method: string(*ar.Method)}
	st.rules.put(r.id, r)
	return r, nil
}

func containsStr(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ListApplicationCredentials lists a user's application credentials (none
// for an unknown user, as Keystone).
func (s *v3) ListApplicationCredentials(ctx context.Context, req v3s.ListApplicationCredentialsRequestObject) (v3s.ListApplicationCredentialsResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.ApplicationCredential{}
	for _, ac := range st.appcreds.all() {
		if ac.UserID == req.UserID && (req.Params.Name == nil || ac.Name == *req.Params.Name) {
			out = append(out, ac.ApplicationCredential)
		}
	}
	return v3s.ListApplicationCredentials200JSONResponse{ApplicationCredentials: out, Links: st.collection("users/" + req.UserID + "/application_credentials")}, nil
}

// GetApplicationCredential shows an application credential, without its secret.
func (s *v3) GetApplicationCredential(ctx context.Context, req v3s.GetApplicationCredentialRequestObject) (v3s.GetApplicationCredentialResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	ac := st.appcreds.get(req.ApplicationCredentialID)
	if ac == nil || ac.UserID != req.UserID {
		return nil, notFound("application credential", req.ApplicationCredentialID)
	}
	return v3s.GetApplicationCredential200JSONResponse{ApplicationCredential: ac.ApplicationCredential}, nil
}

// DeleteApplicationCredential deletes an application credential and revokes
// its tokens; its access rules remain.
func (s *v3) DeleteApplicationCredential(ctx context.Context, req v3s.DeleteApplicationCredentialRequestObject) (v3s.DeleteApplicationCredentialResponseObject, error) {
	if err := selfOrAdmin(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	ac := st.appcreds.get(req.ApplicationCredentialID)
	if ac == nil || ac.UserID != req.UserID {
		return nil, notFound("application credential", req.ApplicationCredentialID)
	}
	st.appcreds.del(ac.ID)
	st.revokeWhere(func(t *token) bool { return t.appCredID == ac.ID })
	return v3s.DeleteApplicationCredential204Response{}, nil
}

// --- access rules (the owner's only: Keystone refuses even an administrator)

func ownerOnly(ctx context.Context, userID string) error {
	if callerFrom(ctx).tok.userID != userID {
		return forbidden()
	}
	return nil
}

func (st *state) accessRuleOut(r *accessRule) v3s.AccessRule {
	return v3s.AccessRule{ID: r.id, Service: r.service, Path: r.path, Method: r.method, Links: st.link("access_rules/" + r.id)}
}

// ListAccessRules lists a user's access rules.
func (s *v3) ListAccessRules(ctx context.Context, req v3s.ListAccessRulesRequestObject) (v3s.ListAccessRulesResponseObject, error) {
	if err := ownerOnly(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := req.Params
	out := []v3s.AccessRule{}
	for _, r := range st.rules.all() {
		if r.userID != req.UserID || (p.Service != nil && r.service != *p.Service) || (p.Path != nil && r.path != *p.Path) ||
			(p.Method != nil && r.method != *p.Method) {
			continue
		}
		out = append(out, st.accessRuleOut(r))
	}
	return v3s.ListAccessRules200JSONResponse{AccessRules: out, Links: st.collection("users/" + req.UserID + "/access_rules")}, nil
}

// GetAccessRule shows an access rule.
func (s *v3) GetAccessRule(ctx context.Context, req v3s.GetAccessRuleRequestObject) (v3s.GetAccessRuleResponseObject, error) {
	if err := ownerOnly(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.rules.get(req.AccessRuleID)
	if r == nil || r.userID != req.UserID {
		return nil, notFound("access rule", req.AccessRuleID)
	}
	return v3s.GetAccessRule200JSONResponse{AccessRule: st.accessRuleOut(r)}, nil
}

// DeleteAccessRule deletes an access rule no application credential uses.
func (s *v3) DeleteAccessRule(ctx context.Context, req v3s.DeleteAccessRuleRequestObject) (v3s.DeleteAccessRuleResponseObject, error) {
	if err := ownerOnly(ctx, req.UserID); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	r := st.rules.get(req.AccessRuleID)
	if r == nil || r.userID != req.UserID {
		return nil, notFound("access rule", req.AccessRuleID)
	}
	for _, ac := range st.appcreds.all() {
		for _, ar := range ac.AccessRules {
			if ar.ID == r.id {
				return nil, errorf(http.StatusForbidden, "Cannot delete access rule %s: it is in use by application credential %s.", r.id, ac.ID)
			}
		}
	}
	st.rules.del(r.id)
	return v3s.DeleteAccessRule204Response{}, nil
}
