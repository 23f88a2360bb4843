package authplugin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func fakeSession(t *testing.T) *keystone.Session {
	t.Helper()
	s, err := keystone.NewSession(keystone.WithTimeout(30 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lastAuthBody returns the body of the last POST /v3/auth/tokens.
func lastAuthBody(t *testing.T, ks *keystonetest.Server) map[string]any {
	t.Helper()
	r := ks.LastRequest("POST /v3/auth/tokens")
	if r == nil {
		t.Fatal("no authentication request")
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("body %s: %v", data, err)
	}
	return body
}

// TestNoCatalog: every v3 plugin asks for ?nocatalog when told to; the token
// then has no catalog and endpoint lookups fail with ErrEmptyCatalog (or
// ErrEndpointNotFound). The same plugins without the option get the catalog.
func TestNoCatalog(t *testing.T) {
	ks := keystonetest.NewServer(t)
	s := fakeSession(t)
	user := authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID}
	scope := authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}
	admin, err := authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.AuthURL(), User: user, Password: ks.AdminPassword, Scope: scope})
	if err != nil {
		t.Fatal(err)
	}
	adminToken, err := admin.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	build := map[string]func(noCatalog bool) (*keystone.Auth, error){
		"password": func(nc bool) (*keystone.Auth, error) {
			return authplugin.NewPassword(authplugin.PasswordOptions{AuthURL: ks.AuthURL(), User: user, Password: ks.AdminPassword, Scope: scope, NoCatalog: nc})
		},
		"token": func(nc bool) (*keystone.Auth, error) {
			return authplugin.NewToken(authplugin.TokenOptions{AuthURL: ks.AuthURL(), Token: adminToken, Scope: scope, NoCatalog: nc})
		},
		"multifactor": func(nc bool) (*keystone.Auth, error) {
			return authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(), Scope: scope, NoCatalog: nc,
				Methods: []authplugin.Method{authplugin.PasswordMethod{User: user, Password: ks.AdminPassword}}})
		},
		"generic": func(nc bool) (*keystone.Auth, error) {
			return authplugin.NewGeneric(authplugin.GenericOptions{AuthURL: ks.URL, User: user, Password: ks.AdminPassword, Scope: scope, NoCatalog: nc})
		},
		"totp": func(nc bool) (*keystone.Auth, error) {
			return authplugin.NewTOTP(authplugin.TOTPOptions{AuthURL: ks.AuthURL(), User: user, Scope: scope, NoCatalog: nc,
				PasscodeFunc: func(context.Context) (string, error) { return "000000", nil }})
		},
		"application credential": func(nc bool) (*keystone.Auth, error) {
			return authplugin.NewApplicationCredential(authplugin.ApplicationCredentialOptions{AuthURL: ks.AuthURL(), ID: "nope", Secret: "s", NoCatalog: nc})
		},
	}
	for name, b := range build {
		for _, nc := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/nocatalog=%v", name, nc), func(t *testing.T) {
				a, err := b(nc)
				if err != nil {
					t.Fatal(err)
				}
				ai, err := a.Access(t.Context(), s)
				r := ks.LastRequest("POST /v3/auth/tokens")
				if got := r.URL.Query().Has("nocatalog"); got != nc {
					t.Fatalf("request %s: nocatalog %v, want %v", r.URL, got, nc)
				}
				if name == "totp" || name == "application credential" {
					// Credentials the fake rejects: only the request is checked.
					if err == nil {
						t.Fatal("the fake accepted a made-up credential")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				_, lerr := a.Endpoint(t.Context(), s, keystone.EndpointFilter{ServiceType: "identity"})
				if nc {
					if ai.Catalog() != nil {
						t.Errorf("catalog with %d endpoints", ai.Catalog().Len())
					}
					if !errors.Is(lerr, keystone.ErrEmptyCatalog) && !errors.Is(lerr, keystone.ErrEndpointNotFound) {
						t.Errorf("lookup without a catalog: %v", lerr)
					}
					// The session's lookup fails the same way.
					if _, err := s.EndpointURL(t.Context(), a, keystone.EndpointFilter{ServiceType: "identity"}); !errors.Is(err, keystone.ErrEmptyCatalog) && !errors.Is(err, keystone.ErrEndpointNotFound) {
						t.Errorf("session lookup without a catalog: %v", err)
					}
					// The auth URL is still an endpoint.
					if u, err := s.EndpointURL(t.Context(), a, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}}); err != nil || u == "" {
						t.Errorf("auth URL: %q %v", u, err)
					}
				} else {
					if ai.Catalog().Len() == 0 || lerr != nil {
						t.Errorf("catalog %d endpoints, lookup %v", ai.Catalog().Len(), lerr)
					}
				}
			})
		}
	}
}

// TestNoCatalogCacheKey: a token without a catalog is not shared with a
// plugin that wants one.
func TestNoCatalogCacheKey(t *testing.T) {
	ks := keystonetest.NewServer(t)
	s := fakeSession(t)
	store := keystone.NewMemoryStore()
	o := authplugin.PasswordOptions{AuthURL: ks.AuthURL(), User: authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Password: ks.AdminPassword, Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}}
	with, _ := authplugin.NewPassword(o, keystone.WithTokenStore(store))
	o.NoCatalog = true
	without, _ := authplugin.NewPassword(o, keystone.WithTokenStore(store))
	if _, err := without.Access(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	ai, err := with.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Catalog().Len() == 0 || ks.RequestCount("POST /v3/auth/tokens") != 2 {
		t.Fatalf("the plugin that wants a catalog got the stored token without one (%d authentications)", ks.RequestCount("POST /v3/auth/tokens"))
	}
}

// otpMethod is a program's own method, named as it likes.
type otpMethod struct {
	name   string
	userID string
	code   string
	single bool
}

func (m otpMethod) MethodName() string { return m.name }
func (m otpMethod) Body(context.Context) (any, error) {
	return map[string]any{"user": map[string]string{"id": m.userID}, "code": m.code}, nil
}
func (m otpMethod) Reauthenticates() bool { return !m.single }

// passwordByHand is the password method written by a program: Keystone
// accepts it as the built-in one.
type passwordByHand struct{ user, domain, password string }

func (m passwordByHand) MethodName() string { return "password" }
func (m passwordByHand) Body(context.Context) (any, error) {
	return map[string]any{"user": map[string]any{"name": m.user, "domain": map[string]string{"id": m.domain}, "password": m.password}}, nil
}
func (m passwordByHand) CacheKey() []string { return []string{m.user, m.domain, m.password} }

// failingMethod cannot build its body.
type failingMethod struct{ err error }

func (m failingMethod) MethodName() string                { return "external-otp" }
func (m failingMethod) Body(context.Context) (any, error) { return nil, m.err }

// arrayMethod's body is not a JSON object.
type arrayMethod struct{}

func (arrayMethod) MethodName() string                { return "array" }
func (arrayMethod) Body(context.Context) (any, error) { return []string{"x"}, nil }

type ptrMethod struct{ name string }

func (m *ptrMethod) MethodName() string                { return m.name }
func (m *ptrMethod) Body(context.Context) (any, error) { return nil, nil }

// TestCustomMethod: a program's own Method goes into the request as
// Keystone expects it (identity.methods and identity.<name>), next to
// built-in ones; a method Keystone does not enable fails typed (401).
func TestCustomMethod(t *testing.T) {
	ks := keystonetest.NewServer(t)
	s := fakeSession(t)
	scope := authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}

	// A method the fake does not know: 401, and the body as built.
	a, err := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(), Scope: scope, Methods: []authplugin.Method{
		authplugin.PasswordMethod{User: authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID}, Password: ks.AdminPassword},
		otpMethod{name: "sms-otp", userID: ks.AdminUserID, code: "123456"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Token(t.Context(), s)
	var he *keystone.HTTPError
	if !errors.Is(err, keystone.ErrAuthorizationFailure) || !errors.As(err, &he) || he.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unknown method: %v, want a 401 ErrAuthorizationFailure", err)
	}
	id := lastAuthBody(t, ks)["auth"].(map[string]any)["identity"].(map[string]any)
	if m, _ := json.Marshal(id["methods"]); string(m) != `["password","sms-otp"]` {
		t.Errorf("methods %s", m)
	}
	if sms, _ := json.Marshal(id["sms-otp"]); string(sms) != fmt.Sprintf(`{"code":"123456","user":{"id":%q}}`, ks.AdminUserID) {
		t.Errorf("sms-otp body %s", sms)
	}
	if pw, ok := id["password"].(map[string]any); !ok || pw["user"].(map[string]any)["password"] != ks.AdminPassword {
		t.Errorf("password body %v", id["password"])
	}
	if len(id) != 3 {
		t.Errorf("identity has %d members: %v", len(id), id)
	}

	// A program's own password method: the fake accepts it.
	a, err = authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(), Scope: scope,
		Methods: []authplugin.Method{passwordByHand{user: ks.AdminUser, domain: ks.DomainID, password: ks.AdminPassword}}})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := a.Access(t.Context(), s)
	if err != nil {
		t.Fatalf("hand-written password method: %v", err)
	}
	if ai.User.ID != ks.AdminUserID || ai.Project == nil || len(ai.Methods) != 1 || ai.Methods[0] != "password" {
		t.Fatalf("token of %+v methods %v", ai.User, ai.Methods)
	}
	// The same method with a wrong password: 401.
	a, _ = authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(),
		Methods: []authplugin.Method{passwordByHand{user: ks.AdminUser, domain: ks.DomainID, password: "wrong"}}})
	if _, err := a.Token(t.Context(), s); !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Fatalf("wrong password: %v", err)
	}

	// Errors of the method are the caller's, wrapped.
	sentinel := errors.New("the OTP device is unplugged")
	a, _ = authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(), Methods: []authplugin.Method{failingMethod{err: sentinel}}})
	n := ks.RequestCount("POST /v3/auth/tokens")
	if _, err := a.Token(t.Context(), s); !errors.Is(err, sentinel) || !strings.Contains(err.Error(), "external-otp") {
		t.Fatalf("body error: %v", err)
	}
	a, _ = authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(), Methods: []authplugin.Method{arrayMethod{}}})
	if _, err := a.Token(t.Context(), s); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Fatalf("array body: %v", err)
	}
	if ks.RequestCount("POST /v3/auth/tokens") != n {
		t.Fatal("a request was sent with a body that could not be built")
	}

	// Bad method lists are refused when the plugin is built.
	for name, ms := range map[string][]authplugin.Method{
		"nil":        {nil},
		"typed nil":  {(*ptrMethod)(nil)},
		"empty name": {&ptrMethod{}},
		"methods":    {&ptrMethod{name: "methods"}},
	} {
		if _, err := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(), Methods: ms}); !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestCustomMethodReauthentication: a single-use custom method makes the
// plugin fail with ErrCannotReauthenticate once its token is rejected; a
// reusable one authenticates again.
func TestCustomMethodReauthentication(t *testing.T) {
	ks := keystonetest.NewServer(t)
	s := fakeSession(t)
	for _, single := range []bool{false, true} {
		m := passwordByHand{user: ks.AdminUser, domain: ks.DomainID, password: ks.AdminPassword}
		var methods []authplugin.Method
		if single {
			methods = []authplugin.Method{singleUse{m}}
		} else {
			methods = []authplugin.Method{m}
		}
		a, err := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: ks.AuthURL(), Methods: methods})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := a.Token(t.Context(), s)
		if err != nil {
			t.Fatal(err)
		}
		a.Invalidate(tok)
		_, err = a.Token(t.Context(), s)
		if single != errors.Is(err, keystone.ErrCannotReauthenticate) || (!single && err != nil) {
			t.Errorf("single use %v: %v", single, err)
		}
	}
}

type singleUse struct{ passwordByHand }

func (singleUse) Reauthenticates() bool { return false }

// TestCustomMethodNotPrinted: the plugin prints a program's method by its
// type and name only.
func TestCustomMethodNotPrinted(t *testing.T) {
	const secret = "hand-password-77"
	a, err := authplugin.NewMultiFactor(authplugin.MultiFactorOptions{AuthURL: "http://ks/v3",
		Methods: []authplugin.Method{passwordByHand{user: "alice", domain: "default", password: secret}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{fmt.Sprint(a), fmt.Sprintf("%+v", a), fmt.Sprintf("%#v", a)} {
		if strings.Contains(out, secret) {
			t.Errorf("printed: %s", out)
		}
	}
	js, _ := json.Marshal(a)
	if strings.Contains(string(js), secret) {
		t.Errorf("JSON: %s", js)
	}
}

// TestCustomMethodOptionsNotPrinted: the options themselves, printed every
// way a program might (String, %v, %+v, %#v, %q, JSON, slog's JSON handler),
// show a method of the program's own by type and name only.
func TestCustomMethodOptionsNotPrinted(t *testing.T) {
	const secret = "hand-password-78"
	o := authplugin.MultiFactorOptions{AuthURL: "http://ks/v3",
		Methods: []authplugin.Method{passwordByHand{user: "alice", domain: "default", password: secret}}}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("options", "o", o)
	js, _ := json.Marshal(o)
	for _, out := range []string{o.String(), fmt.Sprint(o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o),
		fmt.Sprintf("%q", o), string(js), logged.String()} {
		if strings.Contains(out, secret) {
			t.Errorf("printed: %s", out)
		}
	}
	if !strings.Contains(o.String(), "passwordByHand") {
		t.Errorf("String does not name the method: %s", o.String())
	}
}

// TestV2DefaultDomain: a v2.0 token (from the fake's v2.0 API) reports the
// user's and the project's domain as default/Default, as keystoneclient's
// AccessInfoV2 does.
func TestV2DefaultDomain(t *testing.T) {
	ks := keystonetest.NewServer(t)
	s := fakeSession(t)
	a, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), Username: ks.AdminUser,
		Password: ks.AdminPassword, Tenant: authplugin.Tenant{Name: ks.AdminProject}})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := a.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Version() != "v2.0" || ai.User.DomainID != "default" || ai.User.DomainName != "Default" {
		t.Fatalf("user %+v", ai.User)
	}
	if ai.Project == nil || ai.Project.Name != ks.AdminProject || ai.Project.DomainID != "default" || ai.Project.DomainName != "Default" {
		t.Fatalf("project %+v", ai.Project)
	}
}

// TestV2TrustID: the v2.0 password and token plugins send auth.trust_id.
// The fake's v2.0 API does not implement trusts (it answers 501): the
// request is checked there, and the plugin's use of the answer against a
// server that does.
func TestV2TrustID(t *testing.T) {
	ks := keystonetest.NewServer(t)
	s := fakeSession(t)
	a, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), Username: ks.AdminUser,
		Password: ks.AdminPassword, TrustID: "trust-1"})
	if err != nil {
		t.Fatal(err)
	}
	// Today the fake answers 501; should it issue v2.0 trust tokens one day,
	// the token must be the trust's.
	if ai, err := a.Access(t.Context(), s); err == nil && (ai.Trust == nil || ai.Trust.ID != "trust-1") {
		t.Fatalf("the fake issued a token without the trust: %v", ai)
	}
	r := ks.LastRequest("POST /v2.0/tokens")
	var body struct {
		Auth struct {
			TrustID             string          `json:"trust_id"`
			PasswordCredentials json.RawMessage `json:"passwordCredentials"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Auth.TrustID != "trust-1" || body.Auth.PasswordCredentials == nil {
		t.Fatalf("request body: %+v %v", body, err)
	}

	// Against a server that issues v2.0 trust tokens.
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Auth struct {
				TrustID string `json:"trust_id"`
				Token   *struct {
					ID string `json:"id"`
				} `json:"token"`
			} `json:"auth"`
		}
		if r.URL.Path != "/v2.0/tokens" || json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		got = append(got, req.Auth.TrustID)
		if req.Auth.TrustID == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access": {"token": {"id": "trust-tok", "expires": "2099-01-01T00:00:00Z", "tenant": {"id": "t1", "name": "demo"}},
			"user": {"id": "trustee", "name": "bob", "roles": [{"name": "member"}]},
			"trust": {"id": %q, "trustee_user_id": "trustee", "trustor_user_id": "trustor", "impersonation": false}}}`, req.Auth.TrustID)
	}))
	t.Cleanup(srv.Close)
	tokA, err := authplugin.NewTokenV2(authplugin.TokenV2Options{AuthURL: srv.URL + "/v2.0", Token: "old", TrustID: "trust-2"})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := tokA.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !ai.TrustScoped() || ai.Trust.ID != "trust-2" || ai.Trust.TrusteeUserID != "trustee" || len(got) != 1 || got[0] != "trust-2" {
		t.Fatalf("trust %+v, sent %v", ai.Trust, got)
	}
	// Without a trust ID, none is sent.
	plain, _ := authplugin.NewTokenV2(authplugin.TokenV2Options{AuthURL: srv.URL + "/v2.0", Token: "old"})
	if _, err := plain.Token(t.Context(), s); !errors.Is(err, keystone.ErrAuthorizationFailure) || got[1] != "" {
		t.Fatalf("no trust: %v, sent %q", err, got)
	}
}
