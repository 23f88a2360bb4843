package identityv3

import (
	"context"
	"fmt"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/internal/sdkerr"
)

// Actor is who a role is granted to: a user or a group.
type Actor struct{ kind, id string }

// UserActor is the user with this ID.
func UserActor(id string) Actor { return Actor{"users", id} }

// GroupActor is the group with this ID.
func GroupActor(id string) Actor { return Actor{"groups", id} }

// Target is what a role is granted on: a project, a domain or the system.
type Target struct{ kind, id string }

// OnProject is the project with this ID.
func OnProject(id string) Target { return Target{"projects", id} }

// OnDomain is the domain with this ID.
func OnDomain(id string) Target { return Target{"domains", id} }

// OnSystem is the whole deployment.
func OnSystem() Target { return Target{"system", "all"} }

// GrantOption changes a grant.
type GrantOption func(*grantOptions)

type grantOptions struct{ inherited bool }

// Inherited makes the grant apply to the projects below the target
// (OS-INHERIT) rather than to the target itself. It is valid on domains and
// projects.
func Inherited() GrantOption { return func(o *grantOptions) { o.inherited = true } }

// ErrInvalidGrant is returned, before any request, for a combination the
// API does not have (an inherited grant on the system, say).
var ErrInvalidGrant = sdkerr.New("keystone: no such kind of grant")

// grantPath returns the path of the grant of roleID (or, with roleID "",
// of the list of grants) to actor on target.
func grantPath(actor Actor, target Target, roleID string, opts []GrantOption) (string, error) {
	var o grantOptions
	for _, f := range opts {
		f(&o)
	}
	if actor.id == "" || target.id == "" {
		return "", fmt.Errorf("%w: an actor and a target are needed", ErrInvalidGrant)
	}
	var tmpl string
	var values []string
	switch {
	case target.kind == "system" && o.inherited:
		return "", fmt.Errorf("%w: inherited grant on the system", ErrInvalidGrant)
	case target.kind == "system":
		tmpl, values = "/v3/system/"+actor.kind+"/{actor}/roles", []string{actor.id}
	case o.inherited:
		if roleID == "" && target.kind == "projects" {
			return "", fmt.Errorf("%w: inherited grants on a project have no listing (use RoleAssignments.List)", ErrInvalidGrant)
		}
		tmpl, values = "/v3/OS-INHERIT/"+target.kind+"/{target}/"+actor.kind+"/{actor}/roles", []string{target.id, actor.id}
	default:
		tmpl, values = "/v3/"+target.kind+"/{target}/"+actor.kind+"/{actor}/roles", []string{target.id, actor.id}
	}
	if roleID != "" {
		tmpl += "/{role}"
		values = append(values, roleID)
	}
	if o.inherited {
		tmpl += "/inherited_to_projects"
	}
	return rest.Path(tmpl, values...)
}

// Grant gives actor the role on target (keystoneclient's roles.grant):
//
//	c.Roles.Grant(ctx, roleID, identityv3.UserActor(userID), identityv3.OnProject(projectID))
//	c.Roles.Grant(ctx, roleID, identityv3.GroupActor(groupID), identityv3.OnDomain(domainID), identityv3.Inherited())
//
// Granting a role again is no error.
func (m *RolesManager) Grant(ctx context.Context, roleID string, actor Actor, target Target, opts ...GrantOption) error {
	return m.grantCall(ctx, http.MethodPut, roleID, actor, target, opts)
}

// Revoke takes the role away (keystone.ErrNotFound when there was no such
// grant).
func (m *RolesManager) Revoke(ctx context.Context, roleID string, actor Actor, target Target, opts ...GrantOption) error {
	return m.grantCall(ctx, http.MethodDelete, roleID, actor, target, opts)
}

func (m *RolesManager) grantCall(ctx context.Context, method, roleID string, actor Actor, target Target, opts []GrantOption) error {
	if roleID == "" {
		return fmt.Errorf("%w: empty role ID", ErrInvalidGrant)
	}
	path, err := grantPath(actor, target, roleID, opts)
	if err != nil {
		return err
	}
	return m.c.NoContent(ctx, rest.Req{Method: method, Path: path})
}

// HasGrant reports whether actor has the role on target (directly granted).
func (m *RolesManager) HasGrant(ctx context.Context, roleID string, actor Actor, target Target, opts ...GrantOption) (bool, error) {
	if roleID == "" {
		return false, fmt.Errorf("%w: empty role ID", ErrInvalidGrant)
	}
	path, err := grantPath(actor, target, roleID, opts)
	if err != nil {
		return false, err
	}
	return m.c.Check(ctx, rest.Req{Method: http.MethodHead, Path: path})
}

// ListGrants lists the roles granted to actor on target. (Inherited grants
// on a project have no listing in the API: use RoleAssignments.List.)
func (m *RolesManager) ListGrants(ctx context.Context, actor Actor, target Target, opts ...GrantOption) iter.Seq2[Role, error] {
	path, err := grantPath(actor, target, "", opts)
	if err != nil {
		return func(yield func(Role, error) bool) { yield(Role{}, err) }
	}
	type page struct {
		V     []Role      `json:"roles"`
		Links *rest.Links `json:"links"`
	}
	return rest.List(ctx, m.c, rest.Req{Method: http.MethodGet, Path: path},
		func(data []byte, p *page) error {
			return rest.Extras(data, "roles", true, roleKeys, func(i int, m map[string]any) {
				if i < len(p.V) {
					p.V[i].Extra = m
				}
			})
		},
		func(p *page) ([]Role, string, bool) { return p.V, p.Links.NextURL(), p.V != nil })
}
