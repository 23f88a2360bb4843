package fedlab

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/fedlab/oidcprovider"
)

func TestRules(t *testing.T) {
	o := Options{KeystoneURL: "http://k", AdminPassword: "p", Issuer: "https://idp", ServiceClients: []string{"svc"}}
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(Rules(o, "gid"))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"local":[{"user":{"name":"{0}","type":"ephemeral"}},{"group":{"id":"gid"}}],` +
		`"remote":[{"type":"OIDC-preferred_username"},{"any_one_of":["https://idp"],"type":"OIDC-iss"}]},` +
		`{"local":[{"user":{"name":"{0}","type":"ephemeral"}},{"group":{"id":"gid"}}],` +
		`"remote":[{"type":"OIDC-sub"},{"any_one_of":["svc"],"type":"OIDC-sub"},{"any_one_of":["https://idp"],"type":"OIDC-iss"}]}]`
	if string(b) != want {
		t.Errorf("rules\n got %s\nwant %s", b, want)
	}
	o.ServiceClients = nil
	if n := len(Rules(o, "gid")); n != 1 {
		t.Errorf("%d rules without service clients", n)
	}
	if err := (&Options{}).defaults(); err == nil {
		t.Error("no error without a URL")
	}
}

func TestFederationAuthURL(t *testing.T) {
	for _, base := range []string{"http://k:1", "http://k:1/", "http://k:1/v3", "http://k:1/v3/"} {
		if got := FederationAuthURL(base, "idp", "openid"); got != "http://k:1/v3/OS-FEDERATION/identity_providers/idp/protocols/openid/auth" {
			t.Errorf("%s: %s", base, got)
		}
	}
}

// TestVerify runs Verify against the real provider and a stand-in for
// Apache and Keystone that checks the bearer token as mod_auth_openidc would.
func TestVerify(t *testing.T) {
	var p *oidcprovider.Provider
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r) }))
	defer idp.Close()
	var err error
	p, err = oidcprovider.New(oidcprovider.Config{Issuer: idp.URL,
		Clients: []oidcprovider.Client{{ID: "svc", Secret: "sec"}},
		Users:   []oidcprovider.User{{Name: "alice", Password: "pw"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v3/OS-FEDERATION/identity_providers/lab-oidc/protocols/openid/auth":
			claims, err := p.Verify(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			if err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			name, _ := claims["preferred_username"].(string)
			if name == "" {
				name, _ = claims["sub"].(string)
			}
			w.Header().Set("X-Subject-Token", "unscoped-"+name)
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"token": map[string]any{"user": map[string]any{"name": name}}})
		case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
			var body struct {
				Auth struct {
					Identity struct {
						Token struct{ ID string } `json:"token"`
					} `json:"identity"`
					Scope struct {
						Project struct{ Name string } `json:"project"`
					} `json:"scope"`
				} `json:"auth"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			if !strings.HasPrefix(body.Auth.Identity.Token.ID, "unscoped-") || body.Auth.Scope.Project.Name != "fed-project" {
				http.Error(w, "bad rescope", http.StatusUnauthorized)
				return
			}
			w.Header().Set("X-Subject-Token", "scoped")
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"token": map[string]any{
				"project": map[string]any{"id": "pid"}, "roles": []any{map[string]any{"name": "member"}}}})
		default:
			http.NotFound(w, r)
		}
	}))
	defer ks.Close()
	hc, err := HTTPClient("")
	if err != nil {
		t.Fatal(err)
	}
	defer hc.CloseIdleConnections()
	o := Options{KeystoneURL: ks.URL + "/v3", AdminPassword: "x", Issuer: idp.URL}
	base := Credentials{TokenURL: idp.URL + oidcprovider.PathToken, ClientID: "svc", ClientSecret: "sec"}
	user := base
	user.User, user.Password = "alice", "pw"
	for _, c := range []struct {
		cr   Credentials
		name string
	}{{user, "alice"}, {base, "svc"}} {
		r, err := Verify(context.Background(), hc, o, c.cr)
		if err != nil {
			t.Fatal(err)
		}
		if r.UnscopedUser != c.name || r.ProjectToken != "scoped" || r.ProjectID != "pid" || len(r.Roles) != 1 {
			t.Errorf("%+v", r)
		}
	}
	bad := user
	bad.Password = "wrong"
	if _, err := Verify(context.Background(), hc, o, bad); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestK2KRules(t *testing.T) {
	k := K2KOptions{SP: Options{KeystoneURL: "http://sp:1/v3", AdminPassword: "p", Issuer: "https://idp"}, IdPKeystoneURL: "http://idp:2/"}
	if err := k.defaults(); err != nil {
		t.Fatal(err)
	}
	if k.IdPEntityID != "http://idp:2/v3/OS-FEDERATION/saml2/idp" || k.SPURL != "http://sp:1/Shibboleth.sso/SAML2/ECP" || k.IdP != "lab-k2k" {
		t.Errorf("%+v", k)
	}
	b, _ := json.Marshal(K2KRules(k, "gid"))
	want := `[{"local":[{"user":{"name":"{0}","type":"ephemeral"}},{"group":{"id":"gid"}}],` +
		`"remote":[{"type":"openstack_user"},{"any_one_of":["http://idp:2/v3/OS-FEDERATION/saml2/idp"],"type":"Shib-Identity-Provider"}]}]`
	if string(b) != want {
		t.Errorf("got %s", b)
	}
	if err := (&K2KOptions{SP: k.SP}).defaults(); err == nil {
		t.Error("no error without the identity provider's URL")
	}
}

func TestSAMLRules(t *testing.T) {
	o := SAMLOptions{SP: Options{KeystoneURL: "http://sp:1/v3", AdminPassword: "p", Issuer: "https://idp"}, IdPEntityID: "http://idp:3/metadata"}
	if err := o.defaults(); err != nil {
		t.Fatal(err)
	}
	if o.IdP != "lab-saml" || o.Protocol != "saml2" || o.NameAttribute != "uid" {
		t.Errorf("%+v", o)
	}
	b, _ := json.Marshal(SAMLRules(o, "gid"))
	want := `[{"local":[{"user":{"name":"{0}","type":"ephemeral"}},{"group":{"id":"gid"}}],` +
		`"remote":[{"type":"uid"},{"any_one_of":["http://idp:3/metadata"],"type":"Shib-Identity-Provider"}]}]`
	if string(b) != want {
		t.Errorf("got %s", b)
	}
	if err := (&SAMLOptions{SP: o.SP}).defaults(); err == nil {
		t.Error("no error without the identity provider's entity ID")
	}
	if _, err := VerifySAML(context.Background(), o); err == nil || !strings.Contains(err.Error(), "ECP URL") {
		t.Errorf("VerifySAML without ECP URL, user, password: %v", err)
	}
}

func TestTracerKeepsNoCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "_shibsession_x", Value: "cookie-secret"})
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte("<answer/>"))
	}))
	defer srv.Close()
	dir := t.TempDir() + "/trace"
	tr, err := newTracer(dir)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ecp", strings.NewReader("<question/>"))
	req.SetBasicAuth("carol", "pw-secret")
	req.AddCookie(&http.Cookie{Name: "c", Value: "cookie-secret"})
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tr.log.Close()
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	files, _ := os.ReadDir(dir)
	var all string
	for _, f := range files {
		b, _ := os.ReadFile(dir + "/" + f.Name())
		all += f.Name() + "\n" + string(b)
		if fi, _ := f.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", f.Name(), fi.Mode())
		}
	}
	for _, s := range []string{"01-idp-ecp-request.xml\n<question/>", "02-idp-ecp-response.xml\n<answer/>", "cookies=[c]", "set-cookies=[_shibsession_x]", "basic-auth=true"} {
		if !strings.Contains(all, s) {
			t.Errorf("no %q in the trace:\n%s", s, all)
		}
	}
	for _, s := range []string{"pw-secret", "cookie-secret", base64.StdEncoding.EncodeToString([]byte("carol:pw-secret"))} {
		if strings.Contains(all, s) {
			t.Errorf("the trace holds %q", s)
		}
	}
}
