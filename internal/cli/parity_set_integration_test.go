//go:build integration

package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/cli"
)

// setReplaceVars returns environ with the KEY=value variables of vars instead
// of those of the same names.
func setReplaceVars(environ []string, vars ...string) []string {
	out := slices.Clone(environ)
	for _, kv := range vars {
		name, _, _ := strings.Cut(kv, "=")
		out = slices.DeleteFunc(out, func(s string) bool { return strings.HasPrefix(s, name+"=") })
		out = append(out, kv)
	}
	return out
}

// setOursAs runs keystone with the environment changed by vars.
func (p *parityEnv) setOursAs(vars []string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb, setReplaceVars(p.os, vars...))
	if code != 0 {
		return "", fmt.Errorf("keystone %v: exit %d: %s", args, code, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// setTheirsAs runs openstack with the environment changed by vars.
func (p *parityEnv) setTheirsAs(vars []string, args ...string) (string, error) {
	return p.theirsIn(setReplaceVars(p.osEnviron, vars...), args...)
}

// TestParitySet compares catalog show, versions show and the list --long
// commands with openstack's, and checks that what our set commands change
// is what openstack then shows.
func TestParitySet(t *testing.T) {
	p := newParityEnv(t)
	k := p.k
	var rnd [5]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	sfx := hex.EncodeToString(rnd[:])

	ours := func(args ...string) string {
		t.Helper()
		out, err := p.ours(args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	idOf := func(out string) string {
		t.Helper()
		var v struct{ ID string }
		if err := json.Unmarshal([]byte(out), &v); err != nil || v.ID == "" {
			t.Fatalf("no id in %q: %v", out, err)
		}
		return v.ID
	}
	cleanup := func(args ...string) {
		t.Cleanup(func() {
			if _, err := p.ours(args...); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
	}
	// setNothing runs one of our set commands: it prints nothing.
	set := func(args ...string) {
		t.Helper()
		if out := ours(args...); out != "" {
			t.Errorf("keystone %v printed %q", args, out)
		}
	}
	theirsObject := func(args ...string) map[string]any {
		t.Helper()
		out, err := p.theirs(append(args, "-f", "json")...)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("openstack %v: %v in %q", args, err, out)
		}
		return m
	}
	// shownAs checks that openstack shows the values set, and that our show
	// prints what openstack's does.
	shownAs := func(show []string, want map[string]any) {
		t.Helper()
		theirs, err := p.theirs(append(slices.Clone(show), "-f", "json")...)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(theirs), &m); err != nil {
			t.Fatalf("openstack %v: %v", show, err)
		}
		for f, v := range want {
			if !reflect.DeepEqual(m[f], v) {
				t.Errorf("openstack %s: %s = %#v, want %#v", strings.Join(show, " "), f, m[f], v)
			}
		}
		oursOut := ours(append(slices.Clone(show), "-f", "json")...)
		if err := compareJSON(theirs, oursOut); err != nil {
			t.Errorf("%s differs: %v\nopenstack:\n%s\nkeystone:\n%s", strings.Join(show, " "), err, theirs, oursOut)
		}
	}

	// Fixtures, so that each list --long has rows with the optional columns.
	gid := idOf(ours("group", "create", "pset-g-"+sfx, "--domain", k.Domain, "--description", "parity set", "-f", "json"))
	cleanup("group", "delete", gid)
	pid := idOf(ours("project", "create", "pset-p-"+sfx, "--domain", k.Domain, "--description", "before", "-f", "json"))
	cleanup("project", "delete", pid)
	const pw1, pw2 = "pset-Orig-pw-1", "pset-New-pw-2"
	uname := "pset-u-" + sfx
	uid := idOf(ours("user", "create", uname, "--domain", k.Domain, "--password", pw1, "--email", uname+"@example.org",
		"--project", pid, "--description", "parity user", "-f", "json"))
	cleanup("user", "delete", uid)
	sid := idOf(ours("service", "create", "pset-type-"+sfx, "--name", "pset-s-"+sfx, "--description", "parity service", "-f", "json"))
	cleanup("service", "delete", sid)

	t.Run("compare", func(t *testing.T) {
		runs := []parityCase{
			{args: []string{"catalog", "show", "identity"}},
			{args: []string{"catalog", "show", "keystone"}},
			{args: []string{"versions", "show"}},
			{args: []string{"versions", "show", "--all-interfaces"}},
			{args: []string{"versions", "show", "--service", "identity", "--status", "current"}},
			{args: []string{"project", "list", "--long"}},
			{args: []string{"user", "list", "--long"}},
			{args: []string{"group", "list", "--long"}},
			{args: []string{"service", "list", "--long"}},
		}
		// One pair at a time.
		runParityCases(t, p, runs, 1, nil)
	})

	t.Run("project", func(t *testing.T) {
		set("project", "set", pid, "--name", "pset-p2-"+sfx, "--description", "after", "--disable",
			"--property", "color=blue", "--tag", "t2", "--tag", "t1")
		shownAs([]string{"project", "show", pid}, map[string]any{
			"name": "pset-p2-" + sfx, "description": "after", "enabled": false, "color": "blue", "tags": []any{"t1", "t2"},
		})
		set("project", "set", pid, "--enable", "--remove-tag", "t1")
		shownAs([]string{"project", "show", pid}, map[string]any{"enabled": true, "tags": []any{"t2"}})
		set("project", "set", pid, "--clear-tags")
		shownAs([]string{"project", "show", pid}, map[string]any{"tags": []any{}})
	})

	t.Run("user", func(t *testing.T) {
		set("user", "set", uid, "--name", uname+"-2", "--email", "new-"+uname+"@example.org", "--description", "changed", "--disable")
		shownAs([]string{"user", "show", uid}, map[string]any{
			"name": uname + "-2", "email": "new-" + uname + "@example.org", "description": "changed", "enabled": false,
		})
		set("user", "set", uid, "--name", uname, "--enable")
		shownAs([]string{"user", "show", uid}, map[string]any{"name": uname, "enabled": true})
	})

	t.Run("password", func(t *testing.T) {
		ours("role", "add", "--user", uid, "--project", pid, "member")
		as := func(pw string) []string {
			return []string{"OS_USERNAME=" + uname, "OS_PASSWORD=" + pw, "OS_PROJECT_NAME=" + "pset-p2-" + sfx}
		}
		out, err := p.setOursAs(as(pw1), "user", "password", "set", "--password", pw2, "--original-password", pw1)
		if err != nil {
			t.Fatal(err)
		}
		if out != "" {
			t.Errorf("user password set printed %q", out)
		}
		tok, err := p.setTheirsAs(as(pw2), "token", "issue", "-f", "json")
		if err != nil {
			t.Fatalf("openstack token issue with the new password: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(tok), &m); err != nil || m["user_id"] != uid {
			t.Errorf("openstack token issue with the new password: %q", tok)
		}
		if _, err := p.setTheirsAs(as(pw1), "token", "issue", "-f", "json"); err == nil {
			t.Error("openstack token issue with the old password succeeds")
		}
	})

	t.Run("token revoke", func(t *testing.T) {
		tok := theirsObject("token", "issue")
		id, _ := tok["id"].(string)
		if id == "" {
			t.Fatalf("openstack token issue: %v", tok)
		}
		set("token", "revoke", id)
		if _, err := p.theirs("token", "revoke", id); err == nil {
			t.Error("openstack revokes again the token we revoked")
		}
	})

	t.Run("group", func(t *testing.T) {
		set("group", "set", gid, "--name", "pset-g2-"+sfx, "--description", "changed")
		shownAs([]string{"group", "show", gid}, map[string]any{"name": "pset-g2-" + sfx, "description": "changed"})
	})

	t.Run("domain", func(t *testing.T) {
		did := idOf(ours("domain", "create", "pset-d-"+sfx, "-f", "json"))
		t.Cleanup(func() {
			p.ours("domain", "set", did, "--disable")
			if _, err := p.ours("domain", "delete", did); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
		set("domain", "set", did, "--name", "pset-d2-"+sfx, "--description", "changed", "--disable")
		shownAs([]string{"domain", "show", did}, map[string]any{"name": "pset-d2-" + sfx, "description": "changed", "enabled": false})
	})

	t.Run("role", func(t *testing.T) {
		rid := idOf(ours("role", "create", "pset-r-"+sfx, "-f", "json"))
		cleanup("role", "delete", rid)
		set("role", "set", rid, "--name", "pset-r2-"+sfx, "--description", "changed")
		shownAs([]string{"role", "show", rid}, map[string]any{"name": "pset-r2-" + sfx, "description": "changed"})
		set("role", "set", rid, "--description", "")
		shownAs([]string{"role", "show", rid}, map[string]any{"description": ""})
	})

	t.Run("service and endpoint", func(t *testing.T) {
		set("service", "set", sid, "--type", "pset-type2-"+sfx, "--name", "pset-s2-"+sfx, "--description", "changed", "--disable")
		shownAs([]string{"service", "show", sid}, map[string]any{
			"type": "pset-type2-" + sfx, "name": "pset-s2-" + sfx, "description": "changed", "enabled": false,
		})
		eid := idOf(ours("endpoint", "create", sid, "public", "http://pset.example/"+sfx, "-f", "json"))
		cleanup("endpoint", "delete", eid)
		set("endpoint", "set", eid, "--url", "http://pset2.example/"+sfx, "--interface", "internal", "--region", k.Region, "--disable")
		shownAs([]string{"endpoint", "show", eid}, map[string]any{
			"url": "http://pset2.example/" + sfx, "interface": "internal", "region": k.Region, "enabled": false,
		})
	})

	t.Run("region", func(t *testing.T) {
		rid := "pset-region-" + sfx
		ours("region", "create", rid)
		cleanup("region", "delete", rid)
		set("region", "set", rid, "--description", "changed", "--parent-region", k.Region)
		shownAs([]string{"region", "show", rid}, map[string]any{"description": "changed", "parent_region": k.Region})
	})
}
