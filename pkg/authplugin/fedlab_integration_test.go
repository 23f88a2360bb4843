//go:build integration

package authplugin_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// fedLab is the federation lab of scripts/federation-lab.sh (its env file's
// FEDLAB_* variables): Keystone 22 behind Apache, mod_auth_openidc in front
// of the openid protocol, a real OpenID provider, and with FEDLAB_SAML=1 a
// second Keystone as SAML2 identity provider with mod_shib in front of the
// saml2 protocol. Missing, the tests skip locally and fail in CI.
type fedLab struct{ env map[string]string }

func requireLab(t *testing.T) fedLab {
	t.Helper()
	l := fedLab{env: map[string]string{}}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "FEDLAB_") {
			l.env[k] = v
		}
	}
	if l.env["FEDLAB_KEYSTONE_URL"] == "" {
		if testenv.InCI() {
			t.Fatal("the federation lab is required in CI: scripts/federation-lab.sh start, then . /tmp/gokeystone-fedlab/env")
		}
		t.Skip("no federation lab: FEDLAB_SAML=1 scripts/federation-lab.sh start && . /tmp/gokeystone-fedlab/env")
	}
	return l
}

func (l fedLab) get(k string) string { return l.env["FEDLAB_"+k] }

// session trusts the lab provider's CA (Keystone is plain HTTP on loopback).
func (l fedLab) session(t *testing.T, auth keystone.AuthPlugin, opts ...keystone.SessionOption) *keystone.Session {
	t.Helper()
	s, err := keystone.NewSession(append([]keystone.SessionOption{keystone.WithAuth(auth), keystone.WithCACertFile(l.get("OIDC_CA_FILE")),
		keystone.WithTimeout(time.Minute)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.CloseIdleConnections)
	return s
}

// httpClient is a plain client that trusts the lab provider's CA, for the
// steps a browser or a user does.
func (l fedLab) httpClient(t *testing.T) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(l.get("OIDC_CA_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in FEDLAB_OIDC_CA_FILE")
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Timeout: time.Minute, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (l fedLab) options() authplugin.OIDCOptions {
	return authplugin.OIDCOptions{AuthURL: l.get("KEYSTONE_URL"), IdentityProvider: l.get("IDP"), Protocol: l.get("PROTOCOL"),
		Scope:    authplugin.Scope{ProjectName: l.get("PROJECT"), ProjectDomainID: "default"},
		ClientID: l.get("OIDC_CLIENT_ID"), ClientSecret: l.get("OIDC_CLIENT_SECRET"), DiscoveryEndpoint: l.get("OIDC_DISCOVERY_URL"),
		OIDCScope: "openid profile email"}
}

// checkFederated checks a token is the lab's, federated and scoped to its
// project, and works for a call.
func (l fedLab) checkFederated(t *testing.T, s *keystone.Session, auth *keystone.Auth, user string) *keystone.AccessInfo {
	t.Helper()
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.Name != l.get("PROJECT") || ai.User.Federated == nil ||
		ai.User.Federated.IdentityProviderID != l.get("IDP") || ai.User.Name != user {
		t.Fatalf("not a federated token of %s on %s: %v (user %+v)", user, l.get("PROJECT"), ai, ai.User)
	}
	if _, err := s.Request(t.Context(), keystone.Request{Method: "GET", URL: l.get("KEYSTONE_URL") + "/v3/auth/projects"}); err != nil {
		t.Errorf("a call with the federated token: %v", err)
	}
	return ai
}

// labClock is a plugin's clock that a test moves to shortly before its
// token's expiry: the plugin must then get a new token before using it.
type labClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *labClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// refreshesBeforeExpiry moves the clock to 30 s before the current token
// expires and checks that the plugin answers a new, working token.
func (c *labClock) refreshesBeforeExpiry(t *testing.T, auth *keystone.Auth, s *keystone.Session) {
	t.Helper()
	first, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.offset = time.Until(first.ExpiresAt) - 30*time.Second
	c.mu.Unlock()
	second, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatalf("refresh before expiry: %v", err)
	}
	if second.Token() == first.Token() {
		t.Errorf("no new token before expiry")
	}
}

func TestLabOIDCPasswordRefreshesBeforeExpiry(t *testing.T) {
	l := requireLab(t)
	o := l.options()
	o.Username, o.Password = l.get("OIDC_USER"), l.get("OIDC_PASSWORD")
	clock := &labClock{}
	auth, err := authplugin.NewOIDCPassword(o, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s := l.session(t, auth)
	l.checkFederated(t, s, auth, l.get("OIDC_USER"))
	clock.refreshesBeforeExpiry(t, auth, s) // both steps again

	o.Password = "wrong-lab-password"
	bad, _ := authplugin.NewOIDCPassword(o)
	_, err = bad.Access(t.Context(), l.session(t, bad))
	if !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("a wrong password: %v", err)
	}
}

func TestLabOIDCClientCredentials(t *testing.T) {
	l := requireLab(t)
	o := l.options()
	o.DiscoveryEndpoint, o.TokenEndpoint = "", l.get("OIDC_TOKEN_URL")
	clock := &labClock{}
	auth, err := authplugin.NewOIDCClientCredentials(o, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s := l.session(t, auth)
	l.checkFederated(t, s, auth, l.get("OIDC_CLIENT_ID"))
	clock.refreshesBeforeExpiry(t, auth, s)
}

func TestLabOIDCAccessToken(t *testing.T) {
	l := requireLab(t)
	c := l.httpClient(t)
	req, _ := http.NewRequest("POST", l.get("OIDC_TOKEN_URL"), strings.NewReader(url.Values{"grant_type": {"password"},
		"username": {l.get("OIDC_USER2")}, "password": {l.get("OIDC_PASSWORD2")}, "scope": {"openid profile"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(l.get("OIDC_CLIENT_ID"), l.get("OIDC_CLIENT_SECRET"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()
	if tr.AccessToken == "" {
		t.Fatalf("no access token from the provider (%d)", resp.StatusCode)
	}
	o := authplugin.OIDCOptions{AuthURL: l.get("KEYSTONE_URL"), IdentityProvider: l.get("IDP"), Protocol: l.get("PROTOCOL"),
		AccessToken: tr.AccessToken, Scope: authplugin.Scope{ProjectName: l.get("PROJECT"), ProjectDomainID: "default"}}
	clock := &labClock{}
	auth, err := authplugin.NewOIDCAccessToken(o, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s := l.session(t, auth)
	l.checkFederated(t, s, auth, l.get("OIDC_USER2"))
	clock.refreshesBeforeExpiry(t, auth, s) // the access token exchanged again

	// A forged token: mod_auth_openidc refuses it.
	o.AccessToken = tr.AccessToken[:len(tr.AccessToken)-4] + "AAAA"
	bad, _ := authplugin.NewOIDCAccessToken(o)
	if _, err := bad.Access(t.Context(), l.session(t, bad)); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("a forged access token: %v", err)
	}
}

// TestLabOIDCAuthorizationCode does the browser's part (the provider's
// login form, PKCE) and redeems the code with the plugin; a refresh uses
// the provider's refresh token, not the code again.
func TestLabOIDCAuthorizationCode(t *testing.T) {
	l := requireLab(t)
	c := l.httpClient(t)
	verifier := "lab-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"
	sum := sha256.Sum256([]byte(verifier))
	form := url.Values{"response_type": {"code"}, "client_id": {l.get("OIDC_CLIENT_ID")}, "redirect_uri": {l.get("REDIRECT_URI")},
		"state": {"s1"}, "scope": {"openid profile"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}, "username": {l.get("OIDC_USER")}, "password": {l.get("OIDC_PASSWORD")}}
	resp, err := c.PostForm(l.get("OIDC_ISSUER")+"/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("no code from the login (%d, %q)", resp.StatusCode, resp.Header.Get("Location"))
	}
	o := l.options()
	o.Code, o.RedirectURI, o.CodeVerifier = loc.Query().Get("code"), l.get("REDIRECT_URI"), verifier
	clock := &labClock{}
	auth, err := authplugin.NewOIDCAuthorizationCode(o, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s := l.session(t, auth)
	l.checkFederated(t, s, auth, l.get("OIDC_USER"))
	clock.refreshesBeforeExpiry(t, auth, s) // with the provider's refresh token: the code is used once
}

// TestLabOIDCDeviceAuthorization: the callback plays the user, approving
// the code on the provider's verification page.
func TestLabOIDCDeviceAuthorization(t *testing.T) {
	l := requireLab(t)
	c := l.httpClient(t)
	o := l.options()
	o.ClientID, o.ClientSecret = l.get("OIDC_PUBLIC_CLIENT_ID"), ""
	var shown authplugin.DeviceAuthorization
	var prompts int
	o.DeviceCallback = func(ctx context.Context, d authplugin.DeviceAuthorization) error {
		shown = d
		prompts++
		go func() {
			time.Sleep(1500 * time.Millisecond) // the user takes a moment: the plugin polls meanwhile
			resp, err := c.PostForm(d.VerificationURI, url.Values{"user_code": {d.UserCode},
				"username": {l.get("OIDC_USER")}, "password": {l.get("OIDC_PASSWORD")}})
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	clock := &labClock{}
	auth, err := authplugin.NewOIDCDeviceAuthorization(o, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s := l.session(t, auth)
	l.checkFederated(t, s, auth, l.get("OIDC_USER"))
	if shown.UserCode == "" || !strings.HasPrefix(shown.VerificationURI, l.get("OIDC_ISSUER")) {
		t.Errorf("shown %+v", shown)
	}
	clock.refreshesBeforeExpiry(t, auth, s)
	if prompts != 1 {
		t.Errorf("the user was asked %d times: the refresh must use the refresh token", prompts)
	}
}

// TestLabK2KThroughShibboleth: a token of the identity provider Keystone
// becomes, through the real Shibboleth SP (mod_shib and shibd), a token of
// the lab Keystone.
func TestLabK2KThroughShibboleth(t *testing.T) {
	l := requireLab(t)
	if l.get("IDP_KEYSTONE_URL") == "" {
		if testenv.InCI() {
			t.Fatal("the lab's SAML2 part is required in CI: FEDLAB_SAML=1 scripts/federation-lab.sh start")
		}
		t.Skip("no SAML2 part in the lab: FEDLAB_SAML=1 scripts/federation-lab.sh start")
	}
	local, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: l.get("IDP_KEYSTONE_URL"),
		User: authplugin.User{Name: l.get("ADMIN_USER"), DomainID: "default"}, Password: l.get("ADMIN_PASSWORD"),
		Scope: authplugin.Scope{ProjectName: l.get("ADMIN_PROJECT"), ProjectDomainID: "default"}})
	if err != nil {
		t.Fatal(err)
	}
	clock := &labClock{}
	auth, err := authplugin.NewK2K(authplugin.K2KOptions{Local: local, ServiceProvider: l.get("K2K_SP"),
		Scope: authplugin.Scope{ProjectName: l.get("PROJECT"), ProjectDomainID: "default"}}, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s := l.session(t, auth)
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.Name != l.get("PROJECT") || ai.User.Federated == nil || ai.User.Federated.IdentityProviderID != l.get("K2K_IDP") {
		t.Fatalf("not a K2K token of the service provider: %v (%+v)", ai, ai.User)
	}
	clock.refreshesBeforeExpiry(t, auth, s)
}

// TestLabSAML2ECP logs in with a password at the lab's SAML2 identity
// provider (pysaml2, ECP over SOAP with HTTP Basic) through the real
// Shibboleth SP in front of Keystone's saml2 protocol.
func TestLabSAML2ECP(t *testing.T) {
	l := requireLab(t)
	if l.get("SAML_IDP_ECP_URL") == "" {
		if testenv.InCI() {
			t.Fatal("the lab's SAML2 part is required in CI: FEDLAB_SAML=1 scripts/federation-lab.sh start")
		}
		t.Skip("no SAML2 part in the lab: FEDLAB_SAML=1 scripts/federation-lab.sh start")
	}
	o := authplugin.SAML2Options{AuthURL: l.get("KEYSTONE_URL"), IdentityProvider: l.get("SAML_IDP"), Protocol: l.get("SAML_PROTOCOL"),
		IdentityProviderURL: l.get("SAML_IDP_ECP_URL"), Username: l.get("SAML_USER"), Password: l.get("SAML_PASSWORD"),
		Scope: authplugin.Scope{ProjectName: l.get("PROJECT"), ProjectDomainID: "default"}}
	clock := &labClock{}
	auth, err := authplugin.NewSAML2Password(o, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s := l.session(t, auth)
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.Name != l.get("PROJECT") || ai.User.Federated == nil || ai.User.Federated.IdentityProviderID != l.get("SAML_IDP") {
		t.Fatalf("not a SAML2 federated token: %v (%+v)", ai, ai.User)
	}
	clock.refreshesBeforeExpiry(t, auth, s)
	o.Password = "wrong-saml-password"
	bad, _ := authplugin.NewSAML2Password(o)
	if _, err := bad.Access(t.Context(), l.session(t, bad)); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("a wrong password: %v", err)
	}
}
