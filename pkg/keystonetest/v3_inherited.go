package keystonetest

import (
	"context"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// The OS-INHERIT grant operations: roles granted on a domain or project that
// apply to every project under it.

// GrantInheritedDomainUserRole grants an inherited role of a user on a domain.
func (s *v3) GrantInheritedDomainUserRole(_ context.Context, req v3s.GrantInheritedDomainUserRoleRequestObject) (v3s.GrantInheritedDomainUserRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.UserID, group: false, role: req.RoleID, domain: req.DomainID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.GrantInheritedDomainUserRole204Response{}, nil
}

// CheckInheritedDomainUserRole checks an inherited role of a user on a domain.
func (s *v3) CheckInheritedDomainUserRole(_ context.Context, req v3s.CheckInheritedDomainUserRoleRequestObject) (v3s.CheckInheritedDomainUserRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.UserID, group: false, role: req.RoleID, domain: req.DomainID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.CheckInheritedDomainUserRole204Response{}, nil
}

// RevokeInheritedDomainUserRole revokes an inherited role of a user on a domain.
func (s *v3) RevokeInheritedDomainUserRole(_ context.Context, req v3s.RevokeInheritedDomainUserRoleRequestObject) (v3s.RevokeInheritedDomainUserRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.UserID, group: false, role: req.RoleID, domain: req.DomainID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.RevokeInheritedDomainUserRole204Response{}, nil
}

// ListInheritedDomainUserRoles lists the inherited roles of a user on a domain.
func (s *v3) ListInheritedDomainUserRoles(_ context.Context, req v3s.ListInheritedDomainUserRolesRequestObject) (v3s.ListInheritedDomainUserRolesResponseObject, error) {
	list, err := s.state.inheritedRoles(req.UserID, false, req.DomainID)
	if err != nil {
		return nil, err
	}
	return v3s.ListInheritedDomainUserRoles200JSONResponse(list), nil
}

// GrantInheritedDomainGroupRole grants an inherited role of a group on a domain.
func (s *v3) GrantInheritedDomainGroupRole(_ context.Context, req v3s.GrantInheritedDomainGroupRoleRequestObject) (v3s.GrantInheritedDomainGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.GroupID, group: true, role: req.RoleID, domain: req.DomainID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.GrantInheritedDomainGroupRole204Response{}, nil
}

// CheckInheritedDomainGroupRole checks an inherited role of a group on a domain.
func (s *v3) CheckInheritedDomainGroupRole(_ context.Context, req v3s.CheckInheritedDomainGroupRoleRequestObject) (v3s.CheckInheritedDomainGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.GroupID, group: true, role: req.RoleID, domain: req.DomainID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.CheckInheritedDomainGroupRole204Response{}, nil
}

// RevokeInheritedDomainGroupRole revokes an inherited role of a group on a domain.
func (s *v3) RevokeInheritedDomainGroupRole(_ context.Context, req v3s.RevokeInheritedDomainGroupRoleRequestObject) (v3s.RevokeInheritedDomainGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.GroupID, group: true, role: req.RoleID, domain: req.DomainID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.RevokeInheritedDomainGroupRole204Response{}, nil
}

// ListInheritedDomainGroupRoles lists the inherited roles of a group on a domain.
func (s *v3) ListInheritedDomainGroupRoles(_ context.Context, req v3s.ListInheritedDomainGroupRolesRequestObject) (v3s.ListInheritedDomainGroupRolesResponseObject, error) {
	list, err := s.state.inheritedRoles(req.GroupID, true, req.DomainID)
	if err != nil {
		return nil, err
	}
	return v3s.ListInheritedDomainGroupRoles200JSONResponse(list), nil
}

// GrantInheritedProjectUserRole grants an inherited role of a user on a project.
func (s *v3) GrantInheritedProjectUserRole(_ context.Context, req v3s.GrantInheritedProjectUserRoleRequestObject) (v3s.GrantInheritedProjectUserRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.UserID, group: false, role: req.RoleID, project: req.ProjectID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.GrantInheritedProjectUserRole204Response{}, nil
}

// CheckInheritedProjectUserRole checks an inherited role of a user on a project.
func (s *v3) CheckInheritedProjectUserRole(_ context.Context, req v3s.CheckInheritedProjectUserRoleRequestObject) (v3s.CheckInheritedProjectUserRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.UserID, group: false, role: req.RoleID, project: req.ProjectID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.CheckInheritedProjectUserRole204Response{}, nil
}

// RevokeInheritedProjectUserRole revokes an inherited role of a user on a project.
func (s *v3) RevokeInheritedProjectUserRole(_ context.Context, req v3s.RevokeInheritedProjectUserRoleRequestObject) (v3s.RevokeInheritedProjectUserRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.UserID, group: false, role: req.RoleID, project: req.ProjectID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.RevokeInheritedProjectUserRole204Response{}, nil
}

// GrantInheritedProjectGroupRole grants an inherited role of a group on a project.
func (s *v3) GrantInheritedProjectGroupRole(_ context.Context, req v3s.GrantInheritedProjectGroupRoleRequestObject) (v3s.GrantInheritedProjectGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.GroupID, group: true, role: req.RoleID, project: req.ProjectID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.GrantInheritedProjectGroupRole204Response{}, nil
}

// CheckInheritedProjectGroupRole checks an inherited role of a group on a project.
func (s *v3) CheckInheritedProjectGroupRole(_ context.Context, req v3s.CheckInheritedProjectGroupRoleRequestObject) (v3s.CheckInheritedProjectGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.GroupID, group: true, role: req.RoleID, project: req.ProjectID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.CheckInheritedProjectGroupRole204Response{}, nil
}

// RevokeInheritedProjectGroupRole revokes an inherited role of a group on a project.
func (s *v3) RevokeInheritedProjectGroupRole(_ context.Context, req v3s.RevokeInheritedProjectGroupRoleRequestObject) (v3s.RevokeInheritedProjectGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.GroupID, group: true, role: req.RoleID, project: req.ProjectID, inherited: true}); err != nil {
		return nil, err
	}
	return v3s.RevokeInheritedProjectGroupRole204Response{}, nil
}
