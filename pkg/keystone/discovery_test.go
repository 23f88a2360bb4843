package keystone_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func TestParseDiscoveryShapes(t *testing.T) {
	keystoneDoc := `{"versions": {"values": [{"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
		"links": [{"rel": "self", "href": "http://ks/v3/"}], "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]},
		{"id": "v2.0", "status": "deprecated", "links": [{"rel": "self", "href": "http://ks/v2.0/"}]}]}}`
	novaDoc := `{"versions": [{"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "links": [{"rel": "self", "href": "http://nova/v2/"}]},
		{"id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1", "links": [{"rel": "self", "href": "http://nova/v2.1/"}]}]}`
	single := `{"version": {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "/v3/"}]}}`

	d, err := keystone.ParseDiscovery("http://ks/", []byte(keystoneDoc))
	if err != nil || len(d.Versions) != 2 || d.Versions[0].ID != "v3.14" || d.Versions[0].MediaTypes[0] == "" {
		t.Fatalf("keystone shape: %+v %v", d, err)
	}
	v, err := d.Match("3", "")
	if err != nil || v.URL != "http://ks/v3/" {
		t.Errorf("match 3: %+v %v", v, err)
	}
	if v, err := d.Match("2.0", "2.0"); err != nil || v.ID != "v2.0" {
		t.Errorf("a deprecated version is used when it is the only match: %+v %v", v, err)
	}
	if _, err := d.Match("4", ""); !errors.Is(err, keystone.ErrVersionNotAvailable) {
		t.Errorf("v4: %v", err)
	}

	d, err = keystone.ParseDiscovery("http://nova/", []byte(novaDoc))
	if err != nil || d.Versions[0].ID != "v2.1" || d.Versions[0].Status != "current" || d.Versions[0].MaxMicroversion != "2.96" {
		t.Fatalf("nova shape: %+v %v", d, err)
	}
	if v, _ := d.Match("2", "2"); v.ID != "v2.1" {
		t.Errorf("newest 2.x: %+v", v)
	}
	if v, _ := d.Match("2.0", "2.0"); v.ID != "v2.0" {
		t.Errorf("exactly 2.0: %+v", v)
	}
	if v, _ := d.Match("latest", ""); v.ID != "v2.1" {
		t.Errorf("latest: %+v", v)
	}

	d, err = keystone.ParseDiscovery("http://ks/v3", []byte(single))
	if err != nil || d.Versions[0].URL != "http://ks/v3/" {
		t.Fatalf("single shape (relative link resolved): %+v %v", d, err)
	}
	for _, bad := range []string{`{}`, `[]`, `<html>`, `{"versions": {"values": [{"id": "garbage"}]}}`} {
		if _, err := keystone.ParseDiscovery("u", []byte(bad)); !errors.Is(err, keystone.ErrDiscoveryFailure) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestUnversionedURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://cloud/identity/v3":      "https://cloud/identity",
		"https://cloud/identity/v3/":     "https://cloud/identity",
		"http://ks:5000/v3":              "http://ks:5000",
		"http://ks:5000":                 "http://ks:5000",
		"http://ks:5000/":                "http://ks:5000",
		"https://nova:8774/v2.1/abc123":  "https://nova:8774",
		"https://cinder/volume/v3/p-id/": "https://cinder/volume",
	} {
		if got := keystone.UnversionedURL(in); got != want {
			t.Errorf("UnversionedURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDiscoverIsCachedPerURL(t *testing.T) {
	srv := keystonetest.NewServer(t)
	s := newSession(t)
	for range 3 {
		d, err := s.Discover(t.Context(), srv.URL)
		if err != nil || d.Versions[0].ID != "v3.14" {
			t.Fatalf("%+v %v", d, err)
		}
	}
	if n := srv.RequestCount(""); n != 1 {
		t.Errorf("%d requests for one URL, want 1", n)
	}
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool { w.WriteHeader(500); return true })
	s2 := newSession(t, keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	if _, err := s2.Discover(t.Context(), srv.URL+"/broken"); !errors.Is(err, keystone.ErrDiscoveryFailure) {
		t.Errorf("got %v", err)
	}
}

func TestEndpointWithVersion(t *testing.T) {
	srv := keystonetest.NewServer(t)
	s := newSession(t, keystone.WithAuth(passwordAuth(t, srv)))
	u, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", MinVersion: "3", MaxVersion: "3"})
	if err != nil || u != srv.URL+"/v3/" {
		t.Fatalf("got %q %v", u, err)
	}
	_, err = s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", MinVersion: "4"})
	if !errors.Is(err, keystone.ErrVersionNotAvailable) {
		t.Errorf("v4: %v", err)
	}
}
