package oidcprovider

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// sharedKey saves generating an RSA key per test.
func sharedKey(t *testing.T) *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

type lab struct {
	t   *testing.T
	p   *Provider
	srv *httptest.Server
	hc  *http.Client
	now time.Time
	mu  sync.Mutex
}

const (
	secret   = "s3cret/with+chars"
	alicePwd = "alice-pw"
	cbURI    = "http://127.0.0.1:35402/callback"
)

func newLab(t *testing.T) *lab {
	t.Helper()
	l := &lab{t: t, now: time.Unix(1_800_000_000, 0)}
	var p *Provider
	l.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r) }))
	t.Cleanup(l.srv.Close)
	cfg := Config{
		Issuer: l.srv.URL + "/",
		Clients: []Client{
			{ID: "conf", Secret: secret, RedirectURIs: []string{cbURI}},
			{ID: "pub", RedirectURIs: []string{cbURI}},
		},
		Users: []User{
			{Name: "alice", Password: alicePwd, Email: "alice@example.org", Groups: []string{"g1", "g2"}},
			{Name: "bob", Password: "bob-pw", Subject: "bob-sub"},
		},
		DeviceInterval: Duration(2 * time.Second),
	}
	var err error
	p, err = New(cfg, sharedKey(t))
	if err != nil {
		t.Fatal(err)
	}
	p.now = func() time.Time { l.mu.Lock(); defer l.mu.Unlock(); return l.now }
	l.p = p
	l.hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(l.hc.CloseIdleConnections)
	return l
}

func (l *lab) advance(d time.Duration) { l.mu.Lock(); l.now = l.now.Add(d); l.mu.Unlock() }

// post sends a form, with Basic credentials when user is not empty.
func (l *lab) post(path string, form url.Values, user, pass string) (*http.Response, map[string]any) {
	l.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, l.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	return l.do(req)
}

func (l *lab) do(req *http.Request) (*http.Response, map[string]any) {
	l.t.Helper()
	resp, err := l.hc.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			l.t.Fatal(err)
		}
	}
	return resp, m
}

// claims verifies a JWT against the JWKS the provider serves.
func (l *lab) claims(tok string) (map[string]any, jose.Header) {
	l.t.Helper()
	resp, err := l.hc.Get(l.srv.URL + PathJWKS)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		l.t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		l.t.Fatal(err)
	}
	h := parsed.Headers[0]
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		l.t.Fatalf("kid %q: %d keys in the JWKS", h.KeyID, len(keys))
	}
	m := map[string]any{}
	if err := parsed.Claims(keys[0].Key, &m); err != nil {
		l.t.Fatal(err)
	}
	return m, h
}

func wantError(t *testing.T, resp *http.Response, body map[string]any, status int, code string) {
	t.Helper()
	if resp.StatusCode != status || body["error"] != code {
		t.Fatalf("got %d %v, want %d %s", resp.StatusCode, body, status, code)
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	l := newLab(t)
	resp, m := l.do(mustReq(http.MethodGet, l.srv.URL+PathDiscovery))
	if resp.StatusCode != 200 || m["issuer"] != l.srv.URL {
		t.Fatalf("discovery: %d %v", resp.StatusCode, m)
	}
	for k, path := range map[string]string{"token_endpoint": PathToken, "jwks_uri": PathJWKS,
		"authorization_endpoint": PathAuthorize, "device_authorization_endpoint": PathDeviceAuth, "userinfo_endpoint": PathUserinfo} {
		if m[k] != l.srv.URL+path {
			t.Errorf("%s = %v", k, m[k])
		}
	}
	grants, _ := m["grant_types_supported"].([]any)
	if len(grants) != 5 {
		t.Errorf("grant_types_supported = %v", grants)
	}
}

func mustReq(method, u string) *http.Request {
	r, err := http.NewRequest(method, u, nil)
	if err != nil {
		panic(err)
	}
	return r
}

func TestPasswordGrant(t *testing.T) {
	l := newLab(t)
	resp, m := l.post(PathToken, url.Values{"grant_type": {GrantPassword}, "username": {"alice"}, "password": {alicePwd}}, "conf", secret)
	if resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, m)
	}
	if m["token_type"] != "Bearer" || m["expires_in"] != float64(3600) || m["refresh_token"] == nil {
		t.Errorf("response %v", m)
	}
	at, h := l.claims(m["access_token"].(string))
	if h.ExtraHeaders["typ"] != "at+jwt" || h.Algorithm != "RS256" {
		t.Errorf("header %+v", h)
	}
	alice := User{Name: "alice"}
	want := map[string]any{"iss": l.srv.URL, "sub": alice.Sub(), "aud": "conf", "client_id": "conf",
		"preferred_username": "alice", "email": "alice@example.org", "iat": float64(l.now.Unix()), "exp": float64(l.now.Add(time.Hour).Unix())}
	for k, v := range want {
		if at[k] != v {
			t.Errorf("access token %s = %v, want %v", k, at[k], v)
		}
	}
	if g, _ := at["groups"].([]any); len(g) != 2 || g[0] != "g1" {
		t.Errorf("groups = %v", at["groups"])
	}
	id, _ := l.claims(m["id_token"].(string))
	sum := sha256.Sum256([]byte(m["access_token"].(string)))
	if id["aud"] != "conf" || id["sub"] != alice.Sub() || id["at_hash"] != base64.RawURLEncoding.EncodeToString(sum[:16]) {
		t.Errorf("id token %v", id)
	}

	// client_secret_post works too; no openid scope, no ID token.
	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantPassword}, "username": {"bob"}, "password": {"bob-pw"},
		"client_id": {"conf"}, "client_secret": {secret}, "scope": {"profile"}}, "", "")
	if resp.StatusCode != 200 || m["id_token"] != nil {
		t.Fatalf("%d %v", resp.StatusCode, m)
	}
	if at, _ := l.claims(m["access_token"].(string)); at["sub"] != "bob-sub" || at["scope"] != "profile" {
		t.Errorf("bob: %v", at)
	}

	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantPassword}, "username": {"alice"}, "password": {"nope"}}, "conf", secret)
	wantError(t, resp, m, 400, "invalid_grant")
	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantPassword}, "username": {"alice"}, "password": {alicePwd}}, "conf", "wrong")
	wantError(t, resp, m, 401, "invalid_client")
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("no WWW-Authenticate with Basic")
	}
	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantPassword}, "username": {"alice"}, "password": {alicePwd}, "client_id": {"pub"}}, "", "")
	wantError(t, resp, m, 400, "unauthorized_client")
	resp, m = l.post(PathToken, url.Values{"grant_type": {"implicit"}}, "conf", secret)
	wantError(t, resp, m, 400, "unsupported_grant_type")
}

func TestClientCredentials(t *testing.T) {
	l := newLab(t)
	resp, m := l.post(PathToken, url.Values{"grant_type": {GrantClientCredentials}}, "conf", secret)
	if resp.StatusCode != 200 || m["id_token"] != nil || m["refresh_token"] != nil {
		t.Fatalf("%d %v", resp.StatusCode, m)
	}
	at, _ := l.claims(m["access_token"].(string))
	if at["sub"] != "conf" || at["iss"] != l.srv.URL || at["preferred_username"] != nil {
		t.Errorf("claims %v", at)
	}
	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantClientCredentials}, "client_id": {"pub"}}, "", "")
	wantError(t, resp, m, 400, "unauthorized_client")
}

func TestRefreshToken(t *testing.T) {
	l := newLab(t)
	_, m := l.post(PathToken, url.Values{"grant_type": {GrantPassword}, "username": {"alice"}, "password": {alicePwd}}, "conf", secret)
	rt := m["refresh_token"].(string)
	resp, m2 := l.post(PathToken, url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {rt}}, "conf", secret)
	if resp.StatusCode != 200 || m2["refresh_token"] == rt {
		t.Fatalf("%d %v", resp.StatusCode, m2)
	}
	resp, m2 = l.post(PathToken, url.Values{"grant_type": {GrantRefreshToken}, "refresh_token": {rt}}, "conf", secret)
	wantError(t, resp, m2, 400, "invalid_grant") // rotated
}

func pkce(verifier string) string {
	s := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(s[:])
}

func TestAuthorizationCode(t *testing.T) {
	l := newLab(t)
	verifier := "a-verifier-of-sufficient-length-0123456789"
	// A loopback redirect URI on another port is accepted (RFC 8252).
	redirect := "http://127.0.0.1:45678/callback"
	q := url.Values{"response_type": {"code"}, "client_id": {"pub"}, "redirect_uri": {redirect}, "state": {"st"},
		"nonce": {"n0"}, "scope": {"openid email"}, "code_challenge": {pkce(verifier)}, "code_challenge_method": {"S256"}}
	resp, _ := l.do(mustReq(http.MethodGet, l.srv.URL+PathAuthorize+"?"+q.Encode()))
	if resp.StatusCode != 200 {
		t.Fatalf("login form: %d", resp.StatusCode)
	}
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("username", "alice")
	form.Set("password", "bad")
	if resp, _ = l.post(PathAuthorize, form, "", ""); resp.StatusCode != 401 {
		t.Fatalf("bad password: %d", resp.StatusCode)
	}
	form.Set("password", alicePwd)
	resp, _ = l.post(PathAuthorize, form, "", "")
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || err != nil || loc.Query().Get("state") != "st" || loc.Query().Get("iss") != l.srv.URL {
		t.Fatalf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	code := loc.Query().Get("code")
	tokenForm := url.Values{"grant_type": {GrantAuthorizationCode}, "code": {code}, "redirect_uri": {redirect}, "client_id": {"pub"}, "code_verifier": {verifier}}
	bad := url.Values{}
	for k, v := range tokenForm {
		bad[k] = v
	}
	bad.Set("code_verifier", "wrong")
	resp, m := l.post(PathToken, bad, "", "")
	wantError(t, resp, m, 400, "invalid_grant")
	// The failed attempt used the code up.
	resp, m = l.post(PathToken, tokenForm, "", "")
	wantError(t, resp, m, 400, "invalid_grant")

	// Again, properly.
	form.Set("state", "st2")
	resp, _ = l.post(PathAuthorize, form, "", "")
	loc, _ = url.Parse(resp.Header.Get("Location"))
	tokenForm.Set("code", loc.Query().Get("code"))
	resp, m = l.post(PathToken, tokenForm, "", "")
	if resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, m)
	}
	id, _ := l.claims(m["id_token"].(string))
	if id["nonce"] != "n0" || id["aud"] != "pub" || id["preferred_username"] != "alice" {
		t.Errorf("id token %v", id)
	}
	resp, m = l.post(PathToken, tokenForm, "", "")
	wantError(t, resp, m, 400, "invalid_grant") // single use

	// An unregistered redirect URI is refused without a redirect; a public client needs PKCE.
	q.Set("redirect_uri", "http://evil.example/callback")
	if resp, _ = l.do(mustReq(http.MethodGet, l.srv.URL+PathAuthorize+"?"+q.Encode())); resp.StatusCode != 400 {
		t.Errorf("unregistered redirect: %d", resp.StatusCode)
	}
	q.Set("redirect_uri", cbURI)
	q.Del("code_challenge")
	resp, _ = l.do(mustReq(http.MethodGet, l.srv.URL+PathAuthorize+"?"+q.Encode()))
	if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != 302 || loc.Query().Get("error") != "invalid_request" {
		t.Errorf("no PKCE: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A confidential client without PKCE; the code expires.
	cform := url.Values{"response_type": {"code"}, "client_id": {"conf"}, "redirect_uri": {cbURI}, "username": {"bob"}, "password": {"bob-pw"}}
	resp, _ = l.post(PathAuthorize, cform, "", "")
	loc, _ = url.Parse(resp.Header.Get("Location"))
	l.advance(2 * time.Minute)
	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantAuthorizationCode}, "code": {loc.Query().Get("code")}, "redirect_uri": {cbURI}}, "conf", secret)
	wantError(t, resp, m, 400, "invalid_grant")
}

func TestDeviceFlow(t *testing.T) {
	l := newLab(t)
	resp, d := l.post(PathDeviceAuth, url.Values{"client_id": {"pub"}, "scope": {"openid"}}, "", "")
	if resp.StatusCode != 200 || d["interval"] != float64(2) || d["expires_in"] != float64(600) ||
		d["verification_uri"] != l.srv.URL+PathDeviceVerify || d["device_code"] == nil || d["user_code"] == nil {
		t.Fatalf("%d %v", resp.StatusCode, d)
	}
	poll := url.Values{"grant_type": {GrantDeviceCode}, "device_code": {d["device_code"].(string)}, "client_id": {"pub"}}
	resp, m := l.post(PathToken, poll, "", "")
	wantError(t, resp, m, 400, "authorization_pending")
	resp, m = l.post(PathToken, poll, "", "")
	wantError(t, resp, m, 400, "slow_down")
	l.advance(2 * time.Second)
	resp, m = l.post(PathToken, poll, "", "")
	wantError(t, resp, m, 400, "authorization_pending")

	// The verification page takes the code in any case and with or without its dash.
	uc := strings.ToLower(strings.ReplaceAll(d["user_code"].(string), "-", ""))
	if resp, _ = l.post(PathDeviceVerify, url.Values{"user_code": {uc}, "username": {"alice"}, "password": {"bad"}}, "", ""); resp.StatusCode != 401 {
		t.Fatalf("bad password: %d", resp.StatusCode)
	}
	if resp, _ = l.post(PathDeviceVerify, url.Values{"user_code": {"ZZZZ-ZZZZ"}, "username": {"alice"}, "password": {alicePwd}}, "", ""); resp.StatusCode != 400 {
		t.Fatalf("unknown code: %d", resp.StatusCode)
	}
	if resp, _ = l.post(PathDeviceVerify, url.Values{"user_code": {uc}, "username": {"alice"}, "password": {alicePwd}}, "", ""); resp.StatusCode != 200 {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	l.advance(2 * time.Second)
	resp, m = l.post(PathToken, poll, "", "")
	if resp.StatusCode != 200 || m["id_token"] == nil {
		t.Fatalf("%d %v", resp.StatusCode, m)
	}
	if at, _ := l.claims(m["access_token"].(string)); at["preferred_username"] != "alice" || at["aud"] != "pub" {
		t.Errorf("claims %v", at)
	}
	resp, m = l.post(PathToken, poll, "", "")
	wantError(t, resp, m, 400, "invalid_grant") // used

	// Denied, and expired.
	_, d = l.post(PathDeviceAuth, url.Values{"client_id": {"conf"}, "client_secret": {secret}}, "", "")
	l.post(PathDeviceVerify, url.Values{"user_code": {d["user_code"].(string)}, "action": {"deny"}}, "", "")
	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantDeviceCode}, "device_code": {d["device_code"].(string)}}, "conf", secret)
	wantError(t, resp, m, 400, "access_denied")
	_, d = l.post(PathDeviceAuth, url.Values{"client_id": {"pub"}}, "", "")
	l.advance(11 * time.Minute)
	resp, m = l.post(PathToken, url.Values{"grant_type": {GrantDeviceCode}, "device_code": {d["device_code"].(string)}, "client_id": {"pub"}}, "", "")
	wantError(t, resp, m, 400, "expired_token")
}

func TestUserinfo(t *testing.T) {
	l := newLab(t)
	_, m := l.post(PathToken, url.Values{"grant_type": {GrantPassword}, "username": {"alice"}, "password": {alicePwd}}, "conf", secret)
	req := mustReq(http.MethodGet, l.srv.URL+PathUserinfo)
	req.Header.Set("Authorization", "Bearer "+m["access_token"].(string))
	resp, ui := l.do(req)
	if resp.StatusCode != 200 || ui["preferred_username"] != "alice" || ui["email"] != "alice@example.org" {
		t.Fatalf("%d %v", resp.StatusCode, ui)
	}
	l.advance(2 * time.Hour)
	req = mustReq(http.MethodGet, l.srv.URL+PathUserinfo)
	req.Header.Set("Authorization", "Bearer "+m["access_token"].(string))
	if resp, _ = l.do(req); resp.StatusCode != 401 {
		t.Errorf("expired token: %d", resp.StatusCode)
	}
}

func TestConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(path, []byte(`{"issuer":"https://x/","token_ttl":"90s","device_interval":3,
		"clients":[{"id":"c","secret":"s"}],"users":[{"name":"u","password":"p"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Issuer != "https://x" || time.Duration(c.TokenTTL) != 90*time.Second || time.Duration(c.DeviceInterval) != 3*time.Second {
		t.Errorf("%+v", c)
	}
	for _, bad := range []Config{{}, {Issuer: "i", Clients: []Client{{ID: "a"}, {ID: "a"}}}, {Issuer: "i", Users: []User{{Name: "u"}}}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	if (User{Name: "x"}).Sub() == (User{Name: "y"}).Sub() || len((User{Name: "x"}).Sub()) != 36 {
		t.Error("derived subjects")
	}
}

func TestTLSAndKeyFiles(t *testing.T) {
	dir := t.TempDir()
	cert, err := LoadOrCreateTLS(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadOrCreateTLS(dir)
	if err != nil || string(again.Certificate[0]) != string(cert.Certificate[0]) {
		t.Fatal("the certificate was not reused", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	defer srv.Close()
	pem, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st, err := os.Stat(filepath.Join(dir, CAFile)); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("ca.pem mode: %v %v", st.Mode(), err)
	}

	kp := filepath.Join(dir, "key.pem")
	k1, err := LoadOrCreateKey(kp)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateKey(kp)
	if err != nil || !k1.Equal(k2) {
		t.Fatal("the signing key was not reused", err)
	}
}
