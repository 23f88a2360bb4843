package oidcprovider

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Endpoint paths, under the issuer.
const (
	PathDiscovery     = "/.well-known/openid-configuration"
	PathJWKS          = "/jwks"
	PathAuthorize     = "/authorize"
	PathToken         = "/token"
	PathUserinfo      = "/userinfo"
	PathDeviceAuth    = "/device_authorization"
	PathDeviceVerify  = "/device"
	codeTTL           = time.Minute
	maxFormBytes      = 64 << 10
	userCodeAlphabet  = "BCDFGHJKLMNPQRSTVWXZ"
	defaultScope      = "openid profile email"
	accessTokenHeader = "at+jwt"
)

// Provider is the OpenID Connect provider; it is an http.Handler.
type Provider struct {
	cfg    Config
	key    *rsa.PrivateKey
	kid    string
	signer jose.Signer
	atSign jose.Signer
	mux    *http.ServeMux
	now    func() time.Time

	mu      sync.Mutex
	codes   map[string]*authCode
	devices map[string]*deviceAuth // by device code
	refresh map[string]*grantInfo
}

// grantInfo is who a token is for.
type grantInfo struct {
	client string
	user   *User // nil for client_credentials
	scope  string
	nonce  string
}

type authCode struct {
	grantInfo
	redirectURI   string
	challenge     string
	challengeMeth string
	expires       time.Time
}

type deviceAuth struct {
	grantInfo
	userCode string
	expires  time.Time
	lastPoll time.Time
	state    string // pending, approved, denied, used
}

// New returns a provider signing with key (a new 2048-bit key when nil).
func New(cfg Config, key *rsa.PrivateKey) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if key == nil {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, err
		}
	}
	p := &Provider{cfg: cfg, key: key, now: time.Now,
		codes: map[string]*authCode{}, devices: map[string]*deviceAuth{}, refresh: map[string]*grantInfo{}}
	pub := jose.JSONWebKey{Key: &key.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	p.kid = base64.RawURLEncoding.EncodeToString(tp)
	sk := jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: p.kid}}
	if p.signer, err = jose.NewSigner(sk, (&jose.SignerOptions{}).WithType("JWT")); err != nil {
		return nil, err
	}
	if p.atSign, err = jose.NewSigner(sk, (&jose.SignerOptions{}).WithType(accessTokenHeader)); err != nil {
		return nil, err
	}
	p.mux = http.NewServeMux()
	p.mux.HandleFunc("GET "+PathDiscovery, p.discovery)
	p.mux.HandleFunc("GET "+PathJWKS, p.jwks)
	p.mux.HandleFunc("GET "+PathAuthorize, p.authorizeForm)
	p.mux.HandleFunc("POST "+PathAuthorize, p.authorizeSubmit)
	p.mux.HandleFunc("POST "+PathToken, p.token)
	p.mux.HandleFunc("GET "+PathUserinfo, p.userinfo)
	p.mux.HandleFunc("POST "+PathUserinfo, p.userinfo)
	p.mux.HandleFunc("POST "+PathDeviceAuth, p.deviceAuthorize)
	p.mux.HandleFunc("GET "+PathDeviceVerify, p.deviceForm)
	p.mux.HandleFunc("POST "+PathDeviceVerify, p.deviceSubmit)
	return p, nil
}

// LoadOrCreateKey reads an RSA private key (PKCS#1 or PKCS#8 PEM) from path,
// or makes one and writes it there (mode 0600) when the file does not exist.
// A key that survives restarts keeps the JWKS that relying parties cached valid.
func LoadOrCreateKey(path string) (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, err
		}
		der := x509.MarshalPKCS1PrivateKey(key)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
		return key, nil
	}
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("oidcprovider: %s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("oidcprovider: %s: %w", path, err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("oidcprovider: %s: not an RSA key", path)
	}
	return rk, nil
}

// Issuer returns the issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// PublicKey returns the key tokens are signed with.
func (p *Provider) PublicKey() *rsa.PublicKey { return &p.key.PublicKey }

// KeyID returns the kid of the signing key.
func (p *Provider) KeyID() string { return p.kid }

// ServeHTTP serves the provider's endpoints.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	p.mux.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// oauthError writes an RFC 6749 section 5.2 error.
func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	iss := p.cfg.Issuer
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + PathAuthorize,
		"token_endpoint":                        iss + PathToken,
		"userinfo_endpoint":                     iss + PathUserinfo,
		"jwks_uri":                              iss + PathJWKS,
		"device_authorization_endpoint":         iss + PathDeviceAuth,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{GrantAuthorizationCode, GrantPassword, GrantClientCredentials, GrantRefreshToken, GrantDeviceCode},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256", "plain"},
		"scopes_supported":                      []string{"openid", "profile", "email", "groups", "offline_access"},
		"claims_supported":                      []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "preferred_username", "email", "groups", "client_id", "scope"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &p.key.PublicKey, KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig"}}})
}

func (p *Provider) client(id string) (Client, bool) {
	for _, c := range p.cfg.Clients {
		if c.ID == id {
			return c, true
		}
	}
	return Client{}, false
}

// checkUser returns the user with this name and password.
func (p *Provider) checkUser(name, password string) (*User, bool) {
	for i := range p.cfg.Users {
		u := &p.cfg.Users[i]
		if u.Name == name && subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1 {
			return u, true
		}
	}
	return nil, false
}

// authenticateClient authenticates the client of a token or device request
// (client_secret_basic, client_secret_post, or none for a public client).
// It writes the error itself and returns false on failure.
func (p *Provider) authenticateClient(w http.ResponseWriter, r *http.Request) (Client, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 2.3.1: the credentials are form-encoded before Basic.
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
		if fid := r.PostForm.Get("client_id"); fid != "" && fid != id {
			oauthError(w, http.StatusBadRequest, "invalid_request", "client_id differs from the Basic credentials")
			return Client{}, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	fail := func() (Client, bool) {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="oidcprovider"`)
		}
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return Client{}, false
	}
	if id == "" {
		return fail()
	}
	c, ok := p.client(id)
	if !ok {
		return fail()
	}
	if c.Public() {
		if secret != "" {
			return fail()
		}
		return c, true
	}
	if subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return fail()
	}
	return c, true
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// scopeOf returns the requested scope, or the default one.
func scopeOf(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return defaultScope
	}
	return s
}

func hasScope(scope, want string) bool { return slices.Contains(strings.Fields(scope), want) }

func (p *Provider) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return false
	}
	return true
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if !p.parseForm(w, r) {
		return
	}
	c, ok := p.authenticateClient(w, r)
	if !ok {
		return
	}
	grant := r.PostForm.Get("grant_type")
	switch grant {
	case GrantPassword, GrantClientCredentials, GrantAuthorizationCode, GrantRefreshToken, GrantDeviceCode:
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "no grant_type")
		return
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type "+grant)
		return
	}
	if !c.Allows(grant) {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "the client may not use "+grant)
		return
	}
	var g *grantInfo
	switch grant {
	case GrantPassword:
		u, ok := p.checkUser(r.PostForm.Get("username"), r.PostForm.Get("password"))
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "invalid username or password")
			return
		}
		g = &grantInfo{client: c.ID, user: u, scope: scopeOf(r.PostForm.Get("scope"))}
	case GrantClientCredentials:
		if c.Public() {
			oauthError(w, http.StatusBadRequest, "unauthorized_client", "a public client has no client credentials")
			return
		}
		g = &grantInfo{client: c.ID, scope: strings.Join(strings.Fields(r.PostForm.Get("scope")), " ")}
	case GrantAuthorizationCode:
		g = p.redeemCode(w, r, c)
	case GrantRefreshToken:
		rt := r.PostForm.Get("refresh_token")
		p.mu.Lock()
		g = p.refresh[rt]
		if g != nil && g.client == c.ID {
			delete(p.refresh, rt) // rotated
		}
		p.mu.Unlock()
		if g == nil || g.client != c.ID {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown refresh token")
			return
		}
		g.nonce = ""
	case GrantDeviceCode:
		g = p.redeemDevice(w, r, c)
	}
	if g == nil {
		return // error written
	}
	p.issue(w, c, g)
}

func (p *Provider) redeemCode(w http.ResponseWriter, r *http.Request, c Client) *grantInfo {
	code := r.PostForm.Get("code")
	p.mu.Lock()
	ac := p.codes[code]
	delete(p.codes, code) // single use, whatever the outcome
	p.mu.Unlock()
	switch {
	case ac == nil || ac.client != c.ID || p.now().After(ac.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return nil
	case ac.redirectURI != r.PostForm.Get("redirect_uri"):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
		return nil
	}
	verifier := r.PostForm.Get("code_verifier")
	if ac.challenge != "" {
		got := verifier
		if ac.challengeMeth == "S256" {
			sum := sha256.Sum256([]byte(verifier))
			got = base64.RawURLEncoding.EncodeToString(sum[:])
		}
		if verifier == "" || subtle.ConstantTimeCompare([]byte(got), []byte(ac.challenge)) != 1 {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
			return nil
		}
	} else if verifier != "" {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier without a code_challenge")
		return nil
	}
	return &ac.grantInfo
}

func (p *Provider) redeemDevice(w http.ResponseWriter, r *http.Request, c Client) *grantInfo {
	dc := r.PostForm.Get("device_code")
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.devices[dc]
	if d == nil || d.client != c.ID || d.state == "used" {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown device code")
		return nil
	}
	if now.After(d.expires) {
		delete(p.devices, dc)
		oauthError(w, http.StatusBadRequest, "expired_token", "the device code expired")
		return nil
	}
	last := d.lastPoll
	d.lastPoll = now
	switch d.state {
	case "denied":
		delete(p.devices, dc)
		oauthError(w, http.StatusBadRequest, "access_denied", "the user denied the request")
		return nil
	case "approved":
		d.state = "used"
		delete(p.devices, dc)
		return &d.grantInfo
	}
	if !last.IsZero() && now.Sub(last) < time.Duration(p.cfg.DeviceInterval)*8/10 {
		oauthError(w, http.StatusBadRequest, "slow_down", "polling too fast")
		return nil
	}
	oauthError(w, http.StatusBadRequest, "authorization_pending", "the user has not approved the request yet")
	return nil
}

// issue writes a token response for the grant.
func (p *Provider) issue(w http.ResponseWriter, c Client, g *grantInfo) {
	now := p.now()
	ttl := time.Duration(p.cfg.TokenTTL)
	exp := now.Add(ttl)
	sub := c.ID
	if g.user != nil {
		sub = g.user.Sub()
	}
	at := map[string]any{
		"iss": p.cfg.Issuer, "sub": sub, "aud": c.ID, "client_id": c.ID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(), "jti": randomToken(12),
	}
	if g.scope != "" {
		at["scope"] = g.scope
	}
	if g.user != nil {
		addUserClaims(at, g.user)
	}
	access, err := jwt.Signed(p.atSign).Claims(at).Serialize()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(ttl.Seconds())}
	if g.scope != "" {
		resp["scope"] = g.scope
	}
	if g.user != nil && hasScope(g.scope, "openid") {
		sum := sha256.Sum256([]byte(access))
		id := map[string]any{
			"iss": p.cfg.Issuer, "sub": sub, "aud": c.ID, "azp": c.ID,
			"iat": now.Unix(), "exp": exp.Unix(), "auth_time": now.Unix(),
			"at_hash": base64.RawURLEncoding.EncodeToString(sum[:16]),
		}
		if g.nonce != "" {
			id["nonce"] = g.nonce
		}
		addUserClaims(id, g.user)
		if resp["id_token"], err = jwt.Signed(p.signer).Claims(id).Serialize(); err != nil {
			oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
			return
		}
	}
	if g.user != nil && c.Allows(GrantRefreshToken) {
		rt := randomToken(32)
		p.mu.Lock()
		p.refresh[rt] = &grantInfo{client: g.client, user: g.user, scope: g.scope}
		p.mu.Unlock()
		resp["refresh_token"] = rt
	}
	writeJSON(w, http.StatusOK, resp)
}

func addUserClaims(m map[string]any, u *User) {
	m["preferred_username"] = u.Name
	if u.Email != "" {
		m["email"] = u.Email
	}
	groups := u.Groups
	if groups == nil {
		groups = []string{}
	}
	m["groups"] = groups
}

// userinfo answers the claims of a valid access token of a user.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oidcprovider"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "no bearer token")
		return
	}
	claims, err := p.Verify(tok)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", err.Error())
		return
	}
	out := map[string]any{"sub": claims["sub"]}
	for _, k := range []string{"preferred_username", "email", "groups"} {
		if v, ok := claims[k]; ok {
			out[k] = v
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// Verify checks a token this provider signed (signature, issuer, expiry)
// and returns its claims.
func (p *Provider) Verify(token string) (map[string]any, error) {
	t, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	var std jwt.Claims
	claims := map[string]any{}
	if err := t.Claims(&p.key.PublicKey, &std, &claims); err != nil {
		return nil, err
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: p.cfg.Issuer, Time: p.now()}, 0); err != nil {
		return nil, err
	}
	return claims, nil
}

// ---- authorization endpoint

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html><head><title>Lab OIDC sign-in</title></head><body>
<h1>Sign in to {{.Client}}</h1>{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<label>User <input name="username" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form></body></html>
`))

// authParams are the authorization request's parameters carried by the form.
var authParams = []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "prompt"}

// checkAuthRequest validates the client and the redirect URI; on failure
// it answers 400 itself (never redirecting to an unchecked URI).
func (p *Provider) checkAuthRequest(w http.ResponseWriter, v url.Values) (Client, bool) {
	c, ok := p.client(v.Get("client_id"))
	if !ok {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return c, false
	}
	ru := v.Get("redirect_uri")
	if ru == "" && len(c.RedirectURIs) == 1 {
		v.Set("redirect_uri", c.RedirectURIs[0])
		ru = c.RedirectURIs[0]
	}
	if !redirectAllowed(c.RedirectURIs, ru) {
		http.Error(w, "redirect_uri is not registered for the client", http.StatusBadRequest)
		return c, false
	}
	return c, true
}

// redirectAllowed reports whether uri is one of the registered ones; as
// RFC 8252 section 7.3 asks, a registered http loopback URI (127.0.0.1, [::1]
// or localhost) matches any port.
func redirectAllowed(registered []string, uri string) bool {
	if slices.Contains(registered, uri) {
		return true
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || !isLoopback(u.Hostname()) {
		return false
	}
	for _, r := range registered {
		ru, err := url.Parse(r)
		if err == nil && ru.Scheme == "http" && ru.Hostname() == u.Hostname() && ru.Path == u.Path && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool { return host == "127.0.0.1" || host == "::1" || host == "localhost" }

// redirectError sends an error to the client's redirect URI.
func redirectError(w http.ResponseWriter, r *http.Request, v url.Values, code, desc string) {
	redirectTo(w, r, v.Get("redirect_uri"), url.Values{"error": {code}, "error_description": {desc}}, v.Get("state"))
}

func redirectTo(w http.ResponseWriter, r *http.Request, uri string, q url.Values, state string) {
	u, err := url.Parse(uri)
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	all := u.Query()
	for k, vs := range q {
		all[k] = vs
	}
	if state != "" {
		all.Set("state", state)
	}
	u.RawQuery = all.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// checkAuthParams checks what the error may be redirected for.
func (p *Provider) checkAuthParams(w http.ResponseWriter, r *http.Request, c Client, v url.Values) bool {
	switch {
	case v.Get("response_type") != "code":
		redirectError(w, r, v, "unsupported_response_type", "only response_type=code")
	case !c.Allows(GrantAuthorizationCode):
		redirectError(w, r, v, "unauthorized_client", "the client may not use the authorization code grant")
	case v.Get("code_challenge") != "" && !slices.Contains([]string{"", "plain", "S256"}, v.Get("code_challenge_method")):
		redirectError(w, r, v, "invalid_request", "unsupported code_challenge_method")
	case c.Public() && v.Get("code_challenge") == "":
		redirectError(w, r, v, "invalid_request", "a public client must use PKCE")
	case v.Get("prompt") == "none":
		redirectError(w, r, v, "login_required", "the lab provider keeps no sessions")
	default:
		return true
	}
	return false
}

func (p *Provider) renderLogin(w http.ResponseWriter, status int, c Client, v url.Values, msg string) {
	hidden := map[string]string{}
	for _, k := range authParams {
		if s := v.Get(k); s != "" {
			hidden[k] = s
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, map[string]any{"Client": c.ID, "Error": msg, "Action": p.cfg.Issuer + PathAuthorize, "Hidden": hidden})
}

func (p *Provider) authorizeForm(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	c, ok := p.checkAuthRequest(w, v)
	if !ok || !p.checkAuthParams(w, r, c, v) {
		return
	}
	p.renderLogin(w, http.StatusOK, c, v, "")
}

// authorizeSubmit takes the login form (the authorization request's
// parameters with username and password) and redirects with a code.
func (p *Provider) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	v := url.Values{}
	for _, k := range authParams {
		if s := r.Form.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	c, ok := p.checkAuthRequest(w, v)
	if !ok || !p.checkAuthParams(w, r, c, v) {
		return
	}
	if r.PostForm.Get("deny") != "" {
		redirectError(w, r, v, "access_denied", "the user denied the request")
		return
	}
	u, ok := p.checkUser(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if !ok {
		p.renderLogin(w, http.StatusUnauthorized, c, v, "Invalid user name or password.")
		return
	}
	meth := v.Get("code_challenge_method")
	if meth == "" {
		meth = "plain"
	}
	code := randomToken(24)
	p.mu.Lock()
	p.codes[code] = &authCode{
		grantInfo:   grantInfo{client: c.ID, user: u, scope: scopeOf(v.Get("scope")), nonce: v.Get("nonce")},
		redirectURI: r.Form.Get("redirect_uri"), challenge: v.Get("code_challenge"), challengeMeth: meth,
		expires: p.now().Add(codeTTL),
	}
	p.mu.Unlock()
	redirectTo(w, r, v.Get("redirect_uri"), url.Values{"code": {code}, "iss": {p.cfg.Issuer}}, v.Get("state"))
}

// ---- device authorization (RFC 8628)

func (p *Provider) userCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	var s strings.Builder
	for i, x := range b {
		if i == 4 {
			s.WriteByte('-')
		}
		s.WriteByte(userCodeAlphabet[int(x)%len(userCodeAlphabet)])
	}
	return s.String()
}

// normalizeUserCode upper-cases the code and drops what is not a letter.
func normalizeUserCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (p *Provider) deviceAuthorize(w http.ResponseWriter, r *http.Request) {
	if !p.parseForm(w, r) {
		return
	}
	c, ok := p.authenticateClient(w, r)
	if !ok {
		return
	}
	if !c.Allows(GrantDeviceCode) {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "the client may not use the device flow")
		return
	}
	d := &deviceAuth{grantInfo: grantInfo{client: c.ID, scope: scopeOf(r.PostForm.Get("scope"))},
		userCode: p.userCode(), expires: p.now().Add(time.Duration(p.cfg.DeviceTTL)), state: "pending"}
	dc := randomToken(32)
	p.mu.Lock()
	p.devices[dc] = d
	p.mu.Unlock()
	verify := p.cfg.Issuer + PathDeviceVerify
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code": dc, "user_code": d.userCode,
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?user_code=" + url.QueryEscape(d.userCode),
		"expires_in":                int(time.Duration(p.cfg.DeviceTTL).Seconds()),
		"interval":                  max(1, int(time.Duration(p.cfg.DeviceInterval).Seconds())),
	})
}

var devicePage = template.Must(template.New("device").Parse(`<!DOCTYPE html>
<html><head><title>Lab OIDC device sign-in</title></head><body>
<h1>Device sign-in</h1>{{if .Message}}<p id="message">{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="{{.Action}}">
<label>Code <input name="user_code" value="{{.UserCode}}"></label>
<label>User <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>{{end}}</body></html>
`))

func (p *Provider) renderDevice(w http.ResponseWriter, status int, userCode, msg string, form bool) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = devicePage.Execute(w, map[string]any{"Action": p.cfg.Issuer + PathDeviceVerify, "UserCode": userCode, "Message": msg, "Form": form})
}

func (p *Provider) deviceForm(w http.ResponseWriter, r *http.Request) {
	p.renderDevice(w, http.StatusOK, r.URL.Query().Get("user_code"), "", true)
}

// deviceSubmit takes user_code, username, password and action (approve,
// the default, or deny).
func (p *Provider) deviceSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	uc := r.PostForm.Get("user_code")
	want := normalizeUserCode(uc)
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	var d *deviceAuth
	for _, x := range p.devices {
		if want != "" && normalizeUserCode(x.userCode) == want && x.state == "pending" && now.Before(x.expires) {
			d = x
			break
		}
	}
	if d == nil {
		p.renderDevice(w, http.StatusBadRequest, uc, "Unknown or expired code.", true)
		return
	}
	if r.PostForm.Get("action") == "deny" {
		d.state = "denied"
		p.renderDevice(w, http.StatusOK, "", "Request denied. You may close this page.", false)
		return
	}
	u, ok := p.checkUser(r.PostForm.Get("username"), r.PostForm.Get("password"))
	if !ok {
		p.renderDevice(w, http.StatusUnauthorized, uc, "Invalid user name or password.", true)
		return
	}
	d.user = u
	d.state = "approved"
	p.renderDevice(w, http.StatusOK, "", "Device approved. You may close this page.", false)
}
