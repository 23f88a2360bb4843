package identityv3

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gokeystone/keystone/internal/rest"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// OAuth1Signer signs requests with OAuth 1.0a HMAC-SHA1 (RFC 5849), as
// Keystone's OS-OAUTH1 extension demands: the consumer's key and secret,
// and, once there is one, a token and its secret. Printed, logged or
// JSON-encoded, it shows no secret.
type OAuth1Signer struct {
	ConsumerKey, ConsumerSecret string
	Token, TokenSecret          string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// oauthEscape is RFC 3986 percent-encoding, as OAuth 1.0 specifies it.
func oauthEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Authorization returns the Authorization header of a request to rawURL
// with method, carrying the extra oauth_* parameters (oauth_callback,
// oauth_verifier).
func (s OAuth1Signer) Authorization(method, rawURL string, extra map[string]string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("%w: OAuth1: the URL does not parse", keystone.ErrInvalidArgument)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	oauth := map[string]string{
		"oauth_consumer_key":     s.ConsumerKey,
		"oauth_nonce":            hex.EncodeToString(nonce), // Keystone accepts lower-case hex nonces
		"oauth_signature_method": "HMAC-SHA1",
		"oauth_timestamp":        strconv.FormatInt(now().Unix(), 10),
		"oauth_version":          "1.0",
	}
	if s.Token != "" {
		oauth["oauth_token"] = s.Token
	}
	for k, v := range extra {
		oauth[k] = v
	}
	// The signature base string: method, the URL without its query, and
	// every parameter (oauth_* and query) sorted.
	var params []string
	for k, v := range oauth {
		params = append(params, oauthEscape(k)+"="+oauthEscape(v))
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			params = append(params, oauthEscape(k)+"="+oauthEscape(v))
		}
	}
	sort.Strings(params)
	base := *u
	base.RawQuery, base.Fragment = "", ""
	base.Scheme, base.Host = strings.ToLower(base.Scheme), strings.ToLower(base.Host)
	sbs := strings.ToUpper(method) + "&" + oauthEscape(base.String()) + "&" + oauthEscape(strings.Join(params, "&"))
	mac := hmac.New(sha1.New, []byte(oauthEscape(s.ConsumerSecret)+"&"+oauthEscape(s.TokenSecret)))
	mac.Write([]byte(sbs))
	oauth["oauth_signature"] = base64.StdEncoding.EncodeToString(mac.Sum(nil))

	keys := make([]string, 0, len(oauth))
	for k := range oauth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var h strings.Builder
	h.WriteString("OAuth ")
	for i, k := range keys {
		if i > 0 {
			h.WriteString(", ")
		}
		fmt.Fprintf(&h, `%s="%s"`, oauthEscape(k), oauthEscape(oauth[k]))
	}
	return h.String(), nil
}

// signed returns r with its Authorization header signed by s for the
// client's URL of r, and without a Keystone token.
func (s OAuth1Signer) signed(c *rest.Client, r rest.Req, extra map[string]string) (rest.Req, error) {
	u := c.Base + r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	h, err := s.Authorization(r.Method, u, extra)
	if err != nil {
		return r, err
	}
	r.Header = http.Header{"Authorization": {h}}
	r.NoAuth = true
	return r, nil
}

// OAuth1Credentials is a request or access token and its secret, with its
// expiry (zero when the server sets none). Printed, logged or JSON-encoded,
// it shows no secret.
type OAuth1Credentials struct {
	Token, TokenSecret string
	ExpiresAt          time.Time
}

// oauth1Credentials sends r and reads the form-encoded credentials it answers.
func (m *OAuth1Manager) oauth1Credentials(ctx context.Context, r rest.Req) (OAuth1Credentials, error) {
	resp, err := m.c.Do(ctx, r)
	if err != nil {
		return OAuth1Credentials{}, err
	}
	body, err := keystone.ReadBody(resp, 0)
	if err != nil {
		return OAuth1Credentials{}, err
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return OAuth1Credentials{}, keystone.NewInvalidResponseError(resp, fmt.Errorf("OAuth1 credentials: %w", err))
	}
	c := OAuth1Credentials{Token: v.Get("oauth_token"), TokenSecret: v.Get("oauth_token_secret")}
	if c.Token == "" || c.TokenSecret == "" {
		return OAuth1Credentials{}, keystone.NewInvalidResponseError(resp, fmt.Errorf("OAuth1 credentials lack oauth_token or oauth_token_secret"))
	}
	if e := v.Get("oauth_expires_at"); e != "" {
		for _, layout := range []string{"2006-01-02T15:04:05.999999Z07:00", "2006-01-02T15:04:05.999999"} {
			if t, err := time.Parse(layout, e); err == nil {
				c.ExpiresAt = t.UTC()
				break
			}
		}
	}
	return c, nil
}

// CreateRequestToken asks, as the consumer, for a request token for
// projectID (the callback is "oob": Keystone supports nothing else).
func (m *OAuth1Manager) CreateRequestToken(ctx context.Context, consumer OAuth1Signer, projectID string) (OAuth1Credentials, error) {
	if projectID == "" {
		return OAuth1Credentials{}, fmt.Errorf("%w: empty project ID", keystone.ErrInvalidArgument)
	}
	consumer.Token, consumer.TokenSecret = "", ""
	r, err := consumer.signed(m.c, rest.Req{Method: http.MethodPost, Path: "/v3/OS-OAUTH1/request_token"}, map[string]string{"oauth_callback": "oob"})
	if err != nil {
		return OAuth1Credentials{}, err
	}
	r.Header.Set("Requested-Project-Id", projectID)
	return m.oauth1Credentials(ctx, r)
}

// CreateAccessToken exchanges an authorized request token (the signer's
// Token and TokenSecret) and its verifier for an access token.
func (m *OAuth1Manager) CreateAccessToken(ctx context.Context, requestToken OAuth1Signer, verifier string) (OAuth1Credentials, error) {
	r, err := requestToken.signed(m.c, rest.Req{Method: http.MethodPost, Path: "/v3/OS-OAUTH1/access_token"}, map[string]string{"oauth_verifier": verifier})
	if err != nil {
		return OAuth1Credentials{}, err
	}
	return m.oauth1Credentials(ctx, r)
}

// Authenticate obtains a Keystone token with an access token (the signer's
// Token and TokenSecret): the "oauth1" auth method.
func (m *OAuth1Manager) Authenticate(ctx context.Context, accessToken OAuth1Signer) (*keystone.AccessInfo, error) {
	body := map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"oauth1"}, "oauth1": map[string]any{}}}}
	r, err := accessToken.signed(m.c, rest.Req{Method: http.MethodPost, Path: "/v3/auth/tokens", JSON: body}, nil)
	if err != nil {
		return nil, err
	}
	return m.c.Token(ctx, r, "")
}
