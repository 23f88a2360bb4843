package identity_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identity"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func newServer(t *testing.T) *keystonetest.Server {
	t.Helper()
	ks := keystonetest.NewServer(t)
	t.Cleanup(func() {
		for _, f := range ks.Failures() {
			t.Errorf("non-conforming exchange: %v", f)
		}
	})
	return ks
}

func session(t *testing.T, auth keystone.AuthPlugin) *keystone.Session {
	t.Helper()
	var opts []keystone.SessionOption
	if auth != nil {
		opts = append(opts, keystone.WithAuth(auth))
	}
	s, err := keystone.NewSession(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func v3Password(t *testing.T, ks *keystonetest.Server, scoped bool) *keystone.Auth {
	t.Helper()
	o := authplugin.PasswordOptions{
		AuthURL: ks.AuthURL(), User: authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID}, Password: ks.AdminPassword,
	}
	if scoped {
		o.Scope = authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}
	}
	a, err := authplugin.NewPassword(o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func v2Password(t *testing.T, ks *keystonetest.Server) *keystone.Auth {
	t.Helper()
	a, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{
		AuthURL: ks.AuthURLV2(), Username: ks.AdminUser, Password: ks.AdminPassword,
		Tenant: authplugin.Tenant{Name: ks.AdminProject},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The in-memory Keystone offers v3 (stable) and v2.0 (deprecated): v3 wins.
func TestNewClientChoosesV3(t *testing.T) {
	ks := newServer(t)
	s := session(t, v3Password(t, ks, true))
	c, err := identity.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.V3 == nil || c.V2 != nil || c.Version != (keystone.APIVersion{Major: 3, Minor: 14}) || c.URL != ks.URL+"/v3/" {
		t.Fatalf("got %v (v3 %v, v2 %v)", c, c.V3 != nil, c.V2 != nil)
	}
	if c.V3.Endpoint() != ks.URL {
		t.Errorf("v3 endpoint %q", c.V3.Endpoint())
	}
	p, err := c.V3.Projects.Find(t.Context(), ks.AdminProject, nil)
	if err != nil || p.ID != ks.AdminProjectID {
		t.Errorf("v3 call: %+v %v", p, err)
	}
	if !strings.Contains(c.String(), "v3.14 at "+ks.URL+"/v3/") {
		t.Errorf("String: %s", c)
	}
}

// MinVersion and MaxVersion bound the choice: 2.0 asks for v2.0 though v3
// is offered; 4 finds nothing.
func TestNewClientVersionBounds(t *testing.T) {
	ks := newServer(t)
	s := session(t, v2Password(t, ks))
	c, err := identity.NewClient(t.Context(), s, keystone.EndpointFilter{MinVersion: "2.0", MaxVersion: "2.0", Interfaces: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.V2 == nil || c.V3 != nil || c.Version != (keystone.APIVersion{Major: 2}) || c.URL != ks.URL+"/v2.0/" {
		t.Fatalf("got %v", c)
	}
	tenant, err := c.V2.Tenants.Get(t.Context(), ks.AdminProjectID)
	if err != nil || tenant.Name != ks.AdminProject {
		t.Errorf("v2.0 call: %+v %v", tenant, err)
	}
	c, err = identity.NewClient(t.Context(), s, keystone.EndpointFilter{MinVersion: "2", MaxVersion: "latest"})
	if err != nil || c.V3 == nil {
		t.Errorf("[2, latest]: %v %v", c, err)
	}
	_, err = identity.NewClient(t.Context(), s, keystone.EndpointFilter{MinVersion: "4"})
	if !errors.Is(err, keystone.ErrVersionNotAvailable) {
		t.Errorf("v4: %v", err)
	}
}

// v2Only makes the in-memory Keystone a v2.0-only cloud, as Keystone was
// before v3: its root lists v2.0 alone, and v3 is not there.
func v2Only(ks *keystonetest.Server) {
	doc := `{"versions": {"values": [{"id": "v2.0", "status": "stable", "updated": "2014-04-17T00:00:00Z",
		"links": [{"rel": "self", "href": "` + ks.URL + `/v2.0/"}],
		"media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v2.0+json"}]}]}}`
	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		switch {
		case r.URL.Path == "/" || r.URL.Path == "":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Location", ks.URL+"/v2.0/")
			w.WriteHeader(http.StatusMultipleChoices)
			w.Write([]byte(doc))
			return true
		case r.URL.Path == "/v3" || strings.HasPrefix(r.URL.Path, "/v3/"):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error": {"code": 404, "title": "Not Found", "message": "The resource could not be found."}}`))
			return true
		}
		return false
	})
}

// A v2.0-only cloud works through the same entry point.
func TestNewClientV2OnlyCloud(t *testing.T) {
	ks := newServer(t)
	v2Only(ks)
	s := session(t, v2Password(t, ks))
	// The catalog's identity endpoints point at …/v3/, which answers 404
	// here: the versions come from the root.
	c, err := identity.NewClient(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.V2 == nil || c.V3 != nil || c.Version.Major != 2 || c.URL != ks.URL+"/v2.0/" {
		t.Fatalf("got %v", c)
	}
	var names []string
	for tenant, err := range c.V2.Tenants.List(t.Context(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tenant.Name)
	}
	if !strings.Contains(strings.Join(names, ","), ks.AdminProject) {
		t.Errorf("tenants: %v", names)
	}
	if ks.RequestCount("GET /v3") != 0 {
		t.Errorf("%d requests to v3", ks.RequestCount("GET /v3"))
	}
}

// A Keystone that offers neither v3 nor v2.0.
func TestNewClientUnsupported(t *testing.T) {
	ks := newServer(t)
	s := session(t, v3Password(t, ks, true))
	if _, err := identity.NewClient(t.Context(), s, keystone.EndpointFilter{}); err != nil { // the token, before the change
		t.Fatal(err)
	}
	s = session(t, v3Password(t, ks, true))
	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/" && r.URL.Path != "/v3/" {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"versions": [{"id": "v4.0", "status": "CURRENT", "links": [{"rel": "self", "href": "` + ks.URL + `/v4/"}]},
			{"id": "v3.0", "status": "EXPERIMENTAL", "links": [{"rel": "self", "href": "` + ks.URL + `/v3/"}]}]}`))
		return true
	})
	_, err := identity.NewClient(t.Context(), s, keystone.EndpointFilter{})
	var vna *keystone.VersionNotAvailableError
	if !errors.Is(err, keystone.ErrUnsupportedVersion) || !errors.As(err, &vna) || !strings.Contains(err.Error(), "v4.0 (current)") {
		t.Errorf("got %v", err)
	}
}

// Without a catalog (an unscoped token), NewClient fails as a lookup does;
// NewClientAt takes the URL.
func TestNewClientWithoutCatalog(t *testing.T) {
	ks := newServer(t)
	s := session(t, v3Password(t, ks, false))
	_, err := identity.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if !errors.Is(err, keystone.ErrEndpointNotFound) || !errors.Is(err, keystone.ErrEmptyCatalog) {
		t.Errorf("NewClient: %v", err)
	}
	c, err := identity.NewClientAt(t.Context(), s, ks.AuthURL())
	if err != nil || c.V3 == nil {
		t.Fatalf("NewClientAt: %v %v", c, err)
	}
	if u, err := c.V3.Users.Get(t.Context(), ks.AdminUserID); err != nil || u.Name != ks.AdminUser {
		t.Errorf("v3 call with an unscoped token: %+v %v", u, err)
	}

	if _, err := identity.NewClient(t.Context(), nil, keystone.EndpointFilter{}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil session: %v", err)
	}
	noRetry, err := keystone.NewSession(keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.NewClientAt(t.Context(), noRetry, "http://127.0.0.1:1/v3"); !errors.Is(err, keystone.ErrDiscoveryFailure) {
		t.Errorf("nothing listening: %v", err)
	}
}
