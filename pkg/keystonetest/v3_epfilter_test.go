package keystonetest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// epfCall sends a request to srv with token (none if "") and decodes the
// JSON answer, if any.
func epfCall(t *testing.T, srv *keystonetest.Server, token, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, r)
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
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(b) > 0 && method != http.MethodHead {
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d %q", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, out, resp.Header
}

func epfWant(t *testing.T, srv *keystonetest.Server, token, method, path, body string, want int) map[string]any {
	t.Helper()
	got, out, _ := epfCall(t, srv, token, method, path, body)
	if got != want {
		t.Fatalf("%s %s: %d %v, want %d", method, path, got, out, want)
	}
	return out
}

func epfToken(t *testing.T, srv *keystonetest.Server, user, password, projectID string) string {
	t.Helper()
	body := fmt.Sprintf(`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": %q, "domain": {"id": "default"}, "password": %q}}},
		"scope": {"project": {"id": %q}}}}`, user, password, projectID)
	_, _, h := epfCall(t, srv, "", http.MethodPost, "/v3/auth/tokens", body)
	if h.Get("X-Subject-Token") == "" {
		t.Fatal("no token")
	}
	return h.Get("X-Subject-Token")
}

func epfID(out map[string]any, key string) string {
	return out[key].(map[string]any)["id"].(string)
}

func epfIDs(out map[string]any, key string) []string {
	var ids []string
	for _, v := range out[key].([]any) {
		ids = append(ids, v.(map[string]any)["id"].(string))
	}
	slices.Sort(ids)
	return ids
}

// epfCatalog lists the IDs of the endpoints and services of a token's catalog.
func epfCatalog(t *testing.T, srv *keystonetest.Server, token string) (endpoints, services []string) {
	t.Helper()
	out := epfWant(t, srv, token, http.MethodGet, "/v3/auth/catalog", "", 200)
	for _, s := range out["catalog"].([]any) {
		services = append(services, s.(map[string]any)["id"].(string))
		for _, e := range s.(map[string]any)["endpoints"].([]any) {
			endpoints = append(endpoints, e.(map[string]any)["id"].(string))
		}
	}
	slices.Sort(endpoints)
	slices.Sort(services)
	return endpoints, services
}

func TestEndpointFilterFake(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := epfToken(t, srv, srv.AdminUser, srv.AdminPassword, srv.AdminProjectID)
	svcA := epfID(epfWant(t, srv, adm, "POST", "/v3/services", `{"service": {"type": "a"}}`, 201), "service")
	svcB := epfID(epfWant(t, srv, adm, "POST", "/v3/services", `{"service": {"type": "b"}}`, 201), "service")
	ep := func(svc, iface string) string {
		return epfID(epfWant(t, srv, adm, "POST", "/v3/endpoints",
			fmt.Sprintf(`{"endpoint": {"service_id": %q, "interface": %q, "url": "http://x/%s"}}`, svc, iface, iface), 201), "endpoint")
	}
	a1, a2, b1 := ep(svcA, "public"), ep(svcA, "internal"), ep(svcB, "public")
	project := epfID(epfWant(t, srv, adm, "POST", "/v3/projects", `{"project": {"name": "p"}}`, 201), "project")
	user := epfID(epfWant(t, srv, adm, "POST", "/v3/users", `{"user": {"name": "u", "password": "pw"}}`, 201), "user")
	var member string
	for _, r := range epfWant(t, srv, adm, "GET", "/v3/roles?name=member", "", 200)["roles"].([]any) {
		member = r.(map[string]any)["id"].(string)
	}
	epfWant(t, srv, adm, "PUT", "/v3/projects/"+project+"/users/"+user+"/roles/"+member, "", 204)
	tok := epfToken(t, srv, "u", "pw", project)

	// Associating twice is a 409, as Keystone 22 answers.
	epfWant(t, srv, adm, "PUT", "/v3/OS-EP-FILTER/projects/"+project+"/endpoints/"+a1, "", 204)
	epfWant(t, srv, adm, "PUT", "/v3/OS-EP-FILTER/projects/"+project+"/endpoints/"+a1, "", 409)
	epfWant(t, srv, adm, "HEAD", "/v3/OS-EP-FILTER/projects/"+project+"/endpoints/"+a1, "", 204)
	eps, svcs := epfCatalog(t, srv, tok)
	if !slices.Equal(eps, []string{a1}) || !slices.Equal(svcs, []string{svcA}) {
		t.Errorf("filtered catalog %v %v: services without endpoints are dropped", eps, svcs)
	}

	// A group adds its endpoints.
	g := epfID(epfWant(t, srv, adm, "POST", "/v3/OS-EP-FILTER/endpoint_groups",
		`{"endpoint_group": {"name": "g", "filters": {"service_id": "`+svcB+`"}}}`, 201), "endpoint_group")
	epfWant(t, srv, adm, "PUT", "/v3/OS-EP-FILTER/endpoint_groups/"+g+"/projects/"+project, "", 204)
	out := epfWant(t, srv, adm, "GET", "/v3/OS-EP-FILTER/projects/"+project+"/endpoints", "", 200)
	want := []string{a1, b1}
	slices.Sort(want)
	if got := epfIDs(out, "endpoints"); !slices.Equal(got, want) {
		t.Errorf("project endpoints %v, want %v", got, want)
	}
	if out := epfWant(t, srv, adm, "GET", "/v3/OS-EP-FILTER/endpoint_groups/no-such/projects", "", 200); len(out["projects"].([]any)) != 0 {
		t.Errorf("projects of an unknown group: %v", out)
	}

	// Deleting the endpoint drops its association; deleting the group drops
	// the group's: the catalog is whole again.
	epfWant(t, srv, adm, "DELETE", "/v3/endpoints/"+a1, "", 204)
	epfWant(t, srv, adm, "DELETE", "/v3/OS-EP-FILTER/endpoint_groups/"+g, "", 204)
	epfWant(t, srv, adm, "GET", "/v3/OS-EP-FILTER/endpoint_groups/"+g+"/projects/"+project, "", 404)
	if eps, _ := epfCatalog(t, srv, tok); !slices.Contains(eps, a2) || !slices.Contains(eps, b1) {
		t.Errorf("unfiltered catalog %v", eps)
	}

	// Deleting the project drops its associations.
	epfWant(t, srv, adm, "PUT", "/v3/OS-EP-FILTER/projects/"+project+"/endpoints/"+b1, "", 204)
	epfWant(t, srv, adm, "DELETE", "/v3/projects/"+project, "", 204)
	if out := epfWant(t, srv, adm, "GET", "/v3/OS-EP-FILTER/endpoints/"+b1+"/projects", "", 200); len(out["projects"].([]any)) != 0 {
		t.Errorf("projects of the endpoint after the project's deletion: %v", out)
	}
}

func TestEndpointPolicyFake(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := epfToken(t, srv, srv.AdminUser, srv.AdminPassword, srv.AdminProjectID)
	svc := epfID(epfWant(t, srv, adm, "POST", "/v3/services", `{"service": {"type": "a"}}`, 201), "service")
	epfWant(t, srv, adm, "POST", "/v3/regions", `{"region": {"id": "parent"}}`, 201)
	epfWant(t, srv, adm, "POST", "/v3/regions", `{"region": {"id": "child", "parent_region_id": "parent"}}`, 201)
	ep := epfID(epfWant(t, srv, adm, "POST", "/v3/endpoints",
		`{"endpoint": {"service_id": "`+svc+`", "interface": "public", "url": "http://x/", "region_id": "child"}}`, 201), "endpoint")
	policy := func() string {
		return epfID(epfWant(t, srv, adm, "POST", "/v3/policies", `{"policy": {"type": "application/json", "blob": "{}"}}`, 201), "policy")
	}
	p1, p2 := policy(), policy()

	// The policy of the service in the parent region applies to the endpoint
	// of the child region.
	epfWant(t, srv, adm, "PUT", "/v3/policies/"+p1+"/OS-ENDPOINT-POLICY/services/"+svc, "", 204)
	epfWant(t, srv, adm, "PUT", "/v3/policies/"+p2+"/OS-ENDPOINT-POLICY/services/"+svc+"/regions/parent", "", 204)
	out := epfWant(t, srv, adm, "GET", "/v3/endpoints/"+ep+"/OS-ENDPOINT-POLICY/policy", "", 200)
	if got := epfID(out, "policy"); got != p2 {
		t.Errorf("policy %s, want %s", got, p2)
	}
	if self := out["policy"].(map[string]any)["links"].(map[string]any)["self"]; self != srv.URL+"/v3/endpoints/"+p2 {
		t.Errorf("link %v (Keystone 22 links it under /v3/endpoints)", self)
	}
	if got := epfIDs(epfWant(t, srv, adm, "GET", "/v3/policies/"+p2+"/OS-ENDPOINT-POLICY/endpoints", "", 200), "endpoints"); !slices.Equal(got, []string{ep}) {
		t.Errorf("endpoints of the region's policy: %v", got)
	}
	// One policy per target: associating another moves the association.
	epfWant(t, srv, adm, "PUT", "/v3/policies/"+p2+"/OS-ENDPOINT-POLICY/services/"+svc, "", 204)
	epfWant(t, srv, adm, "GET", "/v3/policies/"+p1+"/OS-ENDPOINT-POLICY/services/"+svc, "", 404)

	// Keystone 22 keeps the associations of a deleted endpoint or policy.
	epfWant(t, srv, adm, "PUT", "/v3/policies/"+p1+"/OS-ENDPOINT-POLICY/endpoints/"+ep, "", 204)
	epfWant(t, srv, adm, "DELETE", "/v3/policies/"+p1, "", 204)
	epfWant(t, srv, adm, "GET", "/v3/endpoints/"+ep+"/OS-ENDPOINT-POLICY/policy", "", 404)

	if f := srv.Failures(); len(f) != 0 {
		t.Errorf("failures: %v", f)
	}
	// The api-ref's path is routed by no Keystone: 404 even without a token
	// (a request the validator records as not conforming).
	epfWant(t, srv, adm, "GET", "/v3/policies/"+p2+"/OS-ENDPOINT-POLICY/policy", "", 404)
	epfWant(t, srv, "", "GET", "/v3/policies/"+p2+"/OS-ENDPOINT-POLICY/policy", "", 404)
	epfWant(t, srv, "", "HEAD", "/v3/policies/"+p2+"/OS-ENDPOINT-POLICY/policy", "", 404)
}
