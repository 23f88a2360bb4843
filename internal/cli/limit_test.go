package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImpliedRoleLifecycle creates, lists and deletes a role inference rule
// on the in-memory Keystone, which serves them.
func TestImpliedRoleLifecycle(t *testing.T) {
	e := newEnv(t)
	prior := e.object("role", "create", "prior")
	implied := e.object("role", "create", "implied")

	// The seeded rules: admin implies member, which implies reader.
	l := e.list("implied", "role", "list")
	if r := find(l, "Prior Role Name", "admin"); r == nil || r["Implied Role Name"] != "member" {
		t.Errorf("implied role list: %v", l)
	} else {
		sameKeys(t, "implied role list", r, "Prior Role ID", "Prior Role Name", "Implied Role ID", "Implied Role Name")
	}

	r := e.object("implied", "role", "create", "prior", "--implied-role", implied["id"].(string))
	sameKeys(t, "implied role create", r, "implies", "prior_role")
	if r["prior_role"] != prior["id"] || r["implies"] != implied["id"] {
		t.Errorf("implied role create: %v", r)
	}
	row := find(e.list("implied", "role", "list"), "Prior Role ID", prior["id"])
	if row == nil || row["Prior Role Name"] != "prior" || row["Implied Role ID"] != implied["id"] || row["Implied Role Name"] != "implied" {
		t.Errorf("implied role list after create: %v", row)
	}
	// Twice is a conflict: one line, exit 1.
	e.fails(1, "implied", "role", "create", "prior", "--implied-role", "implied")

	if out := e.ok("implied", "role", "delete", "prior", "--implied-role", "implied"); out != "" {
		t.Errorf("implied role delete printed %q", out)
	}
	if row := find(e.list("implied", "role", "list"), "Prior Role ID", prior["id"]); row != nil {
		t.Errorf("implied role list after delete: %v", row)
	}
	e.fails(1, "implied", "role", "delete", "prior", "--implied-role", "implied")
	msg := e.fails(1, "implied", "role", "create", "nosuchrole", "--implied-role", "implied")
	if !strings.Contains(msg, "no role with a name or ID of 'nosuchrole' exists") {
		t.Errorf("implied role create of an unknown role: %q", msg)
	}

	// Table and value formats.
	if out := e.ok("implied", "role", "list", "-f", "value", "-c", "Prior Role Name", "-c", "Implied Role Name"); !strings.Contains(out, "admin member\n") {
		t.Errorf("implied role list -f value: %q", out)
	}
	if out := e.ok("implied", "role", "list"); !strings.Contains(out, "| Prior Role ID ") {
		t.Errorf("implied role list table: %q", out)
	}
}

// TestLimitUsageErrors checks that the mistakes on the command line of the
// commands of limit.go exit 2 before any request.
func TestLimitUsageErrors(t *testing.T) {
	e := newEnv(t)
	cases := [][]string{
		{"limit", "create", "cores"},
		{"limit", "create", "--project", "admin", "--service", "identity", "cores"},
		{"limit", "create", "--project", "admin", "--service", "identity", "--resource-limit", "ten", "cores"},
		{"limit", "create", "--project", "admin", "--service", "identity", "--resource-limit", "1"},
		{"limit", "show"},
		{"limit", "show", "a", "b"},
		{"limit", "set", "--resource-limit", "x", "a"},
		{"limit", "delete"},
		{"limit", "list", "-f", "shell"},
		{"limit", "list", "extra"},
		{"limit", "bogus"},
		{"registered", "limit", "create", "--service", "identity", "cores"},
		{"registered", "limit", "create", "--default-limit", "1", "cores"},
		{"registered", "limit", "show"},
		{"registered", "limit", "set"},
		{"registered", "limit", "set", "a", "--default-limit", "1.5"},
		{"registered", "limit", "delete"},
		{"registered", "bogus"},
		{"implied", "role", "create", "admin"},
		{"implied", "role", "create", "--implied-role", "member"},
		{"implied", "role", "delete", "admin"},
		{"implied", "role", "list", "--long"},
		{"policy", "create"},
		{"policy", "show"},
		{"policy", "set"},
		{"policy", "delete"},
		{"policy", "list", "--bogus"},
		{"endpoint", "group", "create", "name"},
		{"endpoint", "group", "show"},
		{"endpoint", "group", "set"},
		{"endpoint", "group", "delete"},
		{"endpoint", "group", "add", "project", "eg"},
		{"endpoint", "group", "remove", "project", "eg"},
		{"endpoint", "group", "list", "--endpointgroup", "eg", "--project", "admin"},
		{"endpoint", "group", "list", "--endpoint", "eg", "--project", "admin"},
		{"endpoint", "group", "list", "-f", "shell"},
	}
	for _, args := range cases {
		e.fails(2, args...)
	}
}

// TestLimitFiles checks the reading of the files of policy create and
// endpoint group create, which fails before any request on the in-memory
// Keystone (which serves neither policies nor endpoint groups).
func TestLimitFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	msg := e.fails(1, "policy", "create", filepath.Join(dir, "missing.json"))
	if !strings.Contains(msg, "error occurred trying to read from file") {
		t.Errorf("policy create of a missing file: %q", msg)
	}
	bad := filepath.Join(dir, "bad.json")
	for _, content := range []string{`{"interface": `, `{"color": "blue"}`, `["public"]`, `{} {}`} {
		if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		msg := e.fails(1, "endpoint", "group", "create", "eg", bad)
		if !strings.Contains(msg, "an error occurred when reading filters from file "+bad) {
			t.Errorf("endpoint group create of %s: %q", content, msg)
		}
	}
	msg = e.fails(1, "endpoint", "group", "set", "eg", "--filters", filepath.Join(dir, "missing.json"))
	if !strings.Contains(msg, "error occurred trying to read from file") {
		t.Errorf("endpoint group set of a missing file: %q", msg)
	}
}

// TestLimitsAndEndpointGroupsOnTheFake runs the unified limits and
// endpoint group commands against the in-memory Keystone, which serves
// them (their parity with openstack is tested on the real Keystone).
func TestLimitsAndEndpointGroupsOnTheFake(t *testing.T) {
	e := newEnv(t)
	rl := e.object("registered", "limit", "create", "--service", "keystone", "--default-limit", "10", "widgets")
	if rl["resource_name"] != "widgets" || rl["default_limit"] != float64(10) {
		t.Errorf("registered limit create: %v", rl)
	}
	if l := e.list("registered", "limit", "list"); find(l, "ID", rl["id"]) == nil {
		t.Errorf("registered limit list: %v", l)
	}
	lim := e.object("limit", "create", "--project", e.ks.AdminProject, "--service", "keystone", "--resource-limit", "5", "widgets")
	if lim["resource_limit"] != float64(5) || lim["project_id"] != e.ks.AdminProjectID {
		t.Errorf("limit create: %v", lim)
	}
	e.ok("limit", "set", lim["id"].(string), "--resource-limit", "7")
	if s := e.object("limit", "show", lim["id"].(string)); s["resource_limit"] != float64(7) {
		t.Errorf("limit show after set: %v", s)
	}
	e.fails(1, "registered", "limit", "delete", rl["id"].(string)) // a limit refers to it
	e.ok("limit", "delete", lim["id"].(string))
	e.ok("registered", "limit", "delete", rl["id"].(string))
	e.fails(1, "limit", "show", lim["id"].(string))

	filters := filepath.Join(t.TempDir(), "filters.json")
	if err := os.WriteFile(filters, []byte(`{"interface": "public"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	g := e.object("endpoint", "group", "create", "public-eps", filters)
	if g["name"] != "public-eps" {
		t.Errorf("endpoint group create: %v", g)
	}
	e.ok("endpoint", "group", "add", "project", "public-eps", e.ks.AdminProject)
	if l := e.list("endpoint", "group", "list", "--project", e.ks.AdminProject); find(l, "ID", g["id"]) == nil {
		t.Errorf("endpoint group list --project: %v", l)
	}
	e.ok("endpoint", "group", "remove", "project", "public-eps", e.ks.AdminProject)
	e.ok("endpoint", "group", "delete", "public-eps")
	e.fails(1, "endpoint", "group", "show", "public-eps")
}

// TestPolicyLifecycle creates, shows, lists, sets and deletes a policy on
// the in-memory Keystone.
func TestPolicyLifecycle(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(rules, []byte("\n  {\"a\": \"rule:b\"}\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := e.object("policy", "create", rules)
	sameKeys(t, "policy create", p, "id", "rules", "type")
	// The blob is the file's contents without the surrounding white space.
	if p["rules"] != `{"a": "rule:b"}` || p["type"] != "application/json" {
		t.Errorf("policy create: %v", p)
	}
	id := p["id"].(string)
	p2 := e.object("policy", "create", "--type", "text/plain", rules)
	if p2["type"] != "text/plain" {
		t.Errorf("policy create --type: %v", p2)
	}

	if s := e.object("policy", "show", id); s["id"] != id || s["rules"] != p["rules"] || s["type"] != "application/json" {
		t.Errorf("policy show: %v", s)
	}
	l := e.list("policy", "list")
	if r := find(l, "ID", id); r == nil || r["Type"] != "application/json" {
		t.Errorf("policy list: %v", l)
	} else {
		sameKeys(t, "policy list", r, "ID", "Type")
	}
	long := find(e.list("policy", "list", "--long"), "ID", id)
	sameKeys(t, "policy list --long", long, "ID", "Type", "Rules")
	if long["Rules"] != `{"a": "rule:b"}` {
		t.Errorf("policy list --long: %v", long)
	}

	other := filepath.Join(dir, "other.json")
	if err := os.WriteFile(other, []byte(`{"c": "d"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := e.ok("policy", "set", id, "--type", "application/yaml", "--rules", other); out != "" {
		t.Errorf("policy set printed %q", out)
	}
	if s := e.object("policy", "show", id); s["type"] != "application/yaml" || s["rules"] != `{"c": "d"}` {
		t.Errorf("policy show after set: %v", s)
	}
	e.fails(1, "policy", "set", "nosuchpolicy", "--type", "x")

	e.ok("policy", "delete", id, p2["id"].(string))
	msg := e.fails(1, "policy", "show", id)
	if !strings.Contains(msg, "no policy with a name or ID of '"+id+"' exists") {
		t.Errorf("policy show after delete: %q", msg)
	}
	msg = e.fails(1, "policy", "delete", id, "nosuch")
	if !strings.Contains(msg, "2 of 2 policys failed to delete") {
		t.Errorf("policy delete of unknown policies: %q", msg)
	}
}
