package keystonetest

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// rulesJSON reads mapping rules written as Keystone's JSON.
func rulesJSON(t *testing.T, s string) []v3s.MappingRule {
	t.Helper()
	var rules []v3s.MappingRule
	if err := json.Unmarshal([]byte(s), &rules); err != nil {
		t.Fatalf("rules %s: %v", s, err)
	}
	return rules
}

func errCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func TestMappingEngine(t *testing.T) {
	env := map[string]string{
		"HTTP_X_USER":    "alice",
		"HTTP_X_EMAIL":   "alice@example.com",
		"HTTP_X_GROUPS":  "admins;devs;ops",
		"HTTP_X_ORG":     "acme",
		"HTTP_X_TEAM":    "team-name",
		"HTTP_X_JGROUPS": `JSON:{"name": "g9", "domain": {"id": "d9"}}`,
	}
	tests := []struct {
		name       string
		rules      string
		wantCode   int // 0: no error
		user       string
		email      string
		typ        string
		groupIDs   []string
		groupNames []string // name@domain
	}{
		{
			name:  "direct mapping",
			rules: `[{"local": [{"user": {"name": "{0}", "email": "{1}"}}, {"group": {"id": "g1"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_EMAIL"}]}]`,
			user:  "alice", email: "alice@example.com", typ: userEphemeral, groupIDs: []string{"g1"},
		},
		{
			name:     "missing attribute: no rule applies",
			rules:    `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_NOBODY"}]}]`,
			wantCode: http.StatusUnauthorized,
		},
		{
			name:  "any_one_of",
			rules: `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "any_one_of": ["devs", "qa"]}]}]`,
			user:  "alice", typ: userEphemeral,
		},
		{
			name:     "any_one_of without a match",
			rules:    `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "any_one_of": ["qa"]}]}]`,
			wantCode: http.StatusUnauthorized,
		},
		{
			name:     "not_any_of",
			rules:    `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "not_any_of": ["ops"]}]}]`,
			wantCode: http.StatusUnauthorized,
		},
		{
			name:  "not_any_of passes",
			rules: `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "not_any_of": ["qa"]}]}]`,
			user:  "alice", typ: userEphemeral,
		},
		{
			name:  "regex",
			rules: `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "any_one_of": ["^adm.*$"], "regex": true}]}]`,
			user:  "alice", typ: userEphemeral,
		},
		{
			name:  "whitelist, by name in a domain",
			rules: `[{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"id": "d1"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "whitelist": ["devs", "ops", "qa"]}]}]`,
			user:  "alice", typ: userEphemeral, groupNames: []string{"devs@d1", "ops@d1"},
		},
		{
			name:  "blacklist",
			rules: `[{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"name": "D"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "blacklist": ["admins"]}]}]`,
			user:  "alice", typ: userEphemeral, groupNames: []string{"devs@D", "ops@D"},
		},
		{
			name:     "blacklist with regex",
			rules:    `[{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"name": "D"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "blacklist": ["^ad", "^de"], "regex": true}]}]`,
			wantCode: 0, user: "alice", typ: userEphemeral, groupNames: []string{"ops@D"},
		},
		{
			name:  "group by name with its domain",
			rules: `[{"local": [{"user": {"name": "{0}"}}, {"group": {"name": "staff", "domain": {"name": "D"}}}], "remote": [{"type": "HTTP_X_USER"}]}]`,
			user:  "alice", typ: userEphemeral, groupNames: []string{"staff@D"},
		},
		{
			name:  "group_ids from an attribute",
			rules: `[{"local": [{"user": {"name": "{0}"}}, {"group_ids": "{1}"}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS"}]}]`,
			user:  "alice", typ: userEphemeral, groupIDs: []string{"admins", "devs", "ops"},
		},
		{
			name:     "groups without a domain",
			rules:    `[{"local": [{"user": {"name": "{0}"}}, {"groups": "{0}"}], "remote": [{"type": "HTTP_X_USER"}]}]`,
			wantCode: http.StatusUnauthorized,
		},
		{
			// Keystone looks for "name" anywhere in the groups to tell
			// JSON items from names, then for "domain" in each item.
			name:     "a group whose name contains name",
			rules:    `[{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}", "domain": {"id": "d1"}}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_TEAM"}]}]`,
			wantCode: http.StatusUnauthorized,
		},
		{
			name:  "groups as JSON items",
			rules: `[{"local": [{"user": {"name": "{0}"}}, {"groups": "{1}"}], "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_JGROUPS"}]}]`,
			user:  "alice", typ: userEphemeral, groupNames: []string{"g9@d9"},
		},
		{
			name:     "a reference to no remote match",
			rules:    `[{"local": [{"user": {"name": "{1}"}}], "remote": [{"type": "HTTP_X_USER"}]}]`,
			wantCode: http.StatusInternalServerError,
		},
		{
			name:  "rules add up; the first user wins",
			rules: `[{"local": [{"user": {"name": "{0}", "type": "local", "domain": {"id": "default"}}}], "remote": [{"type": "HTTP_X_USER"}]}, {"local": [{"user": {"name": "other"}}, {"group": {"id": "g2"}}], "remote": [{"type": "HTTP_X_ORG", "any_one_of": ["acme"]}]}]`,
			user:  "alice", typ: userLocal, groupIDs: []string{"g2"},
		},
		{
			name:  "no direct maps: the local rule as it is",
			rules: `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_ORG", "any_one_of": ["acme"]}]}]`,
			user:  "{0}", typ: userEphemeral,
		},
		{
			name:  "several values become a Python list",
			rules: `[{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "HTTP_X_GROUPS"}]}]`,
			user:  "['admins', 'devs', 'ops']", typ: userEphemeral,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := processRules(rulesJSON(t, tt.rules), newAssertion(env))
			if tt.wantCode != 0 {
				if errCode(err) != tt.wantCode {
					t.Fatalf("err = %v, want %d", err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.user.name != tt.user || got.user.email != tt.email || got.user.typ != tt.typ {
				t.Errorf("user = %+v", got.user)
			}
			if !slices.Equal(got.groupIDs, tt.groupIDs) {
				t.Errorf("group IDs = %v, want %v", got.groupIDs, tt.groupIDs)
			}
			var names []string
			for _, g := range got.groupNames {
				names = append(names, g.name+"@"+domainKey(g.domain))
			}
			if !slices.Equal(names, tt.groupNames) {
				t.Errorf("group names = %v, want %v", names, tt.groupNames)
			}
		})
	}
}

func TestPyHelpers(t *testing.T) {
	if got := pyList("['a', \"b\", 'c\\'d']"); !slices.Equal(got, []string{"a", "b", "c'd"}) {
		t.Errorf("pyList = %q", got)
	}
	if got := pyList("plain"); !slices.Equal(got, []string{"plain"}) {
		t.Errorf("pyList = %q", got)
	}
	if got, err := pyFormat("{{{0}}} {} {}", [][]string{{"x"}, {"y", "z"}}); err != nil || got != "{x} x ['y', 'z']" {
		t.Errorf("pyFormat = %q, %v", got, err)
	}
	if got := pyQuote("a b/c@d"); got != "a%20b/c%40d" {
		t.Errorf("pyQuote = %q", got)
	}
	if got := pyUnquotePlus("https%3A%2F%2Fh.example%2Fa+b%zz"); got != "https://h.example/a b%zz" {
		t.Errorf("pyUnquotePlus = %q", got)
	}
	if got := lowerCaseHostname("HTTPS://Horizon.EXAMPLE.com/Auth/"); got != "https://horizon.example.com/Auth/" {
		t.Errorf("lowerCaseHostname = %q", got)
	}
}

func TestRequestEnv(t *testing.T) {
	r, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:5000/v3/auth/OS-FEDERATION/websso/mapped?origin=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Ct-Fed-User", " bob ")
	r.Header.Add("X-Multi", "a")
	r.Header.Add("X-Multi", "b")
	r.Header.Set("Content-Type", "application/json")
	env := requestEnv(r)
	for k, want := range map[string]string{
		"HTTP_X_CT_FED_USER": "bob", "HTTP_X_MULTI": "a,b", "CONTENT_TYPE": "application/json",
		"REQUEST_METHOD": "POST", "QUERY_STRING": "origin=x", "HTTP_HOST": "127.0.0.1:5000",
		"PATH_INFO": "/v3/auth/OS-FEDERATION/websso/mapped",
	} {
		if env[k] != want {
			t.Errorf("%s = %q, want %q", k, env[k], want)
		}
	}
	if _, ok := env["HTTP_CONTENT_TYPE"]; ok {
		t.Error("HTTP_CONTENT_TYPE is set")
	}
}

// fedCall sends a request to srv with the headers and returns the status,
// the body and the headers of the answer.
func fedCall(t *testing.T, srv *Server, method, path, token, body string, headers map[string]string) (int, string, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+"/v3"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func fedWant(t *testing.T, srv *Server, method, path, token, body string, headers map[string]string, want int) (string, http.Header) {
	t.Helper()
	status, b, h := fedCall(t, srv, method, path, token, body, headers)
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	return b, h
}

func fedID(t *testing.T, body, kind string) string {
	t.Helper()
	var m map[string]map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	id, _ := m[kind]["id"].(string)
	return id
}

type fedTokenBody struct {
	Token struct {
		Methods  []string `json:"methods"`
		AuditIDs []string `json:"audit_ids"`
		User     struct {
			ID           string          `json:"id"`
			Name         string          `json:"name"`
			Domain       v3s.DomainRef   `json:"domain"`
			Federation   *map[string]any `json:"OS-FEDERATION"`
			PasswordExp  *string         `json:"password_expires_at"`
			HasPasswdExp bool            `json:"-"`
		} `json:"user"`
		Project *struct {
			ID string `json:"id"`
		} `json:"project"`
		Roles []struct {
			Name string `json:"name"`
		} `json:"roles"`
	} `json:"token"`
}

// TestFederatedLogin logs users in through a mapping that maps groups by name
// and by ID, as Keystone 22 does (behaviour checked against it).
func TestFederatedLogin(t *testing.T) {
	const dashboard = "https://horizon.example.com/auth/websso/"
	srv := NewServer(t, WithTrustedDashboard("https://HORIZON.example.com/auth/websso/"))
	admin := func() string {
		b := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "` + srv.AdminUserID +
			`", "password": "` + srv.AdminPassword + `"}}}, "scope": {"project": {"id": "` + srv.AdminProjectID + `"}}}}`
		_, h := fedWant(t, srv, http.MethodPost, "/auth/tokens", "", b, nil, http.StatusCreated)
		return h.Get("X-Subject-Token")
	}()
	create := func(path, kind, body string) string {
		b, _ := fedWant(t, srv, http.MethodPost, path, admin, body, nil, http.StatusCreated)
		return fedID(t, b, kind)
	}
	dom := create("/domains", "domain", `{"domain": {"name": "fed-dom"}}`)
	byID := create("/groups", "group", `{"group": {"name": "by-id"}}`)
	byName := create("/groups", "group", `{"group": {"name": "by-label", "domain_id": "`+dom+`"}}`)
	proj := create("/projects", "project", `{"project": {"name": "fed-proj"}}`)
	other := create("/projects", "project", `{"project": {"name": "other-proj"}}`)
	roles := map[string]string{}
	{
		b, _ := fedWant(t, srv, http.MethodGet, "/roles", admin, "", nil, http.StatusOK)
		var l struct{ Roles []struct{ ID, Name string } }
		if err := json.Unmarshal([]byte(b), &l); err != nil {
			t.Fatal(err)
		}
		for _, r := range l.Roles {
			roles[r.Name] = r.ID
		}
	}
	fedWant(t, srv, http.MethodPut, "/projects/"+proj+"/groups/"+byName+"/roles/"+roles["member"], admin, "", nil, http.StatusNoContent)
	fedWant(t, srv, http.MethodPut, "/domains/"+dom+"/groups/"+byID+"/roles/"+roles["reader"], admin, "", nil, http.StatusNoContent)
	fedWant(t, srv, http.MethodPut, "/OS-FEDERATION/mappings/m", admin, `{"mapping": {"rules": [
		{"local": [{"user": {"name": "{0}"}}, {"group": {"id": "`+byID+`"}}, {"groups": "{1}", "domain": {"name": "fed-dom"}}],
		 "remote": [{"type": "HTTP_X_USER"}, {"type": "HTTP_X_GROUPS", "whitelist": ["by-label", "nowhere"]}]},
		{"local": [{"user": {"name": "{0}", "type": "local", "domain": {"id": "default"}}}],
		 "remote": [{"type": "HTTP_X_LOCAL"}]}]}}`, nil, http.StatusCreated)
	fedWant(t, srv, http.MethodPut, "/OS-FEDERATION/identity_providers/idp", admin,
		`{"identity_provider": {"domain_id": "`+dom+`", "enabled": true, "remote_ids": ["https://idp.example.com"]}}`, nil, http.StatusCreated)
	fedWant(t, srv, http.MethodPut, "/OS-FEDERATION/identity_providers/idp/protocols/mapped", admin,
		`{"protocol": {"mapping_id": "m", "remote_id_attribute": "HTTP_X_IDP"}}`, nil, http.StatusCreated)
	assert := map[string]string{"X-User": "bob smith", "X-Groups": "by-label;unknown", "X-Idp": "https://idp.example.com"}
	const auth = "/OS-FEDERATION/identity_providers/idp/protocols/mapped/auth"

	b, h := fedWant(t, srv, http.MethodPost, auth, "", "", assert, http.StatusCreated)
	var tok fedTokenBody
	if err := json.Unmarshal([]byte(b), &tok); err != nil {
		t.Fatal(err)
	}
	unscoped := h.Get("X-Subject-Token")
	u := tok.Token.User
	if !slices.Equal(tok.Token.Methods, []string{"mapped"}) || u.Name != "bob smith" || *u.Domain.ID != dom || tok.Token.Project != nil {
		t.Errorf("token = %s", b)
	}
	if strings.Contains(b, "password_expires_at") {
		t.Errorf("a federated user's token has password_expires_at: %s", b)
	}
	// Keystone's sha256 public ID of the domain, "user" and the unique ID.
	if u.ID != "" && len(u.ID) != 64 {
		t.Errorf("user ID %q", u.ID)
	}
	fed, _ := json.Marshal(u.Federation)
	wantFed := `{"groups":[{"id":"` + byID + `"},{"id":"` + byName + `"}],"identity_provider":{"id":"idp"},"protocol":{"id":"mapped"}}`
	if string(fed) != wantFed {
		t.Errorf("OS-FEDERATION = %s, want %s", fed, wantFed)
	}
	ub, _ := fedWant(t, srv, http.MethodGet, "/users/"+u.ID, admin, "", nil, http.StatusOK)
	if !strings.Contains(ub, `"federated":[{"idp_id":"idp","protocols":[{"protocol_id":"mapped","unique_id":"bob%20smith"}]}]`) {
		t.Errorf("shadow user = %s", ub)
	}
	// The group memberships of the mapping are the token's, not the user's.
	gb, _ := fedWant(t, srv, http.MethodGet, "/users/"+u.ID+"/groups", admin, "", nil, http.StatusOK)
	if strings.Contains(gb, byName) {
		t.Errorf("groups of the shadow user: %s", gb)
	}

	// The same user again: the same shadow user.
	b2, _ := fedWant(t, srv, http.MethodGet, auth, "", "", assert, http.StatusCreated)
	if !strings.Contains(b2, `"id":"`+u.ID+`"`) {
		t.Errorf("second login: %s", b2)
	}

	pb, _ := fedWant(t, srv, http.MethodGet, "/OS-FEDERATION/projects", unscoped, "", nil, http.StatusOK)
	if !strings.Contains(pb, proj) || strings.Contains(pb, other) {
		t.Errorf("federated projects: %s", pb)
	}
	db, _ := fedWant(t, srv, http.MethodGet, "/OS-FEDERATION/domains", unscoped, "", nil, http.StatusOK)
	if !strings.Contains(db, dom) {
		t.Errorf("federated domains: %s", db)
	}

	// Rescoping: the groups' roles, methods token and mapped, a new audit chain.
	rescope := func(scope string, want int) fedTokenBody {
		b, _ := fedWant(t, srv, http.MethodPost, "/auth/tokens?nocatalog", "",
			`{"auth": {"identity": {"methods": ["token"], "token": {"id": "`+unscoped+`"}}, "scope": `+scope+`}}`, nil, want)
		var out fedTokenBody
		if want == http.StatusCreated {
			if err := json.Unmarshal([]byte(b), &out); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	scoped := rescope(`{"project": {"id": "`+proj+`"}}`, http.StatusCreated)
	names := func(tb fedTokenBody) []string {
		var out []string
		for _, r := range tb.Token.Roles {
			out = append(out, r.Name)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(scoped.Token.Methods, []string{"token", "mapped"}) || !slices.Equal(names(scoped), []string{"member", "reader"}) ||
		len(scoped.Token.AuditIDs) != 1 || scoped.Token.User.Federation == nil {
		t.Errorf("project-scoped token: %+v", scoped.Token)
	}
	if ds := rescope(`{"domain": {"id": "`+dom+`"}}`, http.StatusCreated); !slices.Equal(names(ds), []string{"reader"}) {
		t.Errorf("domain-scoped roles: %v", names(ds))
	}
	rescope(`{"project": {"id": "`+other+`"}}`, http.StatusUnauthorized)

	// Errors.
	without := func(k string) map[string]string {
		m := map[string]string{}
		for kk, v := range assert {
			if kk != k {
				m[kk] = v
			}
		}
		return m
	}
	fedWant(t, srv, http.MethodPost, auth, "", "", without("X-User"), http.StatusUnauthorized)
	fedWant(t, srv, http.MethodPost, auth, "", "", without("X-Idp"), http.StatusUnauthorized)
	fedWant(t, srv, http.MethodPost, auth, "", "", map[string]string{"X-User": "bob", "X-Idp": "elsewhere"}, http.StatusForbidden)
	fedWant(t, srv, http.MethodPost, "/OS-FEDERATION/identity_providers/none/protocols/mapped/auth", "", "", assert, http.StatusNotFound)
	fedWant(t, srv, http.MethodPost, "/OS-FEDERATION/identity_providers/idp/protocols/saml2/auth", "", "", assert, http.StatusUnauthorized)
	ub, _ = fedWant(t, srv, http.MethodPost, "/OS-FEDERATION/identity_providers/idp/protocols/nomethod/auth", "", "", assert, http.StatusUnauthorized)
	if !strings.Contains(ub, `"identity":{"methods":["external","password","token","oauth1","mapped","application_credential","totp"]}`) {
		t.Errorf("unsupported method: %s", ub)
	}

	// A local user: a standard token.
	lb, _ := fedWant(t, srv, http.MethodPost, auth, "", "", map[string]string{"X-Local": srv.AdminUser, "X-Idp": "https://idp.example.com"}, http.StatusCreated)
	if !strings.Contains(lb, `"id":"`+srv.AdminUserID+`"`) || strings.Contains(lb, "OS-FEDERATION") {
		t.Errorf("local user's token: %s", lb)
	}

	// WebSSO: the page posts the token to the dashboard.
	page, ph := fedWant(t, srv, http.MethodGet, "/auth/OS-FEDERATION/websso/mapped?origin="+url.QueryEscape(dashboard), "", "", assert, http.StatusOK)
	m := regexp.MustCompile(`<form action="([^"]+)" method="post"><input type="hidden" name="token" value="([^"]+)"/>`).FindStringSubmatch(page)
	if ph.Get("Content-Type") != "text/html" || m == nil || m[1] != dashboard {
		t.Fatalf("page (%s): %s", ph.Get("Content-Type"), page)
	}
	fedWant(t, srv, http.MethodGet, "/auth/tokens", admin, "", map[string]string{"X-Subject-Token": m[2]}, http.StatusOK)
	fedWant(t, srv, http.MethodGet, "/auth/OS-FEDERATION/websso/mapped?origin="+url.QueryEscape(strings.ToUpper(dashboard)), "", "", assert, http.StatusUnauthorized)
	fedWant(t, srv, http.MethodGet, "/auth/OS-FEDERATION/websso/mapped", "", "", assert, http.StatusBadRequest)
	fedWant(t, srv, http.MethodGet, "/auth/OS-FEDERATION/websso/mapped?origin=x", "", "", without("X-Idp"), http.StatusUnauthorized)
	fedWant(t, srv, http.MethodPost, "/auth/OS-FEDERATION/identity_providers/idp/protocols/mapped/websso?origin="+url.QueryEscape(dashboard), "", "", assert, http.StatusOK)

	// The federated identities go with their identity provider.
	fedWant(t, srv, http.MethodDelete, "/OS-FEDERATION/identity_providers/idp", admin, "", nil, http.StatusNoContent)
	ub, _ = fedWant(t, srv, http.MethodGet, "/users/"+u.ID, admin, "", nil, http.StatusOK)
	if strings.Contains(ub, "federated") {
		t.Errorf("user after its identity provider: %s", ub)
	}
}
