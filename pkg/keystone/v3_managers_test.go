package keystone_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/pkg/keystone"
)

func TestGrantCombinations(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		w.WriteHeader(204)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	ctx := t.Context()
	cases := []struct {
		a    keystone.Actor
		tg   keystone.Target
		o    []keystone.GrantOption
		path string
	}{
		{keystone.UserActor("u"), keystone.OnProject("p"), nil, "/v3/projects/p/users/u/roles/r"},
		{keystone.GroupActor("g"), keystone.OnProject("p"), nil, "/v3/projects/p/groups/g/roles/r"},
		{keystone.UserActor("u"), keystone.OnDomain("d"), nil, "/v3/domains/d/users/u/roles/r"},
		{keystone.GroupActor("g"), keystone.OnDomain("d"), nil, "/v3/domains/d/groups/g/roles/r"},
		{keystone.UserActor("u"), keystone.OnSystem(), nil, "/v3/system/users/u/roles/r"},
		{keystone.GroupActor("g"), keystone.OnSystem(), nil, "/v3/system/groups/g/roles/r"},
		{keystone.UserActor("u"), keystone.OnDomain("d"), []keystone.GrantOption{keystone.Inherited()}, "/v3/OS-INHERIT/domains/d/users/u/roles/r/inherited_to_projects"},
		{keystone.GroupActor("g"), keystone.OnProject("p"), []keystone.GrantOption{keystone.Inherited()}, "/v3/OS-INHERIT/projects/p/groups/g/roles/r/inherited_to_projects"},
	}
	for _, tc := range cases {
		paths = nil
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
		if fmt.Sprint(paths) != fmt.Sprint(want) {
			t.Errorf("got %v, want %v", paths, want)
		}
	}
	paths = nil
	for _, err := range []error{
		c.Roles.Grant(ctx, "r", keystone.UserActor("u"), keystone.OnSystem(), keystone.Inherited()),
		c.Roles.Grant(ctx, "r", keystone.UserActor(""), keystone.OnProject("p")),
	} {
		if !errors.Is(err, keystone.ErrInvalidGrant) {
			t.Errorf("got %v, want ErrInvalidGrant", err)
		}
	}
	if _, err := c.Roles.ListGrantsAll(ctx, keystone.UserActor("u"), keystone.OnProject("p"), keystone.Inherited()); !errors.Is(err, keystone.ErrInvalidGrant) {
		t.Errorf("listing inherited project grants: %v", err)
	}
	if len(paths) != 0 {
		t.Errorf("invalid grants made requests: %v", paths)
	}
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

func TestOAuth1Signer(t *testing.T) {
	s := keystone.OAuth1Signer{ConsumerKey: "ck", ConsumerSecret: "c secret&", Token: "tok", TokenSecret: "t/secret",
		Now: func() time.Time { return time.Unix(1700000000, 0) }}
	u := "http://keystone.example:5000/v3/OS-OAUTH1/access_token?x=1&y=a b"
	h, err := s.Authorization("POST", u, map[string]string{"oauth_verifier": "ABCDEFGH"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`oauth_consumer_key="ck"`, `oauth_token="tok"`, `oauth_verifier="ABCDEFGH"`, `oauth_signature_method="HMAC-SHA1"`, `oauth_timestamp="1700000000"`} {
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
	h2, _ := s.Authorization("POST", u, nil)
	if h == h2 {
		t.Error("two signatures share a nonce")
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, s); strings.Contains(out, "c secret") || strings.Contains(out, "t/secret") {
			t.Errorf("%s prints a secret: %s", f, out)
		}
	}
}

func TestOAuth1RequestTokenParsing(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization") + " | " + r.Header.Get("Requested-Project-Id") + " | " + r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
		w.WriteHeader(201)
		fmt.Fprint(w, "oauth_token=rt1&oauth_token_secret=rs1&oauth_expires_at=2030-01-01T00:00:00.000000Z")
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	creds, err := c.OAuth1.CreateRequestToken(t.Context(), keystone.OAuth1Signer{ConsumerKey: "ck", ConsumerSecret: "cs"}, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if creds.Token != "rt1" || creds.TokenSecret != "rs1" || creds.ExpiresAt.Year() != 2030 {
		t.Errorf("creds %+v", creds)
	}
	got := auth.Load().(string)
	if !strings.Contains(got, `oauth_callback="oob"`) || !strings.Contains(got, "| p1 |") || strings.HasSuffix(got, "tok") {
		t.Errorf("request: %s", got)
	}
	if strings.Contains(creds.String(), "rs1") {
		t.Error("credentials print their secret")
	}
}

func TestTokensValidateFlags(t *testing.T) {
	var query, subject atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.URL.RawQuery)
		subject.Store(r.Header.Get("X-Subject-Token"))
		w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"token": {"methods": ["password"], "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "D"}},
			"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00Z", "issued_at": "2029-01-01T00:00:00Z"}}`)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	ai, err := c.Tokens.Validate(t.Context(), "subject-tok", &keystone.ValidateOptions{NoCatalog: true})
	if err != nil || ai.Token() != "subject-tok" || ai.User.ID != "u" {
		t.Fatalf("%v %v", ai, err)
	}
	if q := query.Load().(string); q != "nocatalog=" {
		t.Errorf("query %q (allow_expired must not be sent when false)", q)
	}
	_, _ = c.Tokens.Validate(t.Context(), "subject-tok", &keystone.ValidateOptions{AllowExpired: true})
	if q := query.Load().(string); q != "allow_expired=true" {
		t.Errorf("query %q", q)
	}
	var _ identityv3.Token
}

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
		fmt.Fprintf(w, `{"users": [{"id": "u%d", "name": "n", "domain_id": "d", "enabled": true, "password_expires_at": null, "options": {}, "links": {"self": "x"}}],
			"links": {"self": "x", "next": %s, "previous": null}}`, page, next)
	}))
	defer srv.Close()
	c := adminTokenClient(t, srv.URL)
	us, err := c.Users.ListAll(t.Context(), nil)
	if err != nil || len(us) != 3 || us[2].ID != "u3" {
		t.Fatalf("%+v %v", us, err)
	}
}
