//go:build integration

package keystone_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// The real Keystone's catalog through URLs, EndpointsByType and
// CatalogData; an unscoped token's lookups fail with ErrEndpointNotFound.
func TestCatalogIntegrationURLs(t *testing.T) {
	ks := testenv.Require(t)
	password := func(scope authplugin.Scope) *keystone.Auth {
		auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
			AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
			Password: ks.AdminPassword, Scope: scope,
		})
		if err != nil {
			t.Fatal(err)
		}
		return auth
	}
	auth := password(authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain})
	s := newSession(t, keystone.WithAuth(auth), keystone.WithTimeout(time.Minute))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	c := ai.Catalog()
	urls, err := c.URLs(keystone.EndpointFilter{ServiceType: "identity"})
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimRight(ks.URL, "/")
	if !slices.ContainsFunc(urls, func(u string) bool { return strings.TrimRight(keystone.UnversionedURL(u), "/") == want }) {
		t.Errorf("public identity URLs %q lack %s", urls, ks.URL)
	}
	groups, err := c.EndpointsByType(keystone.EndpointFilter{ServiceType: "identity"})
	if err != nil || len(groups["identity"]) < 3 { // public, internal and admin at least
		t.Errorf("identity endpoints: %v %v", groups, err)
	}
	for _, ep := range groups["identity"] {
		if ep.ServiceType != "identity" || ep.URL == "" {
			t.Errorf("endpoint %+v", ep)
		}
	}
	type rawService struct {
		Type      string            `json:"type"`
		Endpoints []json.RawMessage `json:"endpoints"`
	}
	var raw []rawService
	if err := json.Unmarshal(ai.CatalogData(), &raw); err != nil || !slices.ContainsFunc(raw, func(s rawService) bool { return s.Type == "identity" && len(s.Endpoints) > 0 }) {
		t.Errorf("raw catalog: %v", err)
	}
	if strings.Contains(string(ai.CatalogData()), ai.Token()) {
		t.Error("the raw catalog holds the token")
	}

	unscoped := password(authplugin.Scope{})
	uai, err := unscoped.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if uai.CatalogData() != nil {
		t.Errorf("unscoped token has catalog data %s", uai.CatalogData())
	}
	for i, f := range []func() error{
		func() error {
			_, err := uai.Catalog().URLs(keystone.EndpointFilter{ServiceType: "identity"})
			return err
		},
		func() error {
			_, err := uai.Catalog().Lookup(keystone.EndpointFilter{ServiceType: "identity"})
			return err
		},
		func() error {
			_, err := newSession(t, keystone.WithAuth(unscoped)).EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity"})
			return err
		},
	} {
		if err := f(); !errors.Is(err, keystone.ErrEndpointNotFound) || !errors.Is(err, keystone.ErrEmptyCatalog) {
			t.Errorf("unscoped lookup %d: %v", i, err)
		}
	}
}

// The real Keystone's root answers 300 Multiple Choices with its versions,
// "stable" v3.14: discovery reads it, normalises the status and keeps the
// raw documents; with Authenticated, the token goes along.
func TestDiscoveryIntegrationRawAndFiltered(t *testing.T) {
	ks := testenv.Require(t)
	s := newSession(t, keystone.WithTimeout(time.Minute))
	d, err := s.Discover(t.Context(), ks.URL)
	if err != nil {
		t.Fatal(err)
	}
	v := d.Versions[0]
	if v.ID != "v3.14" || v.Status != keystone.StatusCurrent || v.RawStatus != "stable" || !strings.HasSuffix(strings.TrimRight(v.URL, "/"), "/v3") {
		t.Errorf("v3: %+v", v)
	}
	raw := d.RawVersions(keystone.VersionFilter{})
	if len(raw) != len(d.Versions) || !strings.Contains(string(raw[0]), `"stable"`) {
		t.Errorf("raw versions: %s", raw)
	}
	if m, err := d.MatchFiltered("3", "3", keystone.VersionFilter{}); err != nil || m.ID != "v3.14" {
		t.Errorf("MatchFiltered(3): %+v %v", m, err)
	}
	if _, err := d.MatchFiltered("2.0", "2.0", keystone.DefaultVersionFilter()); !errors.Is(err, keystone.ErrVersionNotAvailable) {
		t.Errorf("Keystone 22 has no v2.0: %v", err)
	}

	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err = newSession(t, keystone.WithTimeout(time.Minute)).DiscoverWith(t.Context(), ks.URL+"/v3", keystone.DiscoverOptions{Authenticated: true, Auth: auth})
	if err != nil || d.Versions[0].ID != "v3.14" {
		t.Errorf("authenticated discovery of /v3: %+v %v", d, err)
	}
	if _, err := newSession(t).DiscoverWith(t.Context(), ks.URL, keystone.DiscoverOptions{Authenticated: true}); !errors.Is(err, keystone.ErrMissingAuthPlugin) {
		t.Errorf("authenticated without a plugin: %v", err)
	}
}
