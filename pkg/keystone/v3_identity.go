package keystone

import (
	"context"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// UsersManager manages users, their groups and projects.
type UsersManager struct{ c *V3Client }

// Create creates a user.
func (m *UsersManager) Create(ctx context.Context, user identityv3.UserCreate) (*identityv3.User, error) {
	e, err := call[identityv3.UserEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateUser(ctx, identityv3.UserCreateRequest{User: user})
	})
	if err != nil {
		return nil, err
	}
	return &e.User, nil
}

// Get returns a user.
func (m *UsersManager) Get(ctx context.Context, userID string) (*identityv3.User, error) {
	e, err := call[identityv3.UserEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetUser(ctx, userID) })
	if err != nil {
		return nil, err
	}
	return &e.User, nil
}

// Update changes a user.
func (m *UsersManager) Update(ctx context.Context, userID string, user identityv3.UserUpdate) (*identityv3.User, error) {
	e, err := call[identityv3.UserEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateUser(ctx, userID, identityv3.UserUpdateRequest{User: user})
	})
	if err != nil {
		return nil, err
	}
	return &e.User, nil
}

// Delete deletes a user.
func (m *UsersManager) Delete(ctx context.Context, userID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteUser(ctx, userID) })
}

// ListAll collects List.
func (m *UsersManager) ListAll(ctx context.Context, opts *identityv3.ListUsersParams) ([]identityv3.User, error) {
	return Collect(m.List(ctx, opts))
}

// List lists users, following the server's pages.
func (m *UsersManager) List(ctx context.Context, opts *identityv3.ListUsersParams) iter.Seq2[identityv3.User, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListUsers(ctx, opts) },
		func(l *identityv3.UserList) ([]identityv3.User, *string) { return l.Users, nextLink(l.Links) })
}

// GroupsAll collects Groups.
func (m *UsersManager) GroupsAll(ctx context.Context, userID string, opts *identityv3.ListUserGroupsParams) ([]identityv3.UserGroup, error) {
	return Collect(m.Groups(ctx, userID, opts))
}

// Groups lists the groups a user belongs to.
func (m *UsersManager) Groups(ctx context.Context, userID string, opts *identityv3.ListUserGroupsParams) iter.Seq2[identityv3.UserGroup, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListUserGroups(ctx, userID, opts) },
		func(l *identityv3.UserGroupList) ([]identityv3.UserGroup, *string) {
			return l.Groups, nextLink(l.Links)
		})
}

// ProjectsAll collects Projects.
func (m *UsersManager) ProjectsAll(ctx context.Context, userID string, opts *identityv3.ListUserProjectsParams) ([]identityv3.Project, error) {
	return Collect(m.Projects(ctx, userID, opts))
}

// Projects lists the projects a user has a role on.
func (m *UsersManager) Projects(ctx context.Context, userID string, opts *identityv3.ListUserProjectsParams) iter.Seq2[identityv3.Project, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListUserProjects(ctx, userID, opts) },
		func(l *identityv3.ProjectList) ([]identityv3.Project, *string) { return l.Projects, nextLink(l.Links) })
}

// ChangePassword changes a user's own password, given the original one (it revokes the user's tokens).
func (m *UsersManager) ChangePassword(ctx context.Context, userID string, user identityv3.UserPasswordChange) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.ChangeUserPassword(ctx, userID, identityv3.UserPasswordChangeRequest{User: user})
	})
}

// GroupsManager manages groups and their members.
type GroupsManager struct{ c *V3Client }

// Create creates a group.
func (m *GroupsManager) Create(ctx context.Context, group identityv3.GroupCreate) (*identityv3.Group, error) {
	e, err := call[identityv3.GroupEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateGroup(ctx, identityv3.GroupCreateRequest{Group: group})
	})
	if err != nil {
		return nil, err
	}
	return &e.Group, nil
}

// Get returns a group.
func (m *GroupsManager) Get(ctx context.Context, groupID string) (*identityv3.Group, error) {
	e, err := call[identityv3.GroupEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetGroup(ctx, groupID) })
	if err != nil {
		return nil, err
	}
	return &e.Group, nil
}

// Update changes a group.
func (m *GroupsManager) Update(ctx context.Context, groupID string, group identityv3.GroupUpdate) (*identityv3.Group, error) {
	e, err := call[identityv3.GroupEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateGroup(ctx, groupID, identityv3.GroupUpdateRequest{Group: group})
	})
	if err != nil {
		return nil, err
	}
	return &e.Group, nil
}

// Delete deletes a group.
func (m *GroupsManager) Delete(ctx context.Context, groupID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteGroup(ctx, groupID) })
}

// ListAll collects List.
func (m *GroupsManager) ListAll(ctx context.Context, opts *identityv3.ListGroupsParams) ([]identityv3.Group, error) {
	return Collect(m.List(ctx, opts))
}

// List lists groups, following the server's pages.
func (m *GroupsManager) List(ctx context.Context, opts *identityv3.ListGroupsParams) iter.Seq2[identityv3.Group, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListGroups(ctx, opts) },
		func(l *identityv3.GroupList) ([]identityv3.Group, *string) { return l.Groups, nextLink(l.Links) })
}

// AddUser adds a user to a group (adding a member again is no error).
func (m *GroupsManager) AddUser(ctx context.Context, groupID string, userID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.AddUserToGroup(ctx, groupID, userID) })
}

// RemoveUser removes a user from a group.
func (m *GroupsManager) RemoveUser(ctx context.Context, groupID string, userID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.RemoveUserFromGroup(ctx, groupID, userID)
	})
}

// HasUser reports whether a user belongs to a group.
func (m *GroupsManager) HasUser(ctx context.Context, groupID string, userID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckUserInGroup(ctx, groupID, userID)
	})
}

// UsersAll collects Users.
func (m *GroupsManager) UsersAll(ctx context.Context, groupID string, opts *identityv3.ListGroupUsersParams) ([]identityv3.User, error) {
	return Collect(m.Users(ctx, groupID, opts))
}

// Users lists the members of a group, following the server's pages.
func (m *GroupsManager) Users(ctx context.Context, groupID string, opts *identityv3.ListGroupUsersParams) iter.Seq2[identityv3.User, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListGroupUsers(ctx, groupID, opts) },
		func(l *identityv3.UserList) ([]identityv3.User, *string) { return l.Users, nextLink(l.Links) })
}

// RolesManager manages roles and implied roles.
type RolesManager struct{ c *V3Client }

// Create creates a role.
func (m *RolesManager) Create(ctx context.Context, role identityv3.RoleCreate) (*identityv3.Role, error) {
	e, err := call[identityv3.RoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateRole(ctx, identityv3.RoleCreateRequest{Role: role})
	})
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}

// Get returns a role.
func (m *RolesManager) Get(ctx context.Context, roleID string) (*identityv3.Role, error) {
	e, err := call[identityv3.RoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.GetRole(ctx, roleID) })
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}

// Update changes a role.
func (m *RolesManager) Update(ctx context.Context, roleID string, role identityv3.RoleUpdate) (*identityv3.Role, error) {
	e, err := call[identityv3.RoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.UpdateRole(ctx, roleID, identityv3.RoleUpdateRequest{Role: role})
	})
	if err != nil {
		return nil, err
	}
	return &e.Role, nil
}

// Delete deletes a role.
func (m *RolesManager) Delete(ctx context.Context, roleID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.DeleteRole(ctx, roleID) })
}

// ListAll collects List.
func (m *RolesManager) ListAll(ctx context.Context, opts *identityv3.ListRolesParams) ([]identityv3.Role, error) {
	return Collect(m.List(ctx, opts))
}

// List lists roles, following the server's pages.
func (m *RolesManager) List(ctx context.Context, opts *identityv3.ListRolesParams) iter.Seq2[identityv3.Role, error] {
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRoles(ctx, opts) },
		func(l *identityv3.RoleList) ([]identityv3.Role, *string) { return l.Roles, nextLink(l.Links) })
}

// CreateImplied makes a prior role imply another.
func (m *RolesManager) CreateImplied(ctx context.Context, priorRoleID string, impliesRoleID string) (*identityv3.ImpliedRoleEnvelope, error) {
	return call[identityv3.ImpliedRoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CreateImpliedRole(ctx, priorRoleID, impliesRoleID)
	})
}

// GetImplied returns an implied-role rule.
func (m *RolesManager) GetImplied(ctx context.Context, priorRoleID string, impliesRoleID string) (*identityv3.ImpliedRoleEnvelope, error) {
	return call[identityv3.ImpliedRoleEnvelope](ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.GetImpliedRole(ctx, priorRoleID, impliesRoleID)
	})
}

// HasImplied reports whether a prior role implies another.
func (m *RolesManager) HasImplied(ctx context.Context, priorRoleID string, impliesRoleID string) (bool, error) {
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.CheckImpliedRole(ctx, priorRoleID, impliesRoleID)
	})
}

// DeleteImplied removes an implied-role rule.
func (m *RolesManager) DeleteImplied(ctx context.Context, priorRoleID string, impliesRoleID string) error {
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return m.c.gen.DeleteImpliedRole(ctx, priorRoleID, impliesRoleID)
	})
}

// ListImplied returns the roles a prior role implies.
func (m *RolesManager) ListImplied(ctx context.Context, priorRoleID string) (*identityv3.ImpliedRoleList, error) {
	return call[identityv3.ImpliedRoleList](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListImpliedRoles(ctx, priorRoleID) })
}

// ListInferences returns every implied-role rule.
func (m *RolesManager) ListInferences(ctx context.Context) ([]identityv3.RoleInference, error) {
	e, err := call[identityv3.RoleInferenceList](ctx, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRoleInferences(ctx) })
	if err != nil {
		return nil, err
	}
	return e.RoleInferences, nil
}

// RoleAssignmentsManager manages role assignments.
type RoleAssignmentsManager struct{ c *V3Client }

// ListAll collects List.
func (m *RoleAssignmentsManager) ListAll(ctx context.Context, opts *identityv3.ListRoleAssignmentsParams) ([]identityv3.RoleAssignment, error) {
	return Collect(m.List(ctx, opts))
}

// List lists role assignments with every filter of the API; the flags Effective, IncludeNames and IncludeSubtree are sent only when true.
func (m *RoleAssignmentsManager) List(ctx context.Context, opts *identityv3.ListRoleAssignmentsParams) iter.Seq2[identityv3.RoleAssignment, error] {
	if opts != nil {
		o := *opts
		o.Effective = flag(o.Effective)
		o.IncludeNames = flag(o.IncludeNames)
		o.IncludeSubtree = flag(o.IncludeSubtree)
		opts = &o
	}
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return m.c.gen.ListRoleAssignments(ctx, opts) },
		func(l *identityv3.RoleAssignmentList) ([]identityv3.RoleAssignment, *string) {
			return l.RoleAssignments, nextLink(l.Links)
		})
}
