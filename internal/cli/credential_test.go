package cli_test

import (
	"os"
	"strings"
	"testing"
)

// TestCredentialLifecycle runs credential create, show, list, set and
// delete on the in-memory Keystone.
func TestCredentialLifecycle(t *testing.T) {
	e := newEnv(t)
	u := e.object("user", "create", "alice")
	uid := u["id"].(string)

	c := e.object("credential", "create", "alice", `{"a": 1}`)
	sameKeys(t, "credential create", c, "blob", "id", "project_id", "type", "user_id")
	if c["blob"] != `{"a": 1}` || c["type"] != "cert" || c["user_id"] != uid || c["project_id"] != nil {
		t.Errorf("credential create: %v", c)
	}
	id := c["id"].(string)
	totp := e.object("credential", "create", uid, "seed", "--type", "totp", "--project", e.ks.AdminProject)
	if totp["type"] != "totp" || totp["project_id"] != e.ks.AdminProjectID || totp["user_id"] != uid {
		t.Errorf("credential create --type --project: %v", totp)
	}
	totpID := totp["id"].(string)

	if s := e.object("credential", "show", id); s["blob"] != `{"a": 1}` || s["id"] != id {
		t.Errorf("credential show: %v", s)
	}
	if out := e.ok("credential", "show", id, "-f", "table"); !strings.Contains(out, "| project_id | None") {
		t.Errorf("credential show -f table: %q", out)
	}

	l := e.list("credential", "list")
	r := find(l, "ID", id)
	if r == nil || len(l) != 2 {
		t.Fatalf("credential list: %v", l)
	}
	sameKeys(t, "credential list", r, "ID", "Type", "User ID", "Data", "Project ID")
	if r["Type"] != "cert" || r["User ID"] != uid || r["Data"] != `{"a": 1}` || r["Project ID"] != nil {
		t.Errorf("credential list: %v", r)
	}
	if l := e.list("credential", "list", "--type", "totp"); len(l) != 1 || l[0]["ID"] != totpID {
		t.Errorf("credential list --type: %v", l)
	}
	if l := e.list("credential", "list", "--user", "alice", "--user-domain", "default"); len(l) != 2 {
		t.Errorf("credential list --user: %v", l)
	}
	if l := e.list("credential", "list", "--user", e.ks.AdminUser); len(l) != 0 {
		t.Errorf("credential list --user admin: %v", l)
	}
	if out := e.ok("credential", "list", "-f", "value", "-c", "ID", "--sort-column", "ID"); strings.Count(out, "\n") != 2 {
		t.Errorf("credential list -f value: %q", out)
	}

	if out := e.ok("credential", "set", id, "--user", "alice", "--type", "cert", "--data", "new", "--project", e.ks.AdminProject); out != "" {
		t.Errorf("credential set printed %q", out)
	}
	if s := e.object("credential", "show", id); s["blob"] != "new" || s["project_id"] != e.ks.AdminProjectID {
		t.Errorf("credential show after set: %v", s)
	}

	// Errors (1) and usage mistakes (2).
	msg := e.fails(1, "credential", "create", "nobody", "x")
	if msg != "keystone: no user with a name or ID of 'nobody' exists\n" {
		t.Errorf("credential create for an unknown user: %q", msg)
	}
	e.fails(1, "credential", "set", "nope", "--user", "alice", "--type", "cert", "--data", "x")
	e.fails(2, "credential", "create", "alice")
	e.fails(2, "credential", "show")
	e.fails(2, "credential", "delete")
	e.fails(2, "credential", "list", "extra")
	e.fails(2, "credential", "list", "--bogus")
	e.fails(2, "credential", "show", id, "-f", "csv")
	msg = e.fails(2, "credential", "set", id, "--user", "alice", "--type", "cert")
	if !strings.Contains(msg, "--data") {
		t.Errorf("credential set without --data: %q", msg)
	}

	e.ok("credential", "delete", id)
	msg = e.fails(1, "credential", "show", id)
	if msg != "keystone: no credential with a name or ID of '"+id+"' exists\n" {
		t.Errorf("credential show of a deleted credential: %q", msg)
	}
	msg = e.fails(1, "credential", "delete", totpID, id)
	if !strings.Contains(msg, "1 of 2 credentials failed to delete") {
		t.Errorf("credential delete of a deleted credential: %q", msg)
	}
	if l := e.list("credential", "list"); len(l) != 0 {
		t.Errorf("credential list after delete: %v", l)
	}
}

// TestEC2CredentialsLifecycle runs ec2 credentials create, list, show and
// delete on the in-memory Keystone, for the session's user and another.
func TestEC2CredentialsLifecycle(t *testing.T) {
	e := newEnv(t)
	e.ok("user", "create", "alice")

	c := e.object("ec2", "credentials", "create")
	sameKeys(t, "ec2 credentials create", c, "access", "links", "project_id", "secret", "trust_id", "user_id")
	if c["user_id"] != e.ks.AdminUserID || c["project_id"] != e.ks.AdminProjectID || c["trust_id"] != nil {
		t.Errorf("ec2 credentials create: %v", c)
	}
	access := c["access"].(string)
	secret, _ := c["secret"].(string)
	if access == "" || secret == "" {
		t.Fatalf("ec2 credentials create: %v", c)
	}
	if links, _ := c["links"].(map[string]any); links == nil || !strings.HasSuffix(links["self"].(string), "/credentials/OS-EC2/"+access) {
		t.Errorf("ec2 credentials create links: %v", c["links"])
	}

	a := e.object("ec2", "credentials", "create", "--user", "alice", "--user-domain", "default", "--project", e.ks.AdminProject, "--project-domain", "default")
	aliceAccess := a["access"].(string)
	if a["user_id"] == e.ks.AdminUserID || a["project_id"] != e.ks.AdminProjectID {
		t.Errorf("ec2 credentials create --user: %v", a)
	}

	l := e.list("ec2", "credentials", "list")
	if len(l) != 1 {
		t.Fatalf("ec2 credentials list: %v", l)
	}
	sameKeys(t, "ec2 credentials list", l[0], "Access", "Secret", "Project ID", "User ID")
	if l[0]["Access"] != access || l[0]["Secret"] != secret || l[0]["Project ID"] != e.ks.AdminProjectID || l[0]["User ID"] != e.ks.AdminUserID {
		t.Errorf("ec2 credentials list: %v", l)
	}
	if l := e.list("ec2", "credentials", "list", "--user", "alice"); len(l) != 1 || l[0]["Access"] != aliceAccess {
		t.Errorf("ec2 credentials list --user: %v", l)
	}

	if s := e.object("ec2", "credentials", "show", access); s["secret"] != secret || s["access"] != access {
		t.Errorf("ec2 credentials show: %v", s)
	}
	if s := e.object("ec2", "credentials", "show", aliceAccess, "--user", "alice"); s["access"] != aliceAccess {
		t.Errorf("ec2 credentials show --user: %v", s)
	}
	e.fails(1, "ec2", "credentials", "create", "--user", "nobody")
	e.fails(1, "ec2", "credentials", "create", "--project", "nowhere")
	e.fails(2, "ec2", "credentials", "show")
	e.fails(2, "ec2", "credentials", "delete")
	e.fails(2, "ec2", "credentials", "create", "extra")

	e.ok("ec2", "credentials", "delete", access)
	e.ok("ec2", "credentials", "delete", aliceAccess, "--user", "alice")
	msg := e.fails(1, "ec2", "credentials", "show", access)
	if msg != "keystone: no EC2 credential with a name or ID of '"+access+"' exists\n" {
		t.Errorf("ec2 credentials show of a deleted one: %q", msg)
	}
	if l := e.list("ec2", "credentials", "list"); len(l) != 0 {
		t.Errorf("ec2 credentials list after delete: %v", l)
	}
}

// TestApplicationCredentialLifecycle runs application credential create,
// show, list and delete, and access rule list, show and delete, on the
// in-memory Keystone; the secret is printed by create only.
func TestApplicationCredentialLifecycle(t *testing.T) {
	e := newEnv(t)
	if l := e.list("application", "credential", "list"); len(l) != 0 {
		t.Fatalf("application credential list: %v", l)
	}
	rules := `[{"method": "GET", "path": "/v2.1/servers", "service": "compute"}]`
	c := e.object("application", "credential", "create", "app1", "--secret", "s3cr3t-app1", "--role", "member",
		"--expiration", "2099-01-02T03:04:05", "--description", "first", "--unrestricted", "--access-rules", rules)
	sameKeys(t, "application credential create", c, "access_rules", "description", "expires_at", "id", "name",
		"project_id", "roles", "secret", "system", "unrestricted", "user_id")
	if c["name"] != "app1" || c["secret"] != "s3cr3t-app1" || c["roles"] != "member" || c["description"] != "first" ||
		c["unrestricted"] != true || c["user_id"] != e.ks.AdminUserID || c["project_id"] != e.ks.AdminProjectID ||
		c["system"] != nil || c["expires_at"] != "2099-01-02T03:04:05.000000" {
		t.Errorf("application credential create: %v", c)
	}
	ar, _ := c["access_rules"].([]any)
	if len(ar) != 1 {
		t.Fatalf("application credential create access_rules: %v", c["access_rules"])
	}
	rule := ar[0].(map[string]any)
	sameKeys(t, "application credential access rule", rule, "id", "service", "path", "method")
	ruleID := rule["id"].(string)
	id := c["id"].(string)

	// Access rules from a file; --restricted wins over --unrestricted; all
	// the token's roles when none is given.
	file := t.TempDir() + "/rules.json"
	if err := os.WriteFile(file, []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	out := e.ok("application", "credential", "create", "app2", "--unrestricted", "--restricted", "--access-rules", file)
	if !strings.Contains(out, "| secret ") || !strings.Contains(out, "| unrestricted | False") || !strings.Contains(out, "admin") {
		t.Errorf("application credential create -f table: %q", out)
	}
	if !strings.Contains(out, "access_rules | [{'id': '"+ruleID+"', 'service': 'compute', 'path': '/v2.1/servers', 'method': 'GET'}]") {
		t.Errorf("application credential create access_rules in a table: %q", out)
	}

	s := e.object("application", "credential", "show", "app1")
	sameKeys(t, "application credential show", s, "access_rules", "description", "expires_at", "id", "name",
		"project_id", "roles", "system", "unrestricted", "user_id")
	if s["id"] != id || s["roles"] != "member" {
		t.Errorf("application credential show by name: %v", s)
	}
	if s := e.object("application", "credential", "show", id); s["name"] != "app1" {
		t.Errorf("application credential show by ID: %v", s)
	}
	l := e.list("application", "credential", "list")
	r := find(l, "ID", id)
	if len(l) != 2 || r == nil {
		t.Fatalf("application credential list: %v", l)
	}
	sameKeys(t, "application credential list", r, "ID", "Name", "Project ID", "Description", "Expires At")
	if r["Name"] != "app1" || r["Description"] != "first" || r["Project ID"] != e.ks.AdminProjectID || r["Expires At"] != "2099-01-02T03:04:05.000000" {
		t.Errorf("application credential list: %v", r)
	}
	if r := find(l, "Name", "app2"); r == nil || r["Description"] != nil || r["Expires At"] != nil {
		t.Errorf("application credential list: %v", l)
	}
	if l := e.list("application", "credential", "list", "--user", e.ks.AdminUser, "--user-domain", "default"); len(l) != 2 {
		t.Errorf("application credential list --user: %v", l)
	}
	// No command but create prints the secret.
	for _, args := range [][]string{
		{"application", "credential", "show", "app1"},
		{"application", "credential", "show", "app1", "-f", "json"},
		{"application", "credential", "show", "app1", "-f", "yaml"},
		{"application", "credential", "show", "app1", "-f", "shell"},
		{"application", "credential", "list", "-f", "csv"},
		{"--debug", "application", "credential", "list"},
	} {
		r := e.run("", args...)
		if r.code != 0 || strings.Contains(r.stdout+r.stderr, "s3cr3t-app1") {
			t.Errorf("keystone %v: exit %d, or the secret is in the output", args, r.code)
		}
	}

	// Access rules.
	rl := e.list("access", "rule", "list")
	if len(rl) != 1 || rl[0]["ID"] != ruleID {
		t.Fatalf("access rule list: %v", rl)
	}
	sameKeys(t, "access rule list", rl[0], "ID", "Service", "Method", "Path")
	if rl[0]["Service"] != "compute" || rl[0]["Method"] != "GET" || rl[0]["Path"] != "/v2.1/servers" {
		t.Errorf("access rule list: %v", rl)
	}
	if l := e.list("access", "rule", "list", "--user", e.ks.AdminUser); len(l) != 1 {
		t.Errorf("access rule list --user: %v", l)
	}
	rs := e.object("access", "rule", "show", ruleID)
	sameKeys(t, "access rule show", rs, "id", "method", "path", "service")
	if rs["id"] != ruleID || rs["path"] != "/v2.1/servers" {
		t.Errorf("access rule show: %v", rs)
	}
	e.fails(1, "access", "rule", "delete", ruleID) // still in use

	// Errors (1) and usage mistakes (2).
	e.fails(1, "application", "credential", "create", "app1")
	e.fails(1, "application", "credential", "create", "app3", "--role", "nosuchrole")
	msg := e.fails(1, "application", "credential", "show", "nope")
	if msg != "keystone: no application credential with a name or ID of 'nope' exists\n" {
		t.Errorf("application credential show of an unknown one: %q", msg)
	}
	e.fails(1, "access", "rule", "show", "nope")
	for _, args := range [][]string{
		{"application", "credential", "create"},
		{"application", "credential", "create", "x", "--expiration", "tomorrow"},
		{"application", "credential", "create", "x", "--access-rules", "not json nor a file"},
		{"application", "credential", "show"},
		{"application", "credential", "delete"},
		{"application", "credential", "list", "extra"},
		{"application", "credential", "list", "-f", "shell"},
		{"application", "bogus"},
		{"access", "rule", "show"},
		{"access", "rule", "delete"},
		{"access", "rule", "list", "--bogus"},
	} {
		e.fails(2, args...)
	}

	e.ok("application", "credential", "delete", "app1", credTestAppCredID(e, "app2"))
	msg = e.fails(1, "application", "credential", "delete", "app1")
	if msg != "keystone: no application credential with a name or ID of 'app1' exists\n" {
		t.Errorf("application credential delete of a deleted one: %q", msg)
	}
	e.ok("access", "rule", "delete", ruleID)
	if l := e.list("access", "rule", "list"); len(l) != 0 {
		t.Errorf("access rule list after delete: %v", l)
	}
	msg = e.fails(1, "access", "rule", "delete", ruleID, "other")
	if !strings.Contains(msg, "2 of 2 access rules failed to delete") {
		t.Errorf("access rule delete of deleted ones: %q", msg)
	}

	// --debug logs the exchanges without the secret; create prints it.
	dbg := e.run("", "--debug", "application", "credential", "create", "app9", "--secret", "s3cr3t-app9", "-f", "value", "-c", "secret")
	if dbg.code != 0 || dbg.stdout != "s3cr3t-app9\n" || strings.Contains(dbg.stderr, "s3cr3t-app9") || !strings.Contains(dbg.stderr, "application_credentials") {
		t.Errorf("application credential create --debug: exit %d, stdout %q, secret in the log: %v", dbg.code, dbg.stdout, strings.Contains(dbg.stderr, "s3cr3t-app9"))
	}
	e.ok("application", "credential", "delete", "app9")
}

// credTestAppCredID returns the ID of the session user's application credential name.
func credTestAppCredID(e *env, name string) string {
	e.t.Helper()
	return e.object("application", "credential", "show", name)["id"].(string)
}

// TestTrustCommands checks the trust commands against the in-memory Keystone:
// a server error is exit status 1 with one line, a usage mistake 2 before any
// request.
func TestTrustCommands(t *testing.T) {
	e := newEnv(t)
	e.ok("user", "create", "alice")
	tr := e.object("trust", "create", "admin", "alice", "--project", "admin", "--role", "admin")
	id, _ := tr["id"].(string)
	if id == "" || tr["impersonation"] != false {
		t.Fatalf("trust create: %v", tr)
	}
	if got := e.object("trust", "show", id); got["id"] != id {
		t.Errorf("trust show: %v", got)
	}
	if out := e.ok("trust", "list"); !strings.Contains(out, id) {
		t.Errorf("trust list: %s", out)
	}
	e.ok("trust", "delete", id)
	for _, args := range [][]string{
		{"trust", "show", id},
		{"trust", "show", "x"},
		{"trust", "delete", "x"},
		{"trust", "create", "admin", "nobody", "--project", "admin", "--role", "admin"},
	} {
		e.fails(1, args...)
	}
	for _, args := range [][]string{
		{"trust", "create", "admin"},
		{"trust", "create", "admin", "alice", "--role", "admin"},
		{"trust", "create", "admin", "alice", "--project", "admin"},
		{"trust", "create", "admin", "alice", "--project", "admin", "--role", "admin", "--expiration", "2030-01-01"},
		{"trust", "show"},
		{"trust", "delete"},
		{"trust", "list", "extra"},
		{"trust", "list", "--user", "x"},
	} {
		e.fails(2, args...)
	}
}
