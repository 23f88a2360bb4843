package authtoken_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/authtoken"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func (e *env) noTokenInLogs(tokens ...string) {
	e.t.Helper()
	logs := e.logs.String()
	for _, tok := range tokens {
		if tok != "" && strings.Contains(logs, tok) {
			e.t.Errorf("a token appears in the logs:\n%s", logs)
		}
	}
}

func TestValidToken(t *testing.T) {
	e := newEnv(t)
	aliceID, tok := e.user("alice", "member")
	rec := &recorder{}
	h := e.mw(authtoken.Options{}).Handler(rec)

	w := do(h, "X-Auth-Token", tok)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", w.Code, w.Body)
	}
	s := rec.seen()
	want := map[string]string{
		"X-Identity-Status":     "Confirmed",
		"X-User-Id":             aliceID,
		"X-User-Name":           "alice",
		"X-User-Domain-Id":      e.ks.DomainID,
		"X-User-Domain-Name":    "Default",
		"X-Project-Id":          e.ks.AdminProjectID,
		"X-Project-Name":        e.ks.AdminProject,
		"X-Project-Domain-Id":   e.ks.DomainID,
		"X-Project-Domain-Name": "Default",
		"X-Tenant-Id":           e.ks.AdminProjectID,
		"X-User":                "alice",
		"X-Is-Admin-Project":    "True",
	}
	for k, v := range want {
		if got := s.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	roles := strings.Split(s.header.Get("X-Roles"), ",")
	slices.Sort(roles)
	if !slices.Contains(roles, "member") || !slices.Contains(roles, "reader") {
		t.Errorf("X-Roles = %q, want member and reader", s.header.Get("X-Roles"))
	}
	if s.header.Get("X-Domain-Id") != "" || s.header.Get("Openstack-System-Scope") != "" || s.header.Get("X-Service-Identity-Status") != "" {
		t.Errorf("unexpected headers: %v", s.header)
	}
	var catalog []struct {
		Type      string              `json:"type"`
		Endpoints []map[string]string `json:"endpoints"`
	}
	if err := json.Unmarshal([]byte(s.header.Get("X-Service-Catalog")), &catalog); err != nil {
		t.Fatalf("X-Service-Catalog: %v", err)
	}
	found := false
	for _, svc := range catalog {
		if svc.Type == "identity" && len(svc.Endpoints) == 1 && svc.Endpoints[0]["publicURL"] == e.ks.URL+"/v3/" &&
			svc.Endpoints[0]["region"] == e.ks.Region && svc.Endpoints[0]["internalURL"] != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("X-Service-Catalog has no v2.0 identity service: %s", s.header.Get("X-Service-Catalog"))
	}
	if s.user == nil || s.user.User.ID != aliceID || s.user.Token() != tok {
		t.Errorf("FromContext = %v, want alice's token", s.user)
	}
	if s.service != nil {
		t.Errorf("ServiceFromContext = %v, want nil", s.service)
	}
	if s.header.Get("X-Auth-Token") != tok {
		t.Error("the token header is not passed on")
	}
	e.noTokenInLogs(tok)
}

func TestStorageToken(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("swift", "member")
	rec := &recorder{}
	h := e.mw(authtoken.Options{}).Handler(rec)
	if w := do(h, "X-Storage-Token", tok); w.Code != 200 {
		t.Fatalf("X-Storage-Token: status %d", w.Code)
	}
	if s := rec.seen(); s.header.Get("X-User-Name") != "swift" {
		t.Errorf("X-User-Name = %q", s.header.Get("X-User-Name"))
	}
}

func TestOmitDeprecatedHeaders(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("olga", "member")
	rec := &recorder{}
	h := e.mw(authtoken.Options{OmitDeprecatedHeaders: true}).Handler(rec)
	if w := do(h, "X-Auth-Token", tok, "X-Tenant-Id", "spoofed"); w.Code != 200 {
		t.Fatal(w.Code)
	}
	s := rec.seen()
	for _, k := range []string{"X-User", "X-Tenant-Id", "X-Tenant-Name", "X-Tenant", "X-Role"} {
		if v := s.header.Values(k); len(v) != 0 {
			t.Errorf("%s = %q", k, v)
		}
	}
	if s.header.Get("X-Project-Id") != e.ks.AdminProjectID {
		t.Error("X-Project-Id missing")
	}
}

func TestSystemScope(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	h := e.mw(authtoken.Options{}).Handler(rec)
	sys := e.session(e.ks.AdminUser, "", e.ks.AdminPassword, authplugin.Scope{System: true})
	tok, err := sys.Auth().Token(t.Context(), sys)
	if err != nil {
		t.Fatal(err)
	}
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	s := rec.seen()
	if s.header.Get("Openstack-System-Scope") != "all" || s.header.Get("X-System-Scope") != "all" || s.header.Get("X-Project-Id") != "" {
		t.Errorf("system scope headers: %v", s.header)
	}
}

func TestMissingAndInvalidToken(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	h := e.mw(authtoken.Options{}).Handler(rec)
	wantAuth := `Keystone uri="` + e.ks.URL + `/v3/"`
	for name, headers := range map[string][]string{
		"missing":   nil,
		"unknown":   {"X-Auth-Token", "gAAAAABnot-a-real-token"},
		"malformed": {"X-Auth-Token", "bad token\x01"},
		"empty":     {"X-Auth-Token", ""},
	} {
		w := do(h, headers...)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, w.Code)
		}
		if got := w.Header().Get("WWW-Authenticate"); got != wantAuth {
			t.Errorf("%s: WWW-Authenticate = %q, want %q", name, got, wantAuth)
		}
		var body struct {
			Error struct{ Code int } `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != 401 {
			t.Errorf("%s: body %s", name, w.Body)
		}
	}
	if rec.n.Load() != 0 {
		t.Error("the handler saw an unauthenticated request")
	}
}

func TestWWWAuthenticateOption(t *testing.T) {
	e := newEnv(t)
	h := e.mw(authtoken.Options{WWWAuthenticateURI: "https://keystone.example.com/v3"}).Handler(&recorder{})
	if got := do(h).Header().Get("WWW-Authenticate"); got != `Keystone uri="https://keystone.example.com/v3"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
}

func TestNegativeCaching(t *testing.T) {
	e := newEnv(t)
	h := e.mw(authtoken.Options{NegativeCacheTTL: time.Minute}).Handler(&recorder{})
	before := e.validations()
	for range 200 {
		if w := do(h, "X-Auth-Token", "gAAAAAB-bad-token-hammering"); w.Code != 401 {
			t.Fatalf("status %d", w.Code)
		}
	}
	if n := e.validations() - before; n != 1 {
		t.Fatalf("%d validations for a bad token hammering within the TTL, want 1", n)
	}
	e.clock.Advance(time.Minute + time.Second)
	for range 50 {
		do(h, "X-Auth-Token", "gAAAAAB-bad-token-hammering")
	}
	if n := e.validations() - before; n != 2 {
		t.Fatalf("%d validations after the negative TTL, want 2", n)
	}
}

func TestConcurrentBadTokenOneValidation(t *testing.T) {
	e := newEnv(t)
	h := e.mw(authtoken.Options{}).Handler(&recorder{})
	before := e.validations()
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 20 {
				do(h, "X-Auth-Token", "gAAAAAB-concurrent-bad")
			}
		})
	}
	wg.Wait()
	if n := e.validations() - before; n != 1 {
		t.Fatalf("%d validations, want 1", n)
	}
}

func Test10kRequests10Tokens(t *testing.T) {
	e := newEnv(t)
	toks := make([]string, 10)
	for i := range toks {
		toks[i] = e.adminToken()
	}
	rec := &recorder{}
	m := e.mw(authtoken.Options{})
	h := m.Handler(rec)
	before := e.validations()
	var (
		wg  sync.WaitGroup
		bad atomic.Int64
		ctr atomic.Int64
	)
	for range 50 {
		wg.Go(func() {
			for {
				i := ctr.Add(1) - 1
				if i >= 10000 {
					return
				}
				if w := do(h, "X-Auth-Token", toks[i%10]); w.Code != 200 {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d requests failed", bad.Load())
	}
	if rec.n.Load() != 10000 {
		t.Errorf("the handler saw %d requests, want 10000", rec.n.Load())
	}
	if n := e.validations() - before; n != 10 {
		t.Errorf("%d validations at Keystone, want 10", n)
	}
	if m.Validations() != 10 {
		t.Errorf("Validations() = %d, want 10", m.Validations())
	}
}

func TestExpiredTokenNeverFromCache(t *testing.T) {
	e := newEnv(t, keystonetest.WithTokenLifetime(2*time.Minute))
	_, tok := e.user("bob", "member")
	h := e.mw(authtoken.Options{CacheTTL: time.Hour}).Handler(&recorder{})
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	before := e.validations()
	e.clock.Advance(90 * time.Second)
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d before expiry", w.Code)
	}
	if n := e.validations() - before; n != 0 {
		t.Fatalf("%d validations before expiry, want 0 (cached)", n)
	}
	e.clock.Advance(31 * time.Second)
	if w := do(h, "X-Auth-Token", tok); w.Code != 401 {
		t.Fatalf("status %d after expiry, want 401", w.Code)
	}
}

func TestRevokedTokenStopsWithinBound(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("carol", "member")
	h := e.mw(authtoken.Options{RevalidateEvery: 10 * time.Second}).Handler(&recorder{})
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if err := e.admin.Tokens.Revoke(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Second)
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d within the revalidation bound (cached), want 200", w.Code)
	}
	e.clock.Advance(6 * time.Second)
	if w := do(h, "X-Auth-Token", tok); w.Code != 401 {
		t.Fatalf("status %d after the revalidation bound, want 401", w.Code)
	}
}

func TestRevokedTokenStopsAfterCacheTTL(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("dave", "member")
	h := e.mw(authtoken.Options{}).Handler(&recorder{})
	do(h, "X-Auth-Token", tok)
	e.ks.RevokeAllTokens()
	e.clock.Advance(authtoken.DefaultCacheTTL - time.Second)
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d within token_cache_time, want 200 (keystonemiddleware's behaviour)", w.Code)
	}
	e.clock.Advance(2 * time.Second)
	if w := do(h, "X-Auth-Token", tok); w.Code != 401 {
		t.Fatalf("status %d after token_cache_time, want 401", w.Code)
	}
}

func TestHeaderSpoofingStripped(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("erin", "member")
	rec := &recorder{}
	h := e.mw(authtoken.Options{}).Handler(rec)
	spoof := []string{
		"X-Auth-Token", tok,
		"X-Roles", "admin", "X-Role", "admin", "X-User-Id", "evil", "X-Project-Id", "other",
		"X-Identity-Status", "Confirmed", "X-Service-Identity-Status", "Confirmed",
		"X-Service-Roles", "service", "X-Service-User-Id", "nova", "X-Is-Admin-Project", "True",
		"Openstack-System-Scope", "all", "X-System-Scope", "all", "X-Domain-Id", "default",
		"X-Service-Catalog", "[]", "X-Tenant-Id", "other",
	}
	if w := do(h, spoof...); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	s := rec.seen()
	if got := s.header.Get("X-Roles"); strings.Contains(got, "admin") {
		t.Errorf("X-Roles = %q: spoofed", got)
	}
	if len(s.header.Values("X-User-Id")) != 1 || s.header.Get("X-User-Id") == "evil" {
		t.Errorf("X-User-Id = %q: spoofed", s.header.Values("X-User-Id"))
	}
	for _, k := range []string{"X-Service-Identity-Status", "X-Service-Roles", "X-Service-User-Id", "Openstack-System-Scope",
		"X-System-Scope", "X-Domain-Id", "X-Role"} {
		if k == "X-Role" {
			if strings.Contains(s.header.Get(k), "admin") {
				t.Errorf("%s spoofed", k)
			}
			continue
		}
		if v := s.header.Values(k); len(v) != 0 {
			t.Errorf("%s = %q: spoofed header not removed", k, v)
		}
	}
	if s.header.Get("X-Project-Id") != e.ks.AdminProjectID || s.header.Get("X-Tenant-Id") != e.ks.AdminProjectID {
		t.Errorf("X-Project-Id = %q", s.header.Get("X-Project-Id"))
	}

	// With delay_auth_decision and no token, nothing spoofed survives, even
	// under a non-canonical key.
	rec2 := &recorder{}
	h2 := e.mw(authtoken.Options{DelayAuthDecision: true}).Handler(rec2)
	r := do(h2, "X-Identity-Status", "Confirmed", "X-User-Id", "evil", "X-Roles", "admin")
	if r.Code != 200 {
		t.Fatalf("status %d", r.Code)
	}
	s = rec2.seen()
	if s.header.Get("X-Identity-Status") != "Invalid" || s.header.Get("X-User-Id") != "" || s.header.Get("X-Roles") != "" {
		t.Errorf("spoofed headers passed: %v", s.header)
	}
}

func TestStripNonCanonicalKeys(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	h := e.mw(authtoken.Options{DelayAuthDecision: true}).Handler(rec)
	r := newRequest()
	r.Header["x-roles"] = []string{"admin"}
	r.Header["X-USER-ID"] = []string{"evil"}
	h.ServeHTTP(discard{}, r)
	s := rec.seen()
	for k := range s.header {
		if strings.EqualFold(k, "X-Roles") || strings.EqualFold(k, "X-User-Id") {
			t.Errorf("%s not removed", k)
		}
	}
}

func TestDelayAuthDecision(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("frank", "member")
	rec := &recorder{}
	h := e.mw(authtoken.Options{DelayAuthDecision: true}).Handler(rec)
	for name, headers := range map[string][]string{
		"missing": nil,
		"invalid": {"X-Auth-Token", "gAAAAAB-invalid"},
	} {
		w := do(h, headers...)
		if w.Code != 200 {
			t.Errorf("%s: status %d, want the handler's 200", name, w.Code)
		}
		s := rec.seen()
		if !s.called || s.header.Get("X-Identity-Status") != "Invalid" || s.user != nil || s.header.Get("X-User-Id") != "" {
			t.Errorf("%s: handler saw %+v", name, s)
		}
	}
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if s := rec.seen(); s.header.Get("X-Identity-Status") != "Confirmed" || s.user == nil || s.user.User.Name != "frank" {
		t.Errorf("valid token with delay_auth_decision: %+v", s)
	}
}

// serviceEnv has a user token, a service user with the service role and
// one without it.
type serviceEnv struct {
	*env
	userTok, svcTok, plainSvcTok string
	userID, svcID                string
}

func newServiceEnv(t *testing.T, opts ...keystonetest.Option) *serviceEnv {
	e := newEnv(t, opts...)
	s := &serviceEnv{env: e}
	s.userID, s.userTok = e.user("gina", "member")
	s.svcID, s.svcTok = e.user("nova", "service")
	_, s.plainSvcTok = e.user("glance", "member")
	return s
}

func TestServiceToken(t *testing.T) {
	e := newServiceEnv(t)
	rec := &recorder{}
	h := e.mw(authtoken.Options{}).Handler(rec)

	if w := do(h, "X-Auth-Token", e.userTok, "X-Service-Token", e.svcTok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	s := rec.seen()
	if s.header.Get("X-Identity-Status") != "Confirmed" || s.header.Get("X-Service-Identity-Status") != "Confirmed" ||
		s.header.Get("X-User-Id") != e.userID || s.header.Get("X-Service-User-Id") != e.svcID ||
		s.header.Get("X-Service-User-Name") != "nova" || s.header.Get("X-Service-Project-Id") != e.ks.AdminProjectID ||
		!strings.Contains(s.header.Get("X-Service-Roles"), "service") {
		t.Errorf("headers: %v", s.header)
	}
	if s.user == nil || s.user.User.ID != e.userID || s.service == nil || s.service.User.ID != e.svcID {
		t.Errorf("context: user %v service %v", s.user, s.service)
	}

	// An invalid service token: 401 even with a valid user token.
	if w := do(h, "X-Auth-Token", e.userTok, "X-Service-Token", "gAAAAAB-bad-service"); w.Code != 401 {
		t.Errorf("invalid service token: status %d, want 401", w.Code)
	}
	// A valid service token without a user token: 401.
	if w := do(h, "X-Service-Token", e.svcTok); w.Code != 401 {
		t.Errorf("service token alone: status %d, want 401", w.Code)
	}
	// Without the service role, the service token is still valid unless
	// the roles are required.
	if w := do(h, "X-Auth-Token", e.userTok, "X-Service-Token", e.plainSvcTok); w.Code != 200 {
		t.Errorf("service token without the role, roles not required: status %d, want 200", w.Code)
	}
	strict := e.mw(authtoken.Options{ServiceTokenRolesRequired: true}).Handler(rec)
	if w := do(strict, "X-Auth-Token", e.userTok, "X-Service-Token", e.plainSvcTok); w.Code != 401 {
		t.Errorf("service token without the role, roles required: status %d, want 401", w.Code)
	}
	if w := do(strict, "X-Auth-Token", e.userTok, "X-Service-Token", e.svcTok); w.Code != 200 {
		t.Errorf("service token with the role, roles required: status %d, want 200", w.Code)
	}
	custom := e.mw(authtoken.Options{ServiceTokenRoles: []string{"member"}, ServiceTokenRolesRequired: true}).Handler(rec)
	if w := do(custom, "X-Auth-Token", e.userTok, "X-Service-Token", e.plainSvcTok); w.Code != 200 {
		t.Errorf("ServiceTokenRoles member: status %d, want 200", w.Code)
	}

	// delay_auth_decision: an invalid service token is reported, not refused.
	delayed := e.mw(authtoken.Options{DelayAuthDecision: true, ServiceTokenRolesRequired: true}).Handler(rec)
	if w := do(delayed, "X-Auth-Token", e.userTok, "X-Service-Token", e.plainSvcTok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	s = rec.seen()
	if s.header.Get("X-Identity-Status") != "Confirmed" || s.header.Get("X-Service-Identity-Status") != "Invalid" ||
		s.header.Get("X-Service-User-Id") != "" || s.service != nil {
		t.Errorf("delayed, invalid service token: %v", s.header)
	}
}

// TestExpiredUserTokenWithServiceToken checks keystonemiddleware's
// allow_expired: an expired user token passes with a valid service token
// that has the service role. The fake Keystone does not serve
// allow_expired, so an interceptor answers those validations as Keystone
// does, with the body the token had while valid.
func TestExpiredUserTokenWithServiceToken(t *testing.T) {
	e := newServiceEnv(t, keystonetest.WithTokenLifetime(10*time.Minute))
	ai, err := e.admin.Tokens.Validate(t.Context(), e.userTok, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := ai.Body()
	var allowExpired atomic.Int64
	e.ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || r.URL.Path != "/v3/auth/tokens" || !r.URL.Query().Has("allow_expired") {
			return false
		}
		allowExpired.Add(1)
		if r.Header.Get("X-Subject-Token") != e.userTok {
			return false
		}
		w.Header().Set("X-Subject-Token", e.userTok)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
		return true
	})
	e.clock.Advance(11 * time.Minute)
	// Fresh service tokens: the first ones have expired too.
	svc := e.session("nova", "", "pw-nova-secret", authplugin.Scope{ProjectID: e.ks.AdminProjectID})
	svcTok, err := svc.Auth().Token(t.Context(), svc)
	if err != nil {
		t.Fatal(err)
	}
	plain := e.session("glance", "", "pw-glance-secret", authplugin.Scope{ProjectID: e.ks.AdminProjectID})
	plainTok, err := plain.Auth().Token(t.Context(), plain)
	if err != nil {
		t.Fatal(err)
	}

	rec := &recorder{}
	h := e.mw(authtoken.Options{}).Handler(rec)
	if w := do(h, "X-Auth-Token", e.userTok); w.Code != 401 {
		t.Fatalf("expired user token alone: status %d, want 401", w.Code)
	}
	if w := do(h, "X-Auth-Token", e.userTok, "X-Service-Token", plainTok); w.Code != 401 {
		t.Fatalf("expired user token, service token without the role: status %d, want 401", w.Code)
	}
	if n := allowExpired.Load(); n != 0 {
		t.Fatalf("%d allow_expired validations without a service token that has the role", n)
	}
	if w := do(h, "X-Auth-Token", e.userTok, "X-Service-Token", svcTok); w.Code != 200 {
		t.Fatalf("expired user token with a service token: status %d, want 200", w.Code)
	}
	s := rec.seen()
	if s.header.Get("X-Identity-Status") != "Confirmed" || s.header.Get("X-User-Id") != e.userID ||
		s.header.Get("X-Service-User-Name") != "nova" {
		t.Errorf("headers %v", s.header)
	}
	if n := allowExpired.Load(); n != 1 {
		t.Errorf("%d allow_expired validations, want 1", n)
	}
	// Cached: no new validation; and the expired token alone is still refused.
	do(h, "X-Auth-Token", e.userTok, "X-Service-Token", svcTok)
	if n := allowExpired.Load(); n != 1 {
		t.Errorf("%d allow_expired validations, want 1 (cached)", n)
	}
	if w := do(h, "X-Auth-Token", e.userTok); w.Code != 401 {
		t.Errorf("expired user token alone after the service-token request: status %d, want 401", w.Code)
	}
}

func TestKeystoneDown(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("hank", "member")
	m := e.mw(authtoken.Options{})
	rec := &recorder{}
	h := m.Handler(rec)
	delayed := e.mw(authtoken.Options{DelayAuthDecision: true}).Handler(rec)

	// Keystone answers 500: 503, not 401.
	e.ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/v3/auth/tokens" && r.Method == http.MethodGet {
			http.Error(w, "boom", http.StatusInternalServerError)
			return true
		}
		return false
	})
	w := do(h, "X-Auth-Token", tok)
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("Keystone failing: status %d, want 503", w.Code)
	}
	if rec.n.Load() != 0 {
		t.Fatal("the handler was called")
	}
	e.ks.Intercept(nil)

	// Keystone gone: 503 again; with delay_auth_decision, Invalid.
	e.ks.Close()
	w = do(h, "X-Auth-Token", tok+"x")
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("Keystone unreachable: status %d, want 503", w.Code)
	}
	if w := do(delayed, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("delayed: status %d", w.Code)
	} else if s := rec.seen(); s.header.Get("X-Identity-Status") != "Invalid" || s.user != nil {
		t.Errorf("delayed, Keystone down: %v", s.header)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "cannot validate the user token") {
		t.Errorf("the failure is not logged:\n%s", logs)
	}
	e.noTokenInLogs(tok, tok+"x")
}

func TestUnavailableErrorIsTyped(t *testing.T) {
	if !errors.Is(authtoken.ErrKeystoneUnavailable, keystone.ErrKeystone) || !errors.Is(authtoken.ErrInvalidToken, keystone.ErrKeystone) {
		t.Error("the sentinels do not match keystone.ErrKeystone")
	}
}

func TestStaleIfError(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("ivy", "member")
	h := e.mw(authtoken.Options{RevalidateEvery: 10 * time.Second}).Handler(&recorder{})
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatal(w.Code)
	}
	e.ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "down", http.StatusBadGateway)
		return true
	})
	e.clock.Advance(20 * time.Second)
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("revalidation failed: status %d, want 200 from the cache", w.Code)
	}
	e.clock.Advance(authtoken.DefaultCacheTTL)
	if w := do(h, "X-Auth-Token", tok); w.Code != 503 {
		t.Fatalf("after CacheTTL with Keystone down: status %d, want 503", w.Code)
	}
}

func TestSharedCacheTwoMiddlewares(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("jack", "member")
	store := newMemShared()
	a := e.mw(authtoken.Options{SharedCache: store, SharedCacheKey: sharedKey}).Handler(&recorder{})
	recB := &recorder{}
	b := e.mw(authtoken.Options{SharedCache: store, SharedCacheKey: sharedKey}).Handler(recB)
	before := e.validations()
	if w := do(a, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if w := do(b, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if n := e.validations() - before; n != 1 {
		t.Errorf("%d validations for two middlewares sharing a cache, want 1", n)
	}
	if s := recB.seen(); s.header.Get("X-User-Name") != "jack" || s.user == nil || s.user.Token() != tok {
		t.Errorf("second middleware: %v", s.header)
	}
	// A bad token is shared too.
	do(a, "X-Auth-Token", "gAAAAAB-shared-bad")
	if w := do(b, "X-Auth-Token", "gAAAAAB-shared-bad"); w.Code != 401 {
		t.Errorf("status %d", w.Code)
	}
	if n := e.validations() - before; n != 2 {
		t.Errorf("%d validations, want 2", n)
	}
	if ttl := time.Duration(store.lastTTL.Load()); ttl <= 0 || ttl > authtoken.DefaultNegativeCacheTTL {
		t.Errorf("negative TTL given to the store = %v", ttl)
	}
	// The store sees neither tokens nor identities.
	for k, v := range store.snapshot() {
		for _, secret := range []string{tok, "gAAAAAB-shared-bad", "jack", e.ks.AdminProjectID} {
			if strings.Contains(k, secret) || strings.Contains(string(v), secret) {
				t.Errorf("the shared cache holds %q in clear", secret)
			}
		}
	}
	// Another key cannot read the fleet's values.
	c := e.mw(authtoken.Options{SharedCache: store, SharedCacheKey: []byte("another-key-of-32-bytes-or-more!!")}).Handler(&recorder{})
	do(c, "X-Auth-Token", tok)
	if n := e.validations() - before; n != 3 {
		t.Errorf("%d validations, want 3 (a different key shares nothing)", n)
	}
}

func TestSharedCacheTampered(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("kate", "member")
	store := newMemShared()
	a := e.mw(authtoken.Options{SharedCache: store, SharedCacheKey: sharedKey}).Handler(&recorder{})
	do(a, "X-Auth-Token", tok)
	// Swap the values of a valid and an invalid token: the sealed values
	// are bound to their keys.
	do(a, "X-Auth-Token", "gAAAAAB-tamper-bad")
	snap := store.snapshot()
	if len(snap) != 2 {
		t.Fatalf("%d values in the store, want 2", len(snap))
	}
	var keys []string
	for k := range snap {
		keys = append(keys, k)
	}
	store.mu.Lock()
	store.m[keys[0]], store.m[keys[1]] = snap[keys[1]], snap[keys[0]]
	store.mu.Unlock()
	b := e.mw(authtoken.Options{SharedCache: store, SharedCacheKey: sharedKey}).Handler(&recorder{})
	if w := do(b, "X-Auth-Token", "gAAAAAB-tamper-bad"); w.Code != 401 {
		t.Errorf("a swapped value made a bad token valid: %d", w.Code)
	}
	if w := do(b, "X-Auth-Token", tok); w.Code != 200 {
		t.Errorf("status %d", w.Code)
	}
	if !strings.Contains(e.logs.String(), "ignoring a shared cache value") {
		t.Error("the tampered value is not reported")
	}
}

func TestSharedCacheErrorsDegrade(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("liam", "member")
	store := newMemShared()
	store.fail.Store(true)
	h := e.mw(authtoken.Options{SharedCache: store, SharedCacheKey: sharedKey}).Handler(&recorder{})
	before := e.validations()
	for range 20 {
		if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
			t.Fatalf("status %d with the shared cache down", w.Code)
		}
	}
	if n := e.validations() - before; n != 1 {
		t.Errorf("%d validations, want 1 (the memory cache)", n)
	}
	if store.gets.Load() == 0 || store.sets.Load() == 0 {
		t.Error("the shared cache was not tried")
	}
	if !strings.Contains(e.logs.String(), "shared cache read failed") {
		t.Error("the failure is not logged")
	}
	e.noTokenInLogs(tok)
}

func TestSharedCacheSlowIsBounded(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("mia", "member")
	h := e.mw(authtoken.Options{SharedCache: slowShared{}, SharedCacheKey: sharedKey, SharedCacheTimeout: 50 * time.Millisecond}).Handler(&recorder{})
	start := time.Now()
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("a hanging shared cache held the request %v", d)
	}
}

type slowShared struct{}

func (slowShared) Get(ctx context.Context, key string) ([]byte, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (slowShared) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestNoTokenInLogs(t *testing.T) {
	e := newServiceEnv(t)
	store := newMemShared()
	m := e.mw(authtoken.Options{SharedCache: store, SharedCacheKey: sharedKey, ServiceTokenRolesRequired: true})
	h := m.Handler(&recorder{})
	bad := "gAAAAAB-secret-bad-token-value"
	do(h, "X-Auth-Token", e.userTok, "X-Service-Token", e.svcTok)
	do(h, "X-Auth-Token", e.userTok, "X-Service-Token", e.plainSvcTok)
	do(h, "X-Auth-Token", bad)
	store.fail.Store(true)
	do(h, "X-Auth-Token", bad+"2")
	e.ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return true
	})
	do(h, "X-Auth-Token", bad+"3")
	do(h, "X-Auth-Token", e.userTok, "X-Service-Token", bad+"4")
	if e.logs.String() == "" {
		t.Fatal("nothing logged: the test would prove nothing")
	}
	e.noTokenInLogs(e.userTok, e.svcTok, e.plainSvcTok, bad, bad+"2", bad+"3", bad+"4")
}

func TestCacheBounded(t *testing.T) {
	e := newEnv(t)
	m := e.mw(authtoken.Options{MaxCacheEntries: 64})
	h := m.Handler(&recorder{})
	for i := range 300 {
		do(h, "X-Auth-Token", "gAAAAAB-many-"+string(rune('a'+i%26))+strings.Repeat("x", i))
	}
	if n := authtoken.CacheLen(m); n > 64+32 {
		t.Errorf("%d entries in a cache bounded to 64", n)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := authtoken.New(nil, authtoken.Options{}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("nil session: %v", err)
	}
	s, err := keystone.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := authtoken.New(s, authtoken.Options{}); !errors.Is(err, keystone.ErrMissingAuthPlugin) {
		t.Errorf("no plugin: %v", err)
	}
	e := newEnv(t)
	if _, err := authtoken.New(e.sess, authtoken.Options{SharedCache: newMemShared(), SharedCacheKey: []byte("short")}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("short key: %v", err)
	}
	if _, err := authtoken.New(e.sess, authtoken.Options{RevalidateEvery: -1}); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("negative RevalidateEvery: %v", err)
	}
}

func TestIdentityEndpointOption(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user("noah", "member")
	h := e.mw(authtoken.Options{IdentityEndpoint: e.ks.AuthURL(), OmitServiceCatalog: true}).Handler(&recorder{})
	if w := do(h, "X-Auth-Token", tok); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if r := e.ks.LastRequest("GET /v3/auth/tokens"); r == nil || !r.URL.Query().Has("nocatalog") {
		t.Error("OmitServiceCatalog does not ask for nocatalog")
	}
}

func TestNewContext(t *testing.T) {
	ai := keystone.NewStaticAccess("t")
	ctx := authtoken.NewContext(context.Background(), ai, nil)
	if authtoken.FromContext(ctx) != ai || authtoken.ServiceFromContext(ctx) != nil {
		t.Error("NewContext/FromContext")
	}
	if authtoken.FromContext(context.Background()) != nil {
		t.Error("FromContext of a bare context")
	}
}
