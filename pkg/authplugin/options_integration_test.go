//go:build integration

package authplugin_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

func realSession(t *testing.T) *keystone.Session {
	t.Helper()
	s, err := keystone.NewSession(keystone.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestIntegrationNoCatalog: Keystone answers ?nocatalog with a token
// without its catalog; lookups then fail typed. The control has one.
func TestIntegrationNoCatalog(t *testing.T) {
	ks := testenv.Require(t)
	s := realSession(t)
	for _, nc := range []bool{false, true} {
		a, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL, NoCatalog: nc,
			User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain}, Password: ks.AdminPassword,
			Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain}})
		if err != nil {
			t.Fatal(err)
		}
		ai, err := a.Access(t.Context(), s)
		if err != nil {
			t.Fatal(err)
		}
		_, lerr := s.EndpointURL(t.Context(), a, keystone.EndpointFilter{ServiceType: "identity", Region: ks.Region})
		if nc {
			if ai.Catalog() != nil || !(errors.Is(lerr, keystone.ErrEmptyCatalog) || errors.Is(lerr, keystone.ErrEndpointNotFound)) {
				t.Errorf("nocatalog: catalog %v, lookup %v", ai.Catalog(), lerr)
			}
			if ai.Project == nil || ai.User.Name != ks.AdminUser {
				t.Errorf("nocatalog token: %v", ai)
			}
		} else if ai.Catalog().Len() == 0 || lerr != nil {
			t.Errorf("with catalog: %d endpoints, lookup %v", ai.Catalog().Len(), lerr)
		}
	}
}

// TestIntegrationCustomMethod: a program's own method reaches Keystone as
// the built-in ones do (a hand-written password method authenticates), and
// a method Keystone does not enable is a typed 401.
func TestIntegrationCustomMethod(t *testing.T) {
	ks := testenv.Require(t)
	s := realSession(t)
	scope := authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain}
	a, err := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.URL, Scope: scope,
		Methods: []authplugin.Method{passwordByHand{user: ks.AdminUser, domain: ks.Domain, password: ks.AdminPassword}}})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := a.Access(t.Context(), s)
	if err != nil {
		t.Fatalf("hand-written password method: %v", err)
	}
	if ai.User.Name != ks.AdminUser || ai.Project == nil || ai.Project.Name != ks.AdminProject {
		t.Fatalf("token %v", ai)
	}
	a, err = authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.URL, Methods: []authplugin.Method{
		authplugin.PasswordMethod{User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain}, Password: ks.AdminPassword},
		otpMethod{name: "gokeystone-unknown", userID: ai.User.ID, code: "1"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Token(t.Context(), s)
	var he *keystone.HTTPError
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || !errors.As(err, &he) || he.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown method: %v", err)
	}
	if strings.Contains(err.Error(), ks.AdminPassword) {
		t.Fatal("the error shows the password")
	}
}

// TestIntegrationAuthOptions: Headers carries a token Keystone accepts; the
// auth interface is the auth URL; WithoutReauthentication fails once the
// token is rejected.
func TestIntegrationAuthOptions(t *testing.T) {
	ks := testenv.Require(t)
	s := realSession(t)
	o := authplugin.PasswordOptions{AuthURL: ks.URL, User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.Domain}}
	a, err := authplugin.NewPassword(o, keystone.WithoutReauthentication())
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.EndpointURL(t.Context(), a, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}}); err != nil || u != ks.URL {
		t.Fatalf("auth interface: %q %v", u, err)
	}
	h, err := a.Headers(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, strings.TrimRight(ks.URL, "/")+"/v3/projects", nil)
	req.Header = h.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("request with Headers: %d", resp.StatusCode)
	}
	a.Invalidate(h.Get("X-Auth-Token"))
	if _, err := a.Headers(t.Context(), s); !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Fatalf("after Invalidate: %v", err)
	}
	// The control: the default plugin authenticates again.
	b, _ := authplugin.NewPassword(o)
	tok, err := b.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	b.Invalidate(tok)
	if _, err := b.Token(t.Context(), s); err != nil {
		t.Fatalf("default plugin after Invalidate: %v", err)
	}
}
