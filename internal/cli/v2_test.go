package cli_test

import (
	"strings"
	"testing"
)

// newV2Env is newEnv speaking Identity v2.0: the auth URL ends in /v2.0 and
// the tenant is OS_TENANT_NAME, as a v2.0 openrc sets them.
func newV2Env(t *testing.T, version string) *env {
	t.Helper()
	e := newEnv(t)
	var environ []string
	for _, kv := range e.environ {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "OS_AUTH_URL", "OS_IDENTITY_API_VERSION", "OS_PROJECT_NAME", "OS_USER_DOMAIN_ID", "OS_PROJECT_DOMAIN_ID":
			continue
		}
		environ = append(environ, kv)
	}
	environ = append(environ, "OS_AUTH_URL="+e.ks.AuthURLV2(), "OS_TENANT_NAME="+e.ks.AdminProject)
	if version != "" {
		environ = append(environ, "OS_IDENTITY_API_VERSION="+version)
	}
	e.environ = environ
	return e
}

// TestV2Commands runs openstack's identity v2 commands against the in-memory
// Keystone's v2.0, chosen by the version and by the auth URL alone.
func TestV2Commands(t *testing.T) {
	for _, version := range []string{"2.0", ""} {
		t.Run("version="+version, func(t *testing.T) {
			e := newV2Env(t, version)
			tok := e.object("token", "issue")
			sameKeys(t, "token issue", tok, "expires", "id", "project_id", "user_id")
			if e.ks.RequestCount("POST /v2.0/tokens") == 0 || e.ks.RequestCount("POST /v3/auth/tokens") != 0 {
				t.Errorf("authenticated with v3, want v2.0")
			}

			p := e.object("project", "create", "v2proj", "--description", "from v2")
			sameKeys(t, "project create", p, "description", "enabled", "id", "name")
			if p["name"] != "v2proj" || p["enabled"] != true || p["description"] != "from v2" {
				t.Errorf("project create: %v", p)
			}
			e.fails(1, "project", "create", "v2proj")
			if again := e.object("project", "create", "v2proj", "--or-show"); again["id"] != p["id"] {
				t.Errorf("project create --or-show: %v", again)
			}
			e.ok("project", "set", "v2proj", "--disable", "--description", "changed")
			if s := e.object("project", "show", "v2proj"); s["enabled"] != false || s["description"] != "changed" {
				t.Errorf("project show after set: %v", s)
			}
			e.fails(2, "project", "set", "v2proj", "--enable", "--disable")
			long := find(e.list("project", "list", "--long"), "Name", "v2proj")
			sameKeys(t, "project list --long", long, "ID", "Name", "Description", "Enabled")
			if e.ks.RequestCount("/v2.0/tenants") == 0 || e.ks.RequestCount("/v3/projects") != 0 {
				t.Errorf("project list used v3, want v2.0")
			}

			u := e.object("user", "create", "v2user", "--project", "v2proj", "--password", "s3cret-v2", "--email", "u@example.com")
			sameKeys(t, "user create", u, "email", "enabled", "id", "name", "project_id")
			if u["project_id"] != p["id"] || u["email"] != "u@example.com" {
				t.Errorf("user create: %v", u)
			}
			if strings.Contains(e.ok("user", "show", "v2user"), "s3cret-v2") {
				t.Errorf("user show prints the password")
			}
			ul := find(e.list("user", "list", "--long"), "Name", "v2user")
			sameKeys(t, "user list --long", ul, "ID", "Name", "Project", "Email", "Enabled")

			r := e.object("role", "create", "v2role")
			sameKeys(t, "role create", r, "id", "name")
			if added := e.object("role", "add", "v2role", "--project", "v2proj", "--user", "v2user"); added["id"] != r["id"] {
				t.Errorf("role add: %v", added)
			}
			ur := find(e.list("user", "role", "list", "--project", "v2proj", "--user", "v2user"), "Name", "v2role")
			if ur == nil || ur["Project"] != "v2proj" || ur["User"] != "v2user" {
				t.Errorf("user role list: %v", ur)
			}
			e.ok("role", "remove", "v2role", "--project", "v2proj", "--user", "v2user")
			if find(e.list("user", "role", "list", "--project", "v2proj", "--user", "v2user"), "Name", "v2role") != nil {
				t.Errorf("role remove: the role is still there")
			}

			svc := e.object("service", "create", "v2type", "--name", "v2svc", "--description", "d")
			sameKeys(t, "service create", svc, "description", "id", "name", "type")
			ep := e.object("endpoint", "create", "v2svc", "--publicurl", "http://127.0.0.1:1/pub", "--region", "RegionOne")
			if ep["service_type"] != "v2type" || ep["publicurl"] != "http://127.0.0.1:1/pub" {
				t.Errorf("endpoint create: %v", ep)
			}
			row := find(e.list("endpoint", "list", "--long"), "ID", ep["id"])
			if row == nil || row["Service Name"] != "v2svc" || row["PublicURL"] != "http://127.0.0.1:1/pub" {
				t.Errorf("endpoint list --long: %v", row)
			}
			if s := e.object("endpoint", "show", ep["id"].(string)); s["service_name"] != "v2svc" {
				t.Errorf("endpoint show: %v", s)
			}
			e.ok("endpoint", "delete", ep["id"].(string))
			e.ok("service", "delete", "v2svc")

			cred := e.object("ec2", "credentials", "create", "--project", "v2proj")
			access, _ := cred["access"].(string)
			if access == "" || cred["project_id"] != p["id"] {
				t.Fatalf("ec2 credentials create: %v", cred)
			}
			if row := find(e.list("ec2", "credentials", "list"), "Access", access); row == nil {
				t.Errorf("ec2 credentials list lacks %s", access)
			}
			if s := e.object("ec2", "credentials", "show", access); s["access"] != access {
				t.Errorf("ec2 credentials show: %v", s)
			}
			e.ok("ec2", "credentials", "delete", access)
			e.fails(1, "ec2", "credentials", "show", access)

			e.ok("user", "delete", "v2user")
			e.ok("role", "delete", "v2role")
			e.ok("project", "delete", "v2proj")
			e.fails(1, "project", "show", "v2proj")
			if hasIdentity := find(e.list("catalog", "list"), "Type", "identity"); hasIdentity == nil {
				t.Errorf("catalog list: no identity service")
			}
		})
	}
}

// TestLegacyShellCommands runs the keystone shell's v2.0 commands of the seed
// (tenant-list, user-role-add, …) with their own options against the
// in-memory Keystone's v2.0, from a v2.0 and from a v3 configuration.
func TestLegacyShellCommands(t *testing.T) {
	for _, name := range []string{"v2.0 configuration", "v3 configuration"} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if name == "v2.0 configuration" {
				e = newV2Env(t, "2.0")
			}
			tn := e.object("tenant-create", "--name", "legacy-t", "--description", "old", "--enabled", "true")
			if tn["name"] != "legacy-t" || tn["enabled"] != true {
				t.Fatalf("tenant-create: %v", tn)
			}
			row := find(e.list("tenant-list"), "name", "legacy-t")
			sameKeys(t, "tenant-list", row, "id", "name", "enabled")
			e.ok("tenant-update", "legacy-t", "--enabled", "false", "--description", "older")
			if g := e.object("tenant-get", "legacy-t"); g["enabled"] != false || g["description"] != "older" {
				t.Errorf("tenant-get after tenant-update: %v", g)
			}
			e.fails(2, "tenant-update", "legacy-t", "--enabled", "maybe")
			e.fails(2, "tenant-create")

			u := e.object("user-create", "--name", "legacy-u", "--tenant", "legacy-t", "--pass", "old-pass-1", "--email", "l@example.com")
			if u["project_id"] != tn["id"] {
				t.Errorf("user-create: %v", u)
			}
			if row := find(e.list("user-list"), "name", "legacy-u"); row == nil {
				t.Errorf("user-list lacks legacy-u")
			} else {
				sameKeys(t, "user-list", row, "id", "name", "enabled", "email")
			}
			e.ok("user-update", "legacy-u", "--email", "new@example.com")
			if g := e.object("user-get", "legacy-u"); g["email"] != "new@example.com" {
				t.Errorf("user-get after user-update: %v", g)
			}
			if r := e.run("new-pass-2\n", "user-password-update", "legacy-u"); r.code != 0 {
				t.Errorf("user-password-update from stdin: %d %s", r.code, r.stderr)
			}

			e.object("role-create", "--name", "legacy-r")
			e.ok("user-role-add", "--user", "legacy-u", "--role", "legacy-r", "--tenant", "legacy-t")
			ur := find(e.list("user-role-list", "--user-id", u["id"].(string), "--tenant-id", tn["id"].(string)), "name", "legacy-r")
			if ur == nil || ur["user_id"] != u["id"] || ur["tenant_id"] != tn["id"] {
				t.Errorf("user-role-list: %v", ur)
			}
			e.fails(2, "user-role-add", "--user", "legacy-u", "--role", "legacy-r")
			// A tenant's users are those with a role on it.
			if row := find(e.list("user-list", "--tenant-id", tn["id"].(string)), "name", "legacy-u"); row == nil {
				t.Errorf("user-list --tenant-id lacks legacy-u")
			}

			// The user logs in with the new password, on the tenant granted.
			login := &env{t: t, ks: e.ks, environ: []string{"HOME=" + t.TempDir(),
				"OS_AUTH_URL=" + e.ks.AuthURLV2(), "OS_IDENTITY_API_VERSION=2.0",
				"OS_USERNAME=legacy-u", "OS_PASSWORD=new-pass-2", "OS_TENANT_NAME=legacy-t"}}
			e.ok("tenant-update", "legacy-t", "--enabled", "true")
			tok := login.object("token-get")
			sameKeys(t, "token-get", tok, "expires", "id", "tenant_id", "user_id")
			if tok["user_id"] != u["id"] || tok["tenant_id"] != tn["id"] {
				t.Errorf("token-get: %v", tok)
			}
			if l := login.list("catalog", "--service", "identity"); len(l) == 0 || l[0]["type"] != "identity" {
				t.Errorf("catalog --service identity: %v", l)
			}
			if l := login.list("catalog", "list"); find(l, "Type", "identity") == nil {
				t.Errorf("catalog list (openstack's): %v", l)
			}

			uid := u["id"].(string)
			cred := e.object("ec2-credentials-create", "--user-id", uid, "--tenant-id", "legacy-t")
			access := cred["access"].(string)
			if cred["project_id"] != tn["id"] || cred["user_id"] != uid {
				t.Errorf("ec2-credentials-create: %v", cred)
			}
			if row := find(e.list("ec2-credentials-list", "--user-id", uid), "access", access); row == nil {
				t.Errorf("ec2-credentials-list lacks %s", access)
			}
			if g := e.object("ec2-credentials-get", "--access", access, "--user-id", uid); g["access"] != access {
				t.Errorf("ec2-credentials-get: %v", g)
			}
			e.ok("ec2-credentials-delete", "--access", access, "--user-id", uid)
			e.fails(1, "ec2-credentials-get", "--access", access, "--user-id", uid)

			svc := e.object("service-create", "--type", "legacy-type", "--name", "legacy-svc")
			ep := e.object("endpoint-create", "--service", "legacy-svc", "--publicurl", "http://127.0.0.1:1/x", "--region", "RegionOne")
			if ep["service_id"] != svc["id"] {
				t.Errorf("endpoint-create: %v", ep)
			}
			if row := find(e.list("endpoint-list"), "ID", ep["id"]); row == nil {
				t.Errorf("endpoint-list lacks %v", ep["id"])
			}
			e.ok("endpoint-delete", ep["id"].(string))
			if find(e.list("service-list"), "Name", "legacy-svc") == nil {
				t.Errorf("service-list lacks legacy-svc")
			}
			e.ok("service-delete", "legacy-svc")

			e.ok("user-role-remove", "--user", "legacy-u", "--role", "legacy-r", "--tenant", "legacy-t")
			e.ok("role-delete", "legacy-r")
			e.ok("user-delete", "legacy-u")
			e.ok("tenant-delete", "legacy-t")
			e.fails(1, "tenant-get", "legacy-t")
		})
	}
}
