package keystonetest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

type revEvent map[string]string

func revocationEvents(t *testing.T, srv *keystonetest.Server, token, query string) []revEvent {
	t.Helper()
	status, body := call(t, srv, token, http.MethodGet, "/OS-REVOKE/events"+query, "")
	if status != http.StatusOK {
		t.Fatalf("events%s: %d %s", query, status, body)
	}
	var l struct {
		Events []revEvent `json:"events"`
	}
	if err := json.Unmarshal([]byte(body), &l); err != nil {
		t.Fatal(err)
	}
	return l.Events
}

// TestRevocationEventsRecorded replays a sequence whose events were recorded
// from Keystone 22.
func TestRevocationEventsRecorded(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	srv := keystonetest.NewServer(t, keystonetest.WithClock(func() time.Time { return now }))
	tok := adminToken(t, srv)
	id := func(path, kind, body string) string { return createID(t, srv, tok, path, kind, body) }
	do := func(method, path, body string) {
		t.Helper()
		if status, b := call(t, srv, tok, method, path, body); status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, status, b)
		}
	}
	d := id("/domains", "domain", `{"domain": {"name": "rv"}}`)
	u1 := id("/users", "user", `{"user": {"name": "u1", "password": "pw"}}`)
	u2 := id("/users", "user", `{"user": {"name": "u2", "password": "pw"}}`)
	u3 := id("/users", "user", `{"user": {"name": "u3", "password": "pw"}}`)
	p := id("/projects", "project", `{"project": {"name": "p"}}`)
	pd := id("/projects", "project", `{"project": {"name": "pd", "domain_id": "`+d+`"}}`)
	g := id("/groups", "group", `{"group": {"name": "g"}}`)
	g2 := id("/groups", "group", `{"group": {"name": "g2"}}`)
	r := id("/roles", "role", `{"role": {"name": "rv-role"}}`)
	svc := id("/roles", "role", `{"role": {"name": "service"}}`)
	do("PUT", "/groups/"+g+"/users/"+u1, "")
	do("PUT", "/groups/"+g+"/users/"+u2, "")
	do("PUT", "/groups/"+g2+"/users/"+u3, "")
	do("PUT", "/projects/"+p+"/groups/"+g+"/roles/"+r, "")
	do("PUT", "/projects/"+p+"/users/"+u3+"/roles/"+r, "")
	if es := revocationEvents(t, srv, tok, ""); len(es) != 0 {
		t.Fatalf("events before any revocation: %v", es)
	}

	now = now.Add(500 * time.Millisecond)
	do("DELETE", "/groups/"+g+"/users/"+u2, "")                    // u2
	do("DELETE", "/projects/"+p+"/users/"+u3+"/roles/"+r, "")      // none
	do("DELETE", "/groups/"+g2, "")                                // none: no roles
	do("DELETE", "/groups/"+g, "")                                 // u1, the member left
	do("PATCH", "/users/"+u1, `{"user": {"enabled": false}}`)      // u1
	do("PATCH", "/users/"+u1, `{"user": {"enabled": true}}`)       // none
	do("PATCH", "/users/"+u3, `{"user": {"password": "pw2"}}`)     // u3
	do("PATCH", "/projects/"+p, `{"project": {"enabled": false}}`) // none
	now = now.Add(30 * time.Minute)
	do("DELETE", "/projects/"+p, "") // p
	do("DELETE", "/users/"+u1, "")   // u1
	do("PATCH", "/domains/"+d, `{"domain": {"enabled": false}}`)
	do("DELETE", "/domains/"+d, "") // pd, then d as a project
	want := []revEvent{{"user_id": u2}, {"user_id": u1}, {"user_id": u1}, {"user_id": u3},
		{"project_id": p}, {"user_id": u1}, {"project_id": pd}, {"project_id": d}}
	got := revocationEvents(t, srv, tok, "")
	if len(got) != len(want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	for i, e := range got {
		first := now.Add(-30 * time.Minute).Truncate(time.Second).Format("2006-01-02T15:04:05.000000Z")
		if i >= 4 {
			first = now.Truncate(time.Second).Format("2006-01-02T15:04:05.000000Z")
		}
		if e["revoked_at"] != first || e["issued_before"] != first {
			t.Errorf("event %d times: %v, want %s", i, e, first)
		}
		delete(e, "revoked_at")
		delete(e, "issued_before")
		if len(e) != len(want[i]) || e["user_id"] != want[i]["user_id"] || e["project_id"] != want[i]["project_id"] {
			t.Errorf("event %d = %v, want %v", i, e, want[i])
		}
	}

	// A revoked token: its audit ID.
	u4 := id("/users", "user", `{"user": {"name": "u4", "password": "pw"}}`)
	t4 := rawToken(t, srv, u4, "pw", "")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/v3/auth/tokens", nil)
	req.Header.Set("X-Auth-Token", tok)
	req.Header.Set("X-Subject-Token", t4)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tb struct {
		Token struct {
			AuditIDs []string `json:"audit_ids"`
		} `json:"token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tb)
	resp.Body.Close()
	now = now.Add(2 * time.Minute)
	req.Method = http.MethodDelete
	if resp, err = srv.Client().Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	resp.Body.Close()
	since := now.Add(-time.Minute).Format("2006-01-02T15:04:05")
	es := revocationEvents(t, srv, tok, "?since="+since)
	if len(es) != 1 || es[0]["audit_id"] != tb.Token.AuditIDs[0] || es[0]["user_id"] != "" {
		t.Errorf("since %s: %v, want the audit ID %v", since, es, tb.Token.AuditIDs)
	}
	for _, q := range []string{"?since=" + now.Add(time.Minute).Format(time.RFC3339), "?since=" + now.Add(24*time.Hour).Format("2006-01-02")} {
		if es := revocationEvents(t, srv, tok, q); len(es) != 0 {
			t.Errorf("%s: %v", q, es)
		}
	}
	if status, _ := call(t, srv, tok, "GET", "/OS-REVOKE/events?since=garbage", ""); status != 400 {
		t.Errorf("since=garbage: %d", status)
	}

	// Events older than the tokens' lifetime and the buffer are pruned when
	// the next one is recorded.
	now = now.Add(90*time.Minute + time.Second)
	tok = adminToken(t, srv)
	do("DELETE", "/users/"+u4, "")
	if es := revocationEvents(t, srv, tok, ""); len(es) != 1 || es[0]["user_id"] != u4 {
		t.Errorf("after pruning: %v", es)
	}

	// The admin or service role only.
	u5 := id("/users", "user", `{"user": {"name": "u5", "password": "pw"}}`)
	p5 := id("/projects", "project", `{"project": {"name": "p5"}}`)
	do("PUT", "/projects/"+p5+"/users/"+u5+"/roles/"+r, "")
	t5 := rawToken(t, srv, u5, "pw", `{"project": {"id": "`+p5+`"}}`)
	if status, body := call(t, srv, t5, "GET", "/OS-REVOKE/events", ""); status != 403 || !strings.Contains(body, "not authorized") {
		t.Errorf("without the service role: %d %s", status, body)
	}
	do("PUT", "/projects/"+p5+"/users/"+u5+"/roles/"+svc, "")
	if status, body := call(t, srv, t5, "GET", "/OS-REVOKE/events", ""); status != 200 {
		t.Errorf("with the service role: %d %s", status, body)
	}
}
