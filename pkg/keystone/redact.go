package keystone

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gokeystone/keystone/internal/redact"
)

// Printing methods of the types that carry secrets (tokens, passwords,
// receipts, OAuth1 secrets), defined here for the types of other files. Each
// type implements fmt.Formatter, so that no fmt verb falls back to printing
// its fields by reflection; slog.LogValuer or json.Marshaler where slog or
// encoding/json would otherwise walk its fields. The redaction rules are
// those of the debug log (see log.go).

// describePlugin describes an auth plugin or authenticator: with its own
// (redacting) printing methods when it has them, else by its type alone —
// never by reflection over its fields.
func describePlugin(p any) string {
	switch p := p.(type) {
	case nil:
		return "<nil>"
	case fmt.Formatter, fmt.Stringer:
		return fmt.Sprintf("%v", p)
	default:
		return fmt.Sprintf("%T", p)
	}
}

// ---- *Auth (auth.go)

// String describes the plugin and its current token, without secrets.
func (a *Auth) String() string {
	if a == nil {
		return "<nil>"
	}
	cur := "none"
	if ai := a.cur.Load(); ai != nil {
		cur = ai.String()
	}
	return "Auth{" + describePlugin(a.authn) + ", token: " + cur + "}"
}

// GoString is String.
func (a *Auth) GoString() string { return a.String() }

// Format implements fmt.Formatter: every verb shows String.
func (a *Auth) Format(f fmt.State, verb rune) { redact.Format(f, verb, a.String(), a.GoString()) }

// LogValue implements slog.LogValuer: the plugin and its current token,
// without secrets.
func (a *Auth) LogValue() slog.Value {
	if a == nil {
		return slog.StringValue("<nil>")
	}
	attrs := []slog.Attr{slog.String("plugin", describePlugin(a.authn))}
	if ai := a.cur.Load(); ai != nil {
		attrs = append(attrs, slog.Any("token", ai))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON describes the plugin and its current token (see
// AccessInfo.MarshalJSON), without secrets. To save the token, use
// ExportState.
func (a *Auth) MarshalJSON() ([]byte, error) {
	if a == nil {
		return []byte("null"), nil
	}
	return json.Marshal(struct {
		Plugin string      `json:"plugin"`
		Access *AccessInfo `json:"access"`
	}{describePlugin(a.authn), a.cur.Load()})
}

// String describes a saved token without it.
func (s savedToken) String() string { return "saved " + s.ai.String() }

// ---- Request (session.go)

// redactedBody is the request's body as the debug log would show it.
func (r Request) redactedBody() string {
	if r.JSON != nil {
		data, err := json.Marshal(r.JSON)
		if err != nil {
			return "<JSON body that does not encode, not shown>"
		}
		return redactBody("application/json", data, int64(len(data)), maxLoggedBody)
	}
	if len(r.Body) > 0 {
		return redactBody(r.Header.Get("Content-Type"), r.Body, int64(len(r.Body)), maxLoggedBody)
	}
	return ""
}

func headerString(h http.Header) string {
	var b strings.Builder
	for _, k := range sortedHeaderKeys(h) {
		for _, v := range h[k] {
			if b.Len() > 0 {
				b.WriteString("; ")
			}
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(redactHeader(k, v))
		}
	}
	return b.String()
}

// String describes the request as the debug log shows it: secret headers as
// digests, the secrets of a JSON or form body masked, other bodies
// summarised, the tokens of the URL as digests.
func (r Request) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Request{Method: %q, URL: %q", r.Method, redactURLString(r.URL))
	if r.Endpoint != nil {
		fmt.Fprintf(&b, ", Endpoint: %q", r.Endpoint.String())
	}
	if len(r.Header) > 0 {
		fmt.Fprintf(&b, ", Header: %q", headerString(r.Header))
	}
	if body := r.redactedBody(); body != "" {
		fmt.Fprintf(&b, ", Body: %s", body)
	}
	if r.NoAuth {
		b.WriteString(", NoAuth: true")
	}
	if r.Auth != nil {
		fmt.Fprintf(&b, ", Auth: %s", describePlugin(r.Auth))
	}
	for _, f := range r.flags() {
		fmt.Fprintf(&b, ", %s: %#v", f.name, f.value)
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String.
func (r Request) GoString() string { return "keystone." + r.String() }

// Format implements fmt.Formatter: every verb shows String.
func (r Request) Format(f fmt.State, verb rune) { redact.Format(f, verb, r.String(), r.GoString()) }

// LogValue implements slog.LogValuer, with String's redaction.
func (r Request) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("url", redactURLString(r.URL))}
	if r.Endpoint != nil {
		attrs = append(attrs, slog.String("endpoint", r.Endpoint.String()))
	}
	if len(r.Header) > 0 {
		attrs = append(attrs, slog.String("header", headerString(r.Header)))
	}
	if body := r.redactedBody(); body != "" {
		attrs = append(attrs, slog.String("body", body))
	}
	if r.NoAuth {
		attrs = append(attrs, slog.Bool("no_auth", true))
	}
	if r.Auth != nil {
		attrs = append(attrs, slog.String("auth", describePlugin(r.Auth)))
	}
	for _, f := range r.flags() {
		attrs = append(attrs, slog.Any(f.key, f.value))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON encodes the request with String's redaction.
func (r Request) MarshalJSON() ([]byte, error) {
	var endpoint, auth string
	if r.Endpoint != nil {
		endpoint = r.Endpoint.String()
	}
	if r.Auth != nil {
		auth = describePlugin(r.Auth)
	}
	return json.Marshal(struct {
		Method        string      `json:"method"`
		URL           string      `json:"url"`
		Endpoint      string      `json:"endpoint,omitempty"`
		Header        http.Header `json:"header,omitempty"`
		Body          string      `json:"body,omitempty"`
		NoAuth        bool        `json:"no_auth,omitempty"`
		Auth          string      `json:"auth,omitempty"`
		NoRedirect    bool        `json:"no_redirect,omitempty"`
		RedirectLimit int         `json:"redirect_limit,omitempty"`
		NoStatusError bool        `json:"no_status_error,omitempty"`
		NoReauth      bool        `json:"no_reauth,omitempty"`
		UserAgent     string      `json:"user_agent,omitempty"`
	}{r.Method, redactURLString(r.URL), endpoint, redactHeaders(r.Header), r.redactedBody(), r.NoAuth, auth,
		r.NoRedirect, r.RedirectLimit, r.NoStatusError, r.NoReauth, r.UserAgent})
}

// requestFlag is a per-request setting the printing methods show when set.
type requestFlag struct {
	name, key string
	value     any
}

// flags are r's per-request settings that are set (the logger is not shown).
func (r Request) flags() []requestFlag {
	var out []requestFlag
	add := func(set bool, name, key string, value any) {
		if set {
			out = append(out, requestFlag{name, key, value})
		}
	}
	add(r.NoRedirect, "NoRedirect", "no_redirect", true)
	add(r.RedirectLimit != 0, "RedirectLimit", "redirect_limit", r.RedirectLimit)
	add(r.NoStatusError, "NoStatusError", "no_status_error", true)
	add(r.NoReauth, "NoReauth", "no_reauth", true)
	add(r.UserAgent != "", "UserAgent", "user_agent", r.UserAgent)
	return out
}

// ---- *HTTPError, AuthReceipt, *AuthReceiptError (errors.go)

func (e HTTPError) redactedGoString() string {
	receipt := "nil"
	if e.Receipt != nil {
		receipt = e.Receipt.String()
	}
	return fmt.Sprintf("&keystone.HTTPError{StatusCode:%d, Method:%q, URL:%q, RequestID:%q, Title:%q, Message:%q, RetryAfter:%v, Header:%#v, Receipt:%s}",
		e.StatusCode, e.Method, e.URL, e.RequestID, e.Title, e.Message, e.RetryAfter, redactHeaders(e.Header), receipt)
}

// Format implements fmt.Formatter, for an HTTPError and a *HTTPError: %#v
// shows the fields, with the headers redacted and the receipt without its
// ID; every other verb shows Error.
func (e HTTPError) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, e.Error(), e.redactedGoString())
}

// LogValue implements slog.LogValuer: Error, as slog shows errors.
func (e *HTTPError) LogValue() slog.Value {
	if e == nil {
		return slog.StringValue("<nil>")
	}
	return slog.StringValue(e.Error())
}

// MarshalJSON encodes the error's fields, with the headers redacted and the
// receipt without its ID.
func (e HTTPError) MarshalJSON() ([]byte, error) {
	var retry string
	if e.RetryAfter > 0 {
		retry = e.RetryAfter.String()
	}
	return json.Marshal(struct {
		Error      string       `json:"error"`
		StatusCode int          `json:"status_code"`
		Method     string       `json:"method,omitempty"`
		URL        string       `json:"url,omitempty"`
		RequestID  string       `json:"request_id,omitempty"`
		Title      string       `json:"title,omitempty"`
		Message    string       `json:"message,omitempty"`
		RetryAfter string       `json:"retry_after,omitempty"`
		Header     http.Header  `json:"header,omitempty"`
		Receipt    *AuthReceipt `json:"receipt,omitempty"`
	}{e.Error(), e.StatusCode, e.Method, e.URL, e.RequestID, e.Title, e.Message, retry, redactHeaders(e.Header), e.Receipt})
}

// Format implements fmt.Formatter, for an AuthReceipt and a *AuthReceipt:
// every verb shows String, never the receipt ID.
func (r AuthReceipt) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, r.String(), r.String())
}

func (e AuthReceiptError) message() string {
	if e.Receipt == nil {
		return "keystone: multi-factor authentication incomplete"
	}
	return e.Error()
}

// Format implements fmt.Formatter, for an AuthReceiptError and a
// *AuthReceiptError: %#v shows the receipt (without its ID) and the HTTP
// error; every other verb shows Error.
func (e AuthReceiptError) Format(f fmt.State, verb rune) {
	receipt := "nil"
	if e.Receipt != nil {
		receipt = e.Receipt.String()
	}
	cause := "nil"
	if he, ok := e.Err.(*HTTPError); ok && he != nil {
		cause = he.redactedGoString()
	} else if e.Err != nil {
		cause = fmt.Sprintf("%q", e.Err.Error())
	}
	redact.Format(f, verb, e.message(), "&keystone.AuthReceiptError{Receipt:"+receipt+", Err:"+cause+"}")
}

// LogValue implements slog.LogValuer: Error, as slog shows errors.
func (e *AuthReceiptError) LogValue() slog.Value {
	if e == nil {
		return slog.StringValue("<nil>")
	}
	return slog.StringValue(e.message())
}
