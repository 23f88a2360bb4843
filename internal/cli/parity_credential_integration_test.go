//go:build integration

package cli_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestParityCredentials compares the credential, application credential,
// access rule, trust and ec2 credentials commands with openstack's: fixtures
// made with our CLI, then every list and show through both; the create
// commands are compared too, but for the members that differ per call.
func TestParityCredentials(t *testing.T) {
	p := newParityEnv(t)
	k := p.k

	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	suffix := hex.EncodeToString(rnd[:])
	// object runs one of our commands with -f json and decodes its output.
	object := func(args ...string) map[string]any {
		t.Helper()
		return oursJSON[map[string]any](t, p, args...)
	}
	// cleanup runs one of our commands at the end of the test.
	cleanup := func(args ...string) {
		t.Cleanup(func() {
			if _, err := p.ours(args...); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
	}

	// Fixtures. Cleanups run last-in first-out: the user goes last.
	user := "parity-cred-" + suffix
	u := object("user", "create", user, "--domain", k.Domain)
	uid := u["id"].(string)
	cleanup("user", "delete", uid)

	cred := object("credential", "create", user, "seed-"+suffix, "--type", "totp", "--project", k.AdminProject)
	cleanup("credential", "delete", cred["id"].(string))
	cert := object("credential", "create", uid, `{"cert": "`+suffix+`"}`)
	cleanup("credential", "delete", cert["id"].(string))

	rules := `[{"method": "GET", "path": "/v2.1/servers/` + suffix + `", "service": "compute"}]`
	appName := "parity-app-" + suffix
	secret := "parity-secret-" + suffix
	ac := object("application", "credential", "create", appName, "--secret", secret, "--role", "admin",
		"--expiration", "2099-01-02T03:04:05", "--description", "parity test", "--access-rules", rules)
	if ac["secret"] != secret {
		t.Errorf("application credential create: secret %v", ac["secret"])
	}
	ruleID := ac["access_rules"].([]any)[0].(map[string]any)["id"].(string)
	cleanup("access", "rule", "delete", ruleID)
	cleanup("application", "credential", "delete", appName)

	trust := object("trust", "create", "--project", k.AdminProject, "--role", "admin", "--expiration", "2098-01-01T00:00:00",
		k.AdminUser, user)
	trustID := trust["id"].(string)
	cleanup("trust", "delete", trustID)

	ec2User := object("ec2", "credentials", "create", "--user", user, "--project", k.AdminProject)
	cleanup("ec2", "credentials", "delete", ec2User["access"].(string), "--user", uid)
	ec2Admin := object("ec2", "credentials", "create")
	cleanup("ec2", "credentials", "delete", ec2Admin["access"].(string))

	cases := []parityCase{
		{args: []string{"credential", "list"}},
		{args: []string{"credential", "list", "--user", user, "--user-domain", k.Domain}},
		{args: []string{"credential", "list", "--user", uid, "--type", "totp"}},
		{args: []string{"credential", "show", cred["id"].(string)}},
		{args: []string{"credential", "show", cert["id"].(string)}},
		{args: []string{"application", "credential", "list"}},
		{args: []string{"application", "credential", "list", "--user", k.AdminUser, "--user-domain", k.Domain}},
		{args: []string{"application", "credential", "show", appName}},
		{args: []string{"application", "credential", "show", ac["id"].(string)}},
		{args: []string{"access", "rule", "list"}},
		{args: []string{"access", "rule", "show", ruleID}},
		{args: []string{"trust", "list"}},
		{args: []string{"trust", "show", trustID}},
		{args: []string{"ec2", "credentials", "list"}},
		{args: []string{"ec2", "credentials", "list", "--user", user}},
		{args: []string{"ec2", "credentials", "show", ec2Admin["access"].(string)}},
		{args: []string{"ec2", "credentials", "show", ec2User["access"].(string), "--user", user, "--user-domain", k.Domain}},
	}

	runParityCases(t, p, cases, 0, func(t *testing.T, c parityCase, o parityOutputs) {
		// Only application credential create prints the secret.
		if strings.Contains(o.ours, secret) {
			t.Errorf("%s prints the application credential's secret", strings.Join(c.args, " "))
		}
	})

	// The create commands: the same command through both, compared but for
	// the members that differ per call. What openstack creates is deleted
	// with our CLI.
	t.Run("credential_create", func(t *testing.T) {
		args := []string{"credential", "create", user, "data-" + suffix, "--type", "cert", "--project", k.AdminProject}
		theirs, ours := createPair(t, p, args, func(m map[string]any) []string {
			return []string{"credential", "delete", m["id"].(string)}
		})
		if err := compareExcept(theirs, ours, "id"); err != nil {
			t.Errorf("credential create differs: %v\nopenstack:\n%s\nkeystone:\n%s", err, theirs, ours)
		}
	})
	t.Run("application_credential_create", func(t *testing.T) {
		var n int
		theirs, ours := createPairArgs(t, p, func() []string {
			n++
			return []string{"application", "credential", "create", fmt.Sprintf("parity-app%d-%s", n, suffix), "--role", "admin",
				"--description", "parity create", "--expiration", "2097-05-06T07:08:09", "--access-rules", rules}
		}, func(m map[string]any) []string {
			return []string{"application", "credential", "delete", m["id"].(string)}
		})
		if err := compareExcept(theirs, ours, "id", "name", "secret"); err != nil {
			t.Errorf("application credential create differs: %v\nopenstack:\n%s\nkeystone:\n%s", err, theirs, ours)
		}
	})
	t.Run("trust_create", func(t *testing.T) {
		// Keystone refuses a second trust identical to the first (409):
		// the two differ by their expiry.
		var n int
		theirs, ours := createPairArgs(t, p, func() []string {
			n++
			return []string{"trust", "create", "--project", k.AdminProject, "--project-domain", k.Domain, "--role", "admin", "--impersonate",
				"--expiration", fmt.Sprintf("209%d-01-01T00:00:00", n), "--trustor-domain", k.Domain, "--trustee-domain", k.Domain, k.AdminUser, user}
		}, func(m map[string]any) []string {
			return []string{"trust", "delete", m["id"].(string)}
		})
		if err := compareExcept(theirs, ours, "id", "expires_at"); err != nil {
			t.Errorf("trust create differs: %v\nopenstack:\n%s\nkeystone:\n%s", err, theirs, ours)
		}
	})
	t.Run("ec2_credentials_create", func(t *testing.T) {
		args := []string{"ec2", "credentials", "create", "--user", user, "--user-domain", k.Domain, "--project", k.AdminProject, "--project-domain", k.Domain}
		theirs, ours := createPair(t, p, args, func(m map[string]any) []string {
			return []string{"ec2", "credentials", "delete", m["access"].(string), "--user", uid}
		})
		if err := compareExcept(theirs, ours, "access", "secret", "links"); err != nil {
			t.Errorf("ec2 credentials create differs: %v\nopenstack:\n%s\nkeystone:\n%s", err, theirs, ours)
		}
	})
}

// createPair runs the same create command through openstack and through our
// CLI (-f json), and registers the deletion (del's command, ours) of both.
func createPair(t *testing.T, p *parityEnv, args []string, del func(map[string]any) []string) (theirs, ours string) {
	t.Helper()
	return createPairArgs(t, p, func() []string { return args }, del)
}

// createPairArgs is createPair with the arguments of each call from next
// (first openstack's, then ours).
func createPairArgs(t *testing.T, p *parityEnv, next func() []string, del func(map[string]any) []string) (theirs, ours string) {
	t.Helper()
	for i, run := range []func(...string) (string, error){p.theirs, p.ours} {
		out, err := run(append(next(), "-f", "json")...)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("create output %q: %v", out, err)
		}
		cmd := del(m)
		t.Cleanup(func() {
			if _, err := p.ours(cmd...); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
		if i == 0 {
			theirs = out
		} else {
			ours = out
		}
	}
	return theirs, ours
}

// compareExcept compares two -f json objects as compareJSON does, but for
// the fields that differ per call, which both must print (non-null).
func compareExcept(theirs, ours string, except ...string) error {
	if err := sameColumns(theirs, ours); err != nil {
		return err
	}
	var a, b map[string]any
	if err := decodeJSON(theirs, &a); err != nil {
		return fmt.Errorf("openstack output: %v", err)
	}
	if err := decodeJSON(ours, &b); err != nil {
		return fmt.Errorf("keystone output: %v", err)
	}
	for _, f := range except {
		if a[f] == nil || b[f] == nil {
			return fmt.Errorf("%s: openstack %v, keystone %v", f, a[f], b[f])
		}
		delete(a, f)
		delete(b, f)
	}
	if !reflect.DeepEqual(a, b) {
		return fmt.Errorf("values differ")
	}
	return nil
}
