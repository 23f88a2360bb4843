package cloudconfig_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/cloudconfig"
)

// TestOIDCAuthTypes loads each OpenID Connect and OAuth auth_type of keystoneauth1
// with its options, builds its plugin, and checks that the secrets are
// masked when the configuration is printed.
func TestOIDCAuthTypes(t *testing.T) {
	s := newSandbox(t)
	s.write(t, "cwd/clouds.yaml", `
clouds:
  pw:
    auth_type: v3oidcpassword
    auth: {auth_url: http://k/v3, identity_provider: idp, protocol: openid, client_id: c, client_secret: oidc-client-secret-1,
           discovery_endpoint: http://op/.well-known/openid-configuration, username: alice, password: oidc-password-2,
           project_name: p, project_domain_id: default, openid_scope: "openid email"}
  cc:
    auth_type: v3oidcclientcredentials
    auth: {auth_url: http://k/v3, identity_provider: idp, protocol: openid, client_id: c, client_secret: oidc-client-secret-1,
           access_token_endpoint: http://op/token}
  code:
    auth_type: v3oidcauthcode
    auth: {auth_url: http://k/v3, identity_provider: idp, protocol: openid, client_id: c, client_secret: oidc-client-secret-1,
           access_token_endpoint: http://op/token, code: oidc-code-3, redirect_uri: "http://127.0.0.1/cb"}
  at:
    auth_type: v3oidcaccesstoken
    auth: {auth_url: http://k/v3, identity_provider: idp, protocol: openid, access_token: oidc-access-token-4}
  device:
    auth_type: v3oidcdeviceauthz
    auth: {auth_url: http://k/v3, identity_provider: idp, protocol: openid, client_id: c,
           discovery_endpoint: http://op/.well-known/openid-configuration}
  oauth1:
    auth_type: v3oauth1
    auth: {auth_url: http://k/v3, consumer_key: ck, consumer_secret: oidc-client-secret-1, access_key: ak, access_secret: oidc-password-2}
  oauth2:
    auth_type: v3oauth2clientcredential
    auth: {auth_url: http://k/v3, oauth2_client_id: id, oauth2_client_secret: oidc-client-secret-1}
  saml:
    auth_type: v3samlpassword
    auth: {auth_url: http://k/v3, identity_provider: idp, protocol: saml2, identity_provider_url: "https://idp/ecp",
           username: alice, password: oidc-password-2, project_id: p}
  adfs:
    auth_type: v3adfspassword
    auth: {auth_url: http://k/v3, identity_provider: adfs, protocol: saml2, identity_provider_url: "https://adfs/usernamemixed",
           service_provider_endpoint: "https://k/Shibboleth.sso/ADFS", username: alice, password: oidc-password-2}
  nopw:
    auth_type: v3oidcpassword
    auth: {auth_url: http://k/v3, identity_provider: idp, protocol: openid, client_id: c, access_token_endpoint: http://op/token, username: alice}
`)
	for _, name := range []string{"pw", "cc", "code", "at", "device", "oauth1", "oauth2", "saml", "adfs"} {
		c := s.mustLoad(t, map[string]string{"OS_CLOUD": name}, cloudconfig.Values{})
		if _, err := c.Plugin(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, text := range []string{fmt.Sprint(c), fmt.Sprintf("%+v %#v %q", c, c, c)} {
			for _, secret := range []string{"oidc-client-secret-1", "oidc-password-2", "oidc-code-3", "oidc-access-token-4"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s: the configuration shows %s: %s", name, secret, text)
				}
			}
		}
	}
	c := s.mustLoad(t, map[string]string{"OS_CLOUD": "pw"}, cloudconfig.Values{})
	if c.Auth["openid_scope"] != "openid email" || c.Auth["identity_provider"] != "idp" {
		t.Errorf("options: %v", c)
	}
	if _, err := s.load(t, map[string]string{"OS_CLOUD": "nopw"}, cloudconfig.Values{}); !errors.Is(err, cloudconfig.ErrMissingOption) {
		t.Errorf("v3oidcpassword without a password: %v", err)
	}
}
