package keystonetest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// persistDo sends a request with token and extra headers and returns the
// status, the raw body and the headers.
func persistDo(t *testing.T, srv *keystonetest.Server, token, method, path, body string, hdr map[string]string) (int, []byte, http.Header) {
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
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// persistOAuth1 sends an OAuth 1.0a signed POST to path and returns the
// status and the form it answers.
func persistOAuth1(t *testing.T, srv *keystonetest.Server, s identityv3.OAuth1Signer, path, body string, extra, hdr map[string]string) (int, url.Values) {
	t.Helper()
	auth, err := s.Authorization(http.MethodPost, srv.URL+path, extra)
	if err != nil {
		t.Fatal(err)
	}
	h := map[string]string{"Authorization": auth}
	for k, v := range hdr {
		h[k] = v
	}
	code, b, _ := persistDo(t, srv, "", http.MethodPost, path, body, h)
	form, _ := url.ParseQuery(string(b))
	return code, form
}

// persistToken issues a token with a password, or fails.
func persistToken(t *testing.T, srv *keystonetest.Server, userID, password, scope string) string {
	t.Helper()
	body := `{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "` + userID +
		`", "password": "` + password + `"}}}` + scope + `}}`
	code, b, h := persistDo(t, srv, "", "POST", "/v3/auth/tokens", body, nil)
	if code != 201 {
		t.Fatalf("password token of %s: %d %s", userID, code, b)
	}
	return h.Get("X-Subject-Token")
}

// TestStateRoundTrip creates one resource of each area through the API,
// exports the state, imports it into a fresh server and reads each back
// there through the API, as the first server shows it (links moved to the
// second one's URL). Passwords and application credential secrets are not in
// the state, only their hashes, and still authenticate.
func TestStateRoundTrip(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
	sys := limitsToken(t, srv, `{"system": {"all": true}}`)
	svc := srv.AddService("volumev3", "cinder", keystonetest.Endpoint{Interface: "public", URL: srv.URL + "/volume/v3"})
	member := limitsRoleID(t, srv, adm, "member")
	want := func(token, method, path, body string, code int) map[string]any {
		t.Helper()
		return limitsWant(t, srv, token, method, path, body, code)
	}
	id := func(out map[string]any, key string) string {
		t.Helper()
		m, _ := out[key].(map[string]any)
		s, _ := m["id"].(string)
		if s == "" {
			t.Fatalf("no %s id in %v", key, out)
		}
		return s
	}

	// Identity, resources, assignments.
	dom := limitsCreate(t, srv, adm, "persist-d", "", "")
	proj := limitsCreate(t, srv, adm, "persist-p", dom, "")
	const userPassword = "persist-User-Passw0rd"
	user := id(want(adm, "POST", "/v3/users", `{"user": {"name": "persist-u", "domain_id": "`+dom+`", "password": "`+userPassword+`"}}`, 201), "user")
	group := id(want(adm, "POST", "/v3/groups", `{"group": {"name": "persist-g", "domain_id": "`+dom+`"}}`, 201), "group")
	want(adm, "PUT", "/v3/groups/"+group+"/users/"+user, "", 204)
	want(adm, "PUT", "/v3/projects/"+proj+"/users/"+user+"/roles/"+member, "", 204)

	// Application credential and access rule.
	out := want(adm, "POST", "/v3/users/"+srv.AdminUserID+"/application_credentials", `{"application_credential": {"name": "persist-ac",
		"access_rules": [{"service": "volumev3", "path": "/v3/volumes", "method": "GET"}]}}`, 201)
	appCred := id(out, "application_credential")
	appSecret := out["application_credential"].(map[string]any)["secret"].(string)
	// An ec2 credential: its blob holds the secret, in Keystone too.
	const ec2Secret = "persist-ec2-secret-0123456789"
	cred := id(want(adm, "POST", "/v3/credentials", `{"credential": {"type": "ec2", "user_id": "`+srv.AdminUserID+
		`", "project_id": "`+srv.AdminProjectID+`", "blob": "{\"access\": \"persist-access\", \"secret\": \"`+ec2Secret+`\"}"}}`, 201), "credential")

	// Limits.
	want(adm, "POST", "/v3/registered_limits", `{"registered_limits": [{"service_id": "`+svc+`", "resource_name": "volumes", "default_limit": 10}]}`, 201)
	want(adm, "POST", "/v3/limits", `{"limits": [{"service_id": "`+svc+`", "project_id": "`+proj+`", "resource_name": "volumes", "resource_limit": 5}]}`, 201)

	// Endpoint filters and endpoint policies.
	endpoint := limitsFirstID(t, want(adm, "GET", "/v3/endpoints?service_id="+svc, "", 200), "endpoints")
	eg := id(want(adm, "POST", "/v3/OS-EP-FILTER/endpoint_groups", `{"endpoint_group": {"name": "persist-eg", "filters": {"service_id": "`+svc+`"}}}`, 201), "endpoint_group")
	want(adm, "PUT", "/v3/OS-EP-FILTER/endpoint_groups/"+eg+"/projects/"+proj, "", 204)
	want(adm, "PUT", "/v3/OS-EP-FILTER/projects/"+proj+"/endpoints/"+endpoint, "", 204)
	policy := id(want(adm, "POST", "/v3/policies", `{"policy": {"blob": "{}", "type": "application/json"}}`, 201), "policy")
	want(adm, "PUT", "/v3/policies/"+policy+"/OS-ENDPOINT-POLICY/endpoints/"+endpoint, "", 204)

	// A domain configuration, with a sensitive option.
	want(adm, "PUT", "/v3/domains/"+dom+"/config", `{"config": {"identity": {"driver": "ldap"},
		"ldap": {"url": "ldap://persist.example", "password": "persist-ldap-secret"}}}`, 201)

	// A trust.
	trust := id(want(adm, "POST", "/v3/OS-TRUST/trusts", `{"trust": {"trustor_user_id": "`+srv.AdminUserID+`", "trustee_user_id": "`+user+
		`", "project_id": "`+srv.AdminProjectID+`", "impersonation": false, "roles": [{"id": "`+member+`"}]}}`, 201), "trust")

	// An OAuth 1.0a consumer and an access token.
	out = want(adm, "POST", "/v3/OS-OAUTH1/consumers", `{"consumer": {"description": "persist"}}`, 201)
	consumer := identityv3.OAuth1Signer{ConsumerKey: id(out, "consumer"), ConsumerSecret: out["consumer"].(map[string]any)["secret"].(string)}
	code, rt := persistOAuth1(t, srv, consumer, "/v3/OS-OAUTH1/request_token", "", map[string]string{"oauth_callback": "oob"},
		map[string]string{"Requested-Project-Id": srv.AdminProjectID})
	if code != 201 {
		t.Fatalf("request token: %d %v", code, rt)
	}
	out = want(adm, "PUT", "/v3/OS-OAUTH1/authorize/"+rt.Get("oauth_token"), `{"roles": [{"id": "`+member+`"}]}`, 200)
	verifier := out["token"].(map[string]any)["oauth_verifier"].(string)
	signer := consumer
	signer.Token, signer.TokenSecret = rt.Get("oauth_token"), rt.Get("oauth_token_secret")
	code, at := persistOAuth1(t, srv, signer, "/v3/OS-OAUTH1/access_token", "", map[string]string{"oauth_verifier": verifier}, nil)
	if code != 201 {
		t.Fatalf("access token: %d %v", code, at)
	}
	signer.Token, signer.TokenSecret = at.Get("oauth_token"), at.Get("oauth_token_secret")
	// A request token not authorized yet.
	code, rt2 := persistOAuth1(t, srv, consumer, "/v3/OS-OAUTH1/request_token", "", map[string]string{"oauth_callback": "oob"},
		map[string]string{"Requested-Project-Id": srv.AdminProjectID})
	if code != 201 {
		t.Fatalf("request token: %d %v", code, rt2)
	}

	// Federation: an identity provider, a mapping, a protocol, a service
	// provider.
	want(adm, "PUT", "/v3/OS-FEDERATION/identity_providers/persist-idp", `{"identity_provider": {"enabled": true, "remote_ids": ["https://idp.persist.example"]}}`, 201)
	want(adm, "PUT", "/v3/OS-FEDERATION/mappings/persist-map", `{"mapping": {"rules": [{"local": [{"user": {"name": "{0}"}}], "remote": [{"type": "REMOTE_USER"}]}]}}`, 201)
	want(adm, "PUT", "/v3/OS-FEDERATION/identity_providers/persist-idp/protocols/saml2", `{"protocol": {"mapping_id": "persist-map"}}`, 201)
	want(adm, "PUT", "/v3/OS-FEDERATION/service_providers/persist-sp", `{"service_provider": {"auth_url": "https://sp.persist.example/v3/OS-FEDERATION/identity_providers/x/protocols/saml2/auth",
		"sp_url": "https://sp.persist.example/Shibboleth.sso/SAML2/ECP"}}`, 201)

	// A revocation event: a token revoked.
	userTok := persistToken(t, srv, user, userPassword, "")
	if code, b, _ := persistDo(t, srv, adm, "DELETE", "/v3/auth/tokens", "", map[string]string{"X-Subject-Token": userTok}); code != 204 {
		t.Fatalf("revoke: %d %s", code, b)
	}

	data, err := srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	again, err := srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("the same state exports different bytes")
	}
	// What Keystone hashes is hashed; what it must read back (an ec2
	// secret, OAuth 1.0a secrets, a sensitive domain option) is kept.
	for name, secret := range map[string]string{"the admin password": srv.AdminPassword, "a user password": userPassword,
		"an application credential secret": appSecret} {
		if bytes.Contains(data, []byte(secret)) {
			t.Errorf("the state holds %s in clear", name)
		}
	}
	for name, secret := range map[string]string{"the ec2 secret": ec2Secret, "the consumer secret": consumer.ConsumerSecret,
		"the access token secret": signer.TokenSecret, "the LDAP password": "persist-ldap-secret"} {
		if !bytes.Contains(data, []byte(secret)) {
			t.Errorf("the state lacks %s", name)
		}
	}
	if strings.Contains(string(data), userTok) {
		t.Error("the state holds a token")
	}

	srv2 := keystonetest.NewServer(t)
	if err := srv2.ImportState(data); err != nil {
		t.Fatal(err)
	}
	const adminPassword = "persist-Admin-Passw0rd"
	if err := srv2.SetPassword(srv2.AdminUserID, adminPassword); err != nil {
		t.Fatal(err)
	}
	adm2 := persistToken(t, srv2, srv2.AdminUserID, adminPassword, `, "scope": {"project": {"id": "`+srv2.AdminProjectID+`"}}`)
	sys2 := persistToken(t, srv2, srv2.AdminUserID, adminPassword, `, "scope": {"system": {"all": true}}`)

	// Each resource reads back the same (the first server's URL moved).
	for _, c := range []struct {
		sys  bool
		path string
	}{
		{false, "/v3/domains/" + dom},
		{true, "/v3/projects/" + proj},
		{false, "/v3/users/" + user},
		{false, "/v3/groups/" + group + "/users"},
		{false, "/v3/projects/" + proj + "/users/" + user + "/roles"},
		{false, "/v3/users/" + srv.AdminUserID + "/application_credentials/" + appCred},
		{false, "/v3/users/" + srv.AdminUserID + "/access_rules"},
		{false, "/v3/credentials/" + cred},
		{false, "/v3/registered_limits"},
		{true, "/v3/limits"},
		{false, "/v3/OS-EP-FILTER/endpoint_groups/" + eg},
		{false, "/v3/OS-EP-FILTER/endpoint_groups/" + eg + "/projects"},
		{false, "/v3/OS-EP-FILTER/projects/" + proj + "/endpoints"},
		{false, "/v3/policies/" + policy + "/OS-ENDPOINT-POLICY/endpoints"},
		{false, "/v3/domains/" + dom + "/config"},
		{false, "/v3/OS-TRUST/trusts/" + trust},
		{false, "/v3/OS-OAUTH1/consumers/" + consumer.ConsumerKey},
		{false, "/v3/users/" + srv.AdminUserID + "/OS-OAUTH1/access_tokens"},
		{false, "/v3/OS-FEDERATION/identity_providers/persist-idp"},
		{false, "/v3/OS-FEDERATION/identity_providers/persist-idp/protocols/saml2"},
		{false, "/v3/OS-FEDERATION/mappings/persist-map"},
		{false, "/v3/OS-FEDERATION/service_providers/persist-sp"},
		{false, "/v3/OS-REVOKE/events"},
	} {
		tok1, tok2 := adm, adm2
		if c.sys {
			tok1, tok2 = sys, sys2
		}
		code1, b1, _ := persistDo(t, srv, tok1, "GET", c.path, "", nil)
		code2, b2, _ := persistDo(t, srv2, tok2, "GET", c.path, "", nil)
		var v1, v2 any
		_ = json.Unmarshal([]byte(strings.ReplaceAll(string(b1), srv.URL, srv2.URL)), &v1)
		_ = json.Unmarshal(b2, &v2)
		if code1 != 200 || code2 != 200 || !reflect.DeepEqual(v1, v2) {
			t.Errorf("GET %s:\nbefore %d %s\nafter  %d %s", c.path, code1, b1, code2, b2)
		}
		if strings.Contains(string(b2), srv.URL) {
			t.Errorf("GET %s after import: a link to the first server: %s", c.path, b2)
		}
	}
	// An event is listed: the revocation was recorded.
	if _, b, _ := persistDo(t, srv2, adm2, "GET", "/v3/OS-REVOKE/events", "", nil); !strings.Contains(string(b), `"audit_id"`) {
		t.Errorf("revocation events after import: %s", b)
	}

	// Hashed secrets still authenticate; the clear ones sign.
	persistToken(t, srv2, user, userPassword, "")
	if code, b, _ := persistDo(t, srv2, "", "POST", "/v3/auth/tokens", `{"auth": {"identity": {"methods": ["application_credential"],
		"application_credential": {"id": "`+appCred+`", "secret": "`+appSecret+`"}}}}`, nil); code != 201 {
		t.Errorf("application credential after import: %d %s", code, b)
	}
	if code, b, _ := persistDo(t, srv2, "", "POST", "/v3/auth/tokens", `{"auth": {"identity": {"methods": ["application_credential"],
		"application_credential": {"id": "`+appCred+`", "secret": "wrong"}}}}`, nil); code != 401 {
		t.Errorf("application credential with a wrong secret after import: %d %s", code, b)
	}
	if code, form := persistOAuth1(t, srv2, signer, "/v3/auth/tokens", `{"auth": {"identity": {"methods": ["oauth1"], "oauth1": {}}}}`, nil, nil); code != 201 {
		t.Errorf("oauth1 access token after import: %d %v", code, form)
	}
	if code, b, _ := persistDo(t, srv2, "", "POST", "/v3/auth/tokens", `{"auth": {"identity": {"methods": ["password"],
		"password": {"user": {"id": "`+user+`", "password": "`+userPassword+`"}}}, "scope": {"OS-TRUST:trust": {"id": "`+trust+`"}}}}`, nil); code != 201 {
		t.Errorf("trust token after import: %d %s", code, b)
	}

	// The export of the imported state is that of the first server, but for
	// the root (the hashes are kept as they are).
	data2, err := srv2.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	var m1, m2 map[string]any
	_ = json.Unmarshal([]byte(strings.ReplaceAll(string(data), srv.URL, srv2.URL)), &m1)
	_ = json.Unmarshal(data2, &m2)
	for k := range m1 {
		if k != "users" && !reflect.DeepEqual(m1[k], m2[k]) {
			t.Errorf("%s exported again: %v, want %v", k, m2[k], m1[k])
		}
	}
	// The pending request token can be authorized.
	if code, b, _ := persistDo(t, srv2, adm2, "PUT", "/v3/OS-OAUTH1/authorize/"+rt2.Get("oauth_token"), `{"roles": [{"id": "`+member+`"}]}`, nil); code != 200 {
		t.Errorf("authorizing a request token after import: %d %s", code, b)
	}
	for _, f := range append(srv.Failures(), srv2.Failures()...) {
		t.Errorf("validation failure: %v", f)
	}
}

// TestImportStateVersions: a version 1 state (before the areas of version 2)
// still imports; an unknown version does not.
func TestImportStateVersions(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := limitsToken(t, srv, `{"project": {"id": "`+srv.AdminProjectID+`"}}`)
	svc := srv.AddService("volumev3", "cinder")
	limitsWant(t, srv, adm, "POST", "/v3/registered_limits", `{"registered_limits": [{"service_id": "`+svc+`", "resource_name": "r", "default_limit": 1}]}`, 201)
	limitsCreate(t, srv, adm, "v1-domain", "", "")
	data, err := srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	v1 := map[string]any{"version": 1}
	for _, k := range []string{"root", "domains", "projects", "users", "groups", "group_members", "roles", "implied_roles",
		"role_assignments", "regions", "services", "endpoints", "policies"} {
		v1[k] = m[k]
	}
	old, _ := json.Marshal(v1)
	srv2 := keystonetest.NewServer(t)
	if err := srv2.ImportState(old); err != nil {
		t.Fatalf("version 1: %v", err)
	}
	if err := srv2.SetPassword(srv2.AdminUserID, "v1-Passw0rd"); err != nil {
		t.Fatal(err)
	}
	adm2 := persistToken(t, srv2, srv2.AdminUserID, "v1-Passw0rd", `, "scope": {"project": {"id": "`+srv2.AdminProjectID+`"}}`)
	out := limitsWant(t, srv2, adm2, "GET", "/v3/domains?name=v1-domain", "", 200)
	if ids := limitsListIDs(out, "domains"); len(ids) != 1 {
		t.Errorf("domains of a version 1 state: %v", out)
	}
	out = limitsWant(t, srv2, adm2, "GET", "/v3/registered_limits", "", 200)
	if ids := limitsListIDs(out, "registered_limits"); len(ids) != 0 {
		t.Errorf("registered limits after a version 1 state: %v", ids)
	}
	m["version"] = 3
	bad, _ := json.Marshal(m)
	if err := srv2.ImportState(bad); err == nil {
		t.Error("version 3 imported")
	}
}

// TestImportStateStrictTwoLevel mirrors Keystone's start with the
// strict_two_level model (keystone/server/backends.py calling
// check_project_depth): a deployment with a project under a project (depth 3,
// counting the domain) exceeds the model's depth of 2, and Keystone does not
// start; ImportState refuses such a state and keeps the server's.
func TestImportStateStrictTwoLevel(t *testing.T) {
	flat := keystonetest.NewServer(t)
	adm := limitsToken(t, flat, `{"project": {"id": "`+flat.AdminProjectID+`"}}`)
	dom := limitsCreate(t, flat, adm, "d", "", "")
	top := limitsCreate(t, flat, adm, "top", dom, "")
	shallow, err := flat.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	child := limitsCreate(t, flat, adm, "child", dom, top)
	deep, err := flat.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	strict := keystonetest.NewServer(t, keystonetest.WithLimitModel("strict_two_level"))
	err = strict.ImportState(deep)
	want := fmt.Sprintf("Keystone cannot start due to project hierarchical depth in the current deployment (project_ids: ['%s']) exceeds the enforcement model's maximum limit of 2.", child)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a state too deep for strict_two_level: %v, want %q", err, want)
	}
	if strict.AdminUserID == "" || strict.AdminPassword == "" {
		t.Error("a refused state changed the server")
	}
	if err := strict.ImportState(shallow); err != nil {
		t.Errorf("a state of two levels: %v", err)
	}
}

// TestStateKeepsV2GlobalRoles: the v2.0 global role grants (OS-KSADM) survive
// an export and an import into a fresh server.
func TestStateKeepsV2GlobalRoles(t *testing.T) {
	srv := keystonetest.NewServer(t)
	tok := persistToken(t, srv, srv.AdminUserID, srv.AdminPassword, `, "scope": {"project": {"id": "`+srv.AdminProjectID+`"}}`)
	st, b, _ := persistDo(t, srv, tok, "POST", "/v3/roles", `{"role": {"name": "auditor"}}`, nil)
	if st != 201 {
		t.Fatalf("create role: %d %s", st, b)
	}
	var role struct{ Role struct{ ID string } }
	if err := json.Unmarshal(b, &role); err != nil {
		t.Fatal(err)
	}
	path := "/v2.0/users/" + srv.AdminUserID + "/roles/OS-KSADM/" + role.Role.ID
	if st, b, _ := persistDo(t, srv, tok, "PUT", path, "", nil); st != 201 {
		t.Fatalf("grant: %d %s", st, b)
	}
	data, err := srv.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	fresh := keystonetest.NewServer(t)
	if err := fresh.ImportState(data); err != nil {
		t.Fatal(err)
	}
	if err := fresh.SetPassword(fresh.AdminUserID, "pw"); err != nil {
		t.Fatal(err)
	}
	ftok := persistToken(t, fresh, fresh.AdminUserID, "pw", `, "scope": {"project": {"id": "`+fresh.AdminProjectID+`"}}`)
	st, b, _ = persistDo(t, fresh, ftok, "GET", "/v2.0/users/"+fresh.AdminUserID+"/roles", "", nil)
	if st != 200 || !strings.Contains(string(b), role.Role.ID) {
		t.Fatalf("global roles after import: %d %s", st, b)
	}
}
