package keystone

// UsersManager manages users, their password, groups and projects.
type UsersManager struct{ c *V3Client }

// GroupsManager manages groups and their members.
type GroupsManager struct{ c *V3Client }

// RolesManager manages roles, grants, inherited grants and implied roles.
type RolesManager struct{ c *V3Client }

// RoleAssignmentsManager manages role assignments.
type RoleAssignmentsManager struct{ c *V3Client }
