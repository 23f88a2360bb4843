package keystone

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Headers whose values are credentials: logged as a {SHA256} digest.
var secretHeaders = map[string]bool{
	"X-Auth-Token":           true,
	"X-Subject-Token":        true,
	"X-Service-Token":        true,
	"Openstack-Auth-Receipt": true,
	"Authorization":          true,
}

// JSON members whose values are secrets: logged as "***".
var secretKeys = map[string]bool{
	"password":           true,
	"original_password":  true,
	"secret":             true,
	"passcode":           true,
	"blob":               true, // credentials: EC2 secrets, TOTP seeds
	"access_token":       true,
	"client_secret":      true,
	"oauth_token_secret": true,
	"adminPass":          true,
}

// Secrets in form-encoded bodies (OAuth1 token responses, OAuth2 requests).
var formSecret = regexp.MustCompile(`((?:oauth_token_secret|client_secret|oauth_token|password)=)[^&\s]*`)

const maxLoggedBody = 16 << 10

// redactURL is the form of u that logs and errors show: without a password
// in its user info, and with the credentials some paths and queries carry
// masked.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Redacted()
}

// logRequest logs req at Debug level as a curl command a person can replay
// (with the secrets masked).
func (s *Session) logRequest(ctx context.Context, req *http.Request) {
	if !s.logger.Enabled(ctx, slog.LevelDebug) {
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
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			data, _ := io.ReadAll(io.LimitReader(body, maxLoggedBody+1))
			body.Close()
			if len(data) > 0 {
				b.WriteString(" -d '")
				b.WriteString(redactBody(req.Header.Get("Content-Type"), data))
				b.WriteString("'")
			}
		}
	}
	s.logger.DebugContext(ctx, "keystone: request", "curl", b.String())
}

// logResponse logs resp at Debug level; it reads the body and puts it back.
func (s *Session) logResponse(ctx context.Context, req *http.Request, resp *http.Response, took time.Duration) {
	if !s.logger.Enabled(ctx, slog.LevelDebug) {
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
	if resp.Body != nil && req.Method != http.MethodHead {
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(data))
		if err == nil && len(data) > 0 {
			attrs = append(attrs, "body", redactBody(resp.Header.Get("Content-Type"), data))
		}
	}
	s.logger.DebugContext(ctx, "keystone: response", attrs...)
}

func sortedHeaderKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func redactHeader(k, v string) string {
	if secretHeaders[http.CanonicalHeaderKey(k)] {
		return tokenDigest(v)
	}
	return v
}

// redactBody masks the secrets of a JSON or form body and shortens it.
func redactBody(contentType string, data []byte) string {
	if len(data) > maxLoggedBody {
		return "<" + strconv.Itoa(len(data)) + " bytes, not logged>"
	}
	switch {
	case strings.Contains(contentType, "json") || (len(data) > 0 && (data[0] == '{' || data[0] == '[')):
		var v any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return "<unparsable JSON body, not logged>"
		}
		out, err := json.Marshal(redactValue("", v))
		if err != nil {
			return "<body not logged>"
		}
		return string(out)
	case strings.Contains(contentType, "x-www-form-urlencoded"), strings.HasPrefix(contentType, "text/"):
		return formSecret.ReplaceAllString(string(data), "${1}***")
	default:
		return "<" + strconv.Itoa(len(data)) + " bytes of " + contentType + ", not logged>"
	}
}

// redactValue masks secret members; parent is the member holding v. The id of
// the "token" auth method is a token, so it is masked too.
func redactValue(parent string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			switch {
			case secretKeys[k]:
				out[k] = "***"
			case parent == "token" && k == "id":
				if s, ok := val.(string); ok {
					out[k] = tokenDigest(s)
				} else {
					out[k] = "***"
				}
			default:
				out[k] = redactValue(k, val)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = redactValue(parent, val)
		}
		return out
	default:
		return v
	}
}
