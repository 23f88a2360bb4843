package keystone_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// tokenWithCatalog builds a v3 token body with the given catalog JSON.
func tokenWithCatalog(catalog string) []byte {
	return []byte(`{"token": {"methods": ["password"], "user": {"id": "u", "name": "n", "domain": {"id": "default", "name": "Default"}, "password_expires_at": null},
		"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00.000000Z", "issued_at": "2029-12-31T23:00:00.000000Z",
		"project": {"id": "p", "name": "demo", "domain": {"id": "default", "name": "Default"}}, "is_domain": false,
		"roles": [{"id": "r", "name": "member"}], "catalog": ` + catalog + `}}`)
}

const testCatalog = `[
 {"id": "s1", "type": "volumev3", "name": "cinderv3", "endpoints": [
   {"id": "v-pub-1", "interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "https://cinder.one/v3/p"},
   {"id": "v-pub-2", "interface": "public", "region_id": "RegionTwo", "region": "RegionTwo", "url": "https://cinder.two/v3/p"},
   {"id": "v-int-1", "interface": "internal", "region_id": "RegionOne", "region": "RegionOne", "url": "http://cinder.internal/v3/p"}]},
 {"id": "s2", "type": "compute", "name": "nova", "endpoints": [
   {"id": "c-pub-1", "interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "https://nova.one/v2.1"},
   {"id": "c-adm-1", "interface": "admin", "region_id": "RegionOne", "region": "RegionOne", "url": "https://nova-admin.one/v2.1"}]},
 {"id": "s3", "type": "compute", "name": "nova-legacy", "endpoints": [
   {"id": "c-pub-legacy", "interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "https://legacy.one/v2"}]},
 {"id": "s4", "type": "identity", "name": "keystone", "endpoints": [
   {"id": "i-pub", "interface": "public", "region_id": null, "region": null, "url": "https://keystone/v3"}]}
]`

func mustAccess(t testing.TB, body []byte) *keystone.AccessInfo {
	t.Helper()
	ai, err := keystone.NewAccessInfoV3("tok-secret", body)
	if err != nil {
		t.Fatal(err)
	}
	return ai
}

func TestCatalogLookup(t *testing.T) {
	c := mustAccess(t, tokenWithCatalog(testCatalog)).Catalog()
	cases := []struct {
		name string
		f    keystone.EndpointFilter
		want string
		err  error
	}{
		{"official type finds an alias", keystone.EndpointFilter{ServiceType: "block-storage", Region: "RegionTwo"}, "https://cinder.two/v3/p", nil},
		{"alias finds an alias", keystone.EndpointFilter{ServiceType: "volume", Region: "RegionOne"}, "https://cinder.one/v3/p", nil},
		{"v2 interface spelling", keystone.EndpointFilter{ServiceType: "volumev3", Interfaces: []string{"internalURL"}}, "http://cinder.internal/v3/p", nil},
		{"ordered interfaces fall back", keystone.EndpointFilter{ServiceType: "compute", ServiceName: "nova", Interfaces: []string{"internal", "admin", "public"}}, "https://nova-admin.one/v2.1", nil},
		{"service name", keystone.EndpointFilter{ServiceType: "compute", ServiceName: "nova-legacy"}, "https://legacy.one/v2", nil},
		{"service ID alone", keystone.EndpointFilter{ServiceID: "s2"}, "https://nova.one/v2.1", nil},
		{"endpoint ID", keystone.EndpointFilter{EndpointID: "v-int-1"}, "http://cinder.internal/v3/p", nil},
		{"region-less endpoint", keystone.EndpointFilter{ServiceType: "identity"}, "https://keystone/v3", nil},
		{"two compute services", keystone.EndpointFilter{ServiceType: "compute"}, "", keystone.ErrAmbiguousEndpoints},
		{"two regions", keystone.EndpointFilter{ServiceType: "block-storage"}, "", keystone.ErrAmbiguousEndpoints},
		{"no such region", keystone.EndpointFilter{ServiceType: "compute", ServiceName: "nova", Region: "RegionNine"}, "", keystone.ErrEndpointNotFound},
		{"no such service", keystone.EndpointFilter{ServiceType: "dns"}, "", keystone.ErrEndpointNotFound},
		{"endpoint ID of another service", keystone.EndpointFilter{EndpointID: "v-int-1", ServiceType: "compute"}, "", keystone.ErrEndpointNotFound},
	}
	for _, tc := range cases {
		ep, err := c.Lookup(tc.f)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || ep.URL != tc.want {
			t.Errorf("%s: got %q %v, want %q", tc.name, ep.URL, err, tc.want)
		}
	}
}

func TestEndpointNotFoundExplains(t *testing.T) {
	c := mustAccess(t, tokenWithCatalog(testCatalog)).Catalog()
	_, err := c.Lookup(keystone.EndpointFilter{ServiceType: "volumev3", Region: "RegionNine", Interfaces: []string{"public"}})
	var nf *keystone.EndpointNotFoundError
	if !errors.As(err, &nf) || len(nf.Rejected) != 3 {
		t.Fatalf("got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"region is RegionOne", "region is RegionTwo", "interface internal not wanted"} {
		if !strings.Contains(msg, want) {
			t.Errorf("explanation lacks %q: %s", want, msg)
		}
	}
	var amb *keystone.AmbiguousEndpointsError
	_, err = c.Lookup(keystone.EndpointFilter{ServiceType: "compute"})
	if !errors.As(err, &amb) || len(amb.Endpoints) != 2 {
		t.Fatalf("ambiguous: %v", err)
	}
}

func TestEmptyCatalog(t *testing.T) {
	body := []byte(`{"token": {"methods": ["password"], "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "D"}},
		"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00Z", "issued_at": "2029-12-31T23:00:00Z"}}`)
	ai := mustAccess(t, body)
	if _, err := ai.Catalog().Lookup(keystone.EndpointFilter{ServiceType: "compute"}); !errors.Is(err, keystone.ErrEmptyCatalog) || !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Errorf("got %v, want ErrEmptyCatalog and ErrEndpointNotFound", err)
	}
}

func TestServiceTypeAliases(t *testing.T) {
	got := keystone.ServiceTypeAliases("volumev2")
	if fmt.Sprint(got) != "[block-storage volumev3 volumev2 volume block-store]" {
		t.Errorf("got %v", got)
	}
	if fmt.Sprint(keystone.ServiceTypeAliases("compute")) != "[compute]" {
		t.Error("compute has no aliases")
	}
}

func TestLookupAllocatesNothing(t *testing.T) {
	c := mustAccess(t, tokenWithCatalog(testCatalog)).Catalog()
	f := keystone.EndpointFilter{ServiceType: "block-storage", Region: "RegionTwo"}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Lookup(f); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("a lookup allocates %v times", allocs)
	}
}

func BenchmarkCatalogLookup(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[")
	for s := range 100 {
		if s > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"id": "s%d", "type": "type-%d", "name": "svc%d", "endpoints": [`, s, s, s)
		n := 0
		for _, iface := range []string{"public", "internal", "admin"} {
			for r := range 5 {
				if n > 0 {
					sb.WriteString(",")
				}
				n++
				fmt.Fprintf(&sb, `{"id": "e%d-%s-%d", "interface": "%s", "region_id": "R%d", "region": "R%d", "url": "https://svc%d.r%d/%s"}`, s, iface, r, iface, r, r, s, r, iface)
			}
		}
		sb.WriteString("]}")
	}
	sb.WriteString("]")
	c := mustAccess(b, tokenWithCatalog(sb.String())).Catalog()
	f := keystone.EndpointFilter{ServiceType: "type-42", Region: "R3"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Lookup(f); err != nil {
			b.Fatal(err)
		}
	}
}
