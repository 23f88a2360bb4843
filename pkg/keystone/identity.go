package keystone

import (
	"context"
	"fmt"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// IdentityFilter selects the Identity service's public endpoint.
var IdentityFilter = EndpointFilter{ServiceType: "identity"}

// IdentityV3 returns the generated Identity v3 client for the identity
// endpoint of the session's catalog (f narrows it; zero means public), with
// the session as its HTTP doer: its calls are authenticated, retried, logged,
// and error statuses come back as *HTTPError.
func (s *Session) IdentityV3(ctx context.Context, f EndpointFilter) (*identityv3.ClientWithResponses, error) {
	if f.ServiceType == "" {
		f.ServiceType = IdentityFilter.ServiceType
	}
	u, err := s.EndpointURL(ctx, nil, f)
	if err != nil {
		return nil, err
	}
	return s.IdentityV3At(u)
}

// IdentityV3At returns the generated Identity v3 client for the Identity
// service at url (its root, or a URL ending in /v3: the version is stripped
// once, here, because the spec's paths start with /v3).
func (s *Session) IdentityV3At(url string) (*identityv3.ClientWithResponses, error) {
	c, err := identityv3.NewClientWithResponses(UnversionedURL(url), identityv3.WithHTTPClient(s))
	if err != nil {
		return nil, fmt.Errorf("keystone: identity client: %w", err)
	}
	return c, nil
}
