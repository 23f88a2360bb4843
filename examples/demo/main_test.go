package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeKeystone answers the demo's two calls the way Keystone 22 does.
func fakeKeystone(t *testing.T, password, token string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
			b, _ := io.ReadAll(r.Body)
			var req struct {
				Auth struct {
					Identity struct {
						Password struct {
							User struct{ Name, Password string }
						}
					}
				}
			}
			if err := json.Unmarshal(b, &req); err != nil || req.Auth.Identity.Password.User.Password != password {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
				return
			}
			w.Header().Set("X-Subject-Token", token)
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"token": {"methods": ["password"], "user": {"id": "u1", "name": "admin", "domain": {"id": "default", "name": "Default"}},
				"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00.000000Z", "issued_at": "2029-12-31T23:00:00.000000Z",
				"project": {"id": "p1", "name": "admin", "domain": {"id": "default", "name": "Default"}},
				"catalog": [{"id": "s1", "type": "identity", "name": "keystone", "endpoints": [
					{"id": "e1", "interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "http://keystone.test/v3"}]}]}}`)
		case r.Method == http.MethodGet && r.URL.Path == "/v3/projects":
			if r.Header.Get("X-Auth-Token") != token {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "no"}}`)
				return
			}
			io.WriteString(w, `{"projects": [{"id": "p1", "name": "admin", "domain_id": "default", "enabled": true, "is_domain": false,
				"links": {"self": "x"}}], "links": {"self": "x", "next": null, "previous": null}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRun(t *testing.T) {
	const password, token = "pw-secret-123", "tok-secret-456"
	srv := fakeKeystone(t, password, token)
	var out bytes.Buffer
	// A catalog-style URL with /v3 works as well as the root.
	if err := run(&out, srv.URL+"/v3", "admin", password, "admin", "default"); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := out.String()
	for _, want := range []string{"Authenticated as admin (u1) on project admin", "keystone  identity", "http://keystone.test/v3", "admin    p1"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, password) || strings.Contains(got, token) {
		t.Errorf("output shows a secret:\n%s", got)
	}
}

func TestRunErrors(t *testing.T) {
	srv := fakeKeystone(t, "right", "tok")
	var out bytes.Buffer
	err := run(&out, srv.URL, "admin", "wrong-password-789", "admin", "default")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("wrong password: got %v, want a 401 error", err)
	}
	if strings.Contains(err.Error(), "wrong-password-789") {
		t.Errorf("error shows the password: %v", err)
	}
	if err := run(&out, "", "admin", "pw", "admin", "default"); err == nil {
		t.Error("no URL: want an error")
	}
	srv.Close()
	if err := run(&out, srv.URL, "admin", "right", "admin", "default"); err == nil {
		t.Error("dead server: want an error")
	}
}
