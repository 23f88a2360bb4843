// Package ksfake is a small in-process stand-in for Keystone, for the unit
// tests of the façade: version discovery, password/token/TOTP/application
// credential authentication with configurable token lifetimes, token
// validation and revocation, a catalog, a protected resource, multi-factor
// receipts and fault injection. It answers with Keystone's shapes; it is not
// the spec-driven fake that users get (that is pkg/keystonetest).
package ksfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a fake Keystone.
type Server struct {
	*httptest.Server

	// The one user (in domain "default"): read-only.
	Password string
	UserID   string
	UserName string
	// TOTPCode is the passcode accepted for the user: read-only.
	TOTPCode string

	// Settings, changed with the Set methods while the server runs.
	mfa       bool
	tokenTTL  time.Duration
	now       func() time.Time
	catalogV  []map[string]any
	fault     func(w http.ResponseWriter, r *http.Request) bool
	authDelay time.Duration

	// AuthRequests counts POST /v3/auth/tokens; Unauthorized counts the 401s
	// served to requests with a token.
	AuthRequests atomic.Int64
	Unauthorized atomic.Int64
	// Requests counts every request.
	Requests atomic.Int64

	mu       sync.Mutex
	tokens   map[string]time.Time // token -> expiry
	receipts map[string]bool
	// LastHeaders keeps the headers of the last request to a protected resource.
	lastHeaders http.Header
	lastBody    []byte
}

// New starts a fake Keystone; it is closed when t's test ends.
func New(t interface{ Cleanup(func()) }) *Server {
	s := &Server{
		Password: "s3cret-pw", UserID: "u-123", UserName: "alice", TOTPCode: "123456",
		tokenTTL: time.Hour, now: time.Now,
		tokens: map[string]time.Time{}, receipts: map[string]bool{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// NewTLS is New over TLS (with httptest's self-signed certificate).
func NewTLS(t interface{ Cleanup(func()) }) *Server {
	s := &Server{
		Password: "s3cret-pw", UserID: "u-123", UserName: "alice", TOTPCode: "123456",
		tokenTTL: time.Hour, now: time.Now,
		tokens: map[string]time.Time{}, receipts: map[string]bool{},
	}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// SetMFA makes the user need password and TOTP together (a receipt after
// the password alone).
func (s *Server) SetMFA(on bool) { s.mu.Lock(); s.mfa = on; s.mu.Unlock() }

// SetTokenTTL sets the lifetime of tokens issued from now on (default one hour).
func (s *Server) SetTokenTTL(d time.Duration) { s.mu.Lock(); s.tokenTTL = d; s.mu.Unlock() }

// SetClock sets the server's clock (default time.Now).
func (s *Server) SetClock(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// SetCatalog sets the catalog of scoped tokens (default: identity and compute).
func (s *Server) SetCatalog(c []map[string]any) { s.mu.Lock(); s.catalogV = c; s.mu.Unlock() }

// SetFault installs f, which may answer a request instead of the server
// (returning false lets the request through); nil removes it.
func (s *Server) SetFault(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// SetAuthDelay delays each authentication (to widen race windows).
func (s *Server) SetAuthDelay(d time.Duration) { s.mu.Lock(); s.authDelay = d; s.mu.Unlock() }

// Now is the server's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	now := s.now
	s.mu.Unlock()
	return now()
}

func (s *Server) settings() (mfa bool, ttl, delay time.Duration, fault func(http.ResponseWriter, *http.Request) bool, cat []map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mfa, s.tokenTTL, s.authDelay, s.fault, s.catalogV
}

// Revoke invalidates every token issued so far.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// LastHeaders returns the headers of the last request to /v3/projects.
func (s *Server) LastHeaders() http.Header {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastHeaders.Clone()
}

// LastBody returns the body of the last request to /v3/projects.
func (s *Server) LastBody() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.lastBody...)
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Openstack-Request-Id", "req-"+newID()[:8])
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": status, "title": http.StatusText(status), "message": msg}})
}

func (s *Server) version() map[string]any {
	return map[string]any{
		"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
		"links":       []any{map[string]any{"rel": "self", "href": s.URL + "/v3/"}},
		"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}},
	}
}

func (s *Server) catalog() []map[string]any {
	if _, _, _, _, c := s.settings(); c != nil {
		return c
	}
	ep := func(id, iface, url string) map[string]any {
		return map[string]any{"id": id, "interface": iface, "region_id": "RegionOne", "region": "RegionOne", "url": url}
	}
	return []map[string]any{
		{"id": "svc-identity", "type": "identity", "name": "keystone", "endpoints": []any{
			ep("e1", "public", s.URL+"/v3"), ep("e2", "internal", s.URL+"/v3"), ep("e3", "admin", s.URL+"/v3")}},
		{"id": "svc-compute", "type": "compute", "name": "nova", "endpoints": []any{
			ep("e4", "public", s.URL+"/compute/v2.1"), ep("e5", "internal", "http://nova.internal:8774/v2.1")}},
	}
}

func (s *Server) valid(token string) bool {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[token]
	return ok && now.Before(exp)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	if _, _, _, fault, _ := s.settings(); fault != nil && fault(w, r) {
		return
	}
	switch {
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusMultipleChoices, map[string]any{"versions": map[string]any{"values": []any{s.version()}}})
	case (r.URL.Path == "/v3" || r.URL.Path == "/v3/") && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{"version": s.version()})
	case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodPost:
		s.issue(w, r)
	case r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodGet:
		if !s.valid(r.Header.Get("X-Auth-Token")) {
			s.Unauthorized.Add(1)
			writeError(w, 401, "The request you have made requires authentication.")
			return
		}
		if !s.valid(r.Header.Get("X-Subject-Token")) {
			writeError(w, 404, "Failed to validate token")
			return
		}
		w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
		_, ttl, _, _, _ := s.settings()
		writeJSON(w, 200, s.tokenBody(map[string]any{"methods": []any{"password"}}, true, s.Now().Add(ttl)))
	case strings.HasPrefix(r.URL.Path, "/v3/projects"):
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.lastHeaders = r.Header.Clone()
		s.lastBody = body
		s.mu.Unlock()
		if !s.valid(r.Header.Get("X-Auth-Token")) {
			s.Unauthorized.Add(1)
			writeError(w, 401, "The request you have made requires authentication.")
			return
		}
		if r.Method == http.MethodPost {
			writeJSON(w, 201, map[string]any{"project": map[string]any{"id": "p-new", "name": "new", "domain_id": "default",
				"enabled": true, "is_domain": false, "links": map[string]any{"self": s.URL + "/v3/projects/p-new"}}})
			return
		}
		writeJSON(w, 200, map[string]any{"projects": []any{map[string]any{"id": "p-1", "name": "demo", "domain_id": "default",
			"enabled": true, "is_domain": false, "links": map[string]any{"self": s.URL + "/v3/projects/p-1"}}},
			"links": map[string]any{"self": s.URL + "/v3/projects", "next": nil, "previous": nil}})
	default:
		writeError(w, 404, "The resource could not be found.")
	}
}

type authReq struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User struct {
					ID       string `json:"id"`
					Name     string `json:"name"`
					Password string `json:"password"`
				} `json:"user"`
			} `json:"password"`
			Token *struct {
				ID string `json:"id"`
			} `json:"token"`
			TOTP *struct {
				User struct {
					ID       string `json:"id"`
					Name     string `json:"name"`
					Passcode string `json:"passcode"`
				} `json:"user"`
			} `json:"totp"`
			AppCred *struct {
				ID     string `json:"id"`
				Secret string `json:"secret"`
			} `json:"application_credential"`
		} `json:"identity"`
		Scope json.RawMessage `json:"scope"`
	} `json:"auth"`
}

func (s *Server) issue(w http.ResponseWriter, r *http.Request) {
	s.AuthRequests.Add(1)
	mfa, ttl, delay, _, _ := s.settings()
	if delay > 0 {
		time.Sleep(delay)
	}
	var req authReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Auth.Identity.Methods) == 0 {
		writeError(w, 400, "Expecting to find identity in auth.")
		return
	}
	id := req.Auth.Identity
	done := map[string]bool{}
	if rc := r.Header.Get("Openstack-Auth-Receipt"); rc != "" {
		s.mu.Lock()
		ok := s.receipts[rc]
		s.mu.Unlock()
		if !ok {
			writeError(w, 401, "The request you have made requires authentication.")
			return
		}
		done["password"] = true
	}
	for _, m := range id.Methods {
		switch {
		case m == "password" && id.Password != nil:
			u := id.Password.User
			if (u.ID != s.UserID && u.Name != s.UserName) || u.Password != s.Password {
				writeError(w, 401, "The request you have made requires authentication.")
				return
			}
		case m == "token" && id.Token != nil:
			if !s.valid(id.Token.ID) {
				writeError(w, 404, "Could not recognize Fernet token")
				return
			}
		case m == "totp" && id.TOTP != nil:
			if id.TOTP.User.Passcode != s.TOTPCode {
				writeError(w, 401, "The request you have made requires authentication.")
				return
			}
		case m == "application_credential" && id.AppCred != nil:
			if id.AppCred.Secret != s.Password {
				writeError(w, 401, "The request you have made requires authentication.")
				return
			}
		default:
			writeError(w, 400, "Expecting to find "+m+" in identity.")
			return
		}
		done[m] = true
	}
	if mfa && !(done["password"] && done["totp"]) {
		rc := "rcpt-" + newID()
		s.mu.Lock()
		s.receipts[rc] = true
		s.mu.Unlock()
		w.Header().Set("Openstack-Auth-Receipt", rc)
		writeJSON(w, 401, map[string]any{
			"receipt": map[string]any{"methods": keys(done), "user": map[string]any{"id": s.UserID, "name": s.UserName,
				"domain": map[string]any{"id": "default", "name": "Default"}},
				"expires_at": s.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z"),
				"issued_at":  s.Now().UTC().Format("2006-01-02T15:04:05.000000Z")},
			"required_auth_methods": []any{[]any{"password", "totp"}},
		})
		return
	}
	tok := "tok-" + newID()
	exp := s.Now().Add(ttl)
	s.mu.Lock()
	s.tokens[tok] = exp
	s.mu.Unlock()
	scoped := len(req.Auth.Scope) > 0 && string(req.Auth.Scope) != `"unscoped"`
	w.Header().Set("X-Subject-Token", tok)
	writeJSON(w, 201, s.tokenBody(map[string]any{"methods": id.Methods}, scoped, exp))
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (s *Server) tokenBody(base map[string]any, scoped bool, exp time.Time) map[string]any {
	t := base
	t["user"] = map[string]any{"id": s.UserID, "name": s.UserName, "domain": map[string]any{"id": "default", "name": "Default"}, "password_expires_at": nil}
	t["audit_ids"] = []any{newID()[:22]}
	t["expires_at"] = exp.UTC().Format("2006-01-02T15:04:05.000000Z")
	t["issued_at"] = s.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	if scoped {
		t["project"] = map[string]any{"id": "p-1", "name": "demo", "domain": map[string]any{"id": "default", "name": "Default"}}
		t["is_domain"] = false
		t["roles"] = []any{map[string]any{"id": "r-1", "name": "member"}}
		t["catalog"] = s.catalog()
	}
	return map[string]any{"token": t}
}

// Fail500Then returns a Fault that answers the first n requests matching
// path with status (and a Retry-After of retryAfter seconds if > 0).
func Fail500Then(path string, n int, status int, retryAfter int) func(http.ResponseWriter, *http.Request) bool {
	var count atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != path || count.Add(1) > int64(n) {
			return false
		}
		if retryAfter > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(retryAfter))
		}
		writeError(w, status, "try again")
		return true
	}
}
