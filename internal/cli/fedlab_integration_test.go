//go:build integration

package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/cli"
	"github.com/gokeystone/keystone/internal/testenv"
)

// TestLabOIDCLogin logs the keystone CLI in through the federation lab's
// OpenID provider and mod_auth_openidc (v3oidcpassword from OS_*
// variables), as a user of a federated cloud does.
func TestLabOIDCLogin(t *testing.T) {
	get := os.Getenv
	if get("FEDLAB_KEYSTONE_URL") == "" {
		if testenv.InCI() {
			t.Fatal("the federation lab is required in CI")
		}
		t.Skip("no federation lab: scripts/federation-lab.sh start && . /tmp/gokeystone-fedlab/env")
	}
	home := t.TempDir()
	environ := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + home, "XDG_CACHE_HOME=" + home,
		"OS_AUTH_TYPE=v3oidcpassword", "OS_AUTH_URL=" + get("FEDLAB_KEYSTONE_URL") + "/v3",
		"OS_IDENTITY_PROVIDER=" + get("FEDLAB_IDP"), "OS_PROTOCOL=" + get("FEDLAB_PROTOCOL"),
		"OS_CLIENT_ID=" + get("FEDLAB_OIDC_CLIENT_ID"), "OS_CLIENT_SECRET=" + get("FEDLAB_OIDC_CLIENT_SECRET"),
		"OS_DISCOVERY_ENDPOINT=" + get("FEDLAB_OIDC_DISCOVERY_URL"), "OS_OPENID_SCOPE=openid profile",
		"OS_USERNAME=" + get("FEDLAB_OIDC_USER"), "OS_PASSWORD=" + get("FEDLAB_OIDC_PASSWORD"),
		"OS_PROJECT_NAME=" + get("FEDLAB_PROJECT"), "OS_PROJECT_DOMAIN_ID=default",
		"OS_CACERT=" + get("FEDLAB_OIDC_CA_FILE"), "OS_IDENTITY_API_VERSION=3"}
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), []string{"token", "issue", "-f", "json"}, strings.NewReader(""), &out, &errb, environ)
	if code != 0 {
		t.Fatalf("token issue through OIDC: exit %d: %s", code, errb.String())
	}
	var tok map[string]any
	if err := json.Unmarshal(out.Bytes(), &tok); err != nil || tok["project_id"] == nil {
		t.Fatalf("token issue: %s (%v)", out.String(), err)
	}
	for _, secret := range []string{get("FEDLAB_OIDC_PASSWORD"), get("FEDLAB_OIDC_CLIENT_SECRET")} {
		if strings.Contains(out.String()+errb.String(), secret) {
			t.Errorf("a secret is in the output")
		}
	}
	// A second command: an API call with the federated token.
	out.Reset()
	if code := cli.Run(context.Background(), []string{"project", "show", tok["project_id"].(string), "-f", "value", "-c", "name"},
		strings.NewReader(""), &out, &errb, environ); code != 0 || strings.TrimSpace(out.String()) != get("FEDLAB_PROJECT") {
		t.Errorf("a second command: exit %d: %q %s", code, out.String(), errb.String())
	}
}
