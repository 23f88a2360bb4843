package keystone

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gokeystone/keystone/internal/redact"
)

// What the debug log, the errors and the printing methods of this package
// mask. Names are matched case-insensitively and by substring, so that a
// new member ("client_secret", "oauth_verifier", "X-Service-Token",
// "saml2_assertion") is masked without being listed:
//
//   - a JSON member whose name contains one of secretNameWords is masked
//     ("***"), whatever its value (an object too);
//   - one whose name contains one of secretStringWords is masked when its
//     value is a string ("token": as its {SHA256} digest); an object or a
//     list under such a name (a v3 "token" body, a "credentials" list) is
//     walked;
//   - the "id" of an object under a name that contains "token" (the token
//     auth method, v2.0's access.token, OAuth1 access tokens) is shown as
//     its digest;
//   - a form field whose name contains one of those words, or of
//     secretHeaderWords, is masked (a "token" as its digest); a query
//     parameter too, always as its digest;
//   - names ending in "_at" are timestamps ("password_expires_at"): shown;
//   - a header whose name contains one of secretHeaderWords is shown as the
//     {SHA256} digest of its value (but WWW-Authenticate, a challenge);
//   - a URL path segment that is a token (…/tokens/{token}, …/access_tokens/{id},
//     /OS-OAUTH1/authorize/{request_token_id}) is shown as its digest;
//   - a body is logged only when it is JSON or form-encoded, and at most
//     the session's Limits().LoggedBody bytes of it: any other content
//     (XML such as a SAML2 assertion, text, HTML, binary) is summarised as
//     "<N bytes of TYPE, not logged>".
var (
	secretNameWords   = []string{"password", "passwd", "secret", "passcode", "verifier", "assertion", "blob", "key", "signature", "private", "cookie", "authorization"}
	secretStringWords = []string{"token", "credential"}
	secretHeaderWords = []string{"token", "auth", "cookie", "secret", "receipt", "key", "password", "passwd", "passcode", "signature", "credential", "assertion", "verifier"}
)

// maxLoggedBody is how much of a body the log shows when the session sets
// no limit (see Limits.LoggedBody).
const maxLoggedBody = 16 << 10

// masked replaces a secret that is not a token.
const masked = "***"

// tokenWord in a name marks a token: its value is shown as a digest.
const tokenWord = "token"

func containsAnyFold(name string, words []string) bool {
	n := strings.ToLower(name)
	for _, w := range words {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// isSecretHeader reports whether the log shows a header as a digest.
func isSecretHeader(name string) bool {
	return containsAnyFold(name, secretHeaderWords) && !strings.EqualFold(name, "WWW-Authenticate")
}

// isSecretParam reports whether the value of a query parameter or form
// field is a secret.
func isSecretParam(name string) bool {
	if strings.HasSuffix(strings.ToLower(name), "_at") {
		return false
	}
	return containsAnyFold(name, secretNameWords) || containsAnyFold(name, secretStringWords) || isSecretHeader(name)
}

// redactURL is the form of u that logs and errors show: without a password
// in its user info, with the values of secret query parameters and the path
// segments that are tokens shown as digests.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.Opaque != "" {
		return u.Scheme + ":<opaque URL, not shown>"
	}
	base := *u
	base.Path, base.RawPath, base.RawQuery, base.ForceQuery, base.Fragment, base.RawFragment = "", "", "", false, "", ""
	var b strings.Builder
	b.WriteString(base.Redacted())
	b.WriteString(redactPath(u.EscapedPath()))
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteByte('?')
		b.WriteString(redactPairs(u.RawQuery, true))
	}
	if u.Fragment != "" {
		b.WriteByte('#')
		b.WriteString(redactPairs(u.EscapedFragment(), true))
	}
	return b.String()
}

// redactURLString is redactURL for a URL in a string.
func redactURLString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL, not shown>"
	}
	return redactURL(u)
}

// redactPath shows as digests the segments of an escaped path that are
// tokens: those after "tokens" (Identity v2.0's /tokens/{token}), after a
// "…_tokens" collection (OAuth1's access_tokens/{id}) and after OAuth1's
// "authorize"; but not literal segments ("OS-PKI", "revoked").
func redactPath(escaped string) string {
	if !strings.Contains(strings.ToLower(escaped), "token") && !strings.Contains(strings.ToLower(escaped), "authorize") {
		return escaped
	}
	orig := strings.Split(escaped, "/")
	segs := append([]string(nil), orig...)
	for i := 1; i < len(segs); i++ {
		if segs[i] == "" {
			continue
		}
		// Judge by the original segments: one already shown as a digest
		// does not hide what follows it.
		prev := strings.ToLower(unescapeSegment(orig[i-1]))
		before := ""
		if i >= 2 {
			before = strings.ToLower(unescapeSegment(orig[i-2]))
		}
		if !(prev == "tokens" || strings.HasSuffix(prev, "_tokens") || (prev == "authorize" && before == "os-oauth1")) {
			continue
		}
		seg := unescapeSegment(segs[i])
		if strings.HasPrefix(seg, "OS-") || strings.EqualFold(seg, "revoked") {
			continue
		}
		segs[i] = redact.Digest(seg)
	}
	return strings.Join(segs, "/")
}

func unescapeSegment(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// redactPairs masks the secret values of a query string or form body
// (name=value pairs separated by '&'), keeping everything else as it is.
// Tokens become digests; other secrets "***" (or digests, with digest).
func redactPairs(raw string, digest bool) string {
	if raw == "" {
		return raw
	}
	pairs := strings.Split(raw, "&")
	for i, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		n, err := url.QueryUnescape(name)
		if err != nil {
			n = name
		}
		if !isSecretParam(n) {
			continue
		}
		v, err := url.QueryUnescape(value)
		if err != nil {
			v = value
		}
		switch {
		case v == "":
		case digest || strings.Contains(strings.ToLower(n), tokenWord):
			pairs[i] = name + "=" + redact.Digest(v)
		default:
			pairs[i] = name + "=" + masked
		}
	}
	return strings.Join(pairs, "&")
}

// logBodyLimit is how much of a body the log reads.
func (s *Session) logBodyLimit() int64 {
	if l := s.Limits().LoggedBody; l > 0 {
		return l
	}
	return maxLoggedBody
}

// logRequest logs req to the session's logger (see logRequestTo).
func (s *Session) logRequest(ctx context.Context, req *http.Request) {
	s.logRequestTo(ctx, s.Logger(), req)
}

// logRequestTo logs req to logger at Debug level as a curl command a person
// can replay (with the secrets masked).
func (s *Session) logRequestTo(ctx context.Context, logger *slog.Logger, req *http.Request) {
	if !logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	var b strings.Builder
	b.WriteString("curl -g -i -X ")
	b.WriteString(req.Method)
	b.WriteString(" '")
	b.WriteString(redactURL(req.URL))
	b.WriteString("'")
	for _, k := range sortedHeaderKeys(req.Header) {
		for _, v := range req.Header[k] {
			b.WriteString(" -H '")
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(redactHeader(k, v))
			b.WriteString("'")
		}
	}
	if req.GetBody != nil && req.ContentLength != 0 {
		if body, err := req.GetBody(); err == nil {
			limit := s.logBodyLimit()
			data, _ := io.ReadAll(io.LimitReader(body, limit+1))
			body.Close()
			if len(data) > 0 {
				b.WriteString(" -d '")
				b.WriteString(redactBody(req.Header.Get("Content-Type"), data, req.ContentLength, limit))
				b.WriteString("'")
			}
		}
	}
	logger.DebugContext(ctx, "keystone: request", "curl", b.String())
}

// logResponse logs resp to the session's logger (see logResponseTo).
func (s *Session) logResponse(ctx context.Context, req *http.Request, resp *http.Response, took time.Duration) {
	s.logResponseTo(ctx, s.Logger(), req, resp, took)
}

// logResponseTo logs resp to logger at Debug level. It reads at most the
// logged-body limit (plus one byte) of the body, and puts back a body that
// yields those bytes and then the rest: it never holds more of a body than
// that.
func (s *Session) logResponseTo(ctx context.Context, logger *slog.Logger, req *http.Request, resp *http.Response, took time.Duration) {
	if !logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	var h strings.Builder
	for _, k := range sortedHeaderKeys(resp.Header) {
		for _, v := range resp.Header[k] {
			h.WriteString(k)
			h.WriteString(": ")
			h.WriteString(redactHeader(k, v))
			h.WriteString("; ")
		}
	}
	attrs := []any{
		"method", req.Method, "url", redactURL(req.URL), "status", resp.StatusCode,
		"took", took, "headers", strings.TrimSuffix(h.String(), "; "),
	}
	if resp.Body != nil && resp.Body != http.NoBody && req.Method != http.MethodHead {
		limit := s.logBodyLimit()
		head, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		resp.Body = newPrefixedBody(head, err, resp.Body)
		if len(head) > 0 {
			attrs = append(attrs, "body", redactBody(resp.Header.Get("Content-Type"), head, resp.ContentLength, limit))
		}
	}
	logger.DebugContext(ctx, "keystone: response", attrs...)
}

// prefixedBody is a response body whose first bytes were read for the log:
// it yields them, then the rest of the original body (or the error that
// reading it gave), and closes the original.
type prefixedBody struct {
	head   *bytes.Reader
	rest   io.Reader
	closer io.Closer
}

func newPrefixedBody(head []byte, err error, orig io.ReadCloser) io.ReadCloser {
	b := &prefixedBody{head: bytes.NewReader(head), rest: orig, closer: orig}
	if err != nil {
		b.rest = errReader{err}
	}
	return b
}

func (b *prefixedBody) Read(p []byte) (int, error) {
	if b.head.Len() > 0 {
		return b.head.Read(p)
	}
	return b.rest.Read(p)
}

func (b *prefixedBody) Close() error { return b.closer.Close() }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

func sortedHeaderKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// redactHeader is the value of header k as logs show it.
func redactHeader(k, v string) string {
	if isSecretHeader(k) {
		return redact.Digest(v)
	}
	return v
}

// redactHeaders is h with the values of secret headers shown as digests.
func redactHeaders(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		rv := make([]string, len(vs))
		for i, v := range vs {
			rv[i] = redactHeader(k, v)
		}
		out[k] = rv
	}
	return out
}

// redactBody is what the log shows of a body: data holds its first bytes
// (at most limit+1), size its length when known (-1 if not). Only JSON and
// form-encoded bodies of at most limit bytes are shown, with their secrets
// masked.
func redactBody(contentType string, data []byte, size, limit int64) string {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	n := int64(len(data))
	if size > n {
		n = size
	}
	summary := func(why string) string {
		of := ""
		if mediaType != "" {
			of = " of " + mediaType
		}
		count := strconv.FormatInt(n, 10)
		if int64(len(data)) > limit && size < 0 {
			count = "more than " + strconv.FormatInt(limit, 10)
		}
		return "<" + count + " bytes" + of + why + ", not logged>"
	}
	isForm := mediaType == "application/x-www-form-urlencoded"
	// JSON labelled as a form (or not labelled) is redacted as JSON.
	isJSON := strings.Contains(mediaType, "json") || ((mediaType == "" || isForm) && jsonStart(data))
	if isJSON {
		isForm = false
	}
	if !isJSON && !isForm {
		return summary("")
	}
	if int64(len(data)) > limit {
		return summary("")
	}
	if isForm {
		for _, p := range strings.Split(string(data), "&") {
			if p != "" && !strings.Contains(p, "=") {
				return summary(" (not a form)")
			}
		}
		return redactPairs(string(data), false)
	}
	out, ok := redactJSON(data)
	if !ok {
		return summary(" (not valid JSON)")
	}
	return out
}

func jsonStart(data []byte) bool {
	d := bytes.TrimLeft(data, " \t\r\n")
	return len(d) > 0 && (d[0] == '{' || d[0] == '[')
}

// redactJSON is a JSON document with its secrets masked.
func redactJSON(data []byte) (string, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	out, err := json.Marshal(redactValue("", v))
	if err != nil {
		return "", false
	}
	return string(out), true
}

// redactValue masks the secrets of a decoded JSON value; parent is the name
// of the member holding v (an array passes its own name on to its elements).
func redactValue(parent string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			out[k] = redactMember(parent, k, val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = redactValue(parent, val)
		}
		return out
	case string:
		switch {
		case strings.HasSuffix(strings.ToLower(parent), "_at"):
		case strings.Contains(strings.ToLower(parent), tokenWord):
			return redact.Digest(t)
		case containsAnyFold(parent, secretStringWords):
			return masked
		}
		return t
	default:
		return v
	}
}

// redactMember masks member k (of an object under parent) when it is a secret.
func redactMember(parent, k string, val any) any {
	lk := strings.ToLower(k)
	switch {
	case strings.HasSuffix(lk, "_at"):
		return redactValue("", val) // a timestamp ("password_expires_at")
	case val == nil:
		return nil
	case containsAnyFold(lk, secretNameWords):
		return masked
	case lk == "id" && strings.Contains(strings.ToLower(parent), tokenWord):
		if s, ok := val.(string); ok {
			return redact.Digest(s)
		}
		return masked
	}
	return redactValue(k, val)
}
