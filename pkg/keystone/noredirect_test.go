package keystone_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// A request with NoRedirect gets the redirect itself, with its cookies, and
// nothing is sent to where it points; the service providers of a token body
// are read.
func TestNoRedirectAndServiceProviders(t *testing.T) {
	var followed bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/next" {
			followed = true
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "_shibsession", Value: "abc"})
		http.Redirect(w, r, "/next", http.StatusFound)
	}))
	defer srv.Close()
	s, _ := keystone.NewSession()
	resp, err := s.Request(t.Context(), keystone.Request{Method: "POST", URL: srv.URL + "/ecp", Body: []byte("<x/>"), NoAuth: true, NoRedirect: true})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/next" || len(resp.Cookies()) != 1 || followed {
		t.Errorf("status %d, location %q, cookies %v, followed %v", resp.StatusCode, resp.Header.Get("Location"), resp.Cookies(), followed)
	}
	// Without NoRedirect, the redirect of a request with a body is refused.
	if _, err := s.Request(t.Context(), keystone.Request{Method: "POST", URL: srv.URL + "/ecp", Body: []byte("<x/>"), NoAuth: true}); err == nil {
		t.Errorf("a redirected POST was followed")
	}

	ai, err := keystone.NewAccessInfoV3("tok", []byte(`{"token": {"user": {"id": "u"}, "expires_at": "2030-01-01T00:00:00Z",
		"service_providers": [{"id": "sp1", "auth_url": "https://sp/v3/OS-FEDERATION/identity_providers/idp/protocols/saml2/auth", "sp_url": "https://sp/Shibboleth.sso/SAML2/ECP"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ai.ServiceProviders) != 1 || ai.ServiceProviders[0].ID != "sp1" || ai.ServiceProviders[0].SPURL != "https://sp/Shibboleth.sso/SAML2/ECP" {
		t.Errorf("service providers %+v", ai.ServiceProviders)
	}
}
