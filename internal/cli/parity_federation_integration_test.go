//go:build integration

package cli_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestParityFederation creates a mapping, identity providers, a federation
// protocol and a service provider with our CLI, changes them with our set
// commands, compares every list and show command of federation with
// openstack's, and deletes them with our delete commands.
func TestParityFederation(t *testing.T) {
	p := newParityEnv(t)
	k := p.k

	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	suffix := hex.EncodeToString(rnd[:])
	mapping, mapping2 := "parity-map-"+suffix, "parity-map2-"+suffix
	idp, idp2 := "parity-idp-"+suffix, "parity-idp2-"+suffix
	sp := "parity-sp-" + suffix
	const protocol = "saml2"

	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	rulesText := `[{"local": [{"user": {"name": "{0}"}}, {"group": {"id": "` + suffix + `"}}],
	  "remote": [{"type": "REMOTE_USER"}, {"type": "orgPersonType", "any_one_of": ["Employee", "Contractor"]}]}]`
	rules2Text := `[{"local": [{"user": {"name": "{0}", "type": "ephemeral"}}, {"groups": "{1}", "domain": {"id": "` + k.Domain + `"}}],
	  "remote": [{"type": "OIDC_USER"}, {"type": "OIDC_GROUPS", "whitelist": ["a", "b"]}]}]`
	rulesFile, rules2File := write("rules.json", rulesText), write("rules2.json", rules2Text)
	remoteFile := write("remote-ids", "  https://"+suffix+".example/one  \nhttps://"+suffix+".example/two\n")

	// run runs our command and fails the test if it fails.
	run := func(args ...string) string {
		t.Helper()
		out, err := p.ours(args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	object := func(args ...string) map[string]any {
		t.Helper()
		return oursJSON[map[string]any](t, p, args...)
	}
	// cleanup deletes a fixture at the end, unless a delete test did.
	cleanup := func(args ...string) {
		t.Cleanup(func() {
			if _, err := p.ours(args...); err != nil && !strings.Contains(err.Error(), "exists") {
				t.Errorf("cleanup: %v", err)
			}
		})
	}
	decode := func(s string) any {
		t.Helper()
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	fields := func(what string, m map[string]any, want ...string) {
		t.Helper()
		got := keys(m)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: fields %v, want %v", what, got, want)
		}
	}

	// Create, with the cleanups in reverse order of dependence.
	cleanup("mapping", "delete", mapping, mapping2)
	m := object("mapping", "create", mapping, "--rules", rulesFile)
	fields("mapping create", m, "id", "rules")
	if m["id"] != mapping || !reflect.DeepEqual(m["rules"], decode(rulesText)) {
		t.Errorf("mapping create: %v", m)
	}
	run("mapping", "create", mapping2, "--rules", rules2File)

	cleanup("identity", "provider", "delete", idp, idp2)
	i := object("identity", "provider", "create", idp, "--domain", k.Domain, "--description", "parity idp",
		"--remote-id", "https://"+suffix+".example/a", "--remote-id", "https://"+suffix+".example/b", "--authorization-ttl", "30")
	idpFields := []string{"authorization_ttl", "description", "domain_id", "enabled", "id", "remote_ids"}
	fields("identity provider create", i, idpFields...)
	if i["id"] != idp || i["description"] != "parity idp" || i["domain_id"] != k.Domain || i["enabled"] != true ||
		i["authorization_ttl"] != 30.0 ||
		!reflect.DeepEqual(i["remote_ids"], []any{"https://" + suffix + ".example/a", "https://" + suffix + ".example/b"}) {
		t.Errorf("identity provider create: %v", i)
	}
	i2 := object("identity", "provider", "create", idp2, "--domain", k.Domain, "--disable", "--remote-id-file", remoteFile)
	if i2["enabled"] != false || i2["description"] != nil || i2["authorization_ttl"] != nil ||
		!reflect.DeepEqual(i2["remote_ids"], []any{"https://" + suffix + ".example/one", "https://" + suffix + ".example/two"}) {
		t.Errorf("identity provider create --disable --remote-id-file: %v", i2)
	}

	cleanup("federation", "protocol", "delete", protocol, "--identity-provider", idp)
	pr := object("federation", "protocol", "create", protocol, "--identity-provider", idp, "--mapping", mapping)
	fields("federation protocol create", pr, "id", "identity_provider", "mapping")
	if pr["id"] != protocol || pr["identity_provider"] != idp || pr["mapping"] != mapping {
		t.Errorf("federation protocol create: %v", pr)
	}

	cleanup("service", "provider", "delete", sp)
	s := object("service", "provider", "create", sp, "--auth-url", "https://sp.example/v3/OS-FEDERATION/identity_providers/x/protocols/saml2/auth",
		"--service-provider-url", "https://sp.example/Shibboleth.sso/SAML2/ECP", "--description", "parity sp")
	fields("service provider create", s, "auth_url", "description", "enabled", "id", "relay_state_prefix", "sp_url")
	if s["id"] != sp || s["enabled"] != true || s["description"] != "parity sp" || s["relay_state_prefix"] == "" ||
		s["sp_url"] != "https://sp.example/Shibboleth.sso/SAML2/ECP" {
		t.Errorf("service provider create: %v", s)
	}

	// Set: the set commands print nothing; show tells what changed.
	if out := run("identity", "provider", "set", idp, "--description", "changed", "--disable", "--authorization-ttl", "60",
		"--remote-id", "https://"+suffix+".example/c"); out != "" {
		t.Errorf("identity provider set printed %q", out)
	}
	i = object("identity", "provider", "show", idp)
	if i["description"] != "changed" || i["enabled"] != false || i["authorization_ttl"] != 60.0 ||
		!reflect.DeepEqual(i["remote_ids"], []any{"https://" + suffix + ".example/c"}) {
		t.Errorf("identity provider show after set: %v", i)
	}
	// idp2 has those remote IDs: Keystone refuses them to another one.
	if _, err := p.ours("identity", "provider", "set", idp, "--enable", "--remote-id-file", remoteFile); err == nil {
		t.Errorf("identity provider set: remote IDs of another identity provider accepted")
	}
	run("identity", "provider", "set", idp, "--enable")
	if i = object("identity", "provider", "show", idp); i["enabled"] != true || i["authorization_ttl"] != 60.0 {
		t.Errorf("identity provider show after set --enable: %v", i)
	}
	run("mapping", "set", mapping2, "--rules", rulesFile)
	run("mapping", "set", mapping2, "--rules", rules2File)
	if m = object("mapping", "show", mapping2); !reflect.DeepEqual(m["rules"], decode(rules2Text)) {
		t.Errorf("mapping show after set: %v", m)
	}
	run("federation", "protocol", "set", protocol, "--identity-provider", idp, "--mapping", mapping2)
	if pr = object("federation", "protocol", "show", protocol, "--identity-provider", idp); pr["mapping"] != mapping2 {
		t.Errorf("federation protocol show after set: %v", pr)
	}
	run("service", "provider", "set", sp, "--description", "changed sp", "--disable", "--auth-url", "https://sp2.example/auth",
		"--service-provider-url", "https://sp2.example/ecp")
	s = object("service", "provider", "show", sp)
	if s["description"] != "changed sp" || s["enabled"] != false || s["auth_url"] != "https://sp2.example/auth" || s["sp_url"] != "https://sp2.example/ecp" {
		t.Errorf("service provider show after set: %v", s)
	}

	// openstack's --id fails (python-keystoneclient's list() takes no id):
	// ours alone.
	var byID []map[string]any
	if err := json.Unmarshal([]byte(run("identity", "provider", "list", "--id", idp2, "-f", "json")), &byID); err != nil ||
		len(byID) != 1 || byID[0]["ID"] != idp2 || byID[0]["Enabled"] != false {
		t.Errorf("identity provider list --id: %v, %v", byID, err)
	}

	// Every list and show, through both CLIs.
	cases := []parityCase{
		{args: []string{"identity", "provider", "list"}},
		{args: []string{"identity", "provider", "list", "--enabled"}},
		{args: []string{"identity", "provider", "show", idp}},
		{args: []string{"identity", "provider", "show", idp2}},
		{args: []string{"mapping", "list"}},
		{args: []string{"mapping", "show", mapping}},
		{args: []string{"mapping", "show", mapping2}},
		{args: []string{"federation", "protocol", "list", "--identity-provider", idp}},
		{args: []string{"federation", "protocol", "show", protocol, "--identity-provider", idp}},
		{args: []string{"service", "provider", "list"}},
		{args: []string{"service", "provider", "show", sp}},
	}
	results := runParityCases(t, p, cases, 0, nil)
	// The lists hold the fixtures.
	for n, want := range map[int]string{0: idp, 4: mapping, 7: protocol, 9: sp} {
		if o := results[n]; o.err == nil && !strings.Contains(o.ours, `"`+want+`"`) {
			t.Errorf("%v lacks %s:\n%s", cases[n].args, want, o.ours)
		}
	}

	// Delete: a failure among several is reported after the others are
	// deleted; then the fixtures are gone.
	deleted := func(args ...string) {
		t.Helper()
		if _, err := p.ours(args...); err == nil || !strings.Contains(err.Error(), "exit 1") {
			t.Errorf("keystone %v after delete: %v, want exit 1", args, err)
		}
	}
	if _, err := p.ours("federation", "protocol", "delete", protocol, "nope-"+suffix, "--identity-provider", idp); err == nil ||
		!strings.Contains(err.Error(), "1 of 2 federation protocols failed to delete") {
		t.Errorf("federation protocol delete of an unknown protocol: %v", err)
	}
	deleted("federation", "protocol", "show", protocol, "--identity-provider", idp)
	run("identity", "provider", "delete", idp, idp2)
	deleted("identity", "provider", "show", idp)
	deleted("identity", "provider", "show", idp2)
	run("service", "provider", "delete", sp)
	deleted("service", "provider", "show", sp)
	if _, err := p.ours("mapping", "delete", mapping, mapping2, "nope-"+suffix); err == nil ||
		!strings.Contains(err.Error(), "1 of 3 mappings failed to delete") {
		t.Errorf("mapping delete of an unknown mapping: %v", err)
	}
	deleted("mapping", "show", mapping)
	deleted("mapping", "show", mapping2)
}
