package authplugin_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// v2Server is an Identity v2.0-only server: GET / lists only v2.0, POST
// /v2.0/tokens takes passwordCredentials or a token.
func v2Server(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var auths atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && (r.URL.Path == "/" || r.URL.Path == "/v2.0" || r.URL.Path == "/v2.0/"):
			fmt.Fprintf(w, `{"versions": {"values": [{"id": "v2.0", "status": "deprecated", "updated": "2016-08-04T00:00:00Z",
				"links": [{"rel": "self", "href": "%s/v2.0/"}], "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v2.0+json"}]}]}}`, srv.URL)
		case r.Method == http.MethodPost && r.URL.Path == "/v2.0/tokens":
			auths.Add(1)
			var req struct {
				Auth struct {
					PasswordCredentials *struct{ UserID, Username, Password string } `json:"passwordCredentials"`
					Token               *struct{ ID string }                         `json:"token"`
					TenantID            string                                       `json:"tenantId"`
					TenantName          string                                       `json:"tenantName"`
				} `json:"auth"`
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
				w.WriteHeader(400)
				return
			}
			a := req.Auth
			ok := (a.PasswordCredentials != nil && a.PasswordCredentials.Password == "v2-pw" &&
				(a.PasswordCredentials.Username == "alice" || a.PasswordCredentials.UserID == "u1")) ||
				(a.Token != nil && a.Token.ID == "v2-old-token")
			if !ok {
				w.WriteHeader(401)
				fmt.Fprint(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
				return
			}
			tenant := `null`
			if a.TenantID == "t1" || a.TenantName == "demo" {
				tenant = `{"id": "t1", "name": "demo", "enabled": true, "description": null}`
			}
			fmt.Fprintf(w, `{"access": {"token": {"id": "v2-tok-%d", "expires": "2099-01-01T00:00:00Z", "issued_at": "2030-01-01T00:00:00.000000Z", "tenant": %s, "audit_ids": ["a"]},
				"serviceCatalog": [{"type": "identity", "name": "keystone", "endpoints": [{"id": "e1", "region": "RegionOne", "publicURL": "%s/v2.0", "adminURL": "%s/v2.0"}], "endpoints_links": []}],
				"user": {"id": "u1", "name": "alice", "username": "alice", "roles": [{"name": "member"}], "roles_links": []},
				"metadata": {"is_admin": 0, "roles": ["r1"]}}}`, auths.Load(), tenant, srv.URL, srv.URL)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &auths
}

func TestPasswordV2(t *testing.T) {
	srv, auths := v2Server(t)
	auth, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{
		AuthURL: srv.URL + "/v2.0", Username: "alice", Password: "v2-pw", Tenant: authplugin.Tenant{Name: "demo"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Version() != "v2.0" || ai.Project == nil || ai.Project.ID != "t1" || ai.User.Name != "alice" {
		t.Errorf("access %s", ai)
	}
	url, err := auth.Endpoint(t.Context(), s, keystone.EndpointFilter{ServiceType: "identity", Interfaces: []string{"adminURL"}})
	if err != nil || url != srv.URL+"/v2.0" {
		t.Errorf("endpoint %q %v", url, err)
	}
	if _, err := auth.Token(t.Context(), s); err != nil || auths.Load() != 1 {
		t.Errorf("token reuse: %v, %d authentications", err, auths.Load())
	}
	if !strings.Contains(authplugin.PasswordV2Options{Password: "v2-pw"}.String(), "***") {
		t.Error("options show the password")
	}
}

func TestPasswordV2Errors(t *testing.T) {
	srv, _ := v2Server(t)
	auth, _ := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: srv.URL, UserID: "u1", Password: "wrong-v2-secret"})
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	_, err := auth.Access(t.Context(), s)
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "wrong-v2-secret") {
		t.Errorf("error shows the password: %v", err)
	}
	_, err = authplugin.NewPasswordV2(authplugin.PasswordV2Options{})
	var missing *keystone.MissingOptionsError
	if !errors.As(err, &missing) || len(missing.Options) != 3 {
		t.Errorf("missing options: %v", err)
	}
}

func TestTokenV2(t *testing.T) {
	srv, _ := v2Server(t)
	auth, err := authplugin.NewTokenV2(authplugin.TokenV2Options{AuthURL: srv.URL, Token: "v2-old-token", Tenant: authplugin.Tenant{ID: "t1"}})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil || ai.Project == nil || ai.Project.ID != "t1" {
		t.Fatalf("rescoped: %v %v", ai, err)
	}
}

// The generic plugin uses v2.0 when the server offers only that.
func TestGenericChoosesV2(t *testing.T) {
	srv, _ := v2Server(t)
	auth, err := authplugin.NewGeneric(authplugin.GenericOptions{
		AuthURL: srv.URL, User: authplugin.User{Name: "alice", DomainID: "default"}, Password: "v2-pw",
		Scope: authplugin.Scope{ProjectName: "demo", ProjectDomainID: "default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Version() != "v2.0" || ai.Project.Name != "demo" {
		t.Errorf("generic on a v2.0-only server: %s", ai)
	}
	dom, _ := authplugin.NewGeneric(authplugin.GenericOptions{
		AuthURL: srv.URL, User: authplugin.User{Name: "alice", DomainID: "default"}, Password: "v2-pw",
		Scope: authplugin.Scope{DomainID: "default"},
	})
	s2, _ := keystone.NewSession(keystone.WithAuth(dom))
	if _, err := dom.Access(t.Context(), s2); !errors.Is(err, keystone.ErrUnsupportedVersion) {
		t.Errorf("domain scope on v2.0: %v", err)
	}
}

// A v2.0 openrc names no domain: the generic plugin takes it and uses v2.0;
// with v3 offered, the missing domain is a MissingOptionsError at
// authentication.
func TestGenericWithoutDomains(t *testing.T) {
	srv, _ := v2Server(t)
	opts := authplugin.GenericOptions{
		AuthURL: srv.URL, User: authplugin.User{Name: "alice"}, Password: "v2-pw",
		Scope: authplugin.Scope{ProjectName: "demo"},
	}
	auth, err := authplugin.NewGeneric(opts)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	if ai, err := auth.Access(t.Context(), s); err != nil || ai.Version() != "v2.0" || ai.Project.Name != "demo" {
		t.Fatalf("generic without domains on v2.0: %v %v", ai, err)
	}

	ks := keystonetest.NewServer(t)
	opts.AuthURL = ks.URL
	auth, err = authplugin.NewGeneric(opts)
	if err != nil {
		t.Fatal(err)
	}
	s, _ = keystone.NewSession(keystone.WithAuth(auth))
	var missing *keystone.MissingOptionsError
	if _, err := auth.Access(t.Context(), s); !errors.As(err, &missing) {
		t.Errorf("generic without domains on v3: %v, want a MissingOptionsError", err)
	}
}
