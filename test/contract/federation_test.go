//go:build integration

package contract

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// OS-FEDERATION needs this from the Keystone under test (scripts/keystone-local.sh
// sets it up): `mapped` among `[auth] methods`; `[federation] trusted_dashboard`
// = fedDashboard and an `sso_callback_template`; `[saml]` certfile, keyfile,
// idp_entity_id, idp_sso_endpoint and idp_metadata_path, with the metadata
// written by `keystone-manage saml_idp_metadata`.
//
// Federated login needs no outside identity provider here: the web server in
// front of Keystone normally puts the identity provider's assertion into the
// request environment; keystone-wsgi-public (Python's wsgiref) puts every request
// header there as HTTP_<NAME>, and Keystone's mapping engine reads every
// environment variable (`[federation] assertion_prefix` is empty). So the tests
// send the assertion as request headers.
const (
	fedProtocol     = "mapped" // an [auth] method that runs the mapping engine
	fedUserHeader   = "X-Ct-Fed-User"
	fedUserAttr     = "HTTP_X_CT_FED_USER"
	fedEntityHeader = "X-Ct-Fed-Idp"
	fedEntityAttr   = "HTTP_X_CT_FED_IDP"
	fedDashboard    = "https://horizon.example.com/auth/websso/"
)

// asserting returns a request editor that sends a federated assertion: the
// user's name and the identity provider's entity ID (either may be empty).
func asserting(user, entityID string) v3.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		if user != "" {
			req.Header.Set(fedUserHeader, user)
		}
		if entityID != "" {
			req.Header.Set(fedEntityHeader, entityID)
		}
		return nil
	}
}

// newIdentityProvider registers an identity provider with a unique ID and
// deletes it when t ends, with the domain Keystone creates for it when
// create has no domain_id.
func newIdentityProvider(t testing.TB, create v3.IdentityProviderCreate) v3.IdentityProvider {
	t.Helper()
	id := uniq("idp")
	r, err := adm.CreateIdentityProviderWithResponse(t.Context(), id, v3.IdentityProviderCreateRequest{IdentityProvider: create})
	expect(t, r, err, 201)
	idp := r.JSON201.IdentityProvider
	if !create.DomainID.IsSpecified() || create.DomainID.IsNull() {
		t.Cleanup(func() { deleteFederationDomain(t, idp.DomainID) }) // runs after the deletion below
	}
	t.Cleanup(func() {
		deleteQuietly(t, "identity provider "+id, func() (response, error) {
			return adm.DeleteIdentityProviderWithResponse(cleanupCtx(), id)
		})
	})
	return idp
}

// deleteFederationDomain disables and deletes a domain Keystone created for an
// identity provider.
func deleteFederationDomain(t testing.TB, id string) {
	t.Helper()
	ctx := cleanupCtx()
	u, err := adm.UpdateDomainWithResponse(ctx, id, v3.DomainUpdateRequest{Domain: v3.DomainUpdate{Enabled: ptr(false)}})
	if err == nil && u.StatusCode() != 200 && u.StatusCode() != 404 {
		t.Errorf("cleanup: disable domain %s: %s", id, u.Status())
	}
	deleteQuietly(t, "domain "+id, func() (response, error) { return adm.DeleteDomainWithResponse(ctx, id) })
}

// newMapping creates a mapping with a unique ID and deletes it when t ends.
func newMapping(t testing.TB, rules []v3.MappingRule) v3.Mapping {
	t.Helper()
	id := uniq("mapping")
	r, err := adm.CreateMappingWithResponse(t.Context(), id, v3.MappingCreateRequest{Mapping: v3.MappingCreate{Rules: rules}})
	expect(t, r, err, 201)
	t.Cleanup(func() {
		deleteQuietly(t, "mapping "+id, func() (response, error) { return adm.DeleteMappingWithResponse(cleanupCtx(), id) })
	})
	return r.JSON201.Mapping
}

// userNameRule maps the asserted user name to an ephemeral user in groupID.
func userNameRule(groupID string) []v3.MappingRule {
	return []v3.MappingRule{{
		Local: []v3.MappingLocalRule{
			{User: &v3.MappingLocalUser{Name: ptr("{0}")}},
			{Group: &v3.MappingLocalGroup{ID: &groupID}},
		},
		Remote: []v3.MappingRemoteRule{{Type: fedUserAttr}},
	}}
}

// newFederationProtocol adds a protocol to an identity provider; it goes with
// the identity provider, and is deleted first if the test has not done so.
func newFederationProtocol(t testing.TB, idpID, protocolID string, create v3.FederationProtocolCreate) v3.FederationProtocol {
	t.Helper()
	r, err := adm.CreateIdentityProviderProtocolWithResponse(t.Context(), idpID, protocolID,
		v3.FederationProtocolCreateRequest{Protocol: create})
	expect(t, r, err, 201)
	t.Cleanup(func() {
		deleteQuietly(t, "protocol "+protocolID, func() (response, error) {
			return adm.DeleteIdentityProviderProtocolWithResponse(cleanupCtx(), idpID, protocolID)
		})
	})
	return r.JSON201.Protocol
}

// newServiceProvider registers a service provider with a unique ID and deletes
// it when t ends. Zero URLs get example values.
func newServiceProvider(t testing.TB, create v3.ServiceProviderCreate) v3.ServiceProvider {
	t.Helper()
	if create.AuthURL == "" {
		create.AuthURL = "https://sp.example.com/identity/v3/OS-FEDERATION/identity_providers/ct/protocols/saml2/auth"
	}
	if create.SpURL == "" {
		create.SpURL = "https://sp.example.com/Shibboleth.sso/SAML2/ECP"
	}
	id := uniq("sp")
	r, err := adm.CreateServiceProviderWithResponse(t.Context(), id, v3.ServiceProviderCreateRequest{ServiceProvider: create})
	expect(t, r, err, 201)
	t.Cleanup(func() {
		deleteQuietly(t, "service provider "+id, func() (response, error) {
			return adm.DeleteServiceProviderWithResponse(cleanupCtx(), id)
		})
	})
	return r.JSON201.ServiceProvider
}

// federation is an identity provider whose users (asserted by name) become
// members of a group with the member role on a project and on the identity
// provider's domain.
type federation struct {
	idp      v3.IdentityProvider
	entityID string // the identity provider's remote ID
	domain   v3.Domain
	group    v3.Group
	project  v3.Project
	mapping  v3.Mapping
}

func newFederation(t testing.TB) federation {
	t.Helper()
	var f federation
	f.domain = newDomain(t, v3.DomainCreate{}) // first, so that it is deleted last
	f.group = newGroup(t, v3.GroupCreate{})
	f.project = newProject(t, v3.ProjectCreate{})
	member := roleID(t, "member")
	g, err := adm.GrantProjectGroupRoleWithResponse(t.Context(), f.project.ID, f.group.ID, member)
	expect(t, g, err, 204)
	d, err := adm.GrantDomainGroupRoleWithResponse(t.Context(), f.domain.ID, f.group.ID, member)
	expect(t, d, err, 204)
	f.mapping = newMapping(t, userNameRule(f.group.ID))
	f.entityID = uniq("entity")
	f.idp = newIdentityProvider(t, v3.IdentityProviderCreate{
		DomainID:  nullable.NewNullableWithValue(f.domain.ID),
		Enabled:   ptr(true),
		RemoteIds: nullable.NewNullableWithValue([]string{f.entityID}),
	})
	newFederationProtocol(t, f.idp.ID, fedProtocol, v3.FederationProtocolCreate{
		MappingID: f.mapping.ID, RemoteIDAttribute: ptr(fedEntityAttr),
	})
	return f
}

// forgetFederatedUser deletes the shadow user Keystone made for a federated
// login when t ends.
func forgetFederatedUser(t testing.TB, userID string) {
	t.Helper()
	t.Cleanup(func() {
		deleteQuietly(t, "federated user "+userID, func() (response, error) {
			return adm.DeleteUserWithResponse(cleanupCtx(), userID)
		})
	})
}

// checkFederatedToken checks the unscoped token of a federated user.
func checkFederatedToken(t testing.TB, f federation, name string, tok v3.Token) {
	t.Helper()
	if !slices.Equal(tok.Methods, []string{fedProtocol}) || tok.User.Name != name || *tok.User.Domain.ID != f.domain.ID {
		t.Errorf("methods %v, user %+v", tok.Methods, tok.User)
	}
	fed := tok.User.OSFEDERATION
	if fed == nil || fed.IdentityProvider == nil || fed.IdentityProvider.ID != f.idp.ID || fed.Protocol == nil || fed.Protocol.ID != fedProtocol {
		t.Fatalf("OS-FEDERATION = %+v", fed)
	}
	if len(fed.Groups) != 1 || fed.Groups[0].ID != f.group.ID {
		t.Errorf("groups = %+v", fed.Groups)
	}
	if tok.Project != nil || tok.Catalog != nil || len(tok.AuditIds) != 1 {
		t.Errorf("not an unscoped token: %+v", tok)
	}
}

func TestIdentityProviders(t *testing.T) {
	dom := newDomain(t, v3.DomainCreate{})
	remote := uniq("remote")
	idp := newIdentityProvider(t, v3.IdentityProviderCreate{
		DomainID:         nullable.NewNullableWithValue(dom.ID),
		Description:      nullable.NewNullableWithValue("contract idp"),
		Enabled:          ptr(true),
		RemoteIds:        nullable.NewNullableWithValue([]string{remote, remote + "-2"}),
		AuthorizationTTL: nullable.NewNullableWithValue(30),
	})
	bare := newIdentityProvider(t, v3.IdentityProviderCreate{})

	t.Run("createIdentityProvider", func(t *testing.T) {
		if idp.DomainID != dom.ID || !idp.Enabled || idp.Description.MustGet() != "contract idp" || idp.AuthorizationTTL.MustGet() != 30 {
			t.Errorf("created %+v", idp)
		}
		if !slices.Equal(idp.RemoteIds, []string{remote, remote + "-2"}) {
			t.Errorf("remote_ids = %v", idp.RemoteIds)
		}
		if !strings.HasSuffix(idp.Links.Self, "/v3/OS-FEDERATION/identity_providers/"+idp.ID) || idp.Links.Protocols != idp.Links.Self+"/protocols" {
			t.Errorf("links = %+v", idp.Links)
		}
		// Defaults: disabled, no description, no remote IDs, no TTL, a new domain.
		if bare.Enabled || !bare.Description.IsNull() || len(bare.RemoteIds) != 0 || !bare.AuthorizationTTL.IsNull() {
			t.Errorf("defaults: %+v", bare)
		}
		d, err := adm.GetDomainWithResponse(t.Context(), bare.DomainID)
		expect(t, d, err, 200)
		if !strings.Contains(d.JSON200.Domain.Description.MustGet(), bare.ID) {
			t.Errorf("domain made for the identity provider: %+v", d.JSON200.Domain)
		}
		// The api-ref promises a 409 for a domain used by another identity
		// provider; Keystone 22 lets them share it.
		shared := newIdentityProvider(t, v3.IdentityProviderCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
		if shared.DomainID != dom.ID {
			t.Errorf("shared domain: %+v", shared)
		}
	})

	t.Run("createIdentityProvider errors", func(t *testing.T) {
		r, err := adm.CreateIdentityProviderWithResponse(t.Context(), idp.ID, v3.IdentityProviderCreateRequest{})
		expectError(t, r, err, 409)
		id := uniq("idp")
		r, err = adm.CreateIdentityProviderWithResponse(t.Context(), id, v3.IdentityProviderCreateRequest{IdentityProvider: v3.IdentityProviderCreate{
			DomainID: nullable.NewNullableWithValue(dom.ID), RemoteIds: nullable.NewNullableWithValue([]string{remote}),
		}})
		expectError(t, r, err, 409)
		r, err = adm.CreateIdentityProviderWithResponse(t.Context(), id, v3.IdentityProviderCreateRequest{IdentityProvider: v3.IdentityProviderCreate{
			DomainID: nullable.NewNullableWithValue(uniq("nodomain")),
		}})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").CreateIdentityProviderWithResponse(t.Context(), id, v3.IdentityProviderCreateRequest{})
		expectError(t, r, err, 401)
		r, err = reader(t).CreateIdentityProviderWithResponse(t.Context(), id, v3.IdentityProviderCreateRequest{})
		expectError(t, r, err, 403)
		for _, b := range []string{
			`{"identity_provider": {"ct_unknown": 1}}`,
			`{"identity_provider": {"authorization_ttl": -1}}`,
			`{"identity_provider": {"remote_ids": ["a", "a"]}}`,
			`{"identity_provider": {"enabled": null}}`,
			`{"identity_provider": {"domain_id": "not a valid id"}}`,
		} {
			r, err := adm.CreateIdentityProviderWithBodyWithResponse(invalid(t), id, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		g, err := adm.GetIdentityProviderWithResponse(t.Context(), id)
		expectError(t, g, err, 404)
	})

	t.Run("getIdentityProvider", func(t *testing.T) {
		r, err := adm.GetIdentityProviderWithResponse(t.Context(), idp.ID)
		expect(t, r, err, 200)
		if got := r.JSON200.IdentityProvider; got.ID != idp.ID || got.DomainID != dom.ID || !slices.Equal(got.RemoteIds, idp.RemoteIds) || got.AuthorizationTTL.MustGet() != 30 {
			t.Errorf("got %+v", got)
		}
		r, err = adm.GetIdentityProviderWithResponse(t.Context(), uniq("none"))
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").GetIdentityProviderWithResponse(t.Context(), idp.ID)
		expectError(t, r, err, 401)
		r, err = reader(t).GetIdentityProviderWithResponse(t.Context(), idp.ID)
		expectError(t, r, err, 403)
	})

	t.Run("listIdentityProviders", func(t *testing.T) {
		ids := func(p *v3.ListIdentityProvidersParams) []string {
			t.Helper()
			r, err := adm.ListIdentityProvidersWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			var out []string
			for _, i := range r.JSON200.IdentityProviders {
				out = append(out, i.ID)
				if i.Links.Protocols == "" {
					t.Errorf("%s: no protocols link", i.ID)
				}
			}
			return out
		}
		cases := []struct {
			name         string
			params       *v3.ListIdentityProvidersParams
			want, absent []string
		}{
			{"all", nil, []string{idp.ID, bare.ID}, nil},
			{"id", &v3.ListIdentityProvidersParams{ID: &idp.ID}, []string{idp.ID}, []string{bare.ID}},
			{"enabled=true", &v3.ListIdentityProvidersParams{Enabled: ptr(true)}, []string{idp.ID}, []string{bare.ID}},
			{"enabled=false", &v3.ListIdentityProvidersParams{Enabled: ptr(false)}, []string{bare.ID}, []string{idp.ID}},
			{"unknown id", &v3.ListIdentityProvidersParams{ID: ptr(uniq("none"))}, nil, []string{idp.ID, bare.ID}},
		}
		for _, c := range cases {
			got := ids(c.params)
			for _, id := range c.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s: %s missing from %v", c.name, id, got)
				}
			}
			for _, id := range c.absent {
				if slices.Contains(got, id) {
					t.Errorf("%s: %s should not be in %v", c.name, id, got)
				}
			}
		}
		r, err := newClient("not-a-token").ListIdentityProvidersWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
		r, err = reader(t).ListIdentityProvidersWithResponse(t.Context(), nil)
		expectError(t, r, err, 403)
	})

	t.Run("updateIdentityProvider", func(t *testing.T) {
		victim := newIdentityProvider(t, v3.IdentityProviderCreate{
			DomainID: nullable.NewNullableWithValue(dom.ID), Description: nullable.NewNullableWithValue("before"),
			RemoteIds: nullable.NewNullableWithValue([]string{uniq("remote")}), AuthorizationTTL: nullable.NewNullableWithValue(5),
		})
		newRemote := uniq("remote")
		r, err := adm.UpdateIdentityProviderWithResponse(t.Context(), victim.ID, v3.IdentityProviderUpdateRequest{IdentityProvider: v3.IdentityProviderUpdate{
			Enabled: ptr(true), Description: nullable.NewNullableWithValue("after"),
			RemoteIds: nullable.NewNullableWithValue([]string{newRemote}), AuthorizationTTL: nullable.NewNullNullable[int](),
		}})
		expect(t, r, err, 200)
		got := r.JSON200.IdentityProvider
		if !got.Enabled || got.Description.MustGet() != "after" || !slices.Equal(got.RemoteIds, []string{newRemote}) || !got.AuthorizationTTL.IsNull() || got.DomainID != dom.ID {
			t.Errorf("update not applied: %+v", got)
		}
		// null empties remote_ids and the description.
		r, err = adm.UpdateIdentityProviderWithResponse(t.Context(), victim.ID, v3.IdentityProviderUpdateRequest{IdentityProvider: v3.IdentityProviderUpdate{
			RemoteIds: nullable.NewNullNullable[[]string](), Description: nullable.NewNullNullable[string](),
		}})
		expect(t, r, err, 200)
		if got := r.JSON200.IdentityProvider; len(got.RemoteIds) != 0 || !got.Description.IsNull() {
			t.Errorf("null update: %+v", got)
		}
		g, err := adm.GetIdentityProviderWithResponse(t.Context(), victim.ID)
		expect(t, g, err, 200)
		if got := g.JSON200.IdentityProvider; !got.Enabled || len(got.RemoteIds) != 0 {
			t.Errorf("update not stored: %+v", got)
		}

		r, err = adm.UpdateIdentityProviderWithResponse(t.Context(), victim.ID, v3.IdentityProviderUpdateRequest{IdentityProvider: v3.IdentityProviderUpdate{
			RemoteIds: nullable.NewNullableWithValue([]string{remote}),
		}})
		expectError(t, r, err, 409)
		r, err = adm.UpdateIdentityProviderWithResponse(t.Context(), uniq("none"), v3.IdentityProviderUpdateRequest{IdentityProvider: v3.IdentityProviderUpdate{Enabled: ptr(true)}})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").UpdateIdentityProviderWithResponse(t.Context(), victim.ID, v3.IdentityProviderUpdateRequest{IdentityProvider: v3.IdentityProviderUpdate{Enabled: ptr(false)}})
		expectError(t, r, err, 401)
		r, err = reader(t).UpdateIdentityProviderWithResponse(t.Context(), victim.ID, v3.IdentityProviderUpdateRequest{IdentityProvider: v3.IdentityProviderUpdate{Enabled: ptr(false)}})
		expectError(t, r, err, 403)
		for _, b := range []string{
			`{"identity_provider": {}}`,
			fmt.Sprintf(`{"identity_provider": {"domain_id": %q}}`, ks.Domain),
			`{"identity_provider": {"authorization_ttl": "5"}}`,
		} {
			r, err := adm.UpdateIdentityProviderWithBodyWithResponse(invalid(t), victim.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		g, err = adm.GetIdentityProviderWithResponse(t.Context(), victim.ID)
		expect(t, g, err, 200)
		if got := g.JSON200.IdentityProvider; got.DomainID != dom.ID || !got.Enabled || len(got.RemoteIds) != 0 {
			t.Errorf("a refused update changed the identity provider: %+v", got)
		}
	})

	t.Run("deleteIdentityProvider", func(t *testing.T) {
		victim := newIdentityProvider(t, v3.IdentityProviderCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
		r, err := reader(t).DeleteIdentityProviderWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").DeleteIdentityProviderWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 401)
		r, err = adm.DeleteIdentityProviderWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		g, err := adm.GetIdentityProviderWithResponse(t.Context(), victim.ID)
		expectError(t, g, err, 404)
		r, err = adm.DeleteIdentityProviderWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}

func TestFederationProtocols(t *testing.T) {
	dom := newDomain(t, v3.DomainCreate{})
	idp := newIdentityProvider(t, v3.IdentityProviderCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
	group := newGroup(t, v3.GroupCreate{})
	m1 := newMapping(t, userNameRule(group.ID))
	m2 := newMapping(t, userNameRule(group.ID))
	saml := newFederationProtocol(t, idp.ID, "saml2", v3.FederationProtocolCreate{MappingID: m1.ID, RemoteIDAttribute: ptr("Shib-Identity-Provider")})
	oidc := newFederationProtocol(t, idp.ID, "openid", v3.FederationProtocolCreate{MappingID: m2.ID})

	t.Run("createIdentityProviderProtocol", func(t *testing.T) {
		if saml.ID != "saml2" || saml.MappingID != m1.ID || oidc.ID != "openid" || oidc.MappingID != m2.ID {
			t.Errorf("created %+v, %+v", saml, oidc)
		}
		// Keystone 22 returns neither idp_id nor remote_id_attribute for one
		// protocol, and links without the /OS-FEDERATION/identity_providers part.
		if saml.IdpID != nil || saml.RemoteIDAttribute.IsSpecified() {
			t.Errorf("single protocol with listing-only members: %+v", saml)
		}
		if !strings.HasSuffix(saml.Links.Self, "/saml2") || !strings.HasSuffix(saml.Links.IdentityProvider, "/"+idp.ID) {
			t.Errorf("links = %+v", saml.Links)
		}

		r, err := adm.CreateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "saml2",
			v3.FederationProtocolCreateRequest{Protocol: v3.FederationProtocolCreate{MappingID: m2.ID}})
		expectError(t, r, err, 409)
		r, err = adm.CreateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-other",
			v3.FederationProtocolCreateRequest{Protocol: v3.FederationProtocolCreate{MappingID: uniq("nomapping")}})
		expectError(t, r, err, 400)
		r, err = adm.CreateIdentityProviderProtocolWithResponse(t.Context(), uniq("none"), "saml2",
			v3.FederationProtocolCreateRequest{Protocol: v3.FederationProtocolCreate{MappingID: m1.ID}})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").CreateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-other",
			v3.FederationProtocolCreateRequest{Protocol: v3.FederationProtocolCreate{MappingID: m1.ID}})
		expectError(t, r, err, 401)
		r, err = reader(t).CreateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-other",
			v3.FederationProtocolCreateRequest{Protocol: v3.FederationProtocolCreate{MappingID: m1.ID}})
		expectError(t, r, err, 403)
		for _, b := range []string{
			`{"protocol": {}}`,
			`{"protocol": {"mapping_id": "a b"}}`,
			fmt.Sprintf(`{"protocol": {"mapping_id": %q, "ct_unknown": 1}}`, m1.ID),
			fmt.Sprintf(`{"protocol": {"mapping_id": %q, "remote_id_attribute": %q}}`, m1.ID, strings.Repeat("x", 65)),
		} {
			r, err := adm.CreateIdentityProviderProtocolWithBodyWithResponse(invalid(t), idp.ID, "ct-other", "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		g, err := adm.GetIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-other")
		expectError(t, g, err, 404)
	})

	t.Run("getIdentityProviderProtocol", func(t *testing.T) {
		r, err := adm.GetIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "saml2")
		expect(t, r, err, 200)
		if got := r.JSON200.Protocol; got.ID != "saml2" || got.MappingID != m1.ID {
			t.Errorf("got %+v", got)
		}
		r, err = adm.GetIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-none")
		expectError(t, r, err, 404)
		r, err = adm.GetIdentityProviderProtocolWithResponse(t.Context(), uniq("none"), "saml2")
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").GetIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "saml2")
		expectError(t, r, err, 401)
		r, err = reader(t).GetIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "saml2")
		expectError(t, r, err, 403)
	})

	t.Run("listIdentityProviderProtocols", func(t *testing.T) {
		r, err := adm.ListIdentityProviderProtocolsWithResponse(t.Context(), idp.ID)
		expect(t, r, err, 200)
		got := map[string]v3.FederationProtocol{}
		for _, p := range r.JSON200.Protocols {
			got[p.ID] = p
		}
		if len(got) != 2 {
			t.Fatalf("protocols = %+v", r.JSON200.Protocols)
		}
		// The listing has idp_id and remote_id_attribute (null when unset).
		if p := got["saml2"]; p.MappingID != m1.ID || *p.IdpID != idp.ID || p.RemoteIDAttribute.MustGet() != "Shib-Identity-Provider" {
			t.Errorf("saml2 = %+v", p)
		}
		if p := got["openid"]; p.MappingID != m2.ID || !p.RemoteIDAttribute.IsNull() {
			t.Errorf("openid = %+v", p)
		}
		// An unknown identity provider has no protocols: 200, not 404.
		r, err = adm.ListIdentityProviderProtocolsWithResponse(t.Context(), uniq("none"))
		expect(t, r, err, 200)
		if len(r.JSON200.Protocols) != 0 {
			t.Errorf("unknown identity provider: %+v", r.JSON200.Protocols)
		}
		r, err = newClient("not-a-token").ListIdentityProviderProtocolsWithResponse(t.Context(), idp.ID)
		expectError(t, r, err, 401)
		r, err = reader(t).ListIdentityProviderProtocolsWithResponse(t.Context(), idp.ID)
		expectError(t, r, err, 403)
	})

	t.Run("updateIdentityProviderProtocol", func(t *testing.T) {
		r, err := adm.UpdateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "openid",
			v3.FederationProtocolUpdateRequest{Protocol: v3.FederationProtocolUpdate{MappingID: m1.ID, RemoteIDAttribute: ptr("HTTP_OIDC_ISS")}})
		expect(t, r, err, 200)
		if got := r.JSON200.Protocol; got.ID != "openid" || got.MappingID != m1.ID {
			t.Errorf("updated %+v", got)
		}
		l, err := adm.ListIdentityProviderProtocolsWithResponse(t.Context(), idp.ID)
		expect(t, l, err, 200)
		for _, p := range l.JSON200.Protocols {
			if p.ID == "openid" && (p.MappingID != m1.ID || p.RemoteIDAttribute.MustGet() != "HTTP_OIDC_ISS") {
				t.Errorf("update not stored: %+v", p)
			}
		}

		r, err = adm.UpdateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "openid",
			v3.FederationProtocolUpdateRequest{Protocol: v3.FederationProtocolUpdate{MappingID: uniq("nomapping")}})
		expectError(t, r, err, 400)
		r, err = adm.UpdateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-none",
			v3.FederationProtocolUpdateRequest{Protocol: v3.FederationProtocolUpdate{MappingID: m1.ID}})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").UpdateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "openid",
			v3.FederationProtocolUpdateRequest{Protocol: v3.FederationProtocolUpdate{MappingID: m2.ID}})
		expectError(t, r, err, 401)
		r, err = reader(t).UpdateIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "openid",
			v3.FederationProtocolUpdateRequest{Protocol: v3.FederationProtocolUpdate{MappingID: m2.ID}})
		expectError(t, r, err, 403)
		for _, b := range []string{`{"protocol": {}}`, `{"protocol": {"mapping_id": ""}}`} {
			r, err := adm.UpdateIdentityProviderProtocolWithBodyWithResponse(invalid(t), idp.ID, "openid", "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
	})

	t.Run("deleteIdentityProviderProtocol", func(t *testing.T) {
		newFederationProtocol(t, idp.ID, "ct-victim", v3.FederationProtocolCreate{MappingID: m1.ID})
		r, err := reader(t).DeleteIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-victim")
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").DeleteIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-victim")
		expectError(t, r, err, 401)
		r, err = adm.DeleteIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-victim")
		expect(t, r, err, 204)
		g, err := adm.GetIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-victim")
		expectError(t, g, err, 404)
		r, err = adm.DeleteIdentityProviderProtocolWithResponse(t.Context(), idp.ID, "ct-victim")
		expectError(t, r, err, 404)
	})

	t.Run("deleting the identity provider deletes its protocols", func(t *testing.T) {
		other := newIdentityProvider(t, v3.IdentityProviderCreate{DomainID: nullable.NewNullableWithValue(dom.ID)})
		newFederationProtocol(t, other.ID, "saml2", v3.FederationProtocolCreate{MappingID: m1.ID})
		d, err := adm.DeleteIdentityProviderWithResponse(t.Context(), other.ID)
		expect(t, d, err, 204)
		l, err := adm.ListIdentityProviderProtocolsWithResponse(t.Context(), other.ID)
		expect(t, l, err, 200)
		if len(l.JSON200.Protocols) != 0 {
			t.Errorf("protocols left: %+v", l.JSON200.Protocols)
		}
	})
}

// fullRules uses every part of Keystone 22's mapping language.
func fullRules(groupID, domainID string) []v3.MappingRule {
	return []v3.MappingRule{
		{
			Local: []v3.MappingLocalRule{
				{User: &v3.MappingLocalUser{Name: ptr("{0}"), Email: ptr("{1}"), Type: ptr(v3.MappingLocalUserTypeEphemeral)}},
				{Group: &v3.MappingLocalGroup{ID: &groupID}},
				{Group: &v3.MappingLocalGroup{Name: ptr("ct-group"), Domain: &v3.DomainRef{ID: &domainID}}},
				{Groups: ptr("{2}"), Domain: &v3.DomainRef{Name: ptr("Default")}},
				{GroupIds: ptr("{3}")},
				{Projects: []v3.MappingLocalProject{{Name: "ct-project", Roles: []v3.MappingLocalProjectRole{{Name: "member"}}}}},
			},
			Remote: []v3.MappingRemoteRule{
				{Type: "REMOTE_USER"},
				{Type: "HTTP_OIDC_EMAIL"},
				{Type: "HTTP_OIDC_GROUPS", Whitelist: []string{"dev", "ops"}},
				{Type: "HTTP_OIDC_GROUP_IDS", Blacklist: []string{"^admin.*$"}, Regex: ptr(true)},
				{Type: "HTTP_OIDC_ISS", AnyOneOf: []string{"https://idp.example.com"}},
				{Type: "HTTP_OIDC_ROLE", NotAnyOf: []string{"guest"}},
			},
		},
		{
			Local:  []v3.MappingLocalRule{{User: &v3.MappingLocalUser{ID: ptr("{0}"), Domain: &v3.DomainRef{ID: &domainID}, Type: ptr(v3.MappingLocalUserTypeLocal)}}},
			Remote: []v3.MappingRemoteRule{{Type: "REMOTE_USER_ID"}},
		},
	}
}

// sameJSON reports whether a and b marshal to the same JSON.
func sameJSON(t testing.TB, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

func TestMappings(t *testing.T) {
	group := newGroup(t, v3.GroupCreate{})
	rules := fullRules(group.ID, ks.Domain)
	m := newMapping(t, rules)

	t.Run("createMapping", func(t *testing.T) {
		if !sameJSON(t, m.Rules, rules) || !strings.HasSuffix(m.Links.Self, "/v3/OS-FEDERATION/mappings/"+m.ID) || m.SchemaVersion != nil {
			t.Errorf("created %+v", m)
		}
		// Keystone 22 accepts schema_version (Keystone 25's) and ignores it.
		id := uniq("mapping")
		r, err := adm.CreateMappingWithResponse(t.Context(), id, v3.MappingCreateRequest{Mapping: v3.MappingCreate{
			Rules: userNameRule(group.ID), SchemaVersion: ptr("1.0"),
		}})
		expect(t, r, err, 201)
		t.Cleanup(func() {
			deleteQuietly(t, "mapping "+id, func() (response, error) { return adm.DeleteMappingWithResponse(cleanupCtx(), id) })
		})
		if r.JSON201.Mapping.SchemaVersion != nil {
			t.Errorf("schema_version returned: %+v", r.JSON201.Mapping)
		}
	})

	t.Run("createMapping errors", func(t *testing.T) {
		r, err := adm.CreateMappingWithResponse(t.Context(), m.ID, v3.MappingCreateRequest{Mapping: v3.MappingCreate{Rules: userNameRule(group.ID)}})
		expectError(t, r, err, 409)
		id := uniq("mapping")
		r, err = newClient("not-a-token").CreateMappingWithResponse(t.Context(), id, v3.MappingCreateRequest{Mapping: v3.MappingCreate{Rules: userNameRule(group.ID)}})
		expectError(t, r, err, 401)
		r, err = reader(t).CreateMappingWithResponse(t.Context(), id, v3.MappingCreateRequest{Mapping: v3.MappingCreate{Rules: userNameRule(group.ID)}})
		expectError(t, r, err, 403)
		local := `[{"user": {"name": "{0}"}}]`
		for _, b := range []string{
			`{"mapping": {}}`,
			`{"mapping": {"rules": []}}`,
			`{"mapping": {"rules": [{"local": ` + local + `}]}}`,
			`{"mapping": {"rules": [{"local": ` + local + `, "remote": []}]}}`,
			`{"mapping": {"rules": [{"local": ` + local + `, "remote": [{"type": "X", "any_one_of": ["a"], "not_any_of": ["b"]}]}]}}`,
			`{"mapping": {"rules": [{"local": ` + local + `, "remote": [{"type": "X", "regex": true}]}]}}`,
			`{"mapping": {"rules": [{"local": [{"group": {"id": "g", "name": "n"}}], "remote": [{"type": "X"}]}]}}`,
			`{"mapping": {"rules": [{"local": [{"group": {"name": "n"}}], "remote": [{"type": "X"}]}]}}`,
			`{"mapping": {"rules": [{"local": [{"user": {"type": "other"}}], "remote": [{"type": "X"}]}]}}`,
			`{"mapping": {"rules": [{"local": [{"projects": [{"name": "p"}]}], "remote": [{"type": "X"}]}]}}`,
		} {
			r, err := adm.CreateMappingWithBodyWithResponse(invalid(t), id, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		g, err := adm.GetMappingWithResponse(t.Context(), id)
		expectError(t, g, err, 404)
	})

	t.Run("getMapping", func(t *testing.T) {
		r, err := adm.GetMappingWithResponse(t.Context(), m.ID)
		expect(t, r, err, 200)
		if got := r.JSON200.Mapping; got.ID != m.ID || !sameJSON(t, got.Rules, rules) {
			t.Errorf("got %+v", got)
		}
		r, err = adm.GetMappingWithResponse(t.Context(), uniq("none"))
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").GetMappingWithResponse(t.Context(), m.ID)
		expectError(t, r, err, 401)
		r, err = reader(t).GetMappingWithResponse(t.Context(), m.ID)
		expectError(t, r, err, 403)
	})

	t.Run("listMappings", func(t *testing.T) {
		other := newMapping(t, userNameRule(group.ID))
		r, err := adm.ListMappingsWithResponse(t.Context())
		expect(t, r, err, 200)
		found := 0
		for _, got := range r.JSON200.Mappings {
			switch got.ID {
			case m.ID:
				found++
				if !sameJSON(t, got.Rules, rules) {
					t.Errorf("listed %+v", got)
				}
			case other.ID:
				found++
			}
		}
		if found != 2 {
			t.Errorf("%s or %s missing from %+v", m.ID, other.ID, r.JSON200.Mappings)
		}
		r, err = newClient("not-a-token").ListMappingsWithResponse(t.Context())
		expectError(t, r, err, 401)
		r, err = reader(t).ListMappingsWithResponse(t.Context())
		expectError(t, r, err, 403)
	})

	t.Run("updateMapping", func(t *testing.T) {
		victim := newMapping(t, userNameRule(group.ID))
		r, err := adm.UpdateMappingWithResponse(t.Context(), victim.ID, v3.MappingUpdateRequest{Mapping: v3.MappingCreate{Rules: rules}})
		expect(t, r, err, 200)
		if got := r.JSON200.Mapping; got.ID != victim.ID || !sameJSON(t, got.Rules, rules) {
			t.Errorf("updated %+v", got)
		}
		g, err := adm.GetMappingWithResponse(t.Context(), victim.ID)
		expect(t, g, err, 200)
		if !sameJSON(t, g.JSON200.Mapping.Rules, rules) {
			t.Errorf("update not stored: %+v", g.JSON200.Mapping)
		}
		r, err = adm.UpdateMappingWithResponse(t.Context(), uniq("none"), v3.MappingUpdateRequest{Mapping: v3.MappingCreate{Rules: rules}})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").UpdateMappingWithResponse(t.Context(), victim.ID, v3.MappingUpdateRequest{Mapping: v3.MappingCreate{Rules: rules}})
		expectError(t, r, err, 401)
		r, err = reader(t).UpdateMappingWithResponse(t.Context(), victim.ID, v3.MappingUpdateRequest{Mapping: v3.MappingCreate{Rules: rules}})
		expectError(t, r, err, 403)
		for _, b := range []string{`{"mapping": {}}`, `{"mapping": {"rules": []}}`} {
			r, err := adm.UpdateMappingWithBodyWithResponse(invalid(t), victim.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
	})

	t.Run("deleteMapping", func(t *testing.T) {
		victim := newMapping(t, userNameRule(group.ID))
		r, err := reader(t).DeleteMappingWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").DeleteMappingWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 401)
		r, err = adm.DeleteMappingWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		g, err := adm.GetMappingWithResponse(t.Context(), victim.ID)
		expectError(t, g, err, 404)
		r, err = adm.DeleteMappingWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}

func TestServiceProviders(t *testing.T) {
	sp := newServiceProvider(t, v3.ServiceProviderCreate{
		Description: nullable.NewNullableWithValue("contract sp"), RelayStatePrefix: ptr("ss:ct:"),
	})
	bare := newServiceProvider(t, v3.ServiceProviderCreate{})

	t.Run("createServiceProvider", func(t *testing.T) {
		if sp.Description.MustGet() != "contract sp" || sp.RelayStatePrefix != "ss:ct:" || sp.Enabled ||
			!strings.HasSuffix(sp.SpURL, "/SAML2/ECP") || !strings.HasSuffix(sp.Links.Self, "/v3/OS-FEDERATION/service_providers/"+sp.ID) {
			t.Errorf("created %+v", sp)
		}
		// Defaults: disabled, no description, the configured relay state prefix.
		if bare.Enabled || !bare.Description.IsNull() || bare.RelayStatePrefix == "" {
			t.Errorf("defaults: %+v", bare)
		}
		r, err := adm.CreateServiceProviderWithResponse(t.Context(), sp.ID, v3.ServiceProviderCreateRequest{ServiceProvider: v3.ServiceProviderCreate{
			AuthURL: sp.AuthURL, SpURL: sp.SpURL,
		}})
		expectError(t, r, err, 409)
		id := uniq("sp")
		create := v3.ServiceProviderCreateRequest{ServiceProvider: v3.ServiceProviderCreate{AuthURL: sp.AuthURL, SpURL: sp.SpURL}}
		r, err = newClient("not-a-token").CreateServiceProviderWithResponse(t.Context(), id, create)
		expectError(t, r, err, 401)
		r, err = reader(t).CreateServiceProviderWithResponse(t.Context(), id, create)
		expectError(t, r, err, 403)
		for _, b := range []string{
			`{"service_provider": {"auth_url": "https://a.example.com/auth"}}`,
			`{"service_provider": {"auth_url": "not a url", "sp_url": "https://a.example.com/ecp"}}`,
			`{"service_provider": {"auth_url": "https://a.example.com/auth", "sp_url": "https://a.example.com/ecp", "enabled": null}}`,
			`{"service_provider": {"auth_url": "https://a.example.com/auth", "sp_auth": "https://a.example.com/ecp"}}`,
		} {
			r, err := adm.CreateServiceProviderWithBodyWithResponse(invalid(t), id, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		g, err := adm.GetServiceProviderWithResponse(t.Context(), id)
		expectError(t, g, err, 404)
	})

	t.Run("getServiceProvider", func(t *testing.T) {
		r, err := adm.GetServiceProviderWithResponse(t.Context(), sp.ID)
		expect(t, r, err, 200)
		if got := r.JSON200.ServiceProvider; got.ID != sp.ID || got.AuthURL != sp.AuthURL || got.RelayStatePrefix != "ss:ct:" {
			t.Errorf("got %+v", got)
		}
		r, err = adm.GetServiceProviderWithResponse(t.Context(), uniq("none"))
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").GetServiceProviderWithResponse(t.Context(), sp.ID)
		expectError(t, r, err, 401)
		r, err = reader(t).GetServiceProviderWithResponse(t.Context(), sp.ID)
		expectError(t, r, err, 403)
	})

	t.Run("listServiceProviders", func(t *testing.T) {
		enabled := newServiceProvider(t, v3.ServiceProviderCreate{Enabled: ptr(true)})
		ids := func(p *v3.ListServiceProvidersParams) []string {
			t.Helper()
			r, err := adm.ListServiceProvidersWithResponse(t.Context(), p)
			expect(t, r, err, 200)
			var out []string
			for _, s := range r.JSON200.ServiceProviders {
				out = append(out, s.ID)
			}
			return out
		}
		cases := []struct {
			name         string
			params       *v3.ListServiceProvidersParams
			want, absent []string
		}{
			{"all", nil, []string{sp.ID, bare.ID, enabled.ID}, nil},
			{"id", &v3.ListServiceProvidersParams{ID: &sp.ID}, []string{sp.ID}, []string{bare.ID, enabled.ID}},
			{"enabled=true", &v3.ListServiceProvidersParams{Enabled: ptr(true)}, []string{enabled.ID}, []string{sp.ID, bare.ID}},
			{"enabled=false", &v3.ListServiceProvidersParams{Enabled: ptr(false)}, []string{sp.ID, bare.ID}, []string{enabled.ID}},
		}
		for _, c := range cases {
			got := ids(c.params)
			for _, id := range c.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s: %s missing from %v", c.name, id, got)
				}
			}
			for _, id := range c.absent {
				if slices.Contains(got, id) {
					t.Errorf("%s: %s should not be in %v", c.name, id, got)
				}
			}
		}
		// Enabled service providers appear in tokens.
		_, tok := issue(t, passwordByID(adminUser, ks.AdminPassword, projectScopeByID(adminProj)))
		if !slices.ContainsFunc(tok.ServiceProviders, func(s v3.TokenServiceProvider) bool {
			return *s.ID == enabled.ID && *s.SpURL == enabled.SpURL && *s.AuthURL == enabled.AuthURL
		}) || slices.ContainsFunc(tok.ServiceProviders, func(s v3.TokenServiceProvider) bool { return *s.ID == sp.ID }) {
			t.Errorf("token service_providers = %+v", tok.ServiceProviders)
		}
		r, err := newClient("not-a-token").ListServiceProvidersWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
		r, err = reader(t).ListServiceProvidersWithResponse(t.Context(), nil)
		expectError(t, r, err, 403)
	})

	t.Run("updateServiceProvider", func(t *testing.T) {
		victim := newServiceProvider(t, v3.ServiceProviderCreate{Description: nullable.NewNullableWithValue("before")})
		r, err := adm.UpdateServiceProviderWithResponse(t.Context(), victim.ID, v3.ServiceProviderUpdateRequest{ServiceProvider: v3.ServiceProviderUpdate{
			AuthURL: ptr("https://new.example.com/v3/OS-FEDERATION/identity_providers/x/protocols/saml2/auth"),
			SpURL:   ptr("https://new.example.com/Shibboleth.sso/SAML2/ECP"), Enabled: ptr(true),
			Description: nullable.NewNullNullable[string](), RelayStatePrefix: ptr("ss:temp:"),
		}})
		expect(t, r, err, 200)
		got := r.JSON200.ServiceProvider
		if !got.Enabled || !got.Description.IsNull() || got.RelayStatePrefix != "ss:temp:" || !strings.HasPrefix(got.AuthURL, "https://new.example.com/") || !strings.HasPrefix(got.SpURL, "https://new.example.com/") {
			t.Errorf("update not applied: %+v", got)
		}
		g, err := adm.GetServiceProviderWithResponse(t.Context(), victim.ID)
		expect(t, g, err, 200)
		if !sameJSON(t, g.JSON200.ServiceProvider, got) {
			t.Errorf("update not stored: %+v", g.JSON200.ServiceProvider)
		}
		r, err = adm.UpdateServiceProviderWithResponse(t.Context(), uniq("none"), v3.ServiceProviderUpdateRequest{ServiceProvider: v3.ServiceProviderUpdate{Enabled: ptr(false)}})
		expectError(t, r, err, 404)
		r, err = newClient("not-a-token").UpdateServiceProviderWithResponse(t.Context(), victim.ID, v3.ServiceProviderUpdateRequest{ServiceProvider: v3.ServiceProviderUpdate{Enabled: ptr(false)}})
		expectError(t, r, err, 401)
		r, err = reader(t).UpdateServiceProviderWithResponse(t.Context(), victim.ID, v3.ServiceProviderUpdateRequest{ServiceProvider: v3.ServiceProviderUpdate{Enabled: ptr(false)}})
		expectError(t, r, err, 403)
		// The api-ref's update sample (with its `sp_auth`) is refused.
		for _, b := range []string{
			`{"service_provider": {}}`,
			`{"service_provider": {"sp_url": "nope"}}`,
			`{"service_provider": {"auth_url": "https://new.example.com/auth", "enabled": true, "relay_state_prefix": "ss:temp:", "sp_auth": "https://new.example.com/ecp"}}`,
		} {
			r, err := adm.UpdateServiceProviderWithBodyWithResponse(invalid(t), victim.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
	})

	t.Run("deleteServiceProvider", func(t *testing.T) {
		victim := newServiceProvider(t, v3.ServiceProviderCreate{})
		r, err := reader(t).DeleteServiceProviderWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 403)
		r, err = newClient("not-a-token").DeleteServiceProviderWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 401)
		r, err = adm.DeleteServiceProviderWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		g, err := adm.GetServiceProviderWithResponse(t.Context(), victim.ID)
		expectError(t, g, err, 404)
		r, err = adm.DeleteServiceProviderWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}

func TestFederatedAuthentication(t *testing.T) {
	f := newFederation(t)

	t.Run("authenticateFederated", func(t *testing.T) {
		name := uniq("feduser")
		r, err := anon.AuthenticateFederatedWithResponse(t.Context(), f.idp.ID, fedProtocol, asserting(name, f.entityID))
		expect(t, r, err, 201)
		tok := r.JSON201.Token
		forgetFederatedUser(t, tok.User.ID)
		checkFederatedToken(t, f, name, tok)
		if r.Headers201.XSubjectToken == "" {
			t.Fatal("no X-Subject-Token")
		}
		unscoped := r.Headers201.XSubjectToken

		// The deprecated OS-FEDERATION listings, as the federated user.
		fed := newClient(unscoped)
		p, err := fed.ListFederatedProjectsWithResponse(t.Context())
		expect(t, p, err, 200)
		if len(p.JSON200.Projects) != 1 || p.JSON200.Projects[0].ID != f.project.ID {
			t.Errorf("federated projects = %+v", p.JSON200.Projects)
		}
		d, err := fed.ListFederatedDomainsWithResponse(t.Context())
		expect(t, d, err, 200)
		if len(d.JSON200.Domains) != 1 || d.JSON200.Domains[0].ID != f.domain.ID {
			t.Errorf("federated domains = %+v", d.JSON200.Domains)
		}

		// The federated scoped token: issueToken with the token method.
		_, scoped := issue(t, tokenMethod(unscoped, projectScopeByID(f.project.ID)))
		methods := slices.Sorted(slices.Values(scoped.Methods))
		if scoped.Project == nil || scoped.Project.ID != f.project.ID || !slices.Equal(methods, []string{fedProtocol, "token"}) ||
			!slices.ContainsFunc(scoped.Roles, func(r v3.TokenRole) bool { return r.Name == "member" }) {
			t.Errorf("scoped token: methods %v, project %+v, roles %+v", scoped.Methods, scoped.Project, scoped.Roles)
		}
		if scoped.User.OSFEDERATION == nil || scoped.User.OSFEDERATION.IdentityProvider.ID != f.idp.ID || len(scoped.User.OSFEDERATION.Groups) != 1 {
			t.Errorf("scoped token user = %+v", scoped.User)
		}

		// The same user again: the same shadow user.
		again, err := anon.AuthenticateFederatedWithResponse(t.Context(), f.idp.ID, fedProtocol, asserting(name, f.entityID))
		expect(t, again, err, 201)
		if again.JSON201.Token.User.ID != tok.User.ID {
			t.Errorf("second login: user %s, want %s", again.JSON201.Token.User.ID, tok.User.ID)
		}
	})

	t.Run("authenticateFederatedPost", func(t *testing.T) {
		name := uniq("feduser")
		r, err := anon.AuthenticateFederatedPostWithResponse(t.Context(), f.idp.ID, fedProtocol, asserting(name, f.entityID))
		expect(t, r, err, 201)
		forgetFederatedUser(t, r.JSON201.Token.User.ID)
		checkFederatedToken(t, f, name, r.JSON201.Token)
		if r.Headers201.XSubjectToken == "" {
			t.Error("no X-Subject-Token")
		}
	})

	t.Run("authenticateFederated errors", func(t *testing.T) {
		name := uniq("feduser")
		// No user attribute: no mapping rule matches.
		r, err := anon.AuthenticateFederatedWithResponse(t.Context(), f.idp.ID, fedProtocol, asserting("", f.entityID))
		expectError(t, r, err, 401)
		// No entity ID in the environment.
		r, err = anon.AuthenticateFederatedWithResponse(t.Context(), f.idp.ID, fedProtocol, asserting(name, ""))
		expectError(t, r, err, 401)
		// An entity ID that is not the identity provider's.
		r, err = anon.AuthenticateFederatedWithResponse(t.Context(), f.idp.ID, fedProtocol, asserting(name, uniq("entity")))
		expectError(t, r, err, 403)
		// A protocol that is not an [auth] method.
		newFederationProtocol(t, f.idp.ID, "ct-nomethod", v3.FederationProtocolCreate{MappingID: f.mapping.ID})
		r, err = anon.AuthenticateFederatedWithResponse(t.Context(), f.idp.ID, "ct-nomethod", asserting(name, f.entityID))
		expectError(t, r, err, 401)
		// No such identity provider, or no such protocol.
		r, err = anon.AuthenticateFederatedWithResponse(t.Context(), uniq("none"), fedProtocol, asserting(name, f.entityID))
		expectError(t, r, err, 404)
		other := newIdentityProvider(t, v3.IdentityProviderCreate{DomainID: nullable.NewNullableWithValue(f.domain.ID), Enabled: ptr(true)})
		r, err = anon.AuthenticateFederatedWithResponse(t.Context(), other.ID, fedProtocol, asserting(name, f.entityID))
		expectError(t, r, err, 404)
		// A disabled identity provider.
		disabled := newIdentityProvider(t, v3.IdentityProviderCreate{DomainID: nullable.NewNullableWithValue(f.domain.ID)})
		newFederationProtocol(t, disabled.ID, fedProtocol, v3.FederationProtocolCreate{MappingID: f.mapping.ID})
		p, err := anon.AuthenticateFederatedPostWithResponse(t.Context(), disabled.ID, fedProtocol, asserting(name, ""))
		expectError(t, p, err, 403)
		p, err = anon.AuthenticateFederatedPostWithResponse(t.Context(), f.idp.ID, fedProtocol, asserting("", f.entityID))
		expectError(t, p, err, 401)
	})

	t.Run("listFederatedProjects and listFederatedDomains errors", func(t *testing.T) {
		bad := newClient("not-a-token")
		p, err := bad.ListFederatedProjectsWithResponse(t.Context())
		expectError(t, p, err, 401)
		d, err := bad.ListFederatedDomainsWithResponse(t.Context())
		expectError(t, d, err, 401)
		// Not only for federated tokens: the admin's projects.
		p, err = adm.ListFederatedProjectsWithResponse(t.Context())
		expect(t, p, err, 200)
		if !slices.ContainsFunc(p.JSON200.Projects, func(p v3.Project) bool { return p.ID == adminProj }) {
			t.Errorf("admin's projects: %+v", p.JSON200.Projects)
		}
		d, err = adm.ListFederatedDomainsWithResponse(t.Context())
		expect(t, d, err, 200)
	})

	// checkPage checks a WebSSO page (the harness's sso_callback_template,
	// filled in by Keystone) and returns the token it posts.
	tokenField := regexp.MustCompile(`<input type="hidden" name="token" value="([^"]+)"`)
	action := regexp.MustCompile(`<form action="([^"]+)" method="post">`)
	checkPage := func(t *testing.T, r interface {
		response
		ContentType() string
	}, name string) {
		t.Helper()
		page := body(r)
		if r.ContentType() != "text/html" {
			t.Errorf("content type %q", r.ContentType())
		}
		a, tk := action.FindStringSubmatch(page), tokenField.FindStringSubmatch(page)
		if a == nil || html.UnescapeString(a[1]) != fedDashboard || tk == nil {
			t.Fatalf("WebSSO page: %s", page)
		}
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: tk[1]})
		expect(t, v, err, 200)
		forgetFederatedUser(t, v.JSON200.Token.User.ID)
		checkFederatedToken(t, f, name, v.JSON200.Token)
	}

	t.Run("webSSO", func(t *testing.T) {
		name := uniq("feduser")
		r, err := anon.WebSSOWithResponse(t.Context(), fedProtocol, &v3.WebSSOParams{Origin: fedDashboard}, asserting(name, f.entityID))
		expect(t, r, err, 200)
		checkPage(t, r, name)

		r, err = anon.WebSSOWithResponse(t.Context(), fedProtocol, &v3.WebSSOParams{Origin: "https://evil.example.com/"}, asserting(name, f.entityID))
		expectError(t, r, err, 401)
		r, err = anon.WebSSOWithResponse(t.Context(), fedProtocol, &v3.WebSSOParams{Origin: ""}, asserting(name, f.entityID))
		expectError(t, r, err, 400)
		// An entity ID no identity provider has.
		r, err = anon.WebSSOWithResponse(t.Context(), fedProtocol, &v3.WebSSOParams{Origin: fedDashboard}, asserting(name, uniq("entity")))
		expectError(t, r, err, 404)
		// No identity provider's entity ID in the environment.
		r, err = anon.WebSSOWithResponse(t.Context(), "ct-noprotocol", &v3.WebSSOParams{Origin: fedDashboard}, asserting(name, f.entityID))
		expectError(t, r, err, 401)
		r, err = anon.WebSSOWithResponse(t.Context(), fedProtocol, &v3.WebSSOParams{Origin: fedDashboard}, asserting(name, ""))
		expectError(t, r, err, 401)
	})

	t.Run("webSSOPost", func(t *testing.T) {
		name := uniq("feduser")
		r, err := anon.WebSSOPostWithResponse(t.Context(), fedProtocol, &v3.WebSSOPostParams{Origin: fedDashboard}, asserting(name, f.entityID))
		expect(t, r, err, 200)
		checkPage(t, r, name)
		r, err = anon.WebSSOPostWithResponse(t.Context(), fedProtocol, &v3.WebSSOPostParams{Origin: "https://evil.example.com/"}, asserting(name, f.entityID))
		expectError(t, r, err, 401)
	})

	t.Run("webSSOForIdentityProvider", func(t *testing.T) {
		name := uniq("feduser")
		r, err := anon.WebSSOForIdentityProviderWithResponse(t.Context(), f.idp.ID, fedProtocol,
			&v3.WebSSOForIdentityProviderParams{Origin: fedDashboard}, asserting(name, f.entityID))
		expect(t, r, err, 200)
		checkPage(t, r, name)

		r, err = anon.WebSSOForIdentityProviderWithResponse(t.Context(), f.idp.ID, fedProtocol,
			&v3.WebSSOForIdentityProviderParams{Origin: ""}, asserting(name, f.entityID))
		expectError(t, r, err, 400)
		r, err = anon.WebSSOForIdentityProviderWithResponse(t.Context(), f.idp.ID, fedProtocol,
			&v3.WebSSOForIdentityProviderParams{Origin: "https://evil.example.com/"}, asserting(name, f.entityID))
		expectError(t, r, err, 401)
		r, err = anon.WebSSOForIdentityProviderWithResponse(t.Context(), f.idp.ID, fedProtocol,
			&v3.WebSSOForIdentityProviderParams{Origin: fedDashboard}, asserting(name, uniq("entity")))
		expectError(t, r, err, 403)
		r, err = anon.WebSSOForIdentityProviderWithResponse(t.Context(), uniq("none"), fedProtocol,
			&v3.WebSSOForIdentityProviderParams{Origin: fedDashboard}, asserting(name, f.entityID))
		expectError(t, r, err, 404)
	})

	t.Run("webSSOForIdentityProviderPost", func(t *testing.T) {
		name := uniq("feduser")
		r, err := anon.WebSSOForIdentityProviderPostWithResponse(t.Context(), f.idp.ID, fedProtocol,
			&v3.WebSSOForIdentityProviderPostParams{Origin: fedDashboard}, asserting(name, f.entityID))
		expect(t, r, err, 200)
		checkPage(t, r, name)
		r, err = anon.WebSSOForIdentityProviderPostWithResponse(t.Context(), f.idp.ID, fedProtocol,
			&v3.WebSSOForIdentityProviderPostParams{Origin: fedDashboard}, asserting("", f.entityID))
		expectError(t, r, err, 401)
	})
}

// SAML documents, as far as the tests read them. Elements are matched by
// local name and, where it matters, by namespace.
type (
	samlEntityDescriptor struct {
		XMLName     xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
		EntityID    string   `xml:"entityID,attr"`
		Certificate string   `xml:"IDPSSODescriptor>KeyDescriptor>KeyInfo>X509Data>X509Certificate"`
		SSO         struct {
			Location string `xml:"Location,attr"`
		} `xml:"IDPSSODescriptor>SingleSignOnService"`
	}
	samlResponse struct {
		XMLName     xml.Name      `xml:"urn:oasis:names:tc:SAML:2.0:protocol Response"`
		Destination string        `xml:"Destination,attr"`
		Issuer      string        `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
		StatusCode  samlAttrValue `xml:"Status>StatusCode"`
		Assertion   samlAssertion `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	}
	samlAttrValue struct {
		Value string `xml:"Value,attr"`
	}
	samlAssertion struct {
		ID        string `xml:"ID,attr"`
		Issuer    string `xml:"Issuer"`
		Signature struct {
			Reference struct {
				URI         string `xml:"URI,attr"`
				DigestValue string `xml:"DigestValue"`
			} `xml:"SignedInfo>Reference"`
			SignatureValue string `xml:"SignatureValue"`
			Certificate    string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
		NameID       string `xml:"Subject>NameID"`
		Confirmation struct {
			Recipient string `xml:"Recipient,attr"`
		} `xml:"Subject>SubjectConfirmation>SubjectConfirmationData"`
		Attributes []struct {
			Name   string   `xml:"Name,attr"`
			Values []string `xml:"AttributeValue"`
		} `xml:"AttributeStatement>Attribute"`
	}
	ecpEnvelope struct {
		XMLName    xml.Name     `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
		RelayState string       `xml:"Header>RelayState"`
		Response   samlResponse `xml:"Body>Response"`
	}
)

// attribute returns the values of a SAML attribute.
func (a samlAssertion) attribute(name string) []string {
	for _, at := range a.Attributes {
		if at.Name == name {
			return at.Values
		}
	}
	return nil
}

// b64 decodes base64 that may be wrapped over several lines.
func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("base64 %q: %v", s, err)
	}
	return b
}

func TestSAML(t *testing.T) {
	m, err := anon.GetSAML2MetadataWithResponse(t.Context())
	expect(t, m, err, 200)
	var md samlEntityDescriptor
	if err := xml.Unmarshal(m.Body, &md); err != nil {
		t.Fatalf("metadata: %v: %s", err, m.Body)
	}
	cert, err := x509.ParseCertificate(b64(t, md.Certificate))
	if err != nil {
		t.Fatalf("metadata certificate: %v", err)
	}

	t.Run("getSAML2Metadata", func(t *testing.T) {
		if md.EntityID == "" || md.SSO.Location == "" || m.ContentType() != "text/xml" {
			t.Errorf("metadata %+v, content type %q", md, m.ContentType())
		}
	})

	sp := newServiceProvider(t, v3.ServiceProviderCreate{Enabled: ptr(true), RelayStatePrefix: ptr("ss:ct:")})
	disabled := newServiceProvider(t, v3.ServiceProviderCreate{})
	request := func(token, spID string) v3.SAMLAssertionRequest {
		return v3.SAMLAssertionRequest{Auth: v3.SAMLAssertionAuth{
			Identity: v3.SAMLAssertionIdentity{Methods: []string{"token"}, Token: v3.AuthTokenMethod{ID: token}},
			Scope:    v3.SAMLAssertionScope{ServiceProvider: v3.IDRef{ID: spID}},
		}}
	}
	var adminName, projectName string
	{
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: adminToken})
		expect(t, v, err, 200)
		adminName, projectName = v.JSON200.Token.User.Name, v.JSON200.Token.Project.Name
	}
	// checkResponse checks a SAML response for sp about the admin's token.
	checkResponse := func(t *testing.T, r samlResponse) {
		t.Helper()
		a := r.Assertion
		if r.Destination != sp.SpURL || r.Issuer != md.EntityID || a.Issuer != md.EntityID ||
			r.StatusCode.Value != "urn:oasis:names:tc:SAML:2.0:status:Success" {
			t.Errorf("response: destination %q, issuer %q/%q, status %q", r.Destination, r.Issuer, a.Issuer, r.StatusCode.Value)
		}
		if a.NameID != adminName || a.Confirmation.Recipient != sp.SpURL {
			t.Errorf("subject %q, recipient %q", a.NameID, a.Confirmation.Recipient)
		}
		if !slices.Equal(a.attribute("openstack_user"), []string{adminName}) || !slices.Equal(a.attribute("openstack_project"), []string{projectName}) ||
			!slices.Contains(a.attribute("openstack_roles"), "admin") {
			t.Errorf("attributes %+v", a.Attributes)
		}
		// Signed by xmlsec1 with the key whose certificate the metadata publishes.
		sig := a.Signature
		if sig.Reference.URI != "#"+a.ID || len(b64(t, sig.Reference.DigestValue)) == 0 || len(b64(t, sig.SignatureValue)) != cert.PublicKey.(*rsa.PublicKey).Size() {
			t.Errorf("signature %+v", sig)
		}
		if !bytes.Equal(b64(t, sig.Certificate), cert.Raw) {
			t.Error("the assertion's certificate is not the metadata's")
		}
	}

	t.Run("createSAML2Assertion", func(t *testing.T) {
		r, err := anon.CreateSAML2AssertionWithResponse(t.Context(), request(adminToken, sp.ID))
		expect(t, r, err, 200)
		if r.Headers200.XSpURL != sp.SpURL || r.Headers200.XAuthURL != sp.AuthURL {
			t.Errorf("headers %+v", r.Headers200)
		}
		var resp samlResponse
		if err := xml.Unmarshal(r.Body, &resp); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		checkResponse(t, resp)
	})

	t.Run("createECPAssertion", func(t *testing.T) {
		r, err := anon.CreateECPAssertionWithResponse(t.Context(), request(adminToken, sp.ID))
		expect(t, r, err, 200)
		if r.Headers200.XSpURL != sp.SpURL || r.Headers200.XAuthURL != sp.AuthURL {
			t.Errorf("headers %+v", r.Headers200)
		}
		var env ecpEnvelope
		if err := xml.Unmarshal(r.Body, &env); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		if !strings.HasPrefix(env.RelayState, "ss:ct:") || len(env.RelayState) <= len("ss:ct:") {
			t.Errorf("RelayState %q", env.RelayState)
		}
		checkResponse(t, env.Response)
	})

	t.Run("assertion errors", func(t *testing.T) {
		unscoped, _ := issue(t, passwordByID(adminUser, ks.AdminPassword, nil))
		for _, c := range []struct {
			name string
			req  v3.SAMLAssertionRequest
			want int
		}{
			{"unscoped token", request(unscoped, sp.ID), 403},
			{"disabled service provider", request(adminToken, disabled.ID), 403},
			{"unknown service provider", request(adminToken, uniq("none")), 404},
			{"invalid token", request("not-a-token", sp.ID), 404},
		} {
			t.Run(c.name, func(t *testing.T) {
				r, err := anon.CreateSAML2AssertionWithResponse(t.Context(), c.req)
				expectError(t, r, err, c.want)
				e, err := anon.CreateECPAssertionWithResponse(t.Context(), c.req)
				expectError(t, e, err, c.want)
			})
		}
		for _, b := range []string{
			`{}`,
			`{"auth": {"identity": {"methods": ["token"]}, "scope": {"service_provider": {"id": "x"}}}}`,
			fmt.Sprintf(`{"auth": {"identity": {"token": {"id": %q}}}}`, adminToken),
			fmt.Sprintf(`{"auth": {"identity": {"token": {"id": %q}}, "scope": {"project": {"id": %q}}}}`, adminToken, adminProj),
		} {
			r, err := anon.CreateSAML2AssertionWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
			e, err := anon.CreateECPAssertionWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(b))
			expectError(t, e, err, 400)
		}
	})
}
