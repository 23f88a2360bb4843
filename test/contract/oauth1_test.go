//go:build integration

package contract

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	v3 "github.com/gokeystone/keystone/gen/identityv3"
)

// OAuth 1.0a request signing (RFC 5849), with HMAC-SHA1, the only method
// Keystone supports.

// oauth1Escape percent-encodes s as RFC 5849 section 3.6 says: every byte but
// the unreserved characters, with upper-case hex digits.
func oauth1Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// oauth1Param is one request parameter (oauth_*, query or form body).
type oauth1Param struct{ name, value string }

// oauth1BaseString returns the signature base string of a request (RFC 5849
// section 3.4.1): its method, its base URI, and its parameters (those given and
// those of the URL's query), encoded, sorted and joined.
func oauth1BaseString(method string, u *url.URL, params []oauth1Param) (string, error) {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", err
	}
	all := slices.Clone(params)
	for name, values := range query {
		for _, v := range values {
			all = append(all, oauth1Param{name, v})
		}
	}
	pairs := make([]oauth1Param, len(all))
	for i, p := range all {
		pairs[i] = oauth1Param{oauth1Escape(p.name), oauth1Escape(p.value)}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].name != pairs[j].name {
			return pairs[i].name < pairs[j].name
		}
		return pairs[i].value < pairs[j].value
	})
	joined := make([]string, len(pairs))
	for i, p := range pairs {
		joined[i] = p.name + "=" + p.value
	}
	return strings.ToUpper(method) + "&" + oauth1Escape(scheme+"://"+host+path) + "&" + oauth1Escape(strings.Join(joined, "&")), nil
}

// oauth1HMACSHA1 signs a base string with the key consumerSecret&tokenSecret
// (RFC 5849 section 3.4.2).
func oauth1HMACSHA1(base, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(oauth1Escape(consumerSecret)+"&"+oauth1Escape(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// oauth1Creds sign a request: the consumer's key and secret, and those of the
// request or access token (none when obtaining a request token).
type oauth1Creds struct {
	consumerKey, consumerSecret string
	token, tokenSecret          string
}

// oauth1Authorization returns the Authorization header of a POST to u signed
// with c, with the extra OAuth parameters (oauth_callback, oauth_verifier).
func oauth1Authorization(u *url.URL, c oauth1Creds, extra ...oauth1Param) (string, error) {
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	params := []oauth1Param{
		{"oauth_consumer_key", c.consumerKey},
		{"oauth_nonce", hex.EncodeToString(nonce)}, // Keystone accepts only hex digits
		{"oauth_signature_method", "HMAC-SHA1"},
		{"oauth_timestamp", strconv.FormatInt(time.Now().Unix(), 10)},
		{"oauth_version", "1.0"},
	}
	if c.token != "" {
		params = append(params, oauth1Param{"oauth_token", c.token})
	}
	params = append(params, extra...)
	base, err := oauth1BaseString(http.MethodPost, u, params)
	if err != nil {
		return "", err
	}
	params = append(params, oauth1Param{"oauth_signature", oauth1HMACSHA1(base, c.consumerSecret, c.tokenSecret)})
	parts := make([]string, len(params))
	for i, p := range params {
		parts[i] = oauth1Escape(p.name) + `="` + oauth1Escape(p.value) + `"`
	}
	return "OAuth " + strings.Join(parts, ", "), nil
}

// oauth1Sign is oauth1Authorization for a path of Keystone's.
func oauth1Sign(t testing.TB, path string, c oauth1Creds, extra ...oauth1Param) string {
	t.Helper()
	u, err := url.Parse(ks.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := oauth1Authorization(u, c, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// oauth1Signed is a request editor that signs the request as sent (for
// issueToken, whose spec has no Authorization parameter).
func oauth1Signed(c oauth1Creds) v3.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		h, err := oauth1Authorization(req.URL, c)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", h)
		return nil
	}
}

const (
	oauth1RequestTokenPath = "/v3/OS-OAUTH1/request_token"
	oauth1AccessTokenPath  = "/v3/OS-OAUTH1/access_token"
	// oauth1AuthBody authenticates with the oauth1 method: its credentials are
	// the signed Authorization header, its member in identity is empty.
	oauth1AuthBody = `{"auth": {"identity": {"methods": ["oauth1"], "oauth1": {}}}}`
)

var oauth1Hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// oauth1RandomKey returns a well-formed key (32 hex digits) Keystone never issued.
func oauth1RandomKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// oauth1Form checks that a response is form-encoded and returns its values.
func oauth1Form(t testing.TB, resp *http.Response, body []byte) url.Values {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q, want application/x-www-form-urlencoded", ct)
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		t.Fatalf("form body: %v", err)
	}
	return v
}

// newOAuth1Consumer creates a consumer and deletes it when t ends.
func newOAuth1Consumer(t testing.TB, create v3.OAuth1ConsumerCreate) v3.OAuth1ConsumerCreated {
	t.Helper()
	r, err := adm.CreateOAuth1ConsumerWithResponse(t.Context(), v3.OAuth1ConsumerCreateRequest{Consumer: create})
	expect(t, r, err, 201)
	c := r.JSON201.Consumer
	t.Cleanup(func() {
		deleteQuietly(t, "consumer "+c.ID, func() (response, error) { return adm.DeleteOAuth1ConsumerWithResponse(cleanupCtx(), c.ID) })
	})
	return c
}

// oauth1RequestToken obtains a request token for projectID, signed as consumer c.
func oauth1RequestToken(t testing.TB, c v3.OAuth1ConsumerCreated, projectID string) (oauth1Creds, url.Values) {
	t.Helper()
	cr := oauth1Creds{consumerKey: c.ID, consumerSecret: c.Secret}
	r, err := anon.CreateOAuth1RequestTokenWithResponse(t.Context(), &v3.CreateOAuth1RequestTokenParams{
		Authorization:      oauth1Sign(t, oauth1RequestTokenPath, cr, oauth1Param{"oauth_callback", "oob"}),
		RequestedProjectID: projectID,
	})
	expect(t, r, err, 201)
	form := oauth1Form(t, r.HTTPResponse, r.Body)
	cr.token, cr.tokenSecret = form.Get("oauth_token"), form.Get("oauth_token_secret")
	return cr, form
}

// oauth1Authorize authorizes a request token with roles as the holder of
// client's token and returns the verifier.
func oauth1Authorize(t testing.TB, client *v3.ClientWithResponses, requestToken string, roles ...v3.OAuth1RoleRef) string {
	t.Helper()
	r, err := client.AuthorizeOAuth1RequestTokenWithResponse(t.Context(), requestToken, v3.OAuth1RequestTokenAuthorizeRequest{Roles: roles})
	expect(t, r, err, 200)
	return r.JSON200.Token.OauthVerifier
}

// oauth1ExchangeResponse asks for an access token with request token rt and verifier.
func oauth1ExchangeResponse(t testing.TB, rt oauth1Creds, verifier string) (*v3.CreateOAuth1AccessTokenResponse, error) {
	t.Helper()
	return anon.CreateOAuth1AccessTokenWithResponse(t.Context(), &v3.CreateOAuth1AccessTokenParams{
		Authorization: oauth1Sign(t, oauth1AccessTokenPath, rt, oauth1Param{"oauth_verifier", verifier}),
	})
}

// oauth1AccessToken exchanges request token rt and its verifier for an access token.
func oauth1AccessToken(t testing.TB, rt oauth1Creds, verifier string) (oauth1Creds, url.Values) {
	t.Helper()
	r, err := oauth1ExchangeResponse(t, rt, verifier)
	expect(t, r, err, 201)
	form := oauth1Form(t, r.HTTPResponse, r.Body)
	at := rt
	at.token, at.tokenSecret = form.Get("oauth_token"), form.Get("oauth_token_secret")
	return at, form
}

// oauth1Issue authenticates with access token at (the oauth1 method).
func oauth1Issue(t testing.TB, at oauth1Creds) (*v3.IssueTokenResponse, error) {
	t.Helper()
	return anon.IssueTokenWithBodyWithResponse(t.Context(), nil, "application/json", strings.NewReader(oauth1AuthBody), oauth1Signed(at))
}

// oauth1Delegate runs the whole delegation: a request token for project,
// authorized by client's user with roles, exchanged for an access token.
func oauth1Delegate(t testing.TB, c v3.OAuth1ConsumerCreated, project string, client *v3.ClientWithResponses, roles ...v3.OAuth1RoleRef) oauth1Creds {
	t.Helper()
	rt, _ := oauth1RequestToken(t, c, project)
	at, _ := oauth1AccessToken(t, rt, oauth1Authorize(t, client, rt.token, roles...))
	return at
}

func oauth1RoleByID(id string) v3.OAuth1RoleRef     { return v3.OAuth1RoleRef{ID: &id} }
func oauth1RoleByName(name string) v3.OAuth1RoleRef { return v3.OAuth1RoleRef{Name: &name} }

// TestOAuth1Signature checks the signer against RFC 5849's example (section
// 3.4.1.1, whose HMAC-SHA1 signature with the secrets of section 3.1 is
// r6/TJjbCOr97/+UU0NsvSne7s5g=), so that Keystone's 401s below are about
// Keystone, not about the signer.
func TestOAuth1Signature(t *testing.T) {
	u, err := url.Parse("http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
	if err != nil {
		t.Fatal(err)
	}
	base, err := oauth1BaseString("post", u, []oauth1Param{
		{"oauth_consumer_key", "9djdj82h48djs9d2"}, {"oauth_token", "kkk9d7dh3k39sjv7"},
		{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "137131201"}, {"oauth_nonce", "7d8f3e4a"},
		{"c2", ""}, {"a3", "2 q"}, // the form body
	})
	if err != nil {
		t.Fatal(err)
	}
	const want = "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
	if base != want {
		t.Fatalf("base string\n got %s\nwant %s", base, want)
	}
	if sig := oauth1HMACSHA1(base, "j49sk3j29djd", "dh893hdasih9"); sig != "r6/TJjbCOr97/+UU0NsvSne7s5g=" {
		t.Errorf("signature %s", sig)
	}
}

func TestOAuth1Consumers(t *testing.T) {
	described := newOAuth1Consumer(t, v3.OAuth1ConsumerCreate{
		Description:          nullable.NewNullableWithValue("contract consumer"),
		AdditionalProperties: map[string]interface{}{"ct_extra": "kept"},
	})
	bare := newOAuth1Consumer(t, v3.OAuth1ConsumerCreate{})
	_, _, reader := userWithRole(t, "reader")
	bad := newClient("not-a-token")

	noSecret := func(t *testing.T, c v3.OAuth1Consumer) {
		t.Helper()
		if _, ok := c.Get("secret"); ok {
			t.Errorf("consumer %s returned with its secret", c.ID)
		}
	}

	t.Run("createOAuth1Consumer", func(t *testing.T) {
		for _, c := range []v3.OAuth1ConsumerCreated{described, bare} {
			if !oauth1Hex32.MatchString(c.ID) || c.Secret == "" || c.Secret == c.ID || !strings.HasSuffix(c.Links.Self, "/v3/OS-OAUTH1/consumers/"+c.ID) {
				t.Errorf("created %+v", c)
			}
		}
		if described.Description.MustGet() != "contract consumer" || !bare.Description.IsNull() {
			t.Errorf("descriptions %v, %v", described.Description, bare.Description)
		}
		if v, _ := described.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute lost: %v", described.AdditionalProperties)
		}
		if described.Secret == bare.Secret {
			t.Error("two consumers with the same secret")
		}
		// Keystone also accepts a body without "consumer", which the spec requires.
		r, err := adm.CreateOAuth1ConsumerWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(`{}`))
		expect(t, r, err, 201)
		deleteQuietly(t, "consumer", func() (response, error) {
			return adm.DeleteOAuth1ConsumerWithResponse(t.Context(), r.JSON201.Consumer.ID)
		})
		if !r.JSON201.Consumer.Description.IsNull() || r.JSON201.Consumer.Secret == "" {
			t.Errorf("created from {}: %+v", r.JSON201.Consumer)
		}
		r, err = adm.CreateOAuth1ConsumerWithBodyWithResponse(invalid(t), "application/json", strings.NewReader(`{"consumer": {"description": 5}}`))
		expectError(t, r, err, 400)
		r, err = bad.CreateOAuth1ConsumerWithResponse(t.Context(), v3.OAuth1ConsumerCreateRequest{})
		expectError(t, r, err, 401)
		r, err = reader.CreateOAuth1ConsumerWithResponse(t.Context(), v3.OAuth1ConsumerCreateRequest{})
		expectError(t, r, err, 403)
	})

	t.Run("getOAuth1Consumer", func(t *testing.T) {
		r, err := adm.GetOAuth1ConsumerWithResponse(t.Context(), described.ID)
		expect(t, r, err, 200)
		got := r.JSON200.Consumer
		if got.ID != described.ID || got.Description.MustGet() != "contract consumer" || got.Links.Self != described.Links.Self {
			t.Errorf("got %+v", got)
		}
		if v, _ := got.Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute not returned: %v", got.AdditionalProperties)
		}
		noSecret(t, got)
		r, err = adm.GetOAuth1ConsumerWithResponse(t.Context(), oauth1RandomKey())
		expectError(t, r, err, 404)
		r, err = bad.GetOAuth1ConsumerWithResponse(t.Context(), described.ID)
		expectError(t, r, err, 401)
		r, err = reader.GetOAuth1ConsumerWithResponse(t.Context(), described.ID)
		expectError(t, r, err, 403)
	})

	t.Run("listOAuth1Consumers", func(t *testing.T) {
		r, err := adm.ListOAuth1ConsumersWithResponse(t.Context())
		expect(t, r, err, 200)
		var ids []string
		for _, c := range r.JSON200.Consumers {
			ids = append(ids, c.ID)
			noSecret(t, c)
			if c.ID == bare.ID && !c.Description.IsNull() {
				t.Errorf("listed %+v, want a null description", c)
			}
		}
		if !slices.Contains(ids, described.ID) || !slices.Contains(ids, bare.ID) {
			t.Errorf("%s or %s missing from %v", described.ID, bare.ID, ids)
		}
		l, err := bad.ListOAuth1ConsumersWithResponse(t.Context())
		expectError(t, l, err, 401)
		l, err = reader.ListOAuth1ConsumersWithResponse(t.Context())
		expectError(t, l, err, 403)
	})

	t.Run("updateOAuth1Consumer", func(t *testing.T) {
		victim := newOAuth1Consumer(t, v3.OAuth1ConsumerCreate{Description: nullable.NewNullableWithValue("before")})
		update := func(u v3.OAuth1ConsumerUpdate) v3.OAuth1Consumer {
			t.Helper()
			r, err := adm.UpdateOAuth1ConsumerWithResponse(t.Context(), victim.ID, v3.OAuth1ConsumerUpdateRequest{Consumer: u})
			expect(t, r, err, 200)
			noSecret(t, r.JSON200.Consumer)
			return r.JSON200.Consumer
		}
		got := update(v3.OAuth1ConsumerUpdate{Description: nullable.NewNullableWithValue("after")})
		if got.ID != victim.ID || got.Description.MustGet() != "after" {
			t.Errorf("update not applied: %+v", got)
		}
		got = update(v3.OAuth1ConsumerUpdate{AdditionalProperties: map[string]interface{}{"ct_extra": "added", "id": victim.ID}})
		if v, _ := got.Get("ct_extra"); v != "added" || got.Description.MustGet() != "after" {
			t.Errorf("extra attribute: %+v", got)
		}
		got = update(v3.OAuth1ConsumerUpdate{Description: nullable.NewNullNullable[string]()})
		if !got.Description.IsNull() {
			t.Errorf("description not cleared: %+v", got)
		}
		// The secret still signs: the consumer can still obtain a request token.
		oauth1RequestToken(t, victim, adminProj)

		r, err := adm.UpdateOAuth1ConsumerWithResponse(t.Context(), victim.ID, v3.OAuth1ConsumerUpdateRequest{Consumer: v3.OAuth1ConsumerUpdate{
			AdditionalProperties: map[string]interface{}{"id": oauth1RandomKey()},
		}})
		expectError(t, r, err, 400)
		// Bodies the spec forbids, sent on purpose: the secret cannot be set, and
		// an update needs an attribute.
		for _, b := range []string{`{"consumer": {"secret": "mine"}}`, `{"consumer": {}}`, `{"consumer": {"description": 5}}`} {
			r, err := adm.UpdateOAuth1ConsumerWithBodyWithResponse(invalid(t), victim.ID, "application/json", strings.NewReader(b))
			expectError(t, r, err, 400)
		}
		r, err = adm.UpdateOAuth1ConsumerWithResponse(t.Context(), oauth1RandomKey(), v3.OAuth1ConsumerUpdateRequest{Consumer: v3.OAuth1ConsumerUpdate{Description: nullable.NewNullableWithValue("x")}})
		expectError(t, r, err, 404)
		r, err = bad.UpdateOAuth1ConsumerWithResponse(t.Context(), victim.ID, v3.OAuth1ConsumerUpdateRequest{Consumer: v3.OAuth1ConsumerUpdate{Description: nullable.NewNullableWithValue("x")}})
		expectError(t, r, err, 401)
		r, err = reader.UpdateOAuth1ConsumerWithResponse(t.Context(), victim.ID, v3.OAuth1ConsumerUpdateRequest{Consumer: v3.OAuth1ConsumerUpdate{Description: nullable.NewNullableWithValue("x")}})
		expectError(t, r, err, 403)
		g, err := adm.GetOAuth1ConsumerWithResponse(t.Context(), victim.ID)
		expect(t, g, err, 200)
		if !g.JSON200.Consumer.Description.IsNull() {
			t.Errorf("a refused update changed the consumer: %+v", g.JSON200.Consumer)
		}
	})

	t.Run("deleteOAuth1Consumer", func(t *testing.T) {
		victim := newOAuth1Consumer(t, v3.OAuth1ConsumerCreate{})
		d, err := bad.DeleteOAuth1ConsumerWithResponse(t.Context(), victim.ID)
		expectError(t, d, err, 401)
		d, err = reader.DeleteOAuth1ConsumerWithResponse(t.Context(), victim.ID)
		expectError(t, d, err, 403)
		d, err = adm.DeleteOAuth1ConsumerWithResponse(t.Context(), victim.ID)
		expect(t, d, err, 204)
		g, err := adm.GetOAuth1ConsumerWithResponse(t.Context(), victim.ID)
		expectError(t, g, err, 404)
		d, err = adm.DeleteOAuth1ConsumerWithResponse(t.Context(), victim.ID)
		expectError(t, d, err, 404)
	})
}

func TestOAuth1Delegation(t *testing.T) {
	consumer := newOAuth1Consumer(t, v3.OAuth1ConsumerCreate{Description: nullable.NewNullableWithValue("contract delegation")})
	other := newOAuth1Consumer(t, v3.OAuth1ConsumerCreate{})
	// The authorizing user: Keystone's policy lets only admins authorize request
	// tokens. It holds admin and the role it delegates on its project.
	user, project, userClient := userWithRole(t, "admin")
	delegated := newRole(t, v3.RoleCreate{AdditionalProperties: map[string]interface{}{"ct_extra": "kept"}})
	g, err := adm.GrantProjectUserRoleWithResponse(t.Context(), project.ID, user.ID, delegated.ID)
	expect(t, g, err, 204)
	notHeld := newRole(t, v3.RoleCreate{})
	_, readerProject, reader := userWithRole(t, "reader")
	bad := newClient("not-a-token")

	// The delegation the read operations look at.
	access := oauth1Delegate(t, consumer, project.ID, userClient, oauth1RoleByID(delegated.ID))

	t.Run("createOAuth1RequestToken", func(t *testing.T) {
		rt, form := oauth1RequestToken(t, consumer, project.ID)
		if !oauth1Hex32.MatchString(rt.token) || !oauth1Hex32.MatchString(rt.tokenSecret) || rt.token == rt.tokenSecret {
			t.Errorf("request token %q, secret %q", rt.token, rt.tokenSecret)
		}
		exp, err := time.Parse(time.RFC3339Nano, form.Get("oauth_expires_at"))
		if err != nil || !exp.After(time.Now().Add(-time.Minute)) {
			t.Errorf("oauth_expires_at %q: %v", form.Get("oauth_expires_at"), err)
		}

		send := func(ctx context.Context, auth, projectID string) (*v3.CreateOAuth1RequestTokenResponse, error) {
			return anon.CreateOAuth1RequestTokenWithResponse(ctx, &v3.CreateOAuth1RequestTokenParams{Authorization: auth, RequestedProjectID: projectID})
		}
		oob := oauth1Param{"oauth_callback", "oob"}
		signed := oauth1Creds{consumerKey: consumer.ID, consumerSecret: consumer.Secret}
		// Signed with another secret: 401.
		r, err := send(t.Context(), oauth1Sign(t, oauth1RequestTokenPath, oauth1Creds{consumerKey: consumer.ID, consumerSecret: other.Secret}, oob), project.ID)
		expectError(t, r, err, 401)
		// A signature copied onto another request (another nonce): 401.
		h := oauth1Sign(t, oauth1RequestTokenPath, signed, oob)
		tampered := regexp.MustCompile(`oauth_nonce="[0-9a-f]+"`).ReplaceAllString(h, `oauth_nonce="`+oauth1RandomKey()+`"`)
		r, err = send(t.Context(), tampered, project.ID)
		expectError(t, r, err, 401)
		// An unknown consumer (its key well-formed) or project: 404.
		r, err = send(t.Context(), oauth1Sign(t, oauth1RequestTokenPath, oauth1Creds{consumerKey: oauth1RandomKey(), consumerSecret: "x"}, oob), project.ID)
		expectError(t, r, err, 404)
		r, err = send(t.Context(), oauth1Sign(t, oauth1RequestTokenPath, signed, oob), "no-such-project")
		expectError(t, r, err, 404)
		// Without oauth_callback: 400.
		r, err = send(t.Context(), oauth1Sign(t, oauth1RequestTokenPath, signed), project.ID)
		expectError(t, r, err, 400)
		// An empty Requested-Project-Id, which the spec forbids: 400.
		r, err = send(invalid(t), oauth1Sign(t, oauth1RequestTokenPath, signed, oob), "")
		expectError(t, r, err, 400)
	})

	t.Run("authorizeOAuth1RequestToken", func(t *testing.T) {
		rt, _ := oauth1RequestToken(t, consumer, project.ID)
		verifier := oauth1Authorize(t, userClient, rt.token, oauth1RoleByID(delegated.ID))
		if len(verifier) != 8 {
			t.Errorf("verifier %q", verifier)
		}
		// Again, by role name: a new verifier replaces the first.
		again := oauth1Authorize(t, userClient, rt.token, oauth1RoleByName(delegated.Name), oauth1RoleByName("member"))
		if again == verifier {
			t.Errorf("re-authorizing kept the verifier %q", verifier)
		}
		r, err := oauth1ExchangeResponse(t, rt, verifier)
		expectError(t, r, err, 401)

		authorize := func(c *v3.ClientWithResponses, id string, roles ...v3.OAuth1RoleRef) (*v3.AuthorizeOAuth1RequestTokenResponse, error) {
			return c.AuthorizeOAuth1RequestTokenWithResponse(t.Context(), id, v3.OAuth1RequestTokenAuthorizeRequest{Roles: roles})
		}
		fresh, _ := oauth1RequestToken(t, consumer, project.ID)
		// A role the user does not hold on the project, by ID: 401; an unknown
		// role name: 404.
		a, err := authorize(userClient, fresh.token, oauth1RoleByID(notHeld.ID))
		expectError(t, a, err, 401)
		a, err = authorize(userClient, fresh.token, oauth1RoleByName(uniq("none")))
		expectError(t, a, err, 404)
		a, err = authorize(userClient, oauth1RandomKey(), oauth1RoleByID(delegated.ID))
		expectError(t, a, err, 404)
		// An admin without roles on the request token's project (the bootstrap
		// admin holds none on this one): 401.
		a, err = authorize(adm, fresh.token, oauth1RoleByName("admin"))
		expectError(t, a, err, 401)
		a, err = authorize(bad, fresh.token, oauth1RoleByID(delegated.ID))
		expectError(t, a, err, 401)
		// A reader, even on its own project: the policy wants an admin.
		forReader, _ := oauth1RequestToken(t, consumer, readerProject.ID)
		a, err = authorize(reader, forReader.token, oauth1RoleByName("reader"))
		expectError(t, a, err, 403)
		// Bodies the spec forbids: a role by both ID and name, roles not a list.
		for _, b := range []string{`{"roles": [{"id": "a", "name": "b"}]}`, `{"roles": "admin"}`, `{"roles": [{}]}`} {
			a, err := userClient.AuthorizeOAuth1RequestTokenWithBodyWithResponse(invalid(t), fresh.token, "application/json", strings.NewReader(b))
			expectError(t, a, err, 400)
		}
	})

	t.Run("createOAuth1AccessToken", func(t *testing.T) {
		rt, _ := oauth1RequestToken(t, consumer, project.ID)
		verifier := oauth1Authorize(t, userClient, rt.token, oauth1RoleByID(delegated.ID))
		// Wrong signatures and parties first (the request token survives them).
		r, err := oauth1ExchangeResponse(t, oauth1Creds{consumerKey: rt.consumerKey, consumerSecret: rt.consumerSecret, token: rt.token, tokenSecret: "wrong"}, verifier)
		expectError(t, r, err, 401)
		r, err = oauth1ExchangeResponse(t, rt, "abcdefgh")
		expectError(t, r, err, 401)
		r, err = oauth1ExchangeResponse(t, oauth1Creds{consumerKey: other.ID, consumerSecret: other.Secret, token: rt.token, tokenSecret: rt.tokenSecret}, verifier)
		expectError(t, r, err, 401)
		r, err = oauth1ExchangeResponse(t, oauth1Creds{consumerKey: oauth1RandomKey(), consumerSecret: "x", token: rt.token, tokenSecret: rt.tokenSecret}, verifier)
		expectError(t, r, err, 401)
		r, err = oauth1ExchangeResponse(t, oauth1Creds{consumerKey: consumer.ID, consumerSecret: consumer.Secret, token: oauth1RandomKey(), tokenSecret: "x"}, verifier)
		expectError(t, r, err, 404)
		// A request token nobody authorized: 401.
		unauthorized, _ := oauth1RequestToken(t, consumer, project.ID)
		r, err = oauth1ExchangeResponse(t, unauthorized, "abcdefgh")
		expectError(t, r, err, 401)

		at, form := oauth1AccessToken(t, rt, verifier)
		if !oauth1Hex32.MatchString(at.token) || !oauth1Hex32.MatchString(at.tokenSecret) || at.token == rt.token {
			t.Errorf("access token %q, secret %q", at.token, at.tokenSecret)
		}
		if exp, err := time.Parse(time.RFC3339Nano, form.Get("oauth_expires_at")); err != nil || !exp.After(time.Now()) {
			t.Errorf("oauth_expires_at %q: %v", form.Get("oauth_expires_at"), err)
		}
		// The request token is used up.
		r, err = oauth1ExchangeResponse(t, rt, verifier)
		expectError(t, r, err, 404)
		a, err := userClient.AuthorizeOAuth1RequestTokenWithResponse(t.Context(), rt.token, v3.OAuth1RequestTokenAuthorizeRequest{Roles: []v3.OAuth1RoleRef{oauth1RoleByID(delegated.ID)}})
		expectError(t, a, err, 404)
	})

	t.Run("issueToken with oauth1", func(t *testing.T) {
		r, err := oauth1Issue(t, access)
		expect(t, r, err, 201)
		tok := r.JSON201.Token
		if !slices.Equal(tok.Methods, []string{"oauth1"}) || tok.User.ID != user.ID {
			t.Errorf("methods %v, user %+v", tok.Methods, tok.User)
		}
		if tok.OSOAUTH1 == nil || tok.OSOAUTH1.AccessTokenID == nil || *tok.OSOAUTH1.AccessTokenID != access.token ||
			tok.OSOAUTH1.ConsumerID == nil || *tok.OSOAUTH1.ConsumerID != consumer.ID {
			t.Errorf("OS-OAUTH1 = %+v", tok.OSOAUTH1)
		}
		if tok.Project == nil || tok.Project.ID != project.ID {
			t.Errorf("project = %+v", tok.Project)
		}
		// Only the delegated role, though the user also holds admin there.
		if len(tok.Roles) != 1 || tok.Roles[0].ID != delegated.ID {
			t.Errorf("roles = %+v, want only %s", tok.Roles, delegated.ID)
		}
		oauthToken := r.Headers201.XSubjectToken
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: oauthToken})
		expect(t, v, err, 200)
		if o := v.JSON200.Token.OSOAUTH1; o == nil || o.AccessTokenID == nil || *o.AccessTokenID != access.token {
			t.Errorf("validated OS-OAUTH1 = %+v", o)
		}
		// A token obtained through delegation cannot delegate further, nor list
		// the user's access tokens.
		delegatedClient := newClient(oauthToken)
		rt, _ := oauth1RequestToken(t, consumer, project.ID)
		a, err := delegatedClient.AuthorizeOAuth1RequestTokenWithResponse(t.Context(), rt.token, v3.OAuth1RequestTokenAuthorizeRequest{Roles: []v3.OAuth1RoleRef{oauth1RoleByID(delegated.ID)}})
		expectError(t, a, err, 403)
		l, err := delegatedClient.ListUserOAuth1AccessTokensWithResponse(t.Context(), user.ID)
		expectError(t, l, err, 403)

		// Signed with a wrong token or consumer secret: 401. (Keystone 22 does not
		// check that the signing consumer is the access token's: another
		// consumer signing with its own secret and this token's gets a token.)
		r, err = oauth1Issue(t, oauth1Creds{consumerKey: consumer.ID, consumerSecret: consumer.Secret, token: access.token, tokenSecret: "wrong"})
		expectError(t, r, err, 401)
		r, err = oauth1Issue(t, oauth1Creds{consumerKey: consumer.ID, consumerSecret: other.Secret, token: access.token, tokenSecret: access.tokenSecret})
		expectError(t, r, err, 401)
		// An unknown access token: 404.
		r, err = oauth1Issue(t, oauth1Creds{consumerKey: consumer.ID, consumerSecret: consumer.Secret, token: oauth1RandomKey(), tokenSecret: "x"})
		expectError(t, r, err, 404)
		// Without the (empty) oauth1 member: 400.
		r, err = anon.IssueTokenWithBodyWithResponse(t.Context(), nil, "application/json",
			strings.NewReader(`{"auth": {"identity": {"methods": ["oauth1"]}}}`), oauth1Signed(access))
		expectError(t, r, err, 400)
	})

	t.Run("listUserOAuth1AccessTokens", func(t *testing.T) {
		r, err := adm.ListUserOAuth1AccessTokensWithResponse(t.Context(), user.ID)
		expect(t, r, err, 200)
		i := slices.IndexFunc(r.JSON200.AccessTokens, func(a v3.OAuth1AccessToken) bool { return a.ID == access.token })
		if i < 0 {
			t.Fatalf("access token %s not listed: %+v", access.token, r.JSON200.AccessTokens)
		}
		got := r.JSON200.AccessTokens[i]
		if got.AuthorizingUserID != user.ID || got.ProjectID != project.ID || got.ConsumerID != consumer.ID || !got.ExpiresAt.IsSpecified() || got.ExpiresAt.IsNull() {
			t.Errorf("listed %+v", got)
		}
		if !strings.HasSuffix(got.Links.Roles, "/v3/users/"+user.ID+"/OS-OAUTH1/access_tokens/"+access.token+"/roles") || got.Links.Self+"/roles" != got.Links.Roles {
			t.Errorf("links %+v", got.Links)
		}
		// Another user's list does not have it; an unknown user has an empty list.
		r, err = adm.ListUserOAuth1AccessTokensWithResponse(t.Context(), adminUser)
		expect(t, r, err, 200)
		if slices.ContainsFunc(r.JSON200.AccessTokens, func(a v3.OAuth1AccessToken) bool { return a.ID == access.token }) {
			t.Errorf("%s listed for the admin", access.token)
		}
		r, err = adm.ListUserOAuth1AccessTokensWithResponse(t.Context(), "no-such-user")
		expect(t, r, err, 200)
		if len(r.JSON200.AccessTokens) != 0 {
			t.Errorf("unknown user: %+v", r.JSON200.AccessTokens)
		}
		r, err = bad.ListUserOAuth1AccessTokensWithResponse(t.Context(), user.ID)
		expectError(t, r, err, 401)
		r, err = reader.ListUserOAuth1AccessTokensWithResponse(t.Context(), user.ID)
		expectError(t, r, err, 403)
	})

	t.Run("getUserOAuth1AccessToken", func(t *testing.T) {
		r, err := adm.GetUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, access.token)
		expect(t, r, err, 200)
		got := r.JSON200.AccessToken
		if got.ID != access.token || got.AuthorizingUserID != user.ID || got.ProjectID != project.ID || got.ConsumerID != consumer.ID {
			t.Errorf("got %+v", got)
		}
		if exp, err := got.ExpiresAt.Get(); err != nil || !exp.After(time.Now()) {
			t.Errorf("expires_at %v", got.ExpiresAt)
		}
		if !strings.HasSuffix(got.Links.Self, "/v3/users/"+user.ID+"/OS-OAUTH1/access_tokens/"+access.token) {
			t.Errorf("links %+v", got.Links)
		}
		// Under another user, or unknown: 404.
		r, err = adm.GetUserOAuth1AccessTokenWithResponse(t.Context(), adminUser, access.token)
		expectError(t, r, err, 404)
		r, err = adm.GetUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, oauth1RandomKey())
		expectError(t, r, err, 404)
		r, err = bad.GetUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, access.token)
		expectError(t, r, err, 401)
		r, err = reader.GetUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, access.token)
		expectError(t, r, err, 403)
	})

	t.Run("listUserOAuth1AccessTokenRoles", func(t *testing.T) {
		r, err := adm.ListUserOAuth1AccessTokenRolesWithResponse(t.Context(), user.ID, access.token)
		expect(t, r, err, 200)
		roles := r.JSON200.Roles
		if len(roles) != 1 || roles[0].ID != delegated.ID || roles[0].Name != delegated.Name || !roles[0].DomainID.IsNull() || roles[0].Links.Self != delegated.Links.Self {
			t.Fatalf("roles = %+v, want only %s", roles, delegated.ID)
		}
		if v, _ := roles[0].Get("ct_extra"); v != "kept" {
			t.Errorf("extra attribute: %v", roles[0].AdditionalProperties)
		}
		if _, ok := roles[0].Get("description"); ok {
			t.Errorf("description returned: %v", roles[0].AdditionalProperties)
		}
		r, err = adm.ListUserOAuth1AccessTokenRolesWithResponse(t.Context(), adminUser, access.token)
		expectError(t, r, err, 404)
		r, err = adm.ListUserOAuth1AccessTokenRolesWithResponse(t.Context(), user.ID, oauth1RandomKey())
		expectError(t, r, err, 404)
		r, err = bad.ListUserOAuth1AccessTokenRolesWithResponse(t.Context(), user.ID, access.token)
		expectError(t, r, err, 401)
		r, err = reader.ListUserOAuth1AccessTokenRolesWithResponse(t.Context(), user.ID, access.token)
		expectError(t, r, err, 403)
	})

	t.Run("getUserOAuth1AccessTokenRole", func(t *testing.T) {
		r, err := adm.GetUserOAuth1AccessTokenRoleWithResponse(t.Context(), user.ID, access.token, delegated.ID)
		expect(t, r, err, 200)
		if got := r.JSON200.Role; got.ID != delegated.ID || got.Name != delegated.Name {
			t.Errorf("got %+v", got)
		}
		// A role the access token does not delegate (the user's admin): 404.
		r, err = adm.GetUserOAuth1AccessTokenRoleWithResponse(t.Context(), user.ID, access.token, roleID(t, "admin"))
		expectError(t, r, err, 404)
		r, err = adm.GetUserOAuth1AccessTokenRoleWithResponse(t.Context(), user.ID, oauth1RandomKey(), delegated.ID)
		expectError(t, r, err, 404)
		// Under another user: 401 here.
		r, err = adm.GetUserOAuth1AccessTokenRoleWithResponse(t.Context(), adminUser, access.token, delegated.ID)
		expectError(t, r, err, 401)
		r, err = bad.GetUserOAuth1AccessTokenRoleWithResponse(t.Context(), user.ID, access.token, delegated.ID)
		expectError(t, r, err, 401)
		r, err = reader.GetUserOAuth1AccessTokenRoleWithResponse(t.Context(), user.ID, access.token, delegated.ID)
		expectError(t, r, err, 403)
	})

	t.Run("deleteUserOAuth1AccessToken", func(t *testing.T) {
		victim := oauth1Delegate(t, consumer, project.ID, userClient, oauth1RoleByID(delegated.ID))
		r, err := oauth1Issue(t, victim)
		expect(t, r, err, 201)
		issued := r.Headers201.XSubjectToken

		d, err := adm.DeleteUserOAuth1AccessTokenWithResponse(t.Context(), adminUser, victim.token)
		expectError(t, d, err, 401) // not the admin's
		d, err = bad.DeleteUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, victim.token)
		expectError(t, d, err, 401)
		d, err = reader.DeleteUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, victim.token)
		expectError(t, d, err, 403)
		d, err = adm.DeleteUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, victim.token)
		expect(t, d, err, 204)

		g, err := adm.GetUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, victim.token)
		expectError(t, g, err, 404)
		d, err = adm.DeleteUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, victim.token)
		expectError(t, d, err, 404)
		// The consumer can no longer use it, and what it obtained is revoked.
		r, err = oauth1Issue(t, victim)
		expectError(t, r, err, 404)
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: issued})
		expectError(t, v, err, 404)
		// The other access token is untouched.
		g, err = adm.GetUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, access.token)
		expect(t, g, err, 200)
	})

	t.Run("deleteOAuth1Consumer revokes its tokens", func(t *testing.T) {
		doomed := newOAuth1Consumer(t, v3.OAuth1ConsumerCreate{})
		at := oauth1Delegate(t, doomed, project.ID, userClient, oauth1RoleByID(delegated.ID))
		pending, _ := oauth1RequestToken(t, doomed, project.ID)
		r, err := oauth1Issue(t, at)
		expect(t, r, err, 201)
		issued := r.Headers201.XSubjectToken

		d, err := adm.DeleteOAuth1ConsumerWithResponse(t.Context(), doomed.ID)
		expect(t, d, err, 204)
		g, err := adm.GetUserOAuth1AccessTokenWithResponse(t.Context(), user.ID, at.token)
		expectError(t, g, err, 404)
		a, err := userClient.AuthorizeOAuth1RequestTokenWithResponse(t.Context(), pending.token, v3.OAuth1RequestTokenAuthorizeRequest{Roles: []v3.OAuth1RoleRef{oauth1RoleByID(delegated.ID)}})
		expectError(t, a, err, 404)
		v, err := adm.ValidateTokenWithResponse(t.Context(), &v3.ValidateTokenParams{XSubjectToken: issued})
		expectError(t, v, err, 404)
		l, err := adm.ListUserOAuth1AccessTokensWithResponse(t.Context(), user.ID)
		expect(t, l, err, 200)
		if slices.ContainsFunc(l.JSON200.AccessTokens, func(x v3.OAuth1AccessToken) bool { return x.ConsumerID == doomed.ID }) {
			t.Errorf("access tokens of the deleted consumer still listed")
		}
	})

	t.Run("expired request token", func(t *testing.T) {
		// Needs a short [oauth1] request_token_duration (the harness sets 5 s).
		authorized, form := oauth1RequestToken(t, consumer, project.ID)
		verifier := oauth1Authorize(t, userClient, authorized.token, oauth1RoleByID(delegated.ID))
		unauthorized, _ := oauth1RequestToken(t, consumer, project.ID)
		exp, err := time.Parse(time.RFC3339Nano, form.Get("oauth_expires_at"))
		if err != nil {
			t.Fatalf("oauth_expires_at %q: %v", form.Get("oauth_expires_at"), err)
		}
		wait := time.Until(exp) + 1500*time.Millisecond
		if wait > time.Minute {
			t.Fatalf("request tokens expire at %s: set [oauth1] request_token_duration to a few seconds", exp)
		}
		time.Sleep(wait)
		a, err := userClient.AuthorizeOAuth1RequestTokenWithResponse(t.Context(), unauthorized.token, v3.OAuth1RequestTokenAuthorizeRequest{Roles: []v3.OAuth1RoleRef{oauth1RoleByID(delegated.ID)}})
		expectError(t, a, err, 401)
		r, err := oauth1ExchangeResponse(t, authorized, verifier)
		expectError(t, r, err, 401)
	})
}
