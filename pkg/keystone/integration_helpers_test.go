//go:build integration

package keystone_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// realClient returns the typed client of the real Keystone, as the bootstrap
// admin scoped to the admin project, and the Keystone's settings.
func realClient(t *testing.T) (*identityv3.Client, testenv.Keystone) {
	t.Helper()
	return realClientScoped(t, authplugin.Scope{})
}

// realSystemClient is realClient with a system-scoped token (some listings,
// limits for one, show everything only to the system).
func realSystemClient(t *testing.T) (*identityv3.Client, testenv.Keystone) {
	t.Helper()
	return realClientScoped(t, authplugin.Scope{System: true})
}

func realClientScoped(t *testing.T, scope authplugin.Scope) (*identityv3.Client, testenv.Keystone) {
	t.Helper()
	ks := testenv.Require(t)
	if scope == (authplugin.Scope{}) {
		scope = authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain}
	}
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: scope,
	})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, keystone.WithAuth(auth), keystone.WithTimeout(time.Minute))
	c, err := identityv3.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return c, ks
}

// clientAs returns a typed client for another user (password auth with scope).
func clientAs(t *testing.T, ks testenv.Keystone, userID, password string, scope authplugin.Scope) *identityv3.Client {
	t.Helper()
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{ID: userID}, Password: password, Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	// At the auth URL: an unscoped token has no catalog to find Keystone in.
	c, err := identityv3.NewClientAt(newSession(t, keystone.WithAuth(auth)), ks.URL)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// itName returns a name no other run uses.
func itName(prefix string) string {
	b := make([]byte, 5)
	rand.Read(b)
	return "it-" + prefix + "-" + hex.EncodeToString(b)
}

// bg is the context of cleanups, which run after the test's context ends.
func bg() context.Context { return context.Background() }
