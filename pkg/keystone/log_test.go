package keystone_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/ksfake"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// TestDebugLogsRedactSecrets drives every kind of secret through a session
// with debug logging and checks that none reaches the log or an error.
func TestDebugLogsRedactSecrets(t *testing.T) {
	srv := ksfake.New(t)
	log, buf := debugLogger()
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth), keystone.WithLogger(log))
	if _, err := getProjects(t.Context(), s, srv.URL); err != nil {
		t.Fatal(err)
	}
	token := auth.Current().Token()

	// A request carrying secrets in its body, and a response carrying one.
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodPost, URL: srv.URL + "/v3/projects", JSON: map[string]any{
		"user":       map[string]any{"password": "body-pw-1", "original_password": "body-pw-0"},
		"credential": map[string]any{"blob": `{"access": "a", "secret": "ec2-secret-9"}`},
		"app":        map[string]any{"secret": "app-secret-7"},
		"auth":       map[string]any{"identity": map[string]any{"token": map[string]any{"id": "sub-token-5"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A token method authentication and validation (X-Subject-Token in both directions).
	tm, _ := authplugin.NewToken(authplugin.TokenOptions{AuthURL: srv.URL, Token: token, Scope: authplugin.Scope{ProjectID: "p-1"}})
	s2 := newSession(t, keystone.WithAuth(tm), keystone.WithLogger(log))
	if _, err := getProjects(t.Context(), s2, srv.URL); err != nil {
		t.Fatal(err)
	}
	resp, err = s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3/auth/tokens",
		Header: http.Header{"X-Subject-Token": {token}}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	logs := buf.String()
	assertNoSecret(t, "the debug log", logs, srv.Password, token, tm.Current().Token(),
		"body-pw-1", "body-pw-0", "ec2-secret-9", "app-secret-7", "sub-token-5")
	for _, want := range []string{"curl -g -i -X POST", "X-Auth-Token: {SHA256}", "X-Subject-Token: {SHA256}", `password\":\"***`, "status=201"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the debug log lacks %q", want)
		}
	}
}

func TestErrorsNeverShowSecrets(t *testing.T) {
	srv := ksfake.New(t)
	// Echo a token-looking header back in a 401 body and headers.
	srv.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v3/projects" {
			return false
		}
		w.Header().Set("X-Subject-Token", r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		w.Write([]byte(`{"error": {"code": 403, "title": "Forbidden", "message": "You are not authorized."}}`))
		return true
	})
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	_, err := getProjects(t.Context(), s, srv.URL)
	var he *keystone.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("got %v", err)
	}
	token := auth.Current().Token()
	assertNoSecret(t, "the error", err.Error(), token, srv.Password)
	if he.Header.Get("X-Subject-Token") != "" {
		t.Error("the error keeps X-Subject-Token")
	}
	for _, o := range []any{
		authplugin.PasswordOptions{Password: "opt-pw"}, authplugin.TokenOptions{Token: "opt-tok"},
		authplugin.ApplicationCredentialOptions{Secret: "opt-sec"}, authplugin.TOTPOptions{Passcode: "654321"},
		authplugin.GenericOptions{Password: "opt-pw", Token: "opt-tok"},
		authplugin.PasswordMethod{Password: "opt-pw"}, authplugin.TOTPMethod{Passcode: "654321"},
	} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoSecret(t, "a formatted option", sprintf(format, o), "opt-pw", "opt-tok", "opt-sec", "654321")
		}
	}
}
