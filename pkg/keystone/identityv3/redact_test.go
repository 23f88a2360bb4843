package identityv3_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/printtest"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// The secrets of the values below: none of their renderings may show one,
// as text or hex-encoded.
const (
	secretPW    = "pw-Secret-1"
	secretPW2   = "pw-Secret-2"
	secretApp   = "app-Secret-3"
	secretBlob  = "blob-Secret-4"
	secretToken = "tok-Secret-5"
	secretOAuth = "oauth-Secret-6"
	secretCons  = "consumer-Secret-7"
)

var secrets = []string{secretPW, secretPW2, secretApp, secretBlob, secretToken, secretOAuth, secretCons}

// secretValues are the values that hold a secret, by name.
func secretValues() map[string]any {
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	return map[string]any{
		"UserCreate":                  identityv3.UserCreate{Name: "alice", Password: new(secretPW), Extra: map[string]any{"email": "a@example.com"}},
		"UserUpdate":                  identityv3.UserUpdate{Password: new(secretPW), Null: []string{"default_project_id"}},
		"UserPasswordChange":          identityv3.UserPasswordChange{OriginalPassword: secretPW, Password: secretPW2},
		"ApplicationCredentialCreate": identityv3.ApplicationCredentialCreate{Name: "ac", Secret: new(secretApp), Null: []string{"expires_at"}},
		"ApplicationCredential":       identityv3.ApplicationCredential{ID: "ac-id", Name: "ac", Secret: new(secretApp), UserID: "u"},
		"CredentialCreate":            identityv3.CredentialCreate{Type: "cert", UserID: "u", Blob: secretBlob, Extra: map[string]any{"x": "y"}},
		"CredentialUpdate":            identityv3.CredentialUpdate{Blob: new(secretBlob)},
		"Credential":                  identityv3.Credential{ID: "c", Type: "cert", UserID: "u", Blob: secretBlob},
		"EC2Credential":               identityv3.EC2Credential{Access: "access", Secret: new(secretApp), UserID: "u", TenantID: "p"},
		"OAuth1ConsumerCreated":       identityv3.OAuth1ConsumerCreated{ID: "cons", Secret: secretCons},
		"DomainConfigLDAP":            identityv3.DomainConfigLDAP{URL: new("ldap://x"), User: new("cn=admin"), Password: new(secretPW)},
		"OAuth1Signer":                identityv3.OAuth1Signer{ConsumerKey: "ck", ConsumerSecret: secretCons, Token: secretToken, TokenSecret: secretOAuth},
		"OAuth1Credentials":           identityv3.OAuth1Credentials{Token: secretToken, TokenSecret: secretOAuth, ExpiresAt: expires},
		"OAuth2Token":                 identityv3.OAuth2Token{AccessToken: secretToken, TokenType: "Bearer", ExpiresIn: 3600},
	}
}

// leaks returns the secrets out shows, as given or hex-encoded.
func leaks(out string) []string {
	var found []string
	for _, s := range secrets {
		for _, form := range []string{s, hex.EncodeToString([]byte(s)), strings.ToUpper(hex.EncodeToString([]byte(s)))} {
			if strings.Contains(out, form) {
				found = append(found, form)
			}
		}
	}
	return found
}

// Printed with any verb, logged with slog's handlers, JSON-encoded: as a
// value, through a pointer, in a slice, in a map and in a struct field,
// no value shows its secret.
func TestRedactedRenderings(t *testing.T) {
	for name, v := range secretValues() {
		forms := map[string]any{
			"value":   v,
			"slice":   []any{v},
			"map":     map[string]any{"k": v},
			"field":   struct{ V any }{v},
			"pointer": pointerTo(v),
		}
		for form, x := range forms {
			for how, out := range printtest.Renderings(x) {
				if l := leaks(out); len(l) > 0 {
					t.Errorf("%s (%s) with %s shows %q: %s", name, form, how, l, out)
				}
			}
		}
	}
}

// pointerTo returns a pointer to a copy of v, keeping its type.
func pointerTo(v any) any {
	switch x := v.(type) {
	case identityv3.UserCreate:
		return &x
	case identityv3.UserUpdate:
		return &x
	case identityv3.UserPasswordChange:
		return &x
	case identityv3.ApplicationCredentialCreate:
		return &x
	case identityv3.ApplicationCredential:
		return &x
	case identityv3.CredentialCreate:
		return &x
	case identityv3.CredentialUpdate:
		return &x
	case identityv3.Credential:
		return &x
	case identityv3.EC2Credential:
		return &x
	case identityv3.OAuth1ConsumerCreated:
		return &x
	case identityv3.DomainConfigLDAP:
		return &x
	case identityv3.OAuth1Signer:
		return &x
	case identityv3.OAuth1Credentials:
		return &x
	case identityv3.OAuth2Token:
		return &x
	}
	panic(fmt.Sprintf("no pointer case for %T", v))
}

// The redacted forms still say what is there: the other members, and
// "<redacted>" (or "***" for OAuth1) where a secret is set.
func TestRedactedJSONKeepsTheRest(t *testing.T) {
	cases := []struct {
		v    any
		want string
	}{
		{secretValues()["UserCreate"], `{"name":"alice","password":"\u003credacted\u003e","email":"a@example.com"}`},
		{secretValues()["UserUpdate"], `{"password":"\u003credacted\u003e","default_project_id":null}`},
		{secretValues()["UserPasswordChange"], `{"original_password":"\u003credacted\u003e","password":"\u003credacted\u003e"}`},
		{secretValues()["CredentialCreate"], `{"blob":"\u003credacted\u003e","type":"cert","user_id":"u","x":"y"}`},
		{secretValues()["OAuth2Token"], `{"access_token":"\u003credacted\u003e","token_type":"Bearer","expires_in":3600}`},
		{secretValues()["OAuth1Credentials"], `{"token_digest":"` + digestOf(secretToken) + `","token_secret":"***","expires_at":"2030-01-02T03:04:05Z"}`},
		{secretValues()["OAuth1Signer"], `{"consumer_key":"ck","consumer_secret":"***","token_digest":"` + digestOf(secretToken) + `","token_secret":"***"}`},
		// Nothing set, nothing redacted.
		{identityv3.UserCreate{Name: "bob"}, `{"name":"bob"}`},
		{identityv3.OAuth2Token{TokenType: "Bearer"}, `{"access_token":"","token_type":"Bearer","expires_in":0}`},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.v)
		if err != nil || string(got) != c.want {
			t.Errorf("%T: %s %v, want %s", c.v, got, err, c.want)
		}
	}
	ac := secretValues()["ApplicationCredential"].(identityv3.ApplicationCredential)
	for _, out := range []string{fmt.Sprint(ac), fmt.Sprintf("%+v", ac), ac.String()} {
		if !strings.Contains(out, "ac-id") || !strings.Contains(out, "redacted") {
			t.Errorf("application credential printed as %s", out)
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "ac", ac)
	if !strings.Contains(buf.String(), "ac-id") || !strings.Contains(buf.String(), "redacted") {
		t.Errorf("application credential logged as %s", buf.String())
	}
	// Printing does not change the value the client sends.
	if *ac.Secret != secretApp {
		t.Errorf("the secret became %q", *ac.Secret)
	}
}

// digestOf is the digest the SDK shows for a token.
func digestOf(token string) string {
	return keystone.NewStaticAccess(token).TokenDigest()
}

// wireServer records the bodies the client sends and answers each create
// with a body of the resource.
func wireServer(t *testing.T) (*httptest.Server, func(string) string) {
	var mu sync.Mutex
	bodies := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies[r.Method+" "+r.URL.Path] = string(b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v3/users":
			w.WriteHeader(201)
			fmt.Fprint(w, `{"user": {"id": "u", "name": "alice", "domain_id": "default", "enabled": true, "password_expires_at": null, "options": {}, "links": {"self": "x"}}}`)
		case r.URL.Path == "/v3/users/u":
			fmt.Fprint(w, `{"user": {"id": "u", "name": "alice", "domain_id": "default", "enabled": true, "password_expires_at": null, "options": {}, "links": {"self": "x"}}}`)
		case r.URL.Path == "/v3/users/u/password":
			w.WriteHeader(204)
		case r.URL.Path == "/v3/users/u/application_credentials":
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"application_credential": {"id": "ac", "name": "ac", "user_id": "u", "secret": %q, "expires_at": null, "project_id": "p", "roles": [], "unrestricted": false, "system": null, "links": {"self": "x"}}}`, secretApp)
		case r.URL.Path == "/v3/credentials":
			w.WriteHeader(201)
			fmt.Fprintf(w, `{"credential": {"id": "c", "type": "cert", "user_id": "u", "blob": %q, "project_id": null, "links": {"self": "x"}}}`, secretBlob)
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error": {"code": 404, "title": "Not Found", "message": "no"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, func(k string) string {
		mu.Lock()
		defer mu.Unlock()
		return bodies[k]
	}
}

// The secrets that printing hides are sent on the wire, and answered ones
// are given to the caller; the session's debug log shows none of them.
func TestSecretsAreSent(t *testing.T) {
	srv, body := wireServer(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := adminTokenClient(t, srv.URL, keystone.WithLogger(logger))
	ctx := t.Context()

	u, err := c.Users.Create(ctx, identityv3.UserCreate{Name: "alice", Password: new(secretPW)})
	if err != nil || u.ID != "u" {
		t.Fatalf("%v %v", u, err)
	}
	if got, want := body("POST /v3/users"), `{"user":{"name":"alice","password":"`+secretPW+`"}}`; got != want {
		t.Errorf("create user sent %s, want %s", got, want)
	}
	if _, err := c.Users.Update(ctx, "u", identityv3.UserUpdate{Password: new(secretPW2)}); err != nil {
		t.Fatal(err)
	}
	if got, want := body("PATCH /v3/users/u"), `{"user":{"password":"`+secretPW2+`"}}`; got != want {
		t.Errorf("update user sent %s, want %s", got, want)
	}
	if err := c.Users.ChangePassword(ctx, "u", identityv3.UserPasswordChange{OriginalPassword: secretPW, Password: secretPW2}); err != nil {
		t.Fatal(err)
	}
	if got, want := body("POST /v3/users/u/password"), `{"user":{"original_password":"`+secretPW+`","password":"`+secretPW2+`"}}`; got != want {
		t.Errorf("change password sent %s, want %s", got, want)
	}
	ac, err := c.ApplicationCredentials.Create(ctx, "u", identityv3.ApplicationCredentialCreate{Name: "ac", Secret: new(secretApp), Null: []string{"expires_at"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := body("POST /v3/users/u/application_credentials"), `{"application_credential":{"name":"ac","secret":"`+secretApp+`","expires_at":null}}`; got != want {
		t.Errorf("create application credential sent %s, want %s", got, want)
	}
	if ac.Secret == nil || *ac.Secret != secretApp || ac.ExpiresAt != nil {
		t.Errorf("the answered secret is not given: %v", ac.Secret)
	}
	cr, err := c.Credentials.Create(ctx, identityv3.CredentialCreate{Type: "cert", UserID: "u", Blob: secretBlob})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := body("POST /v3/credentials"), `{"credential":{"blob":"`+secretBlob+`","type":"cert","user_id":"u"}}`; got != want {
		t.Errorf("create credential sent %s, want %s", got, want)
	}
	if cr.Blob != secretBlob {
		t.Errorf("blob %q", cr.Blob)
	}
	if l := leaks(logs.String()); len(l) > 0 {
		t.Errorf("the debug log shows %q:\n%s", l, logs.String())
	}
	if !strings.Contains(logs.String(), "/v3/users") {
		t.Errorf("nothing logged? %s", logs.String())
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
