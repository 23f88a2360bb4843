package identityv3_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// Every kind of grant goes to its path; the combinations the API does not
// have fail before any request.
func TestGrantCombinations(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.EscapedPath())
		mu.Unlock()
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"roles": [{"id": "r", "name": "reader", "links": {"self": "x"}, "options": {}}], "links": {"self": "x", "next": null, "previous": null}}`)
			return
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	reset := func() []string {
		mu.Lock()
		defer mu.Unlock()
		p := paths
		paths = nil
		return p
	}
	c := adminTokenClient(t, srv.URL)
	ctx := t.Context()
	inherited := []identityv3.GrantOption{identityv3.Inherited()}
	cases := []struct {
		a    identityv3.Actor
		tg   identityv3.Target
		o    []identityv3.GrantOption
		path string
		list string // "" when there is no listing
	}{
		{identityv3.UserActor("u"), identityv3.OnProject("p"), nil, "/v3/projects/p/users/u/roles/r", "/v3/projects/p/users/u/roles"},
		{identityv3.GroupActor("g"), identityv3.OnProject("p"), nil, "/v3/projects/p/groups/g/roles/r", "/v3/projects/p/groups/g/roles"},
		{identityv3.UserActor("u"), identityv3.OnDomain("d"), nil, "/v3/domains/d/users/u/roles/r", "/v3/domains/d/users/u/roles"},
		{identityv3.GroupActor("g"), identityv3.OnDomain("d"), nil, "/v3/domains/d/groups/g/roles/r", "/v3/domains/d/groups/g/roles"},
		{identityv3.UserActor("u"), identityv3.OnSystem(), nil, "/v3/system/users/u/roles/r", "/v3/system/users/u/roles"},
		{identityv3.GroupActor("g"), identityv3.OnSystem(), nil, "/v3/system/groups/g/roles/r", "/v3/system/groups/g/roles"},
		{identityv3.UserActor("u"), identityv3.OnDomain("d"), inherited, "/v3/OS-INHERIT/domains/d/users/u/roles/r/inherited_to_projects", "/v3/OS-INHERIT/domains/d/users/u/roles/inherited_to_projects"},
		{identityv3.GroupActor("g"), identityv3.OnProject("p"), inherited, "/v3/OS-INHERIT/projects/p/groups/g/roles/r/inherited_to_projects", ""},
		// IDs are escaped as one path segment.
		{identityv3.UserActor("u/1"), identityv3.OnProject("p 1"), nil, "/v3/projects/p%201/users/u%2F1/roles/r", "/v3/projects/p%201/users/u%2F1/roles"},
	}
	for _, tc := range cases {
		reset()
		if err := c.Roles.Grant(ctx, "r", tc.a, tc.tg, tc.o...); err != nil {
			t.Fatal(err)
		}
		if err := c.Roles.Revoke(ctx, "r", tc.a, tc.tg, tc.o...); err != nil {
			t.Fatal(err)
		}
		if ok, err := c.Roles.HasGrant(ctx, "r", tc.a, tc.tg, tc.o...); err != nil || !ok {
			t.Fatal(ok, err)
		}
		want := []string{"PUT " + tc.path, "DELETE " + tc.path, "HEAD " + tc.path}
		roles, err := keystone.Collect(c.Roles.ListGrants(ctx, tc.a, tc.tg, tc.o...))
		if tc.list == "" {
			if !errors.Is(err, identityv3.ErrInvalidGrant) {
				t.Errorf("listing inherited project grants: %v", err)
			}
		} else {
			if err != nil || len(roles) != 1 || roles[0].Name != "reader" {
				t.Errorf("ListGrants %s: %+v %v", tc.list, roles, err)
			}
			want = append(want, "GET "+tc.list)
		}
		if got := reset(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v, want %v", got, want)
		}
	}
	reset()
	ok, err := c.Roles.HasGrant(ctx, "r", identityv3.UserActor("u"), identityv3.OnSystem(), identityv3.Inherited())
	for _, err := range []error{
		c.Roles.Grant(ctx, "r", identityv3.UserActor("u"), identityv3.OnSystem(), identityv3.Inherited()),
		c.Roles.Revoke(ctx, "r", identityv3.GroupActor("g"), identityv3.OnSystem(), identityv3.Inherited()),
		c.Roles.Grant(ctx, "r", identityv3.UserActor(""), identityv3.OnProject("p")),
		c.Roles.Grant(ctx, "r", identityv3.UserActor("u"), identityv3.OnProject("")),
		c.Roles.Grant(ctx, "r", identityv3.Actor{}, identityv3.Target{}),
		c.Roles.Grant(ctx, "", identityv3.UserActor("u"), identityv3.OnProject("p")),
		err,
	} {
		if !errors.Is(err, identityv3.ErrInvalidGrant) {
			t.Errorf("got %v, want ErrInvalidGrant", err)
		}
	}
	if ok {
		t.Error("HasGrant of an impossible grant is true")
	}
	if _, err := keystone.Collect(c.Roles.ListGrants(ctx, identityv3.UserActor("u"), identityv3.OnProject("p"), identityv3.Inherited())); !errors.Is(err, identityv3.ErrInvalidGrant) {
		t.Errorf("listing inherited project grants: %v", err)
	}
	if p := reset(); len(p) != 0 {
		t.Errorf("invalid grants made requests: %v", p)
	}
}

// HasGrant is false, with no error, when Keystone answers 404; Revoke of a
// grant that does not exist is ErrNotFound.
func TestGrantNotFound(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		if r.Method != http.MethodHead {
			fmt.Fprint(w, `{"error": {"code": 404, "title": "Not Found", "message": "Could not find role assignment."}}`)
		}
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	if ok, err := c.Roles.HasGrant(t.Context(), "r", identityv3.UserActor("u"), identityv3.OnProject("p")); ok || err != nil {
		t.Errorf("HasGrant: %v %v", ok, err)
	}
	isNotFound(t, c.Roles.Revoke(t.Context(), "r", identityv3.UserActor("u"), identityv3.OnProject("p")), "revoke")
}

// verifyOAuth1 checks an Authorization header the way a server does.
func verifyOAuth1(header, method, rawURL, consumerSecret, tokenSecret string) error {
	if !strings.HasPrefix(header, "OAuth ") {
		return errors.New("not an OAuth header")
	}
	params := map[string]string{}
	for _, kv := range strings.Split(strings.TrimPrefix(header, "OAuth "), ", ") {
		k, v, _ := strings.Cut(kv, "=")
		uv, err := url.PathUnescape(strings.Trim(v, `"`))
		if err != nil {
			return err
		}
		params[k] = uv
	}
	sig := params["oauth_signature"]
	delete(params, "oauth_signature")
	u, _ := url.Parse(rawURL)
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	var ps []string
	for k, v := range params {
		ps = append(ps, esc(k)+"="+esc(v))
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			ps = append(ps, esc(k)+"="+esc(v))
		}
	}
	sort.Strings(ps)
	base := u.Scheme + "://" + u.Host + u.Path
	sbs := method + "&" + esc(base) + "&" + esc(strings.Join(ps, "&"))
	mac := hmac.New(sha1.New, []byte(esc(consumerSecret)+"&"+esc(tokenSecret)))
	mac.Write([]byte(sbs))
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); want != sig {
		return fmt.Errorf("signature %s, want %s", sig, want)
	}
	return nil
}

// The signer's header verifies as a server checks it (RFC 5849 HMAC-SHA1),
// carries the extra parameters, uses a new nonce each time, and the signer
// does not print its secrets.
func TestOAuth1Signer(t *testing.T) {
	s := identityv3.OAuth1Signer{ConsumerKey: "ck", ConsumerSecret: "c secret&", Token: "tok", TokenSecret: "t/secret",
		Now: func() time.Time { return time.Unix(1700000000, 0) }}
	u := "http://keystone.example:5000/v3/OS-OAUTH1/access_token?x=1&y=a b"
	h, err := s.Authorization("POST", u, map[string]string{"oauth_verifier": "ABCDEFGH"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`oauth_consumer_key="ck"`, `oauth_token="tok"`, `oauth_verifier="ABCDEFGH"`, `oauth_signature_method="HMAC-SHA1"`, `oauth_timestamp="1700000000"`, `oauth_version="1.0"`} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %s: %s", want, h)
		}
	}
	if err := verifyOAuth1(h, "POST", u, "c secret&", "t/secret"); err != nil {
		t.Error(err)
	}
	if err := verifyOAuth1(h, "POST", u, "wrong", "t/secret"); err == nil {
		t.Error("a wrong secret verifies")
	}
	if err := verifyOAuth1(h, "GET", u, "c secret&", "t/secret"); err == nil {
		t.Error("another method verifies")
	}
	h2, _ := s.Authorization("POST", u, nil)
	if h == h2 {
		t.Error("two signatures share a nonce")
	}
	// Without a token there is no oauth_token, and the key is "secret&".
	s.Token, s.TokenSecret = "", ""
	h3, err := s.Authorization("POST", u, nil)
	if err != nil || strings.Contains(h3, "oauth_token=") {
		t.Errorf("no token: %s %v", h3, err)
	}
	if err := verifyOAuth1(h3, "POST", u, "c secret&", ""); err != nil {
		t.Error(err)
	}
	if _, err := s.Authorization("POST", "http://[::1", nil); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("a URL that does not parse: %v", err)
	}
	s.Token, s.TokenSecret = "tok", "t/secret"
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, s); strings.Contains(out, "c secret") || strings.Contains(out, "t/secret") {
			t.Errorf("%s prints a secret: %s", f, out)
		}
	}
}

// CreateRequestToken sends a signed request (oauth_callback oob, the project
// in Requested-Project-Id, no Keystone token) and parses the form-encoded
// answer.
func TestOAuth1RequestTokenParsing(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Method + " " + r.URL.Path + " | " + r.Header.Get("Authorization") + " | " + r.Header.Get("Requested-Project-Id") + " | " + r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.WriteHeader(201)
		fmt.Fprint(w, "oauth_token=rt1&oauth_token_secret=rs1&oauth_expires_at=2030-01-01T00:00:00.000000Z")
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	consumer := identityv3.OAuth1Signer{ConsumerKey: "ck", ConsumerSecret: "cs"}
	creds, err := c.OAuth1.CreateRequestToken(t.Context(), consumer, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if creds.Token != "rt1" || creds.TokenSecret != "rs1" || creds.ExpiresAt.Year() != 2030 {
		t.Errorf("creds %+v", creds)
	}
	got := auth.Load().(string)
	if !strings.HasPrefix(got, "POST /v3/OS-OAUTH1/request_token |") || !strings.Contains(got, `oauth_callback="oob"`) || !strings.Contains(got, "| p1 |") || !strings.HasSuffix(got, "| ") {
		t.Errorf("request: %s", got)
	}
	if err := verifyOAuth1(strings.Split(got, " | ")[1], "POST", srv.URL+"/v3/OS-OAUTH1/request_token", "cs", ""); err != nil {
		t.Error(err)
	}
	if s := fmt.Sprint(creds); strings.Contains(s, "rs1") {
		t.Errorf("credentials print their secret: %s", s)
	}
	if _, err := c.OAuth1.CreateRequestToken(t.Context(), consumer, ""); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("no project: %v", err)
	}

	// The access token, with the verifier, signed with the request token.
	consumer.Token, consumer.TokenSecret = creds.Token, creds.TokenSecret
	at, err := c.OAuth1.CreateAccessToken(t.Context(), consumer, "VERIFIER")
	if err != nil || at.Token != "rt1" {
		t.Fatalf("%v %v", at, err)
	}
	got = auth.Load().(string)
	if !strings.HasPrefix(got, "POST /v3/OS-OAUTH1/access_token |") || !strings.Contains(got, `oauth_verifier="VERIFIER"`) || !strings.Contains(got, `oauth_token="rt1"`) {
		t.Errorf("request: %s", got)
	}
	if err := verifyOAuth1(strings.Split(got, " | ")[1], "POST", srv.URL+"/v3/OS-OAUTH1/access_token", "cs", "rs1"); err != nil {
		t.Error(err)
	}
}

// An answer without the token or its secret is an invalid response.
func TestOAuth1CredentialsMissing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		fmt.Fprint(w, "oauth_token=rt1")
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	_, err := c.OAuth1.CreateRequestToken(t.Context(), identityv3.OAuth1Signer{ConsumerKey: "ck", ConsumerSecret: "cs"}, "p1")
	var ir *keystone.InvalidResponseError
	if !errors.As(err, &ir) {
		t.Errorf("got %v, want an InvalidResponseError", err)
	}
}

// tokenServer answers token validations with a fixed token body, recording
// the query and subject of each.
func tokenServer(t *testing.T) (*httptest.Server, *atomic.Value, *atomic.Value) {
	var query, subject atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.Method + " " + r.URL.RawQuery)
		subject.Store(r.Header.Get("X-Subject-Token"))
		if r.Header.Get("X-Subject-Token") == "bad" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			if r.Method != http.MethodHead {
				fmt.Fprint(w, `{"error": {"code": 404, "title": "Not Found", "message": "Could not find token."}}`)
			}
			return
		}
		switch r.Method {
		case http.MethodHead:
			w.WriteHeader(200)
		case http.MethodDelete:
			w.WriteHeader(204)
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"token": {"methods": ["password"], "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "D"}},
			"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00Z", "issued_at": "2029-01-01T00:00:00Z"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &query, &subject
}

// Validate, Check and Revoke send the token in X-Subject-Token, never in
// the URL; a false flag is not sent; an invalid token is ErrNotFound for
// Validate and Revoke, false for Check.
func TestTokensValidateFlags(t *testing.T) {
	srv, query, subject := tokenServer(t)
	c := adminTokenClient(t, srv.URL)
	ctx := t.Context()
	ai, err := c.Tokens.Validate(ctx, "subject-tok", &identityv3.ValidateOptions{NoCatalog: true})
	if err != nil || ai.Token() != "subject-tok" || ai.User.ID != "u" {
		t.Fatalf("%v %v", ai, err)
	}
	if q := query.Load().(string); q != "GET nocatalog=" {
		t.Errorf("query %q (allow_expired must not be sent when false)", q)
	}
	if _, err := c.Tokens.Validate(ctx, "subject-tok", &identityv3.ValidateOptions{AllowExpired: true}); err != nil {
		t.Fatal(err)
	}
	if q := query.Load().(string); q != "GET allow_expired=true" {
		t.Errorf("query %q", q)
	}
	if _, err := c.Tokens.Validate(ctx, "subject-tok", nil); err != nil {
		t.Fatal(err)
	}
	if q := query.Load().(string); q != "GET " {
		t.Errorf("query %q", q)
	}
	if ok, err := c.Tokens.Check(ctx, "subject-tok", true); !ok || err != nil {
		t.Errorf("Check: %v %v", ok, err)
	}
	if q, s := query.Load().(string), subject.Load().(string); q != "HEAD allow_expired=true" || s != "subject-tok" {
		t.Errorf("check sent %q, subject %q", q, s)
	}
	if ok, err := c.Tokens.Check(ctx, "bad", false); ok || err != nil {
		t.Errorf("Check of an invalid token: %v %v", ok, err)
	}
	if err := c.Tokens.Revoke(ctx, "subject-tok"); err != nil {
		t.Error(err)
	}
	if q, s := query.Load().(string), subject.Load().(string); q != "DELETE " || s != "subject-tok" {
		t.Errorf("revoke sent %q, subject %q", q, s)
	}
	isNotFound(t, c.Tokens.Revoke(ctx, "bad"), "revoke an invalid token")
	_, err = c.Tokens.Validate(ctx, "bad", nil)
	isNotFound(t, err, "validate an invalid token")
	if strings.Contains(fmt.Sprint(err), "bad") {
		t.Errorf("the error shows the subject token: %v", err)
	}
	// An empty token fails before any request.
	subject.Store("none")
	_, err1 := c.Tokens.Validate(ctx, "", nil)
	_, err2 := c.Tokens.Check(ctx, "", false)
	err3 := c.Tokens.Revoke(ctx, "")
	for _, err := range []error{err1, err2, err3} {
		if !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("empty token: %v", err)
		}
	}
	if s := subject.Load().(string); s != "none" {
		t.Errorf("an empty token was sent")
	}
}

// IssueOAuth2 sends the client credentials grant with HTTP basic auth and
// no Keystone token.
func TestIssueOAuth2(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, secret, _ := r.BasicAuth()
		got.Store(fmt.Sprintf("%s %s %s %s %s %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"), id+":"+secret, body, r.Header.Get("X-Auth-Token")))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token": "the-token", "token_type": "Bearer", "expires_in": 3600}`)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	tok, err := c.Tokens.IssueOAuth2(t.Context(), "app-id", "app-secret")
	if err != nil || tok.AccessToken != "the-token" || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 {
		t.Fatalf("%+v %v", tok, err)
	}
	if g := got.Load().(string); g != `POST /v3/OS-OAUTH2/token application/x-www-form-urlencoded app-id:app-secret grant_type=client_credentials ""` {
		t.Errorf("request: %s", g)
	}
	if _, err := c.Tokens.IssueOAuth2(t.Context(), "app-id", ""); !errors.Is(err, keystone.ErrInvalidArgument) {
		t.Errorf("no secret: %v", err)
	}
}

// Users.List follows three pages.
func TestListIteratesOverPagesForUsers(t *testing.T) {
	var n atomic.Int64
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		next := "null"
		if page < 3 {
			next = fmt.Sprintf("%q", srv.URL+"/v3/users?page="+fmt.Sprint(page+1))
		}
		fmt.Fprintf(w, `{"users": [{"id": "u%d", "name": "n", "domain_id": "d", "enabled": true, "password_expires_at": null, "options": {}, "links": {"self": "x"}, "email": "u%d@example.com"}],
			"links": {"self": "x", "next": %s, "previous": null}}`, page, page, next)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	us, err := keystone.Collect(c.Users.List(t.Context(), nil))
	if err != nil || len(us) != 3 || us[2].ID != "u3" {
		t.Fatalf("%+v %v", us, err)
	}
	if us[1].Extra["email"] != "u2@example.com" || len(us[1].Extra) != 1 {
		t.Errorf("extra members of the second page: %v", us[1].Extra)
	}
}

// A list answer without its collection is an invalid response, not an
// empty list.
func TestListWithoutCollection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"links": {"self": "x", "next": null}}`)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	_, err := keystone.Collect(c.Users.List(t.Context(), nil))
	var ir *keystone.InvalidResponseError
	if !errors.As(err, &ir) {
		t.Errorf("got %v, want an InvalidResponseError", err)
	}
}

// An empty path parameter is an error before any request: "/v3/users/" is
// another resource.
func TestEmptyPathParameter(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	ctx := t.Context()
	_, err1 := c.Users.Get(ctx, "")
	err2 := c.Projects.Delete(ctx, "")
	_, err3 := c.Projects.HasTag(ctx, "p", "")
	_, err4 := keystone.Collect(c.Users.ListGroups(ctx, "", nil))
	_, err5 := c.ApplicationCredentials.Get(ctx, "u", "")
	for i, err := range []error{err1, err2, err3, err4, err5} {
		if !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("call %d: %v", i+1, err)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d requests", n.Load())
	}
}

// The managers on the in-memory Keystone: a user's default project cleared
// with an explicit null, extra members kept both ways, Null refused before
// any request.
func TestFakeNullAndExtra(t *testing.T) {
	ks, c := fakeClient(t)
	ctx := t.Context()
	p := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: "web", DomainID: new(ks.DomainID), Description: new("the web team"),
		Extra: map[string]any{"ct_extra": "kept", "ct_n": 1.5}}))
	if p.Extra["ct_extra"] != "kept" || p.Extra["ct_n"] != 1.5 || p.Description == nil || *p.Description != "the web team" {
		t.Errorf("created %+v", p)
	}
	if got := must(c.Projects.Get(ctx, p.ID, nil)); got.Extra["ct_extra"] != "kept" {
		t.Errorf("get: extra %v", got.Extra)
	}
	listed := collect(c.Projects.List(ctx, &identityv3.ListProjectsOptions{Name: new("web")}))
	if len(listed) != 1 || listed[0].Extra["ct_extra"] != "kept" {
		t.Errorf("list: %+v", listed)
	}
	if f := must(c.Projects.Find(ctx, "web", nil)); f.ID != p.ID || f.Extra["ct_extra"] != "kept" {
		t.Errorf("find: %+v", f)
	}

	u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: "alice", DomainID: new(ks.DomainID), DefaultProjectID: new(p.ID),
		Description: new("d"), Password: new("pw-not-shown"), Extra: map[string]any{"email": "alice@example.com"}}))
	if u.DefaultProjectID == nil || *u.DefaultProjectID != p.ID || u.Extra["email"] != "alice@example.com" {
		t.Fatalf("created %+v", u)
	}
	upd := must(c.Users.Update(ctx, u.ID, identityv3.UserUpdate{Null: []string{"default_project_id"}}))
	if upd.DefaultProjectID != nil {
		t.Errorf("update answered default_project_id %q", *upd.DefaultProjectID)
	}
	if got := must(c.Users.Get(ctx, u.ID)); got.DefaultProjectID != nil || got.Extra["email"] != "alice@example.com" {
		t.Errorf("after clearing: %+v", got)
	}
	if body := lastBody(t, ks, "PATCH /v3/users/"+u.ID); body != `{"user":{"default_project_id":null}}` {
		t.Errorf("sent %s", body)
	}

	// Null refused before any request.
	before := ks.RequestCount("")
	nullErrors(t, c, p.ID, u.ID)
	if n := ks.RequestCount("") - before; n != 0 {
		t.Errorf("%d requests for refused bodies", n)
	}
}

// lastBody is the body of the last request matching pattern.
func lastBody(t *testing.T, ks interface{ LastRequest(string) *http.Request }, pattern string) string {
	t.Helper()
	r := ks.LastRequest(pattern)
	if r == nil {
		t.Fatalf("no request %s", pattern)
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// nullErrors checks that Null naming a member that cannot be null, or one
// also set, and an Extra naming a declared member, fail with
// ErrInvalidArgument (before any request: the caller counts them).
func nullErrors(t *testing.T, c *identityv3.Client, projectID, userID string) {
	t.Helper()
	ctx := t.Context()
	_, err1 := c.Users.Update(ctx, userID, identityv3.UserUpdate{Null: []string{"name"}})
	_, err2 := c.Users.Update(ctx, userID, identityv3.UserUpdate{DefaultProjectID: new(projectID), Null: []string{"default_project_id"}})
	_, err3 := c.Projects.Update(ctx, projectID, identityv3.ProjectUpdate{Null: []string{"enabled"}})
	_, err4 := c.Projects.Update(ctx, projectID, identityv3.ProjectUpdate{Description: new("x"), Null: []string{"description"}})
	_, err5 := c.Projects.Update(ctx, projectID, identityv3.ProjectUpdate{Extra: map[string]any{"name": "x"}})
	_, err6 := c.Projects.Create(ctx, identityv3.ProjectCreate{Name: "x", Null: []string{"no_such_member"}})
	_, err7 := c.ApplicationCredentials.Create(ctx, userID, identityv3.ApplicationCredentialCreate{Name: "x", Null: []string{"name"}})
	_, err8 := c.Users.Update(ctx, userID, identityv3.UserUpdate{Extra: map[string]any{"Default_Project_ID": "x"}})
	for i, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8} {
		if !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("body %d: got %v, want ErrInvalidArgument", i+1, err)
		}
	}
}

// NewClient finds the identity endpoint of the auth URL when the catalog
// has one in each of five regions, on the in-memory Keystone.
func TestFakeNewClientManyRegions(t *testing.T) {
	ks, admin := fakeClient(t)
	ctx := t.Context()
	regions := []string{"RegionTwo", "RegionThree", "RegionFour", "RegionFive"}
	identityRegions(t, admin, regions, regionURL)

	// A fresh session: its token's catalog has the five identity endpoints.
	s := newSession(t, keystone.WithAuth(fakeAuth(t, ks)))
	ai, err := s.Auth().Access(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ep := range ai.Catalog().Endpoints() {
		if ep.ServiceType == "identity" && ep.Interface == "public" {
			n++
		}
	}
	if n != 5 {
		t.Fatalf("the token's catalog has %d public identity endpoints, want 5", n)
	}
	c, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() != ks.URL {
		t.Errorf("Endpoint() = %q, want the auth URL's %q", c.Endpoint(), ks.URL)
	}
	ps, err := keystone.Collect(c.Projects.List(ctx, nil))
	if err != nil || len(ps) == 0 {
		t.Errorf("list projects: %v %v", ps, err)
	}
	// A region picks its own endpoint.
	cr, err := identityv3.NewClient(ctx, s, keystone.EndpointFilter{Region: "RegionThree"})
	if err != nil || cr.Endpoint() != "http://127.0.0.1:1/region3" {
		t.Errorf("RegionThree: %v %v", cr, err)
	}
}

// The managers the in-memory Keystone serves, end to end.
func TestFakeManagers(t *testing.T) {
	ks, c := fakeClient(t)
	ctx := t.Context()

	d := must(c.Domains.Create(ctx, identityv3.DomainCreate{Name: "dom", Description: new("it")}))
	if f := must(c.Domains.Find(ctx, "dom", nil)); f.ID != d.ID {
		t.Errorf("find domain: %s", f.ID)
	}
	if u := must(c.Domains.Update(ctx, d.ID, identityv3.DomainUpdate{Null: []string{"description"}})); u.Description != nil && *u.Description != "" {
		t.Errorf("domain description not cleared: %q", *u.Description)
	}
	if err := c.Domains.Delete(ctx, d.ID); !errors.Is(err, keystone.ErrForbidden) {
		t.Errorf("deleting an enabled domain: %v", err)
	}
	must(c.Domains.Update(ctx, d.ID, identityv3.DomainUpdate{Enabled: new(false)}))
	if err := c.Domains.Delete(ctx, d.ID); err != nil {
		t.Error(err)
	}

	p := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: "parent", DomainID: new(ks.DomainID), Tags: []string{"a"}}))
	child := must(c.Projects.Create(ctx, identityv3.ProjectCreate{Name: "child", DomainID: new(ks.DomainID), ParentID: new(p.ID)}))
	if got := must(c.Projects.Get(ctx, p.ID, &identityv3.GetProjectOptions{SubtreeAsList: true})); got.Subtree == nil || got.Parents != nil {
		t.Errorf("subtree flag: %+v", got)
	}
	must(c.Projects.ReplaceTags(ctx, p.ID, []string{"x", "y"}))
	if err := c.Projects.AddTag(ctx, p.ID, "z"); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Projects.HasTag(ctx, p.ID, "z")); !ok {
		t.Error("HasTag z")
	}
	if ok := must(c.Projects.HasTag(ctx, p.ID, "nope")); ok {
		t.Error("HasTag nope")
	}
	if tags := collect(c.Projects.ListTags(ctx, p.ID)); strings.Join(tags, ",") != "x,y,z" {
		t.Errorf("tags %v", tags)
	}
	if err := c.Projects.DeleteTags(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if tags := collect(c.Projects.ListTags(ctx, p.ID)); len(tags) != 0 {
		t.Errorf("tags left: %v", tags)
	}
	if err := c.Projects.Delete(ctx, child.ID); err != nil {
		t.Fatal(err)
	}
	_, err := c.Projects.Get(ctx, child.ID, nil)
	isNotFound(t, err, "deleted project")

	pw := "pw-" + uniqueName("x")
	u := must(c.Users.Create(ctx, identityv3.UserCreate{Name: "bob", DomainID: new(ks.DomainID), Password: new(pw)}))
	g := must(c.Groups.Create(ctx, identityv3.GroupCreate{Name: "devs", DomainID: new(ks.DomainID)}))
	if err := c.Groups.AddUser(ctx, g.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Groups.HasUser(ctx, g.ID, u.ID)); !ok {
		t.Error("HasUser")
	}
	if ms := collect(c.Groups.ListUsers(ctx, g.ID, nil)); len(ms) != 1 || ms[0].ID != u.ID {
		t.Errorf("members %+v", ms)
	}
	if gs := collect(c.Users.ListGroups(ctx, u.ID, nil)); len(gs) != 1 || gs[0].ID != g.ID {
		t.Errorf("groups %+v", gs)
	}
	role := must(c.Roles.Create(ctx, identityv3.RoleCreate{Name: "deployer"}))
	if err := c.Roles.Grant(ctx, role.ID, identityv3.GroupActor(g.ID), identityv3.OnProject(p.ID)); err != nil {
		t.Fatal(err)
	}
	as := collect(c.RoleAssignments.List(ctx, &identityv3.ListRoleAssignmentsOptions{UserID: &u.ID, Effective: true, IncludeNames: true}))
	if len(as) != 1 || as[0].Role.Name == nil || *as[0].Role.Name != "deployer" || as[0].Scope.Project == nil || as[0].Scope.Project.ID != p.ID {
		t.Errorf("effective assignments: %+v", as)
	}
	if ps := collect(c.Users.ListProjects(ctx, u.ID, nil)); !contains(ps, func(x identityv3.Project) string { return x.ID }, p.ID) {
		t.Errorf("user's projects: %+v", ps)
	}
	// The user changes its own password (no token needed).
	if err := c.Users.ChangePassword(ctx, u.ID, identityv3.UserPasswordChange{OriginalPassword: "wrong", Password: "x"}); !errors.Is(err, keystone.ErrUnauthorized) {
		t.Errorf("wrong original password: %v", err)
	}
	if err := c.Users.ChangePassword(ctx, u.ID, identityv3.UserPasswordChange{OriginalPassword: pw, Password: pw + "2"}); err != nil {
		t.Error(err)
	}
	if err := c.Groups.RemoveUser(ctx, g.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Groups.HasUser(ctx, g.ID, u.ID)); ok {
		t.Error("still a member")
	}
	if _, err := c.Users.Find(ctx, "no-such-user", &identityv3.ListUsersOptions{DomainID: new(ks.DomainID)}); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("find ghost user: %v", err)
	}
	if err := c.Roles.Revoke(ctx, role.ID, identityv3.GroupActor(g.ID), identityv3.OnProject(p.ID)); err != nil {
		t.Error(err)
	}
	if err := c.Roles.Revoke(ctx, role.ID, identityv3.GroupActor(g.ID), identityv3.OnProject(p.ID)); !errors.Is(err, keystone.ErrNotFound) {
		t.Errorf("revoking again: %v", err)
	}

	// Tokens: validate, check, revoke one of the administrator's.
	s := newSession(t, keystone.WithAuth(fakeAuth(t, ks)))
	subject, err := s.Auth().Token(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	ai := must(c.Tokens.Validate(ctx, subject, &identityv3.ValidateOptions{NoCatalog: true}))
	if ai.Token() != subject || ai.User.Name != ks.AdminUser {
		t.Errorf("validated %v", ai)
	}
	if ok := must(c.Tokens.Check(ctx, subject, false)); !ok {
		t.Error("Check")
	}
	if err := c.Tokens.Revoke(ctx, subject); err != nil {
		t.Fatal(err)
	}
	if ok := must(c.Tokens.Check(ctx, subject, false)); ok {
		t.Error("a revoked token checks valid")
	}
	_, err = c.Tokens.Validate(ctx, subject, nil)
	isNotFound(t, err, "validate revoked")

	if cat := collect(c.Auth.ListCatalog(ctx)); len(cat) == 0 {
		t.Error("empty catalog")
	}
	if ps := collect(c.Auth.ListProjects(ctx)); !contains(ps, func(x identityv3.Project) string { return x.Name }, ks.AdminProject) {
		t.Errorf("auth projects: %+v", ps)
	}
}

// The request body is the JSON of the wire form (secrets included) with the
// extra members and nulls, in a fixed order.
func TestRequestBodyShape(t *testing.T) {
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body.Store(string(b))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		fmt.Fprint(w, `{"user": {"id": "u", "name": "alice", "domain_id": "default", "enabled": true, "password_expires_at": null, "options": {}, "links": {"self": "x"}, "z": [1, {"k": "v"}], "a": null}}`)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	u, err := c.Users.Create(t.Context(), identityv3.UserCreate{Name: "alice", Password: new("s3cret"), Extra: map[string]any{"z": 1, "a": "x"}, Null: []string{"description", "default_project_id"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := body.Load().(string), `{"user":{"name":"alice","password":"s3cret","a":"x","z":1,"default_project_id":null,"description":null}}`; got != want {
		t.Errorf("body\n %s, want\n %s", got, want)
	}
	var wantExtra any
	json.Unmarshal([]byte(`{"z": [1, {"k": "v"}], "a": null}`), &wantExtra)
	if fmt.Sprint(u.Extra) != fmt.Sprint(wantExtra) {
		t.Errorf("extra %v, want %v", u.Extra, wantExtra)
	}
}

// Keystone answers a HEAD with the Content-Length the GET's body would have
// (and no body, as HEAD requires): a check must still be true.
func TestCheckHeadWithContentLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "263")
		w.WriteHeader(200)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	ctx := t.Context()
	ok1, err1 := c.Tokens.Check(ctx, "subject", false)
	ok2, err2 := c.EndpointGroups.HasProject(ctx, "eg", "p")
	ok3, err3 := c.Roles.HasGrant(ctx, "r", identityv3.UserActor("u"), identityv3.OnProject("p"))
	for i, r := range []struct {
		ok  bool
		err error
	}{{ok1, err1}, {ok2, err2}, {ok3, err3}} {
		if !r.ok || r.err != nil {
			t.Errorf("check %d: %v %v", i+1, r.ok, r.err)
		}
	}
}

// The federation calls (hand-written): paths, methods, bodies, and the
// arguments refused before any request.
func TestFederationRequests(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, strings.TrimSpace(fmt.Sprintf("%s %s %s", r.Method, r.URL.RequestURI(), b)))
		mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/auth"), strings.HasSuffix(r.URL.Path, "tokens"):
			w.Header().Set("X-Subject-Token", "fed-token")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			fmt.Fprint(w, `{"token": {"methods": ["mapped"], "user": {"id": "u", "name": "n", "domain": {"id": "Federated", "name": "Federated"}},
				"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00Z", "issued_at": "2029-01-01T00:00:00Z"}}`)
		default:
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, "<xml/>")
		}
	}))
	defer srv.Close()
	last := func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(got) == 0 {
			return ""
		}
		return got[len(got)-1]
	}
	c := adminTokenClient(t, srv.URL)
	ctx := t.Context()
	for _, post := range []bool{false, true} {
		ai, err := c.Federation.Authenticate(ctx, "idp 1", "mapped", post)
		if err != nil || ai.Token() != "fed-token" || ai.User.ID != "u" {
			t.Fatalf("%v %v", ai, err)
		}
		want := map[bool]string{false: "GET", true: "POST"}[post] + " /v3/OS-FEDERATION/identity_providers/idp%201/protocols/mapped/auth"
		if l := last(); l != want {
			t.Errorf("sent %q, want %q", l, want)
		}
	}
	if page, err := c.Federation.WebSSO(ctx, "", "saml2", "https://dash/auth/websso/"); err != nil || page != "<xml/>" {
		t.Errorf("%q %v", page, err)
	}
	if l := last(); l != "GET /v3/auth/OS-FEDERATION/websso/saml2?origin=https%3A%2F%2Fdash%2Fauth%2Fwebsso%2F" {
		t.Errorf("sent %q", l)
	}
	if _, err := c.Federation.WebSSO(ctx, "idp", "saml2", "o"); err != nil {
		t.Error(err)
	}
	if l := last(); l != "GET /v3/auth/OS-FEDERATION/identity_providers/idp/protocols/saml2/websso?origin=o" {
		t.Errorf("sent %q", l)
	}
	const samlBody = `{"auth":{"identity":{"methods":["token"],"token":{"id":"tok"}},"scope":{"service_provider":{"id":"sp"}}}}`
	if x, err := c.Federation.SAML2Assertion(ctx, "sp", "tok"); err != nil || x != "<xml/>" {
		t.Errorf("%q %v", x, err)
	}
	if l := last(); l != "POST /v3/auth/OS-FEDERATION/saml2 "+samlBody {
		t.Errorf("sent %q", l)
	}
	if _, err := c.Federation.ECPAssertion(ctx, "sp", "tok"); err != nil {
		t.Error(err)
	}
	if l := last(); l != "POST /v3/auth/OS-FEDERATION/saml2/ecp "+samlBody {
		t.Errorf("sent %q", l)
	}
	if _, err := c.EC2Credentials.ValidateS3(ctx, identityv3.S3TokenCredentials{Access: "a", Signature: "s", Token: "dA=="}); err != nil {
		t.Error(err)
	}
	if l := last(); l != `POST /v3/s3tokens {"credentials":{"access":"a","signature":"s","token":"dA=="}}` {
		t.Errorf("sent %q", l)
	}
	if _, err := c.EC2Credentials.Validate(ctx, identityv3.EC2TokenCredentials{Access: "a", Signature: "s", Host: new("h")}); err != nil {
		t.Error(err)
	}
	if l := last(); l != `POST /v3/ec2tokens {"credentials":{"access":"a","host":"h","signature":"s","params":{}}}` {
		t.Errorf("sent %q", l)
	}

	n := len(got)
	_, err1 := c.Federation.Authenticate(ctx, "", "mapped", false)
	_, err2 := c.Federation.WebSSO(ctx, "", "saml2", "")
	_, err3 := c.Federation.WebSSO(ctx, "", "", "o")
	_, err4 := c.Federation.SAML2Assertion(ctx, "", "tok")
	_, err5 := c.Federation.ECPAssertion(ctx, "sp", "")
	for i, err := range []error{err1, err2, err3, err4, err5} {
		if !errors.Is(err, keystone.ErrInvalidArgument) {
			t.Errorf("call %d: %v", i+1, err)
		}
	}
	if len(got) != n {
		t.Errorf("refused calls made requests: %v", got[n:])
	}
}

// A page of projects decodes as encoding/json decodes it, each project with
// the members Project does not declare in Extra (what the old per-type fast
// decoder was checked against).
func TestProjectPageDecoding(t *testing.T) {
	known := map[string]bool{}
	for f := range reflect.TypeFor[identityv3.Project]().Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "-" && name != "" {
			known[strings.ToLower(name)] = true
		}
	}
	cases := []string{
		`{"projects": [], "links": {"self": "x", "next": null, "previous": null}}`,
		`{"projects": [{"id": "p1", "name": "a", "domain_id": "default", "description": "d", "enabled": true,
			"parent_id": "default", "is_domain": false, "tags": ["t1", "t2"], "options": {},
			"links": {"self": "http://k/v3/projects/p1"}}], "links": {"self": "x", "next": null, "previous": null}}`,
		`{"projects": [{"id": "p2", "name": "b", "domain_id": null, "description": null, "parent_id": null, "tags": [], "options": {"immutable": true}}]}`,
		`{"projects": [{"id": "p3", "name": "c"}, null, {"id": "p4", "x": 1}]}`,
		`{"projects": [{"id": "p5", "name": "e", "email": "x@y", "n": 1.5, "b": true, "nil": null, "obj": {"a": [1, {"b": "}]"}]},
			"arr": ["\"quoted\"", "\\back", "\u00e9t\u00e9"], "extra": {"k": "v"}}]}`,
		`{"projects": [{"id": "p6", "Name": "case differs", "name": "n"}]}`,
		`{"projects": [{"id": "p7", "na\u006de": "escaped key", "k\u00e9y": "extra with escape"}]}`,
		`{"projects": [{"id": "p8", "parents": [{"project": {"id": "x"}}], "subtree": {"c": null}}]}`,
		` { "projects" : [ { "id" : "p9" , "description" : "caf\u00e9 \"x\" \n" , "x" : [ ] } ] , "links" : { "self" : "s" } } `,
		`{"Projects": [{"id": "p10"}]}`,
		`{"projects": [{"id": "p11", "dup": 1, "dup": 2, "name": "a", "name": "b"}]}`,
		`{"projects": [{"id": "p12", "description": "\udc00 lone surrogate", "tags": null}]}`,
		"{\"projects\": [{\"id\": \"p13\", \"description\": \"invalid \xff utf8\"}]}",
		// Not a page of projects: errors.
		`{"projects": [{"id": 5}]}`,
		`{"projects": [{"enabled": "yes"}]}`,
		`{"projects": {}}`,
		`{"projects": [1]}`,
		`{"projects": null, "links": {"self": "x"}}`,
		`{"links": {"self": "x", "next": null}}`,
		`not json`,
		`null`,
		`[]`,
	}
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body.Load().(string))
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	for _, data := range cases {
		body.Store(data)
		got, err := keystone.Collect(c.Projects.List(t.Context(), nil))
		// The reference: encoding/json for the declared members, and the
		// members of each object no field takes.
		var page struct {
			Projects []identityv3.Project `json:"projects"`
		}
		var raw struct {
			Projects []map[string]any `json:"projects"`
		}
		werr := json.Unmarshal([]byte(data), &page)
		if werr == nil && page.Projects == nil {
			werr = errors.New("no collection")
		}
		if (err == nil) != (werr == nil) {
			t.Errorf("%s:\n error %v, encoding/json %v", data, err, werr)
			continue
		}
		if err != nil {
			var ir *keystone.InvalidResponseError
			if !errors.As(err, &ir) {
				t.Errorf("%s: %v is not an InvalidResponseError", data, err)
			}
			continue
		}
		json.Unmarshal([]byte(data), &raw)
		want := page.Projects
		for i, m := range raw.Projects {
			for k, v := range m {
				if !known[strings.ToLower(k)] {
					if want[i].Extra == nil {
						want[i].Extra = map[string]any{}
					}
					want[i].Extra[k] = v
				}
			}
		}
		if len(want) == 0 {
			want = []identityv3.Project{}
		}
		if got == nil {
			got = []identityv3.Project{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got  %#v\n want %#v", data, got, want)
		}
	}
}
