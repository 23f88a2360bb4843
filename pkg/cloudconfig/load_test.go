package cloudconfig_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/printtest"
	"github.com/gokeystone/keystone/pkg/cloudconfig"
	"github.com/gokeystone/keystone/pkg/keystone"
)

const twoClouds = `
clouds:
  a:
    auth:
      auth_url: http://a:5000/v3
      username: alice
      password: pw-a
      project_name: pa
      user_domain_name: Default
      project_domain_name: Default
  b:
    auth_type: v3password
    auth:
      auth_url: http://b:5000/v3
      username: bob
      password: pw-b
`

func wantAuth(t *testing.T, c *cloudconfig.Config, want map[string]string) {
	t.Helper()
	if !reflect.DeepEqual(c.Auth, want) {
		t.Errorf("Auth = %v, want %v", c.Auth, want)
	}
}

func TestSearchOrderAndSelection(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "site/openstack/clouds.yaml", "clouds: {site: {auth: {auth_url: http://site}}}")
	c := s.mustLoad(t, nil, cloudconfig.Values{})
	if c.Cloud != "site" || c.Auth["auth_url"] != "http://site" {
		t.Fatalf("site file: %v", c)
	}
	s.write(t, "home/.config/openstack/clouds.yml", "clouds: {home: {auth: {auth_url: http://home}}}")
	delete(s.env, "XDG_CONFIG_HOME")
	if c := s.mustLoad(t, nil, cloudconfig.Values{}); c.Cloud != "home" {
		t.Fatalf("~/.config file not preferred: %v", c)
	}
	s.env["XDG_CONFIG_HOME"] = s.xdg
	s.write(t, "xdg/openstack/clouds.yaml", twoClouds)
	if _, err := s.load(t, map[string]string{"OS_CLOUD": "home"}, cloudconfig.Values{}); !errors.Is(err, cloudconfig.ErrCloudNotFound) {
		t.Fatalf("XDG file not preferred: %v", err)
	}
	c = s.mustLoad(t, map[string]string{"OS_CLOUD": "b"}, cloudconfig.Values{})
	if c.Cloud != "b" || c.AuthType != "v3password" || c.File != filepath.Join(s.xdg, "openstack", "clouds.yaml") {
		t.Fatalf("OS_CLOUD=b: %v", c)
	}
	// Explicit over OS_CLOUD.
	if c := s.mustLoad(t, map[string]string{"OS_CLOUD": "b"}, cloudconfig.Values{Cloud: "a"}); c.Cloud != "a" {
		t.Fatalf("explicit cloud: %v", c)
	}
	// Two clouds and no selection: defaults only, so auth_url is missing.
	_, err := s.load(t, nil, cloudconfig.Values{})
	if !errors.Is(err, cloudconfig.ErrMissingOption) || !strings.Contains(err.Error(), "auth.auth_url") {
		t.Fatalf("no selection: %v", err)
	}
	// The current directory wins.
	s.write(t, "cwd/clouds.yaml", "clouds: {here: {auth: {auth_url: http://here}}}")
	if c := s.mustLoad(t, nil, cloudconfig.Values{}); c.Cloud != "here" {
		t.Fatalf("cwd file: %v", c)
	}
	// OS_CLIENT_CONFIG_FILE wins over all.
	p := s.write(t, "elsewhere/my.yaml", "clouds: {mine: {auth: {auth_url: http://mine}}}")
	if c := s.mustLoad(t, map[string]string{"OS_CLIENT_CONFIG_FILE": p}, cloudconfig.Values{}); c.Cloud != "mine" {
		t.Fatalf("OS_CLIENT_CONFIG_FILE: %v", c)
	}
}

func TestSecureAndProfile(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", `
clouds:
  c:
    profile: vendor
    auth:
      username: u
      project_name: p
`)
	s.write(t, "cwd/secure.yaml", "clouds: {c: {auth: {password: from-secure}}}")
	s.write(t, "xdg/openstack/clouds-public.yaml", `
public-clouds:
  vendor:
    auth:
      auth_url: http://vendor/v3
      username: vendor-user
    regions: [r1, r2]
    identity_api_version: "3"
`)
	c := s.mustLoad(t, nil, cloudconfig.Values{})
	wantAuth(t, c, map[string]string{"auth_url": "http://vendor/v3", "username": "u", "password": "from-secure",
		"project_name": "p", "project_domain_id": "default", "user_domain_id": "default"})
	if c.RegionName != "r1" || c.IdentityAPIVersion != "3" {
		t.Errorf("region %q, version %q", c.RegionName, c.IdentityAPIVersion)
	}
	// Older spelling "cloud:" and OS_CLIENT_SECURE_FILE.
	s.write(t, "cwd/clouds.yaml", "clouds: {c: {cloud: vendor, auth: {password: x}}}")
	p := s.write(t, "sec2.yaml", "clouds: {c: {auth: {password: from-override}}}")
	c = s.mustLoad(t, map[string]string{"OS_CLIENT_SECURE_FILE": p}, cloudconfig.Values{})
	if c.Auth["password"] != "from-override" || c.Auth["username"] != "vendor-user" {
		t.Errorf("cloud: profile / secure override: %v", c.Auth)
	}
	// An unknown profile is a warning, as in openstacksdk.
	s.write(t, "cwd/clouds.yaml", "clouds: {c: {profile: nowhere, auth: {auth_url: http://x}}}")
	c = s.mustLoad(t, nil, cloudconfig.Values{})
	if len(c.Warnings) != 1 {
		t.Errorf("warnings: %v", c.Warnings)
	}
}

func TestEnvCloud(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", twoClouds)
	env := map[string]string{
		"OS_AUTH_URL": "http://env/v2.0", "OS_USERNAME": "eu", "OS_PASSWORD": "epw",
		"OS_TENANT_NAME": "et", "OS_IDENTITY_API_VERSION": "2.0", "OS_USER_DOMAIN_NAME": "ignored",
		"OS_ENDPOINT_TYPE": "internalURL", "OS_INSECURE": "True", "OS_REGION_NAME": "R",
	}
	c := s.mustLoad(t, env, cloudconfig.Values{})
	if c.Cloud != cloudconfig.EnvCloudName || c.AuthType != "password" || c.Interface != "internalURL" || !c.Insecure || c.RegionName != "R" || c.File != "" {
		t.Fatalf("env cloud: %v", c)
	}
	wantAuth(t, c, map[string]string{"auth_url": "http://env/v2.0", "username": "eu", "password": "epw", "project_name": "et"})

	// Selectors alone make no cloud.
	c = s.mustLoad(t, map[string]string{"OS_CLOUD": "a", "OS_REGION_NAME": "R"}, cloudconfig.Values{})
	if c.Cloud != "a" || c.RegionName != "R" {
		t.Fatalf("selectors: %v", c)
	}
	// OS_CLOUD_NAME renames the env cloud; a file cloud of that name is an error.
	c = s.mustLoad(t, map[string]string{"OS_CLOUD_NAME": "mine", "OS_AUTH_URL": "http://x"}, cloudconfig.Values{})
	if c.Cloud != "mine" {
		t.Fatalf("OS_CLOUD_NAME: %v", c)
	}
	if _, err := s.load(t, map[string]string{"OS_CLOUD_NAME": "a", "OS_AUTH_URL": "http://x"}, cloudconfig.Values{}); !errors.Is(err, cloudconfig.ErrInvalidConfig) {
		t.Fatalf("clash: %v", err)
	}
}

func TestPrecedence(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", twoClouds)
	env := map[string]string{"OS_CLOUD": "a", "OS_PASSWORD": "env-pw", "OS_USERNAME": "env-user", "OS_PROJECT_NAME": "env-p", "OS_INTERFACE": "internal"}
	c := s.mustLoad(t, env, cloudconfig.Values{Auth: map[string]string{"password": "flag-pw"}, Interface: "admin"})
	if c.Auth["password"] != "flag-pw" || c.Auth["username"] != "env-user" || c.Auth["project_name"] != "env-p" || c.Auth["auth_url"] != "http://a:5000/v3" || c.Interface != "admin" {
		t.Fatalf("precedence: %v", c)
	}
	insecure := true
	c = s.mustLoad(t, env, cloudconfig.Values{Insecure: &insecure, CACert: "/ca.pem", RegionName: "X"})
	if !c.Insecure || c.CACert != "/ca.pem" || c.RegionName != "X" {
		t.Fatalf("explicit TLS: %v", c)
	}
}

func TestDomainsAndTenants(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", `
clouds:
  scoped:
    domain_id: d1
    auth: {auth_url: http://k, username: u, password: p, project_name: p}
  domain:
    auth: {auth_url: http://k, username: u, password: p, domain_name: dn}
  v2:
    auth_type: v2password
    auth: {auth_url: http://k, username: u, password: p, project_name: p, project_id: pid}
  tenant:
    tenant_name: tn
    auth: {auth_url: http://k, username: u, password: p}
  dd:
    identity_api_version: 3
    auth: {auth_url: http://k, username: u, password: p, project_name: p, user_domain_name: ud}
`)
	cases := map[string]map[string]string{
		"scoped": {"auth_url": "http://k", "username": "u", "password": "p", "project_name": "p", "user_domain_id": "d1", "project_domain_id": "d1"},
		"domain": {"auth_url": "http://k", "username": "u", "password": "p", "domain_name": "dn"},
		"v2":     {"auth_url": "http://k", "username": "u", "password": "p", "tenant_name": "p", "tenant_id": "pid"},
		"tenant": {"auth_url": "http://k", "username": "u", "password": "p", "project_name": "tn"},
		"dd":     {"auth_url": "http://k", "username": "u", "password": "p", "project_name": "p", "user_domain_name": "ud", "project_domain_id": "mydom"},
	}
	for name, want := range cases {
		c := s.mustLoad(t, map[string]string{"OS_CLOUD": name, "OS_DEFAULT_DOMAIN": "mydom"}, cloudconfig.Values{})
		if !reflect.DeepEqual(c.Auth, want) {
			t.Errorf("%s: Auth = %v, want %v", name, c.Auth, want)
		}
	}
}

func TestRegions(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", `
clouds:
  r:
    auth: {auth_url: http://k, username: u, password: p}
    regions:
      - name: one
      - name: two
        values:
          interface: internal
          auth: {password: two-pw}
  c:
    region_name: x,y
    verify: false
    auth: {auth_url: http://k}
`)
	c := s.mustLoad(t, map[string]string{"OS_CLOUD": "r"}, cloudconfig.Values{})
	if c.RegionName != "one" || c.Interface != "public" {
		t.Fatalf("first region: %v", c)
	}
	c = s.mustLoad(t, map[string]string{"OS_CLOUD": "r", "OS_REGION_NAME": "two"}, cloudconfig.Values{})
	if c.RegionName != "two" || c.Interface != "internal" || c.Auth["password"] != "two-pw" {
		t.Fatalf("second region: %v", c)
	}
	_, err := s.load(t, map[string]string{"OS_CLOUD": "r"}, cloudconfig.Values{RegionName: "Two"})
	var e *cloudconfig.Error
	if !errors.Is(err, cloudconfig.ErrRegionNotFound) || !errors.As(err, &e) || e.Cloud != "r" || e.File == "" {
		t.Fatalf("bad region: %v", err)
	}
	c = s.mustLoad(t, map[string]string{"OS_CLOUD": "c"}, cloudconfig.Values{RegionName: "y"})
	if c.RegionName != "y" || !c.Insecure {
		t.Fatalf("comma list / verify false: %v", c)
	}
}

func TestAuthTypes(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", `
clouds:
  ac: {auth_type: v3applicationcredential, auth: {auth_url: http://k/v3, application_credential_id: id, application_credential_secret: s}}
  acmissing: {auth_type: v3applicationcredential, auth: {auth_url: http://k/v3, application_credential_id: id}}
  tok: {auth_type: v3token, auth: {auth_url: http://k/v3, token: t, project_id: p}}
  gtok: {auth: {auth_url: http://k, token: t}}
  mfa: {auth_type: v3multifactor, auth: {auth_url: http://k/v3, auth_methods: [v3password, v3totp], username: u, user_domain_id: default, password: p, passcode: "123456"}}
  admin: {auth_type: token_endpoint, auth: {url: http://k/v3, token: t}}
  none: {auth_type: none, auth: {endpoint: http://baremetal}}
  unknown: {auth_type: v3vendorsso, auth: {auth_url: http://k}}
  totp: {auth_type: v3totp, auth: {auth_url: http://k/v3, username: u, user_domain_id: d}}
`)
	for name, want := range map[string]string{"ac": "v3applicationcredential", "tok": "v3token", "gtok": "password",
		"mfa": "v3multifactor", "admin": "admin_token", "none": "none", "totp": "v3totp"} {
		c := s.mustLoad(t, map[string]string{"OS_CLOUD": name, "OS_PASSCODE": "654321"}, cloudconfig.Values{})
		if c.AuthType != want {
			t.Errorf("%s: auth_type %q, want %q", name, c.AuthType, want)
		}
		sess, err := c.NewSession(keystone.WithUserAgent("cloudconfig-test", "0"))
		if err != nil || sess == nil {
			t.Errorf("%s: NewSession: %v", name, err)
		}
	}
	c := s.mustLoad(t, map[string]string{"OS_CLOUD": "mfa"}, cloudconfig.Values{})
	if c.Auth["auth_methods"] != "v3password,v3totp" || c.Auth["passcode"] != "123456" {
		t.Errorf("mfa auth: %v", c)
	}
	c = s.mustLoad(t, map[string]string{"OS_CLOUD": "admin"}, cloudconfig.Values{})
	if c.Auth["endpoint"] != "http://k/v3" {
		t.Errorf("url is endpoint's older name: %v", c)
	}
	_, err := s.load(t, map[string]string{"OS_CLOUD": "acmissing"}, cloudconfig.Values{})
	var e *cloudconfig.Error
	if !errors.As(err, &e) || !errors.Is(err, cloudconfig.ErrMissingOption) || e.Option != "auth.application_credential_secret" || e.Cloud != "acmissing" || e.File != filepath.Join(s.cwd, "clouds.yaml") {
		t.Errorf("missing secret: %v", err)
	}
	if _, err := s.load(t, map[string]string{"OS_CLOUD": "unknown"}, cloudconfig.Values{}); !errors.Is(err, cloudconfig.ErrUnknownAuthType) {
		t.Errorf("unknown auth type: %v", err)
	}
	// The registry is extensible.
	cloudconfig.Register("v3vendorsso", cloudconfig.Plugin{
		Options: []cloudconfig.Option{{Name: "auth_url", Required: true}, {Name: "password", Secret: true}},
		New: func(c *cloudconfig.Config, _ ...keystone.AuthOption) (keystone.AuthPlugin, error) {
			return nil, errors.New("not built in this test")
		},
	})
	c = s.mustLoad(t, map[string]string{"OS_CLOUD": "unknown"}, cloudconfig.Values{})
	if _, err := c.Plugin(); !errors.Is(err, cloudconfig.ErrInvalidConfig) {
		t.Errorf("registered plugin: %v", err)
	}
}

func TestInvalidFile(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", "clouds: [\n  password: hunter2-secret\n")
	_, err := s.load(t, nil, cloudconfig.Values{})
	if !errors.Is(err, cloudconfig.ErrInvalidFile) || !strings.Contains(err.Error(), "clouds.yaml") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("invalid file: %v", err)
	}
}

// TestConfigShowsNoSecret prints a Config and the errors of Load every way a
// program may.
func TestConfigShowsNoSecret(t *testing.T) {
	secrets := []string{"pw-secret-1", "tok-secret-2", "ac-secret-3", "987123"}
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", `
clouds:
  x:
    auth_type: v3multifactor
    auth:
      auth_url: http://k/v3
      auth_methods: v3password,v3token,v3totp,v3applicationcredential
      username: u
      password: pw-secret-1
      token: tok-secret-2
      application_credential_id: id
      application_credential_secret: ac-secret-3
      passcode: "987123"
  y:
    auth_type: v3applicationcredential
    auth: {auth_url: http://k/v3, application_credential_name: n, password: pw-secret-1, token: tok-secret-2, passcode: "987123"}
`)
	c := s.mustLoad(t, map[string]string{"OS_CLOUD": "x"}, cloudconfig.Values{})
	if c.Auth["token"] != "tok-secret-2" {
		t.Fatalf("Auth lost the token: %v", c)
	}
	_, err := s.load(t, map[string]string{"OS_CLOUD": "y"}, cloudconfig.Values{})
	if err == nil {
		t.Fatal("no error for a missing secret")
	}
	for _, v := range []any{*c, c, err} {
		for how, out := range printtest.Renderings(v) {
			for _, sec := range secrets {
				if strings.Contains(out, sec) {
					t.Errorf("%T %s shows a secret: %s", v, how, out)
				}
			}
		}
	}
	if !strings.Contains(c.String(), "auth.username=\"u\"") {
		t.Errorf("String lost non-secrets: %s", c)
	}
}
