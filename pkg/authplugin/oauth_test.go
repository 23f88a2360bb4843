package authplugin_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestOAuth2ClientCredentials gets tokens from the in-memory Keystone's
// OAuth 2.0 token endpoint (the real Keystone's in the integration tests).
func TestOAuth2ClientCredentials(t *testing.T) {
	ks := keystonetest.NewServer(t)
	admin, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.AuthURL(),
		User: authplugin.User{ID: ks.AdminUserID}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectID: ks.AdminProjectID}})
	if err != nil {
		t.Fatal(err)
	}
	as, _ := keystone.NewSession(keystone.WithAuth(admin))
	c, err := identityv3.NewClient(t.Context(), as, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "oauth2-client-secret-95"
	ac, err := c.ApplicationCredentials.Create(t.Context(), ks.AdminUserID, identityv3.ApplicationCredentialCreate{Name: "oauth2", Secret: new(secret)})
	if err != nil {
		t.Fatal(err)
	}

	auth, err := authplugin.NewOAuth2ClientCredentials(authplugin.OAuth2ClientCredentialsOptions{AuthURL: ks.AuthURL(), ClientID: ac.ID, ClientSecret: secret})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.ID != ks.AdminProjectID || ai.User.ID != ks.AdminUserID {
		t.Errorf("the access token is not the application credential's: %v", ai)
	}
	if u, err := auth.Endpoint(t.Context(), s, keystone.EndpointFilter{ServiceType: "identity"}); err != nil || u == "" {
		t.Errorf("no catalog: %q %v", u, err)
	}
	tok := ai.Token()
	auth.Invalidate(tok)
	if again, err := auth.Token(t.Context(), s); err != nil || again == tok {
		t.Errorf("after a rejection, a new access token: %v", err)
	}
	if n := ks.RequestCount("POST /v3/OS-OAUTH2/token"); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}

	bad, _ := authplugin.NewOAuth2ClientCredentials(authplugin.OAuth2ClientCredentialsOptions{AuthURL: ks.AuthURL(), ClientID: ac.ID, ClientSecret: "wrong-oauth2-secret-96"})
	_, err = bad.Access(t.Context(), s)
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("a wrong secret: %v", err)
	}
	if text := fmt.Sprintf("%v %+v %#v", err, bad, auth); strings.Contains(text, "wrong-oauth2-secret-96") || strings.Contains(text, secret) {
		t.Errorf("a secret shows: %s", text)
	}
	var missing *keystone.MissingOptionsError
	if _, err := authplugin.NewOAuth2ClientCredentials(authplugin.OAuth2ClientCredentialsOptions{AuthURL: ks.AuthURL()}); !errors.As(err, &missing) {
		t.Errorf("no client: %v", err)
	}
	if _, err := authplugin.NewOAuth1(authplugin.OAuth1Options{AuthURL: ks.AuthURL(), ConsumerKey: "k"}); !errors.As(err, &missing) {
		t.Errorf("OAuth1 without secrets: %v", err)
	}
}
