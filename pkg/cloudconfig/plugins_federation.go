package cloudconfig

import (
	"context"
	"fmt"
	"os"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// oidcCommon are the options every OpenID Connect plugin of keystoneauth1
// takes (its loader's names).
var oidcCommon = []Option{authURL, {Name: "identity_provider", Required: true}, {Name: "protocol", Required: true},
	opt("client_id"), secret("client_secret", false), opt("access_token_endpoint"), opt("discovery_endpoint"),
	opt("device_authorization_endpoint"), opt("openid_scope"), opt("access_token_type")}

func init() {
	Register("v3oidcpassword", Plugin{
		Options: join(oidcCommon, v3Scope, []Option{opt("username", "user_name"), secret("password", true)}),
		New:     oidcPlugin(authplugin.NewOIDCPassword),
	})
	Register("v3oidcclientcredentials", Plugin{
		Options: join(oidcCommon, v3Scope),
		New:     oidcPlugin(authplugin.NewOIDCClientCredentials),
	})
	Register("v3oidcauthcode", Plugin{
		Options: join(oidcCommon, v3Scope, []Option{opt("redirect_uri"), secret("code", true), secret("code_verifier", false)}),
		New:     oidcPlugin(authplugin.NewOIDCAuthorizationCode),
	})
	Register("v3oidcaccesstoken", Plugin{
		Options: join([]Option{authURL, {Name: "identity_provider", Required: true}, {Name: "protocol", Required: true}},
			v3Scope, []Option{secret("access_token", true)}),
		New: oidcPlugin(authplugin.NewOIDCAccessToken),
	})
	Register("v3oidcdeviceauthz", Plugin{
		Options: join(oidcCommon, v3Scope),
		New:     oidcPlugin(authplugin.NewOIDCDeviceAuthorization),
	})
	Register("v3samlpassword", Plugin{
		Options: join([]Option{authURL, {Name: "identity_provider", Required: true}, {Name: "protocol", Required: true},
			{Name: "identity_provider_url", Required: true}, {Name: "username", Required: true, Deprecated: []string{"user_name"}}, secret("password", true)}, v3Scope),
		New: func(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
			a := c.Auth
			return authplugin.NewSAML2Password(authplugin.SAML2Options{AuthURL: a["auth_url"], IdentityProvider: a["identity_provider"],
				Protocol: a["protocol"], IdentityProviderURL: a["identity_provider_url"], Username: a["username"], Password: a["password"],
				Scope: scope(a)}, opts...)
		},
	})
	Register("v3adfspassword", Plugin{
		Options: join([]Option{authURL, {Name: "identity_provider", Required: true}, {Name: "protocol", Required: true},
			{Name: "identity_provider_url", Required: true}, {Name: "service_provider_endpoint", Required: true},
			opt("service_provider_entity_id"), {Name: "username", Required: true, Deprecated: []string{"user_name"}}, secret("password", true)}, v3Scope),
		New: func(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
			a := c.Auth
			return authplugin.NewADFSPassword(authplugin.ADFSOptions{AuthURL: a["auth_url"], IdentityProvider: a["identity_provider"],
				Protocol: a["protocol"], IdentityProviderURL: a["identity_provider_url"], ServiceProviderEndpoint: a["service_provider_endpoint"],
				ServiceProviderEntityID: a["service_provider_entity_id"], Username: a["username"], Password: a["password"], Scope: scope(a)}, opts...)
		},
	})
	Register("v3oauth1", Plugin{
		Options: []Option{authURL, {Name: "consumer_key", Required: true}, secret("consumer_secret", true),
			{Name: "access_key", Required: true}, secret("access_secret", true)},
		New: func(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
			a := c.Auth
			return authplugin.NewOAuth1(authplugin.OAuth1Options{AuthURL: a["auth_url"], ConsumerKey: a["consumer_key"],
				ConsumerSecret: a["consumer_secret"], AccessKey: a["access_key"], AccessSecret: a["access_secret"]}, opts...)
		},
	})
	Register("v3oauth2clientcredential", Plugin{
		Options: []Option{authURL, {Name: "oauth2_client_id", Required: true}, secret("oauth2_client_secret", true)},
		New: func(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
			a := c.Auth
			return authplugin.NewOAuth2ClientCredentials(authplugin.OAuth2ClientCredentialsOptions{AuthURL: a["auth_url"],
				ClientID: a["oauth2_client_id"], ClientSecret: a["oauth2_client_secret"]}, opts...)
		},
	})
}

// oidcPlugin builds an OpenID Connect plugin from the configuration. The
// device flow's user code is shown on standard error, as keystoneauth1
// shows it (a program that wants it elsewhere calls
// authplugin.NewOIDCDeviceAuthorization with its own DeviceCallback).
func oidcPlugin(newPlugin func(authplugin.OIDCOptions, ...keystone.AuthOption) (*keystone.Auth, error)) func(*Config, ...keystone.AuthOption) (keystone.AuthPlugin, error) {
	return func(c *Config, opts ...keystone.AuthOption) (keystone.AuthPlugin, error) {
		a := c.Auth
		return newPlugin(authplugin.OIDCOptions{
			AuthURL: a["auth_url"], IdentityProvider: a["identity_provider"], Protocol: a["protocol"], Scope: scope(a),
			ClientID: a["client_id"], ClientSecret: a["client_secret"],
			TokenEndpoint: a["access_token_endpoint"], DiscoveryEndpoint: a["discovery_endpoint"],
			DeviceAuthorizationEndpoint: a["device_authorization_endpoint"],
			OIDCScope:                   a["openid_scope"], AccessTokenType: a["access_token_type"],
			Username: a["username"], Password: a["password"],
			Code: a["code"], RedirectURI: a["redirect_uri"], CodeVerifier: a["code_verifier"],
			AccessToken:    a["access_token"],
			DeviceCallback: showDeviceCode,
		}, opts...)
	}
}

// showDeviceCode tells the user, on standard error, where to approve the
// login.
func showDeviceCode(_ context.Context, d authplugin.DeviceAuthorization) error {
	if d.VerificationURIComplete != "" {
		_, err := fmt.Fprintf(os.Stderr, "To authenticate, visit %s (code %s)\n", d.VerificationURIComplete, d.UserCode)
		return err
	}
	_, err := fmt.Fprintf(os.Stderr, "To authenticate, visit %s and enter the code %s\n", d.VerificationURI, d.UserCode)
	return err
}
