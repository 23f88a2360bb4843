package authplugin_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/printtest"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// TestOptionsAndPluginsShowNoSecret builds every option, method and plugin
// of the package with known secrets and prints each every way a program
// may: every fmt verb, json.Marshal, slog's text and JSON handlers.
func TestOptionsAndPluginsShowNoSecret(t *testing.T) {
	const (
		password = "plugin-password-1"
		token    = "plugin-token-2"
		secret   = "plugin-appcred-secret-3"
		passcode = "864209"
		receipt  = "plugin-receipt-4"
	)
	secrets := []string{password, token, secret, passcode, receipt}
	user := authplugin.User{Name: "alice", DomainID: "default"}
	scope := authplugin.Scope{ProjectName: "demo", ProjectDomainID: "default"}
	codeFunc := func(context.Context) (string, error) { return passcode, nil }
	rcpt := &keystone.AuthReceipt{ID: receipt, Methods: []string{"password"}, RequiredMethods: [][]string{{"password", "totp"}}, UserID: "u1",
		ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	methods := []authplugin.Method{
		authplugin.PasswordMethod{User: user, Password: password},
		authplugin.TokenMethod{Token: token},
		authplugin.ApplicationCredentialMethod{ID: "ac1", Secret: secret},
		authplugin.TOTPMethod{User: user, Passcode: passcode},
		authplugin.TOTPMethod{User: user, PasscodeFunc: codeFunc},
	}
	values := []any{
		authplugin.PasswordOptions{AuthURL: "http://ks/v3", User: user, Password: password, Scope: scope},
		authplugin.TokenOptions{AuthURL: "http://ks/v3", Token: token, Scope: scope},
		authplugin.ApplicationCredentialOptions{AuthURL: "http://ks/v3", Name: "ci", User: user, Secret: secret},
		authplugin.TOTPOptions{AuthURL: "http://ks/v3", User: user, Passcode: passcode, Scope: scope},
		authplugin.TOTPOptions{AuthURL: "http://ks/v3", User: user, PasscodeFunc: codeFunc},
		authplugin.MultiFactorOptions{AuthURL: "http://ks/v3", Methods: methods, Scope: scope, Receipt: rcpt},
		authplugin.GenericOptions{AuthURL: "http://ks", User: user, Password: password, Token: token, Scope: scope},
		authplugin.PasswordV2Options{AuthURL: "http://ks/v2.0", Username: "alice", Password: password, Tenant: authplugin.Tenant{Name: "demo"}},
		authplugin.TokenV2Options{AuthURL: "http://ks/v2.0", Token: token, Tenant: authplugin.Tenant{ID: "t1"}},
	}
	for _, m := range methods {
		values = append(values, m)
	}
	// The plugins, whose authenticators hold the secrets in unexported fields.
	plugins := []func() (*keystone.Auth, error){
		func() (*keystone.Auth, error) { return authplugin.NewPassword(values[0].(authplugin.PasswordOptions)) },
		func() (*keystone.Auth, error) { return authplugin.NewToken(values[1].(authplugin.TokenOptions)) },
		func() (*keystone.Auth, error) {
			return authplugin.NewApplicationCredential(values[2].(authplugin.ApplicationCredentialOptions))
		},
		func() (*keystone.Auth, error) { return authplugin.NewTOTP(values[3].(authplugin.TOTPOptions)) },
		func() (*keystone.Auth, error) {
			return authplugin.NewMultiFactor(values[5].(authplugin.MultiFactorOptions))
		},
		func() (*keystone.Auth, error) { return authplugin.NewGeneric(values[6].(authplugin.GenericOptions)) },
		func() (*keystone.Auth, error) {
			return authplugin.NewPasswordV2(values[7].(authplugin.PasswordV2Options))
		},
		func() (*keystone.Auth, error) { return authplugin.NewTokenV2(values[8].(authplugin.TokenV2Options)) },
		func() (*keystone.Auth, error) { return authplugin.NewAdminToken("http://ks/v3", token) },
	}
	for i, p := range plugins {
		a, err := p()
		if err != nil {
			t.Fatalf("plugin %d: %v", i, err)
		}
		values = append(values, a)
	}
	// The admin token plugin with its token current.
	admin, _ := authplugin.NewAdminToken("http://ks/v3", token)
	if _, err := admin.Token(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	values = append(values, admin, []any{values[0], values[5]}, map[string]any{"opts": values[6]})

	// The OpenID Connect options and plugins, every secret set.
	oidc := authplugin.OIDCOptions{AuthURL: "http://ks/v3", IdentityProvider: "idp", Protocol: "openid", Scope: scope,
		ClientID: "c", ClientSecret: secret, TokenEndpoint: "http://op/token", Username: "alice", Password: password,
		Code: passcode, RedirectURI: "http://127.0.0.1/cb", CodeVerifier: receipt, AccessToken: token,
		DeviceCallback: func(context.Context, authplugin.DeviceAuthorization) error { return nil }}
	values = append(values, oidc,
		authplugin.OAuth1Options{AuthURL: "http://ks/v3", ConsumerKey: "ck", ConsumerSecret: secret, AccessKey: "ak", AccessSecret: password},
		authplugin.OAuth2ClientCredentialsOptions{AuthURL: "http://ks/v3", ClientID: "id", ClientSecret: secret})
	oauth1, err := authplugin.NewOAuth1(authplugin.OAuth1Options{AuthURL: "http://ks/v3", ConsumerKey: "ck", ConsumerSecret: secret, AccessKey: "ak", AccessSecret: password})
	if err != nil {
		t.Fatal(err)
	}
	oauth2, err := authplugin.NewOAuth2ClientCredentials(authplugin.OAuth2ClientCredentialsOptions{AuthURL: "http://ks/v3", ClientID: "id", ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	saml := authplugin.SAML2Options{AuthURL: "http://ks/v3", IdentityProvider: "idp", Protocol: "saml2",
		IdentityProviderURL: "https://idp/ecp", Username: "alice", Password: password, Scope: scope}
	samlAuth, err := authplugin.NewSAML2Password(saml)
	if err != nil {
		t.Fatal(err)
	}
	adfsOpts := authplugin.ADFSOptions{AuthURL: "http://ks/v3", IdentityProvider: "adfs", Protocol: "saml2", IdentityProviderURL: "https://adfs/x",
		ServiceProviderEndpoint: "https://ks/Shibboleth.sso/ADFS", Username: "alice", Password: password, Scope: scope}
	adfsAuth, err := authplugin.NewADFSPassword(adfsOpts)
	if err != nil {
		t.Fatal(err)
	}
	values = append(values, oauth1, oauth2, saml, samlAuth, adfsOpts, adfsAuth)
	for _, newOIDC := range []func(authplugin.OIDCOptions, ...keystone.AuthOption) (*keystone.Auth, error){
		authplugin.NewOIDCPassword, authplugin.NewOIDCClientCredentials, authplugin.NewOIDCAuthorizationCode,
		authplugin.NewOIDCAccessToken, authplugin.NewOIDCDeviceAuthorization,
	} {
		a, err := newOIDC(oidc)
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, a)
	}

	for _, v := range values {
		name := fmt.Sprintf("%T", v)
		t.Run(name, func(t *testing.T) {
			for how, text := range printtest.Renderings(v) {
				if strings.Contains(text, "PANIC") {
					t.Errorf("%s through %s panics: %s", name, how, text)
				}
				for _, s := range secrets {
					h := hex.EncodeToString([]byte(s))
					for _, form := range []string{s, h, strings.ToUpper(h)} {
						if strings.Contains(text, form) {
							t.Errorf("%s through %s shows %q (as %q):\n%s", name, how, s, form, text)
						}
					}
				}
			}
		})
	}

	// What they do show: the parameters, and that a secret is set.
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{values[0], []string{"http://ks/v3", "alice", "Password: ***", "demo"}},
		{values[5], []string{"PasswordMethod{", "TokenMethod{Token: ***}", "TOTPMethod{", "AuthReceipt{user u1"}},
		{values[14], []string{"v3password{", "Password: ***"}},
		{admin, []string{"admintoken{", "http://ks/v3", keystone.NewStaticAccess(token).TokenDigest(), "AccessInfo{static"}},
	} {
		got := fmt.Sprintf("%+v", tc.v)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%T prints %s, without %q", tc.v, got, w)
			}
		}
	}
	data, err := json.Marshal(values[0])
	if err != nil || !strings.Contains(string(data), `"Password":"***"`) || !strings.Contains(string(data), `"AuthURL":"http://ks/v3"`) {
		t.Errorf("json of PasswordOptions: %s %v", data, err)
	}
	// The fields keep their types and values.
	if o := values[0].(authplugin.PasswordOptions); o.Password != password {
		t.Error("the password field changed")
	}
}
