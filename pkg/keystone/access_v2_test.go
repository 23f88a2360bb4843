package keystone_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// A v2.0 access document as Keystone (Queens and before) returned it.
const v2Access = `{"access": {
	"token": {"id": "v2-secret-token", "issued_at": "2030-01-01T09:00:00.000000Z", "expires": "2030-01-01T10:00:00Z",
		"tenant": {"id": "t1", "name": "demo", "description": null, "enabled": true}, "audit_ids": ["a1"]},
	"serviceCatalog": [
		{"type": "compute", "name": "nova", "endpoints_links": [], "endpoints": [
			{"id": "e1", "region": "RegionOne", "publicURL": "https://nova.example.com/v2.1", "internalURL": "http://nova.internal/v2.1", "adminURL": "http://nova.admin/v2.1"},
			{"id": "e2", "region": "RegionTwo", "publicURL": "https://nova2.example.com/v2.1"}]},
		{"type": "volumev3", "name": "cinderv3", "endpoints_links": [], "endpoints": [
			{"id": "e3", "region": "RegionOne", "publicURL": "https://cinder.example.com/v3/t1"}]}],
	"user": {"id": "u1", "name": "alice", "username": "alice", "roles_links": [], "roles": [{"name": "admin"}, {"name": "member"}]},
	"metadata": {"is_admin": 0, "roles": ["r1", "r2"]}}}`

func TestAccessInfoV2(t *testing.T) {
	ai, err := keystone.NewAccessInfoV2([]byte(v2Access))
	if err != nil {
		t.Fatal(err)
	}
	if ai.Token() != "v2-secret-token" || ai.Version() != "v2.0" {
		t.Errorf("token/version: %q", ai.Version())
	}
	if !ai.ExpiresAt.Equal(time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)) || !ai.IssuedAt.Equal(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("times %v %v", ai.ExpiresAt, ai.IssuedAt)
	}
	// v2.0 has no domains: the user and the project are in the default
	// domain, as keystoneclient's AccessInfoV2 says.
	if ai.User.ID != "u1" || ai.User.Name != "alice" || ai.User.DomainID != "default" || ai.User.DomainName != "Default" {
		t.Errorf("user %+v", ai.User)
	}
	if !ai.ProjectScoped() || ai.Project.ID != "t1" || ai.Project.Name != "demo" || ai.DomainScoped() || ai.SystemScoped() ||
		ai.Project.DomainID != "default" || ai.Project.DomainName != "Default" {
		t.Errorf("project %+v", ai.Project)
	}
	if !ai.HasRole("member") || ai.Roles[0].ID != "r1" || len(ai.AuditIDs) != 1 {
		t.Errorf("roles %+v audit %v", ai.Roles, ai.AuditIDs)
	}
	// The catalog answers the same lookups as a v3 token's.
	c := ai.Catalog()
	if c.Len() != 5 {
		t.Errorf("%d endpoints, want 5", c.Len())
	}
	for _, tc := range []struct {
		f    keystone.EndpointFilter
		want string
	}{
		{keystone.EndpointFilter{ServiceType: "compute", Region: "RegionOne"}, "https://nova.example.com/v2.1"},
		{keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"internalURL"}, Region: "RegionOne"}, "http://nova.internal/v2.1"},
		{keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"admin"}, Region: "RegionOne"}, "http://nova.admin/v2.1"},
		{keystone.EndpointFilter{ServiceType: "block-storage"}, "https://cinder.example.com/v3/t1"},
	} {
		ep, err := c.Lookup(tc.f)
		if err != nil || ep.URL != tc.want {
			t.Errorf("%+v: %q %v, want %q", tc.f, ep.URL, err, tc.want)
		}
	}
	if _, err := c.Lookup(keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"internal"}, Region: "RegionTwo"}); !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Errorf("missing internal endpoint: %v", err)
	}
	if _, err := c.Lookup(keystone.EndpointFilter{ServiceType: "compute"}); !errors.Is(err, keystone.ErrAmbiguousEndpoints) {
		t.Errorf("two regions: %v", err)
	}
	if strings.Contains(ai.String(), "v2-secret-token") {
		t.Errorf("String shows the token: %s", ai)
	}

	// Saved and restored losslessly.
	data, err := ai.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	back, err := keystone.ParseAccessInfo(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Version() != "v2.0" || back.Token() != ai.Token() || back.Project.ID != "t1" || back.Catalog().Len() != 5 {
		t.Errorf("round trip: %s", back)
	}
}

func TestAccessInfoV2Invalid(t *testing.T) {
	for _, body := range []string{
		`not json`,
		`{"access": {}}`,
		`{"access": {"token": {"id": "x", "expires": "soon"}, "user": {"id": "u"}}}`,
	} {
		if _, err := keystone.NewAccessInfoV2([]byte(body)); !errors.Is(err, keystone.ErrInvalidResponse) {
			t.Errorf("%s: %v, want ErrInvalidResponse", body, err)
		}
	}
	// Unscoped: no tenant, no catalog.
	ai, err := keystone.NewAccessInfoV2([]byte(`{"access": {"token": {"id": "x", "expires": "2030-01-01T10:00:00Z"},
		"user": {"id": "u", "name": "n", "roles": []}, "serviceCatalog": [], "metadata": {"is_admin": 0, "roles": []}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ai.Scoped() || ai.Catalog() != nil {
		t.Errorf("unscoped v2.0 token: %s, catalog %v", ai, ai.Catalog())
	}
}

// TestAccessInfoV2DefaultDomainUnscoped: an unscoped v2.0 token has the
// default domain for its user and no project (keystoneclient's
// project_domain_id is None then).
func TestAccessInfoV2DefaultDomainUnscoped(t *testing.T) {
	ai, err := keystone.NewAccessInfoV2([]byte(`{"access": {"token": {"id": "tok", "expires": "2030-01-01T10:00:00Z"},
		"user": {"id": "u1", "name": "alice", "roles": []}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if ai.User.DomainID != keystone.V2DomainID || ai.User.DomainName != keystone.V2DomainName {
		t.Errorf("user domain %q %q", ai.User.DomainID, ai.User.DomainName)
	}
	if ai.Project != nil || ai.Scoped() {
		t.Errorf("unscoped token has project %+v", ai.Project)
	}
	// The description (JSON) shows the domain too.
	js, err := json.Marshal(ai)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"domain_id":"default"`) {
		t.Errorf("description %s", js)
	}
}
