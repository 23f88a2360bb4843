package keystonetest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// limitsCall sends a JSON request with token and returns the status and the
// decoded body.
func limitsCall(t *testing.T, srv *keystonetest.Server, token, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode, out, resp.Header
}

func limitsWant(t *testing.T, srv *keystonetest.Server, token, method, path, body string, want int) map[string]any {
	t.Helper()
	got, out, _ := limitsCall(t, srv, token, method, path, body)
	if got != want {
		t.Fatalf("%s %s %s: got %d, want %d: %v", method, path, body, got, want, out)
	}
	return out
}

// limitsToken issues a token for the admin with scope, a JSON scope object.
func limitsToken(t *testing.T, srv *keystonetest.Server, scope string) string {
	t.Helper()
	body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "` + srv.AdminUserID +
		`", "password": "` + srv.AdminPassword + `"}}}, "scope": ` + scope + `}}`
	_, _, h := limitsCall(t, srv, "", "POST", "/v3/auth/tokens", body)
	tok := h.Get("X-Subject-Token")
	if tok == "" {
		t.Fatal("no token")
	}
	return tok
}

func limitsFirstID(t *testing.T, out map[string]any, key string) string {
	t.Helper()
	list, _ := out[key].([]any)
	if len(list) == 0 {
		t.Fatalf("no %s in %v", key, out)
	}
	return list[0].(map[string]any)["id"].(string)
}

func limitsListIDs(out map[string]any, key string) []string {
	var ids []string
	list, _ := out[key].([]any)
	for _, x := range list {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	return ids
}

func TestUnifiedLimitsFake(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
	sys := limitsToken(t, srv, `{"system": {"all": true}}`)
	svc := srv.AddService("volumev3", "cinder")

	// A batch is created all or none: a duplicate inside it is a 409.
	limitsWant(t, srv, adm, "POST", "/v3/registered_limits", `{"registered_limits": [
		{"service_id": "`+svc+`", "resource_name": "a", "default_limit": 1},
		{"service_id": "`+svc+`", "resource_name": "a", "default_limit": 2}]}`, 409)
	out := limitsWant(t, srv, adm, "GET", "/v3/registered_limits", "", 200)
	if ids := limitsListIDs(out, "registered_limits"); len(ids) != 0 {
		t.Fatalf("a refused batch created %v", ids)
	}
	out = limitsWant(t, srv, adm, "POST", "/v3/registered_limits",
		`{"registered_limits": [{"service_id": "`+svc+`", "resource_name": "a", "default_limit": 1}]}`, 201)
	rl := limitsFirstID(t, out, "registered_limits")
	// Restating its own key is a conflict with itself, as in Keystone 22.
	limitsWant(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, `{"registered_limit": {"resource_name": "a"}}`, 409)
	limitsWant(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, `{"registered_limit": {"default_limit": 3}}`, 200)
	for _, b := range []string{`{"registered_limit": {"default_limit": "1"}}`, `{"registered_limit": {"resource_name": ""}}`} {
		limitsWant(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, b, 400)
	}

	// Project and domain limits; a domain-scoped token sees the domain's and
	// its projects' limits.
	out = limitsWant(t, srv, adm, "POST", "/v3/domains", `{"domain": {"name": "ld"}}`, 201)
	dom := out["domain"].(map[string]any)["id"].(string)
	out = limitsWant(t, srv, adm, "POST", "/v3/projects", `{"project": {"name": "lp", "domain_id": "`+dom+`"}}`, 201)
	proj := out["project"].(map[string]any)["id"].(string)
	out = limitsWant(t, srv, adm, "POST", "/v3/limits", `{"limits": [
		{"service_id": "`+svc+`", "project_id": "`+proj+`", "resource_name": "a", "resource_limit": 5},
		{"service_id": "`+svc+`", "domain_id": "`+dom+`", "resource_name": "a", "resource_limit": 6}]}`, 201)
	both := limitsListIDs(out, "limits")
	limitsWant(t, srv, adm, "PATCH", "/v3/limits/"+both[0], `{"limit": {"resource_limit": -5}}`, 400)
	limitsWant(t, srv, adm, "PUT", "/v3/domains/"+dom+"/users/"+srv.AdminUserID+"/roles/"+limitsRoleID(t, srv, adm, "admin"), "", 204)
	domTok := limitsToken(t, srv, `{"domain": {"id": "`+dom+`"}}`)
	out = limitsWant(t, srv, domTok, "GET", "/v3/limits", "", 200)
	if ids := limitsListIDs(out, "limits"); len(ids) != 2 {
		t.Errorf("domain scope sees %v, want %v", ids, both)
	}
	out = limitsWant(t, srv, adm, "GET", "/v3/limits", "", 200)
	if ids := limitsListIDs(out, "limits"); len(ids) != 0 {
		t.Errorf("the admin project's scope sees %v", ids)
	}

	// Deleting the project deletes its limits; the registered limit is still
	// referenced by the domain's.
	limitsWant(t, srv, adm, "PATCH", "/v3/projects/"+proj, `{"project": {"enabled": false}}`, 200)
	limitsWant(t, srv, adm, "DELETE", "/v3/projects/"+proj, "", 204)
	limitsWant(t, srv, sys, "GET", "/v3/limits/"+both[0], "", 404)
	limitsWant(t, srv, adm, "DELETE", "/v3/registered_limits/"+rl, "", 403)
	limitsWant(t, srv, adm, "DELETE", "/v3/limits/"+both[1], "", 204)
	limitsWant(t, srv, adm, "DELETE", "/v3/registered_limits/"+rl, "", 204)
	// The invalid requests above were sent on purpose: only the fake's
	// responses must conform.
	for _, f := range srv.Failures() {
		if !strings.HasPrefix(f.Error(), "invalid request") {
			t.Errorf("validation failure: %v", f)
		}
	}
}

func limitsRoleID(t *testing.T, srv *keystonetest.Server, token, name string) string {
	t.Helper()
	out := limitsWant(t, srv, token, "GET", "/v3/roles?name="+name, "", 200)
	return limitsFirstID(t, out, "roles")
}

// limitsCreate creates a domain (parent "") or a project and returns its ID.
func limitsCreate(t *testing.T, srv *keystonetest.Server, token, name, domain, parent string) string {
	t.Helper()
	if domain == "" {
		out := limitsWant(t, srv, token, "POST", "/v3/domains", `{"domain": {"name": "`+name+`"}}`, 201)
		return out["domain"].(map[string]any)["id"].(string)
	}
	body := `{"project": {"name": "` + name + `", "domain_id": "` + domain + `"`
	if parent != "" {
		body += `, "parent_id": "` + parent + `"`
	}
	out := limitsWant(t, srv, token, "POST", "/v3/projects", body+`}}`, 201)
	return out["project"].(map[string]any)["id"].(string)
}

// limitsErr returns the message of an error body.
func limitsErr(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

func TestLimitModelOption(t *testing.T) {
	for _, c := range []struct{ opt, name, desc string }{
		{"", "flat", "Limit enforcement and validation does not take project hierarchy into consideration."},
		{"flat", "flat", "Limit enforcement and validation does not take project hierarchy into consideration."},
		{"strict_two_level", "strict_two_level", "This model requires project hierarchy never exceeds a depth of two"},
	} {
		var opts []keystonetest.Option
		if c.opt != "" {
			opts = append(opts, keystonetest.WithLimitModel(c.opt))
		}
		srv := keystonetest.NewServer(t, opts...)
		tok := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
		out := limitsWant(t, srv, tok, "GET", "/v3/limits/model", "", 200)
		m, _ := out["model"].(map[string]any)
		if m["name"] != c.name || m["description"] != c.desc {
			t.Errorf("WithLimitModel(%q): model %v", c.opt, m)
		}
	}
	// oslo.config refuses a value outside the option's choices: Keystone does
	// not start.
	if srv, err := keystonetest.Start(keystonetest.WithLimitModel("strict")); err == nil {
		srv.Close()
		t.Error("Start accepted the model \"strict\"")
	}
}

// TestProjectDepthByLimitModel mirrors keystone/resource/core.py's
// _assert_max_hierarchy_depth: a new project's depth counts its domain (a
// top-level project is at depth 2) and may not exceed
// `max_project_tree_depth` (5) + 1, nor the model's MAX_PROJECT_TREE_DEPTH + 1
// (strict_two_level: 2 + 1). Keystone's StrictTwoLevelLimitsResourceTestCase
// (test_create_hierarchical_project) accepts a project with a child and
// refuses a grandchild with a 403.
func TestProjectDepthByLimitModel(t *testing.T) {
	for _, c := range []struct {
		model  string
		levels int // the levels of projects a domain may have
	}{{"flat", 5}, {"strict_two_level", 2}} {
		srv := keystonetest.NewServer(t, keystonetest.WithLimitModel(c.model))
		tok := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
		dom := limitsCreate(t, srv, tok, "d", "", "")
		parent := ""
		for i := range c.levels {
			parent = limitsCreate(t, srv, tok, "p"+string(rune('a'+i)), dom, parent)
		}
		_, out, _ := limitsCall(t, srv, tok, "POST", "/v3/projects",
			`{"project": {"name": "deep", "domain_id": "`+dom+`", "parent_id": "`+parent+`"}}`)
		if want := "Max hierarchy depth reached for " + parent + " branch."; limitsErr(out) != want {
			t.Errorf("%s: a project at level %d: %v, want 403 %q", c.model, c.levels+1, out, want)
		}
	}
}

// TestStrictTwoLevelLimits mirrors keystone/limit/models/strict_two_level.py
// (StrictTwoLevelModel.check_limit) as Keystone's StrictTwoLevelLimitsTestCase
// (keystone/tests/unit/test_limits.py) exercises it, on the same trees:
//
//	  A        D
//	 / \      / \
//	B   C    E   F
//
// Each case has a resource of its own, registered with a default of 10.
func TestStrictTwoLevelLimits(t *testing.T) {
	srv := keystonetest.NewServer(t, keystonetest.WithLimitModel("strict_two_level"))
	adm := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
	svc := srv.AddService("volumev3", "cinder")
	a := limitsCreate(t, srv, adm, "A", "", "")
	b, c := limitsCreate(t, srv, adm, "B", a, ""), limitsCreate(t, srv, adm, "C", a, "")
	d := limitsCreate(t, srv, adm, "D", "", "")
	e, f := limitsCreate(t, srv, adm, "E", d, ""), limitsCreate(t, srv, adm, "F", d, "")
	bb := limitsCreate(t, srv, adm, "BB", a, b) // a child of B: the API allows it
	resource := ""
	register := func(name string) {
		t.Helper()
		resource = name
		limitsWant(t, srv, adm, "POST", "/v3/registered_limits", `{"registered_limits": [{"service_id": "`+svc+
			`", "region_id": "`+srv.Region+`", "resource_name": "`+name+`", "default_limit": 10}]}`, 201)
	}
	lim := func(level, id string, v int) string {
		return fmt.Sprintf(`{"service_id": %q, "region_id": %q, "resource_name": %q, %q: %q, "resource_limit": %d}`,
			svc, srv.Region, resource, level, id, v)
	}
	create := func(want int, limits ...string) []string {
		t.Helper()
		out := limitsWant(t, srv, adm, "POST", "/v3/limits", `{"limits": [`+strings.Join(limits, ", ")+`]}`, want)
		return limitsListIDs(out, "limits")
	}
	update := func(id string, v, want int) {
		t.Helper()
		limitsWant(t, srv, adm, "PATCH", "/v3/limits/"+id, fmt.Sprintf(`{"limit": {"resource_limit": %d}}`, v), want)
	}
	count := func() int {
		t.Helper()
		out := limitsWant(t, srv, adm, "GET", "/v3/limits?resource_name="+resource, "", 200)
		return len(limitsListIDs(out, "limits"))
	}
	sys := limitsToken(t, srv, `{"system": {"all": true}}`)
	adm = sys // system scope sees every limit

	// test_create_child_limit: A is 20; B 15 and C 18 are not above it.
	register("child")
	create(201, lim("domain_id", a, 20))
	create(201, lim("project_id", b, 15))
	create(201, lim("project_id", c, 18))

	// test_create_child_limit_break_hierarchical_tree: C 21 is above A's 20.
	// Whatever the rule broken, Keystone answers this InvalidLimit (403).
	register("child_break")
	create(201, lim("domain_id", a, 20))
	create(201, lim("project_id", b, 15))
	_, out, _ := limitsCall(t, srv, adm, "POST", "/v3/limits", `{"limits": [`+lim("project_id", c, 21)+`]}`)
	want := fmt.Sprintf("Invalid resource limit: The resource limit (project_id: %s, resource_name: child_break, resource_limit: 21, service_id: %s, region_id: %s) doesn't satisfy current hierarchy model..", c, svc, srv.Region)
	if limitsErr(out) != want {
		t.Errorf("C above A: %v, want 403 %q", out, want)
	}

	// test_create_child_with_default_parent: without a limit, D's value is
	// the registered default (_get_specified_limit_value): E 5 is allowed,
	// F 11 is not.
	register("default_parent")
	create(201, lim("project_id", e, 5))
	create(403, lim("project_id", f, 11))

	// test_create_parent_limit and ..._break_hierarchical_tree: with B at 9,
	// A may be 12 but not 8 (_check_limit on a domain: its subtree's limits).
	register("parent")
	create(201, lim("project_id", b, 9))
	create(403, lim("domain_id", a, 8))
	create(201, lim("domain_id", a, 12))

	// test_create_multi_limits: a batch whose domain limits are the parents
	// of its project limits is checked against them, not the stored ones.
	register("multi")
	create(201, lim("domain_id", a, 12), lim("project_id", b, 9), lim("project_id", c, 5),
		lim("domain_id", d, 9), lim("project_id", e, 5), lim("project_id", f, 4))
	// test_create_multi_limits_invalid_input: F 10 above D 9 in the batch;
	// nothing is created.
	register("multi_invalid")
	create(403, lim("domain_id", a, 12), lim("project_id", b, 9), lim("project_id", c, 5),
		lim("domain_id", d, 9), lim("project_id", e, 5), lim("project_id", f, 10))
	if n := count(); n != 0 {
		t.Errorf("a refused batch created %d limits", n)
	}
	// A project limit whose parent is in the batch is not compared with the
	// registered default: F 15 under D 20 in one batch is allowed, though
	// above 10.
	create(201, lim("domain_id", d, 20), lim("project_id", f, 15))

	// test_create_multi_limits_break_hierarchical_tree: D 4 is below the
	// stored E 5.
	register("multi_break")
	create(201, lim("domain_id", a, 12), lim("project_id", b, 9), lim("project_id", e, 5))
	create(403, lim("project_id", c, 5), lim("domain_id", d, 4))

	// test_update_child_limit and ..._break_hierarchical_tree: with A at 10,
	// C may go from 7 to 9, not to 11.
	register("update_child")
	create(201, lim("domain_id", a, 10), lim("project_id", b, 6))
	ids := create(201, lim("project_id", c, 7))
	update(ids[0], 9, 200)
	update(ids[0], 11, 403)

	// test_update_child_limit_with_default_parent: without A's limit, the
	// registered default 10.
	register("update_default")
	ids = create(201, lim("project_id", c, 7))
	update(ids[0], 9, 200)
	update(ids[0], 11, 403)

	// test_update_parent_limit and ..._break_hierarchical_tree: with B at 6
	// and C at 7, A may go from 10 to 8, not to 6. A resource_limit of 0 is
	// checked as given (limit_ref.update in limit/core.py), though the driver
	// would ignore it: below C's 7, it is refused.
	register("update_parent")
	ids = create(201, lim("domain_id", a, 10))
	create(201, lim("project_id", b, 6), lim("project_id", c, 7))
	update(ids[0], 8, 200)
	update(ids[0], 6, 403)
	update(ids[0], 0, 403)

	// A project ID that is a domain's makes a domain limit (limit/core.py's
	// _assert_resource_exist), checked as one: below B's 9, refused.
	register("domain_as_project")
	create(201, lim("project_id", b, 9))
	create(403, lim("project_id", a, 8))
	create(201, lim("project_id", a, 9))

	// Python's truth values: a parent of 0 is never compared (any child is
	// allowed), an unlimited (-1) parent is (no child but -1 is allowed), and
	// an unlimited child never exceeds its parent.
	register("truthiness")
	create(201, lim("domain_id", a, 0), lim("domain_id", d, -1))
	create(201, lim("project_id", b, 100))
	create(403, lim("project_id", e, 0))
	create(201, lim("project_id", f, -1))

	// A child project (BB, under B) is looked up as a domain: Keystone never
	// finds a limit there and compares with the registered default, whatever
	// B's limit. A's limit is compared with BB's (its whole subtree).
	register("grandchild")
	create(201, lim("project_id", b, 5))
	create(403, lim("project_id", bb, 11))
	create(201, lim("project_id", bb, 10))
	create(403, lim("domain_id", a, 9))

	// Registered limits: update_registered_limit calls no model. A
	// referenced one cannot change (RegisteredLimitError, 403); an
	// unreferenced one can, and its new default is then the parent value.
	register("registered")
	out = limitsWant(t, srv, adm, "GET", "/v3/registered_limits?resource_name=registered", "", 200)
	rl := limitsFirstID(t, out, "registered_limits")
	ids = create(201, lim("project_id", e, 8))
	_, out, _ = limitsCall(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, `{"registered_limit": {"default_limit": 5}}`)
	if want := "Unable to update or delete registered limit " + rl + " because there are project limits associated with it."; limitsErr(out) != want {
		t.Errorf("updating a referenced registered limit: %v, want 403 %q", out, want)
	}
	limitsWant(t, srv, adm, "DELETE", "/v3/limits/"+ids[0], "", 204)
	limitsWant(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, `{"registered_limit": {"default_limit": 5}}`, 200)
	create(403, lim("project_id", e, 8))
	create(201, lim("project_id", e, 5))

	for _, f := range srv.Failures() {
		t.Errorf("validation failure: %v", f)
	}
}

// TestFlatLimitsIgnoreHierarchy: the flat model (flat.py) checks nothing.
func TestFlatLimitsIgnoreHierarchy(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
	svc := srv.AddService("volumev3", "cinder")
	a := limitsCreate(t, srv, adm, "A", "", "")
	b := limitsCreate(t, srv, adm, "B", a, "")
	limitsWant(t, srv, adm, "POST", "/v3/registered_limits", `{"registered_limits": [{"service_id": "`+svc+
		`", "resource_name": "r", "default_limit": 10}]}`, 201)
	out := limitsWant(t, srv, adm, "POST", "/v3/limits", `{"limits": [
		{"service_id": "`+svc+`", "domain_id": "`+a+`", "resource_name": "r", "resource_limit": 5},
		{"service_id": "`+svc+`", "project_id": "`+b+`", "resource_name": "r", "resource_limit": 50}]}`, 201)
	ids := limitsListIDs(out, "limits")
	limitsWant(t, srv, adm, "PATCH", "/v3/limits/"+ids[0], `{"limit": {"resource_limit": 1}}`, 200)
}
