//go:build integration

package fakeserver_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/fakeserver"
)

// TestOpenStackClient runs a python-openstackclient scenario against the
// standalone server: token issue, project create and list, user create, role
// add and role assignment list, each parsed and checked, and no exchange that
// does not conform to the spec.
func TestOpenStackClient(t *testing.T) {
	bin, err := exec.LookPath("openstack")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("openstack (python-openstackclient) is required in CI: %v", err)
		}
		t.Skipf("openstack (python-openstackclient) not installed: %v", err)
	}
	const password = "Adm1n-pw"
	r := start(t, fakeserver.Config{AdminPassword: password, AdminProject: "admin",
		Services: []fakeserver.Service{{Type: "compute", Name: "nova", URL: "http://127.0.0.1:8774/v2.1"}}})
	ks := r.ks

	// A throw-away HOME: no clouds.yaml, cache nor OS_* of the machine.
	home := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config", "XDG_CACHE_HOME=" + home + "/.cache"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "OS_") && !strings.HasPrefix(k, "XDG_") && k != "HOME" {
			env = append(env, kv)
		}
	}
	as := func(user, pw, project string) []string {
		return []string{"--os-auth-url", ks.AuthURL(), "--os-identity-api-version", "3",
			"--os-username", user, "--os-password", pw, "--os-project-name", project,
			"--os-user-domain-id", "default", "--os-project-domain-id", "default", "--os-region-name", "RegionOne"}
	}
	run := func(auth []string, args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(auth, args...)...)
		cmd.Env, cmd.Dir = env, home
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("openstack %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
		}
		return out
	}
	admin := as(ks.AdminUser, password, ks.AdminProject)
	decode := func(out []byte, v any) {
		t.Helper()
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
	}

	var tok map[string]string
	decode(run(admin, "token", "issue", "-f", "json"), &tok)
	if tok["id"] == "" || tok["expires"] == "" || tok["project_id"] != ks.AdminProjectID || tok["user_id"] != ks.AdminUserID {
		t.Errorf("token issue: %v (want project %s, user %s)", tok, ks.AdminProjectID, ks.AdminUserID)
	}

	var proj map[string]any
	decode(run(admin, "project", "create", "--domain", "default", "--description", "Demo project", "demo", "-f", "json"), &proj)
	if proj["name"] != "demo" || proj["domain_id"] != "default" || proj["description"] != "Demo project" || proj["id"] == "" {
		t.Errorf("project create: %v", proj)
	}

	var projects []map[string]string
	decode(run(admin, "project", "list", "-f", "json"), &projects)
	names := map[string]string{}
	for _, p := range projects {
		names[p["Name"]] = p["ID"]
	}
	if len(projects) != 2 || names["demo"] != proj["id"] || names["admin"] != ks.AdminProjectID {
		t.Errorf("project list: %v", projects)
	}

	var user map[string]any
	decode(run(admin, "user", "create", "--domain", "default", "--password", "Al1ce-pw", "alice", "-f", "json"), &user)
	if user["name"] != "alice" || user["domain_id"] != "default" || user["enabled"] != true || user["id"] == "" {
		t.Errorf("user create: %v", user)
	}

	if out := run(admin, "role", "add", "--user", "alice", "--user-domain", "default",
		"--project", "demo", "--project-domain", "default", "member"); strings.TrimSpace(string(out)) != "" {
		t.Errorf("role add printed %q", out)
	}

	var assignments []map[string]any
	decode(run(admin, "role", "assignment", "list", "--names", "-f", "json"), &assignments)
	found := false
	for _, a := range assignments {
		if a["Role"] == "member" && a["User"] == "alice@Default" && a["Project"] == "demo@Default" && a["Inherited"] == false {
			found = true
		}
	}
	if !found {
		t.Errorf("role assignment list --names: no member of demo for alice in %v", assignments)
	}

	// Alice can now get a token for demo.
	decode(run(as("alice", "Al1ce-pw", "demo"), "token", "issue", "-f", "json"), &tok)
	if tok["project_id"] != proj["id"] || tok["user_id"] != user["id"] {
		t.Errorf("alice's token: %v", tok)
	}

	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if fs := ks.Failures(); len(fs) > 0 {
		for _, f := range fs {
			t.Errorf("spec validation failure: %v", f)
		}
	}
	if strings.Contains(r.stderr.String(), "did not conform") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}
