package authplugin_test

import (
	"errors"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// The in-memory Keystone's tokens name no service provider: the plugin
// says so, typed, and sends nothing to any other host. The whole flow runs
// against the real Keystone (k2k_integration_test.go).
func TestK2KNeedsTheServiceProvider(t *testing.T) {
	ks := keystonetest.NewServer(t)
	local, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.AuthURL(),
		User: authplugin.User{ID: ks.AdminUserID}, Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectID: ks.AdminProjectID}})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := authplugin.NewK2K(authplugin.K2KOptions{Local: local, ServiceProvider: "sp1"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	before := ks.RequestCount("")
	if _, err := auth.Access(t.Context(), s); !errors.Is(err, authplugin.ErrNoServiceProvider) {
		t.Errorf("no such service provider: %v", err)
	}
	if n := ks.RequestCount("") - before; n != 1 {
		t.Errorf("%d requests, want only the local authentication", n)
	}
	var missing *keystone.MissingOptionsError
	if _, err := authplugin.NewK2K(authplugin.K2KOptions{}); !errors.As(err, &missing) {
		t.Errorf("no options: %v", err)
	}
}
