package keystonetest

import (
	"context"
	"net/http"
	"slices"
	"strings"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// federationState holds OS-FEDERATION's identity providers, their protocols,
// mappings and service providers (the admin-only policies of Keystone 22's
// identity_provider, protocol, mapping and service_provider rules).
type federationState struct {
	idps      table[v3s.IdentityProvider]
	protocols []fedProtocol // in creation order
	mappings  table[v3s.Mapping]
	sps       table[v3s.ServiceProvider]

	// trustedDashboards is `[federation] trusted_dashboard` (WebSSO, v3_websso.go).
	trustedDashboards []string
	// tokens holds the federation data of federated tokens, by token ID
	// (v3_mapped.go).
	tokens map[string]*fedToken
}

// fedProtocol is a protocol of an identity provider.
type fedProtocol struct {
	idp, id, mapping  string
	remoteIDAttribute *string
}

// defaultRelayStatePrefix is Keystone's `[saml] relay_state_prefix`.
const defaultRelayStatePrefix = "ss:mem:"

func init() {
	// Hook into strict.go's rules: Keystone's schemas for identity
	// providers, protocols and service providers refuse other members (the
	// spec allows them).
	members := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	idp := func(p string) bool { return oneSegmentUnder(p, "/v3/OS-FEDERATION/identity_providers/") }
	protocol := func(p string) bool {
		rest, ok := strings.CutPrefix(p, "/v3/OS-FEDERATION/identity_providers/")
		parts := strings.Split(rest, "/")
		return ok && len(parts) == 3 && parts[0] != "" && parts[1] == "protocols" && parts[2] != ""
	}
	sp := func(p string) bool { return oneSegmentUnder(p, "/v3/OS-FEDERATION/service_providers/") }
	idpMembers := []string{"enabled", "description", "authorization_ttl", "remote_ids"}
	spMembers := members("auth_url", "sp_url", "description", "enabled", "relay_state_prefix")
	protocolMembers := members("mapping_id", "remote_id_attribute")
	strictRules = append(strictRules,
		strictRule{http.MethodPut, idp, "identity_provider", members(append(idpMembers, "domain_id")...)},
		strictRule{http.MethodPatch, idp, "identity_provider", members(idpMembers...)},
		strictRule{http.MethodPut, protocol, "protocol", protocolMembers},
		strictRule{http.MethodPatch, protocol, "protocol", protocolMembers},
		strictRule{http.MethodPut, sp, "service_provider", spMembers},
		strictRule{http.MethodPatch, sp, "service_provider", spMembers},
	)
}

// --- hooks of other files (v3_resource.go, state.go)

// dropDomain deletes the identity providers of a deleted domain (Keystone's
// callback on DOMAIN_DELETED, federation/core.py).
func (f *federationState) dropDomain(id string) {
	for _, idp := range f.idps.all() {
		if idp.DomainID == id {
			f.deleteIdp(idp.ID)
		}
	}
}

// addServiceProvidersToToken lists the enabled service providers in a token,
// as Keystone's render_token does (nothing when there are none).
func (st *state) addServiceProvidersToToken(body *v3s.Token) {
	for _, sp := range st.fedArea.sps.all() {
		if sp.Enabled {
			body.ServiceProviders = append(body.ServiceProviders,
				v3s.TokenServiceProvider{ID: ptr(sp.ID), AuthURL: ptr(sp.AuthURL), SpURL: ptr(sp.SpURL)})
		}
	}
}

// --- helpers

func (f *federationState) deleteIdp(id string) {
	f.protocols = slices.DeleteFunc(f.protocols, func(p fedProtocol) bool { return p.idp == id })
	f.idps.del(id)
}

func idpNotFound(id string) *Error {
	return errorf(http.StatusNotFound, "Could not find Identity Provider: %s.", id)
}

func fedConflict(kind, details string) *Error {
	return errorf(http.StatusConflict, "Conflict occurred attempting to store %s - %s", kind, details)
}

// remoteIDConflict answers 409 for the first of ids another identity provider
// than self has.
func (f *federationState) remoteIDConflict(self string, ids []string) error {
	for _, idp := range f.idps.all() {
		if idp.ID == self {
			continue
		}
		for _, id := range ids {
			if slices.Contains(idp.RemoteIds, id) {
				return fedConflict("identity_provider", "Duplicate remote ID: "+id)
			}
		}
	}
	return nil
}

func (f *federationState) protocolIndex(idp, id string) int {
	return slices.IndexFunc(f.protocols, func(p fedProtocol) bool { return p.idp == idp && p.id == id })
}

func protocolNotFound(idp, id string) *Error {
	return errorf(http.StatusNotFound, "Could not find federated protocol %s for Identity Provider: %s.", id, idp)
}

// protocolBody renders one protocol (listing adds idp_id and
// remote_id_attribute). Keystone 22's links lack the collection path.
func (st *state) protocolBody(p fedProtocol, listing bool) v3s.FederationProtocol {
	out := v3s.FederationProtocol{ID: p.id, MappingID: p.mapping, Links: v3s.FederationProtocolLinks{
		Self: st.root + "/v3/protocols/" + p.id, IdentityProvider: st.root + "/v3/" + p.idp,
	}}
	if listing {
		out.IdpID = ptr(p.idp)
		out.RemoteIDAttribute = null[string]()
		if p.remoteIDAttribute != nil {
			out.RemoteIDAttribute = some(*p.remoteIDAttribute)
		}
	}
	return out
}

func (st *state) checkMapping(id string) error {
	if st.fedArea.mappings.get(id) == nil {
		return badRequest("Invalid mapping id: %s", id)
	}
	return nil
}

// --- identity providers

// CreateIdentityProvider registers an identity provider; without a domain_id,
// Keystone 22 creates a domain for it.
func (s *v3) CreateIdentityProvider(_ context.Context, req v3s.CreateIdentityProviderRequestObject) (v3s.CreateIdentityProviderResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find identity_provider in request body.")
	}
	in := req.Body.IdentityProvider
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	f := &st.fedArea
	domainID, hasDomain := value(in.DomainID)
	if hasDomain && domainID != "" && st.domains.get(domainID) == nil {
		return nil, notFound("domain", domainID)
	}
	if f.idps.get(req.IdpID) != nil {
		return nil, fedConflict("identity_provider", "Duplicate entry: "+req.IdpID)
	}
	remote, _ := value(in.RemoteIds)
	if err := f.remoteIDConflict(req.IdpID, remote); err != nil {
		return nil, err
	}
	if domainID == "" {
		domainID = newID()
		st.domains.put(domainID, &v3s.Domain{
			ID: domainID, Name: domainID, Enabled: true, Tags: []string{},
			Description: some("Auto generated federated domain for Identity Provider: " + req.IdpID),
			Links:       st.link("domains/" + domainID),
		})
	}
	self := st.root + "/v3/OS-FEDERATION/identity_providers/" + req.IdpID
	idp := &v3s.IdentityProvider{
		ID: req.IdpID, DomainID: domainID, Enabled: in.Enabled != nil && *in.Enabled,
		Description: null[string](), AuthorizationTTL: null[int](), RemoteIds: []string{},
		Links: v3s.IdentityProviderLinks{Self: self, Protocols: self + "/protocols"},
	}
	if d, ok := value(in.Description); ok {
		idp.Description = some(d)
	}
	if ttl, ok := value(in.AuthorizationTTL); ok {
		idp.AuthorizationTTL = some(ttl)
	}
	if remote != nil {
		idp.RemoteIds = slices.Clone(remote)
	}
	f.idps.put(idp.ID, idp)
	return v3s.CreateIdentityProvider201JSONResponse{IdentityProvider: *idp}, nil
}

// GetIdentityProvider shows an identity provider.
func (s *v3) GetIdentityProvider(_ context.Context, req v3s.GetIdentityProviderRequestObject) (v3s.GetIdentityProviderResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	idp := st.fedArea.idps.get(req.IdpID)
	if idp == nil {
		return nil, idpNotFound(req.IdpID)
	}
	return v3s.GetIdentityProvider200JSONResponse{IdentityProvider: *idp}, nil
}

// ListIdentityProviders lists identity providers, filtered by id and enabled.
func (s *v3) ListIdentityProviders(_ context.Context, req v3s.ListIdentityProvidersRequestObject) (v3s.ListIdentityProvidersResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := req.Params
	out := []v3s.IdentityProvider{}
	for _, idp := range st.fedArea.idps.all() {
		if (p.ID == nil || *p.ID == idp.ID) && (p.Enabled == nil || *p.Enabled == idp.Enabled) {
			out = append(out, *idp)
		}
	}
	return v3s.ListIdentityProviders200JSONResponse{IdentityProviders: out,
		Links: st.collection("OS-FEDERATION/identity_providers")}, nil
}

// UpdateIdentityProvider updates an identity provider (null empties the
// remote IDs).
func (s *v3) UpdateIdentityProvider(_ context.Context, req v3s.UpdateIdentityProviderRequestObject) (v3s.UpdateIdentityProviderResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find identity_provider in request body.")
	}
	in := req.Body.IdentityProvider
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	f := &st.fedArea
	idp := f.idps.get(req.IdpID)
	if idp == nil {
		return nil, idpNotFound(req.IdpID)
	}
	remote, _ := value(in.RemoteIds)
	if err := f.remoteIDConflict(idp.ID, remote); err != nil {
		return nil, err
	}
	if in.Enabled != nil {
		idp.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		idp.Description = null[string]()
		if d, ok := value(in.Description); ok {
			idp.Description = some(d)
		}
	}
	if in.AuthorizationTTL.IsSpecified() {
		idp.AuthorizationTTL = null[int]()
		if ttl, ok := value(in.AuthorizationTTL); ok {
			idp.AuthorizationTTL = some(ttl)
		}
	}
	if in.RemoteIds.IsSpecified() {
		idp.RemoteIds = []string{}
		if remote != nil {
			idp.RemoteIds = slices.Clone(remote)
		}
	}
	return v3s.UpdateIdentityProvider200JSONResponse{IdentityProvider: *idp}, nil
}

// DeleteIdentityProvider deletes an identity provider and its protocols (not
// its domain).
func (s *v3) DeleteIdentityProvider(_ context.Context, req v3s.DeleteIdentityProviderRequestObject) (v3s.DeleteIdentityProviderResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fedArea.idps.get(req.IdpID) == nil {
		return nil, idpNotFound(req.IdpID)
	}
	st.fedArea.deleteIdp(req.IdpID)
	st.forgetFederatedIdentities(req.IdpID, "")
	return v3s.DeleteIdentityProvider204Response{}, nil
}

// --- protocols

// CreateIdentityProviderProtocol adds a protocol to an identity provider.
func (s *v3) CreateIdentityProviderProtocol(_ context.Context, req v3s.CreateIdentityProviderProtocolRequestObject) (v3s.CreateIdentityProviderProtocolResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find protocol in request body.")
	}
	in := req.Body.Protocol
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	f := &st.fedArea
	if err := st.checkMapping(in.MappingID); err != nil {
		return nil, err
	}
	if f.idps.get(req.IdpID) == nil {
		return nil, idpNotFound(req.IdpID)
	}
	if f.protocolIndex(req.IdpID, req.ProtocolID) >= 0 {
		return nil, fedConflict("federation_protocol", "Duplicate entry.")
	}
	p := fedProtocol{idp: req.IdpID, id: req.ProtocolID, mapping: in.MappingID}
	if in.RemoteIDAttribute != nil {
		p.remoteIDAttribute = ptr(*in.RemoteIDAttribute)
	}
	f.protocols = append(f.protocols, p)
	return v3s.CreateIdentityProviderProtocol201JSONResponse{Protocol: st.protocolBody(p, false)}, nil
}

// GetIdentityProviderProtocol shows a protocol of an identity provider.
func (s *v3) GetIdentityProviderProtocol(_ context.Context, req v3s.GetIdentityProviderProtocolRequestObject) (v3s.GetIdentityProviderProtocolResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	i := st.fedArea.protocolIndex(req.IdpID, req.ProtocolID)
	if i < 0 {
		return nil, protocolNotFound(req.IdpID, req.ProtocolID)
	}
	return v3s.GetIdentityProviderProtocol200JSONResponse{Protocol: st.protocolBody(st.fedArea.protocols[i], false)}, nil
}

// ListIdentityProviderProtocols lists the protocols of an identity provider
// (none, not a 404, for an unknown one).
func (s *v3) ListIdentityProviderProtocols(_ context.Context, req v3s.ListIdentityProviderProtocolsRequestObject) (v3s.ListIdentityProviderProtocolsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.FederationProtocol{}
	for _, p := range st.fedArea.protocols {
		if p.idp == req.IdpID {
			out = append(out, st.protocolBody(p, true))
		}
	}
	return v3s.ListIdentityProviderProtocols200JSONResponse{Protocols: out,
		Links: st.collection("OS-FEDERATION/identity_providers/" + req.IdpID + "/protocols")}, nil
}

// UpdateIdentityProviderProtocol updates a protocol of an identity provider.
func (s *v3) UpdateIdentityProviderProtocol(_ context.Context, req v3s.UpdateIdentityProviderProtocolRequestObject) (v3s.UpdateIdentityProviderProtocolResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find protocol in request body.")
	}
	in := req.Body.Protocol
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	f := &st.fedArea
	if err := st.checkMapping(in.MappingID); err != nil {
		return nil, err
	}
	i := f.protocolIndex(req.IdpID, req.ProtocolID)
	if i < 0 {
		return nil, protocolNotFound(req.IdpID, req.ProtocolID)
	}
	p := &f.protocols[i]
	p.mapping = in.MappingID
	if in.RemoteIDAttribute != nil {
		p.remoteIDAttribute = ptr(*in.RemoteIDAttribute)
	}
	return v3s.UpdateIdentityProviderProtocol200JSONResponse{Protocol: st.protocolBody(*p, false)}, nil
}

// DeleteIdentityProviderProtocol deletes a protocol of an identity provider.
func (s *v3) DeleteIdentityProviderProtocol(_ context.Context, req v3s.DeleteIdentityProviderProtocolRequestObject) (v3s.DeleteIdentityProviderProtocolResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	i := st.fedArea.protocolIndex(req.IdpID, req.ProtocolID)
	if i < 0 {
		return nil, protocolNotFound(req.IdpID, req.ProtocolID)
	}
	st.fedArea.protocols = slices.Delete(st.fedArea.protocols, i, i+1)
	st.forgetFederatedIdentities(req.IdpID, req.ProtocolID)
	return v3s.DeleteIdentityProviderProtocol204Response{}, nil
}

// --- mappings

// validateRules applies what Keystone's MAPPING_SCHEMA (federation/utils.py)
// checks beyond the spec's schema.
func validateRules(rules []v3s.MappingRule) error {
	invalid := func(msg string) error { return badRequest("Invalid input for field 'rules': %s", msg) }
	if len(rules) == 0 {
		return invalid("[] is too short")
	}
	for _, r := range rules {
		// Keystone's schema allows an empty local, not an empty remote.
		if len(r.Remote) == 0 {
			return invalid("[] is too short")
		}
		for _, rm := range r.Remote {
			n := 0
			for _, l := range [][]string{rm.AnyOneOf, rm.NotAnyOf, rm.Blacklist, rm.Whitelist} {
				if l != nil {
					n++
				}
			}
			if n > 1 || (n == 0 && rm.Regex != nil) {
				return invalid("invalid remote rule")
			}
		}
		for _, l := range r.Local {
			if g := l.Group; g != nil {
				byID := g.ID != nil && g.Name == nil && g.Domain == nil
				byName := g.ID == nil && g.Name != nil && g.Domain != nil
				if !byID && !byName {
					return invalid("a group is by id alone or by name with its domain")
				}
			}
			if u := l.User; u != nil && u.Type != nil &&
				*u.Type != v3s.MappingLocalUserTypeEphemeral && *u.Type != v3s.MappingLocalUserTypeLocal {
				return invalid("invalid user type")
			}
			for _, p := range l.Projects {
				if p.Roles == nil {
					return invalid("a project needs roles")
				}
			}
		}
	}
	return nil
}

// CreateMapping creates a mapping (schema_version is accepted and ignored, as
// Keystone 22 does).
func (s *v3) CreateMapping(_ context.Context, req v3s.CreateMappingRequestObject) (v3s.CreateMappingResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find mapping in request body.")
	}
	if err := validateRules(req.Body.Mapping.Rules); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fedArea.mappings.get(req.MappingID) != nil {
		return nil, fedConflict("mapping", "Duplicate entry: "+req.MappingID)
	}
	m := &v3s.Mapping{ID: req.MappingID, Rules: req.Body.Mapping.Rules, Links: st.link("OS-FEDERATION/mappings/" + req.MappingID)}
	st.fedArea.mappings.put(m.ID, m)
	return v3s.CreateMapping201JSONResponse{Mapping: *m}, nil
}

// GetMapping shows a mapping.
func (s *v3) GetMapping(_ context.Context, req v3s.GetMappingRequestObject) (v3s.GetMappingResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.fedArea.mappings.get(req.MappingID)
	if m == nil {
		return nil, notFound("mapping", req.MappingID)
	}
	return v3s.GetMapping200JSONResponse{Mapping: *m}, nil
}

// ListMappings lists mappings.
func (s *v3) ListMappings(_ context.Context, _ v3s.ListMappingsRequestObject) (v3s.ListMappingsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.Mapping{}
	for _, m := range st.fedArea.mappings.all() {
		out = append(out, *m)
	}
	return v3s.ListMappings200JSONResponse{Mappings: out, Links: st.collection("OS-FEDERATION/mappings")}, nil
}

// UpdateMapping replaces a mapping's rules.
func (s *v3) UpdateMapping(_ context.Context, req v3s.UpdateMappingRequestObject) (v3s.UpdateMappingResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find mapping in request body.")
	}
	if err := validateRules(req.Body.Mapping.Rules); err != nil {
		return nil, err
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	m := st.fedArea.mappings.get(req.MappingID)
	if m == nil {
		return nil, notFound("mapping", req.MappingID)
	}
	m.Rules = req.Body.Mapping.Rules
	return v3s.UpdateMapping200JSONResponse{Mapping: *m}, nil
}

// DeleteMapping deletes a mapping (the protocols using it keep referring to
// it, as in Keystone 22).
func (s *v3) DeleteMapping(_ context.Context, req v3s.DeleteMappingRequestObject) (v3s.DeleteMappingResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fedArea.mappings.get(req.MappingID) == nil {
		return nil, notFound("mapping", req.MappingID)
	}
	st.fedArea.mappings.del(req.MappingID)
	return v3s.DeleteMapping204Response{}, nil
}

// --- service providers

func spNotFound(id string) *Error {
	return errorf(http.StatusNotFound, "Could not find Service Provider: %s.", id)
}

// CreateServiceProvider registers a service provider.
func (s *v3) CreateServiceProvider(_ context.Context, req v3s.CreateServiceProviderRequestObject) (v3s.CreateServiceProviderResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find service_provider in request body.")
	}
	in := req.Body.ServiceProvider
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fedArea.sps.get(req.SpID) != nil {
		return nil, fedConflict("service_provider", "Duplicate entry: "+req.SpID)
	}
	sp := &v3s.ServiceProvider{
		ID: req.SpID, AuthURL: in.AuthURL, SpURL: in.SpURL, Enabled: in.Enabled != nil && *in.Enabled,
		Description: null[string](), RelayStatePrefix: defaultRelayStatePrefix,
		Links: st.link("OS-FEDERATION/service_providers/" + req.SpID),
	}
	if d, ok := value(in.Description); ok {
		sp.Description = some(d)
	}
	if in.RelayStatePrefix != nil {
		sp.RelayStatePrefix = *in.RelayStatePrefix
	}
	st.fedArea.sps.put(sp.ID, sp)
	return v3s.CreateServiceProvider201JSONResponse{ServiceProvider: *sp}, nil
}

// GetServiceProvider shows a service provider.
func (s *v3) GetServiceProvider(_ context.Context, req v3s.GetServiceProviderRequestObject) (v3s.GetServiceProviderResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	sp := st.fedArea.sps.get(req.SpID)
	if sp == nil {
		return nil, spNotFound(req.SpID)
	}
	return v3s.GetServiceProvider200JSONResponse{ServiceProvider: *sp}, nil
}

// ListServiceProviders lists service providers, filtered by id and enabled.
func (s *v3) ListServiceProviders(_ context.Context, req v3s.ListServiceProvidersRequestObject) (v3s.ListServiceProvidersResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	p := req.Params
	out := []v3s.ServiceProvider{}
	for _, sp := range st.fedArea.sps.all() {
		if (p.ID == nil || *p.ID == sp.ID) && (p.Enabled == nil || *p.Enabled == sp.Enabled) {
			out = append(out, *sp)
		}
	}
	return v3s.ListServiceProviders200JSONResponse{ServiceProviders: out,
		Links: st.collection("OS-FEDERATION/service_providers")}, nil
}

// UpdateServiceProvider updates a service provider.
func (s *v3) UpdateServiceProvider(_ context.Context, req v3s.UpdateServiceProviderRequestObject) (v3s.UpdateServiceProviderResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find service_provider in request body.")
	}
	in := req.Body.ServiceProvider
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	sp := st.fedArea.sps.get(req.SpID)
	if sp == nil {
		return nil, spNotFound(req.SpID)
	}
	if in.AuthURL != nil {
		sp.AuthURL = *in.AuthURL
	}
	if in.SpURL != nil {
		sp.SpURL = *in.SpURL
	}
	if in.Enabled != nil {
		sp.Enabled = *in.Enabled
	}
	if in.Description.IsSpecified() {
		sp.Description = null[string]()
		if d, ok := value(in.Description); ok {
			sp.Description = some(d)
		}
	}
	if in.RelayStatePrefix != nil {
		sp.RelayStatePrefix = *in.RelayStatePrefix
	}
	return v3s.UpdateServiceProvider200JSONResponse{ServiceProvider: *sp}, nil
}

// DeleteServiceProvider deletes a service provider.
func (s *v3) DeleteServiceProvider(_ context.Context, req v3s.DeleteServiceProviderRequestObject) (v3s.DeleteServiceProviderResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.fedArea.sps.get(req.SpID) == nil {
		return nil, spNotFound(req.SpID)
	}
	st.fedArea.sps.del(req.SpID)
	return v3s.DeleteServiceProvider204Response{}, nil
}
