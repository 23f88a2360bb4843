//go:build integration

package authplugin_test

import (
	"errors"
	"testing"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// adminV3 is a typed client of the real Keystone as its administrator.
func adminV3(t *testing.T) (testenv.Keystone, *identityv3.Client, *keystone.AccessInfo) {
	t.Helper()
	ks, s, _ := realKeystone(t)
	c, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := s.Auth().Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	return ks, c, ai
}

// TestOAuth2WithRealKeystone gets a token from the real Keystone's OAuth 2.0
// token endpoint and uses it.
func TestOAuth2WithRealKeystone(t *testing.T) {
	ks, c, admin := adminV3(t)
	secret := uniq("secret")
	ac, err := c.ApplicationCredentials.Create(t.Context(), admin.User.ID, identityv3.ApplicationCredentialCreate{Name: uniq("oauth2"), Secret: &secret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ApplicationCredentials.Delete(cleanupCtx(), admin.User.ID, ac.ID) })
	clock := &labClock{}
	auth, err := authplugin.NewOAuth2ClientCredentials(authplugin.OAuth2ClientCredentialsOptions{AuthURL: ks.URL, ClientID: ac.ID, ClientSecret: secret},
		keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.User.ID != admin.User.ID || ai.Project == nil || ai.Project.ID != admin.Project.ID {
		t.Errorf("token %v", ai)
	}
	// The token works for a call.
	own, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := own.Projects.Get(t.Context(), admin.Project.ID, nil); err != nil {
		t.Errorf("a call with the OAuth 2.0 token: %v", err)
	}
	clock.refreshesBeforeExpiry(t, auth, s)
	bad, _ := authplugin.NewOAuth2ClientCredentials(authplugin.OAuth2ClientCredentialsOptions{AuthURL: ks.URL, ClientID: ac.ID, ClientSecret: "wrong"})
	if _, err := bad.Access(t.Context(), s); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("a wrong secret: %v", err)
	}
}

// TestOAuth1WithRealKeystone delegates the administrator's admin role on
// its project to a consumer through OS-OAUTH1 and authenticates with the
// access token, and again shortly before the token expires.
func TestOAuth1WithRealKeystone(t *testing.T) {
	ks, c, admin := adminV3(t)
	consumer, err := c.OAuth1Consumers.Create(t.Context(), identityv3.OAuth1ConsumerCreate{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.OAuth1Consumers.Delete(cleanupCtx(), consumer.ID) })
	signer := identityv3.OAuth1Signer{ConsumerKey: consumer.ID, ConsumerSecret: consumer.Secret}
	req, err := c.OAuth1.CreateRequestToken(t.Context(), signer, admin.Project.ID)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.OAuth1.AuthorizeRequestToken(t.Context(), req.Token, []identityv3.OAuth1RoleRef{{Name: new("admin")}})
	if err != nil {
		t.Fatal(err)
	}
	signer.Token, signer.TokenSecret = req.Token, req.TokenSecret
	access, err := c.OAuth1.CreateAccessToken(t.Context(), signer, v.OauthVerifier)
	if err != nil {
		t.Fatal(err)
	}
	clock := &labClock{}
	auth, err := authplugin.NewOAuth1(authplugin.OAuth1Options{AuthURL: ks.URL, ConsumerKey: consumer.ID, ConsumerSecret: consumer.Secret,
		AccessKey: access.Token, AccessSecret: access.TokenSecret}, keystone.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.User.ID != admin.User.ID || ai.Project == nil || ai.Project.ID != admin.Project.ID {
		t.Errorf("token %v", ai)
	}
	clock.refreshesBeforeExpiry(t, auth, s) // signed anew
	bad, _ := authplugin.NewOAuth1(authplugin.OAuth1Options{AuthURL: ks.URL, ConsumerKey: consumer.ID, ConsumerSecret: "wrong",
		AccessKey: access.Token, AccessSecret: access.TokenSecret})
	if _, err := bad.Access(t.Context(), s); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("a wrong consumer secret: %v", err)
	}
}
