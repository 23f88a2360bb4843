package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// TestMain fails the package's tests if any of them leaves a goroutine behind.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// client returns a rest.Client of the server at url, authenticated with a
// static token (no request but the calls under test).
func client(t *testing.T, url string) *rest.Client {
	t.Helper()
	auth, err := authplugin.NewAdminToken(url, "tok")
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.CloseIdleConnections)
	c, err := rest.NewClient(s, url+"/v3")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPath(t *testing.T) {
	cases := []struct {
		tmpl   string
		values []string
		want   string
	}{
		{"/v3/projects", nil, "/v3/projects"},
		{"/v3/projects/{project_id}", []string{"p1"}, "/v3/projects/p1"},
		{"/v3/projects/{project_id}/tags/{tag}", []string{"p1", "a tag"}, "/v3/projects/p1/tags/a%20tag"},
		// Each value is one segment: a slash, a question mark, a hash or
		// dots cannot reach another resource.
		{"/v3/users/{user_id}", []string{"a/b"}, "/v3/users/a%2Fb"},
		{"/v3/users/{user_id}", []string{"a?b=c#d"}, "/v3/users/a%3Fb=c%23d"},
		{"/v3/users/{user_id}", []string{".."}, "/v3/users/.."},
		{"/v3/users/{user_id}", []string{"%2F"}, "/v3/users/%252F"},
		{"/v3/users/{user_id}", []string{"é"}, "/v3/users/%C3%A9"},
		{"/v3/a/{x}/b/{y}/c", []string{"1", "2"}, "/v3/a/1/b/2/c"},
	}
	for _, c := range cases {
		got, err := rest.Path(c.tmpl, c.values...)
		if err != nil || got != c.want {
			t.Errorf("Path(%q, %q) = %q, %v; want %q", c.tmpl, c.values, got, err, c.want)
		}
		// The escaped path reads back as the values.
		if u, err := url.Parse("http://k" + got); err != nil || (len(c.values) == 1 && !strings.HasSuffix(u.Path, c.values[0])) {
			t.Errorf("%q does not read back: %v %v", got, u, err)
		}
	}
	for _, c := range []struct {
		tmpl   string
		values []string
	}{
		{"/v3/projects/{project_id}", []string{""}},
		{"/v3/projects/{project_id}/tags/{tag}", []string{"p", ""}},
		{"/v3/projects/{project_id}/tags/{tag}", []string{"", "t"}},
		{"/v3/projects", []string{"extra"}},
		{"/v3/projects/{project_id}", []string{"p", "q"}},
	} {
		got, err := rest.Path(c.tmpl, c.values...)
		if !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("Path(%q, %q) = %q, %v; want ErrInvalidArgument", c.tmpl, c.values, got, err)
		}
	}
	// The error names the parameter.
	if _, err := rest.Path("/v3/projects/{project_id}/tags/{tag}", "p", ""); err == nil || !strings.Contains(err.Error(), "tag") {
		t.Errorf("error %v does not name the parameter", err)
	}
}

func TestNewClient(t *testing.T) {
	s, err := keystone.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"http://k:5000":         "http://k:5000",
		"http://k:5000/":        "http://k:5000",
		"http://k:5000/v3":      "http://k:5000",
		"https://k/identity/v3": "https://k/identity",
		"https://k/v2.0/":       "https://k",
	} {
		c, err := rest.NewClient(s, in)
		if err != nil || c.Base != want || c.Session != s {
			t.Errorf("NewClient(%q) = %+v, %v; want base %q", in, c, err, want)
		}
	}
	for _, in := range []string{"", "k:5000", "/v3", "ftp://k/v3", "http://", "://"} {
		if _, err := rest.NewClient(s, in); !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("NewClient(%q): %v", in, err)
		}
	}
	if _, err := rest.NewClient(nil, "http://k"); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil session: %v", err)
	}
	var nilc *rest.Client
	if _, err := nilc.Do(t.Context(), rest.Req{Method: "GET", Path: "/v3"}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil client: %v", err)
	}
}

type item struct {
	ID    string         `json:"id"`
	Name  string         `json:"name"`
	Extra map[string]any `json:"-"`
}

type itemPage struct {
	V     []item      `json:"items"`
	Links *rest.Links `json:"links"`
}

var itemKeys = rest.NewKeys("id", "name")

func decodeItems(data []byte, p *itemPage) error {
	return rest.Extras(data, "items", true, itemKeys, func(i int, m map[string]any) {
		if i < len(p.V) {
			p.V[i].Extra = m
		}
	})
}

func pageOf(p *itemPage) ([]item, string, bool) { return p.V, p.Links.NextURL(), p.V != nil }

// pages serves GET /v3/items as the pages given, in order (page i links to
// page i+1), recording the URLs requested. A page "500" answers an error; a
// page "!" answers a body that is not JSON.
func pages(t *testing.T, bodies ...string) (*httptest.Server, func() []string) {
	var mu sync.Mutex
	var urls []string
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		urls = append(urls, r.URL.RequestURI())
		mu.Unlock()
		i := 0
		fmt.Sscan(r.URL.Query().Get("page"), &i)
		w.Header().Set("Content-Type", "application/json")
		switch b := bodies[i]; b {
		case "500":
			w.WriteHeader(500)
			fmt.Fprint(w, `{"error": {"code": 500, "title": "Internal Server Error", "message": "boom"}}`)
		case "!":
			fmt.Fprint(w, `<html>`)
		default:
			next := "null"
			if i+1 < len(bodies) {
				next = fmt.Sprintf("%q", srv.URL+"/v3/items?page="+fmt.Sprint(i+1))
			}
			fmt.Fprintf(w, `{"items": %s, "links": {"self": "x", "next": %s, "previous": null}}`, b, next)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), urls...)
	}
}

func list(ctx context.Context, c *rest.Client, q url.Values) iter.Seq2[item, error] {
	return rest.List(ctx, c, rest.Req{Method: http.MethodGet, Path: "/v3/items", Query: q}, decodeItems, pageOf)
}

// List follows links.next across pages, the first request with the query,
// the next ones as the server links them; each item has its extra members.
func TestListFollowsLinks(t *testing.T) {
	srv, urls := pages(t, `[{"id": "1", "name": "a", "x": 1}, {"id": "2", "name": "b"}]`, `[{"id": "3", "name": "c", "y": "z"}]`, `[{"id": "4", "name": "d"}]`)
	c := client(t, srv.URL)
	got, err := keystone.Collect(list(t.Context(), c, url.Values{"name": {"a b"}}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range got {
		ids = append(ids, it.ID)
	}
	if strings.Join(ids, ",") != "1,2,3,4" {
		t.Errorf("items %v", ids)
	}
	if got[0].Extra["x"] != 1.0 || got[1].Extra != nil || got[2].Extra["y"] != "z" {
		t.Errorf("extras %v %v %v", got[0].Extra, got[1].Extra, got[2].Extra)
	}
	if u := urls(); strings.Join(u, " ") != "/v3/items?name=a+b /v3/items?page=1 /v3/items?page=2" {
		t.Errorf("requested %v", u)
	}
}

// List stops at the first error, which it yields once (a failed page, an
// invalid body, a page without the collection), after the items before it.
func TestListStopsAtFirstError(t *testing.T) {
	for _, c := range []struct {
		name  string
		pages []string
		check func(error) bool
	}{
		{"status", []string{`[{"id": "1"}]`, "500", `[{"id": "3"}]`}, func(err error) bool {
			var he *keystone.HTTPError
			return errors.As(err, &he) && he.StatusCode == 500
		}},
		{"not JSON", []string{`[{"id": "1"}]`, "!", `[{"id": "3"}]`}, func(err error) bool {
			var ir *keystone.InvalidResponseError
			return errors.As(err, &ir)
		}},
		{"no collection", []string{`[{"id": "1"}]`, `null`, `[{"id": "3"}]`}, func(err error) bool {
			var ir *keystone.InvalidResponseError
			return errors.As(err, &ir)
		}},
		{"wrong type", []string{`[{"id": "1"}]`, `[{"id": 2}]`, `[{"id": "3"}]`}, func(err error) bool {
			var ir *keystone.InvalidResponseError
			return errors.As(err, &ir)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, urls := pages(t, c.pages...)
			cl := client(t, srv.URL)
			var ids []string
			var errs []error
			for it, err := range list(t.Context(), cl, nil) {
				if err != nil {
					errs = append(errs, err)
					continue // the iterator must end by itself
				}
				ids = append(ids, it.ID)
			}
			if strings.Join(ids, ",") != "1" || len(errs) != 1 || !c.check(errs[0]) {
				t.Errorf("items %v, errors %v", ids, errs)
			}
			if n := len(urls()); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
}

// An empty page ends the list even with a next link (no loop on a server
// that always links); so does a missing links member.
func TestListEndsOnEmptyPage(t *testing.T) {
	srv, urls := pages(t, `[{"id": "1"}]`, `[]`, `[{"id": "3"}]`)
	got, err := keystone.Collect(list(t.Context(), client(t, srv.URL), nil))
	if err != nil || len(got) != 1 || len(urls()) != 2 {
		t.Errorf("%v %v in %d requests", got, err, len(urls()))
	}
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items": [{"id": "1"}]}`)
	}))
	defer srv2.Close()
	got, err = keystone.Collect(list(t.Context(), client(t, srv2.URL), nil))
	if err != nil || len(got) != 1 {
		t.Errorf("without links: %v %v", got, err)
	}
}

// Breaking out of the loop stops the requests; a context cancelled between
// pages ends the list with its error.
func TestListBreakAndCancel(t *testing.T) {
	srv, urls := pages(t, `[{"id": "1"}, {"id": "2"}]`, `[{"id": "3"}]`)
	c := client(t, srv.URL)
	for range list(t.Context(), c, nil) {
		break
	}
	if n := len(urls()); n != 1 {
		t.Errorf("%d requests after a break", n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var last error
	n := 0
	for _, err := range list(ctx, c, nil) {
		if err != nil {
			last = err
			continue
		}
		n++
		if n == 2 {
			cancel()
		}
	}
	if n != 2 || !errors.Is(last, context.Canceled) || !errors.Is(last, keystone.ErrKeystone) {
		t.Errorf("%d items, error %v (want context.Canceled and keystone.ErrKeystone)", n, last)
	}
}

// Find: the resource with the ID; else the only one with the name (checked
// again: the server's filter is not trusted); else a NoUniqueMatchError.
func TestFind(t *testing.T) {
	all := []item{{ID: "id-1", Name: "solo"}, {ID: "id-2", Name: "twin"}, {ID: "id-3", Name: "twin"}, {ID: "id-4", Name: "Solo"}}
	var gets, lists atomic.Int64
	get := func(_ context.Context, id string) (*item, error) {
		gets.Add(1)
		if id == "broken" {
			return nil, &keystone.HTTPError{StatusCode: 500}
		}
		for _, it := range all {
			if it.ID == id {
				return &it, nil
			}
		}
		return nil, &keystone.HTTPError{StatusCode: 404}
	}
	// The list does not filter: Find must.
	seq := func(fail error) iter.Seq2[item, error] {
		return func(yield func(item, error) bool) {
			lists.Add(1)
			for _, it := range all {
				if !yield(it, nil) {
					return
				}
			}
			if fail != nil {
				yield(item{}, fail)
			}
		}
	}
	name := func(it *item) string { return it.Name }
	ctx := t.Context()

	if it, err := rest.Find(ctx, "item", "id-2", get, seq(nil), name); err != nil || it.Name != "twin" || lists.Load() != 0 {
		t.Errorf("by ID: %v %v (%d lists)", it, err, lists.Load())
	}
	if it, err := rest.Find(ctx, "item", "solo", get, seq(nil), name); err != nil || it.ID != "id-1" {
		t.Errorf("by name: %v %v", it, err)
	}
	var nu *keystone.NoUniqueMatchError
	_, err := rest.Find(ctx, "item", "twin", get, seq(nil), name)
	if !errors.As(err, &nu) || nu.Count != 2 || nu.Kind != "item" || nu.Name != "twin" || !errors.Is(err, keystone.ErrNoUniqueMatch) || errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("several: %v", err)
	}
	_, err = rest.Find(ctx, "item", "ghost", get, seq(nil), name)
	if !errors.As(err, &nu) || nu.Count != 0 || !errors.Is(err, keystone.ErrNoUniqueMatch) || !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("none: %v", err)
	}
	// An error of the get other than 404 is returned as is, without listing.
	lists.Store(0)
	if _, err := rest.Find(ctx, "item", "broken", get, seq(nil), name); !errors.Is(err, keystone.ErrHTTP) || errors.Is(err, keystone.ErrNotFound) || lists.Load() != 0 {
		t.Errorf("get fails: %v (%d lists)", err, lists.Load())
	}
	// An error of the list is returned.
	boom := errors.New("boom")
	if _, err := rest.Find(ctx, "item", "ghost", get, seq(boom), name); !errors.Is(err, boom) {
		t.Errorf("list fails: %v", err)
	}
	// An empty name fails before any call.
	gets.Store(0)
	lists.Store(0)
	if _, err := rest.Find(ctx, "item", "", get, seq(nil), name); !errors.Is(err, keystone.ErrInvalidArgument) || gets.Load() != 0 || lists.Load() != 0 {
		t.Errorf("empty: %v", err)
	}
}

// Find against a server: the get by ID is a 404, the list by name finds it.
func TestFindOverHTTP(t *testing.T) {
	var reqs []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/v3/items" {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error": {"code": 404, "title": "Not Found", "message": "no"}}`)
			return
		}
		fmt.Fprint(w, `{"items": [{"id": "id-1", "name": "a b/c"}], "links": {"self": "x", "next": null}}`)
	}))
	defer srv.Close()
	c := client(t, srv.URL)
	get := func(ctx context.Context, id string) (*item, error) {
		p, err := rest.Path("/v3/items/{id}", id)
		if err != nil {
			return nil, err
		}
		var out struct {
			V item `json:"item"`
		}
		if err := c.Decode(ctx, rest.Req{Method: http.MethodGet, Path: p}, &out, nil); err != nil {
			return nil, err
		}
		return &out.V, nil
	}
	it, err := rest.Find(t.Context(), "item", "a b/c", get, list(t.Context(), c, url.Values{"name": {"a b/c"}}), func(it *item) string { return it.Name })
	if err != nil || it.ID != "id-1" {
		t.Fatalf("%v %v", it, err)
	}
	if got := strings.Join(reqs, " | "); got != "GET /v3/items/a%20b%2Fc | GET /v3/items?name=a+b%2Fc" {
		t.Errorf("requests: %s", got)
	}
}

// Check: 2xx is true, 404 false with no error, anything else an error.
// Text returns the body; Decode refuses a body that is not an object.
func TestCheckTextDecode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v3/yes":
			w.WriteHeader(204)
		case "/v3/no":
			w.WriteHeader(404)
		case "/v3/forbidden":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(403)
			fmt.Fprint(w, `{"error": {"code": 403, "title": "Forbidden", "message": "no"}}`)
		case "/v3/text":
			fmt.Fprint(w, "<xml/>")
		case "/v3/array":
			fmt.Fprint(w, ` [1]`)
		case "/v3/object":
			fmt.Fprint(w, " \n{\"a\": 1, \"b\": {\"c\": true}}")
		}
	}))
	defer srv.Close()
	c := client(t, srv.URL)
	ctx := t.Context()
	if ok, err := c.Check(ctx, rest.Req{Method: http.MethodHead, Path: "/v3/yes"}); !ok || err != nil {
		t.Errorf("yes: %v %v", ok, err)
	}
	if ok, err := c.Check(ctx, rest.Req{Method: http.MethodHead, Path: "/v3/no"}); ok || err != nil {
		t.Errorf("no: %v %v", ok, err)
	}
	if ok, err := c.Check(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/forbidden"}); ok || !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("forbidden: %v %v", ok, err)
	}
	if s, err := c.Text(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/text"}); s != "<xml/>" || err != nil {
		t.Errorf("text: %q %v", s, err)
	}
	var v map[string]any
	var ir *keystone.InvalidResponseError
	if err := c.Decode(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/array"}, &v, nil); !errors.As(err, &ir) {
		t.Errorf("array: %v", err)
	}
	if err := c.Decode(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/text"}, &v, nil); !errors.As(err, &ir) {
		t.Errorf("text: %v", err)
	}
	var extras map[string]any
	var out struct {
		A int `json:"a"`
	}
	err := c.Decode(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/object"}, &out, func(data []byte) error {
		return rest.Extras([]byte(`{"x": `+string(data)+`}`), "x", false, rest.NewKeys("a"), func(_ int, m map[string]any) { extras = m })
	})
	if err != nil || out.A != 1 || fmt.Sprint(extras) != "map[b:map[c:true]]" {
		t.Errorf("object: %+v %v %v", out, extras, err)
	}
	// An extras error is an invalid response.
	if err := c.Decode(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/object"}, &out, func([]byte) error { return errors.New("bad") }); !errors.As(err, &ir) {
		t.Errorf("extras error: %v", err)
	}
}

// Marshal: v's members, then the extra members sorted, then the nulls sorted.
func TestMarshal(t *testing.T) {
	type body struct {
		Name        string  `json:"name"`
		Description *string `json:"description,omitempty"`
		ParentID    *string `json:"parent_id,omitempty"`
		Enabled     *bool   `json:"enabled,omitempty"`
	}
	known := rest.NewKeys("name", "description", "parent_id", "enabled")
	nullable := rest.NewKeys("description", "parent_id")
	desc := "d"
	cases := []struct {
		v     any
		extra map[string]any
		null  []string
		want  string
	}{
		{body{Name: "n"}, nil, nil, `{"name":"n"}`},
		{body{Name: "n", Description: &desc}, nil, nil, `{"name":"n","description":"d"}`},
		{body{Name: "n"}, map[string]any{"zeta": 1, "alpha": []any{"x", nil}, "m": map[string]any{"k": "v"}}, nil,
			`{"name":"n","alpha":["x",null],"m":{"k":"v"},"zeta":1}`},
		{body{Name: "n"}, nil, []string{"parent_id", "description"}, `{"name":"n","description":null,"parent_id":null}`},
		{body{Name: "n", Description: &desc}, map[string]any{"b": true, "a": "\"q\\"}, []string{"parent_id"},
			`{"name":"n","description":"d","a":"\"q\\","b":true,"parent_id":null}`},
		// Without any member of v (all omitted), no leading comma.
		{struct {
			D *string `json:"description,omitempty"`
		}{}, map[string]any{"x": 1}, []string{"description"}, `{"x":1,"description":null}`},
		// Extra keys that need escaping.
		{body{Name: "n"}, map[string]any{"a\"b": 1, "<k>": 2}, nil, `{"name":"n","\u003ck\u003e":2,"a\"b":1}`},
	}
	for _, c := range cases {
		got, err := rest.Marshal(c.v, known, c.extra, c.null, nullable)
		if err != nil || string(got) != c.want {
			t.Errorf("Marshal(%+v, %v, %v) = %s, %v; want %s", c.v, c.extra, c.null, got, err, c.want)
			continue
		}
		if !json.Valid(got) {
			t.Errorf("%s is not valid JSON", got)
		}
	}
	// Errors: a declared member in extra (any case), a member null cannot
	// clear, a member both set and null, an extra that does not encode.
	for _, c := range []struct {
		v     any
		extra map[string]any
		null  []string
		is    error
	}{
		{body{Name: "n"}, map[string]any{"name": "x"}, nil, keystone.ErrInvalidArgument},
		{body{Name: "n"}, map[string]any{"Parent_ID": "x"}, nil, keystone.ErrInvalidArgument},
		{body{Name: "n"}, nil, []string{"name"}, keystone.ErrInvalidArgument},
		{body{Name: "n"}, nil, []string{"enabled"}, keystone.ErrInvalidArgument},
		{body{Name: "n"}, nil, []string{"unknown"}, keystone.ErrInvalidArgument},
		{body{Name: "n", Description: &desc}, nil, []string{"description"}, keystone.ErrInvalidArgument},
		{body{Name: "n"}, map[string]any{"f": func() {}}, nil, nil},
	} {
		got, err := rest.Marshal(c.v, known, c.extra, c.null, nullable)
		if err == nil || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("Marshal(%+v, %v, %v) = %s, %v; want an error", c.v, c.extra, c.null, got, err)
		}
	}
	// The same body always encodes the same way (map order does not leak).
	extra := map[string]any{}
	for i := range 20 {
		extra[fmt.Sprintf("k%02d", i)] = i
	}
	first, _ := rest.Marshal(body{Name: "n"}, known, extra, []string{"parent_id", "description"}, nullable)
	for range 20 {
		if again, _ := rest.Marshal(body{Name: "n"}, known, extra, []string{"description", "parent_id"}, nullable); string(again) != string(first) {
			t.Fatalf("%s then %s", first, again)
		}
	}
}

func TestQuery(t *testing.T) {
	q := rest.Query{}
	s, empty, yes, no, n := "a b", "", true, false, 0
	q.String("s", &s)
	q.String("empty", &empty)
	q.String("nil", nil)
	q.Bool("yes", &yes)
	q.Bool("no", &no)
	q.Bool("nilb", nil)
	q.Flag("flag", true)
	q.Flag("noflag", false)
	q.Int("n", &n)
	q.Int("niln", nil)
	q.Strings("tags", []string{"x", "y"})
	q.Strings("notags", nil)
	if got := url.Values(q).Encode(); got != "empty=&flag=true&n=0&no=false&s=a+b&tags=x%2Cy&yes=true" {
		t.Errorf("query %s", got)
	}
}

func TestSmallHelpers(t *testing.T) {
	if rest.Deref[string](nil) != "" || rest.Deref(new("x")) != "x" {
		t.Error("Deref")
	}
	one := 1
	if got := rest.OneOrList(nil, &one); len(got) != 1 || got[0] != 1 {
		t.Errorf("OneOrList(nil, one) = %v", got)
	}
	if got := rest.OneOrList([]int{2, 3}, &one); len(got) != 2 {
		t.Errorf("OneOrList(list, one) = %v", got)
	}
	if got := rest.OneOrList[int](nil, nil); got != nil {
		t.Errorf("OneOrList(nil, nil) = %v", got)
	}
	var l *rest.Links
	if l.NextURL() != "" || (&rest.Links{}).NextURL() != "" || (&rest.Links{Next: new("n")}).NextURL() != "n" {
		t.Error("Links.NextURL")
	}
	var v2 rest.V2Links
	if err := json.Unmarshal([]byte(`[{"rel": "previous", "href": "p"}, {"rel": "next", "href": "n"}]`), &v2); err != nil || v2.NextURL() != "n" || (rest.V2Links{}).NextURL() != "" {
		t.Errorf("V2Links %v %v", v2, err)
	}
}

// Token reads the token ID from X-Subject-Token, or the subject asked
// about; without either it is an invalid response.
func TestToken(t *testing.T) {
	const body = `{"token": {"methods": ["password"], "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "D"}},
		"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00Z", "issued_at": "2029-01-01T00:00:00Z"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/header" {
			w.Header().Set("X-Subject-Token", "from-header")
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	c := client(t, srv.URL)
	ctx := t.Context()
	if ai, err := c.Token(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/header"}, ""); err != nil || ai.Token() != "from-header" || ai.User.ID != "u" {
		t.Errorf("header: %v %v", ai, err)
	}
	if ai, err := c.Token(ctx, rest.Req{Method: http.MethodGet, Path: "/v3/none"}, "subject"); err != nil || ai.Token() != "subject" {
		t.Errorf("subject: %v %v", ai, err)
	}
	var ir *keystone.InvalidResponseError
	if _, err := c.Token(ctx, rest.Req{Method: http.MethodPost, Path: "/v3/none"}, ""); !errors.As(err, &ir) {
		t.Errorf("neither: %v", err)
	}
}

// A links.next on another host is not followed: the token would go there.
func TestListNextOnAnotherHost(t *testing.T) {
	var other atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		io.WriteString(w, `{"items": [], "links": {"self": "x", "next": null}}`)
	}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"items": [{"id": "1"}], "links": {"self": "x", "next": %q}}`, elsewhere.URL+"/v3/items?page=1")
	}))
	defer srv.Close()
	var ids []string
	var last error
	for it, err := range list(t.Context(), client(t, srv.URL), nil) {
		if err != nil {
			last = err
			break
		}
		ids = append(ids, it.ID)
	}
	if len(ids) != 1 || !errors.Is(last, keystone.ErrInvalidResponse) || other.Load() != 0 {
		t.Errorf("items %v, error %v, requests elsewhere %d", ids, last, other.Load())
	}
}
