package identityv3_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// pagedKeystone serves /v3/projects in pages of two (as Keystone does with
// list_limit, through links.next), and a 404 for any single project.
func pagedKeystone(t *testing.T, names ...string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", fmt.Sprintf("req-%d", n))
		if r.URL.Path != "/v3/projects" {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error": {"code": 404, "title": "Not Found", "message": "Could not find project."}}`)
			return
		}
		var filtered []string
		for _, n := range names {
			if q := r.URL.Query().Get("name"); q == "" || q == n {
				filtered = append(filtered, n)
			}
		}
		start := 0
		fmt.Sscan(r.URL.Query().Get("page"), &start)
		end := min(start+2, len(filtered))
		var items []string
		for _, n := range filtered[start:end] {
			items = append(items, fmt.Sprintf(`{"id": "id-%s", "name": %q, "domain_id": "default", "enabled": true, "is_domain": false, "links": {"self": "x"}}`, n, n))
		}
		next := "null"
		if end < len(filtered) {
			q := r.URL.Query()
			q.Set("page", fmt.Sprint(end))
			next = fmt.Sprintf("%q", srv.URL+"/v3/projects?"+q.Encode())
		}
		fmt.Fprintf(w, `{"projects": [%s], "links": {"self": "x", "next": %s, "previous": null}}`, strings.Join(items, ","), next)
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

// List follows links.next; breaking out of the loop fetches no more pages; a
// cancelled context ends the iteration with its error.
func TestListFollowsPages(t *testing.T) {
	srv, requests := pagedKeystone(t, "a", "b", "c", "d", "e")
	c := adminTokenClient(t, srv.URL)
	all, err := keystone.Collect(c.Projects.List(t.Context(), nil))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range all {
		names = append(names, p.Name)
	}
	if strings.Join(names, "") != "abcde" || requests.Load() != 3 {
		t.Fatalf("got %v in %d requests", names, requests.Load())
	}
	// Stopping early does not fetch further pages.
	requests.Store(0)
	for p, err := range c.Projects.List(t.Context(), nil) {
		if err != nil || p.Name != "a" {
			t.Fatalf("%v %v", p.Name, err)
		}
		break
	}
	if requests.Load() != 1 {
		t.Errorf("%d requests after breaking out of the first item", requests.Load())
	}
	// A cancelled context ends the iteration with its error.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	n := 0
	var last error
	for _, err := range c.Projects.List(ctx, nil) {
		if err != nil {
			last = err
			break
		}
		n++
		cancel()
	}
	if !errors.Is(last, context.Canceled) || n != 2 {
		t.Errorf("after cancel: %d items, error %v", n, last)
	}
}

// keystone.WithResponseMetadata describes the last response of a call: the
// last page of a list, the error of a get.
func TestResponseMetadata(t *testing.T) {
	srv, _ := pagedKeystone(t, "a", "b", "c")
	c := adminTokenClient(t, srv.URL)
	var md keystone.ResponseMetadata
	ctx := keystone.WithResponseMetadata(t.Context(), &md)
	if _, err := keystone.Collect(c.Projects.List(ctx, nil)); err != nil {
		t.Fatal(err)
	}
	if md.StatusCode != 200 || md.RequestID != "req-2" || !strings.Contains(md.URL, "page=2") {
		t.Errorf("metadata of the last page: %+v", md)
	}
	_, err := c.Projects.Get(ctx, "nope", nil)
	if !errors.Is(err, keystone.ErrNotFound) || md.StatusCode != 404 {
		t.Errorf("error metadata: %+v %v", md, err)
	}
}

// Find: by name when no project has the ID; several or none is a
// NoUniqueMatchError (none also matches ErrNotFound).
func TestFind(t *testing.T) {
	srv, _ := pagedKeystone(t, "solo", "twin", "twin")
	c := adminTokenClient(t, srv.URL)
	p, err := c.Projects.Find(t.Context(), "solo", nil)
	if err != nil || p.ID != "id-solo" {
		t.Fatalf("find solo: %v %v", p, err)
	}
	var nu *keystone.NoUniqueMatchError
	if _, err := c.Projects.Find(t.Context(), "twin", nil); !errors.As(err, &nu) || nu.Count != 2 || errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("twin: %v", err)
	}
	_, err = c.Projects.Find(t.Context(), "ghost", nil)
	if !errors.Is(err, keystone.ErrNoUniqueMatch) || !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("ghost: %v", err)
	}
	if _, err := c.Projects.Find(t.Context(), "", nil); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("empty name: %v", err)
	}
}

// A false flag reads as true to Keystone: it must not be sent.
func TestFalseFlagsAreNotSent(t *testing.T) {
	var query atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"project": {"id": "p", "name": "p", "domain_id": "d", "enabled": true, "is_domain": false, "links": {"self": "x"}}}`)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	if _, err := c.Projects.Get(t.Context(), "p", &identityv3.GetProjectOptions{ParentsAsList: false, SubtreeAsList: true}); err != nil {
		t.Fatal(err)
	}
	if q := query.Load().(string); q != "subtree_as_list=true" {
		t.Errorf("query %q: a false flag reads as true to Keystone and must not be sent", q)
	}
	if _, err := c.Projects.Get(t.Context(), "p", nil); err != nil {
		t.Fatal(err)
	}
	if q := query.Load().(string); q != "" {
		t.Errorf("query %q without options", q)
	}
}

// NewClient finds Keystone in the session's catalog and works.
func TestNewClientDiscovers(t *testing.T) {
	ks, c := fakeClient(t)
	if c.Endpoint() != ks.URL {
		t.Errorf("Endpoint() = %q, want the root %q", c.Endpoint(), ks.URL)
	}
	if c.Session() == nil {
		t.Error("no session")
	}
	ps, err := keystone.Collect(c.Projects.List(t.Context(), nil))
	if err != nil || !contains(ps, func(p identityv3.Project) string { return p.Name }, ks.AdminProject) {
		t.Errorf("projects %+v, %v", ps, err)
	}
}

func TestNewClientErrors(t *testing.T) {
	if _, err := identityv3.NewClient(t.Context(), nil, keystone.EndpointFilter{}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil session: %v", err)
	}
	if _, err := identityv3.NewClientAt(nil, "http://k/v3"); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil session at a URL: %v", err)
	}
	s := newSession(t)
	for _, u := range []string{"", "k/v3", "ftp://k/v3", "http:///v3", "%zz"} {
		if _, err := identityv3.NewClientAt(s, u); !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("NewClientAt(%q): %v", u, err)
		}
	}
	// No catalog entry of the kind asked for.
	ks, _ := fakeClient(t)
	s = newSession(t, keystone.WithAuth(fakeAuth(t, ks)))
	if _, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{Region: "Nowhere"}); !errors.Is(err, keystone.ErrEndpointNotFound) {
		t.Errorf("no identity endpoint in region Nowhere: %v", err)
	}
}

// NewClientAt takes the service's root or its versioned URL, and the paths
// of the spec are appended to the root either way.
func TestNewClientAtURLForms(t *testing.T) {
	var paths atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths.Store(r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"region": {"id": "r", "description": "", "parent_region_id": null, "links": {"self": "x"}}}`)
	}))
	defer srv.Close()
	for _, u := range []string{srv.URL, srv.URL + "/", srv.URL + "/v3", srv.URL + "/v3/"} {
		auth, _ := authplugin.NewAdminToken(srv.URL, "tok")
		c, err := identityv3.NewClientAt(newSession(t, keystone.WithAuth(auth)), u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if c.Endpoint() != srv.URL {
			t.Errorf("%s: Endpoint() = %q", u, c.Endpoint())
		}
		if _, err := c.Regions.Get(t.Context(), "r"); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if p := paths.Load().(string); p != "/v3/regions/r" {
			t.Errorf("%s: path %q", u, p)
		}
	}
}
