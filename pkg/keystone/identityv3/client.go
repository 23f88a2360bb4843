package identityv3

import (
	"context"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

//go:generate go run ../../../internal/cmd/genmanagers -spec ../../../api/identity-v3.yaml -pkg identityv3 -out managers.gen.go -handwritten Tokens

// NewClient returns a client for the Identity endpoint of the session's
// catalog. f narrows the endpoint (its ServiceType defaults to identity;
// the session's region and interface apply when f names none). When several
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
// (https://keystone.example.com:5000) or its v3 URL (…/v3).
func NewClientAt(s *keystone.Session, url string) (*Client, error) {
	c, err := rest.NewClient(s, url)
	if err != nil {
		return nil, err
	}
	return newClient(c), nil
}

// Session returns the session the client sends its requests with.
func (c *Client) Session() *keystone.Session { return c.c.Session }

// Endpoint returns the service's root URL the client uses (without /v3).
func (c *Client) Endpoint() string { return c.c.Base }
