package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFederationUsageErrors checks that the mistakes on the command line of
// the federation commands (identity provider, mapping, federation protocol,
// service provider) are usage errors, exit status 2 on one line, before any
// request (the in-memory Keystone does not serve federation).
func TestFederationUsageErrors(t *testing.T) {
	e := newEnv(t)
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "REMOTE_USER"}]}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		// Missing or extra positional arguments.
		{"identity", "provider", "show"},
		{"identity", "provider", "show", "a", "b"},
		{"identity", "provider", "create"},
		{"identity", "provider", "set"},
		{"identity", "provider", "delete"},
		{"identity", "provider", "list", "extra"},
		{"mapping", "show"},
		{"mapping", "create", "--rules", rules},
		{"mapping", "set"},
		{"mapping", "delete"},
		{"federation", "protocol", "show", "--identity-provider", "idp"},
		{"federation", "protocol", "create", "--identity-provider", "idp", "--mapping", "m"},
		{"federation", "protocol", "delete", "--identity-provider", "idp"},
		{"service", "provider", "show"},
		{"service", "provider", "create", "--auth-url", "http://a", "--service-provider-url", "http://b"},
		{"service", "provider", "delete"},
		// Unknown commands and flags, bad values.
		{"identity", "frobnicate"},
		{"identity", "provider", "frobnicate"},
		{"federation", "protocol", "frobnicate"},
		{"service", "provider", "frobnicate"},
		{"identity", "provider", "list", "--no-such-flag"},
		{"identity", "provider", "list", "-f", "xml"},
		{"identity", "provider", "show", "idp", "-f", "csv"},
		{"mapping", "list", "-f", "shell"},
		{"service", "provider", "list", "--long"},
		{"identity", "provider", "create", "idp", "--authorization-ttl", "soon"},
		{"identity", "provider", "set", "idp", "--authorization-ttl", "1.5"},
		// Required options.
		{"mapping", "create", "m"},
		{"mapping", "set", "m"},
		{"federation", "protocol", "list"},
		{"federation", "protocol", "show", "p"},
		{"federation", "protocol", "create", "p", "--mapping", "m"},
		{"federation", "protocol", "create", "p", "--identity-provider", "idp"},
		{"federation", "protocol", "set", "p", "--mapping", "m"},
		{"federation", "protocol", "set", "p", "--identity-provider", "idp"},
		{"federation", "protocol", "delete", "p"},
		{"service", "provider", "create", "sp", "--auth-url", "http://a"},
		{"service", "provider", "create", "sp", "--service-provider-url", "http://b"},
		// Mutually exclusive options.
		{"identity", "provider", "create", "idp", "--enable", "--disable"},
		{"identity", "provider", "set", "idp", "--enable", "--disable"},
		{"identity", "provider", "create", "idp", "--remote-id", "a", "--remote-id-file", rules},
		{"identity", "provider", "set", "idp", "--remote-id", "a", "--remote-id-file", rules},
		{"service", "provider", "create", "sp", "--auth-url", "http://a", "--service-provider-url", "http://b", "--enable", "--disable"},
		{"service", "provider", "set", "sp", "--disable", "--enable"},
	} {
		e.fails(2, args...)
	}

	// The messages are argparse's.
	msg := e.fails(2, "identity", "provider", "create", "idp", "--enable", "--disable")
	if !strings.Contains(msg, "argument --disable: not allowed with argument --enable") {
		t.Errorf("--enable --disable: %q", msg)
	}
	msg = e.fails(2, "identity", "provider", "set", "idp", "--remote-id-file", "f", "--remote-id", "a")
	if !strings.Contains(msg, "not allowed with argument") || !strings.Contains(msg, "--remote-id-file") {
		t.Errorf("--remote-id-file --remote-id: %q", msg)
	}
	msg = e.fails(2, "federation", "protocol", "create", "p")
	if !strings.Contains(msg, "the following arguments are required: --identity-provider, --mapping") {
		t.Errorf("protocol create without options: %q", msg)
	}
	msg = e.fails(2, "mapping", "create", "m")
	if !strings.Contains(msg, "the following arguments are required: --rules") {
		t.Errorf("mapping create without --rules: %q", msg)
	}
}

// TestFederationBadFiles checks that the --rules and --remote-id-file files
// that cannot be read or parsed fail as openstack's do: exit status 1, on
// one line, naming the file, before any request.
func TestFederationBadFiles(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing.json")
	for _, c := range []struct {
		name, path, want string
	}{
		{"missing", missing, "error occurred trying to read from file " + missing},
		{"directory", dir, "error occurred trying to read from file " + dir},
		{"empty", write("empty.json", "  \n"), "an error occurred when reading rules from file"},
		{"truncated", write("truncated.json", `[{"local": [`), "an error occurred when reading rules from file"},
		{"trailing", write("trailing.json", `[] []`), "an error occurred when reading rules from file"},
		{"object", write("object.json", `{"rules": []}`), "the rules must be a JSON list"},
		{"not objects", write("strings.json", `["a"]`), "an error occurred when reading rules from file"},
		{"unknown member", write("unknown.json", `[{"local": [{"user": {"name": "{0}"}}], "remotes": [{"type": "X"}]}]`), `unknown field "remotes"`},
		{"wrong type", write("type.json", `[{"local": [], "remote": [{"type": 1}]}]`), "an error occurred when reading rules from file"},
	} {
		for _, cmd := range [][]string{
			{"mapping", "create", "m", "--rules", c.path},
			{"mapping", "set", "m", "--rules", c.path},
		} {
			msg := e.fails(1, cmd...)
			if !strings.Contains(msg, c.want) {
				t.Errorf("%s rules file, %s: %q, want %q", c.name, cmd[1], msg, c.want)
			}
		}
	}
	for _, cmd := range [][]string{
		{"identity", "provider", "create", "idp", "--remote-id-file", missing},
		{"identity", "provider", "set", "idp", "--remote-id-file", missing},
	} {
		msg := e.fails(1, cmd...)
		if !strings.Contains(msg, "error occurred trying to read from file "+missing) {
			t.Errorf("%s with a missing --remote-id-file: %q", cmd[2], msg)
		}
	}
}
