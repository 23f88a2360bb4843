package keystonetest

import (
	"context"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// The grant operations: each resolves its path into a grant and lets
// state.changeGrant or state.grantedRoles do the work.

// GrantProjectUserRole grants a role of a user on the project.
func (s *v3) GrantProjectUserRole(_ context.Context, req v3s.GrantProjectUserRoleRequestObject) (v3s.GrantProjectUserRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.UserID, group: false, role: req.RoleID, project: req.ProjectID}); err != nil {
		return nil, err
	}
	return v3s.GrantProjectUserRole204Response{}, nil
}

// CheckProjectUserRole checks a role of a user on the project.
func (s *v3) CheckProjectUserRole(_ context.Context, req v3s.CheckProjectUserRoleRequestObject) (v3s.CheckProjectUserRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.UserID, group: false, role: req.RoleID, project: req.ProjectID}); err != nil {
		return nil, err
	}
	return v3s.CheckProjectUserRole204Response{}, nil
}

// RevokeProjectUserRole revokes a role of a user on the project.
func (s *v3) RevokeProjectUserRole(_ context.Context, req v3s.RevokeProjectUserRoleRequestObject) (v3s.RevokeProjectUserRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.UserID, group: false, role: req.RoleID, project: req.ProjectID}); err != nil {
		return nil, err
	}
	return v3s.RevokeProjectUserRole204Response{}, nil
}

// ListProjectUserRoles lists the roles of a user on the project.
func (s *v3) ListProjectUserRoles(_ context.Context, req v3s.ListProjectUserRolesRequestObject) (v3s.ListProjectUserRolesResponseObject, error) {
	list, err := s.state.grantedRoles(req.UserID, false, target{project: req.ProjectID})
	if err != nil {
		return nil, err
	}
	return v3s.ListProjectUserRoles200JSONResponse(list), nil
}

// GrantProjectGroupRole grants a role of a group on the project.
func (s *v3) GrantProjectGroupRole(_ context.Context, req v3s.GrantProjectGroupRoleRequestObject) (v3s.GrantProjectGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.GroupID, group: true, role: req.RoleID, project: req.ProjectID}); err != nil {
		return nil, err
	}
	return v3s.GrantProjectGroupRole204Response{}, nil
}

// CheckProjectGroupRole checks a role of a group on the project.
func (s *v3) CheckProjectGroupRole(_ context.Context, req v3s.CheckProjectGroupRoleRequestObject) (v3s.CheckProjectGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.GroupID, group: true, role: req.RoleID, project: req.ProjectID}); err != nil {
		return nil, err
	}
	return v3s.CheckProjectGroupRole204Response{}, nil
}

// RevokeProjectGroupRole revokes a role of a group on the project.
func (s *v3) RevokeProjectGroupRole(_ context.Context, req v3s.RevokeProjectGroupRoleRequestObject) (v3s.RevokeProjectGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.GroupID, group: true, role: req.RoleID, project: req.ProjectID}); err != nil {
		return nil, err
	}
	return v3s.RevokeProjectGroupRole204Response{}, nil
}

// ListProjectGroupRoles lists the roles of a group on the project.
func (s *v3) ListProjectGroupRoles(_ context.Context, req v3s.ListProjectGroupRolesRequestObject) (v3s.ListProjectGroupRolesResponseObject, error) {
	list, err := s.state.grantedRoles(req.GroupID, true, target{project: req.ProjectID})
	if err != nil {
		return nil, err
	}
	return v3s.ListProjectGroupRoles200JSONResponse(list), nil
}

// GrantDomainUserRole grants a role of a user on the domain.
func (s *v3) GrantDomainUserRole(_ context.Context, req v3s.GrantDomainUserRoleRequestObject) (v3s.GrantDomainUserRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.UserID, group: false, role: req.RoleID, domain: req.DomainID}); err != nil {
		return nil, err
	}
	return v3s.GrantDomainUserRole204Response{}, nil
}

// CheckDomainUserRole checks a role of a user on the domain.
func (s *v3) CheckDomainUserRole(_ context.Context, req v3s.CheckDomainUserRoleRequestObject) (v3s.CheckDomainUserRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.UserID, group: false, role: req.RoleID, domain: req.DomainID}); err != nil {
		return nil, err
	}
	return v3s.CheckDomainUserRole204Response{}, nil
}

// RevokeDomainUserRole revokes a role of a user on the domain.
func (s *v3) RevokeDomainUserRole(_ context.Context, req v3s.RevokeDomainUserRoleRequestObject) (v3s.RevokeDomainUserRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.UserID, group: false, role: req.RoleID, domain: req.DomainID}); err != nil {
		return nil, err
	}
	return v3s.RevokeDomainUserRole204Response{}, nil
}

// ListDomainUserRoles lists the roles of a user on the domain.
func (s *v3) ListDomainUserRoles(_ context.Context, req v3s.ListDomainUserRolesRequestObject) (v3s.ListDomainUserRolesResponseObject, error) {
	list, err := s.state.grantedRoles(req.UserID, false, target{domain: req.DomainID})
	if err != nil {
		return nil, err
	}
	return v3s.ListDomainUserRoles200JSONResponse(list), nil
}

// GrantDomainGroupRole grants a role of a group on the domain.
func (s *v3) GrantDomainGroupRole(_ context.Context, req v3s.GrantDomainGroupRoleRequestObject) (v3s.GrantDomainGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.GroupID, group: true, role: req.RoleID, domain: req.DomainID}); err != nil {
		return nil, err
	}
	return v3s.GrantDomainGroupRole204Response{}, nil
}

// CheckDomainGroupRole checks a role of a group on the domain.
func (s *v3) CheckDomainGroupRole(_ context.Context, req v3s.CheckDomainGroupRoleRequestObject) (v3s.CheckDomainGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.GroupID, group: true, role: req.RoleID, domain: req.DomainID}); err != nil {
		return nil, err
	}
	return v3s.CheckDomainGroupRole204Response{}, nil
}

// RevokeDomainGroupRole revokes a role of a group on the domain.
func (s *v3) RevokeDomainGroupRole(_ context.Context, req v3s.RevokeDomainGroupRoleRequestObject) (v3s.RevokeDomainGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.GroupID, group: true, role: req.RoleID, domain: req.DomainID}); err != nil {
		return nil, err
	}
	return v3s.RevokeDomainGroupRole204Response{}, nil
}

// ListDomainGroupRoles lists the roles of a group on the domain.
func (s *v3) ListDomainGroupRoles(_ context.Context, req v3s.ListDomainGroupRolesRequestObject) (v3s.ListDomainGroupRolesResponseObject, error) {
	list, err := s.state.grantedRoles(req.GroupID, true, target{domain: req.DomainID})
	if err != nil {
		return nil, err
	}
	return v3s.ListDomainGroupRoles200JSONResponse(list), nil
}

// GrantSystemUserRole grants a role of a user on the system.
func (s *v3) GrantSystemUserRole(_ context.Context, req v3s.GrantSystemUserRoleRequestObject) (v3s.GrantSystemUserRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.UserID, group: false, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.GrantSystemUserRole204Response{}, nil
}

// CheckSystemUserRole checks a role of a user on the system.
func (s *v3) CheckSystemUserRole(_ context.Context, req v3s.CheckSystemUserRoleRequestObject) (v3s.CheckSystemUserRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.UserID, group: false, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.CheckSystemUserRole204Response{}, nil
}

// RevokeSystemUserRole revokes a role of a user on the system.
func (s *v3) RevokeSystemUserRole(_ context.Context, req v3s.RevokeSystemUserRoleRequestObject) (v3s.RevokeSystemUserRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.UserID, group: false, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.RevokeSystemUserRole204Response{}, nil
}

// GetSystemUserRole checks a role of a user on the system.
func (s *v3) GetSystemUserRole(_ context.Context, req v3s.GetSystemUserRoleRequestObject) (v3s.GetSystemUserRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.UserID, group: false, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.GetSystemUserRole204Response{}, nil
}

// ListSystemUserRoles lists the roles of a user on the system.
func (s *v3) ListSystemUserRoles(_ context.Context, req v3s.ListSystemUserRolesRequestObject) (v3s.ListSystemUserRolesResponseObject, error) {
	list, err := s.state.grantedRoles(req.UserID, false, target{system: true})
	if err != nil {
		return nil, err
	}
	return v3s.ListSystemUserRoles200JSONResponse(list), nil
}

// GrantSystemGroupRole grants a role of a group on the system.
func (s *v3) GrantSystemGroupRole(_ context.Context, req v3s.GrantSystemGroupRoleRequestObject) (v3s.GrantSystemGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("grant", grant{actor: req.GroupID, group: true, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.GrantSystemGroupRole204Response{}, nil
}

// CheckSystemGroupRole checks a role of a group on the system.
func (s *v3) CheckSystemGroupRole(_ context.Context, req v3s.CheckSystemGroupRoleRequestObject) (v3s.CheckSystemGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.GroupID, group: true, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.CheckSystemGroupRole204Response{}, nil
}

// RevokeSystemGroupRole revokes a role of a group on the system.
func (s *v3) RevokeSystemGroupRole(_ context.Context, req v3s.RevokeSystemGroupRoleRequestObject) (v3s.RevokeSystemGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("revoke", grant{actor: req.GroupID, group: true, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.RevokeSystemGroupRole204Response{}, nil
}

// GetSystemGroupRole checks a role of a group on the system.
func (s *v3) GetSystemGroupRole(_ context.Context, req v3s.GetSystemGroupRoleRequestObject) (v3s.GetSystemGroupRoleResponseObject, error) {
	if err := s.state.changeGrant("check", grant{actor: req.GroupID, group: true, role: req.RoleID, system: true}); err != nil {
		return nil, err
	}
	return v3s.GetSystemGroupRole204Response{}, nil
}

// ListSystemGroupRoles lists the roles of a group on the system.
func (s *v3) ListSystemGroupRoles(_ context.Context, req v3s.ListSystemGroupRolesRequestObject) (v3s.ListSystemGroupRolesResponseObject, error) {
	list, err := s.state.grantedRoles(req.GroupID, true, target{system: true})
	if err != nil {
		return nil, err
	}
	return v3s.ListSystemGroupRoles200JSONResponse(list), nil
}
