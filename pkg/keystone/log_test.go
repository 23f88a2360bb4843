package keystone_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv2"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestDebugLogsRedactSecrets drives every kind of secret through a session
// with debug logging and checks that none reaches the log or an error.
func TestDebugLogsRedactSecrets(t *testing.T) {
	srv := keystonetest.NewServer(t)
	log, buf := debugLogger()
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth), keystone.WithLogger(log))
	if _, err := getProjects(t.Context(), s, srv.URL); err != nil {
		t.Fatal(err)
	}
	token := auth.Current().Token()

	// A request carrying secrets in its body, and a response carrying them
	// back (Keystone stores and returns a project's extra attributes).
	resp, err := s.Request(t.Context(), keystone.Request{Method: http.MethodPost, URL: srv.URL + "/v3/projects", JSON: map[string]any{
		"project": map[string]any{
			"name":       "secrets",
			"user":       map[string]any{"password": "body-pw-1", "original_password": "body-pw-0"},
			"credential": map[string]any{"blob": `{"access": "a", "secret": "ec2-secret-9"}`},
			"app":        map[string]any{"secret": "app-secret-7"},
			"auth":       map[string]any{"identity": map[string]any{"token": map[string]any{"id": "sub-token-5"}}},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A token method authentication and validation (X-Subject-Token in both directions).
	tm, _ := authplugin.NewToken(authplugin.TokenOptions{AuthURL: srv.URL, Token: token, Scope: authplugin.Scope{ProjectID: srv.AdminProjectID}})
	s2 := newSession(t, keystone.WithAuth(tm), keystone.WithLogger(log))
	if _, err := getProjects(t.Context(), s2, srv.URL); err != nil {
		t.Fatal(err)
	}
	resp, err = s.Request(t.Context(), keystone.Request{Method: http.MethodGet, URL: srv.URL + "/v3/auth/tokens",
		Header: http.Header{"X-Subject-Token": {token}}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	logs := buf.String()
	assertNoSecret(t, "the debug log", logs, srv.AdminPassword, token, tm.Current().Token(),
		"body-pw-1", "body-pw-0", "ec2-secret-9", "app-secret-7", "sub-token-5")
	for _, want := range []string{"curl -g -i -X POST", "X-Auth-Token: {SHA256}", "X-Subject-Token: {SHA256}", `password\":\"***`, "status=201"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the debug log lacks %q", want)
		}
	}
}

func TestErrorsNeverShowSecrets(t *testing.T) {
	srv := keystonetest.NewServer(t)
	// Echo a token-looking header back in a 401 body and headers.
	srv.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v3/projects" {
			return false
		}
		w.Header().Set("X-Subject-Token", r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		w.Write([]byte(`{"error": {"code": 403, "title": "Forbidden", "message": "You are not authorized."}}`))
		return true
	})
	auth := passwordAuth(t, srv)
	s := newSession(t, keystone.WithAuth(auth))
	_, err := getProjects(t.Context(), s, srv.URL)
	var he *keystone.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("got %v", err)
	}
	token := auth.Current().Token()
	assertNoSecret(t, "the error", err.Error(), token, srv.AdminPassword)
	if he.Header.Get("X-Subject-Token") != "" {
		t.Error("the error keeps X-Subject-Token")
	}
	for _, o := range []any{
		authplugin.PasswordOptions{Password: "opt-pw"}, authplugin.TokenOptions{Token: "opt-tok"},
		authplugin.ApplicationCredentialOptions{Secret: "opt-sec"}, authplugin.TOTPOptions{Passcode: "654321"},
		authplugin.GenericOptions{Password: "opt-pw", Token: "opt-tok"},
		authplugin.PasswordMethod{Password: "opt-pw"}, authplugin.TOTPMethod{Passcode: "654321"},
	} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoSecret(t, "a formatted option", sprintf(format, o), "opt-pw", "opt-tok", "opt-sec", "654321")
		}
	}
}

// Bodies that are neither JSON nor form-encoded (a SAML2 assertion, text,
// HTML) are never logged; form fields and JSON members are masked by
// case-insensitive substrings (oauth_verifier was logged in clear).
func TestDebugLogNonJSONBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch r.URL.Path {
		case "/saml2":
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<samlp:Response><saml:Assertion>saml-assertion-1</saml:Assertion></samlp:Response>`)
		case "/oauth1":
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			io.WriteString(w, "oauth_token=oauth-token-1&oauth_token_secret=oauth-secret-1&oauth_expires_at=2030-01-01T00%3A00%3A00Z")
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `<html>token html-token-1</html>`)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Set-Cookie", "session=cookie-1")
			io.WriteString(w, `{"Client_Secret": "json-secret-1", "nested": {"SAML2Assertion": "json-assertion-1", "oauthVerifier": "json-verifier-1"}, "name": "visible-name"}`)
		}
	}))
	defer srv.Close()
	log, buf := debugLogger()
	s := newSession(t, keystone.WithLogger(log))
	for _, r := range []keystone.Request{
		{Method: http.MethodPost, URL: srv.URL + "/saml2", Header: http.Header{"Content-Type": {"application/xml"}}, Body: []byte(`<Assertion>saml-request-1</Assertion>`)},
		{Method: http.MethodPost, URL: srv.URL + "/oauth1?oauth_verifier=query-verifier-1&name=visible-query", Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {`OAuth oauth_token="auth-token-1"`}, "X-Custom-Auth": {"custom-auth-1"}},
			Body: []byte("oauth_verifier=form-verifier-1&grant_type=client_credentials")},
		{Method: http.MethodGet, URL: srv.URL + "/html"},
		{Method: http.MethodPut, URL: srv.URL + "/json", JSON: map[string]any{"User": map[string]any{"PassWord": "json-password-1"}}},
	} {
		r.NoAuth = true
		resp, err := s.Request(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	logs := buf.String()
	assertNoSecret(t, "the debug log", logs, "saml-assertion-1", "saml-request-1", "oauth-token-1", "oauth-secret-1", "html-token-1",
		"json-secret-1", "json-assertion-1", "json-verifier-1", "query-verifier-1", "auth-token-1", "custom-auth-1", "form-verifier-1",
		"cookie-1", "json-password-1")
	for _, want := range []string{"bytes of text/xml, not logged", "bytes of application/xml, not logged", "bytes of text/html, not logged",
		"grant_type=client_credentials", "visible-name", "name=visible-query", "oauth_expires_at=2030", "oauth_verifier=***", "Set-Cookie: {SHA256}"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the debug log lacks %q:\n%s", want, logs)
		}
	}
}

// Identity v2.0 puts the token in the URL path (GET, HEAD /v2.0/tokens/{token},
// GET /v2.0/tokens/{token}/endpoints): neither the debug log nor an error
// shows it, whether the call succeeds or fails.
func TestV2TokenPathsNeverShown(t *testing.T) {
	ks := keystonetest.NewServer(t)
	log, buf := debugLogger()
	admin, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), Username: ks.AdminUser,
		Password: ks.AdminPassword, Tenant: authplugin.Tenant{Name: ks.AdminProject}})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, keystone.WithAuth(admin), keystone.WithLogger(log))
	c, err := identityv2.NewClient(t.Context(), s, keystone.EndpointFilter{Interfaces: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	// The subject: another token of the administrator.
	subject, err := authplugin.NewPasswordV2(authplugin.PasswordV2Options{AuthURL: ks.AuthURLV2(), Username: ks.AdminUser,
		Password: ks.AdminPassword, Tenant: authplugin.Tenant{Name: ks.AdminProject}})
	if err != nil {
		t.Fatal(err)
	}
	ai, err := subject.Access(t.Context(), newSession(t))
	if err != nil {
		t.Fatal(err)
	}
	token := ai.Token()
	ctx := t.Context()
	if v, err := c.Tokens.Validate(ctx, token, ""); err != nil || v.Token() != token {
		t.Fatalf("validate: %v", err)
	}
	if ok, err := c.Tokens.Check(ctx, token); err != nil || !ok {
		t.Fatalf("check: %v %v", ok, err)
	}
	if _, err := keystone.Collect(c.Tokens.ListEndpoints(ctx, token)); err != nil {
		t.Fatalf("endpoints: %v", err)
	}
	var errs []error
	if _, err := c.Tokens.Validate(ctx, token, "no-such-tenant"); err == nil {
		t.Error("validate belongsTo another tenant succeeded")
	} else {
		errs = append(errs, err)
	}
	if err := c.Tokens.Revoke(ctx, token); err != nil {
		t.Fatal(err)
	}
	_, err = c.Tokens.Validate(ctx, token, "")
	errs = append(errs, err)
	_, err = keystone.Collect(c.Tokens.ListEndpoints(ctx, token))
	errs = append(errs, err)
	if ok, err := c.Tokens.Check(ctx, token); ok || err != nil {
		t.Errorf("check of a revoked token: %v %v", ok, err)
	}
	md := &keystone.ResponseMetadata{}
	_, err = c.Tokens.Validate(keystone.WithResponseMetadata(ctx, md), "unknown-token-1", "")
	errs = append(errs, err)
	for _, err := range errs {
		var he *keystone.HTTPError
		if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound && he.StatusCode != http.StatusUnauthorized {
			t.Errorf("want a 404, got %v", err)
			continue
		}
		for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), he.URL} {
			assertNoSecret(t, "the error", text, token, "unknown-token-1")
		}
		if !strings.Contains(he.URL, "/tokens/{SHA256}") {
			t.Errorf("error URL %s", he.URL)
		}
	}
	assertNoSecret(t, "the response metadata", md.URL, "unknown-token-1")
	logs := buf.String()
	assertNoSecret(t, "the debug log", logs, token, admin.Current().Token(), ks.AdminPassword, "unknown-token-1")
	for _, want := range []string{"GET '" + ks.URL + "/v2.0/tokens/" + ai.TokenDigest() + "'", "HEAD '" + ks.URL + "/v2.0/tokens/" + ai.TokenDigest() + "'",
		"/v2.0/tokens/" + ai.TokenDigest() + "/endpoints", "status=404", `\"id\":\"{SHA256}`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the debug log lacks %q", want)
		}
	}
}

// streamServer serves size bytes of JSON-looking data, generated as it is
// written (the test does not hold it in memory), with status 500 on /fail.
func streamServer(t *testing.T, size int) *httptest.Server {
	chunk := bytes.Repeat([]byte(" "), 32<<10)
	chunk[0] = '['
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Has("length") {
			w.Header().Set("Content-Length", strconv.Itoa(size))
		}
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk[:min(len(chunk), size-n)]); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Debug logging reads a bounded part of a response body, whatever its size:
// a 200 MB body costs the log at most its limit, and the caller still reads
// every byte.
func TestDebugLogBoundedMemory(t *testing.T) {
	const size = 200 << 20
	srv := streamServer(t, size)
	handler := slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug})
	logs := &syncBuffer{}
	s := newSession(t, keystone.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	quiet := newSession(t, keystone.WithLogger(slog.New(handler)), keystone.WithRetryPolicy(keystone.RetryPolicy{}))
	ctx := t.Context()

	measure := func(name string, f func()) {
		t.Helper()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%s: %d MB allocated for a %d MB body", name, alloc>>20, size>>20)
		}
	}
	for _, q := range []string{"", "?length"} {
		measure("a caller that reads the first bytes"+q, func() {
			resp, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: srv.URL + "/ok" + q, NoAuth: true})
			if err != nil {
				t.Fatal(err)
			}
			head := make([]byte, 100)
			if _, err := io.ReadFull(resp.Body, head); err != nil || head[0] != '[' || head[99] != ' ' {
				t.Errorf("the body starts with %q (%v)", head, err)
			}
			resp.Body.Close()
		})
		measure("a 500"+q, func() {
			_, err := quiet.Request(ctx, keystone.Request{Method: http.MethodGet, URL: srv.URL + "/fail" + q, NoAuth: true})
			if !errors.Is(err, keystone.ErrInternalServerError) {
				t.Errorf("got %v", err)
			}
		})
	}
	if got := logs.String(); !strings.Contains(got, "bytes of application/json, not logged") {
		t.Errorf("the log does not summarise the body:\n%s", got)
	}

	// The body put back yields every byte: what the log read, then the rest.
	small := streamServer(t, 100<<10)
	for _, q := range []string{"", "?length"} {
		resp, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: small.URL + "/ok" + q, NoAuth: true})
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || n != 100<<10 {
			t.Errorf("read %d bytes (%v), want %d", n, err, 100<<10)
		}
	}
}
