//go:build integration

package contract

import (
	"slices"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

func TestServices(t *testing.T) {
	name := uniq("service")
	s := newService(t, v3.ServiceCreate{
		Name:                 &name,
		Description:          nullable.NewNullableWithValue("contract service"),
		AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	unnamed := newService(t, v3.ServiceCreate{Enabled: ptr(false)})

	t.Run("createService", func(t *testing.T) {
		if s.Name != name || !s.Enabled || s.Description.MustGet() != "contract service" {
			t.Errorf("created %+v", s)
		}
		if v, _ := s.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", s.AdditionalProperties)
		}
		if unnamed.Name != "" || unnamed.Enabled {
			t.Errorf("unnamed %+v", unnamed)
		}
		r, err := adm.CreateServiceWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(`{"service": {"name": "x"}}`))
		expectError(t, r, err, 400) // no type
	})
	t.Run("getService", func(t *testing.T) {
		r, err := adm.GetServiceWithResponse(t.Context(), s.ID)
		expect(t, r, err, 200)
		if r.JSON200.Service.Type != s.Type {
			t.Errorf("got %+v", r.JSON200.Service)
		}
		r, err = adm.GetServiceWithResponse(t.Context(), "no-such-service")
		expectError(t, r, err, 404)
	})
	t.Run("listServices", func(t *testing.T) {
		r, err := adm.ListServicesWithResponse(t.Context(), &v3.ListServicesParams{Type: &s.Type})
		expect(t, r, err, 200)
		if len(r.JSON200.Services) != 1 || r.JSON200.Services[0].ID != s.ID {
			t.Errorf("type filter: %+v", r.JSON200.Services)
		}
		r, err = adm.ListServicesWithResponse(t.Context(), &v3.ListServicesParams{Name: &name})
		expect(t, r, err, 200)
		if len(r.JSON200.Services) != 1 || r.JSON200.Services[0].ID != s.ID {
			t.Errorf("name filter: %+v", r.JSON200.Services)
		}
		r, err = newClient("not-a-token").ListServicesWithResponse(t.Context(), nil)
		expectError(t, r, err, 401)
	})
	t.Run("updateService", func(t *testing.T) {
		r, err := adm.UpdateServiceWithResponse(t.Context(), unnamed.ID, v3.ServiceUpdateRequest{Service: v3.ServiceUpdate{
			Name: ptr("renamed"), Enabled: ptr(true), Description: nullable.NewNullNullable[string](),
		}})
		expect(t, r, err, 200)
		if got := r.JSON200.Service; got.Name != "renamed" || !got.Enabled {
			t.Errorf("updated %+v", got)
		}
		r, err = adm.UpdateServiceWithResponse(t.Context(), "no-such-service", v3.ServiceUpdateRequest{Service: v3.ServiceUpdate{Enabled: ptr(true)}})
		expectError(t, r, err, 404)
		r, err = adm.UpdateServiceWithBodyWithResponse(invalid(t), s.ID, "application/json", strings.NewReader(`{"service": {}}`))
		expectError(t, r, err, 400)
	})
	t.Run("deleteService", func(t *testing.T) {
		victim := newService(t, v3.ServiceCreate{})
		ep := newEndpoint(t, v3.EndpointCreate{ServiceID: victim.ID, Interface: v3.EndpointInterfacePublic, URL: "http://127.0.0.1:1/x"})
		r, err := adm.DeleteServiceWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		g, err := adm.GetEndpointWithResponse(t.Context(), ep.ID)
		expectError(t, g, err, 404) // endpoints go with their service
		r, err = adm.DeleteServiceWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
	})
}

func TestEndpoints(t *testing.T) {
	svc := newService(t, v3.ServiceCreate{})
	region := newRegion(t, v3.RegionCreate{})
	pub := newEndpoint(t, v3.EndpointCreate{
		ServiceID: svc.ID, Interface: v3.EndpointInterfacePublic, RegionID: &region.ID,
		URL: "http://127.0.0.1:9999/v1/$(project_id)s", AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	internal := newEndpoint(t, v3.EndpointCreate{
		ServiceID: svc.ID, Interface: v3.EndpointInterfaceInternal, URL: "http://127.0.0.1:9998/v1", Enabled: ptr(false),
	})

	t.Run("createEndpoint", func(t *testing.T) {
		if pub.RegionID.MustGet() != region.ID || pub.Region.MustGet() != region.ID || !pub.Enabled || pub.ServiceID != svc.ID {
			t.Errorf("created %+v", pub)
		}
		if v, _ := pub.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", pub.AdditionalProperties)
		}
		if !internal.RegionID.IsNull() || internal.Enabled {
			t.Errorf("created %+v", internal)
		}
		r, err := adm.CreateEndpointWithResponse(t.Context(), v3.EndpointCreateRequest{Endpoint: v3.EndpointCreate{
			ServiceID: "no-such-service", Interface: v3.EndpointInterfacePublic, URL: "http://x",
		}})
		expectError(t, r, err, 400) // Keystone says 400, not 404, for an unknown service
		r, err = adm.CreateEndpointWithBodyWithResponse(invalid(t), "application/json",
			strings.NewReader(`{"endpoint": {"service_id": "`+svc.ID+`", "interface": "PUBLIC", "url": "http://x"}}`))
		expectError(t, r, err, 400)
	})
	t.Run("getEndpoint", func(t *testing.T) {
		r, err := adm.GetEndpointWithResponse(t.Context(), pub.ID)
		expect(t, r, err, 200)
		if r.JSON200.Endpoint.URL != pub.URL {
			t.Errorf("got %+v", r.JSON200.Endpoint)
		}
		r, err = adm.GetEndpointWithResponse(t.Context(), "no-such-endpoint")
		expectError(t, r, err, 404)
	})
	t.Run("listEndpoints", func(t *testing.T) {
		list := func(p v3.ListEndpointsParams) []string {
			r, err := adm.ListEndpointsWithResponse(t.Context(), &p)
			expect(t, r, err, 200)
			var ids []string
			for _, e := range r.JSON200.Endpoints {
				ids = append(ids, e.ID)
			}
			slices.Sort(ids)
			return ids
		}
		both := []string{pub.ID, internal.ID}
		slices.Sort(both)
		if got := list(v3.ListEndpointsParams{ServiceID: &svc.ID}); !slices.Equal(got, both) {
			t.Errorf("service_id: %v", got)
		}
		if got := list(v3.ListEndpointsParams{ServiceID: &svc.ID, Interface: ptr(v3.EndpointInterfaceInternal)}); !slices.Equal(got, []string{internal.ID}) {
			t.Errorf("interface: %v", got)
		}
		if got := list(v3.ListEndpointsParams{RegionID: &region.ID}); !slices.Equal(got, []string{pub.ID}) {
			t.Errorf("region_id: %v", got)
		}
	})
	t.Run("updateEndpoint", func(t *testing.T) {
		r, err := adm.UpdateEndpointWithResponse(t.Context(), internal.ID, v3.EndpointUpdateRequest{Endpoint: v3.EndpointUpdate{
			Enabled: ptr(true), URL: ptr("http://127.0.0.1:9997/v2"), RegionID: &region.ID,
		}})
		expect(t, r, err, 200)
		if got := r.JSON200.Endpoint; !got.Enabled || got.URL != "http://127.0.0.1:9997/v2" || got.RegionID.MustGet() != region.ID {
			t.Errorf("updated %+v", got)
		}
		r, err = adm.UpdateEndpointWithResponse(t.Context(), "no-such-endpoint", v3.EndpointUpdateRequest{Endpoint: v3.EndpointUpdate{Enabled: ptr(true)}})
		expectError(t, r, err, 404)
		r, err = adm.UpdateEndpointWithResponse(t.Context(), pub.ID, v3.EndpointUpdateRequest{Endpoint: v3.EndpointUpdate{ServiceID: ptr("no-such-service")}})
		expectError(t, r, err, 400)
	})
	t.Run("deleteEndpoint", func(t *testing.T) {
		victim := newEndpoint(t, v3.EndpointCreate{ServiceID: svc.ID, Interface: v3.EndpointInterfaceAdmin, URL: "http://127.0.0.1:1/"})
		r, err := adm.DeleteEndpointWithResponse(t.Context(), victim.ID)
		expect(t, r, err, 204)
		r, err = adm.DeleteEndpointWithResponse(t.Context(), victim.ID)
		expectError(t, r, err, 404)
		// A region with endpoints cannot be deleted.
		d, err := adm.DeleteRegionWithResponse(t.Context(), region.ID)
		expectError(t, d, err, 403)
	})
}

func TestPolicies(t *testing.T) {
	create := func(t *testing.T, typ string) v3.Policy {
		r, err := adm.CreatePolicyWithResponse(t.Context(), v3.PolicyCreateRequest{Policy: v3.PolicyCreate{
			Type: typ, Blob: `{"default": ""}`, AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
		}})
		expect(t, r, err, 201)
		p := r.JSON201.Policy
		t.Cleanup(func() {
			deleteQuietly(t, "policy "+p.ID, func() (response, error) { return adm.DeletePolicyWithResponse(cleanupCtx(), p.ID) })
		})
		return p
	}
	typ := "application/" + uniq("policy") + "+json"
	p := create(t, typ)
	if p.Type != typ || p.Blob != `{"default": ""}` {
		t.Errorf("created %+v", p)
	}
	if v, _ := p.Get("ct_extra"); v != "kept" {
		t.Errorf("extra attribute lost: %v", p.AdditionalProperties)
	}

	g, err := adm.GetPolicyWithResponse(t.Context(), p.ID)
	expect(t, g, err, 200)
	if g.JSON200.Policy.ID != p.ID {
		t.Errorf("got %+v", g.JSON200.Policy)
	}
	l, err := adm.ListPoliciesWithResponse(t.Context(), &v3.ListPoliciesParams{Type: &typ})
	expect(t, l, err, 200)
	if len(l.JSON200.Policies) != 1 || l.JSON200.Policies[0].ID != p.ID {
		t.Errorf("type filter: %+v", l.JSON200.Policies)
	}
	u, err := adm.UpdatePolicyWithResponse(t.Context(), p.ID, v3.PolicyUpdateRequest{Policy: v3.PolicyUpdate{Blob: ptr(`{}`)}})
	expect(t, u, err, 200)
	if u.JSON200.Policy.Blob != `{}` {
		t.Errorf("updated %+v", u.JSON200.Policy)
	}
	d, err := adm.DeletePolicyWithResponse(t.Context(), p.ID)
	expect(t, d, err, 204)

	// Errors.
	g, err = adm.GetPolicyWithResponse(t.Context(), p.ID)
	expectError(t, g, err, 404)
	u, err = adm.UpdatePolicyWithResponse(t.Context(), p.ID, v3.PolicyUpdateRequest{Policy: v3.PolicyUpdate{Blob: ptr(`{}`)}})
	expectError(t, u, err, 404)
	d, err = adm.DeletePolicyWithResponse(t.Context(), p.ID)
	expectError(t, d, err, 404)
	c, err := adm.CreatePolicyWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(`{"policy": {"type": "x", "blob": {}}}`))
	expectError(t, c, err, 400)
}

func TestCredentials(t *testing.T) {
	create := func(t *testing.T, c v3.CredentialCreate) v3.Credential {
		r, err := adm.CreateCredentialWithResponse(t.Context(), v3.CredentialCreateRequest{Credential: c})
		expect(t, r, err, 201)
		cred := r.JSON201.Credential
		t.Cleanup(func() {
			deleteQuietly(t, "credential "+cred.ID, func() (response, error) { return adm.DeleteCredentialWithResponse(cleanupCtx(), cred.ID) })
		})
		return cred
	}
	access := uniq("access")
	ec2 := create(t, v3.CredentialCreate{
		Type: "ec2", UserID: adminUser, ProjectID: &adminProj,
		Blob: `{"access": "` + access + `", "secret": "not-a-real-secret"}`,
	})
	typ := uniq("type")
	other := create(t, v3.CredentialCreate{
		Type: typ, UserID: adminUser, Blob: "opaque", AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})

	t.Run("createCredential", func(t *testing.T) {
		if ec2.ProjectID.MustGet() != adminProj || ec2.UserID != adminUser || ec2.Type != "ec2" {
			t.Errorf("ec2 %+v", ec2)
		}
		if !other.ProjectID.IsNull() || other.Blob != "opaque" {
			t.Errorf("other %+v", other)
		}
		if v, _ := other.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", other.AdditionalProperties)
		}
		r, err := adm.CreateCredentialWithResponse(t.Context(), v3.CredentialCreateRequest{Credential: v3.CredentialCreate{
			Type: "ec2", UserID: adminUser, ProjectID: &adminProj, Blob: ec2.Blob,
		}})
		expectError(t, r, err, 409) // the same access key
		r, err = adm.CreateCredentialWithResponse(t.Context(), v3.CredentialCreateRequest{Credential: v3.CredentialCreate{
			Type: "ec2", UserID: adminUser, Blob: `{"access": "` + uniq("a") + `"}`,
		}})
		expectError(t, r, err, 400) // ec2 needs a project
	})
	t.Run("getCredential", func(t *testing.T) {
		r, err := adm.GetCredentialWithResponse(t.Context(), ec2.ID)
		expect(t, r, err, 200)
		if r.JSON200.Credential.Blob != ec2.Blob {
			t.Error("blob changed")
		}
		r, err = adm.GetCredentialWithResponse(t.Context(), "no-such-credential")
		expectError(t, r, err, 404)
	})
	t.Run("listCredentials", func(t *testing.T) {
		r, err := adm.ListCredentialsWithResponse(t.Context(), &v3.ListCredentialsParams{UserID: &adminUser, Type: &typ})
		expect(t, r, err, 200)
		if len(r.JSON200.Credentials) != 1 || r.JSON200.Credentials[0].ID != other.ID {
			t.Errorf("filtered: %+v", r.JSON200.Credentials)
		}
	})
	t.Run("updateCredential", func(t *testing.T) {
		r, err := adm.UpdateCredentialWithResponse(t.Context(), other.ID, v3.CredentialUpdateRequest{Credential: v3.CredentialUpdate{
			Blob: ptr("changed"), ProjectID: &adminProj,
		}})
		expect(t, r, err, 200)
		if got := r.JSON200.Credential; got.Blob != "changed" || got.ProjectID.MustGet() != adminProj {
			t.Errorf("updated %+v", got)
		}
		r, err = adm.UpdateCredentialWithResponse(t.Context(), "no-such-credential", v3.CredentialUpdateRequest{Credential: v3.CredentialUpdate{Blob: ptr("x")}})
		expectError(t, r, err, 404)
	})
	t.Run("deleteCredential", func(t *testing.T) {
		r, err := adm.DeleteCredentialWithResponse(t.Context(), other.ID)
		expect(t, r, err, 204)
		r, err = adm.DeleteCredentialWithResponse(t.Context(), other.ID)
		expectError(t, r, err, 404)
	})
}
