package keystonetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// call sends a raw request to srv and returns the status and the body.
func call(t *testing.T, srv *keystonetest.Server, token, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+"/v3"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// rawToken issues a password token; scope is a JSON scope or "".
func rawToken(t *testing.T, srv *keystonetest.Server, userID, password, scope string) string {
	t.Helper()
	body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "` + userID + `", "password": "` + password + `"}}}`
	if scope != "" {
		body += `, "scope": ` + scope
	}
	body += `}}`
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/v3/auth/tokens", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("token: %s", resp.Status)
	}
	return resp.Header.Get("X-Subject-Token")
}

func adminToken(t *testing.T, srv *keystonetest.Server) string {
	return rawToken(t, srv, srv.AdminUserID, srv.AdminPassword, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
}

// createID posts body to path and returns the ID of the created resource.
func createID(t *testing.T, srv *keystonetest.Server, token, path, kind, body string) string {
	t.Helper()
	status, b := call(t, srv, token, http.MethodPost, path, body)
	if status != http.StatusCreated {
		t.Fatalf("POST %s: %d %s", path, status, b)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(b), &m); err != nil {
		t.Fatal(err)
	}
	return m[kind]["id"].(string)
}

// TestDomainConfigEdges checks what Keystone 22 answers (recorded from it)
// to the cases the contract suite does not exercise.
func TestDomainConfigEdges(t *testing.T) {
	srv := keystonetest.NewServer(t)
	tok := adminToken(t, srv)
	d := createID(t, srv, tok, "/domains", "domain", `{"domain": {"name": "dc"}}`)
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string // in the body
	}{
		{"PUT", "/domains/D/config", `{"config": {"identity": {"driver": "ldap", "bogus": 1}}}`, 403, "Option bogus in group identity is not supported for domain specific configurations."},
		{"PUT", "/domains/D/config", `{"config": {"ldap": null}}`, 403, "The value of group ldap specified in the config should be a dictionary of options."},
		{"PUT", "/domains/D/config", `{"config": {"nosuch": {}, "ldap": {"url": "x"}}}`, 403, "The value of group nosuch specified"},
		{"PUT", "/domains/D/config", `{"config": {"nosuch": {"x": 1}}}`, 403, "Group nosuch is not supported for domain specific configurations."},
		{"PUT", "/domains/D/config", `{}`, 403, "Invalid domain specific configuration: No options specified."},
		{"PUT", "/domains/D/config", `{"config": {"ldap": {"password": "x"}}}`, 201, `{"config":{}}`},
		{"GET", "/domains/D/config", "", 404, "Could not find any options in domain configuration for domain D."},
		{"GET", "/domains/D/config/ldap", "", 404, "Could not find group ldap in domain configuration for domain D."},
		{"GET", "/domains/D/config/ldap/password", "", 404, "Could not find option password in group ldap"},
		// The update is stored, but the whole configuration shown has nothing.
		{"PATCH", "/domains/D/config/ldap/password", `{"config": {"password": "y"}}`, 404, "Could not find any options"},
		{"PATCH", "/domains/D/config/ldap", `{"config": {"ldap": {"page_size": 0}}}`, 200, `{"config":{"ldap":{"page_size":0}}}`},
		// Keystone checks the option's value, not its presence.
		{"DELETE", "/domains/D/config/ldap/page_size", "", 404, "Could not find option page_size in group ldap"},
		{"DELETE", "/domains/D/config/ldap/password", "", 204, ""},
		{"GET", "/domains/D/config/ldap/page_size", "", 200, `{"config":{"page_size":0}}`},
		{"PATCH", "/domains/D/config", `{"config": {"identity": {"list_limit": 5}}}`, 200, `{"config":{"identity":{"list_limit":5},"ldap":{"page_size":0}}}`},
		{"PATCH", "/domains/D/config/identity", `{"config": {"identity": {"driver": "sql"}}}`, 200, `{"config":{"identity":{"driver":"sql","list_limit":5},"ldap":{"page_size":0}}}`},
		{"PATCH", "/domains/D/config/ldap/url", `{"config": {"url": "a", "user": "b"}}`, 403, "Trying to update option url in group ldap, so that, and only that, option must be specified  in the config."},
		{"PATCH", "/domains/D/config/ldap/url", `{"config": {}}`, 403, "The value of group ldap specified in the config should be a dictionary of options."},
		{"GET", "/domains/no-such/config/nosuch", "", 403, "Group nosuch is not supported"},
		{"GET", "/domains/no-such/config/ldap", "", 404, "Could not find group ldap in domain configuration for domain no-such."},
		{"GET", "/domains/no-such/config/ldap/bogus", "", 403, "Option bogus in group ldap is not supported"},
		{"DELETE", "/domains/no-such/config/nosuch", "", 404, "Could not find domain: no-such."},
		{"PATCH", "/domains/no-such/config", `{}`, 404, "Could not find domain: no-such."},
		{"GET", "/domains/default/config/security_compliance/password_regex", "", 200, `{"config":{"password_regex":null}}`},
		{"GET", "/domains/D/config/security_compliance/password_regex", "", 403, "other than the default domain is not allowed or supported.."},
		{"GET", "/domains/config/ldap/default", "", 200, `"pool_retry_delay":0.1`},
		{"DELETE", "/domains/D/config", "", 204, ""},
		{"GET", "/domains/D/config", "", 404, ""},
	} {
		path := strings.ReplaceAll(c.path, "/D/", "/"+d+"/")
		status, body := call(t, srv, tok, c.method, path, c.body)
		if status != c.status || !strings.Contains(body, strings.ReplaceAll(c.want, "domain D.", "domain "+d+".")) {
			t.Errorf("%s %s %s: %d %s, want %d %s", c.method, c.path, c.body, status, body, c.status, c.want)
		}
	}

	// Deleting the domain drops its configuration.
	call(t, srv, tok, "PUT", "/domains/"+d+"/config", `{"config": {"identity": {"driver": "sql"}}}`)
	call(t, srv, tok, "PATCH", "/domains/"+d, `{"domain": {"enabled": false}}`)
	if status, body := call(t, srv, tok, "DELETE", "/domains/"+d, ""); status != 204 {
		t.Fatalf("delete domain: %d %s", status, body)
	}
	d2 := createID(t, srv, tok, "/domains", "domain", `{"domain": {"name": "dc"}}`)
	if status, _ := call(t, srv, tok, "GET", "/domains/"+d+"/config", ""); status != 404 {
		t.Errorf("config of a deleted domain: %d", status)
	}
	if status, _ := call(t, srv, tok, "GET", "/domains/"+d2+"/config", ""); status != 404 {
		t.Errorf("config of a new domain: %d", status)
	}
}

// TestDomainConfigReaders: administrators and system readers read
// configurations (rule:admin_or_system_reader); security_compliance is open to
// any token.
func TestDomainConfigReaders(t *testing.T) {
	srv := keystonetest.NewServer(t)
	tok := adminToken(t, srv)
	u := createID(t, srv, tok, "/users", "user", `{"user": {"name": "sr", "password": "pw"}}`)
	p := createID(t, srv, tok, "/projects", "project", `{"project": {"name": "sr"}}`)
	var reader string
	_, body := call(t, srv, tok, "GET", "/roles?name=reader", "")
	var roles struct {
		Roles []struct{ ID string } `json:"roles"`
	}
	if err := json.Unmarshal([]byte(body), &roles); err != nil || len(roles.Roles) != 1 {
		t.Fatalf("roles: %s", body)
	}
	reader = roles.Roles[0].ID
	for _, path := range []string{"/system/users/" + u + "/roles/" + reader, "/projects/" + p + "/users/" + u + "/roles/" + reader} {
		if status, b := call(t, srv, tok, "PUT", path, ""); status != 204 {
			t.Fatalf("PUT %s: %d %s", path, status, b)
		}
	}
	system := rawToken(t, srv, u, "pw", `{"system": {"all": true}}`)
	project := rawToken(t, srv, u, "pw", `{"project": {"id": "`+p+`"}}`)
	call(t, srv, tok, "PUT", "/domains/default/config", `{"config": {"identity": {"driver": "sql"}}}`)
	for _, c := range []struct {
		token, method, path string
		status              int
	}{
		{system, "GET", "/domains/config/default", 200},
		{system, "GET", "/domains/config/ldap/url/default", 200},
		{system, "GET", "/domains/default/config", 200},
		{system, "GET", "/domains/default/config/identity/driver", 200},
		{system, "PATCH", "/domains/default/config", 403},
		{project, "GET", "/domains/config/default", 403},
		{project, "GET", "/domains/default/config/identity", 403},
		{project, "GET", "/domains/default/config/security_compliance", 200},
		{project, "GET", "/domains/default/config/security_compliance/password_regex", 200},
		{project, "GET", "/domains/default/config/security_compliance/lockout_duration", 403},
		{"", "GET", "/domains/default/config/security_compliance", 401},
	} {
		body := ""
		if c.method == "PATCH" {
			body = `{"config": {"identity": {"driver": "ldap"}}}`
		}
		if status, b := call(t, srv, c.token, c.method, c.path, body); status != c.status {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, status, b, c.status)
		}
	}
}
