//go:build integration

package cli_test

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// limitParityObject runs our `keystone args... -f json` and decodes the
// printed object.
func limitParityObject(t *testing.T, p *parityEnv, args ...string) map[string]any {
	t.Helper()
	return oursJSON[map[string]any](t, p, args...)
}

// limitParityList runs our `keystone args... -f json` and decodes the
// printed list.
func limitParityList(t *testing.T, p *parityEnv, args ...string) []map[string]any {
	t.Helper()
	return oursJSON[[]map[string]any](t, p, args...)
}

// limitParityCleanup deletes a fixture with our CLI at the end of the test.
func limitParityCleanup(t *testing.T, p *parityEnv, args ...string) {
	t.Cleanup(func() {
		if _, err := p.ours(args...); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
}

// limitParityFile writes a file of the test's temporary directory.
func limitParityFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestParityLimits creates limits, registered limits, an implied role, a
// policy and an endpoint group with our CLI, compares every list and show
// command of limit.go with openstack's, then sets and deletes them.
func TestParityLimits(t *testing.T) {
	p := newParityEnv(t)
	k := p.k
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	name := "parity-" + hex.EncodeToString(rnd[:])

	svc := limitParityObject(t, p, "service", "show", "identity")
	svcID := svc["id"].(string)
	admin := limitParityObject(t, p, "project", "show", k.AdminProject, "--domain", k.Domain)
	adminID := admin["id"].(string)

	// Registered limits: one in every region (with a project limit), one
	// in the region of the test.
	rl := limitParityObject(t, p, "registered", "limit", "create", "--service", svcID, "--default-limit", "10", "--description", "parity rl", name)
	rlID := rl["id"].(string)
	limitParityCleanup(t, p, "registered", "limit", "delete", rlID)
	if rl["resource_name"] != name || rl["service_id"] != svcID || rl["default_limit"] != 10.0 || rl["description"] != "parity rl" || rl["region_id"] != nil {
		t.Errorf("registered limit create: %v", rl)
	}
	rl2 := limitParityObject(t, p, "registered", "limit", "create", "--service", "identity", "--default-limit", "3", "--region", k.Region, name+"-r")
	rl2ID := rl2["id"].(string)
	limitParityCleanup(t, p, "registered", "limit", "delete", rl2ID)
	if rl2["region_id"] != k.Region || rl2["description"] != nil {
		t.Errorf("registered limit create --region: %v", rl2)
	}

	lim := limitParityObject(t, p, "limit", "create", "--project", k.AdminProject, "--service", "identity", "--resource-limit", "5", "--description", "parity limit", name)
	limID := lim["id"].(string)
	limitParityCleanup(t, p, "limit", "delete", limID)
	if lim["project_id"] != adminID || lim["resource_limit"] != 5.0 || lim["resource_name"] != name || lim["description"] != "parity limit" || lim["domain_id"] != nil {
		t.Errorf("limit create: %v", lim)
	}

	// An implied role between two new roles.
	prior := limitParityObject(t, p, "role", "create", name+"-prior")
	limitParityCleanup(t, p, "role", "delete", prior["id"].(string))
	implied := limitParityObject(t, p, "role", "create", name+"-implied")
	limitParityCleanup(t, p, "role", "delete", implied["id"].(string))
	ir := limitParityObject(t, p, "implied", "role", "create", name+"-prior", "--implied-role", name+"-implied")
	limitParityCleanup(t, p, "implied", "role", "delete", name+"-prior", "--implied-role", name+"-implied")
	if ir["prior_role"] != prior["id"] || ir["implies"] != implied["id"] {
		t.Errorf("implied role create: %v", ir)
	}

	// A policy.
	rules := limitParityFile(t, "rules.json", `{"parity": "rule:admin"}`+"\n")
	pol := limitParityObject(t, p, "policy", "create", "--type", "application/json", rules)
	polID := pol["id"].(string)
	limitParityCleanup(t, p, "policy", "delete", polID)
	if pol["rules"] != `{"parity": "rule:admin"}` || pol["type"] != "application/json" {
		t.Errorf("policy create: %v", pol)
	}

	// An endpoint group with the admin project.
	filters := limitParityFile(t, "filters.json", `{"interface": "public", "service_id": "`+svcID+`"}`)
	eg := limitParityObject(t, p, "endpoint", "group", "create", "--description", "parity eg", name, filters)
	egID := eg["id"].(string)
	limitParityCleanup(t, p, "endpoint", "group", "delete", egID)
	if f, _ := eg["filters"].(map[string]any); eg["name"] != name || eg["description"] != "parity eg" || f["interface"] != "public" || f["service_id"] != svcID || len(f) != 2 {
		t.Errorf("endpoint group create: %v", eg)
	}
	if _, err := p.ours("endpoint", "group", "add", "project", name, k.AdminProject, "--project-domain", k.Domain); err != nil {
		t.Fatal(err)
	}

	cases := []parityCase{
		{args: []string{"limit", "list"}},
		{args: []string{"limit", "list", "--project", k.AdminProject, "--service", svcID, "--resource-name", name}},
		{args: []string{"limit", "show", limID}},
		{args: []string{"registered", "limit", "list"}},
		{args: []string{"registered", "limit", "list", "--region", k.Region}},
		{args: []string{"registered", "limit", "show", rlID}},
		{args: []string{"registered", "limit", "show", rl2ID}},
		{args: []string{"implied", "role", "list"}},
		{args: []string{"policy", "list"}},
		{args: []string{"policy", "list", "--long"}},
		{args: []string{"policy", "show", polID}},
		{args: []string{"endpoint", "group", "list"}},
		{args: []string{"endpoint", "group", "list", "--endpointgroup", name}},
		{args: []string{"endpoint", "group", "list", "--project", k.AdminProject, "--domain", k.Domain}},
		{args: []string{"endpoint", "group", "show", name}},
	}
	// openstack takes seconds to start; the Keystone answers one request
	// at a time: run three pairs at once.
	runParityCases(t, p, cases, 3, func(t *testing.T, c parityCase, o parityOutputs) {
		// The fixtures are in the lists.
		if slices.Contains(c.args, "list") {
			var want string
			switch c.args[0] {
			case "limit":
				want = limID
			case "registered":
				want = rlID
				if slices.Contains(c.args, "--region") {
					want = rl2ID
				}
			case "implied":
				want = name + "-prior"
			case "policy":
				want = polID
			case "endpoint":
				want = egID
				if slices.Contains(c.args, "--endpointgroup") {
					want = adminID
				}
			}
			if !strings.Contains(o.ours, want) {
				t.Errorf("%s lacks %s:\n%s", strings.Join(c.args, " "), want, o.ours)
			}
		}
	})

	// set, through our CLI, with the values checked.
	t.Run("set", func(t *testing.T) {
		l := limitParityObject(t, p, "limit", "set", limID, "--resource-limit", "7", "--description", "changed")
		if l["resource_limit"] != 7.0 || l["description"] != "changed" || l["id"] != limID {
			t.Errorf("limit set: %v", l)
		}
		if s := limitParityObject(t, p, "limit", "show", limID); s["resource_limit"] != 7.0 || s["description"] != "changed" {
			t.Errorf("limit show after set: %v", s)
		}
		// Keystone refuses to update a registered limit with project
		// limits (rlID): set rl2.
		r := limitParityObject(t, p, "registered", "limit", "set", rl2ID, "--default-limit", "11", "--description", "changed rl")
		if r["default_limit"] != 11.0 || r["description"] != "changed rl" {
			t.Errorf("registered limit set: %v", r)
		}
		r = limitParityObject(t, p, "registered", "limit", "set", rl2ID, "--resource-name", name+"-r2", "--service", "identity", "--region", k.Region)
		if r["resource_name"] != name+"-r2" || r["region_id"] != k.Region || r["service_id"] != svcID {
			t.Errorf("registered limit set --resource-name: %v", r)
		}
		if s := limitParityObject(t, p, "registered", "limit", "show", rl2ID); s["resource_name"] != name+"-r2" {
			t.Errorf("registered limit show after set: %v", s)
		}

		rules2 := limitParityFile(t, "rules2.json", `{"parity": "rule:member"}`)
		if out, err := p.ours("policy", "set", polID, "--type", "application/yaml", "--rules", rules2); err != nil || out != "" {
			t.Errorf("policy set: %q, %v", out, err)
		}
		if s := limitParityObject(t, p, "policy", "show", polID); s["type"] != "application/yaml" || s["rules"] != `{"parity": "rule:member"}` {
			t.Errorf("policy show after set: %v", s)
		}

		filters2 := limitParityFile(t, "filters2.json", `{"interface": "admin"}`)
		if out, err := p.ours("endpoint", "group", "set", name, "--name", name+"-2", "--description", "changed eg", "--filters", filters2); err != nil || out != "" {
			t.Errorf("endpoint group set: %q, %v", out, err)
		}
		s := limitParityObject(t, p, "endpoint", "group", "show", egID)
		if f, _ := s["filters"].(map[string]any); s["name"] != name+"-2" || s["description"] != "changed eg" || f["interface"] != "admin" || len(f) != 1 {
			t.Errorf("endpoint group show after set: %v", s)
		}
		// The description stays when set does not name it.
		if _, err := p.ours("endpoint", "group", "set", egID, "--name", name); err != nil {
			t.Fatal(err)
		}
		if s := limitParityObject(t, p, "endpoint", "group", "show", name); s["description"] != "changed eg" {
			t.Errorf("endpoint group show after set --name: %v", s)
		}

		if _, err := p.ours("endpoint", "group", "remove", "project", egID, adminID); err != nil {
			t.Fatal(err)
		}
		if l := limitParityList(t, p, "endpoint", "group", "list", "--endpointgroup", egID); len(l) != 0 {
			t.Errorf("endpoint group list --endpointgroup after remove project: %v", l)
		}
	})

	// Server errors: exit 1.
	t.Run("errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"limit", "show", "nosuchlimit"},
			{"registered", "limit", "show", "nosuchlimit"},
			{"policy", "show", "nosuchpolicy"},
			{"endpoint", "group", "show", "nosuchgroup"},
			// A second limit of the same project and resource conflicts.
			{"limit", "create", "--project", adminID, "--service", svcID, "--resource-limit", "1", name},
			// A registered limit with project limits is fixed.
			{"registered", "limit", "set", rlID, "--default-limit", "12"},
		} {
			if _, err := p.ours(args...); err == nil || !strings.Contains(err.Error(), "exit 1") {
				t.Errorf("keystone %v: %v, want exit 1", args, err)
			}
		}
	})

	// delete, through our CLI (the cleanups then find nothing to delete:
	// they run the deletes again, which must fail, so run them here on
	// fresh fixtures instead).
	t.Run("delete", func(t *testing.T) {
		rl3 := limitParityObject(t, p, "registered", "limit", "create", "--service", svcID, "--default-limit", "1", name+"-d")
		l3 := limitParityObject(t, p, "limit", "create", "--project", adminID, "--service", svcID, "--resource-limit", "1", name+"-d")
		pol3 := limitParityObject(t, p, "policy", "create", rules)
		eg3 := limitParityObject(t, p, "endpoint", "group", "create", name+"-d", filters)
		for _, c := range []struct {
			del, show []string
		}{
			{[]string{"limit", "delete", l3["id"].(string)}, []string{"limit", "show", l3["id"].(string)}},
			{[]string{"registered", "limit", "delete", rl3["id"].(string)}, []string{"registered", "limit", "show", rl3["id"].(string)}},
			{[]string{"policy", "delete", pol3["id"].(string)}, []string{"policy", "show", pol3["id"].(string)}},
			{[]string{"endpoint", "group", "delete", name + "-d"}, []string{"endpoint", "group", "show", eg3["id"].(string)}},
		} {
			if out, err := p.ours(c.del...); err != nil || out != "" {
				t.Errorf("keystone %v: %q, %v", c.del, out, err)
			}
			if _, err := p.ours(c.show...); err == nil || !strings.Contains(err.Error(), "exists") {
				t.Errorf("keystone %v after delete: %v", c.show, err)
			}
		}
	})
}
