// Package identity chooses the Identity API version to speak to a Keystone:
// NewClient discovers the versions the Keystone behind a session offers
// and returns a client of the best one this SDK supports, v3 if offered,
// else v2.0, as keystoneclient's client.Client(session=…) does. Code that
// must work with a v2.0-only cloud as well as with a v3 one starts here;
// code for v3 only can use identityv3.NewClient directly.
//
//	c, err := identity.NewClient(ctx, session, keystone.EndpointFilter{})
//	switch {
//	case c.V3 != nil: // c.V3.Projects.List(ctx, nil) …
//	case c.V2 != nil: // c.V2.Tenants.List(ctx, nil) …
//	}
package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// Client is the Identity client of the version NewClient chose: exactly one
// of V3 and V2 is set.
type Client struct {
	// Version is the version chosen, as the Keystone gives it (3.14, 2.0).
	Version keystone.APIVersion
	// URL is the chosen version's URL (its self link in the discovery
	// document), such as https://keystone.example.com/v3/.
	URL string
	// V3 is the client of Identity v3, when it was chosen.
	V3 *identityv3.Client
	// V2 is the client of Identity v2.0, when it was chosen.
	V2 *identityv2.Client
}

// String names the version and URL.
func (c *Client) String() string {
	if c == nil {
		return "identity.Client(nil)"
	}
	return fmt.Sprintf("identity.Client{v%s at %s}", c.Version, c.URL)
}

// NewClient returns a client of the Identity endpoint of the session's
// catalog that f selects (its ServiceType defaults to identity; the
// session's region and interface apply when f names none; when several
// identity endpoints match, the one the session authenticated against is
// used), for the best version the endpoint's discovery document offers:
// v3 when offered, else v2.0, deprecated or not. f.MinVersion and
// f.MaxVersion, when set, bound the version (MinVersion "2.0" and
// MaxVersion "2.0" ask for v2.0 even when v3 is offered).
//
// The versions are read at the endpoint's unversioned root (Keystone lists
// them all there, with a 300 Multiple Choices), else at the endpoint's own
// URL. It fails with the lookup's error (keystone.ErrEndpointNotFound, for
// a token without a catalog too), a *keystone.DiscoveryError
// (keystone.ErrDiscoveryFailure), or, when neither v3 nor v2.0 is offered
// in range, an error matching keystone.ErrUnsupportedVersion and
// keystone.ErrVersionNotAvailable.
func NewClient(ctx context.Context, s *keystone.Session, f keystone.EndpointFilter) (*Client, error) {
	if s == nil || ctx == nil {
		return nil, fmt.Errorf("%w: nil *keystone.Session or context", keystone.ErrInvalidArgument)
	}
	if f.ServiceType == "" {
		f.ServiceType = "identity"
	}
	minV, maxV := f.MinVersion, f.MaxVersion
	f.MinVersion, f.MaxVersion = "", "" // the choice is made here, not by the session
	u, err := s.EndpointURL(ctx, nil, f)
	if err != nil {
		return nil, err
	}
	return newClientAt(ctx, s, u, minV, maxV)
}

// NewClientAt is NewClient for the Identity service at url (its root or a
// versioned URL), without the catalog: for a session whose token has none
// (unscoped), or before authenticating.
func NewClientAt(ctx context.Context, s *keystone.Session, url string) (*Client, error) {
	if s == nil || ctx == nil {
		return nil, fmt.Errorf("%w: nil *keystone.Session or context", keystone.ErrInvalidArgument)
	}
	return newClientAt(ctx, s, url, "", "")
}

func newClientAt(ctx context.Context, s *keystone.Session, u, minV, maxV string) (*Client, error) {
	d, err := discover(ctx, s, u)
	if err != nil {
		return nil, err
	}
	v, err := choose(d, minV, maxV)
	if err != nil {
		return nil, err
	}
	target := v.URL
	if target == "" {
		target = u
	}
	c := &Client{Version: v.Version, URL: target}
	switch v.Version.Major {
	case 3:
		c.V3, err = identityv3.NewClientAt(s, target)
	case 2:
		c.V2, err = identityv2.NewClientAt(s, target)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// discover reads the versions at u's unversioned root, else at u.
func discover(ctx context.Context, s *keystone.Session, u string) (*keystone.Discovery, error) {
	root := keystone.UnversionedURL(u)
	d, err := s.Discover(ctx, root)
	if err == nil || root == u {
		return d, err
	}
	if d, err2 := s.Discover(ctx, u); err2 == nil {
		return d, nil
	}
	return nil, err
}

// choose picks v3, else v2.0, within [minV, maxV].
func choose(d *keystone.Discovery, minV, maxV string) (keystone.VersionInfo, error) {
	f := keystone.DefaultVersionFilter()
	if minV != "" || maxV != "" {
		v, err := d.MatchFiltered(minV, maxV, f)
		if err != nil {
			return keystone.VersionInfo{}, err
		}
		if v.Version.Major == 3 || v.Version == (keystone.APIVersion{Major: 2}) {
			return v, nil
		}
		// The best in range is another version: v3 or v2.0 in range, if any.
		for _, cand := range d.Filter(f) {
			if (cand.Version.Major == 3 || cand.Version == (keystone.APIVersion{Major: 2})) && inRange(d, cand, minV, maxV) {
				return cand, nil
			}
		}
		return keystone.VersionInfo{}, unsupported(d, minV, maxV)
	}
	if v, err := d.MatchFiltered("3", "3", f); err == nil {
		return v, nil
	} else if !errors.Is(err, keystone.ErrVersionNotAvailable) {
		return keystone.VersionInfo{}, err
	}
	if v, err := d.MatchFiltered("2.0", "2.0", f); err == nil {
		return v, nil
	}
	return keystone.VersionInfo{}, unsupported(d, "", "")
}

// inRange reports whether v is one Match would consider within bounds.
func inRange(d *keystone.Discovery, v keystone.VersionInfo, minV, maxV string) bool {
	single := &keystone.Discovery{URL: d.URL, Versions: []keystone.VersionInfo{v}}
	_, err := single.MatchFiltered(minV, maxV, keystone.VersionFilter{AllowDeprecated: true, AllowExperimental: true, AllowUnknown: true})
	return err == nil
}

func unsupported(d *keystone.Discovery, minV, maxV string) error {
	var ids []string
	for _, v := range d.Versions {
		ids = append(ids, v.ID+" ("+v.Status+")")
	}
	want := "3 or 2.0"
	if minV != "" || maxV != "" {
		want += " in [" + minV + ", " + maxV + "]"
	}
	return fmt.Errorf("%w: %w", keystone.ErrUnsupportedVersion,
		&keystone.VersionNotAvailableError{URL: d.URL, Wanted: want, Available: ids})
}
