// Package testenv finds the real Keystone that integration tests run against.
//
// scripts/keystone-local.sh starts one and writes its settings to an env file;
// `make integration` sources that file. Tests skip when no Keystone is
// configured, except in CI (CI=true), where a missing Keystone is a failure.
package testenv

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// Keystone describes a running Keystone and its bootstrap administrator.
type Keystone struct {
	// URL is the unversioned root, such as http://127.0.0.1:35357.
	URL           string
	AdminUser     string
	AdminPassword string
	AdminProject  string
	// Domain is the ID of the domain of the admin user and project.
	Domain string
	Region string
	// AdminToken is the server's [DEFAULT] admin_token, if it has one.
	AdminToken string
}

// String describes k without its password.
func (k Keystone) String() string {
	return fmt.Sprintf("Keystone at %s (admin %s/%s in domain %s)", k.URL, k.AdminUser, k.AdminProject, k.Domain)
}

// ErrNotConfigured means KEYSTONE_URL is not set.
var ErrNotConfigured = errors.New("no Keystone configured: set KEYSTONE_URL and KEYSTONE_ADMIN_PASSWORD " +
	"(`make integration` starts a local Keystone and sets them)")

// InCI reports whether the tests run in CI, where every test must run.
func InCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// Lookup reads the Keystone settings from the environment and checks that the
// server answers.
func Lookup() (Keystone, error) {
	k := Keystone{
		URL:           strings.TrimRight(os.Getenv("KEYSTONE_URL"), "/"),
		AdminUser:     envOr("KEYSTONE_ADMIN_USER", "admin"),
		AdminPassword: os.Getenv("KEYSTONE_ADMIN_PASSWORD"),
		AdminProject:  envOr("KEYSTONE_ADMIN_PROJECT", "admin"),
		Domain:        envOr("KEYSTONE_DOMAIN", "default"),
		Region:        envOr("KEYSTONE_REGION", "RegionOne"),
		AdminToken:    os.Getenv("KEYSTONE_ADMIN_TOKEN"),
	}
	if k.URL == "" {
		return k, ErrNotConfigured
	}
	if k.AdminPassword == "" {
		return k, errors.New("KEYSTONE_URL is set but KEYSTONE_ADMIN_PASSWORD is not")
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(k.URL + "/v3")
	if err != nil {
		return k, fmt.Errorf("Keystone at %s does not answer: %w", k.URL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return k, fmt.Errorf("Keystone at %s answers GET /v3 with %s", k.URL, resp.Status)
	}
	return k, nil
}

// Require returns the configured Keystone. Without one it skips t, or fails it
// in CI.
func Require(t testing.TB) Keystone {
	t.Helper()
	k, err := Lookup()
	if err != nil {
		if InCI() || !errors.Is(err, ErrNotConfigured) {
			t.Fatalf("Keystone required: %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	return k
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
