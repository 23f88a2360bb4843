package authplugin_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

const samlPassword = "saml-user-password-97"

// signedResponse stands for the identity provider's signed samlp:Response:
// its bytes must reach the service provider unchanged.
const signedResponse = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="r1"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` +
	`<saml:Subject>alice</saml:Subject><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignatureValue>c2lnbmVk</ds:SignatureValue></ds:Signature></saml:Assertion></samlp:Response>`

// samlLab is the in-memory Keystone behind a stand-in for Shibboleth's ECP
// handling, and a stand-in ECP identity provider.
type samlLab struct {
	ks        *keystonetest.Server
	idp       *httptest.Server
	mu        sync.Mutex
	toIdP     []byte
	toSP      []byte
	idpAuth   []string // the Authorization headers the IdP saw
	spAuth    []string // those the SP saw
	consumer  string   // what the IdP names as consumer (default: the SP's)
	sessions  int
	faultSeen bool
}

func newSAMLLab(t *testing.T) *samlLab {
	l := &samlLab{}
	l.ks = keystonetest.NewServer(t)
	fed := "/v3/OS-FEDERATION/identity_providers/lab-saml/protocols/saml2/auth"
	consumerPath := "/Shibboleth.sso/SAML2/ECP"
	l.ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		l.mu.Lock()
		l.spAuth = append(l.spAuth, r.Header.Get("Authorization"))
		l.mu.Unlock()
		switch {
		case r.URL.Path == fed:
			if c, err := r.Cookie("_shibsession_lab"); err == nil && c.Value == "open" {
				relayToken(t, l.ks, w)
				return true
			}
			if !strings.Contains(r.Header.Get("Accept"), "application/vnd.paos+xml") || r.Header.Get("PAOS") == "" {
				http.Error(w, "a browser would be redirected", http.StatusFound)
				return true
			}
			w.Header().Set("Content-Type", "application/vnd.paos+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Header>`+
				`<paos:Request xmlns:paos="urn:liberty:paos:2003-08" S:actor="http://schemas.xmlsoap.org/soap/actor/next" S:mustUnderstand="1" responseConsumerURL="%s%s" service="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"/>`+
				`<ecp:RelayState xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" S:actor="http://schemas.xmlsoap.org/soap/actor/next" S:mustUnderstand="1">ss:mem:relay&amp;42</ecp:RelayState>`+
				`</S:Header><S:Body><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a1"/></S:Body></S:Envelope>`, l.ks.URL, consumerPath)
			return true
		case r.URL.Path == consumerPath:
			body, _ := io.ReadAll(r.Body)
			l.mu.Lock()
			defer l.mu.Unlock()
			if bytes.Contains(body, []byte("Fault")) {
				l.faultSeen = true
				w.WriteHeader(http.StatusOK)
				return true
			}
			l.toSP = body
			if !bytes.Contains(body, []byte(signedResponse)) || !bytes.Contains(body, []byte("ss:mem:relay&amp;42</ecp:RelayState>")) ||
				bytes.Contains(body, []byte("ecp:Response ")) {
				http.Error(w, "bad assertion", http.StatusForbidden)
				return true
			}
			l.sessions++
			http.SetCookie(w, &http.Cookie{Name: "_shibsession_lab", Value: "open"})
			http.Redirect(w, r, l.ks.URL+fed, http.StatusFound)
			return true
		}
		return false
	})
	l.idp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.toIdP = body
		l.idpAuth = append(l.idpAuth, r.Header.Get("Authorization"))
		consumer := l.consumer
		l.mu.Unlock()
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != samlPassword {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if consumer == "" {
			consumer = l.ks.URL + consumerPath
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Header>`+
			`<ecp:Response xmlns:ecp="urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp" soap11:actor="http://schemas.xmlsoap.org/soap/actor/next" soap11:mustUnderstand="1" AssertionConsumerServiceURL="%s"/>`+
			`</soap11:Header><soap11:Body>%s</soap11:Body></soap11:Envelope>`, consumer, signedResponse)
	}))
	t.Cleanup(l.idp.Close)
	return l
}

func (l *samlLab) options() authplugin.SAML2Options {
	return authplugin.SAML2Options{AuthURL: l.ks.AuthURL(), IdentityProvider: "lab-saml", Protocol: "saml2",
		IdentityProviderURL: l.idp.URL + "/idp/profile/SAML2/SOAP/ECP", Username: "alice", Password: samlPassword,
		Scope: authplugin.Scope{ProjectID: l.ks.AdminProjectID}}
}

func TestSAML2ECP(t *testing.T) {
	l := newSAMLLab(t)
	auth, err := authplugin.NewSAML2Password(l.options())
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s := loggedSession(t, auth, &log)
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.ID != l.ks.AdminProjectID {
		t.Errorf("not rescoped: %v", ai)
	}
	l.mu.Lock()
	if bytes.Contains(l.toIdP, []byte("paos:Request")) || bytes.Contains(l.toIdP, []byte("RelayState")) || !bytes.Contains(l.toIdP, []byte(`<samlp:AuthnRequest`)) {
		t.Errorf("the identity provider got the service provider's header or no request:\n%s", l.toIdP)
	}
	for _, h := range l.spAuth {
		if h != "" {
			t.Errorf("the service provider saw an Authorization header")
		}
	}
	l.mu.Unlock()
	if strings.Contains(log.String(), samlPassword) {
		t.Errorf("the debug log shows the password")
	}
	auth.Invalidate(ai.Token())
	if _, err := auth.Token(t.Context(), s); err != nil {
		t.Errorf("again: %v", err)
	}

	// A wrong password: the identity provider's 401, typed.
	o := l.options()
	o.Password = "wrong-saml-password-98"
	bad, _ := authplugin.NewSAML2Password(o)
	_, err = bad.Access(t.Context(), s)
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || strings.Contains(err.Error(), "wrong-saml-password-98") {
		t.Errorf("wrong password: %v", err)
	}
}

// When the identity provider names another consumer than the service
// provider, no assertion is sent anywhere: the service provider gets a SOAP
// fault, the caller ErrConsumerMismatch.
func TestSAML2ConsumerMismatch(t *testing.T) {
	l := newSAMLLab(t)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the assertion went to the other consumer")
	}))
	defer evil.Close()
	l.consumer = evil.URL + "/Shibboleth.sso/SAML2/ECP"
	auth, _ := authplugin.NewSAML2Password(l.options())
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	if _, err := auth.Access(t.Context(), s); !errors.Is(err, authplugin.ErrConsumerMismatch) {
		t.Errorf("mismatch: %v", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.faultSeen || l.toSP != nil {
		t.Errorf("the service provider got no fault (%v) or an assertion (%d bytes)", l.faultSeen, len(l.toSP))
	}
}

func TestSAML2NotECP(t *testing.T) {
	ks := keystonetest.NewServer(t) // no SAML module in front of the protocol
	auth, _ := authplugin.NewSAML2Password(authplugin.SAML2Options{AuthURL: ks.AuthURL(), IdentityProvider: "x", Protocol: "saml2",
		IdentityProviderURL: "http://127.0.0.1:1/ecp", Username: "u", Password: "p"})
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	if _, err := auth.Access(t.Context(), s); err == nil {
		t.Errorf("no error without a service provider")
	}
	var missing *keystone.MissingOptionsError
	if _, err := authplugin.NewSAML2Password(authplugin.SAML2Options{AuthURL: ks.AuthURL()}); !errors.As(err, &missing) {
		t.Errorf("no options: %v", err)
	}
}
