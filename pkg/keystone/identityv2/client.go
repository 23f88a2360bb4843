package identityv2

import (
	"context"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

//go:generate go run ../../../internal/cmd/genmanagers -spec ../../../api/identity-v2.yaml -pkg identityv2 -out managers.gen.go

// NewClient returns a client for the Identity endpoint of the session's
// catalog.
//
// Most of v2.0 is its admin API (tenants, users, roles, services,
// endpoints, token validation): Keystone served it on the admin endpoint
// only, so make the client for that one, with
// keystone.EndpointFilter{Interfaces: []string{"admin"}}. On the public
// endpoint, Tenants.List lists the token user's own tenants, and
// Extensions, Certificates and Users.ChangeOwnPassword work. Tokens puts
// the token in the request's URL, which the session's logs and errors show
// as a digest, never as the token.
//
// f narrows the endpoint (its ServiceType defaults to identity; the
// session's region and interface apply when f names none). When several
// identity endpoints match, the one the session authenticated against is
// used.
func NewClient(ctx context.Context, s *keystone.Session, f keystone.EndpointFilter) (*Client, error) {
	u, err := rest.IdentityEndpoint(ctx, s, f)
	if err != nil {
		return nil, err
	}
	return NewClientAt(s, u)
}

// NewClientAt returns a client for the Identity service at url: its root
// (https://keystone.example.com:35357) or its v2.0 URL (…/v2.0).
func NewClientAt(s *keystone.Session, url string) (*Client, error) {
	c, err := rest.NewClient(s, url)
	if err != nil {
		return nil, err
	}
	return newClient(c), nil
}

// Session returns the session the client sends its requests with.
func (c *Client) Session() *keystone.Session { return c.c.Session }

// Endpoint returns the service's root URL the client uses (without /v2.0).
func (c *Client) Endpoint() string { return c.c.Base }
