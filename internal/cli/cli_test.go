package cli_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/gokeystone/keystone/internal/cli"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// env is a keystone command line against an in-memory Keystone, with an
// environment that reads no configuration file of the machine.
type env struct {
	t       *testing.T
	ks      *keystonetest.Server
	environ []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ks := keystonetest.NewServer(t)
	home := t.TempDir()
	t.Chdir(home)
	return &env{t: t, ks: ks, environ: []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + home,
		"XDG_CONFIG_DIRS=" + home,
		"OS_AUTH_URL=" + ks.AuthURL(),
		"OS_USERNAME=" + ks.AdminUser,
		"OS_PASSWORD=" + ks.AdminPassword,
		"OS_PROJECT_NAME=" + ks.AdminProject,
		"OS_USER_DOMAIN_ID=" + ks.DomainID,
		"OS_PROJECT_DOMAIN_ID=" + ks.DomainID,
		"OS_IDENTITY_API_VERSION=3",
	}}
}

type result struct {
	code           int
	stdout, stderr string
}

func (e *env) run(stdin string, args ...string) result {
	e.t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, e.environ)
	r := result{code: code, stdout: out.String(), stderr: errb.String()}
	// No output nor error carries the administrator's password.
	if strings.Contains(r.stdout, e.ks.AdminPassword) || strings.Contains(r.stderr, e.ks.AdminPassword) {
		e.t.Errorf("keystone %v: the password is in the output", args)
	}
	return r
}

// ok runs a command that must succeed.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	r := e.run("", args...)
	if r.code != 0 {
		e.t.Fatalf("keystone %v: exit %d, stderr %q", args, r.code, r.stderr)
	}
	if r.stderr != "" {
		e.t.Errorf("keystone %v: stderr %q", args, r.stderr)
	}
	return r.stdout
}

// fails runs a command that must fail with code and one error line.
func (e *env) fails(code int, args ...string) string {
	e.t.Helper()
	r := e.run("", args...)
	if r.code != code {
		e.t.Fatalf("keystone %v: exit %d, want %d (stdout %q, stderr %q)", args, r.code, code, r.stdout, r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "keystone: ") || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		e.t.Errorf("keystone %v: stderr %q, want one line keystone: …", args, r.stderr)
	}
	return r.stderr
}

func (e *env) object(args ...string) map[string]any {
	e.t.Helper()
	var m map[string]any
	out := e.ok(append(args, "-f", "json")...)
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		e.t.Fatalf("keystone %v: %v in %q", args, err, out)
	}
	return m
}

func (e *env) list(args ...string) []map[string]any {
	e.t.Helper()
	var l []map[string]any
	out := e.ok(append(args, "-f", "json")...)
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		e.t.Fatalf("keystone %v: %v in %q", args, err, out)
	}
	return l
}

func keys(m map[string]any) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

func hasKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: no %q in %v", what, k, keys(m))
		}
	}
}

func TestTokenIssue(t *testing.T) {
	e := newEnv(t)
	tok := e.object("token", "issue")
	if len(tok) != 4 {
		t.Errorf("token issue: fields %v, want expires, id, project_id, user_id", keys(tok))
	}
	hasKeys(t, "token issue", tok, "expires", "id", "project_id", "user_id")
	if tok["user_id"] != e.ks.AdminUserID || tok["project_id"] != e.ks.AdminProjectID {
		t.Errorf("token issue: %v, want user %s project %s", tok, e.ks.AdminUserID, e.ks.AdminProjectID)
	}
	id, _ := tok["id"].(string)
	if id == "" {
		t.Fatal("token issue: no id")
	}

	// With --debug, the session's log goes to stderr, without the token
	// nor the password.
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), []string{"--debug", "--no-cache", "token", "issue", "-c", "user_id", "-f", "value"}, strings.NewReader(""), &out, &errb, e.environ)
	if code != 0 {
		t.Fatalf("--debug token issue: exit %d, %q", code, errb.String())
	}
	if out.String() != e.ks.AdminUserID+"\n" {
		t.Errorf("--debug token issue -c user_id -f value: %q", out.String())
	}
	if errb.Len() == 0 {
		t.Error("--debug: no log on stderr")
	}
	debug := errb.String()
	if strings.Contains(debug, e.ks.AdminPassword) {
		t.Error("--debug: the password is in the log")
	}
	// The token of that run is another one; look for the pattern of any.
	for line := range strings.SplitSeq(debug, "\n") {
		if strings.Contains(line, "X-Subject-Token") && !strings.Contains(line, "SHA256") {
			t.Errorf("--debug: unredacted token header: %q", line)
		}
	}

	// The token as the session printed it in --debug is never the token.
	var out2, errb2 bytes.Buffer
	code = cli.Run(context.Background(), []string{"--debug", "--no-cache", "token", "issue", "-f", "json"}, strings.NewReader(""), &out2, &errb2, e.environ)
	if code != 0 {
		t.Fatalf("--debug token issue: exit %d, %q", code, errb2.String())
	}
	var tok2 map[string]any
	if err := json.Unmarshal(out2.Bytes(), &tok2); err != nil {
		t.Fatal(err)
	}
	if id2, _ := tok2["id"].(string); id2 == "" || strings.Contains(errb2.String(), id2) {
		t.Error("--debug: the issued token is in the log")
	}
}

// The token cache is on by default: commands in a row authenticate once
// between them (in the cache under $HOME/.cache, mode 0700); --no-cache
// authenticates every time; another password does not get the cached token.
func TestTokenCache(t *testing.T) {
	e := newEnv(t)
	before := e.ks.TokenCount()
	first := e.object("token", "issue")
	e.ok("project", "list")
	second := e.object("token", "issue")
	if n := e.ks.TokenCount() - before; n != 1 || first["id"] != second["id"] {
		t.Errorf("cached: %d authentications, tokens %v and %v", n, first["id"], second["id"])
	}
	var home string
	for _, kv := range e.environ {
		if v, ok := strings.CutPrefix(kv, "HOME="); ok {
			home = v
		}
	}
	fi, err := os.Stat(filepath.Join(home, ".cache", "gokeystone", "tokens"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache dir: %v %v", fi, err)
	}
	before = e.ks.TokenCount()
	e.ok("--no-cache", "project", "list")
	e.ok("--no-cache", "project", "list")
	if n := e.ks.TokenCount() - before; n != 2 {
		t.Errorf("--no-cache: %d authentications, want 2", n)
	}
	bad := &env{t: t, ks: e.ks, environ: append(append([]string(nil), e.environ...), "OS_PASSWORD=wrong-horse-battery")}
	var out, errb bytes.Buffer
	if code := cli.Run(context.Background(), []string{"token", "issue"}, strings.NewReader(""), &out, &errb, bad.environ); code == 0 {
		t.Errorf("a wrong password got the cached token: %s", out.String())
	}
}

func TestTokenIssueTable(t *testing.T) {
	e := newEnv(t)
	out := e.ok("token", "issue", "-c", "user_id", "-c", "project_id")
	want := "| Field      | Value"
	if !strings.Contains(out, want) || !strings.Contains(out, "| project_id | "+e.ks.AdminProjectID) {
		t.Errorf("token issue table:\n%s", out)
	}
	if strings.Contains(out, "expires") {
		t.Errorf("token issue -c: unselected column shown:\n%s", out)
	}
}

func TestCatalogList(t *testing.T) {
	e := newEnv(t)
	l := e.list("catalog", "list")
	var identity map[string]any
	for _, s := range l {
		hasKeys(t, "catalog list", s, "Name", "Type", "Endpoints")
		if s["Type"] == "identity" {
			identity = s
		}
	}
	if identity == nil {
		t.Fatalf("catalog list: no identity service in %v", l)
	}
	eps, _ := identity["Endpoints"].([]any)
	if len(eps) != 3 {
		t.Errorf("catalog list: identity endpoints %v", identity["Endpoints"])
	}
	table := e.ok("catalog", "list")
	for _, want := range []string{"| Name", "| Type", "| Endpoints", "identity", "RegionOne", "  public: "} {
		if !strings.Contains(table, want) {
			t.Errorf("catalog list table: no %q in\n%s", want, table)
		}
	}
}

func TestProjectLifecycle(t *testing.T) {
	e := newEnv(t)
	p := e.object("project", "create", "demo", "--domain", "default", "--description", "a demo", "--disable")
	hasKeys(t, "project create", p, "description", "domain_id", "enabled", "id", "is_domain", "name", "options", "parent_id", "tags")
	if p["name"] != "demo" || p["description"] != "a demo" || p["enabled"] != false || p["domain_id"] != e.ks.DomainID {
		t.Errorf("project create: %v", p)
	}
	id := p["id"].(string)

	byName := e.object("project", "show", "demo")
	byID := e.object("project", "show", id)
	if byName["id"] != id || byID["name"] != "demo" {
		t.Errorf("project show: by name %v, by ID %v", byName, byID)
	}

	l := e.list("project", "list", "--sort-column", "Name")
	if len(l) != 2 || l[0]["Name"] != "admin" || l[1]["Name"] != "demo" || len(l[0]) != 2 {
		t.Errorf("project list: %v", l)
	}
	hasKeys(t, "project list", l[0], "ID", "Name")

	// The table, as openstack prints it.
	table := e.ok("project", "list", "--sort-column", "Name", "--sort-descending")
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("project list table: %d lines:\n%s", len(lines), table)
	}
	border := "+" + strings.Repeat("-", len(id)+2) + "+-------+"
	if lines[0] != border || lines[2] != border || lines[5] != border {
		t.Errorf("project list table borders:\n%s", table)
	}
	if !strings.HasPrefix(lines[1], "| ID ") || !strings.HasSuffix(lines[1], "| Name  |") {
		t.Errorf("project list table header: %q", lines[1])
	}
	if lines[3] != "| "+id+" | demo  |" {
		t.Errorf("project list table row: %q", lines[3])
	}

	// -c selects columns, in the command's order.
	if out := e.ok("project", "show", "demo", "-f", "value", "-c", "name", "-c", "enabled"); out != "False\ndemo\n" {
		t.Errorf("project show -c -f value: %q", out)
	}
	if out := e.ok("project", "list", "-f", "value", "-c", "Name", "--sort-column", "Name"); out != "admin\ndemo\n" {
		t.Errorf("project list -c Name -f value: %q", out)
	}

	// CSV and YAML are parsed back with their standard readers.
	recs, err := csv.NewReader(strings.NewReader(e.ok("project", "list", "-f", "csv", "--sort-column", "Name"))).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][0] != "ID" || recs[0][1] != "Name" || recs[2][1] != "demo" {
		t.Errorf("project list -f csv: %v, %v", recs, err)
	}
	var y map[string]any
	if err := yaml.Unmarshal([]byte(e.ok("project", "show", "demo", "-f", "yaml")), &y); err != nil || y["id"] != id || y["enabled"] != false {
		t.Errorf("project show -f yaml: %v, %v", y, err)
	}

	e.ok("project", "delete", "demo")
	msg := e.fails(1, "project", "show", "demo")
	if !strings.Contains(msg, "demo") {
		t.Errorf("project show of a deleted project: %q", msg)
	}
}

func TestUserAndRoles(t *testing.T) {
	e := newEnv(t)
	e.ok("project", "create", "demo")
	u := e.object("user", "create", "alice", "--domain", "default", "--password", "s3cr3t-alice", "--project", "demo", "--email", "alice@example.com")
	hasKeys(t, "user create", u, "default_project_id", "domain_id", "email", "enabled", "id", "name", "options", "password_expires_at")
	if u["name"] != "alice" || u["email"] != "alice@example.com" {
		t.Errorf("user create: %v", u)
	}
	if _, ok := u["password"]; ok {
		t.Errorf("user create shows a password: %v", u)
	}
	uid := u["id"].(string)
	if s := e.object("user", "show", "alice"); s["id"] != uid {
		t.Errorf("user show: %v", s)
	}
	users := e.list("user", "list")
	if len(users) != 2 {
		t.Errorf("user list: %v", users)
	}

	r := e.object("role", "create", "observer")
	hasKeys(t, "role create", r, "description", "domain_id", "id", "name", "options")
	roles := e.list("role", "list")
	found := false
	for _, x := range roles {
		hasKeys(t, "role list", x, "ID", "Name")
		found = found || x["Name"] == "observer"
	}
	if !found {
		t.Errorf("role list: %v", roles)
	}

	e.ok("role", "add", "--user", "alice", "--project", "demo", "observer")
	as := e.list("role", "assignment", "list", "--user", "alice", "--names")
	if len(as) != 1 {
		t.Fatalf("role assignment list: %v", as)
	}
	a := as[0]
	hasKeys(t, "role assignment list", a, "Role", "User", "Group", "Project", "Domain", "System", "Inherited")
	if a["Role"] != "observer" || a["User"] != "alice@Default" || a["Project"] != "demo@Default" || a["Inherited"] != false {
		t.Errorf("role assignment list --names: %v", a)
	}
	ids := e.list("role", "assignment", "list", "--user", uid, "--project", "demo")
	if len(ids) != 1 || ids[0]["User"] != uid || ids[0]["Role"] != r["id"] {
		t.Errorf("role assignment list: %v", ids)
	}

	// The new user can log in with the password it was given.
	alice := &env{t: t, ks: e.ks, environ: append(append([]string(nil), e.environ...),
		"OS_USERNAME=alice", "OS_PASSWORD=s3cr3t-alice", "OS_PROJECT_NAME=demo")}
	if tok := alice.object("token", "issue"); tok["user_id"] != uid {
		t.Errorf("token issue as alice: %v", tok)
	}

	e.ok("role", "remove", "--user", "alice", "--project", "demo", "observer")
	if l := e.list("role", "assignment", "list", "--user", "alice"); len(l) != 0 {
		t.Errorf("role assignment list after remove: %v", l)
	}
	e.fails(1, "role", "remove", "--user", "alice", "--project", "demo", "observer")
	e.ok("user", "delete", "alice")
	e.fails(1, "user", "show", "alice")
}

func TestPasswordPrompt(t *testing.T) {
	e := newEnv(t)
	r := e.run("from-stdin\n", "user", "create", "bob", "--password-prompt", "-f", "json")
	if r.code != 0 || strings.Contains(r.stdout, "from-stdin") {
		t.Fatalf("user create --password-prompt: %d %q %q", r.code, r.stdout, r.stderr)
	}
	e.ok("role", "add", "--user", "bob", "--project", e.ks.AdminProject, "member")
	bob := &env{t: t, ks: e.ks, environ: append(append([]string(nil), e.environ...), "OS_USERNAME=bob", "OS_PASSWORD=from-stdin")}
	if tok := bob.object("token", "issue"); tok["project_id"] != e.ks.AdminProjectID {
		t.Errorf("token issue as bob: %v", tok)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t)
	msg := e.fails(1, "project", "show", "no-such-project")
	if msg != "keystone: no project with a name or ID of 'no-such-project' exists\n" {
		t.Errorf("unknown project: %q", msg)
	}
	e.fails(1, "role", "add", "--user", "nobody", "--project", "admin", "member")
	e.fails(2, "role", "add", "--project", "admin", "member")
	e.fails(2, "project", "show")
	e.fails(2, "project", "list", "--no-such-flag")
	e.fails(2, "project", "list", "-f", "xml")
	e.fails(2, "project", "frobnicate")
	for _, noun := range []string{"project", "user", "group", "domain", "role", "service", "endpoint", "region"} {
		e.fails(2, noun, "list", "extra-argument")
	}
	e.fails(2, "token", "issue", "extra-argument")
	e.fails(1, "project", "list", "-c", "Nope")

	// A wrong password: an error on one line, without the password.
	bad := &env{t: t, ks: e.ks, environ: append(append([]string(nil), e.environ...), "OS_PASSWORD=wrong-horse-battery")}
	msg = bad.fails(1, "project", "list")
	if strings.Contains(msg, "wrong-horse-battery") {
		t.Errorf("wrong password: the password is in %q", msg)
	}
	// Through the flag, the same.
	msg = e.fails(1, "--os-password", "wrong-horse-battery", "token", "issue")
	if strings.Contains(msg, "wrong-horse-battery") {
		t.Errorf("wrong password flag: the password is in %q", msg)
	}
	// No configuration at all.
	empty := &env{t: t, ks: e.ks, environ: []string{"HOME=" + t.TempDir()}}
	empty.fails(1, "project", "list")
}

func TestGlobalFlags(t *testing.T) {
	e := newEnv(t)
	// Everything from the flags, nothing from the environment.
	flags := &env{t: t, ks: e.ks, environ: []string{"HOME=" + t.TempDir()}}
	tok := flags.object("--os-auth-url", e.ks.AuthURL(), "--os-username", e.ks.AdminUser,
		"--os-password", e.ks.AdminPassword, "--os-project-name", e.ks.AdminProject,
		"--os-user-domain-name", "Default", "--os-project-domain-id", e.ks.DomainID,
		"--os-identity-api-version", "3", "--os-interface", "public", "--timeout", "30",
		"token", "issue")
	if tok["project_id"] != e.ks.AdminProjectID {
		t.Errorf("token issue with flags: %v", tok)
	}
	e.fails(2, "--timeout", "soon", "project", "list")
	e.fails(1, "--os-identity-api-version", "2.0", "project", "list")
}

// TestPluginOptionFlags: every auth plugin's options are global flags
// (--os-<option>), here OAuth 2.0 client credentials against the in-memory
// Keystone, without the secret in any output.
func TestPluginOptionFlags(t *testing.T) {
	e := newEnv(t)
	const secret = "cli-oauth2-secret-101"
	ac := e.object("application", "credential", "create", "cli-oauth2", "--secret", secret)
	env := &env{t: t, ks: e.ks, environ: []string{"HOME=" + t.TempDir()}}
	args := []string{"--os-auth-type", "v3oauth2clientcredential", "--os-auth-url", e.ks.AuthURL(),
		"--os-oauth2-client-id", ac["id"].(string), "--os-oauth2-client-secret", secret}
	tok := env.object(append(args, "token", "issue")...)
	if tok["project_id"] != e.ks.AdminProjectID {
		t.Errorf("token issue with OAuth 2.0: %v", tok)
	}
	r := env.run("", append(args[:len(args)-1], "wrong-oauth2-secret", "--debug", "project", "list")...)
	if r.code != 1 || strings.Contains(r.stderr+r.stdout, secret) || strings.Contains(r.stderr+r.stdout, "wrong-oauth2-secret") {
		t.Errorf("a wrong secret: exit %d, the secret shown or not refused:\n%s", r.code, r.stderr)
	}
}
