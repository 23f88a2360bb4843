package keystonetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// limitsCall sends a JSON request with token and returns the status and the
// decoded body.
func limitsCall(t *testing.T, srv *keystonetest.Server, token, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return resp.StatusCode, out, resp.Header
}

func limitsWant(t *testing.T, srv *keystonetest.Server, token, method, path, body string, want int) map[string]any {
	t.Helper()
	got, out, _ := limitsCall(t, srv, token, method, path, body)
	if got != want {
		t.Fatalf("%s %s %s: got %d, want %d: %v", method, path, body, got, want, out)
	}
	return out
}

// limitsToken issues a token for the admin with scope, a JSON scope object.
func limitsToken(t *testing.T, srv *keystonetest.Server, scope string) string {
	t.Helper()
	body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "` + srv.AdminUserID +
		`", "password": "` + srv.AdminPassword + `"}}}, "scope": ` + scope + `}}`
	_, _, h := limitsCall(t, srv, "", "POST", "/v3/auth/tokens", body)
	tok := h.Get("X-Subject-Token")
	if tok == "" {
		t.Fatal("no token")
	}
	return tok
}

func limitsFirstID(t *testing.T, out map[string]any, key string) string {
	t.Helper()
	list, _ := out[key].([]any)
	if len(list) == 0 {
		t.Fatalf("no %s in %v", key, out)
	}
	return list[0].(map[string]any)["id"].(string)
}

func limitsListIDs(out map[string]any, key string) []string {
	var ids []string
	list, _ := out[key].([]any)
	for _, x := range list {
		ids = append(ids, x.(map[string]any)["id"].(string))
	}
	return ids
}

func TestUnifiedLimitsFake(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
	sys := limitsToken(t, srv, `{"system": {"all": true}}`)
	svc := srv.AddService("volumev3", "cinder")

	// A batch is created all or none: a duplicate inside it is a 409.
	limitsWant(t, srv, adm, "POST", "/v3/registered_limits", `{"registered_limits": [
		{"service_id": "`+svc+`", "resource_name": "a", "default_limit": 1},
		{"service_id": "`+svc+`", "resource_name": "a", "default_limit": 2}]}`, 409)
	out := limitsWant(t, srv, adm, "GET", "/v3/registered_limits", "", 200)
	if ids := limitsListIDs(out, "registered_limits"); len(ids) != 0 {
		t.Fatalf("a refused batch created %v", ids)
	}
	out = limitsWant(t, srv, adm, "POST", "/v3/registered_limits",
		`{"registered_limits": [{"service_id": "`+svc+`", "resource_name": "a", "default_limit": 1}]}`, 201)
	rl := limitsFirstID(t, out, "registered_limits")
	// Restating its own key is a conflict with itself, as in Keystone 22.
	limitsWant(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, `{"registered_limit": {"resource_name": "a"}}`, 409)
	limitsWant(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, `{"registered_limit": {"default_limit": 3}}`, 200)
	for _, b := range []string{`{"registered_limit": {"default_limit": "1"}}`, `{"registered_limit": {"resource_name": ""}}`} {
		limitsWant(t, srv, adm, "PATCH", "/v3/registered_limits/"+rl, b, 400)
	}

	// Project and domain limits; a domain-scoped token sees the domain's and
	// its projects' limits.
	out = limitsWant(t, srv, adm, "POST", "/v3/domains", `{"domain": {"name": "ld"}}`, 201)
	dom := out["domain"].(map[string]any)["id"].(string)
	out = limitsWant(t, srv, adm, "POST", "/v3/projects", `{"project": {"name": "lp", "domain_id": "`+dom+`"}}`, 201)
	proj := out["project"].(map[string]any)["id"].(string)
	out = limitsWant(t, srv, adm, "POST", "/v3/limits", `{"limits": [
		{"service_id": "`+svc+`", "project_id": "`+proj+`", "resource_name": "a", "resource_limit": 5},
		{"service_id": "`+svc+`", "domain_id": "`+dom+`", "resource_name": "a", "resource_limit": 6}]}`, 201)
	both := limitsListIDs(out, "limits")
	limitsWant(t, srv, adm, "PATCH", "/v3/limits/"+both[0], `{"limit": {"resource_limit": -5}}`, 400)
	limitsWant(t, srv, adm, "PUT", "/v3/domains/"+dom+"/users/"+srv.AdminUserID+"/roles/"+limitsRoleID(t, srv, adm, "admin"), "", 204)
	domTok := limitsToken(t, srv, `{"domain": {"id": "`+dom+`"}}`)
	out = limitsWant(t, srv, domTok, "GET", "/v3/limits", "", 200)
	if ids := limitsListIDs(out, "limits"); len(ids) != 2 {
		t.Errorf("domain scope sees %v, want %v", ids, both)
	}
	out = limitsWant(t, srv, adm, "GET", "/v3/limits", "", 200)
	if ids := limitsListIDs(out, "limits"); len(ids) != 0 {
		t.Errorf("the admin project's scope sees %v", ids)
	}

	// Deleting the project deletes its limits; the registered limit is still
	// referenced by the domain's.
	limitsWant(t, srv, adm, "PATCH", "/v3/projects/"+proj, `{"project": {"enabled": false}}`, 200)
	limitsWant(t, srv, adm, "DELETE", "/v3/projects/"+proj, "", 204)
	limitsWant(t, srv, sys, "GET", "/v3/limits/"+both[0], "", 404)
	limitsWant(t, srv, adm, "DELETE", "/v3/registered_limits/"+rl, "", 403)
	limitsWant(t, srv, adm, "DELETE", "/v3/limits/"+both[1], "", 204)
	limitsWant(t, srv, adm, "DELETE", "/v3/registered_limits/"+rl, "", 204)
	// The invalid requests above were sent on purpose: only the fake's
	// responses must conform.
	for _, f := range srv.Failures() {
		if !strings.HasPrefix(f.Error(), "invalid request") {
			t.Errorf("validation failure: %v", f)
		}
	}
}

func limitsRoleID(t *testing.T, srv *keystonetest.Server, token, name string) string {
	t.Helper()
	out := limitsWant(t, srv, token, "GET", "/v3/roles?name="+name, "", 200)
	return limitsFirstID(t, out, "roles")
}
