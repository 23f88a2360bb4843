// Command clitour is `make demo`: a short scripted tour of the keystone
// command line. It starts the in-memory Keystone of pkg/keystonetest (or
// uses the one KEYSTONE_URL names, as `make demo KEYSTONE=local` sets it),
// writes a throw-away clouds.yaml for it, and runs, as a user would type
// them, token issue, catalog list, project create and list, user create,
// role add and role assignment list --names, printing each command and its
// output. Each command goes through the same code as the keystone binary
// (internal/cli.Run), with an environment of its own: the machine's
// clouds.yaml, OS_* variables and token cache are never read.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/gokeystone/keystone/internal/cli"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// cloud is what the tour's clouds.yaml says of its one cloud, "demo".
type cloud struct {
	authURL, username, password, project, domain, region string
}

func main() {
	c, stop, err := keystoneFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "clitour:", err)
		os.Exit(1)
	}
	defer stop()
	if err := tour(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "clitour:", err)
		stop()
		os.Exit(1)
	}
}

// keystoneFromEnv returns the Keystone of KEYSTONE_URL (with the
// KEYSTONE_ADMIN_* variables scripts/keystone-local.sh writes), else starts
// an in-memory one.
func keystoneFromEnv() (cloud, func(), error) {
	if u := os.Getenv("KEYSTONE_URL"); u != "" {
		get := func(k, def string) string {
			if v := os.Getenv(k); v != "" {
				return v
			}
			return def
		}
		return cloud{authURL: strings.TrimRight(u, "/") + "/v3", username: get("KEYSTONE_ADMIN_USER", "admin"),
			password: os.Getenv("KEYSTONE_ADMIN_PASSWORD"), project: get("KEYSTONE_ADMIN_PROJECT", "admin"),
			domain: get("KEYSTONE_DOMAIN", "default"), region: get("KEYSTONE_REGION", "RegionOne")}, func() {}, nil
	}
	ks, err := keystonetest.Start()
	if err != nil {
		return cloud{}, nil, err
	}
	return cloud{authURL: ks.AuthURL(), username: ks.AdminUser, password: ks.AdminPassword,
		project: ks.AdminProject, domain: ks.DomainID, region: ks.Region}, ks.Close, nil
}

// tour writes the clouds.yaml in a temporary directory and runs the
// commands against it, stopping at the first that fails.
func tour(ctx context.Context, w io.Writer, c cloud) error {
	dir, err := os.MkdirTemp("", "keystone-tour-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	clouds := map[string]any{"clouds": map[string]any{"demo": map[string]any{
		"auth": map[string]any{
			"auth_url": c.authURL, "username": c.username, "password": c.password,
			"project_name": c.project, "user_domain_id": c.domain, "project_domain_id": c.domain,
		},
		"region_name":          c.region,
		"interface":            "public",
		"identity_api_version": 3,
	}}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(clouds); err != nil {
		return err
	}
	data := buf.Bytes()
	file := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(w, "# A throw-away clouds.yaml for %s (the password is not shown):\n\n", c.authURL)
	fmt.Fprintf(w, "%s\n", bytes.ReplaceAll(data, []byte(c.password), []byte("<password>")))

	// Names of this run: a real Keystone keeps what the tour creates.
	var rnd [3]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	suffix := hex.EncodeToString(rnd[:])
	project, user := "tour-"+suffix, "alice-"+suffix
	environ := []string{"HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"OS_CLIENT_CONFIG_FILE=" + file, "OS_CLOUD=demo"}
	steps := []struct {
		stdin string
		args  []string
	}{
		{args: []string{"token", "issue", "-c", "expires", "-c", "project_id", "-c", "user_id"}},
		{args: []string{"catalog", "list"}},
		{args: []string{"project", "create", project, "--domain", c.domain, "--description", "made by the tour"}},
		{args: []string{"project", "list", "--sort-column", "Name"}},
		{stdin: "tour-secret-" + suffix + "\n", args: []string{"user", "create", user, "--domain", c.domain, "--project", project, "--password-prompt", "-f", "yaml"}},
		{args: []string{"role", "add", "--user", user, "--user-domain", c.domain, "--project", project, "--project-domain", c.domain, "member"}},
		{args: []string{"role", "assignment", "list", "--user", user, "--user-domain", c.domain, "--names"}},
		{args: []string{"user", "delete", user, "--domain", c.domain}},
		{args: []string{"project", "delete", project, "--domain", c.domain}},
	}
	for _, s := range steps {
		fmt.Fprintf(w, "$ keystone %s\n", strings.Join(s.args, " "))
		if s.stdin != "" {
			fmt.Fprintln(w, "(password read from standard input)")
		}
		var stderr bytes.Buffer
		if code := cli.Run(ctx, s.args, strings.NewReader(s.stdin), w, &stderr, environ); code != 0 {
			return fmt.Errorf("keystone %s: exit status %d: %s", strings.Join(s.args, " "), code, strings.TrimSpace(stderr.String()))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "# One authentication served every command: the token was cached under $XDG_CACHE_HOME/gokeystone/tokens.")
	return nil
}
