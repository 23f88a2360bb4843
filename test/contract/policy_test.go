//go:build integration

package contract

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// TestPolicyPersonas holds both backends to Keystone 22's default policy: nine
// personas (reader, member and admin on the system, on a domain and on a
// project of that domain) call a table of operations, and the status each gets
// (with the 403 message, and for lists whether they see resources outside
// the domain) must equal testdata/policy_personas.golden.
//
// The golden file is Keystone's own answer: regenerate it against the real
// Keystone with
//
//	UPDATE_GOLDEN=1 go test -tags integration -run TestPolicyPersonas ./test/contract/
//
// and both backends are checked against it on every run.
func TestPolicyPersonas(t *testing.T) {
	d := newDomain(t, v3.DomainCreate{})
	p := newProject(t, v3.ProjectCreate{DomainID: nullable.NewNullableWithValue(d.ID)})
	u := newUser(t, v3.UserCreate{DomainID: ptr(d.ID)})
	g := newGroup(t, v3.GroupCreate{DomainID: ptr(d.ID)})
	r := newRole(t, v3.RoleCreate{})
	checked := newRole(t, v3.RoleCreate{})
	gr, err := adm.GrantProjectUserRoleWithResponse(t.Context(), p.ID, u.ID, checked.ID)
	expect(t, gr, err, 204)

	// The personas, in the golden file's order.
	type persona struct {
		name  string
		token string
	}
	var personas []persona
	for _, scope := range []string{"system", "domain", "project"} {
		for _, role := range []string{"reader", "member", "admin"} {
			pw := uniq("pw")
			who := newUser(t, v3.UserCreate{DomainID: ptr(d.ID), Password: nullable.NewNullableWithValue(pw)})
			var sc *v3.AuthScopeRequest
			switch scope {
			case "system":
				g, err := adm.GrantSystemUserRoleWithResponse(t.Context(), who.ID, roleID(t, role))
				expect(t, g, err, 204)
				sc = systemScope()
			case "domain":
				g, err := adm.GrantDomainUserRoleWithResponse(t.Context(), d.ID, who.ID, roleID(t, role))
				expect(t, g, err, 204)
				sc = domainScopeByID(d.ID)
			case "project":
				g, err := adm.GrantProjectUserRoleWithResponse(t.Context(), p.ID, who.ID, roleID(t, role))
				expect(t, g, err, 204)
				sc = projectScopeByID(p.ID)
			}
			tok, _ := issue(t, passwordByID(who.ID, pw, sc))
			personas = append(personas, persona{scope + "-" + role, tok})
		}
	}

	// An operation: a request (placeholders {D}, {P}, {U}, {G}, {R}, {C},
	// {NAME}), and for creations the path that deletes what was created
	// ({ID}: the new resource's ID). list marks listings whose answer is
	// checked for what lies outside the domain.
	type op struct {
		name, method, path, body, cleanup string
		list                              bool
	}
	ops := []op{
		{name: "getProject", method: "GET", path: "/v3/projects/{P}"},
		{name: "listProjects", method: "GET", path: "/v3/projects", list: true},
		{name: "listProjects domain", method: "GET", path: "/v3/projects?domain_id={D}", list: true},
		{name: "createProject", method: "POST", path: "/v3/projects", body: `{"project": {"name": "{NAME}", "domain_id": "{D}"}}`, cleanup: "/v3/projects/{ID}"},
		{name: "updateProject", method: "PATCH", path: "/v3/projects/{P}", body: `{"project": {"description": "policy"}}`},
		{name: "getUser", method: "GET", path: "/v3/users/{U}"},
		{name: "listUsers", method: "GET", path: "/v3/users", list: true},
		{name: "listUsers domain", method: "GET", path: "/v3/users?domain_id={D}", list: true},
		{name: "createUser", method: "POST", path: "/v3/users", body: `{"user": {"name": "{NAME}", "domain_id": "{D}"}}`, cleanup: "/v3/users/{ID}"},
		{name: "updateUser", method: "PATCH", path: "/v3/users/{U}", body: `{"user": {"description": "policy"}}`},
		{name: "listUserGroups", method: "GET", path: "/v3/users/{U}/groups"},
		{name: "listUserProjects", method: "GET", path: "/v3/users/{U}/projects"},
		{name: "listApplicationCredentials", method: "GET", path: "/v3/users/{U}/application_credentials"},
		{name: "getGroup", method: "GET", path: "/v3/groups/{G}"},
		{name: "listGroups", method: "GET", path: "/v3/groups", list: true},
		{name: "createGroup", method: "POST", path: "/v3/groups", body: `{"group": {"name": "{NAME}", "domain_id": "{D}"}}`, cleanup: "/v3/groups/{ID}"},
		{name: "listGroupUsers", method: "GET", path: "/v3/groups/{G}/users"},
		{name: "getDomain", method: "GET", path: "/v3/domains/{D}"},
		{name: "listDomains", method: "GET", path: "/v3/domains", list: true},
		{name: "updateDomain", method: "PATCH", path: "/v3/domains/{D}", body: `{"domain": {"description": "policy"}}`},
		{name: "getDomainConfig", method: "GET", path: "/v3/domains/{D}/config"},
		{name: "listRoles", method: "GET", path: "/v3/roles"},
		{name: "getRole", method: "GET", path: "/v3/roles/{R}"},
		{name: "createRole", method: "POST", path: "/v3/roles", body: `{"role": {"name": "{NAME}"}}`, cleanup: "/v3/roles/{ID}"},
		{name: "listRoleInferences", method: "GET", path: "/v3/role_inferences"},
		{name: "grantProjectUserRole", method: "PUT", path: "/v3/projects/{P}/users/{U}/roles/{R}", cleanup: "/v3/projects/{P}/users/{U}/roles/{R}"},
		{name: "checkProjectUserRole", method: "HEAD", path: "/v3/projects/{P}/users/{U}/roles/{C}"},
		{name: "listProjectUserRoles", method: "GET", path: "/v3/projects/{P}/users/{U}/roles"},
		{name: "listRoleAssignments project", method: "GET", path: "/v3/role_assignments?scope.project.id={P}"},
		{name: "listRoleAssignments", method: "GET", path: "/v3/role_assignments", list: true},
		{name: "listSystemUserRoles", method: "GET", path: "/v3/system/users/{U}/roles"},
		{name: "listRegions", method: "GET", path: "/v3/regions"},
		{name: "createRegion", method: "POST", path: "/v3/regions", body: `{"region": {"description": "policy"}}`, cleanup: "/v3/regions/{ID}"},
		{name: "listServices", method: "GET", path: "/v3/services"},
		{name: "createService", method: "POST", path: "/v3/services", body: `{"service": {"type": "{NAME}"}}`, cleanup: "/v3/services/{ID}"},
		{name: "listEndpoints", method: "GET", path: "/v3/endpoints"},
		{name: "listPolicies", method: "GET", path: "/v3/policies"},
		{name: "listCredentials", method: "GET", path: "/v3/credentials"},
		{name: "listLimits", method: "GET", path: "/v3/limits"},
		{name: "listRegisteredLimits", method: "GET", path: "/v3/registered_limits"},
		{name: "listTrusts", method: "GET", path: "/v3/OS-TRUST/trusts"},
		{name: "listIdentityProviders", method: "GET", path: "/v3/OS-FEDERATION/identity_providers"},
		{name: "listMappings", method: "GET", path: "/v3/OS-FEDERATION/mappings"},
		{name: "listServiceProviders", method: "GET", path: "/v3/OS-FEDERATION/service_providers"},
		{name: "listEndpointGroups", method: "GET", path: "/v3/OS-EP-FILTER/endpoint_groups"},
		{name: "listOAuth1Consumers", method: "GET", path: "/v3/OS-OAUTH1/consumers"},
		{name: "listRevocationEvents", method: "GET", path: "/v3/OS-REVOKE/events"},
		{name: "listAuthProjects", method: "GET", path: "/v3/auth/projects"},
	}
	ids := map[string]string{"{D}": d.ID, "{P}": p.ID, "{U}": u.ID, "{G}": g.ID, "{R}": r.ID, "{C}": checked.ID}
	fill := func(s string) string {
		for k, v := range ids {
			s = strings.ReplaceAll(s, k, v)
		}
		return strings.ReplaceAll(s, "{NAME}", uniq("policy"))
	}

	var got []string
	for _, who := range personas {
		for _, o := range ops {
			status, b := call(t, who.token, o.method, fill(o.path), fill(o.body))
			line := who.name + " | " + o.name + " | " + strconv.Itoa(status)
			switch {
			case status == http.StatusForbidden:
				line += " | " + errorMessage(b)
			case status/100 == 2 && o.list:
				// What a listing shows: the domain's own resources, and
				// (or not) those outside it (the admin's project and user).
				var in, out []string
				for _, x := range [][2]string{{"project", p.ID}, {"user", u.ID}, {"group", g.ID}, {"domain", d.ID}} {
					if bytes.Contains(b, []byte(x[1])) {
						in = append(in, x[0])
					}
				}
				for _, x := range [][2]string{{"admin-project", adminProj}, {"admin-user", adminUser}} {
					if bytes.Contains(b, []byte(x[1])) {
						out = append(out, x[0])
					}
				}
				line += " | sees " + strings.Join(slices.Concat(in, out), ",")
			}
			got = append(got, line)
			if status/100 == 2 && o.cleanup != "" {
				path := fill(o.cleanup)
				if strings.Contains(path, "{ID}") {
					var created map[string]struct {
						ID string `json:"id"`
					}
					_ = json.Unmarshal(b, &created)
					for _, v := range created {
						path = strings.ReplaceAll(path, "{ID}", v.ID)
					}
				}
				if s, _ := call(t, adminToken, "DELETE", path, ""); s != 204 {
					t.Errorf("cleanup %s: %d", path, s)
				}
			}
		}
	}

	golden := filepath.Join("testdata", "policy_personas.golden")
	text := strings.Join(got, "\n") + "\n"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if backend == "fake" {
			t.Fatal("the golden file is Keystone's answer: update it against the real Keystone")
		}
		if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := strings.Split(strings.TrimSuffix(string(want), "\n"), "\n")
	if len(wantLines) != len(got) {
		t.Fatalf("%d answers, the golden file has %d", len(got), len(wantLines))
	}
	for i := range got {
		if got[i] != wantLines[i] {
			t.Errorf("got  %s\nwant %s", got[i], wantLines[i])
		}
	}
}

// call sends a request with token through the validating client and returns
// the status and the body.
func call(t testing.TB, token, method, path, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, ks.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := validator.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// errorMessage returns the message of Keystone's error body.
func errorMessage(b []byte) string {
	var e v3.Error
	if err := json.Unmarshal(b, &e); err != nil {
		return "(not an error body)"
	}
	return e.Error.Message
}
