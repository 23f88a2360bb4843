package authplugin_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

const adfsPassword = "adfs-user-password-99"

// TestADFS replays the ADFS exchange of testdata/adfs (no ADFS server can
// run here): the plugin's WS-Trust request, the security token response,
// the service provider's ADFS handler (a stand-in for Shibboleth's, in
// front of the in-memory Keystone) and Keystone's token.
func TestADFS(t *testing.T) {
	rstr, err := os.ReadFile("testdata/adfs/rstr.xml")
	if err != nil {
		t.Fatal(err)
	}
	fault, err := os.ReadFile("testdata/adfs/fault.xml")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var rst []byte
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		rst = body
		mu.Unlock()
		w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
		if !bytes.Contains(body, []byte("<o:Password Type=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText\">"+adfsPassword+"</o:Password>")) {
			w.WriteHeader(http.StatusInternalServerError)
			w.Write(fault)
			return
		}
		w.Write(rstr)
	}))
	defer idp.Close()

	ks := keystonetest.NewServer(t)
	fed := "/v3/OS-FEDERATION/identity_providers/adfs/protocols/saml2/auth"
	var wresult string
	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/Shibboleth.sso/ADFS":
			r.ParseForm()
			mu.Lock()
			wresult = r.PostForm.Get("wresult")
			mu.Unlock()
			if r.PostForm.Get("wa") != "wsignin1.0" || !strings.Contains(wresult, "<saml:Assertion") {
				http.Error(w, "no assertion", http.StatusForbidden)
				return true
			}
			http.SetCookie(w, &http.Cookie{Name: "_shibsession_adfs", Value: "open"})
			http.Redirect(w, r, "/secure", http.StatusFound)
			return true
		case fed:
			if c, err := r.Cookie("_shibsession_adfs"); err != nil || c.Value != "open" {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "no session"}}`)
				return true
			}
			relayToken(t, ks, w)
			return true
		}
		return false
	})

	o := authplugin.ADFSOptions{AuthURL: ks.AuthURL(), IdentityProvider: "adfs", Protocol: "saml2",
		IdentityProviderURL: idp.URL + "/adfs/services/trust/13/usernamemixed", ServiceProviderEndpoint: ks.URL + "/Shibboleth.sso/ADFS",
		ServiceProviderEntityID: "https://keystone.example.com/Shibboleth.sso/ADFS", Username: "alice@example.com", Password: adfsPassword,
		Scope: authplugin.Scope{ProjectID: ks.AdminProjectID}}
	auth, err := authplugin.NewADFSPassword(o)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s := loggedSession(t, auth, &log)
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.ID != ks.AdminProjectID {
		t.Errorf("not rescoped: %v", ai)
	}
	mu.Lock()
	if !bytes.Contains(rst, []byte("<wsa:Address>https://keystone.example.com/Shibboleth.sso/ADFS</wsa:Address>")) ||
		!bytes.Contains(rst, []byte("<o:Username>alice@example.com</o:Username>")) {
		t.Errorf("the request security token:\n%s", rst)
	}
	// The token response, whole and unchanged but for the trust namespace,
	// which keystoneauth1 renames, declared on it (it was the envelope's).
	startTag, _, _ := strings.Cut(wresult, ">")
	if !strings.HasPrefix(startTag, `<trust:RequestSecurityTokenResponse `) || !strings.Contains(startTag, `xmlns:trust="http://schemas.xmlsoap.org/ws/2005/02/trust"`) ||
		!strings.Contains(wresult, "<ds:SignatureValue>QWRGUyBzaWduYXR1cmUgb2YgdGhlIGFzc2VydGlvbg==</ds:SignatureValue>") ||
		strings.Contains(wresult, "200512\"") {
		t.Errorf("wresult:\n%s", wresult)
	}
	mu.Unlock()
	if strings.Contains(log.String(), adfsPassword) {
		t.Errorf("the debug log shows the password")
	}

	o.Password = "wrong-adfs-password-100"
	bad, _ := authplugin.NewADFSPassword(o)
	_, err = bad.Access(t.Context(), s)
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || strings.Contains(err.Error(), "wrong-adfs-password-100") {
		t.Errorf("wrong password: %v", err)
	}
	var missing *keystone.MissingOptionsError
	if _, err := authplugin.NewADFSPassword(authplugin.ADFSOptions{AuthURL: ks.AuthURL()}); !errors.As(err, &missing) {
		t.Errorf("no options: %v", err)
	}
}
