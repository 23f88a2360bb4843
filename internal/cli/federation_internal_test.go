package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadRemoteIDs checks that --remote-id-file is read as openstack reads
// it: one remote ID a line, each trimmed (blank lines skipped here).
func TestReadRemoteIDs(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ids")
	if err := os.WriteFile(p, []byte("\n  https://idp.example.com/saml  \r\nhttps://other.example\n\n\tthird\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readRemoteIDs(p)
	if want := []string{"https://idp.example.com/saml", "https://other.example", "third"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("readRemoteIDs: %q, %v; want %q", got, err, want)
	}
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := readRemoteIDs(p); err != nil || got == nil || len(got) != 0 {
		t.Errorf("readRemoteIDs of an empty file: %q, %v; want an empty list", got, err)
	}
}

// TestReadRules checks that a --rules file is read into the rules Keystone
// is sent, every member kept.
func TestReadRules(t *testing.T) {
	const text = `[
	  {"local": [{"user": {"name": "{0}", "type": "ephemeral"}}, {"group": {"name": "g", "domain": {"id": "default"}}},
	             {"groups": "{1}", "domain": {"name": "Default"}}, {"projects": [{"name": "p", "roles": [{"name": "member"}]}]}],
	   "remote": [{"type": "REMOTE_USER"}, {"type": "GROUPS", "whitelist": ["a", "b"], "regex": true},
	              {"type": "orgPersonType", "any_one_of": ["Employee"]}, {"type": "X", "not_any_of": ["y"]}, {"type": "Z", "blacklist": ["w"]}]}
	]`
	p := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	rules, err := readRules(p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(rules)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(text), &b); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("readRules:\n got %s\nwant %s", ja, jb)
	}
}

// TestListColumn checks that remote IDs print as cliff's ListColumn prints
// them: joined by ", " in tables and values, a list (never null) in JSON.
func TestListColumn(t *testing.T) {
	if s := pyStr(listColumn{"a", "b"}); s != "a, b" {
		t.Errorf("pyStr: %q", s)
	}
	if s := pyStr(listColumn(nil)); s != "" {
		t.Errorf("pyStr of none: %q", s)
	}
	for _, c := range []struct {
		v    listColumn
		want string
	}{{nil, "[]"}, {listColumn{}, "[]"}, {listColumn{"a"}, `["a"]`}} {
		if got, err := json.Marshal(c.v); err != nil || string(got) != c.want {
			t.Errorf("json of %#v: %s, %v", c.v, got, err)
		}
	}
}
