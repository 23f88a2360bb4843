//go:build integration

package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identity"
)

// The real Keystone (22) offers v3 only: NewClient returns a v3 client that
// works; v2.0 asked for is not available.
func TestIdentityIntegrationNewClient(t *testing.T) {
	ks := testenv.Require(t)
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth), keystone.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	c, err := identity.NewClient(t.Context(), s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.V3 == nil || c.V2 != nil || c.Version.Major != 3 {
		t.Fatalf("got %v", c)
	}
	p, err := c.V3.Projects.Find(t.Context(), ks.AdminProject, nil)
	if err != nil || p.Name != ks.AdminProject {
		t.Errorf("v3 call: %+v %v", p, err)
	}
	_, err = identity.NewClient(t.Context(), s, keystone.EndpointFilter{MinVersion: "2.0", MaxVersion: "2.0"})
	if !errors.Is(err, keystone.ErrVersionNotAvailable) {
		t.Errorf("v2.0 on Keystone 22: %v", err)
	}
	at, err := identity.NewClientAt(t.Context(), s, ks.URL)
	if err != nil || at.V3 == nil {
		t.Errorf("NewClientAt: %v %v", at, err)
	}
}
