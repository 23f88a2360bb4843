package keystone

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

	"github.com/gokeystone/keystone/gen/identityv3"
)

// OAuth1Signer signs requests with OAuth 1.0a HMAC-SHA1 (RFC 5849), as
// Keystone's OS-OAUTH1 extension demands: the consumer's key and secret, and,
// once there is one, a token and its secret.
type OAuth1Signer struct {
	ConsumerKey, ConsumerSecret string
	Token, TokenSecret          string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// String hides the secrets.
func (s OAuth1Signer) String() string {
	return fmt.Sprintf("OAuth1Signer{ConsumerKey: %q, ConsumerSecret: %s, Token: %q, TokenSecret: %s}",
		s.ConsumerKey, mask(s.ConsumerSecret), s.Token, mask(s.TokenSecret))
}

// GoString is String.
func (s OAuth1Signer) GoString() string { return s.String() }

func mask(secret string) string {
	if secret == "" {
		return `""`
	}
	return "***"
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

// Authorization returns the Authorization header of a request to rawURL with
// method, carrying the extra oauth_* parameters (oauth_callback,
// oauth_verifier).
func (s OAuth1Signer) Authorization(method, rawURL string, extra map[string]string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
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
	// The signature base string: method, the URL without its query, and every
	// parameter (oauth_* and query) sorted.
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

// signing is a request editor that signs the request as it is finally built.
func (s OAuth1Signer) signing(extra map[string]string) identityv3.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		h, err := s.Authorization(req.Method, req.URL.String(), extra)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", h)
		return nil
	}
}

// OAuth1Credentials is a request or access token and its secret, with its
// expiry (zero when the server sets none).
type OAuth1Credentials struct {
	Token, TokenSecret string
	ExpiresAt          time.Time
}

// String hides the secret.
func (c OAuth1Credentials) String() string {
	return fmt.Sprintf("OAuth1Credentials{Token: %q, TokenSecret: %s, ExpiresAt: %s}", c.Token, mask(c.TokenSecret), c.ExpiresAt.Format(time.RFC3339))
}

// GoString is String.
func (c OAuth1Credentials) GoString() string { return c.String() }

func parseOAuth1Credentials(body []byte) (OAuth1Credentials, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return OAuth1Credentials{}, fmt.Errorf("%w: OAuth1 credentials: %v", ErrInvalidResponse, err)
	}
	c := OAuth1Credentials{Token: v.Get("oauth_token"), TokenSecret: v.Get("oauth_token_secret")}
	if c.Token == "" || c.TokenSecret == "" {
		return OAuth1Credentials{}, fmt.Errorf("%w: OAuth1 credentials lack oauth_token or oauth_token_secret", ErrInvalidResponse)
	}
	if e := v.Get("oauth_expires_at"); e != "" {
		c.ExpiresAt = parseKeystoneTime(e)
	}
	return c, nil
}

// CreateRequestToken asks, as the consumer, for a request token for projectID
// (the callback is "oob": Keystone supports nothing else).
func (m *OAuth1Manager) CreateRequestToken(ctx context.Context, consumer OAuth1Signer, projectID string) (OAuth1Credentials, error) {
	consumer.Token, consumer.TokenSecret = "", ""
	resp, err := m.c.gen.CreateOAuth1RequestToken(WithoutAuth(ctx),
		&identityv3.CreateOAuth1RequestTokenParams{RequestedProjectID: projectID},
		consumer.signing(map[string]string{"oauth_callback": "oob"}))
	if err != nil {
		return OAuth1Credentials{}, err
	}
	body, err := ReadBody(resp, 0)
	if err != nil {
		return OAuth1Credentials{}, err
	}
	return parseOAuth1Credentials(body)
}

// CreateAccessToken exchanges an authorized request token (the signer's Token
// and TokenSecret) and its verifier for an access token.
func (m *OAuth1Manager) CreateAccessToken(ctx context.Context, requestToken OAuth1Signer, verifier string) (OAuth1Credentials, error) {
	resp, err := m.c.gen.CreateOAuth1AccessToken(WithoutAuth(ctx), &identityv3.CreateOAuth1AccessTokenParams{},
		requestToken.signing(map[string]string{"oauth_verifier": verifier}))
	if err != nil {
		return OAuth1Credentials{}, err
	}
	body, err := ReadBody(resp, 0)
	if err != nil {
		return OAuth1Credentials{}, err
	}
	return parseOAuth1Credentials(body)
}

// Authenticate obtains a Keystone token with an access token (the signer's
// Token and TokenSecret): the "oauth1" auth method.
func (m *OAuth1Manager) Authenticate(ctx context.Context, accessToken OAuth1Signer) (*AccessInfo, error) {
	req := identityv3.AuthRequest{Auth: identityv3.Auth{Identity: identityv3.AuthIdentity{
		Methods: []string{"oauth1"}, Oauth1: &identityv3.AuthOAuth1{},
	}}}
	resp, err := m.c.gen.IssueToken(WithoutAuth(ctx), nil, req, accessToken.signing(nil))
	if err != nil {
		return nil, err
	}
	body, err := ReadBody(resp, 0)
	if err != nil {
		return nil, err
	}
	return NewAccessInfoV3(resp.Header.Get("X-Subject-Token"), body)
}
