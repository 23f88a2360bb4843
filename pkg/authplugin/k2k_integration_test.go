//go:build integration

package authplugin_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestK2KWithRealKeystoneAsIdP: the real Keystone 22 is the identity
// provider (its [saml] signs the assertion); the service provider is the
// in-memory Keystone behind a stand-in for mod_shib, which checks that what
// it is posted is the real Keystone's signed assertion in an ECP envelope
// and opens a session (a cookie) that its federation endpoint accepts.
func TestK2KWithRealKeystoneAsIdP(t *testing.T) {
	ks, c, admin := adminV3(t)
	sp := keystonetest.NewServer(t)
	const spPath = "/Shibboleth.sso/SAML2/ECP"
	fedPath := "/v3/OS-FEDERATION/identity_providers/idp-k2k/protocols/saml2/auth"
	var (
		mu       sync.Mutex
		sessions = map[string]bool{}
		posted   []byte
	)
	sp.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case spPath:
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			posted = body
			mu.Unlock()
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/vnd.paos+xml" ||
				!bytes.Contains(body, []byte("Envelope")) || !bytes.Contains(body, []byte("Assertion")) ||
				!bytes.Contains(body, []byte("SignatureValue")) || !bytes.Contains(body, []byte(ks.URL+"/v3/OS-FEDERATION/saml2/idp")) {
				http.Error(w, "not a signed ECP assertion of the identity provider", http.StatusUnauthorized)
				return true
			}
			mu.Lock()
			cookie := fmt.Sprintf("sess-%d", len(sessions)+1)
			sessions[cookie] = true
			mu.Unlock()
			http.SetCookie(w, &http.Cookie{Name: "_shibsession_k2k", Value: cookie, Path: "/"})
			http.Redirect(w, r, sp.URL+fedPath, http.StatusFound)
			return true
		case fedPath:
			ck, err := r.Cookie("_shibsession_k2k")
			mu.Lock()
			ok := err == nil && sessions[ck.Value]
			mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "no SAML2 session"}}`)
				return true
			}
			relayToken(t, sp, w)
			return true
		}
		return false
	})

	spID := uniq("sp")
	_, err := c.ServiceProviders.Create(t.Context(), spID, identityv3.ServiceProviderCreate{
		AuthURL: sp.URL + fedPath, SPURL: sp.URL + spPath, Enabled: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.ServiceProviders.Delete(cleanupCtx(), spID) })

	local, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.URL,
		User: authplugin.User{Name: ks.AdminUser, DomainID: ks.Domain}, Password: ks.AdminPassword,
		Scope: authplugin.Scope{ProjectID: admin.Project.ID}})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := authplugin.NewK2K(authplugin.K2KOptions{Local: local, ServiceProvider: spID,
		Scope: authplugin.Scope{ProjectID: sp.AdminProjectID}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatalf("k2k: %v (posted %.300s)", err, posted)
	}
	if ai.Project == nil || ai.Project.ID != sp.AdminProjectID {
		t.Errorf("not scoped at the service provider: %v", ai)
	}
	// The token is the service provider's: a call there works.
	if _, err := s.Request(t.Context(), keystone.Request{Method: "GET", URL: sp.URL + "/v3/projects"}); err != nil {
		t.Errorf("a call at the service provider: %v", err)
	}
	// A refresh does it all again.
	auth.Invalidate(ai.Token())
	_, err = auth.Token(t.Context(), s)
	mu.Lock()
	n := len(sessions)
	mu.Unlock()
	if err != nil || n != 2 {
		t.Errorf("refresh: %v, %d sessions", err, n)
	}

	// An unknown service provider: typed, before anything is sent.
	other, _ := authplugin.NewK2K(authplugin.K2KOptions{Local: local, ServiceProvider: "no-such-sp"})
	if _, err := other.Access(t.Context(), s); !errors.Is(err, authplugin.ErrNoServiceProvider) {
		t.Errorf("unknown service provider: %v", err)
	}
}
