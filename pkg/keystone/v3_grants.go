package keystone

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// Actor is who a role is granted to: a user or a group.
type Actor struct{ kind, id string }

// UserActor is the user with this ID.
func UserActor(id string) Actor { return Actor{"user", id} }

// GroupActor is the group with this ID.
func GroupActor(id string) Actor { return Actor{"group", id} }

// Target is what a role is granted on: a project, a domain or the system.
type Target struct{ kind, id string }

// OnProject is the project with this ID.
func OnProject(id string) Target { return Target{"project", id} }

// OnDomain is the domain with this ID.
func OnDomain(id string) Target { return Target{"domain", id} }

// OnSystem is the whole deployment.
func OnSystem() Target { return Target{"system", "all"} }

// GrantOption changes a grant.
type GrantOption func(*grantOptions)

type grantOptions struct{ inherited bool }

// Inherited makes the grant apply to the projects below the target
// (OS-INHERIT) rather than to the target itself. It is valid on domains and
// projects.
func Inherited() GrantOption { return func(o *grantOptions) { o.inherited = true } }

// ErrInvalidGrant is returned, before any request, for a combination the API
// does not have (an inherited grant on the system, say).
var ErrInvalidGrant = errors.New("keystone: no such kind of grant")

type grantCall func(ctx context.Context, g *identityv3.Client, targetID, actorID, roleID string) (*http.Response, error)

type grantOps struct {
	grant, check, revoke grantCall
	list                 func(ctx context.Context, g *identityv3.Client, targetID, actorID string) (*http.Response, error)
}

func grantOpsFor(a Actor, t Target, o grantOptions) (grantOps, error) {
	if a.id == "" || t.id == "" {
		return grantOps{}, fmt.Errorf("%w: an actor and a target are needed", ErrInvalidGrant)
	}
	type key struct {
		actor, target string
		inherited     bool
	}
	k := key{a.kind, t.kind, o.inherited}
	ops, ok := map[key]grantOps{
		{"user", "project", false}: {
			grant: func(ctx context.Context, g *identityv3.Client, p, u, r string) (*http.Response, error) {
				return g.GrantProjectUserRole(ctx, p, u, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, p, u, r string) (*http.Response, error) {
				return g.CheckProjectUserRole(ctx, p, u, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, p, u, r string) (*http.Response, error) {
				return g.RevokeProjectUserRole(ctx, p, u, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, p, u string) (*http.Response, error) {
				return g.ListProjectUserRoles(ctx, p, u)
			},
		},
		{"group", "project", false}: {
			grant: func(ctx context.Context, g *identityv3.Client, p, x, r string) (*http.Response, error) {
				return g.GrantProjectGroupRole(ctx, p, x, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, p, x, r string) (*http.Response, error) {
				return g.CheckProjectGroupRole(ctx, p, x, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, p, x, r string) (*http.Response, error) {
				return g.RevokeProjectGroupRole(ctx, p, x, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, p, x string) (*http.Response, error) {
				return g.ListProjectGroupRoles(ctx, p, x)
			},
		},
		{"user", "domain", false}: {
			grant: func(ctx context.Context, g *identityv3.Client, d, u, r string) (*http.Response, error) {
				return g.GrantDomainUserRole(ctx, d, u, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, d, u, r string) (*http.Response, error) {
				return g.CheckDomainUserRole(ctx, d, u, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, d, u, r string) (*http.Response, error) {
				return g.RevokeDomainUserRole(ctx, d, u, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, d, u string) (*http.Response, error) {
				return g.ListDomainUserRoles(ctx, d, u)
			},
		},
		{"group", "domain", false}: {
			grant: func(ctx context.Context, g *identityv3.Client, d, x, r string) (*http.Response, error) {
				return g.GrantDomainGroupRole(ctx, d, x, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, d, x, r string) (*http.Response, error) {
				return g.CheckDomainGroupRole(ctx, d, x, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, d, x, r string) (*http.Response, error) {
				return g.RevokeDomainGroupRole(ctx, d, x, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, d, x string) (*http.Response, error) {
				return g.ListDomainGroupRoles(ctx, d, x)
			},
		},
		{"user", "system", false}: {
			grant: func(ctx context.Context, g *identityv3.Client, _, u, r string) (*http.Response, error) {
				return g.GrantSystemUserRole(ctx, u, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, _, u, r string) (*http.Response, error) {
				return g.CheckSystemUserRole(ctx, u, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, _, u, r string) (*http.Response, error) {
				return g.RevokeSystemUserRole(ctx, u, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, _, u string) (*http.Response, error) {
				return g.ListSystemUserRoles(ctx, u)
			},
		},
		{"group", "system", false}: {
			grant: func(ctx context.Context, g *identityv3.Client, _, x, r string) (*http.Response, error) {
				return g.GrantSystemGroupRole(ctx, x, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, _, x, r string) (*http.Response, error) {
				return g.CheckSystemGroupRole(ctx, x, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, _, x, r string) (*http.Response, error) {
				return g.RevokeSystemGroupRole(ctx, x, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, _, x string) (*http.Response, error) {
				return g.ListSystemGroupRoles(ctx, x)
			},
		},
		{"user", "domain", true}: {
			grant: func(ctx context.Context, g *identityv3.Client, d, u, r string) (*http.Response, error) {
				return g.GrantInheritedDomainUserRole(ctx, d, u, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, d, u, r string) (*http.Response, error) {
				return g.CheckInheritedDomainUserRole(ctx, d, u, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, d, u, r string) (*http.Response, error) {
				return g.RevokeInheritedDomainUserRole(ctx, d, u, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, d, u string) (*http.Response, error) {
				return g.ListInheritedDomainUserRoles(ctx, d, u)
			},
		},
		{"group", "domain", true}: {
			grant: func(ctx context.Context, g *identityv3.Client, d, x, r string) (*http.Response, error) {
				return g.GrantInheritedDomainGroupRole(ctx, d, x, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, d, x, r string) (*http.Response, error) {
				return g.CheckInheritedDomainGroupRole(ctx, d, x, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, d, x, r string) (*http.Response, error) {
				return g.RevokeInheritedDomainGroupRole(ctx, d, x, r)
			},
			list: func(ctx context.Context, g *identityv3.Client, d, x string) (*http.Response, error) {
				return g.ListInheritedDomainGroupRoles(ctx, d, x)
			},
		},
		{"user", "project", true}: {
			grant: func(ctx context.Context, g *identityv3.Client, p, u, r string) (*http.Response, error) {
				return g.GrantInheritedProjectUserRole(ctx, p, u, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, p, u, r string) (*http.Response, error) {
				return g.CheckInheritedProjectUserRole(ctx, p, u, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, p, u, r string) (*http.Response, error) {
				return g.RevokeInheritedProjectUserRole(ctx, p, u, r)
			},
		},
		{"group", "project", true}: {
			grant: func(ctx context.Context, g *identityv3.Client, p, x, r string) (*http.Response, error) {
				return g.GrantInheritedProjectGroupRole(ctx, p, x, r)
			},
			check: func(ctx context.Context, g *identityv3.Client, p, x, r string) (*http.Response, error) {
				return g.CheckInheritedProjectGroupRole(ctx, p, x, r)
			},
			revoke: func(ctx context.Context, g *identityv3.Client, p, x, r string) (*http.Response, error) {
				return g.RevokeInheritedProjectGroupRole(ctx, p, x, r)
			},
		},
	}[k]
	if !ok {
		inh := ""
		if o.inherited {
			inh = "inherited "
		}
		return grantOps{}, fmt.Errorf("%w: %sgrant to a %s on the %s", ErrInvalidGrant, inh, a.kind, t.kind)
	}
	return ops, nil
}

func collectGrantOptions(opts []GrantOption) grantOptions {
	var o grantOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Grant gives actor the role on target (keystoneclient's roles.grant):
//
//	c.Roles.Grant(ctx, roleID, keystone.UserActor(userID), keystone.OnProject(projectID))
//	c.Roles.Grant(ctx, roleID, keystone.GroupActor(groupID), keystone.OnDomain(domainID), keystone.Inherited())
//
// Granting a role again is no error.
func (m *RolesManager) Grant(ctx context.Context, roleID string, actor Actor, target Target, opts ...GrantOption) error {
	ops, err := grantOpsFor(actor, target, collectGrantOptions(opts))
	if err != nil {
		return err
	}
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return ops.grant(ctx, m.c.gen, target.id, actor.id, roleID)
	})
}

// Revoke takes the role away (ErrNotFound when there was no such grant).
func (m *RolesManager) Revoke(ctx context.Context, roleID string, actor Actor, target Target, opts ...GrantOption) error {
	ops, err := grantOpsFor(actor, target, collectGrantOptions(opts))
	if err != nil {
		return err
	}
	return callNoBody(ctx, func(ctx context.Context) (*http.Response, error) {
		return ops.revoke(ctx, m.c.gen, target.id, actor.id, roleID)
	})
}

// HasGrant reports whether actor has the role on target (directly granted).
func (m *RolesManager) HasGrant(ctx context.Context, roleID string, actor Actor, target Target, opts ...GrantOption) (bool, error) {
	ops, err := grantOpsFor(actor, target, collectGrantOptions(opts))
	if err != nil {
		return false, err
	}
	return check(ctx, func(ctx context.Context) (*http.Response, error) {
		return ops.check(ctx, m.c.gen, target.id, actor.id, roleID)
	})
}

// ListGrants lists the roles granted to actor on target. (Inherited grants on
// a project have no listing in the API: use RoleAssignments.List.)
func (m *RolesManager) ListGrants(ctx context.Context, actor Actor, target Target, opts ...GrantOption) iter.Seq2[identityv3.Role, error] {
	ops, err := grantOpsFor(actor, target, collectGrantOptions(opts))
	if err == nil && ops.list == nil {
		err = fmt.Errorf("%w: inherited grants on a project have no listing (use RoleAssignments.List)", ErrInvalidGrant)
	}
	if err != nil {
		return func(yield func(identityv3.Role, error) bool) { yield(identityv3.Role{}, err) }
	}
	return pages(ctx, m.c.s, func(ctx context.Context) (*http.Response, error) { return ops.list(ctx, m.c.gen, target.id, actor.id) },
		func(l *identityv3.RoleList) ([]identityv3.Role, *string) { return l.Roles, nextLink(l.Links) })
}

// ListGrantsAll collects ListGrants.
func (m *RolesManager) ListGrantsAll(ctx context.Context, actor Actor, target Target, opts ...GrantOption) ([]identityv3.Role, error) {
	return Collect(m.ListGrants(ctx, actor, target, opts...))
}
