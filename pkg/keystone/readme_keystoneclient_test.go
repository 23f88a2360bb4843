package keystone_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// seedModules are the modules of python-keystoneclient 5.0 (its package tree
// without tests), which the README's "Coming from python-keystoneclient"
// table must cover.
var seedModules = strings.Fields(`_discover access adapter auth auth.base auth.cli auth.conf auth.identity
auth.identity.access auth.identity.base auth.identity.generic auth.identity.generic.base auth.identity.generic.cli
auth.identity.generic.password auth.identity.generic.token auth.identity.v2 auth.identity.v3 auth.identity.v3.base
auth.identity.v3.federated auth.identity.v3.password auth.identity.v3.token auth.token_endpoint base baseclient client
common common.cms contrib contrib.auth contrib.auth.v3 contrib.auth.v3.oidc contrib.auth.v3.saml2 contrib.ec2
contrib.ec2.utils discover exceptions fixture fixture.discovery fixture.exception fixture.v2 fixture.v3 generic
generic.client httpclient i18n service_catalog session utils v2_0 v2_0.certificates v2_0.client v2_0.ec2
v2_0.endpoints v2_0.extensions v2_0.roles v2_0.services v2_0.tenants v2_0.tokens v2_0.users v3 v3.access_rules
v3.application_credentials v3.auth v3.client v3.contrib v3.contrib.endpoint_filter v3.contrib.endpoint_policy
v3.contrib.federation v3.contrib.federation.base v3.contrib.federation.core v3.contrib.federation.domains
v3.contrib.federation.identity_providers v3.contrib.federation.mappings v3.contrib.federation.projects
v3.contrib.federation.protocols v3.contrib.federation.saml v3.contrib.federation.service_providers
v3.contrib.oauth1 v3.contrib.oauth1.access_tokens v3.contrib.oauth1.auth v3.contrib.oauth1.consumers
v3.contrib.oauth1.core v3.contrib.oauth1.request_tokens v3.contrib.oauth1.utils v3.contrib.simple_cert
v3.contrib.trusts v3.credentials v3.domain_configs v3.domains v3.ec2 v3.endpoint_groups v3.endpoints v3.groups
v3.limits v3.policies v3.projects v3.regions v3.registered_limits v3.role_assignments v3.roles v3.services
v3.system v3.tokens v3.users`)

// TestREADMEKeystoneclientTable holds the README's "Coming from
// python-keystoneclient" table to the seed: every module has a row (by its
// dotted name, or its parent's with the module's name in the same row), and
// every row but the N/A ones names tests that exist in the repository.
func TestREADMEKeystoneclientTable(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## Coming from python-keystoneclient")
	if start < 0 {
		t.Fatal("no \"Coming from python-keystoneclient\" section")
	}
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var rows []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| ---") && !strings.HasPrefix(line, "| keystoneclient |") {
			rows = append(rows, line)
		}
	}
	if len(rows) < 30 {
		t.Fatalf("%d rows", len(rows))
	}
	covered := func(mod string) bool {
		for _, r := range rows {
			if strings.Contains(r, mod) {
				return true
			}
			if i := strings.LastIndex(mod, "."); i > 0 && strings.Contains(r, mod[:i]) &&
				regexp.MustCompile(`\b`+regexp.QuoteMeta(mod[i+1:])+`\b`).MatchString(r) {
				return true
			}
		}
		return false
	}
	for _, m := range seedModules {
		if !covered(m) {
			t.Errorf("module %s: no row", m)
		}
	}
	// The tests the rows name exist.
	have := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Example)[A-Za-z0-9_]*)\(`)
	err = filepath.WalkDir(filepath.Join("..", ".."), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			have[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile("`((?:Test|Example)[A-Za-z0-9_]*)`")
	for _, r := range rows {
		cells := strings.Split(r, " | ")
		tests := cells[len(cells)-1]
		found := name.FindAllStringSubmatch(tests, -1)
		if len(found) == 0 && !strings.Contains(r, "N/A") && !strings.Contains(r, "have rows of their own") {
			t.Errorf("row without a test: %s", r)
		}
		for _, m := range found {
			if !have[m[1]] {
				t.Errorf("row names %s, which no test file declares: %s", m[1], r)
			}
		}
	}
}
