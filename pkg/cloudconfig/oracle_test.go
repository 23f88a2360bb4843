//go:build integration

package cloudconfig_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/cloudconfig"
)

// oracleCase is a configuration given both to Load and to the openstack CLI
// (`openstack configuration show`), whose resolved settings must agree.
type oracleCase struct {
	name  string
	files map[string]string // relative to the sandbox root
	env   map[string]string
	// values are also given to the CLI as the equivalent flags.
	values cloudconfig.Values
}

func yes() *bool { b := true; return &b }

var oracleCases = []oracleCase{
	{name: "file-single-cloud-cwd", files: map[string]string{"cwd/clouds.yaml": twoClouds[:strings.Index(twoClouds, "  b:")]}},
	{name: "file-xdg-os-cloud", files: map[string]string{"xdg/openstack/clouds.yaml": twoClouds}, env: map[string]string{"OS_CLOUD": "b"}},
	{name: "file-home-config-yml", files: map[string]string{"home/.config/openstack/clouds.yml": twoClouds}, env: map[string]string{"OS_CLOUD": "a", "XDG_CONFIG_HOME": ""}},
	{name: "env-v3-password-default-domain", env: map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_PROJECT_NAME": "pr", "OS_IDENTITY_API_VERSION": "3"}},
	{name: "env-v2-tenant", env: map[string]string{"OS_AUTH_URL": "http://k/v2.0", "OS_USERNAME": "u", "OS_PASSWORD": "p", "OS_TENANT_NAME": "t", "OS_TENANT_ID": "tid", "OS_IDENTITY_API_VERSION": "2.0", "OS_USER_DOMAIN_NAME": "d"}},
	{name: "env-appcred", env: map[string]string{"OS_AUTH_TYPE": "v3applicationcredential", "OS_AUTH_URL": "http://k/v3", "OS_APPLICATION_CREDENTIAL_ID": "acid", "OS_APPLICATION_CREDENTIAL_SECRET": "acs"}},
	{name: "env-appcred-by-name", env: map[string]string{"OS_AUTH_TYPE": "v3applicationcredential", "OS_AUTH_URL": "http://k/v3", "OS_APPLICATION_CREDENTIAL_NAME": "acn", "OS_APPLICATION_CREDENTIAL_SECRET": "acs", "OS_USERNAME": "u", "OS_USER_DOMAIN_ID": "default"}},
	{name: "env-token", env: map[string]string{"OS_AUTH_TYPE": "v3token", "OS_AUTH_URL": "http://k/v3", "OS_TOKEN": "tok", "OS_PROJECT_ID": "pid"}},
	{name: "env-totp", env: map[string]string{"OS_AUTH_TYPE": "v3totp", "OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_PASSCODE": "123456", "OS_IDENTITY_API_VERSION": "3"}},
	{name: "env-endpoint-type", env: map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_ENDPOINT_TYPE": "internalURL"}},
	{name: "env-interface", env: map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_INTERFACE": "admin"}},
	{name: "env-insecure-tls-files", env: map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_INSECURE": "true", "OS_CACERT": "/ca.pem", "OS_CERT": "/c.pem", "OS_KEY": "/k.pem"}},
	{name: "env-system-scope-trust", env: map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_USER_ID": "uid", "OS_PASSWORD": "p", "OS_SYSTEM_SCOPE": "all", "OS_TRUST_ID": "tr"}},
	{name: "env-domain-scope", env: map[string]string{"OS_AUTH_URL": "http://k/v3", "OS_USERNAME": "u", "OS_DOMAIN_NAME": "dn", "OS_USER_DOMAIN_ID": "ud"}},
	{name: "file-verify-false-interface-url", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {verify: false, interface: publicURL, auth: {auth_url: http://k, username: u}}}"}},
	{name: "file-secure-override", files: map[string]string{"cwd/clouds.yaml": twoClouds, "xdg/openstack/secure.yaml": "clouds: {a: {auth: {password: sec, project_id: spid}}}"}, env: map[string]string{"OS_CLOUD": "a"}},
	{name: "file-env-override-files", files: map[string]string{"elsewhere/c.yaml": twoClouds, "elsewhere/s.yaml": "clouds: {b: {auth: {password: sec}}}"},
		env: map[string]string{"OS_CLOUD": "b"}},
	{name: "file-profile", files: map[string]string{
		"cwd/clouds.yaml":                  "clouds: {c: {profile: vend, auth: {username: u, password: p}}}",
		"xdg/openstack/clouds-public.yaml": "public-clouds: {vend: {auth: {auth_url: http://vend/v3}, regions: [v1, v2], identity_api_version: '3', interface: internal}}"}},
	{name: "file-profile-old-cloud-key", files: map[string]string{
		"cwd/clouds.yaml":        "clouds: {c: {cloud: vend, region_name: mine, auth: {username: u}}}",
		"cwd/clouds-public.yaml": "public-clouds: {vend: {auth: {auth_url: http://vend/v3, username: vu}, region_name: vr}}"}},
	{name: "file-regions-values", files: map[string]string{"cwd/clouds.yaml": `
clouds:
  r:
    auth: {auth_url: http://k, username: u, password: p}
    regions:
      - one
      - name: two
        values: {interface: internal, auth: {password: two-pw}}
`}, env: map[string]string{"OS_REGION_NAME": "two", "OS_CLOUD": "r"}},
	{name: "file-region-comma-list", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {region_name: 'x,y', auth: {auth_url: http://k}}}"}},
	{name: "file-env-over-file", files: map[string]string{"cwd/clouds.yaml": twoClouds},
		env: map[string]string{"OS_CLOUD": "a", "OS_USERNAME": "eu", "OS_PASSWORD": "ep", "OS_AUTH_URL": "http://env/v3", "OS_INTERFACE": "internal", "OS_REGION_NAME": "RegionX", "OS_CACERT": "/env-ca.pem"}},
	{name: "explicit-over-env-over-file", files: map[string]string{"cwd/clouds.yaml": twoClouds},
		env:    map[string]string{"OS_CLOUD": "b", "OS_PASSWORD": "ep", "OS_USERNAME": "eu"},
		values: cloudconfig.Values{Cloud: "a", Auth: map[string]string{"password": "flag-pw", "auth_url": "http://flag/v3"}, Interface: "admin", RegionName: "RF", Insecure: yes(), Cert: "/flag-cert.pem"}},
	{name: "file-domain-id-project-scoped", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {domain_id: d1, auth: {auth_url: http://k, username: u, project_name: p}}}"}},
	{name: "file-domain-name-unscoped", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {domain_name: dn, auth: {auth_url: http://k, username: u}}}"}},
	{name: "file-default-domain-v3", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {identity_api_version: 3, auth: {auth_url: http://k, username: u, project_name: p, project_domain_name: pd}}}"},
		env: map[string]string{"OS_DEFAULT_DOMAIN": "mydom", "OS_CLOUD": "c"}},
	{name: "file-v2password-project", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {auth_type: v2password, auth: {auth_url: http://k/v2.0, username: u, password: p, project_name: p, project_id: pid}}}"}},
	{name: "file-tenant-keys-v3", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {tenant_name: tn, auth: {auth_url: http://k, username: u, tenant-id: tid}}}"}},
	{name: "file-token-endpoint", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {auth_type: token_endpoint, auth: {endpoint: http://k/v3, token: t}}}"}},
	// auth_plugin, the older auth_type, loses to the default auth_type.
	{name: "file-auth-plugin-old-key", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {auth_plugin: v3token, auth: {auth_url: http://k/v3, token: t, project_name: p, project_domain_id: d}}}"}},
	{name: "file-multifactor", files: map[string]string{"cwd/clouds.yaml": "clouds: {c: {auth_type: v3multifactor, auth: {auth_url: http://k/v3, auth_methods: 'v3password,v3totp', username: u, user_domain_id: d, password: p}}}"},
		env: map[string]string{"OS_PASSCODE": "111111", "OS_CLOUD": "c"}},
}

// oracleResult is what both sides are compared on.
type oracleResult struct {
	AuthType, RegionName, Interface, IdentityAPIVersion string
	CACert, Cert, Key                                   string
	Insecure                                            bool
	Auth                                                map[string]string
}

func ours(c *cloudconfig.Config) oracleResult {
	return oracleResult{c.AuthType, c.RegionName, c.Interface, c.IdentityAPIVersion, c.CACert, c.Cert, c.Key, c.Insecure, c.Auth}
}

// theirs reads `configuration show -f json --unmask`: the auth.* members, and
// the plugin's options still at the top level (the CLI moves them into auth,
// where a top-level value wins, only when it validates).
func theirs(t *testing.T, out []byte) oracleResult {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("decode oracle output: %v\n%s", err, out)
	}
	s := func(k string) string {
		if v, ok := m[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	r := oracleResult{AuthType: s("auth_type"), RegionName: s("region_name"), Interface: s("interface"),
		IdentityAPIVersion: s("identity_api_version"), CACert: s("cacert"), Cert: s("cert"), Key: s("key"),
		Auth: map[string]string{}}
	switch r.AuthType {
	case "", "None":
		r.AuthType = "none"
	case "token_endpoint":
		r.AuthType = "admin_token"
	}
	r.Insecure = m["insecure"] == true || m["verify"] == false
	for k, v := range m {
		if a, ok := strings.CutPrefix(k, "auth."); ok && v != nil {
			r.Auth[a] = fmt.Sprint(v)
		}
	}
	p, ok := cloudconfig.LookupPlugin(r.AuthType)
	if !ok {
		t.Fatalf("oracle auth_type %q is not registered", r.AuthType)
	}
	opts := p.Options
	if p.OptionsFor != nil {
		opts = p.OptionsFor(r.Auth)
	}
	for _, o := range opts {
		for _, k := range append([]string{o.Name}, o.Deprecated...) {
			if v, ok := m[k]; ok && v != nil && v != "" {
				for _, d := range append([]string{o.Name}, o.Deprecated...) {
					delete(r.Auth, d)
				}
				r.Auth[o.Name] = fmt.Sprint(v)
				break
			}
		}
	}
	return r
}

// flags turns Values into the openstack CLI's flags.
func flags(v cloudconfig.Values) []string {
	var out []string
	add := func(flag, val string) {
		if val != "" {
			out = append(out, flag, val)
		}
	}
	add("--os-cloud", v.Cloud)
	add("--os-auth-type", v.AuthType)
	keys := make([]string, 0, len(v.Auth))
	for k := range v.Auth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		add("--os-"+strings.ReplaceAll(k, "_", "-"), v.Auth[k])
	}
	add("--os-region-name", v.RegionName)
	add("--os-interface", v.Interface)
	add("--os-identity-api-version", v.IdentityAPIVersion)
	add("--os-cacert", v.CACert)
	add("--os-cert", v.Cert)
	add("--os-key", v.Key)
	add("--os-default-domain", v.DefaultDomain)
	if v.Insecure != nil {
		if *v.Insecure {
			out = append(out, "--insecure")
		} else {
			out = append(out, "--verify")
		}
	}
	return out
}

// TestOracle compares Load with the openstack CLI (python-openstackclient
// over openstacksdk) on every case of oracleCases. It skips when the CLI is
// not installed, except in CI (where make integration runs it after
// scripts/keystone-local.sh has installed python3-keystone, which depends
// on python3-openstackclient).
func TestOracle(t *testing.T) {
	bin, err := exec.LookPath("openstack")
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("the openstack CLI is required in CI: %v", err)
		}
		t.Skipf("skipping: the openstack CLI is not installed: %v", err)
	}
	for _, tc := range oracleCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSandbox(t)
			for rel, content := range tc.files {
				s.write(t, rel, content)
			}
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			if strings.HasPrefix(tc.name, "file-env-override-files") {
				env["OS_CLIENT_CONFIG_FILE"] = filepath.Join(s.root, "elsewhere/c.yaml")
				env["OS_CLIENT_SECURE_FILE"] = filepath.Join(s.root, "elsewhere/s.yaml")
			}
			for k, v := range env {
				if v == "" {
					delete(s.env, k)
					delete(env, k)
				}
			}
			c, err := s.load(t, env, tc.values)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			// The CLI selects no cloud by itself (it passes an empty
			// --os-cloud to openstacksdk): give it the one openstacksdk selects.
			if env["OS_CLOUD"] == "" && tc.values.Cloud == "" {
				env["OS_CLOUD"] = c.Cloud
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			args := append(flags(tc.values), "configuration", "show", "-f", "json", "--unmask")
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Dir = s.cwd
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}, s.environ(env)...)
			out, err := cmd.Output()
			if err != nil {
				var stderr string
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = string(ee.Stderr)
				}
				t.Fatalf("openstack %v: %v\n%s", args, err, stderr)
			}
			got, want := ours(c), theirs(t, out)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Load and the openstack CLI disagree\n ours:   %+v\n theirs: %+v", got, want)
			}
		})
	}
}
