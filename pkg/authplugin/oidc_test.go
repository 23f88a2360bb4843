package authplugin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Secrets of the stand-in provider, which no log line or error may show.
const (
	opClientSecret = "op-client-secret-91"
	opPassword     = "op-user-password-92"
	opCode         = "op-auth-code-93"
)

// standInOP is an OpenID provider for the unit tests (the federation lab
// has a real one): a discovery document, a token endpoint with the password,
// client credentials, authorization code, refresh token and device code
// grants, and a device authorization endpoint. Its access tokens are
// "at-N", its refresh tokens "rt-N".
type standInOP struct {
	*httptest.Server
	mu            sync.Mutex
	n             int
	issued        map[string]bool // access tokens
	refresh       map[string]bool
	grants        []string // the grant of each token request
	pending       int      // device polls to answer authorization_pending
	giveRefresh   bool
	discoveryHits int
	devices       int
}

func newStandInOP(t *testing.T) *standInOP {
	op := &standInOP{issued: map[string]bool{}, refresh: map[string]bool{}, giveRefresh: true}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		op.discoveryHits++
		op.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": op.URL, "token_endpoint": op.URL + "/token", "device_authorization_endpoint": op.URL + "/device",
			"grant_types_supported": []string{"password", "client_credentials", "authorization_code", "refresh_token",
				"urn:ietf:params:oauth:grant-type:device_code"},
		})
	})
	oauthError := func(w http.ResponseWriter, status int, code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error": %q, "error_description": "stand-in says %s"}`, code, code)
	}
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		op.devices++
		op.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"device_code": "dc-1", "user_code": "WDJB-MJHT",
			"verification_uri": op.URL + "/verify", "expires_in": 60, "interval": 1})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			oauthError(w, 400, "invalid_request")
			return
		}
		id, secret, basic := r.BasicAuth()
		if basic && (id != "lab-client" || secret != opClientSecret) {
			oauthError(w, 401, "invalid_client")
			return
		}
		op.mu.Lock()
		defer op.mu.Unlock()
		grant := r.PostForm.Get("grant_type")
		op.grants = append(op.grants, grant)
		ok := false
		switch grant {
		case "password":
			ok = r.PostForm.Get("username") == "alice" && r.PostForm.Get("password") == opPassword && basic
		case "client_credentials":
			ok = basic
		case "authorization_code":
			ok = r.PostForm.Get("code") == opCode && r.PostForm.Get("redirect_uri") == "http://127.0.0.1/cb" && basic
		case "refresh_token":
			ok = op.refresh[r.PostForm.Get("refresh_token")]
		case "urn:ietf:params:oauth:grant-type:device_code":
			if r.PostForm.Get("client_id") != "lab-public" || r.PostForm.Get("device_code") != "dc-1" {
				break
			}
			if op.pending > 0 {
				op.pending--
				op.mu.Unlock()
				oauthError(w, 400, "authorization_pending")
				op.mu.Lock()
				return
			}
			ok = true
		}
		if !ok {
			op.mu.Unlock()
			oauthError(w, 400, "invalid_grant")
			op.mu.Lock()
			return
		}
		op.n++
		at := fmt.Sprintf("at-%d", op.n)
		op.issued[at] = true
		resp := map[string]any{"access_token": at, "token_type": "Bearer", "expires_in": 300, "id_token": "idt-" + at}
		if op.giveRefresh && grant != "client_credentials" {
			rt := fmt.Sprintf("rt-%d", op.n)
			op.refresh[rt] = true
			resp["refresh_token"] = rt
		}
		json.NewEncoder(w).Encode(resp)
	})
	op.Server = httptest.NewServer(mux)
	t.Cleanup(op.Close)
	return op
}

func (op *standInOP) grantLog() []string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return append([]string(nil), op.grants...)
}

// federatedKeystone is the in-memory Keystone with a stand-in for the web
// server's OIDC module in front of its federation endpoint: a request whose
// bearer token the provider issued gets the unscoped token of the
// administrator (a real one, from the in-memory Keystone itself, so that
// rescoping it works as with Keystone).
func federatedKeystone(t *testing.T, op *standInOP, opts ...keystonetest.Option) (*keystonetest.Server, *int) {
	ks := keystonetest.NewServer(t, opts...)
	var exchanges int
	var mu sync.Mutex
	ks.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v3/OS-FEDERATION/identity_providers/lab-oidc/protocols/openid/auth" {
			return false
		}
		bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		op.mu.Lock()
		valid := ok && op.issued[bearer]
		op.mu.Unlock()
		if !valid {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`)
			return true
		}
		mu.Lock()
		exchanges++
		mu.Unlock()
		relayToken(t, ks, w)
		return true
	})
	return ks, &exchanges
}

func oidcOptions(ks *keystonetest.Server, op *standInOP) authplugin.OIDCOptions {
	return authplugin.OIDCOptions{
		AuthURL: ks.AuthURL(), IdentityProvider: "lab-oidc", Protocol: "openid",
		Scope:    authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID},
		ClientID: "lab-client", ClientSecret: opClientSecret, DiscoveryEndpoint: op.URL + "/.well-known/openid-configuration",
	}
}

// logged returns a session logging at debug level into buf.
func loggedSession(t *testing.T, auth keystone.AuthPlugin, buf *bytes.Buffer) *keystone.Session {
	t.Helper()
	s, err := keystone.NewSession(keystone.WithAuth(auth),
		keystone.WithLogger(slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func noSecrets(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, opClientSecret, opPassword, opCode) {
		if strings.Contains(text, s) {
			t.Errorf("%s shows the secret %q:\n%s", what, s, text)
		}
	}
}

func TestOIDCPassword(t *testing.T) {
	op := newStandInOP(t)
	ks, exchanges := federatedKeystone(t, op)
	o := oidcOptions(ks, op)
	o.Username, o.Password = "alice", opPassword
	auth, err := authplugin.NewOIDCPassword(o)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s := loggedSession(t, auth, &log)
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project == nil || ai.Project.ID != ks.AdminProjectID {
		t.Errorf("the token is not rescoped to the project: %v", ai)
	}
	if *exchanges != 1 || ks.RequestCount("POST /v3/auth/tokens") < 2 {
		t.Errorf("%d exchanges, %d token requests: want the federated token rescoped", *exchanges, ks.RequestCount("POST /v3/auth/tokens"))
	}
	if got := op.grantLog(); len(got) != 1 || got[0] != "password" {
		t.Errorf("grants %v", got)
	}
	// The token works: a call through the session.
	if _, err := s.Request(t.Context(), keystone.Request{Method: "GET", URL: ks.URL + "/v3/projects"}); err != nil {
		t.Errorf("a call with the federated token: %v", err)
	}
	noSecrets(t, "the debug log", log.String(), "at-1", "rt-1")
	noSecrets(t, "the plugin", fmt.Sprintf("%v %+v %#v %s %q", auth, auth, auth, o, o))

	// A wrong password: the provider's invalid_grant, typed, without the password.
	o.Password = "wrong-password-94"
	bad, _ := authplugin.NewOIDCPassword(o)
	_, err = bad.Access(t.Context(), loggedSession(t, bad, &log))
	var oe *authplugin.OIDCError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("wrong password: %v", err)
	}
	noSecrets(t, "the error", fmt.Sprint(err), "wrong-password-94")
	noSecrets(t, "the debug log", log.String(), "wrong-password-94")
}

func TestOIDCClientCredentialsRefreshesBeforeExpiry(t *testing.T) {
	op := newStandInOP(t)
	ks, exchanges := federatedKeystone(t, op, keystonetest.WithTokenLifetime(10*time.Minute))
	o := oidcOptions(ks, op)
	o.DiscoveryEndpoint, o.TokenEndpoint = "", op.URL+"/token"
	var mu sync.Mutex
	offset := time.Duration(0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(offset) }
	auth, err := authplugin.NewOIDCClientCredentials(o, keystone.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	first, err := auth.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := auth.Token(t.Context(), s); again != first {
		t.Errorf("a second call authenticated again")
	}
	// Nine minutes later the token is inside the refresh margin: both steps
	// are done again, before it expires.
	mu.Lock()
	offset = 9 * time.Minute
	mu.Unlock()
	second, err := auth.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if second == first || *exchanges != 2 {
		t.Errorf("no refresh before expiry: %d exchanges", *exchanges)
	}
	if got := op.grantLog(); len(got) != 2 || got[0] != "client_credentials" || got[1] != "client_credentials" {
		t.Errorf("grants %v", got)
	}
	if op.discoveryHits != 0 {
		t.Errorf("the discovery document was read although the token endpoint was given")
	}
}

func TestOIDCAuthorizationCodeUsesTheRefreshToken(t *testing.T) {
	op := newStandInOP(t)
	ks, _ := federatedKeystone(t, op)
	o := oidcOptions(ks, op)
	o.Code, o.RedirectURI = opCode, "http://127.0.0.1/cb"
	auth, err := authplugin.NewOIDCAuthorizationCode(o)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	tok, err := auth.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	auth.Invalidate(tok) // as after a 401
	if _, err := auth.Token(t.Context(), s); err != nil {
		t.Fatalf("after the code was used: %v", err)
	}
	if got := op.grantLog(); len(got) != 2 || got[0] != "authorization_code" || got[1] != "refresh_token" {
		t.Errorf("grants %v: want the code once, then the refresh token", got)
	}

	// Without a refresh token, a used code is an error, not a second try.
	op.giveRefresh = false
	auth2, _ := authplugin.NewOIDCAuthorizationCode(o)
	tok, err = auth2.Token(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	auth2.Invalidate(tok)
	if _, err := auth2.Token(t.Context(), s); !errors.Is(err, keystone.ErrCannotReauthenticate) {
		t.Errorf("a used code without refresh token: %v", err)
	}
}

func TestOIDCAccessToken(t *testing.T) {
	op := newStandInOP(t)
	ks, _ := federatedKeystone(t, op)
	op.issued["at-given"] = true
	o := authplugin.OIDCOptions{AuthURL: ks.AuthURL(), IdentityProvider: "lab-oidc", Protocol: "openid", AccessToken: "at-given"}
	auth, err := authplugin.NewOIDCAccessToken(o)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	ai, err := auth.Access(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Project != nil {
		t.Errorf("no scope asked: the unscoped token stays, got %v", ai.Project)
	}
	o.AccessToken = "at-forged"
	bad, _ := authplugin.NewOIDCAccessToken(o)
	_, err = bad.Access(t.Context(), s)
	if !errors.Is(err, keystone.ErrAuthorizationFailure) {
		t.Errorf("a token Keystone refuses: %v", err)
	}
	noSecrets(t, "the error", fmt.Sprint(err), "at-forged")
}

func TestOIDCDeviceAuthorization(t *testing.T) {
	op := newStandInOP(t)
	op.pending = 2
	ks, _ := federatedKeystone(t, op)
	o := oidcOptions(ks, op)
	o.ClientID, o.ClientSecret = "lab-public", ""
	var shown authplugin.DeviceAuthorization
	o.DeviceCallback = func(_ context.Context, d authplugin.DeviceAuthorization) error {
		shown = d
		return nil
	}
	auth, err := authplugin.NewOIDCDeviceAuthorization(o)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	if _, err := auth.Token(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if shown.UserCode != "WDJB-MJHT" || shown.VerificationURI != op.URL+"/verify" || shown.Interval != time.Second {
		t.Errorf("shown %+v", shown)
	}
	if got := op.grantLog(); len(got) != 3 {
		t.Errorf("grants %v: want two pending polls and the token", got)
	}

	// The user never approves: the context's deadline ends the wait, typed.
	op.pending = 1000
	auth2, _ := authplugin.NewOIDCDeviceAuthorization(o)
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	if _, err := auth2.Token(ctx, s); !errors.Is(err, keystone.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an approval that never comes: %v", err)
	}
}

func TestOIDCOptionsChecked(t *testing.T) {
	var missing *keystone.MissingOptionsError
	if _, err := authplugin.NewOIDCPassword(authplugin.OIDCOptions{AuthURL: "http://ks"}); !errors.As(err, &missing) {
		t.Errorf("no options: %v", err)
	} else if want := "identity_provider"; !strings.Contains(err.Error(), want) {
		t.Errorf("no options: %v lacks %s", err, want)
	}
	if _, err := authplugin.NewOIDCDeviceAuthorization(authplugin.OIDCOptions{AuthURL: "http://ks", IdentityProvider: "i",
		Protocol: "openid", ClientID: "c", TokenEndpoint: "http://op/token"}); !errors.As(err, &missing) {
		t.Errorf("device flow without a callback: %v", err)
	}

	// A provider that does not offer the grant.
	op := newStandInOP(t)
	ks, _ := federatedKeystone(t, op)
	doc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"token_endpoint": "`+op.URL+`/token", "grant_types_supported": ["authorization_code"]}`)
	}))
	defer doc.Close()
	o := oidcOptions(ks, op)
	o.DiscoveryEndpoint = doc.URL
	o.Username, o.Password = "alice", opPassword
	auth, _ := authplugin.NewOIDCPassword(o)
	s, _ := keystone.NewSession(keystone.WithAuth(auth))
	if _, err := auth.Token(t.Context(), s); !errors.Is(err, keystone.ErrNoMatchingPlugin) {
		t.Errorf("a grant the provider does not offer: %v", err)
	}
}
