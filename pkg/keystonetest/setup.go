package keystonetest

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"slices"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// Endpoint is an endpoint of a service that Server.AddService adds.
type Endpoint struct {
	// Interface is "public", "internal" or "admin".
	Interface string
	// Region is the endpoint's region, created if the server has none of that
	// ID; empty means the server's Region.
	Region string
	// URL is where the service is; the server does not serve it.
	URL string
}

// AddService adds a service of type serviceType named name, with endpoints,
// to the catalog, as an operator's `openstack service create` and `openstack
// endpoint create` do, and returns the service's ID. Tokens issued from then
// on carry it in their catalog. AddService panics on an endpoint whose
// interface is not public, internal or admin.
func (s *Server) AddService(serviceType, name string, endpoints ...Endpoint) string {
	for _, ep := range endpoints {
		switch ep.Interface {
		case "public", "internal", "admin":
		default:
			panic(fmt.Sprintf("keystonetest: AddService: interface %q is not public, internal or admin", ep.Interface))
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := newID()
	st.services.put(id, &v3s.Service{ID: id, Name: name, Type: serviceType, Enabled: true, Links: st.link("services/" + id)})
	for _, ep := range endpoints {
		region := ep.Region
		if region == "" {
			region = s.Region
		}
		if st.regions.get(region) == nil {
			st.regions.put(region, &v3s.Region{ID: region, Description: "", ParentRegionID: null[string](), Links: st.link("regions/" + region)})
		}
		eid := newID()
		st.endpoints.put(eid, &v3s.Endpoint{
			ID: eid, Interface: v3s.EndpointInterface(ep.Interface), ServiceID: id, URL: ep.URL, Enabled: true,
			Region: some(region), RegionID: some(region), Links: st.link("endpoints/" + eid),
		})
	}
	return id
}

// RequireMFA sets the multi-factor rules of the user with ID userID, as its
// multi_factor_auth_enabled and multi_factor_auth_rules options do: the user
// then gets a token only by authenticating with every method of one of the
// rules, such as []string{"password", "totp"}, and after some of them gets an
// auth receipt (a 401 with Openstack-Auth-Receipt) to continue with. Without
// rules, the user needs one method again. See TOTPPasscode for the passcodes.
func (s *Server) RequireMFA(userID string, rules ...[]string) error {
	for _, r := range rules {
		if len(r) == 0 {
			return badRequest("Invalid input for field 'multi_factor_auth_rules': a rule is empty.")
		}
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.users.get(userID)
	if u == nil {
		return notFound("user", userID)
	}
	if len(rules) == 0 {
		u.Options.MultiFactorAuthEnabled, u.Options.MultiFactorAuthRules = nil, nil
		return nil
	}
	rs := make([]v3s.UserMFARule, len(rules))
	for i, r := range rules {
		rs[i] = slices.Clone(r)
	}
	u.Options.MultiFactorAuthEnabled, u.Options.MultiFactorAuthRules = some(true), some(rs)
	return nil
}

// TOTPPasscode returns the passcode that the TOTP method accepts now (by the
// server's clock) for the user with ID userID: that of its first TOTP
// credential (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps). A user without
// one gets one, with a random secret, as `openstack credential create --type
// totp` would create.
func (s *Server) TOTPPasscode(userID string) (string, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.users.get(userID) == nil {
		return "", notFound("user", userID)
	}
	var key []byte
	for _, c := range st.credentials.all() {
		if c.UserID != userID || c.Type != "totp" {
			continue
		}
		if k, err := totpKey(c.Blob); err == nil {
			key = k
			break
		}
	}
	if key == nil {
		key = make([]byte, 20)
		_, _ = rand.Read(key)
		id := newID()
		st.credentials.put(id, &v3s.Credential{
			ID: id, Type: "totp", UserID: userID, ProjectID: null[string](), Links: st.link("credentials/" + id),
			Blob: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key),
		})
	}
	return totp(key, st.now().Unix()/30), nil
}
