package keystone

import (
	"context"
	"iter"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// The Find methods return the resource with this ID, or else the only one
// with this name; several matches, or none, give *NoUniqueMatchError (which
// matches ErrNoUniqueMatch, and ErrNotFound when nothing matched).

// Find looks up a domain by ID or name.
func (m *DomainsManager) Find(ctx context.Context, nameOrID string) (*identityv3.Domain, error) {
	return findOne(ctx, "domain", nameOrID, m.Get,
		func(ctx context.Context, name string) iter.Seq2[identityv3.Domain, error] {
			return m.List(ctx, &identityv3.ListDomainsParams{Name: &name})
		})
}

// Find looks up a user by ID, or by name (in domainID, if not empty).
func (m *UsersManager) Find(ctx context.Context, nameOrID, domainID string) (*identityv3.User, error) {
	return findOne(ctx, "user", nameOrID, m.Get,
		func(ctx context.Context, name string) iter.Seq2[identityv3.User, error] {
			p := &identityv3.ListUsersParams{Name: &name}
			if domainID != "" {
				p.DomainID = &domainID
			}
			return m.List(ctx, p)
		})
}

// Find looks up a group by ID, or by name (in domainID, if not empty).
func (m *GroupsManager) Find(ctx context.Context, nameOrID, domainID string) (*identityv3.Group, error) {
	return findOne(ctx, "group", nameOrID, m.Get,
		func(ctx context.Context, name string) iter.Seq2[identityv3.Group, error] {
			p := &identityv3.ListGroupsParams{Name: &name}
			if domainID != "" {
				p.DomainID = &domainID
			}
			return m.List(ctx, p)
		})
}

// Find looks up a role by ID, or by name: a global role, or, with domainID, a
// role specific to that domain.
func (m *RolesManager) Find(ctx context.Context, nameOrID, domainID string) (*identityv3.Role, error) {
	return findOne(ctx, "role", nameOrID, m.Get,
		func(ctx context.Context, name string) iter.Seq2[identityv3.Role, error] {
			p := &identityv3.ListRolesParams{Name: &name}
			if domainID != "" {
				p.DomainID = &domainID
			}
			return m.List(ctx, p)
		})
}

// Find looks up a service by ID or name.
func (m *ServicesManager) Find(ctx context.Context, nameOrID string) (*identityv3.Service, error) {
	return findOne(ctx, "service", nameOrID, m.Get,
		func(ctx context.Context, name string) iter.Seq2[identityv3.Service, error] {
			return m.List(ctx, &identityv3.ListServicesParams{Name: &name})
		})
}

// Find looks up an endpoint group by ID or name.
func (m *EndpointGroupsManager) Find(ctx context.Context, nameOrID string) (*identityv3.EndpointGroup, error) {
	return findOne(ctx, "endpoint group", nameOrID, m.Get,
		func(ctx context.Context, name string) iter.Seq2[identityv3.EndpointGroup, error] {
			return m.List(ctx, &identityv3.ListEndpointGroupsParams{Name: &name})
		})
}

// Find looks up one of a user's application credentials by ID or name.
func (m *ApplicationCredentialsManager) Find(ctx context.Context, userID, nameOrID string) (*identityv3.ApplicationCredential, error) {
	return findOne(ctx, "application credential", nameOrID,
		func(ctx context.Context, id string) (*identityv3.ApplicationCredential, error) {
			return m.Get(ctx, userID, id)
		},
		func(ctx context.Context, name string) iter.Seq2[identityv3.ApplicationCredential, error] {
			return m.List(ctx, userID, &identityv3.ListApplicationCredentialsParams{Name: &name})
		})
}
