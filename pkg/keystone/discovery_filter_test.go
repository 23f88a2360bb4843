package keystone_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// statusesDoc has a version of each status Keystone and the other services
// give, newest first: experimental, a status nobody knows,
// stable (Keystone's), none at all, CURRENT and SUPPORTED (Nova's), DEPRECATED.
const statusesDoc = `{"versions": [
 {"id": "v3.16", "status": "EXPERIMENTAL", "links": [{"rel": "self", "href": "http://svc/v3.16/"}]},
 {"id": "v3.15", "status": "rolling", "links": [{"rel": "self", "href": "http://svc/v3.15/"}]},
 {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "http://svc/v3/"}]},
 {"id": "v3.13", "links": [{"rel": "self", "href": "http://svc/v3.13/"}]},
 {"id": "v2.1", "status": "CURRENT", "links": [{"rel": "self", "href": "http://svc/v2.1/"}]},
 {"id": "v2.0", "status": "SUPPORTED", "links": [{"rel": "self", "href": "http://svc/v2.0/"}]},
 {"id": "v1.0", "status": "DEPRECATED", "links": [{"rel": "self", "href": "http://svc/v1/"}]},
 {"id": "latest", "status": "current", "links": [{"rel": "self", "href": "http://svc/latest/"}]}]}`

func TestDiscoveryStatusNormalised(t *testing.T) {
	d, err := keystone.ParseDiscovery("http://svc/", []byte(statusesDoc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range d.Versions {
		got = append(got, v.ID+"="+v.Status+"/"+v.RawStatus)
	}
	want := "[v3.16=experimental/EXPERIMENTAL v3.15=rolling/rolling v3.14=current/stable v3.13=/ v2.1=current/CURRENT v2.0=supported/SUPPORTED v1.0=deprecated/DEPRECATED]"
	if fmt.Sprint(got) != want {
		t.Errorf("statuses:\n got %v\nwant %s", got, want)
	}
}

func TestDiscoveryVersionFilter(t *testing.T) {
	d, err := keystone.ParseDiscovery("http://svc/", []byte(statusesDoc))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(raws []json.RawMessage) string {
		var out []string
		for _, r := range raws {
			var v struct{ ID, Status string }
			if err := json.Unmarshal(r, &v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v.ID)
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		f    keystone.VersionFilter
		want string // the raw versions, in the document's order
	}{
		{keystone.VersionFilter{}, "v3.14 v2.1 v2.0 latest"},
		{keystone.DefaultVersionFilter(), "v3.14 v2.1 v2.0 v1.0 latest"},
		{keystone.VersionFilter{AllowExperimental: true}, "v3.16 v3.14 v2.1 v2.0 latest"},
		{keystone.VersionFilter{AllowUnknown: true}, "v3.15 v3.14 v3.13 v2.1 v2.0 latest"},
		{keystone.VersionFilter{AllowExperimental: true, AllowDeprecated: true, AllowUnknown: true}, "v3.16 v3.15 v3.14 v3.13 v2.1 v2.0 v1.0 latest"},
	} {
		if got := ids(d.RawVersions(tc.f)); got != tc.want {
			t.Errorf("RawVersions(%+v) = %s, want %s", tc.f, got, tc.want)
		}
		// Filter: the same, parsed, newest first, without "latest" (no version).
		var parsed []string
		for _, v := range d.Filter(tc.f) {
			parsed = append(parsed, v.ID)
		}
		wantParsed := strings.TrimSpace(strings.TrimSuffix(tc.want, "latest"))
		if strings.Join(parsed, " ") != wantParsed {
			t.Errorf("Filter(%+v) = %v, want %s", tc.f, parsed, wantParsed)
		}
	}
	// The raw objects are as sent: Keystone's "stable" is kept there.
	if raw := d.RawVersions(keystone.VersionFilter{}); !strings.Contains(string(raw[0]), `"status": "stable"`) {
		t.Errorf("raw v3.14: %s", raw[0])
	}

	match := func(lo, hi string, f keystone.VersionFilter) string {
		v, err := d.MatchFiltered(lo, hi, f)
		if err != nil {
			if !errors.Is(err, keystone.ErrVersionNotAvailable) {
				t.Errorf("MatchFiltered(%q, %q, %+v): %v", lo, hi, f, err)
			}
			return "none"
		}
		return v.ID
	}
	def := keystone.DefaultVersionFilter()
	for _, tc := range []struct {
		lo, hi string
		f      keystone.VersionFilter
		want   string
	}{
		{"3", "", def, "v3.14"},
		{"3", "", keystone.VersionFilter{AllowExperimental: true}, "v3.16"},
		{"3", "", keystone.VersionFilter{AllowUnknown: true}, "v3.15"},
		{"3.16", "3.16", def, "none"}, // Match would take an experimental version asked for exactly
		{"", "", def, "v3.14"},
		{"latest", "", def, "v3.14"},
		{"latest", "", keystone.VersionFilter{AllowExperimental: true}, "v3.16"},
		{"1", "1", def, "v1.0"},                      // deprecated: used when nothing else is in range
		{"1", "1", keystone.VersionFilter{}, "none"}, // not allowed at all
		{"1", "2", def, "v2.1"},
		{"4", "", def, "none"},
	} {
		if got := match(tc.lo, tc.hi, tc.f); got != tc.want {
			t.Errorf("MatchFiltered(%q, %q, %+v) = %s, want %s", tc.lo, tc.hi, tc.f, got, tc.want)
		}
	}
	// Match keeps its rules: an experimental version asked for exactly.
	if v, err := d.Match("3.16", "3.16"); err != nil || v.ID != "v3.16" {
		t.Errorf("Match(3.16): %v %v", v.ID, err)
	}
	if !keystone.DefaultVersionFilter().Allows("STABLE") || keystone.DefaultVersionFilter().Allows("experimental") || !(keystone.VersionFilter{AllowUnknown: true}).Allows("") {
		t.Error("Allows")
	}
}

// Keystone answers GET / with 300 Multiple Choices and its versions: the
// in-memory Keystone does so too, and discovery reads it as a document.
func TestDiscoverMultipleChoices(t *testing.T) {
	ks := keystonetest.NewServer(t)
	resp, err := http.Get(ks.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMultipleChoices {
		t.Fatalf("the fake answers %d at its root, want 300", resp.StatusCode)
	}
	d, err := newSession(t).Discover(t.Context(), ks.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Versions) != 2 || d.Versions[0].ID != "v3.14" || d.Versions[0].Status != keystone.StatusCurrent || d.Versions[0].RawStatus != "stable" ||
		d.Versions[1].ID != "v2.0" || d.Versions[1].Status != keystone.StatusDeprecated {
		t.Fatalf("versions: %+v", d.Versions)
	}
	raw := d.RawVersions(keystone.DefaultVersionFilter())
	if len(raw) != 2 || !strings.Contains(string(raw[0]), `"v3.14"`) || !strings.Contains(string(raw[1]), `"v2.0"`) {
		t.Errorf("raw: %s", raw)
	}
	if raw := d.RawVersions(keystone.VersionFilter{}); len(raw) != 1 {
		t.Errorf("without deprecated: %s", raw)
	}
	if v, err := d.MatchFiltered("2.0", "2.0", keystone.DefaultVersionFilter()); err != nil || v.URL != ks.URL+"/v2.0/" {
		t.Errorf("v2.0: %+v %v", v, err)
	}
}

// tokenRequired makes the fake's root answer 401 to a request without a
// token, as a service whose discovery document needs one, and records
// whether each request had one.
func tokenRequired(ks *keystonetest.Server) func() []bool {
	var mu sync.Mutex
	var seen []bool
	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/" {
			return false
		}
		has := r.Header.Get("X-Auth-Token") != ""
		mu.Lock()
		seen = append(seen, has)
		mu.Unlock()
		if has {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`))
		return true
	})
	return func() []bool {
		mu.Lock()
		defer mu.Unlock()
		return append([]bool(nil), seen...)
	}
}

func TestDiscoverAuthenticated(t *testing.T) {
	ks := keystonetest.NewServer(t)
	seen := tokenRequired(ks)

	// Without an auth plugin: the 401 is the error.
	_, err := newSession(t).Discover(t.Context(), ks.URL)
	if !errors.Is(err, keystone.ErrDiscoveryFailure) || !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("no plugin: %v", err)
	}
	if fmt.Sprint(seen()) != "[false]" {
		t.Errorf("requests (token sent?): %v", seen())
	}
	if _, err := newSession(t).DiscoverWith(t.Context(), ks.URL, keystone.DiscoverOptions{Authenticated: true}); !errors.Is(err, keystone.ErrMissingAuthPlugin) || !errors.Is(err, keystone.ErrDiscoveryFailure) {
		t.Errorf("authenticated without a plugin: %v", err)
	}

	// With one: asked again with the token after the 401, as keystoneauth1 does.
	auth := passwordAuth(t, ks)
	s := newSession(t, keystone.WithAuth(auth))
	d, err := s.Discover(t.Context(), ks.URL)
	if err != nil || d.Versions[0].ID != "v3.14" {
		t.Fatalf("with a plugin: %+v %v", d, err)
	}
	if fmt.Sprint(seen()) != "[false false true]" {
		t.Errorf("requests (token sent?): %v", seen())
	}

	// Authenticated: the token goes with the first request.
	s2 := newSession(t)
	d, err = s2.DiscoverWith(t.Context(), ks.URL, keystone.DiscoverOptions{Authenticated: true, Auth: auth})
	if err != nil || len(d.Versions) != 2 {
		t.Fatalf("authenticated: %+v %v", d, err)
	}
	if fmt.Sprint(seen()) != "[false false true true]" {
		t.Errorf("requests (token sent?): %v", seen())
	}
	// And the document is cached for the session, whoever read it.
	if _, err := s2.Discover(t.Context(), ks.URL); err != nil || len(seen()) != 4 {
		t.Errorf("cached: %v, %d requests", err, len(seen()))
	}
}
