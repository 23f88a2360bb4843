package keystone_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// aliasCatalog registers block storage twice (volumev2 and volumev3), as
// clouds did while they moved, and a service of v3.0 (no name).
const aliasCatalog = `[
 {"id": "s1", "type": "volumev2", "name": "cinderv2", "endpoints": [
   {"id": "v2-pub", "interface": "public", "region_id": "RegionOne", "url": "https://cinder/v2/p"}]},
 {"id": "s2", "type": "volumev3", "name": "cinderv3", "endpoints": [
   {"id": "v3-pub-1", "interface": "public", "region_id": "RegionOne", "url": "https://cinder/v3/p"},
   {"id": "v3-adm-1", "interface": "admin", "region_id": "RegionOne", "url": "https://cinder-admin/v3/p"},
   {"id": "v3-pub-2", "interface": "public", "region_id": "RegionTwo", "url": "https://cinder.two/v3/p"},
   {"id": "v3-bad", "interface": "public", "region_id": "RegionTwo", "url": ""}]},
 {"id": "s3", "type": "image", "endpoints": [
   {"id": "g-int", "interface": "internal", "region_id": "RegionOne", "url": "http://glance.internal:9292"}]}
]`

func TestCatalogURLs(t *testing.T) {
	c := mustAccess(t, tokenWithCatalog(testCatalog)).Catalog()
	cases := []struct {
		name string
		f    keystone.EndpointFilter
		want []string
		err  error
	}{
		{"two regions, catalog order", keystone.EndpointFilter{ServiceType: "block-storage"}, []string{"https://cinder.one/v3/p", "https://cinder.two/v3/p"}, nil},
		{"region", keystone.EndpointFilter{ServiceType: "volume", Region: "RegionTwo"}, []string{"https://cinder.two/v3/p"}, nil},
		{"two compute services", keystone.EndpointFilter{ServiceType: "compute"}, []string{"https://nova.one/v2.1", "https://legacy.one/v2"}, nil},
		{"first interface with a match", keystone.EndpointFilter{ServiceType: "compute", Interfaces: []string{"internal", "adminURL", "public"}}, []string{"https://nova-admin.one/v2.1"}, nil},
		{"service name", keystone.EndpointFilter{ServiceType: "compute", ServiceName: "nova-legacy"}, []string{"https://legacy.one/v2"}, nil},
		{"endpoint ID, any interface", keystone.EndpointFilter{EndpointID: "v-int-1"}, []string{"http://cinder.internal/v3/p"}, nil},
		{"no such region", keystone.EndpointFilter{ServiceType: "compute", Region: "RegionNine"}, nil, keystone.ErrEndpointNotFound},
		{"no such service", keystone.EndpointFilter{ServiceType: "dns"}, nil, keystone.ErrEndpointNotFound},
	}
	for _, tc := range cases {
		got, err := c.URLs(tc.f)
		if tc.err != nil {
			var nf *keystone.EndpointNotFoundError
			if !errors.Is(err, tc.err) || !errors.As(err, &nf) || got != nil {
				t.Errorf("%s: got %q %v, want %v", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q %v, want %q", tc.name, got, err, tc.want)
		}
	}
}

func TestCatalogURLsPreferTheAliasAskedFor(t *testing.T) {
	c := mustAccess(t, tokenWithCatalog(aliasCatalog)).Catalog()
	for _, tc := range []struct {
		f    keystone.EndpointFilter
		want []string
	}{
		// Official type: both spellings match; the first alias (volumev3) wins.
		{keystone.EndpointFilter{ServiceType: "block-storage", Region: "RegionOne"}, []string{"https://cinder/v3/p"}},
		// The exact spelling asked for wins.
		{keystone.EndpointFilter{ServiceType: "volumev2"}, []string{"https://cinder/v2/p"}},
		// volumev3 has no admin endpoint in RegionTwo... but RegionOne has one.
		{keystone.EndpointFilter{ServiceType: "volume", Interfaces: []string{"admin"}}, []string{"https://cinder-admin/v3/p"}},
		// Only volumev2 has RegionOne's... both have: volumev3 preferred; the
		// empty URL of RegionTwo is left out.
		{keystone.EndpointFilter{ServiceType: "block-storage", Region: "RegionTwo"}, []string{"https://cinder.two/v3/p"}},
		// A service without a name in the catalog is not excluded by a name.
		{keystone.EndpointFilter{ServiceType: "image", ServiceName: "glance", Interfaces: []string{"internal"}}, []string{"http://glance.internal:9292"}},
	} {
		got, err := c.URLs(tc.f)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%v: got %q %v, want %q", tc.f, got, err, tc.want)
		}
	}
}

func TestCatalogEndpointsByType(t *testing.T) {
	c := mustAccess(t, tokenWithCatalog(aliasCatalog)).Catalog()
	all, err := c.EndpointsByType(keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := describeGroups(all); got != "image:[g-int] volumev2:[v2-pub] volumev3:[v3-pub-1 v3-adm-1 v3-pub-2]" {
		t.Errorf("whole catalog, every interface: %s", got)
	}
	pub, err := c.EndpointsByType(keystone.EndpointFilter{Interfaces: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := describeGroups(pub); got != "volumev2:[v2-pub] volumev3:[v3-pub-1 v3-pub-2]" {
		t.Errorf("public: %s", got)
	}
	// Per type, the first interface of the list that the type has.
	pref, _ := c.EndpointsByType(keystone.EndpointFilter{Interfaces: []string{"internal", "public"}})
	if got := describeGroups(pref); got != "image:[g-int] volumev2:[v2-pub] volumev3:[v3-pub-1 v3-pub-2]" {
		t.Errorf("internal then public: %s", got)
	}
	bs, _ := c.EndpointsByType(keystone.EndpointFilter{ServiceType: "block-storage", Region: "RegionOne"})
	if got := describeGroups(bs); got != "volumev3:[v3-pub-1 v3-adm-1]" {
		t.Errorf("block-storage in RegionOne: %s", got)
	}
	none, err := c.EndpointsByType(keystone.EndpointFilter{ServiceType: "dns"})
	if err != nil || len(none) != 0 {
		t.Errorf("no match: %v %v", none, err)
	}
}

func describeGroups(m map[string][]keystone.Endpoint) string {
	var parts []string
	for typ, eps := range m {
		var ids []string
		for _, ep := range eps {
			ids = append(ids, ep.ID)
		}
		parts = append(parts, typ+":["+strings.Join(ids, " ")+"]")
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// A token without a catalog, or with an empty one, fails every lookup with
// ErrEndpointNotFound and ErrEmptyCatalog (keystoneauth1's EmptyCatalog is an
// EndpointNotFound).
func TestCatalogMissingOrEmpty(t *testing.T) {
	noCatalog := mustAccess(t, []byte(`{"token": {"methods": ["password"], "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "D"}},
		"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00Z", "issued_at": "2029-12-31T23:00:00Z"}}`))
	empty := mustAccess(t, tokenWithCatalog(`[]`))
	v2Empty, err := keystone.NewAccessInfoV2([]byte(`{"access": {"token": {"id": "tok-secret", "expires": "2030-01-01T00:00:00Z", "tenant": {"id": "t", "name": "demo"}},
		"user": {"id": "u", "name": "n", "roles": []}, "serviceCatalog": [], "metadata": {"is_admin": 0, "roles": []}}}`))
	if err != nil {
		t.Fatal(err)
	}
	f := keystone.EndpointFilter{ServiceType: "identity"}
	for name, ai := range map[string]*keystone.AccessInfo{"no catalog": noCatalog, "empty catalog": empty, "v2.0 empty catalog": v2Empty} {
		c := ai.Catalog()
		_, err1 := c.Lookup(f)
		_, err2 := c.URLs(f)
		_, err3 := c.EndpointsByType(f)
		for i, err := range []error{err1, err2, err3} {
			var ec *keystone.EmptyCatalogError
			if !errors.Is(err, keystone.ErrEndpointNotFound) || !errors.Is(err, keystone.ErrEmptyCatalog) || !errors.As(err, &ec) || ec.Filter.ServiceType != "identity" {
				t.Errorf("%s, call %d: %v", name, i, err)
			}
		}
		if c.Len() != 0 || c.Endpoints() != nil {
			t.Errorf("%s: %d endpoints", name, c.Len())
		}
	}
	if d := noCatalog.CatalogData(); d != nil {
		t.Errorf("no catalog, but CatalogData = %s", d)
	}
	if d := string(empty.CatalogData()); d != "[]" {
		t.Errorf("empty catalog: CatalogData = %s", d)
	}
}

func TestCatalogData(t *testing.T) {
	ai := mustAccess(t, tokenWithCatalog(aliasCatalog))
	var raw []struct {
		ID, Type  string
		Endpoints []map[string]any
	}
	if err := json.Unmarshal(ai.CatalogData(), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 3 || raw[1].Type != "volumev3" || len(raw[1].Endpoints) != 4 || raw[1].Endpoints[3]["url"] != "" {
		t.Errorf("raw v3 catalog: %+v", raw)
	}
	v2, err := keystone.NewAccessInfoV2([]byte(`{"access": {"token": {"id": "tok-secret-v2", "expires": "2030-01-01T00:00:00Z", "tenant": {"id": "t", "name": "demo"}},
		"user": {"id": "u", "name": "n", "roles": []}, "metadata": {"is_admin": 0, "roles": []},
		"serviceCatalog": [{"type": "identity", "name": "keystone", "endpoints": [{"id": "e1", "region": "R1", "publicURL": "http://ks/v2.0", "adminURL": "http://ks:35357/v2.0"}]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := string(v2.CatalogData())
	if !strings.Contains(d, `"publicURL": "http://ks/v2.0"`) || strings.Contains(d, "tok-secret") {
		t.Errorf("raw v2.0 catalog: %s", d)
	}
	if keystone.NewStaticAccess("tok").CatalogData() != nil || (*keystone.AccessInfo)(nil).CatalogData() != nil {
		t.Error("a static token or nil has no catalog data")
	}
}

// On the in-memory Keystone: the catalog of a real token, with services
// added in several regions.
func TestCatalogURLsFake(t *testing.T) {
	ks := keystonetest.NewServer(t)
	ks.AddService("compute", "nova",
		keystonetest.Endpoint{Interface: "public", Region: "RegionOne", URL: "https://nova.one/v2.1"},
		keystonetest.Endpoint{Interface: "internal", Region: "RegionOne", URL: "http://nova.internal/v2.1"},
		keystonetest.Endpoint{Interface: "public", Region: "RegionTwo", URL: "https://nova.two/v2.1"},
	)
	ks.AddService("volumev3", "cinderv3", keystonetest.Endpoint{Interface: "public", Region: "RegionOne", URL: "https://cinder/v3"})
	auth := passwordAuth(t, ks)
	s := newSession(t, keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	c := ai.Catalog()
	urls, err := c.URLs(keystone.EndpointFilter{ServiceType: "compute"})
	slices.Sort(urls) // the fake's catalog order is its own
	if err != nil || fmt.Sprint(urls) != "[https://nova.one/v2.1 https://nova.two/v2.1]" {
		t.Errorf("compute: %q %v", urls, err)
	}
	if _, err := c.Lookup(keystone.EndpointFilter{ServiceType: "compute"}); !errors.Is(err, keystone.ErrAmbiguousEndpoints) {
		t.Errorf("Lookup of two regions: %v", err)
	}
	urls, err = c.URLs(keystone.EndpointFilter{ServiceType: "block-storage"})
	if err != nil || fmt.Sprint(urls) != "[https://cinder/v3]" {
		t.Errorf("block-storage: %q %v", urls, err)
	}
	urls, err = c.URLs(keystone.EndpointFilter{ServiceType: "identity", Interfaces: []string{"admin"}})
	if err != nil || len(urls) != 1 || !strings.HasPrefix(urls[0], ks.URL) {
		t.Errorf("identity admin: %q %v", urls, err)
	}
	groups, err := c.EndpointsByType(keystone.EndpointFilter{Region: "RegionOne"})
	if err != nil || len(groups["compute"]) != 2 || len(groups["identity"]) != 3 || len(groups["volumev3"]) != 1 {
		t.Errorf("RegionOne: %s %v", describeGroups(groups), err)
	}
	var raw []struct{ Type string }
	if err := json.Unmarshal(ai.CatalogData(), &raw); err != nil || len(raw) != 3 {
		t.Errorf("raw catalog: %+v %v", raw, err)
	}
	if _, err := c.URLs(keystone.EndpointFilter{ServiceType: "dns"}); !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Errorf("dns: %v", err)
	}

	// An unscoped token has no catalog: every lookup fails.
	unscoped, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.AuthURL(), User: authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID}, Password: ks.AdminPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	ai, err = unscoped.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ai.Catalog().URLs(keystone.EndpointFilter{ServiceType: "identity"}); !errors.Is(err, keystone.ErrEndpointNotFound) || !errors.Is(err, keystone.ErrEmptyCatalog) {
		t.Errorf("unscoped URLs: %v", err)
	}
	s2 := newSession(t, keystone.WithAuth(unscoped))
	if _, err := s2.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity"}); !errors.Is(err, keystone.ErrEndpointNotFound) || !errors.Is(err, keystone.ErrEmptyCatalog) {
		t.Errorf("unscoped EndpointURL: %v", err)
	}
}
