package keystone

// Fuzz targets for the unexported parsers a server's bytes reach: error
// bodies (newHTTPError, retryAfter, parseKeystoneTime) and the debug log's
// redaction (redactBody, redactURL, the header redaction, logRequest and
// logResponse). The exported parsers are in fuzz_test.go; the managers'
// decoding is fuzzed in internal/rest (FuzzDecodeResponse, FuzzExtras).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gokeystone/keystone/internal/redact"
)

// Credentials the targets put in requests, headers and bodies: long, unique,
// and in no seed, so that one showing up in an output can only be a leak.
const (
	fuzzAuthToken     = "gAAAAABfuzz-auth-token-4e9b1f03c2d87a56b0e1f2"
	fuzzSubject       = "gAAAAABfuzz-x-subject-token-71c0a9d3e5f6b2847"
	fuzzPathToken     = "gAAAAABfuzz-path-token-2b8e6d40f1a7c3950de8"
	fuzzReceipt       = "fuzz-auth-receipt-0c6f2a9e8d7b1c3a5e4f"
	fuzzAccessTokenID = "fuzzaccesstokenid5c1d9e0f3a7b"
	fuzzPassword      = "fuzz-password-value-9a7e3c1b5d2f"
	fuzzQuerySecret   = "fuzz-query-secret-3f8a0c2e7b91"
	// fuzzPasswordMark in a fuzzed body is where a secret member goes: a
	// JSON member "password": fuzzPassword, or a form field
	// password=fuzzPassword.
	fuzzPasswordMark = "@PW@"
)

// fuzzBody is a response body that records whether it was closed.
type fuzzBody struct {
	r      io.Reader
	closed bool
}

func (b *fuzzBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *fuzzBody) Close() error               { b.closed = true; return nil }

// fuzzPrintedError is every way an error gets printed.
func fuzzPrintedError(err error) []string {
	var sb strings.Builder
	slog.New(slog.NewJSONHandler(&sb, nil)).Error("failed", "err", err)
	data, jerr := json.Marshal(err)
	out := []string{err.Error(), sb.String(), string(data), fmt.Sprint(jerr)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out = append(out, fmt.Sprintf(verb, err))
	}
	return out
}

// FuzzNewHTTPError reads error responses: a fuzzed body, content type,
// status and Retry-After, to requests carrying tokens in X-Auth-Token,
// X-Subject-Token and the URL path, with the response echoing X-Subject-Token
// and a receipt. The error has the status, a non-negative RetryAfter, no
// credential header, an Error() of at most 4 KB (valid UTF-8 when the body
// is), the body closed, and none of the credentials in any printed form,
// even when the body quotes them.
func FuzzNewHTTPError(f *testing.F) {
	f.Add([]byte(`{"error": {"code": 404, "title": "Not Found", "message": "Could not find token: `+fuzzSubject+`."}}`), "application/json", 404, "")
	f.Add([]byte(`{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`), "application/json", 401, "")
	f.Add([]byte(`{"receipt": {"methods": ["password"], "expires_at": "2030-01-01T10:00:00.000000Z", "user": {"id": "u1"}},
		"required_auth_methods": [["password", "totp"]]}`), "application/json", 401, "")
	f.Add([]byte(`{"message": "Rate limit exceeded for `+fuzzAuthToken+`"}`), "application/json; charset=UTF-8", 429, "120")
	f.Add([]byte(`<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1>`+fuzzPathToken+`</body></html>`), "text/html", 503, "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add([]byte(`{"error": {"title": 5, "message": null}}`), "application/json", 400, "-1")
	f.Add([]byte(`{"error": {"title": "T", "message": "`+strings.Repeat("é", 600)+`"}}`), "application/json", 500, "99999999999999999999")
	f.Fuzz(func(t *testing.T, body []byte, contentType string, status int, retry string) {
		for i, target := range []string{"https://keystone.example.com:5000/v3/auth/tokens?nocatalog", "https://keystone.example.com/identity/v2.0/tokens/" + fuzzPathToken} {
			// What the request carries must never come out; the receipt
			// (which it does not) only when the body quotes it.
			secrets := []string{fuzzAuthToken, fuzzSubject}
			if i == 1 {
				secrets = append(secrets, fuzzPathToken)
			}
			if !bytes.Contains(body, []byte(fuzzReceipt)) {
				secrets = append(secrets, fuzzReceipt)
			}
			req, err := http.NewRequest(http.MethodGet, target, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Auth-Token", fuzzAuthToken)
			req.Header.Set("X-Subject-Token", fuzzSubject)
			rb := &fuzzBody{r: bytes.NewReader(body)}
			resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: rb, Request: req, ContentLength: -1}
			if contentType != "" {
				resp.Header.Set("Content-Type", contentType)
			}
			if retry != "" {
				resp.Header.Set("Retry-After", retry)
			}
			resp.Header.Set("X-Subject-Token", fuzzSubject)
			resp.Header.Set("Openstack-Auth-Receipt", fuzzReceipt)
			resp.Header.Set("WWW-Authenticate", `Keystone uri="https://keystone.example.com/v3"`)
			resp.Header.Set("X-Openstack-Request-Id", "req-4b5c3e0a-9f1d-4e55-8a53-1f0e2d3c4b5a")
			e := newHTTPError(req, resp, DefaultLimits().ErrorBody)
			if e == nil || e.StatusCode != status || e.Method != http.MethodGet || !rb.closed {
				t.Fatalf("newHTTPError: %#v (body closed: %v)", e, rb.closed)
			}
			if e.RetryAfter < 0 {
				t.Fatalf("RetryAfter %v for Retry-After %q", e.RetryAfter, retry)
			}
			for k := range e.Header {
				if isSecretHeader(k) {
					t.Fatalf("the error keeps header %s", k)
				}
			}
			msg := e.Error()
			if len(msg) > 4<<10 {
				t.Fatalf("Error() is %d bytes long", len(msg))
			}
			if utf8.Valid(body) && !utf8.ValidString(msg) {
				t.Fatalf("Error() is not UTF-8 (the body is): %q", msg)
			}
			if e.Receipt != nil && (status != http.StatusUnauthorized || e.Receipt.ID != fuzzReceipt) {
				t.Fatalf("receipt %v on a %d", e.Receipt, status)
			}
			if strings.Contains(contentType+retry, "fuzz-") {
				continue // the fuzzer wrote a secret where it is printed as is
			}
			for _, out := range fuzzPrintedError(e) {
				for _, secret := range secrets {
					if strings.Contains(out, secret) {
						t.Fatalf("%s is printed:\n%s", secret, out)
					}
				}
			}
		}
	})
}

// FuzzRetryAfter reads Retry-After: never negative; seconds are taken as
// they are (at most a day), a date as the time until it, anything else 0.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "0", "120", " 7 ", "-1", "+5", "86401", "99999999999999999999", "1.5",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		before := time.Now()
		d := retryAfter(http.Header{"Retry-After": {v, "3600"}})
		if d < 0 {
			t.Fatalf("retryAfter(%q) = %v", v, d)
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			want := time.Duration(0)
			if n >= 0 {
				want = time.Duration(min(n, 24*60*60)) * time.Second
			}
			if d != want {
				t.Fatalf("retryAfter(%q) = %v, want %v", v, d, want)
			}
			return
		}
		when, err := http.ParseTime(v)
		if err != nil {
			if d != 0 {
				t.Fatalf("retryAfter(%q) = %v, want 0", v, d)
			}
			return
		}
		if until := when.Sub(before); d > max(until, 0) {
			t.Fatalf("retryAfter(%q) = %v, more than the %v until %v", v, d, until, when)
		}
	})
}

// FuzzParseKeystoneTime reads Keystone's timestamps: RFC 3339 ones as they
// are, zone-less ones as UTC, always returning a UTC time (or zero), which
// reads back the same once formatted.
func FuzzParseKeystoneTime(f *testing.F) {
	for _, s := range []string{"2026-11-28T10:00:00.000000", "2026-11-28T10:00:00.000000Z", "2030-01-01T00:00:00+02:00",
		"2026-11-28 10:00:00", "2026-11-28T10:00:00+0100", " 2026-11-28T10:00:00Z\n", "2026-11-28T10:00:00,5Z",
		"9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+01:00", "2026-02-30T10:00:00Z", "2026-11-28", "", "null"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := parseKeystoneTime(s)
		if got.IsZero() {
			return
		}
		if got.Location() != time.UTC {
			t.Fatalf("parseKeystoneTime(%q) = %v: not UTC", s, got)
		}
		trimmed := strings.TrimSpace(s)
		if want, err := time.Parse(time.RFC3339Nano, trimmed); err == nil && !got.Equal(want) {
			t.Fatalf("parseKeystoneTime(%q) = %v, want %v", s, got, want)
		}
		if want, err := time.Parse(time.RFC3339Nano, trimmed+"Z"); err == nil && !got.Equal(want) {
			t.Fatalf("parseKeystoneTime(%q) = %v, want %v (zone-less: UTC)", s, got, want)
		}
		if y := got.Year(); y >= 0 && y <= 9999 {
			if back := parseKeystoneTime(got.Format(time.RFC3339Nano)); !back.Equal(got) {
				t.Fatalf("parseKeystoneTime(%q) = %v, which reads back as %v", s, got, back)
			}
		}
	})
}

// fuzzListTypes are list envelopes of gen/identityv3 that decodeBody reads.
// fuzzMediaType is the media type redactBody sees in a Content-Type.
func fuzzMediaType(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	}
	return mt
}

// fuzzFieldsAtMarks reports whether every fuzzPasswordMark in body is a whole
// name=value pair of a form (between '&' or the ends).
func fuzzFieldsAtMarks(body []byte) bool {
	for _, pair := range bytes.Split(body, []byte("&")) {
		if bytes.Contains(pair, []byte(fuzzPasswordMark)) && string(pair) != fuzzPasswordMark {
			return false
		}
	}
	return true
}

// FuzzRedactBody redacts bodies for the debug log. Where the fuzzed body has
// fuzzPasswordMark, a JSON body gets a member "password": fuzzPassword and a
// form body a field password=fuzzPassword: the secret never comes out
// (whatever the content type, except a JSON body labelled as a form: there it
// is no form field). A body over the limit, or that is neither JSON nor a
// form, is summarised; JSON comes out as JSON.
func FuzzRedactBody(f *testing.F) {
	f.Add("application/json", []byte(`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin", "domain": {"id": "default"}, @PW@}}}}}`))
	f.Add("application/json", []byte(`{"user": {"name": "u", @PW@, "original_password": "old"}, "credential": {"blob": "{\"secret\": \"x\"}"}}`))
	f.Add("", []byte(`[{"token": {"id": "t"}}, {@PW@}, {"password_expires_at": "2026-11-28T10:00:00.000000"}]`))
	f.Add("application/json; charset=utf-8", []byte(`{"a": [{"b": [{"c": {@PW@}}]}], "n": 1e400, "x": null}`))
	f.Add("application/x-www-form-urlencoded", []byte(`grant_type=password&username=admin&@PW@&client_secret=s`))
	f.Add("application/x-www-form-urlencoded", []byte(`@PW@`))
	f.Add("text/html", []byte(`<html>@PW@</html>`))
	f.Add("application/xml", []byte(`<samlp:Response>@PW@</samlp:Response>`))
	f.Add("application/json", []byte(`{"password": "@PW@"}`))
	f.Add("application/json", []byte(`{"a": "\`+`@PW@"}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		if strings.Contains(contentType, fuzzPassword) || bytes.Contains(body, []byte(fuzzPassword)) {
			return
		}
		jsonBody := bytes.ReplaceAll(body, []byte(fuzzPasswordMark), []byte(`"password": "`+fuzzPassword+`"`))
		formBody := bytes.ReplaceAll(body, []byte(fuzzPasswordMark), []byte("password="+fuzzPassword))
		const form = "application/x-www-form-urlencoded"
		type check struct {
			contentType string
			data        []byte
			mustHide    bool
		}
		checks := []check{
			{contentType, jsonBody, fuzzMediaType(contentType) != form},
			{"application/json", jsonBody, true},
			{"", jsonBody, true},
			{form, formBody, fuzzFieldsAtMarks(body)},
			{contentType, formBody, fuzzMediaType(contentType) == form && fuzzFieldsAtMarks(body)},
		}
		for _, c := range checks {
			for _, limit := range []int64{maxLoggedBody, int64(len(c.data)) / 2} {
				data, size := c.data, int64(len(c.data))
				if int64(len(data)) > limit+1 {
					data, size = data[:limit+1], -1
				}
				out := redactBody(c.contentType, data, size, limit)
				if c.mustHide && strings.Contains(out, fuzzPassword) {
					t.Fatalf("redactBody(%q, %q) shows the password: %s", c.contentType, data, out)
				}
				summary := strings.HasPrefix(out, "<") && strings.HasSuffix(out, ", not logged>")
				if int64(len(data)) > limit && !summary {
					t.Fatalf("redactBody(%q, %d bytes, limit %d) = %q: not a summary", c.contentType, len(data), limit, out)
				}
				mt := fuzzMediaType(c.contentType)
				if !summary && (strings.Contains(mt, "json") || mt == "") && !json.Valid([]byte(out)) {
					t.Fatalf("redactBody(%q, %q) = %q: not JSON", c.contentType, data, out)
				}
			}
		}
	})
}

// FuzzRedactURL redacts URLs for logs and errors: a password in the user
// info, the token path segment of …/tokens/{token}, the values of secret
// query parameters and of fragment fields never come out, whatever the rest
// of the URL is; and any URL the parser accepts is redacted without panic.
func FuzzRedactURL(f *testing.F) {
	f.Add("https://admin:s3cr3t-password@keystone.example.com:5000/v3/auth/tokens?nocatalog", "admin", "/identity/v3/auth", "nocatalog&allow_expired=1")
	f.Add("http://ks/v2.0/tokens/gAAAAAB-some-token/endpoints?token=x&password=y#access_token=z", "", "/v2.0", "belongsTo=t1")
	f.Add("https://ks/v3/OS-OAUTH1/authorize/request-token-id", "u", "/v3/OS-OAUTH1/users/u/access_tokens/a/roles", "")
	f.Add("mailto:admin@example.com", "a:b", "", "a=%zz&b")
	f.Add("//host/%2Ftokens%2F/x?;", "", "/a%2Fb", "x=1;y=2")
	f.Fuzz(func(t *testing.T, raw, user, path, query string) {
		if u, err := url.Parse(raw); err == nil {
			out := redactURL(u)
			if p, ok := u.User.Password(); ok && len(p) >= 6 && strings.Count(raw, p) == 1 && strings.Count(raw, ":"+p+"@") == 1 && strings.Contains(out, p) {
				t.Fatalf("redactURL(%q) = %q shows the password", raw, out)
			}
			_ = redactURLString(raw)
		}
		for _, in := range []string{user, path, query} {
			if strings.Contains(in, "fuzz-") {
				return
			}
		}
		u := &url.URL{
			Scheme:   "https",
			User:     url.UserPassword(user, fuzzPassword),
			Host:     "keystone.example.com:5000",
			Path:     path + "/tokens/" + fuzzPathToken,
			RawQuery: query + "&token=" + fuzzQuerySecret + "&password=" + fuzzAuthToken,
			Fragment: query + "&access_token=" + fuzzSubject,
		}
		for _, out := range []string{redactURL(u), redactURLString(u.String())} {
			for _, secret := range []string{fuzzPassword, fuzzPathToken, fuzzQuerySecret, fuzzAuthToken, fuzzSubject} {
				if strings.Contains(out, secret) && out != "<unparsable URL, not shown>" {
					t.Fatalf("%s is shown: %s (from %s)", secret, out, u)
				}
			}
		}
	})
}

// fuzzCredentialHeaders are headers whose values are credentials.
var fuzzCredentialHeaders = []string{"X-Auth-Token", "X-Subject-Token", "X-Service-Token", "Authorization", "Proxy-Authorization",
	"Cookie", "Set-Cookie", "Openstack-Auth-Receipt", "X-Auth-Key", "X-Amz-Security-Token"}

// FuzzRedactHeader redacts headers for the log: the value of a credential
// header, however its name is cased, is shown as its digest only; a fuzzed
// header next to X-Auth-Token never brings its value out; a header that is
// not secret is shown as it is.
func FuzzRedactHeader(f *testing.F) {
	f.Add("X-Auth-Token", "gAAAAABtoken", uint64(0))
	f.Add("x-subject-token", "", uint64(0x5555))
	f.Add("WWW-Authenticate", `Keystone uri="https://ks/v3"`, uint64(1))
	f.Add("Content-Type", "application/json", uint64(0xffffffff))
	f.Add("X-Openstack-Request-Id", "req-1", uint64(7))
	f.Add("X-Auth-Token\r\nX-Foo", "a\nb", uint64(3))
	f.Fuzz(func(t *testing.T, name, value string, caseMask uint64) {
		for _, base := range fuzzCredentialHeaders {
			b := []byte(base)
			for i := range b {
				if caseMask>>(uint(i)%64)&1 == 1 {
					b[i] = byte(strings.ToUpper(string(b[i]))[0])
				} else {
					b[i] = byte(strings.ToLower(string(b[i]))[0])
				}
			}
			if got := redactHeader(string(b), value); got != redact.Digest(value) {
				t.Fatalf("redactHeader(%q, %q) = %q, want the digest", b, value, got)
			}
		}
		if strings.Contains(name+value, "fuzz-") {
			return
		}
		h := http.Header{name: {value}, "X-Auth-Token": {fuzzAuthToken}, "x-subject-token": {fuzzSubject}}
		red := redactHeaders(h)
		for _, out := range []string{headerString(h), fmt.Sprint(red), fmt.Sprintf("%#v", red)} {
			if strings.Contains(out, fuzzAuthToken) || strings.Contains(out, fuzzSubject) {
				t.Fatalf("a token comes out: %s", out)
			}
		}
		if !isSecretHeader(name) && name != "X-Auth-Token" && name != "x-subject-token" && red[name][0] != value {
			t.Fatalf("header %q: %q shown as %q", name, value, red[name][0])
		}
	})
}

// FuzzDebugLog logs an exchange at Debug level: a request with a token and a
// fuzzed JSON body holding a password, a response with a fuzzed body, content
// type and length, and X-Subject-Token. No credential comes out in the log,
// and the request and response bodies read afterwards are the bodies as
// they were.
func FuzzDebugLog(f *testing.F) {
	f.Add([]byte(`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": "u1", @PW@}}}}}`),
		[]byte(`{"token": {"methods": ["password"], "user": {"id": "u1"}, "expires_at": "2026-11-28T10:00:00.000000"}}`), "application/json", true)
	f.Add([]byte(`{"user": {@PW@}}`), []byte(`{"user": {@PW@, "id": "u"}}`), "application/json", false)
	f.Add([]byte(`{}`), []byte(`<html>`+strings.Repeat("x", 2000)+`</html>`), "text/html", false)
	f.Add([]byte(`[]`), []byte(`{"credential": {"blob": "{\"access\": \"a\", \"secret\": \"s\"}", "type": "ec2"}}`), "", true)
	f.Fuzz(func(t *testing.T, reqBody, respBody []byte, contentType string, knownLength bool) {
		for _, in := range [][]byte{reqBody, respBody, []byte(contentType)} {
			if bytes.Contains(in, []byte("fuzz-")) {
				return
			}
		}
		reqJSON := bytes.ReplaceAll(reqBody, []byte(fuzzPasswordMark), []byte(`"password": "`+fuzzPassword+`"`))
		respJSON := bytes.ReplaceAll(respBody, []byte(fuzzPasswordMark), []byte(`"password": "`+fuzzPassword+`"`))
		var buf bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		s, err := NewSession(WithLogger(logger), WithLimits(Limits{LoggedBody: 1 << 10}))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://keystone.example.com/v3/auth/tokens?token="+fuzzQuerySecret, bytes.NewReader(reqJSON))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Auth-Token", fuzzAuthToken)
		s.logRequest(ctx, req)
		resp := &http.Response{StatusCode: http.StatusCreated, Request: req, ContentLength: -1, Body: io.NopCloser(bytes.NewReader(respJSON)),
			Header: http.Header{"Content-Type": {contentType}, "X-Subject-Token": {fuzzSubject}}}
		if knownLength {
			resp.ContentLength = int64(len(respJSON))
		}
		s.logResponse(ctx, req, resp, time.Millisecond)
		secrets := []string{fuzzAuthToken, fuzzSubject, fuzzQuerySecret}
		if fuzzMediaType(contentType) != "application/x-www-form-urlencoded" {
			secrets = append(secrets, fuzzPassword)
		}
		for _, secret := range secrets {
			if strings.Contains(buf.String(), secret) {
				t.Fatalf("%s is in the log:\n%s", secret, buf.String())
			}
		}
		if got, err := io.ReadAll(resp.Body); err != nil || !bytes.Equal(got, respJSON) {
			t.Fatalf("the response body after logging: %q, %v; want %q", got, err, respJSON)
		}
		if got, err := io.ReadAll(req.Body); err != nil || !bytes.Equal(got, reqJSON) {
			t.Fatalf("the request body after logging: %q, %v; want %q", got, err, reqJSON)
		}
	})
}
