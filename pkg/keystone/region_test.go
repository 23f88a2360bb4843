package keystone_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// regionFake is a Keystone stand-in whose tokens carry the catalog set with
// SetCatalog (catalogs the in-memory Keystone cannot hold: five regions of
// hosts that are never contacted, the auth URL's endpoint in any region).
type regionFake struct {
	*httptest.Server
	UserName, Password string
	mu                 sync.Mutex
	catalog            []map[string]any
}

func newRegionFake(t *testing.T) *regionFake {
	f := &regionFake{UserName: "alice", Password: "s3cret-pw"}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
			var req struct {
				Auth struct {
					Identity struct {
						Password struct {
							User struct{ Name, Password string }
						}
					}
				}
			}
			if json.NewDecoder(r.Body).Decode(&req) != nil || req.Auth.Identity.Password.User.Password != f.Password {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "no"}}`)
				return
			}
			f.mu.Lock()
			body, _ := json.Marshal(map[string]any{"token": map[string]any{
				"methods": []string{"password"}, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
				"user":    map[string]any{"id": "u-1", "name": f.UserName, "domain": map[string]any{"id": "default", "name": "Default"}},
				"project": map[string]any{"id": "p-1", "name": "demo", "domain": map[string]any{"id": "default", "name": "Default"}},
				"catalog": f.catalog,
			}})
			f.mu.Unlock()
			w.Header().Set("X-Subject-Token", "tok-region")
			w.WriteHeader(http.StatusCreated)
			w.Write(body)
		case r.Method == http.MethodGet && r.URL.Path == "/v3/projects":
			io.WriteString(w, `{"projects": [], "links": {"self": "x", "next": null}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error": {"code": 404, "title": "Not Found", "message": "no"}}`)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// SetCatalog sets the catalog of the tokens issued from now on.
func (f *regionFake) SetCatalog(c []map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.catalog = c
}

// regionNames are the five regions of the multi-region catalogs below.
var regionNames = []string{"RegionOne", "RegionTwo", "RegionThree", "RegionFour", "RegionFive"}

// authRegion is the region whose public identity endpoint is the auth URL.
const authRegion = "RegionTwo"

// regionURL is the URL of the identity endpoint of region n (1-based) and
// interface iface that is not the auth URL.
func regionURL(n int, iface string) string {
	return fmt.Sprintf("https://%s.region%d.example:5000/v3", iface, n)
}

// multiRegionCatalog is a catalog with an identity and a compute service,
// each with public, internal and admin endpoints in five regions. Region
// authRegion's public identity URL is authURL; the other URLs point at hosts
// that are never contacted. With authURL "", no endpoint is the auth URL.
func multiRegionCatalog(authURL string) []map[string]any {
	var identity, compute []any
	for i, region := range regionNames {
		n := i + 1
		for _, iface := range []string{"public", "internal", "admin"} {
			u := regionURL(n, iface)
			if region == authRegion && iface == "public" && authURL != "" {
				u = authURL
			}
			identity = append(identity, map[string]any{"id": fmt.Sprintf("id-%d-%s", n, iface), "interface": iface,
				"region_id": region, "region": region, "url": u})
			compute = append(compute, map[string]any{"id": fmt.Sprintf("nova-%d-%s", n, iface), "interface": iface,
				"region_id": region, "region": region, "url": fmt.Sprintf("https://%s.nova%d.example:8774/v2.1", iface, n)})
		}
	}
	return []map[string]any{
		{"id": "svc-identity", "type": "identity", "name": "keystone", "endpoints": identity},
		{"id": "svc-compute", "type": "compute", "name": "nova", "endpoints": compute},
	}
}

// multiRegionSession returns a fake Keystone serving the five-region catalog
// and a session authenticated against it with opts.
func multiRegionSession(t *testing.T, opts ...keystone.SessionOption) (*regionFake, *keystone.Session) {
	t.Helper()
	srv := newRegionFake(t)
	srv.SetCatalog(multiRegionCatalog(srv.URL + "/v3"))
	opts = append([]keystone.SessionOption{keystone.WithAuth(regionFakeAuth(t, srv))}, opts...)
	return srv, newSession(t, opts...)
}

// regionFakeAuth authenticates as the user of the fake, scoped to its project,
// at its /v3 URL.
func regionFakeAuth(t *testing.T, srv *regionFake) *keystone.Auth {
	t.Helper()
	a, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL:  srv.URL + "/v3",
		User:     authplugin.User{Name: srv.UserName, DomainID: "default"},
		Password: srv.Password,
		Scope:    authplugin.Scope{ProjectName: "demo", ProjectDomainID: "default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func regionEndpointURL(t *testing.T, s *keystone.Session, f keystone.EndpointFilter) string {
	t.Helper()
	u, err := s.EndpointURL(t.Context(), nil, f)
	if err != nil {
		t.Fatalf("EndpointURL(%v): %v", f, err)
	}
	return u
}

func TestRegionIdentityPicksAuthURL(t *testing.T) {
	srv, s := multiRegionSession(t)
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}), srv.URL+"/v3"; got != want {
		t.Errorf("identity endpoint = %q, want the auth URL %q", got, want)
	}
	// The same through a filter that names the service but not the type.
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceName: "keystone"}), srv.URL+"/v3"; got != want {
		t.Errorf("keystone endpoint = %q, want the auth URL %q", got, want)
	}
	// And the same for requests, the typed client and the generated client.
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: "projects",
		Endpoint: &keystone.EndpointFilter{ServiceType: "identity"}})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Errorf("request went to %s, want the fake", resp.Request.URL)
	}
	if c, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{}); err != nil || c.Endpoint() != srv.URL {
		t.Errorf("identityv3.NewClient: %v (at %v)", err, c)
	} else if _, err := keystone.Collect(c.Projects.List(t.Context(), nil)); err != nil {
		t.Errorf("Projects.List: %v", err)
	}
}

// The auth URL matches whatever its version suffix, trailing slash, case of
// scheme and host, or explicit default port.
func TestRegionIdentityAuthURLNormalised(t *testing.T) {
	srv := newRegionFake(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, catalogURL := range []string{
		srv.URL + "/v3/", srv.URL, srv.URL + "/", srv.URL + "/v2.0", "HTTP://" + strings.ToUpper(host) + "/v3",
	} {
		t.Run(catalogURL, func(t *testing.T) {
			srv.SetCatalog(multiRegionCatalog(catalogURL))
			s := newSession(t, keystone.WithAuth(regionFakeAuth(t, srv)))
			if got := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}); got != catalogURL {
				t.Errorf("identity endpoint = %q, want %q", got, catalogURL)
			}
		})
	}
	// A path that differs otherwise does not match.
	srv.SetCatalog(multiRegionCatalog(srv.URL + "/identity/v3"))
	s := newSession(t, keystone.WithAuth(regionFakeAuth(t, srv)))
	_, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity"})
	var amb *keystone.AmbiguousEndpointsError
	if !errors.As(err, &amb) {
		t.Fatalf("err = %v, want *AmbiguousEndpointsError", err)
	}
}

func TestRegionIdentityNoAuthURLMatchIsAmbiguous(t *testing.T) {
	srv := newRegionFake(t)
	srv.SetCatalog(multiRegionCatalog(""))
	s := newSession(t, keystone.WithAuth(regionFakeAuth(t, srv)))
	_, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity"})
	var amb *keystone.AmbiguousEndpointsError
	if !errors.As(err, &amb) || !errors.Is(err, keystone.ErrAmbiguousEndpoints) {
		t.Fatalf("err = %v, want *AmbiguousEndpointsError", err)
	}
	if len(amb.Endpoints) != 5 || !strings.Contains(err.Error(), "5 endpoints match") {
		t.Errorf("err = %v, want the 5 public endpoints listed", err)
	}
}

func TestRegionSessionRegion(t *testing.T) {
	_, s := multiRegionSession(t, keystone.WithRegion("RegionThree"))
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}), regionURL(3, "public"); got != want {
		t.Errorf("identity endpoint = %q, want RegionThree's %q", got, want)
	}
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "compute"}), "https://public.nova3.example:8774/v2.1"; got != want {
		t.Errorf("compute endpoint = %q, want RegionThree's %q", got, want)
	}
	// The session's region is the auth URL's region: its endpoint, no other.
	srv, s2 := multiRegionSession(t, keystone.WithRegion(authRegion))
	if got, want := regionEndpointURL(t, s2, keystone.EndpointFilter{ServiceType: "identity"}), srv.URL+"/v3"; got != want {
		t.Errorf("identity endpoint = %q, want %q", got, want)
	}
}

func TestRegionFilterOverridesSession(t *testing.T) {
	_, s := multiRegionSession(t, keystone.WithRegion("RegionThree"))
	f := keystone.EndpointFilter{ServiceType: "identity", Region: "RegionFour"}
	if got, want := regionEndpointURL(t, s, f), regionURL(4, "public"); got != want {
		t.Errorf("identity endpoint = %q, want RegionFour's %q", got, want)
	}
	// A region the catalog lacks is not found, whatever the session says.
	_, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity", Region: "RegionSix"})
	if !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Errorf("err = %v, want ErrEndpointNotFound", err)
	}
	// So is the session's own region when the catalog lacks it.
	_, s2 := multiRegionSession(t, keystone.WithRegion("RegionSix"))
	_, err = s2.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "identity"})
	if !errors.Is(err, keystone.ErrEndpointNotFound) || !strings.Contains(err.Error(), "region=RegionSix") {
		t.Errorf("err = %v, want ErrEndpointNotFound for region RegionSix", err)
	}
}

func TestRegionSessionInterface(t *testing.T) {
	_, s := multiRegionSession(t, keystone.WithRegion("RegionThree"), keystone.WithInterface("internal"))
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}), regionURL(3, "internal"); got != want {
		t.Errorf("identity endpoint = %q, want RegionThree's internal %q", got, want)
	}
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "compute"}), "https://internal.nova3.example:8774/v2.1"; got != want {
		t.Errorf("compute endpoint = %q, want RegionThree's internal %q", got, want)
	}
	// The filter's interfaces win over the session's.
	f := keystone.EndpointFilter{ServiceType: "identity", Interfaces: []string{"admin", "public"}}
	if got, want := regionEndpointURL(t, s, f), regionURL(3, "admin"); got != want {
		t.Errorf("identity endpoint = %q, want RegionThree's admin %q", got, want)
	}
	// The v2 spelling and any case are accepted.
	for _, iface := range []string{"adminURL", "Admin", "ADMIN"} {
		_, s := multiRegionSession(t, keystone.WithRegion("RegionFive"), keystone.WithInterface(iface))
		if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}), regionURL(5, "admin"); got != want {
			t.Errorf("WithInterface(%q): identity endpoint = %q, want %q", iface, got, want)
		}
	}
	// "" is no default: public.
	_, s3 := multiRegionSession(t, keystone.WithRegion("RegionFive"), keystone.WithInterface(""))
	if got, want := regionEndpointURL(t, s3, keystone.EndpointFilter{ServiceType: "identity"}), regionURL(5, "public"); got != want {
		t.Errorf("WithInterface(\"\"): identity endpoint = %q, want %q", got, want)
	}
}

// Without a region, the identity endpoint of another interface than the auth
// URL's is the one in the auth URL's region.
func TestRegionSessionInterfaceIdentityFollowsAuthURLRegion(t *testing.T) {
	_, s := multiRegionSession(t, keystone.WithInterface("internal"))
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{ServiceType: "identity"}), regionURL(2, "internal"); got != want {
		t.Errorf("identity endpoint = %q, want %s's internal %q", got, authRegion, want)
	}
	// Compute stays ambiguous.
	_, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "compute"})
	var amb *keystone.AmbiguousEndpointsError
	if !errors.As(err, &amb) {
		t.Fatalf("err = %v, want *AmbiguousEndpointsError", err)
	}
}

func TestRegionComputeStillAmbiguous(t *testing.T) {
	_, s := multiRegionSession(t)
	_, err := s.EndpointURL(t.Context(), nil, keystone.EndpointFilter{ServiceType: "compute"})
	var amb *keystone.AmbiguousEndpointsError
	if !errors.As(err, &amb) || !errors.Is(err, keystone.ErrAmbiguousEndpoints) {
		t.Fatalf("err = %v, want *AmbiguousEndpointsError", err)
	}
	if len(amb.Endpoints) != 5 {
		t.Errorf("%d endpoints listed, want 5: %v", len(amb.Endpoints), err)
	}
	for _, ep := range amb.Endpoints {
		if ep.ServiceType != "compute" || ep.Interface != "public" {
			t.Errorf("listed %+v, want public compute endpoints only", ep)
		}
	}
}

func TestRegionBadInterface(t *testing.T) {
	for _, iface := range []string{"private", "publicx", "pub lic", "URL"} {
		s, err := keystone.NewSession(keystone.WithInterface(iface))
		if !errors.Is(err, keystone.ErrInvalidArgument) || s != nil {
			t.Errorf("WithInterface(%q) = %v, %v; want ErrInvalidArgument", iface, s, err)
			continue
		}
		if !strings.Contains(err.Error(), "interface") {
			t.Errorf("WithInterface(%q): error %q does not say what is wrong", iface, err)
		}
	}
}

// A filter that names an endpoint ID is not narrowed by the session's
// defaults: the ID selects the endpoint.
func TestRegionEndpointIDIgnoresSessionDefaults(t *testing.T) {
	_, s := multiRegionSession(t, keystone.WithRegion("RegionThree"), keystone.WithInterface("internal"))
	if got, want := regionEndpointURL(t, s, keystone.EndpointFilter{EndpointID: "id-4-admin"}), regionURL(4, "admin"); got != want {
		t.Errorf("endpoint = %q, want %q", got, want)
	}
}

// urlAuth is a custom AuthPlugin that tells its auth URL itself.
type urlAuth struct {
	keystone.AuthPlugin
	url string
}

func (a urlAuth) AuthURL() string { return a.url }

func TestRegionCustomPluginAuthURL(t *testing.T) {
	srv := newRegionFake(t)
	s := newSession(t)
	ctx := context.Background()
	// A plugin that does not say its auth URL gets the ambiguity.
	srv.SetCatalog(multiRegionCatalog(srv.URL + "/v3"))
	plain := struct{ keystone.AuthPlugin }{regionFakeAuth(t, srv)}
	if _, err := s.EndpointURL(ctx, plain, keystone.EndpointFilter{ServiceType: "identity"}); !errors.Is(err, keystone.ErrAmbiguousEndpoints) {
		t.Fatalf("err = %v, want ErrAmbiguousEndpoints", err)
	}
	// One that does gets the endpoint at its URL, compared without the
	// version, trailing slashes, case of scheme and host, or default port.
	for _, tc := range []struct {
		catalogURL, authURL string
		match               bool
	}{
		{"https://keystone.example/identity/v3", "https://keystone.example/identity", true},
		{"https://keystone.example/identity/v3", "HTTPS://Keystone.EXAMPLE/identity/v3/", true},
		{"https://keystone.example:443/identity/v3", "https://keystone.example/identity/v2.0", true},
		{"http://keystone.example/identity/", "http://keystone.example:80/identity/v3", true},
		{"https://[::1]:5000/v3", "https://[::1]:5000", true},
		{"https://keystone.example/identity/v3", "http://keystone.example/identity/v3", false},
		{"https://keystone.example/identity/v3", "https://keystone.example:5000/identity/v3", false},
		{"https://keystone.example/identity/v3", "https://keystone.example/v3", false},
		{"https://keystone.example/identity/v3", "https://keystone.example/Identity/v3", false},
		{"https://keystone.example/identity/v3", "keystone.example/identity/v3", false},
	} {
		srv.SetCatalog(multiRegionCatalog(tc.catalogURL))
		p := urlAuth{AuthPlugin: regionFakeAuth(t, srv), url: tc.authURL}
		u, err := s.EndpointURL(ctx, p, keystone.EndpointFilter{ServiceType: "identity"})
		switch {
		case tc.match && (err != nil || u != tc.catalogURL):
			t.Errorf("auth URL %s, catalog URL %s: EndpointURL = %q, %v; want the catalog URL", tc.authURL, tc.catalogURL, u, err)
		case !tc.match && !errors.Is(err, keystone.ErrAmbiguousEndpoints):
			t.Errorf("auth URL %s, catalog URL %s: EndpointURL = %q, %v; want ErrAmbiguousEndpoints", tc.authURL, tc.catalogURL, u, err)
		}
	}
}
