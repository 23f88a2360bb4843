package cli_test

import (
	"slices"
	"strings"
	"testing"
)

// withEnv returns a copy of e whose environment has the given KEY=value
// variables instead of those of the same names.
func (e *env) withVars(vars ...string) *env {
	environ := slices.Clone(e.environ)
	for _, kv := range vars {
		name, _, _ := strings.Cut(kv, "=")
		environ = slices.DeleteFunc(environ, func(s string) bool { return strings.HasPrefix(s, name+"=") })
		environ = append(environ, kv)
	}
	return &env{t: e.t, ks: e.ks, environ: environ}
}

// setOK runs a set command: it must succeed and print nothing.
func (e *env) setOK(args ...string) {
	e.t.Helper()
	if out := e.ok(args...); out != "" {
		e.t.Errorf("keystone %v printed %q, want nothing", args, out)
	}
}

func setWant(t *testing.T, what string, m map[string]any, field string, v any) {
	t.Helper()
	got := m[field]
	if gs, ok := got.([]any); ok {
		ws, _ := v.([]string)
		var g []string
		for _, x := range gs {
			s, _ := x.(string)
			g = append(g, s)
		}
		if !slices.Equal(g, ws) || (len(ws) == 0 && len(gs) != 0) {
			t.Errorf("%s: %s = %v, want %v", what, field, got, v)
		}
		return
	}
	if got != v {
		t.Errorf("%s: %s = %#v, want %#v", what, field, got, v)
	}
}

func TestProjectSet(t *testing.T) {
	e := newEnv(t)
	id := e.object("project", "create", "p1", "--description", "before", "--tag", "x")["id"].(string)
	e.setOK("project", "set", "p1", "--name", "p2", "--description", "after", "--disable",
		"--property", "color=blue", "--tag", "a", "--tag", "b")
	p := e.object("project", "show", id)
	setWant(t, "project show", p, "name", "p2")
	setWant(t, "project show", p, "description", "after")
	setWant(t, "project show", p, "enabled", false)
	setWant(t, "project show", p, "color", "blue")
	setWant(t, "project show", p, "tags", []string{"a", "b", "x"})

	e.setOK("project", "set", id, "--enable", "--remove-tag", "a", "--tag", "ignored")
	p = e.object("project", "show", id)
	setWant(t, "project show", p, "enabled", true)
	setWant(t, "project show", p, "tags", []string{"b", "x"})

	e.setOK("project", "set", id, "--clear-tags", "--tag", "only")
	setWant(t, "project show", e.object("project", "show", id), "tags", []string{"only"})
	e.setOK("project", "set", id, "--clear-tags")
	setWant(t, "project show", e.object("project", "show", id), "tags", []string{})

	// An empty value changes nothing, as in openstack.
	e.setOK("project", "set", id, "--description", "")
	setWant(t, "project show", e.object("project", "show", id), "description", "after")

	e.fails(2, "project", "set", id, "--property", "novalue")
	e.fails(2, "project", "set")
	e.fails(1, "project", "set", "nosuchproject", "--name", "x")
}

func TestUserSet(t *testing.T) {
	e := newEnv(t)
	e.ok("project", "create", "home")
	id := e.object("user", "create", "u1", "--password", "pw-one-1")["id"].(string)
	e.setOK("user", "set", "u1", "--name", "u2", "--email", "u2@example.org", "--description", "d",
		"--project", "home", "--disable", "--ignore-password-expiry")
	u := e.object("user", "show", id)
	setWant(t, "user show", u, "name", "u2")
	setWant(t, "user show", u, "email", "u2@example.org")
	setWant(t, "user show", u, "description", "d")
	setWant(t, "user show", u, "enabled", false)
	home := e.object("project", "show", "home")["id"]
	setWant(t, "user show", u, "default_project_id", home)
	if opts, _ := u["options"].(map[string]any); opts["ignore_password_expiry"] != true {
		t.Errorf("user show: options %v, want ignore_password_expiry true", u["options"])
	}
	e.setOK("user", "set", id, "--enable")
	setWant(t, "user show", e.object("user", "show", id), "enabled", true)

	// user set --password: the user logs in with the new password.
	e.ok("role", "add", "--user", id, "--project", "home", "member")
	e.setOK("user", "set", id, "--password", "pw-two-2")
	u2 := e.withVars("OS_USERNAME=u2", "OS_PASSWORD=pw-two-2", "OS_PROJECT_NAME=home")
	u2.ok("token", "issue")
	e.fails(2, "user", "set", id, "--password", "x", "--password-prompt")
}

func TestNounSet(t *testing.T) {
	e := newEnv(t)

	gid := e.object("group", "create", "g1")["id"].(string)
	e.setOK("group", "set", "g1", "--name", "g2", "--description", "gd")
	g := e.object("group", "show", gid)
	setWant(t, "group show", g, "name", "g2")
	setWant(t, "group show", g, "description", "gd")

	did := e.object("domain", "create", "d1")["id"].(string)
	e.setOK("domain", "set", "d1", "--name", "d2", "--description", "dd", "--disable")
	d := e.object("domain", "show", did)
	setWant(t, "domain show", d, "name", "d2")
	setWant(t, "domain show", d, "description", "dd")
	setWant(t, "domain show", d, "enabled", false)

	rid := e.object("role", "create", "r1", "--description", "rd")["id"].(string)
	e.setOK("role", "set", "r1", "--name", "r2")
	r := e.object("role", "show", rid)
	setWant(t, "role show", r, "name", "r2")
	setWant(t, "role show", r, "description", "rd")
	e.setOK("role", "set", rid, "--description", "")
	setWant(t, "role show", e.object("role", "show", rid), "description", "")

	sid := e.object("service", "create", "compute", "--name", "nova")["id"].(string)
	e.setOK("service", "set", "nova", "--type", "compute2", "--name", "nova2", "--description", "sd", "--disable")
	s := e.object("service", "show", sid)
	setWant(t, "service show", s, "type", "compute2")
	setWant(t, "service show", s, "name", "nova2")
	setWant(t, "service show", s, "description", "sd")
	setWant(t, "service show", s, "enabled", false)

	e.ok("region", "create", "R2")
	eid := e.object("endpoint", "create", sid, "public", "http://nova.example/")["id"].(string)
	e.setOK("endpoint", "set", eid, "--url", "http://nova2.example/", "--interface", "internal", "--region", "R2", "--disable")
	ep := e.object("endpoint", "show", eid)
	setWant(t, "endpoint show", ep, "url", "http://nova2.example/")
	setWant(t, "endpoint show", ep, "interface", "internal")
	setWant(t, "endpoint show", ep, "region", "R2")
	setWant(t, "endpoint show", ep, "enabled", false)
	e.fails(2, "endpoint", "set", eid, "--interface", "private")

	e.ok("region", "create", "R3")
	e.setOK("region", "set", "R3", "--description", "child", "--parent-region", "R2")
	rg := e.object("region", "show", "R3")
	setWant(t, "region show", rg, "description", "child")
	setWant(t, "region show", rg, "parent_region", "R2")
	e.fails(1, "region", "set", "nosuchregion", "--description", "x")
}

// --enable with --disable (and the other exclusive options) is a usage
// error, exit status 2, in the create and the set commands.
func TestExclusiveOptions(t *testing.T) {
	e := newEnv(t)
	sid := e.object("service", "create", "image")["id"].(string)
	eid := e.object("endpoint", "create", sid, "public", "http://glance.example/")["id"].(string)
	for _, args := range [][]string{
		{"project", "create", "x", "--enable", "--disable"},
		{"project", "set", "admin", "--enable", "--disable"},
		{"project", "set", "admin", "--immutable", "--no-immutable"},
		{"user", "create", "x", "--enable", "--disable"},
		{"user", "set", "admin", "--enable", "--disable"},
		{"domain", "create", "x", "--enable", "--disable"},
		{"domain", "set", "default", "--enable", "--disable"},
		{"service", "create", "x", "--enable", "--disable"},
		{"service", "set", sid, "--enable", "--disable"},
		{"endpoint", "create", sid, "public", "http://x/", "--enable", "--disable"},
		{"endpoint", "set", eid, "--enable", "--disable"},
		{"role", "set", "admin", "--immutable", "--no-immutable"},
		{"role", "add", "admin", "--user", "admin", "--group", "g", "--project", "admin"},
		{"versions", "show", "--all-interfaces", "--interface", "public"},
	} {
		msg := e.fails(2, args...)
		if !strings.Contains(msg, "not allowed with") {
			t.Errorf("keystone %v: %q", args, msg)
		}
	}
	// Nothing changed.
	setWant(t, "project show", e.object("project", "show", "admin"), "enabled", true)
}

func TestUserPasswordSet(t *testing.T) {
	e := newEnv(t)
	const old, new1, new2 = "original-pw-1", "changed-pw-2", "changed-pw-3"
	uid := e.object("user", "create", "pwuser", "--password", old)["id"].(string)
	e.ok("role", "add", "--user", uid, "--project", e.ks.AdminProject, "member")
	u := e.withVars("OS_USERNAME=pwuser", "OS_PASSWORD="+old)

	r := u.run("", "user", "password", "set", "--password", new1, "--original-password", old)
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("user password set: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, s := range []string{old, new1} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("user password set: a password is in the output %q", r.stdout+r.stderr)
		}
	}
	// The new password logs in, the old one no longer does.
	u1 := e.withVars("OS_USERNAME=pwuser", "OS_PASSWORD="+new1)
	if got := u1.object("token", "issue")["user_id"]; got != uid {
		t.Errorf("token issue with the new password: user %v, want %s", got, uid)
	}
	u.fails(1, "--no-cache", "token", "issue")

	// A wrong original password fails with one line.
	u1.fails(1, "user", "password", "set", "--password", new2, "--original-password", "wrong-pw")

	// Both passwords from standard input: the original, then the new one.
	r = u1.run(new1+"\n"+new2+"\n", "user", "password", "set")
	if r.code != 0 {
		t.Fatalf("user password set (stdin): exit %d, stderr %q", r.code, r.stderr)
	}
	u2 := e.withVars("OS_USERNAME=pwuser", "OS_PASSWORD="+new2)
	u2.ok("token", "issue")

	// Not even --debug shows the passwords.
	r = u2.run("", "--debug", "user", "password", "set", "--password", new1, "--original-password", new2)
	if r.code != 0 {
		t.Fatalf("user password set --debug: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, s := range []string{new1, new2} {
		if strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("user password set --debug: a password is in the output")
		}
	}
}

func TestTokenRevoke(t *testing.T) {
	e := newEnv(t)
	tok := e.object("--no-cache", "token", "issue")["id"].(string)
	tokEnv := []string{"OS_AUTH_TYPE=token", "OS_TOKEN=" + tok, "OS_USERNAME=", "OS_PASSWORD=", "OS_USER_DOMAIN_ID="}
	e.withVars(tokEnv...).ok("--no-cache", "project", "show", e.ks.AdminProject)

	r := e.run("", "--debug", "token", "revoke", tok)
	if r.code != 0 || r.stdout != "" {
		t.Errorf("token revoke: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, tok) {
		t.Error("token revoke --debug: the token is in the log")
	}
	// The revoked token no longer validates: neither authenticates nor
	// revokes again; no error shows it.
	for _, args := range [][]string{
		{"token", "revoke", tok},
	} {
		if msg := e.fails(1, args...); strings.Contains(msg, tok) {
			t.Errorf("keystone %v: the token is in %q", args[:2], msg)
		}
	}
	if msg := e.withVars(tokEnv...).fails(1, "--no-cache", "project", "show", e.ks.AdminProject); strings.Contains(msg, tok) {
		t.Errorf("the token is in %q", msg)
	}
	e.fails(2, "token", "revoke")
}

func TestCatalogShow(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"identity", "keystone"} {
		s := e.object("catalog", "show", name)
		sameKeys(t, "catalog show", s, "endpoints", "id", "name", "type")
		setWant(t, "catalog show", s, "type", "identity")
		eps, _ := s["endpoints"].([]any)
		if len(eps) == 0 {
			t.Fatalf("catalog show %s: no endpoints in %v", name, s)
		}
		ep, _ := eps[0].(map[string]any)
		sameKeys(t, "catalog show endpoint", ep, "id", "interface", "region_id", "url", "region")
	}
	table := e.ok("catalog", "show", "identity")
	if !strings.Contains(table, "  public: ") || !strings.Contains(table, "| endpoints |") {
		t.Errorf("catalog show table:\n%s", table)
	}
	e.fails(1, "catalog", "show", "nosuchservice")
	e.fails(2, "catalog", "show")
}

func TestVersionsShow(t *testing.T) {
	e := newEnv(t)
	rows := e.list("versions", "show")
	if len(rows) == 0 {
		t.Fatal("versions show: no rows")
	}
	found := false
	for _, r := range rows {
		sameKeys(t, "versions show", r, "Region Name", "Service Type", "Version", "Status", "Endpoint", "Min Microversion", "Max Microversion")
		status, _ := r["Status"].(string)
		if r["Service Type"] == "identity" && strings.HasPrefix(r["Version"].(string), "3.") && status != "" && status == strings.ToUpper(status) {
			found = true
			if ep, _ := r["Endpoint"].(string); !strings.Contains(ep, "/v3") {
				t.Errorf("versions show: endpoint %q", ep)
			}
		}
	}
	if !found {
		t.Errorf("versions show: no identity v3 in %v", rows)
	}
	all := e.list("versions", "show", "--all-interfaces", "--service", "identity")
	if len(all) < len(rows) {
		t.Errorf("versions show --all-interfaces: %d rows, fewer than %d", len(all), len(rows))
	}
	if l := e.list("versions", "show", "--status", "deprecated"); len(l) != 0 {
		t.Errorf("versions show --status deprecated: %v", l)
	}
	if l := e.list("versions", "show", "--service", "compute"); len(l) != 0 {
		t.Errorf("versions show --service compute: %v", l)
	}
}

func TestListLong(t *testing.T) {
	e := newEnv(t)
	e.ok("group", "create", "lg", "--description", "long group")
	e.ok("user", "create", "lu", "--email", "lu@example.org")
	for _, c := range []struct {
		noun string
		cols []string
	}{
		{"project", []string{"ID", "Name", "Domain ID", "Description", "Enabled"}},
		{"user", []string{"ID", "Name", "Project", "Domain", "Description", "Email", "Enabled"}},
		{"group", []string{"ID", "Name", "Domain ID", "Description"}},
		{"service", []string{"ID", "Name", "Type", "Description", "Enabled"}},
	} {
		rows := e.list(c.noun, "list", "--long")
		if len(rows) == 0 {
			t.Fatalf("%s list --long: no rows", c.noun)
		}
		sameKeys(t, c.noun+" list --long", rows[0], c.cols...)
	}
	if u := find(e.list("user", "list", "--long"), "Name", "lu"); u == nil || u["Email"] != "lu@example.org" {
		t.Errorf("user list --long: %v", u)
	}
	if g := find(e.list("group", "list", "--long"), "Name", "lg"); g == nil || g["Description"] != "long group" {
		t.Errorf("group list --long: %v", g)
	}
}
