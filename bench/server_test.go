package bench

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// stand-in is an in-process Keystone: it answers with Keystone's shapes, with
// the token and project bodies prepared once, so that the benchmarks measure
// the clients, not the server.
type standIn struct {
	*httptest.Server
	tokenBody    []byte // the body of POST /v3/auth/tokens
	projects     map[int][]byte
	ttl          atomic.Int64 // token lifetime, in nanoseconds
	listSize     atomic.Int64 // projects in GET /v3/projects: 100 or 1000
	mu           sync.Mutex
	tokens       map[string]time.Time
	authRequests atomic.Int64
	unauthorized atomic.Int64
	calls        atomic.Int64
	// nextBody, when set, is served (once) instead of tokenBody, with nextTTL
	// as the token's server-side lifetime: a token about to expire.
	nextBody atomic.Pointer[[]byte]
	nextTTL  atomic.Int64
}

// expiringToken makes the next authentication return a token that expires in
// d, by its body and on the server.
func (s *standIn) expiringToken(d time.Duration) {
	var m map[string]map[string]any
	if err := json.Unmarshal(s.tokenBody, &m); err != nil {
		panic(err)
	}
	m["token"]["expires_at"] = time.Now().UTC().Add(d).Format("2006-01-02T15:04:05.000000Z")
	b, _ := json.Marshal(m)
	s.nextTTL.Store(int64(d))
	s.nextBody.Store(&b)
}

const (
	benchUser     = "bench-user"
	benchPassword = "bench-password"
	benchProject  = "bench-project"
)

func newStandIn(tb testing.TB, services, regions int) *standIn {
	tb.Helper()
	s := &standIn{projects: map[int][]byte{}, tokens: map[string]time.Time{}}
	s.ttl.Store(int64(time.Hour))
	s.listSize.Store(100)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	s.tokenBody = tokenBody(s.URL, services, regions)
	for _, n := range []int{100, 1000} {
		s.projects[n] = projectList(s.URL, n)
	}
	return s
}

func id() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// tokenBody is a project-scoped token whose catalog has services × 3
// interfaces × regions endpoints; one service is "compute".
func tokenBody(base string, services, regions int) []byte {
	var cat []map[string]any
	for s := range services {
		typ, name := fmt.Sprintf("service-%d", s), fmt.Sprintf("svc%d", s)
		switch s {
		case 0:
			typ, name = "identity", "keystone"
		case services / 2:
			typ, name = "compute", "nova"
		}
		var eps []map[string]any
		for _, iface := range []string{"public", "internal", "admin"} {
			for r := range regions {
				region := "RegionOne"
				if r > 0 {
					region = fmt.Sprintf("Region%d", r+1)
				}
				eps = append(eps, map[string]any{"id": id(), "interface": iface, "region_id": region, "region": region,
					"url": fmt.Sprintf("https://%s.%s.example.com:8774/v2.1/%s", name, strings.ToLower(region), iface)})
			}
		}
		if s == 0 {
			eps[0]["url"] = base + "/v3"
		}
		cat = append(cat, map[string]any{"id": id(), "type": typ, "name": name, "endpoints": eps})
	}
	now := time.Now().UTC()
	body := map[string]any{"token": map[string]any{
		"methods": []string{"password"},
		"user": map[string]any{"id": "uid-bench", "name": benchUser, "domain": map[string]any{"id": "default", "name": "Default"},
			"password_expires_at": nil},
		"audit_ids":  []string{"3T2dc1CGQxyJsHdDu1xkcw"},
		"expires_at": now.Add(time.Hour).Format("2006-01-02T15:04:05.000000Z"),
		"issued_at":  now.Format("2006-01-02T15:04:05.000000Z"),
		"project": map[string]any{"id": "pid-bench", "name": benchProject,
			"domain": map[string]any{"id": "default", "name": "Default"}},
		"is_domain": false,
		"roles":     []any{map[string]any{"id": id(), "name": "admin"}, map[string]any{"id": id(), "name": "member"}, map[string]any{"id": id(), "name": "reader"}},
		"catalog":   cat,
	}}
	b, _ := json.Marshal(body)
	return b
}

// projectList is a page of n projects with every field Keystone returns.
func projectList(base string, n int) []byte {
	var ps []map[string]any
	for i := range n {
		pid := id()
		ps = append(ps, map[string]any{
			"id": pid, "name": fmt.Sprintf("project-%04d", i), "domain_id": "default",
			"description": fmt.Sprintf("Project number %d of the benchmark", i), "enabled": true,
			"parent_id": "default", "is_domain": false, "tags": []string{"bench", "team-" + strconv.Itoa(i%7)},
			"options": map[string]any{}, "links": map[string]any{"self": base + "/v3/projects/" + pid},
		})
	}
	b, _ := json.Marshal(map[string]any{"projects": ps,
		"links": map[string]any{"self": base + "/v3/projects", "next": nil, "previous": nil}})
	return b
}

func (s *standIn) revokeAll() {
	s.mu.Lock()
	s.tokens = map[string]time.Time{}
	s.mu.Unlock()
}

func (s *standIn) valid(tok string) bool {
	s.mu.Lock()
	exp, ok := s.tokens[tok]
	s.mu.Unlock()
	return ok && time.Now().Before(exp)
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
		s.authRequests.Add(1)
		var req struct {
			Auth struct {
				Identity struct {
					Password struct {
						User struct {
							Name, Password string
						}
					}
				}
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Auth.Identity.Password.User.Password != benchPassword {
			w.WriteHeader(401)
			io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
			return
		}
		tok := "gAAAAA" + id() + id()
		body, ttl := s.tokenBody, time.Duration(s.ttl.Load())
		if next := s.nextBody.Swap(nil); next != nil {
			body, ttl = *next, time.Duration(s.nextTTL.Load())
		}
		s.mu.Lock()
		s.tokens[tok] = time.Now().Add(ttl)
		s.mu.Unlock()
		w.Header().Set("X-Subject-Token", tok)
		w.WriteHeader(201)
		w.Write(body)
	case r.Method == http.MethodGet && r.URL.Path == "/v3/projects":
		s.calls.Add(1)
		if !s.valid(r.Header.Get("X-Auth-Token")) {
			s.unauthorized.Add(1)
			w.WriteHeader(401)
			io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
			return
		}
		w.Write(s.projects[int(s.listSize.Load())])
	case r.URL.Path == "/" || r.URL.Path == "/v3" || r.URL.Path == "/v3/":
		io.WriteString(w, `{"version": {"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z", "links": [{"rel": "self", "href": "`+s.URL+`/v3/"}], "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]}}`)
	default:
		w.WriteHeader(404)
		io.WriteString(w, `{"error": {"code": 404, "title": "Not Found", "message": "The resource could not be found."}}`)
	}
}
