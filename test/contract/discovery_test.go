//go:build integration

package contract

import (
	"strings"
	"testing"
)

func TestDiscovery(t *testing.T) {
	t.Run("listVersions", func(t *testing.T) {
		r, err := anon.ListVersionsWithResponse(t.Context())
		expect(t, r, err, 300)
		vs := r.JSON300.Versions.Values
		if len(vs) == 0 {
			t.Fatal("no versions")
		}
		v := vs[0]
		if !strings.HasPrefix(v.ID, "v3.") || strings.ToLower(v.Status) != "stable" {
			t.Errorf("unexpected version %s (%s)", v.ID, v.Status)
		}
		if len(v.Links) == 0 || !strings.HasSuffix(strings.TrimRight(v.Links[0].Href, "/"), "/v3") {
			t.Errorf("version links = %+v", v.Links)
		}
		if r.HTTPResponse.Header.Get("Location") == "" {
			t.Error("300 without a Location header")
		}
	})
	t.Run("getVersion", func(t *testing.T) {
		r, err := anon.GetVersionWithResponse(t.Context())
		expect(t, r, err, 200)
		v := r.JSON200.Version
		if v.ID != "v3.14" {
			t.Errorf("Keystone 22 serves v3.14, got %s", v.ID)
		}
		if len(v.MediaTypes) == 0 || v.MediaTypes[0].Type != "application/vnd.openstack.identity-v3+json" {
			t.Errorf("media types = %+v", v.MediaTypes)
		}
		if v.Updated == nil || v.Updated.IsZero() {
			t.Error("no updated time")
		}
	})
}
