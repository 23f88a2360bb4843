package keystonetest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/ec2signer"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// ec2tCall sends a request to srv with token and decodes the JSON answer.
func ec2tCall(t *testing.T, srv *keystonetest.Server, token, method, path, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
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
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, resp.Header
}

func ec2tWant(t *testing.T, srv *keystonetest.Server, token, method, path, body string, want int) map[string]any {
	t.Helper()
	got, out, _ := ec2tCall(t, srv, token, method, path, body)
	if got != want {
		t.Fatalf("%s %s %s: %d %v, want %d", method, path, body, got, out, want)
	}
	return out
}

func ec2tID(out map[string]any, key string) string { return out[key].(map[string]any)["id"].(string) }

func ec2tToken(t *testing.T, srv *keystonetest.Server, user, password, projectID string) string {
	t.Helper()
	body := fmt.Sprintf(`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": %q, "domain": {"id": "default"}, "password": %q}}},
		"scope": {"project": {"id": %q}}}}`, user, password, projectID)
	_, _, h := ec2tCall(t, srv, "", http.MethodPost, "/v3/auth/tokens", body)
	if h.Get("X-Subject-Token") == "" {
		t.Fatal("no token")
	}
	return h.Get("X-Subject-Token")
}

// TestEC2TokensFake checks what the contract suite does not: the bodies
// Keystone 22 answers from what it finds, the service role, timestamps.
func TestEC2TokensFake(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm := ec2tToken(t, srv, srv.AdminUser, srv.AdminPassword, srv.AdminProjectID)
	project := ec2tID(ec2tWant(t, srv, adm, "POST", "/v3/projects", `{"project": {"name": "p"}}`, 201), "project")
	user := ec2tID(ec2tWant(t, srv, adm, "POST", "/v3/users", `{"user": {"name": "u", "password": "pw"}}`, 201), "user")
	svc := ec2tID(ec2tWant(t, srv, adm, "POST", "/v3/users", `{"user": {"name": "svc", "password": "pw"}}`, 201), "user")
	member := ec2tID(ec2tWant(t, srv, adm, "POST", "/v3/roles", `{"role": {"name": "ec2t-member"}}`, 201), "role")
	service := ec2tID(ec2tWant(t, srv, adm, "POST", "/v3/roles", `{"role": {"name": "service"}}`, 201), "role")
	ec2tWant(t, srv, adm, "PUT", "/v3/projects/"+project+"/users/"+user+"/roles/"+member, "", 204)
	ec2tWant(t, srv, adm, "PUT", "/v3/projects/"+project+"/users/"+svc+"/roles/"+service, "", 204)
	cred := ec2tWant(t, srv, adm, "POST", "/v3/users/"+user+"/credentials/OS-EC2", fmt.Sprintf(`{"tenant_id": %q}`, project), 201)["credential"].(map[string]any)
	creds := ec2signer.Credentials{Access: cred["access"].(string), Secret: cred["secret"].(string)}

	// Bodies, as Keystone 22 answers them.
	for body, want := range map[string]int{
		`{"foo": 1}`: 401, `{"credentials": null}`: 401, `{"credentials": {}}`: 401,
		`{"credentials": {"access": ""}}`: 404, `[]`: 400, ``: 400, `{}`: 400,
	} {
		for _, ep := range []string{"ec2tokens", "s3tokens"} {
			if got, out, _ := ec2tCall(t, srv, adm, "POST", "/v3/"+ep, body); got != want {
				t.Errorf("%s %s: %d %v, want %d", ep, body, got, out, want)
			}
		}
	}

	sign := func(ts time.Time) string {
		req := ec2signer.Request{Verb: "GET", Host: "h", Path: "/", Params: map[string]string{
			"SignatureVersion": "2", "SignatureMethod": "HmacSHA256", "Action": "DescribeRegions",
			"Timestamp": ts.UTC().Format("2006-01-02T15:04:05Z"), "AWSAccessKeyId": creds.Access}}
		sig, err := creds.Sign(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(map[string]any{"credentials": map[string]any{"access": creds.Access, "signature": sig,
			"host": req.Host, "verb": req.Verb, "path": req.Path, "params": req.Params}})
		return string(b)
	}
	// A service user may validate (rule:service_or_admin).
	svcToken := ec2tToken(t, srv, "svc", "pw", project)
	out := ec2tWant(t, srv, svcToken, "POST", "/v3/ec2tokens", sign(time.Now()), 200)
	if tok := out["token"].(map[string]any); tok["user"].(map[string]any)["id"] != user {
		t.Errorf("token %v", tok)
	}
	// A timestamp within auth_ttl, one past it.
	ec2tWant(t, srv, adm, "POST", "/v3/ec2tokens", sign(time.Now().Add(-14*time.Minute)), 200)
	ec2tWant(t, srv, adm, "POST", "/v3/ec2tokens", sign(time.Now().Add(-16*time.Minute)), 401)

	// s3tokens issues no token: the count of issued tokens does not move.
	s3, err := creds.SignS3("GET\n\n\n" + time.Now().UTC().Format(http.TimeFormat) + "\n/b/o")
	if err != nil {
		t.Fatal(err)
	}
	n := srv.TokenCount()
	ec2tWant(t, srv, adm, "POST", "/v3/s3tokens", fmt.Sprintf(`{"credentials": {"access": %q, "token": %q, "signature": %q}}`,
		creds.Access, s3.Token, s3.Signature), 200)
	if srv.TokenCount() != n {
		t.Errorf("s3tokens issued a token")
	}
}
