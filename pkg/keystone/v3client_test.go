package keystone_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// pagedKeystone serves /v3/projects in pages of two (as Keystone does with
// list_limit, through links.next), and a 404 for any single project.
func pagedKeystone(t *testing.T, names ...string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Openstack-Request-Id", fmt.Sprintf("req-%d", requests.Load()))
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

func adminTokenClient(t *testing.T, url string) *keystone.V3Client {
	t.Helper()
	auth, _ := authplugin.NewAdminToken(url, "tok")
	s := newSession(t, keystone.WithAuth(auth))
	c, err := keystone.NewV3ClientAt(s, url+"/v3")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListFollowsPages(t *testing.T) {
	srv, requests := pagedKeystone(t, "a", "b", "c", "d", "e")
	c := adminTokenClient(t, srv.URL)
	all, err := c.Projects.ListAll(t.Context(), nil)
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

func TestResponseMetadata(t *testing.T) {
	srv, _ := pagedKeystone(t, "a", "b", "c")
	c := adminTokenClient(t, srv.URL)
	var md keystone.ResponseMetadata
	ctx := keystone.WithResponseMetadata(t.Context(), &md)
	if _, err := c.Projects.ListAll(ctx, nil); err != nil {
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

func TestFind(t *testing.T) {
	srv, _ := pagedKeystone(t, "solo", "twin", "twin")
	c := adminTokenClient(t, srv.URL)
	p, err := c.Projects.Find(t.Context(), "solo", "")
	if err != nil || p.ID != "id-solo" {
		t.Fatalf("find solo: %v %v", p, err)
	}
	var nu *keystone.NoUniqueMatchError
	if _, err := c.Projects.Find(t.Context(), "twin", ""); !errors.As(err, &nu) || nu.Count != 2 {
		t.Errorf("twin: %v", err)
	}
	_, err = c.Projects.Find(t.Context(), "ghost", "")
	if !errors.Is(err, keystone.ErrNoUniqueMatch) || !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("ghost: %v", err)
	}
}

func TestFalseFlagsAreNotSent(t *testing.T) {
	var query atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"project": {"id": "p", "name": "p", "domain_id": "d", "enabled": true, "is_domain": false, "links": {"self": "x"}}}`)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	f, tr := false, true
	if _, err := c.Projects.Get(t.Context(), "p", &identityv3.GetProjectParams{ParentsAsList: &f, SubtreeAsList: &tr}); err != nil {
		t.Fatal(err)
	}
	if q := query.Load().(string); q != "subtree_as_list=true" {
		t.Errorf("query %q: a false flag reads as true to Keystone and must not be sent", q)
	}
}

func TestNewClientDiscovers(t *testing.T) {
	srv := newFakeForClient(t)
	c, err := keystone.NewClient(t.Context(), newSession(t), srv)
	if err != nil || c == nil {
		t.Fatalf("%v", err)
	}
}
