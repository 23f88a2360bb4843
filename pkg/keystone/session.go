package keystone

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Version is this SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Session is the one place where HTTP happens: it authenticates requests with
// its AuthPlugin, finds endpoints in the catalog, retries, logs (with secrets
// redacted) and turns error statuses into *HTTPError. It is safe for
// concurrent use.
//
// A Session is also an HttpRequestDoer for the generated clients in gen/:
// pass it to identityv3.WithHTTPClient and every generated call is
// authenticated, retried and logged.
type Session struct {
	client     *http.Client
	auth       AuthPlugin
	logger     *slog.Logger
	userAgent  string
	requestID  string
	originalIP string
	retry      RetryPolicy
	sleep      func(ctx context.Context, d time.Duration) error

	discoveryMu sync.Mutex
	discovery   map[string]*Discovery
}

// RetryPolicy says which failures a Session retries and how long it waits:
// BaseDelay, doubled at each attempt up to MaxDelay, or the server's
// Retry-After when it is longer (capped at MaxDelay too).
type RetryPolicy struct {
	// ConnectRetries is how often to retry a request that could not connect.
	ConnectRetries int
	// StatusRetries is how often to retry a response with a status in Statuses.
	StatusRetries int
	// Statuses are the retried statuses (default 503 and 429).
	Statuses  []int
	BaseDelay time.Duration
	MaxDelay  time.Duration
}

// DefaultRetryPolicy retries twice on connection failures and on 503 and 429,
// starting at half a second, waiting at most a minute.
var DefaultRetryPolicy = RetryPolicy{
	ConnectRetries: 2, StatusRetries: 2, Statuses: []int{503, 429},
	BaseDelay: 500 * time.Millisecond, MaxDelay: time.Minute,
}

// SessionOption configures a Session.
type SessionOption func(*sessionConfig) error

type sessionConfig struct {
	client            *http.Client
	transport         http.RoundTripper
	timeout           time.Duration
	caPEM             []byte
	certFile, keyFile string
	insecure          bool
	app, appVersion   string
	s                 *Session
}

// WithAuth sets the session's auth plugin.
func WithAuth(p AuthPlugin) SessionOption {
	return func(c *sessionConfig) error { c.s.auth = p; return nil }
}

// WithHTTPClient makes the session send with client (for example one whose
// transport is instrumented). TLS options then do not apply.
func WithHTTPClient(client *http.Client) SessionOption {
	return func(c *sessionConfig) error { c.client = client; return nil }
}

// WithTransport sets the round tripper of the session's own client.
func WithTransport(t http.RoundTripper) SessionOption {
	return func(c *sessionConfig) error { c.transport = t; return nil }
}

// WithTimeout bounds every request (default: none beyond the context's).
func WithTimeout(d time.Duration) SessionOption {
	return func(c *sessionConfig) error { c.timeout = d; return nil }
}

// WithCACertFile trusts the CA certificates in a PEM file.
func WithCACertFile(path string) SessionOption {
	return func(c *sessionConfig) error {
		pem, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("keystone: CA file: %w", err)
		}
		c.caPEM = append(c.caPEM, pem...)
		return nil
	}
}

// WithCACertPEM trusts the CA certificates in pem.
func WithCACertPEM(pem []byte) SessionOption {
	return func(c *sessionConfig) error { c.caPEM = append(c.caPEM, pem...); return nil }
}

// WithClientCert presents a client certificate (PEM files).
func WithClientCert(certFile, keyFile string) SessionOption {
	return func(c *sessionConfig) error { c.certFile, c.keyFile = certFile, keyFile; return nil }
}

// WithInsecure skips TLS certificate verification. The session logs a warning:
// use it only against a test server.
func WithInsecure() SessionOption {
	return func(c *sessionConfig) error { c.insecure = true; return nil }
}

// WithUserAgent prepends an application name and version to the User-Agent
// (gokeystone/<version> Go/<version>).
func WithUserAgent(app, version string) SessionOption {
	return func(c *sessionConfig) error { c.app, c.appVersion = app, version; return nil }
}

// WithOriginalIP sends the address of the user a service acts for in a
// Forwarded header.
func WithOriginalIP(ip string) SessionOption {
	return func(c *sessionConfig) error { c.s.originalIP = ip; return nil }
}

// WithGlobalRequestID sends id as X-OpenStack-Request-ID on every request, so
// that logs across services can be correlated.
func WithGlobalRequestID(id string) SessionOption {
	return func(c *sessionConfig) error { c.s.requestID = id; return nil }
}

// WithLogger logs through logger: at Debug level every request (as a curl
// command line) and response, with tokens shown as {SHA256} digests and
// passwords and secrets masked.
func WithLogger(logger *slog.Logger) SessionOption {
	return func(c *sessionConfig) error { c.s.logger = logger; return nil }
}

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) SessionOption {
	return func(c *sessionConfig) error { c.s.retry = p; return nil }
}

// withSleep replaces the wait between retries (for tests).
func withSleep(f func(ctx context.Context, d time.Duration) error) SessionOption {
	return func(c *sessionConfig) error { c.s.sleep = f; return nil }
}

// NewSession returns a Session configured by opts.
func NewSession(opts ...SessionOption) (*Session, error) {
	s := &Session{
		logger:    slog.New(slog.DiscardHandler),
		retry:     DefaultRetryPolicy,
		sleep:     sleepCtx,
		discovery: make(map[string]*Discovery),
	}
	c := &sessionConfig{s: s}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	ua := "gokeystone/" + Version + " Go/" + strings.TrimPrefix(runtime.Version(), "go")
	if c.app != "" {
		app := c.app
		if c.appVersion != "" {
			app += "/" + c.appVersion
		}
		ua = app + " " + ua
	}
	s.userAgent = ua
	if c.client != nil {
		s.client = c.client
		return s, nil
	}
	transport := c.transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		tlsConf, err := c.tlsConfig()
		if err != nil {
			return nil, err
		}
		t.TLSClientConfig = tlsConf
		transport = t
	}
	if c.insecure {
		s.logger.Warn("keystone: TLS certificate verification is disabled (insecure): use this only against a test server")
	}
	s.client = &http.Client{Transport: transport, Timeout: c.timeout}
	return s, nil
}

func (c *sessionConfig) tlsConfig() (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.insecure} //nolint:gosec // opt-in, logged
	if len(c.caPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(c.caPEM) {
			return nil, fmt.Errorf("%w: no certificate in the CA bundle", ErrTLS)
		}
		conf.RootCAs = pool
	}
	if c.certFile != "" || c.keyFile != "" {
		cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
		if err != nil {
			return nil, fmt.Errorf("%w: client certificate: %v", ErrTLS, err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// CloseIdleConnections closes the idle keep-alive connections of the
// session's HTTP client.
func (s *Session) CloseIdleConnections() { s.client.CloseIdleConnections() }

// Auth returns the session's auth plugin (nil if none).
func (s *Session) Auth() AuthPlugin { return s.auth }

// Logger returns the session's logger.
func (s *Session) Logger() *slog.Logger { return s.logger }

// Request is one HTTP request through a Session.
type Request struct {
	Method string
	// URL is absolute, or, with Endpoint, relative to the endpoint's URL.
	URL string
	// Endpoint, if set, selects the catalog endpoint URL is relative to.
	Endpoint *EndpointFilter
	Header   http.Header
	// JSON, if not nil, is marshalled as the body (Content-Type application/json).
	JSON any
	// Body is the raw body, when JSON is nil.
	Body []byte
	// NoAuth sends the request without a token.
	NoAuth bool
	// Auth authenticates this request instead of the session's plugin.
	Auth AuthPlugin
}

// Request sends r and returns the response, whose body the caller must close.
// A status of 400 or more is returned as *HTTPError (with the body read and
// closed).
func (s *Session) Request(ctx context.Context, r Request) (*http.Response, error) {
	target := r.URL
	auth := s.auth
	if r.Auth != nil {
		auth = r.Auth
	}
	if r.Endpoint != nil {
		if auth == nil {
			return nil, ErrMissingAuthPlugin
		}
		base, err := s.EndpointURL(ctx, auth, *r.Endpoint)
		if err != nil {
			return nil, err
		}
		target = joinURL(base, r.URL)
	}
	body := r.Body
	if r.JSON != nil {
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, fmt.Errorf("keystone: encode request body: %w", err)
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("keystone: request: %w", err)
	}
	if len(body) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.JSON != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	return s.send(req, auth, r.NoAuth)
}

func joinURL(base, rel string) string {
	if rel == "" {
		return base
	}
	if strings.Contains(rel, "://") {
		return rel
	}
	return strings.TrimRight(base, "/") + "/" + strings.TrimLeft(rel, "/")
}

type noAuthKey struct{}

// WithoutAuth marks requests made with ctx (for example by a generated client
// over this session) to be sent without a token.
func WithoutAuth(ctx context.Context) context.Context {
	return context.WithValue(ctx, noAuthKey{}, true)
}

// Do sends a request built by a generated client: it adds the token (unless
// the request has X-Auth-Token already or its context says WithoutAuth),
// User-Agent and the other headers, retries, logs, and returns a status of 400
// or more as *HTTPError. It implements the generated clients' HttpRequestDoer.
func (s *Session) Do(req *http.Request) (*http.Response, error) {
	noAuth, _ := req.Context().Value(noAuthKey{}).(bool)
	return s.send(req, s.auth, noAuth || req.Header.Get("X-Auth-Token") != "")
}

// send is the request loop: authentication, retries, one re-authentication
// after a 401, logging and error mapping.
func (s *Session) send(req *http.Request, auth AuthPlugin, noAuth bool) (*http.Response, error) {
	ctx := req.Context()
	s.setHeaders(req)
	if !noAuth && auth == nil {
		return nil, ErrMissingAuthPlugin
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	reauthed := false
	connectTries, statusTries := 0, 0
	for attempt := 0; ; attempt++ {
		var token string
		if !noAuth {
			t, err := auth.Token(ctx, s)
			if err != nil {
				return nil, err
			}
			token = t
			req.Header.Set("X-Auth-Token", token)
		}
		if attempt > 0 && req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, fmt.Errorf("keystone: replay request body: %w", err)
			}
			req.Body = b
		}
		s.logRequest(ctx, req)
		start := time.Now()
		resp, err := s.client.Do(req)
		if err != nil {
			err = classifyTransportError(ctx, req, err)
			if errors.Is(err, ErrConnectionRefused) && connectTries < s.retry.ConnectRetries && replayable {
				connectTries++
				if werr := s.wait(ctx, s.retry.delay(connectTries, 0), req, err.Error()); werr != nil {
					return nil, werr
				}
				continue
			}
			return nil, err
		}
		s.logResponse(ctx, req, resp, time.Since(start))
		recordMetadata(req, resp)
		if resp.StatusCode < 400 {
			return resp, nil
		}
		if resp.StatusCode == http.StatusUnauthorized && !noAuth && !reauthed && replayable {
			// The token was rejected (revoked, or expired early): forget it and
			// try once more with a new one. Another goroutine may have
			// refreshed it already; Invalidate only drops the rejected token.
			reauthed = true
			auth.Invalidate(token)
			if _, err := auth.Token(ctx, s); err != nil {
				return nil, errors.Join(newHTTPError(req, resp), err)
			}
			drain(resp)
			continue
		}
		if s.retry.retries(resp.StatusCode) && statusTries < s.retry.StatusRetries && replayable {
			statusTries++
			delay := s.retry.delay(statusTries, retryAfter(resp.Header))
			drain(resp)
			if werr := s.wait(ctx, delay, req, resp.Status); werr != nil {
				return nil, werr
			}
			continue
		}
		return nil, newHTTPError(req, resp)
	}
}

func (s *Session) setHeaders(req *http.Request) {
	req.Header.Set("User-Agent", s.userAgent)
	if s.requestID != "" && req.Header.Get("X-OpenStack-Request-ID") == "" {
		req.Header.Set("X-OpenStack-Request-ID", s.requestID)
	}
	if s.originalIP != "" && req.Header.Get("Forwarded") == "" {
		req.Header.Set("Forwarded", fmt.Sprintf("for=%s;by=%s", s.originalIP, "gokeystone/"+Version))
	}
}

func (s *Session) wait(ctx context.Context, d time.Duration, req *http.Request, why string) error {
	s.logger.InfoContext(ctx, "keystone: retrying", "method", req.Method, "url", redactURL(req.URL), "after", d, "cause", why)
	return s.sleep(ctx, d)
}

func (p RetryPolicy) retries(status int) bool {
	for _, s := range p.Statuses {
		if s == status {
			return true
		}
	}
	return false
}

// delay is BaseDelay·2^(n-1), at least the server's Retry-After, at most MaxDelay.
func (p RetryPolicy) delay(n int, after time.Duration) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	if after > d {
		d = after
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	return d
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

func newHTTPError(req *http.Request, resp *http.Response) *HTTPError {
	defer drain(resp)
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &HTTPError{
		StatusCode: resp.StatusCode,
		Method:     req.Method,
		URL:        redactURL(req.URL),
		RequestID:  resp.Header.Get("X-Openstack-Request-Id"),
		RetryAfter: retryAfter(resp.Header),
		Header:     resp.Header.Clone(),
	}
	e.Header.Del("X-Subject-Token")
	e.Header.Del("Openstack-Auth-Receipt")
	var kb struct {
		Error *struct {
			Title   string `json:"title"`
			Message string `json:"message"`
		} `json:"error"`
		Message string `json:"message"`
		// A multi-factor auth receipt.
		Receipt *struct {
			Methods   []string  `json:"methods"`
			ExpiresAt time.Time `json:"expires_at"`
			User      struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"receipt"`
		Required [][]string `json:"required_auth_methods"`
	}
	if json.Unmarshal(body, &kb) == nil {
		switch {
		case kb.Error != nil:
			e.Title, e.Message = kb.Error.Title, kb.Error.Message
		case kb.Message != "":
			e.Message = kb.Message
		}
		if kb.Receipt != nil && resp.StatusCode == http.StatusUnauthorized {
			e.Receipt = &AuthReceipt{
				ID:              resp.Header.Get("Openstack-Auth-Receipt"),
				Methods:         kb.Receipt.Methods,
				RequiredMethods: kb.Required,
				UserID:          kb.Receipt.User.ID,
				ExpiresAt:       kb.Receipt.ExpiresAt,
			}
		}
	} else if len(body) > 0 && !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		// An HTML error page from a proxy: keep its text short.
		e.Message = shorten(stripTags(string(body)), 200)
	}
	return e
}

// classifyTransportError wraps a failed round trip in the matching sentinel.
func classifyTransportError(ctx context.Context, req *http.Request, err error) error {
	where := req.Method + " " + redactURL(req.URL)
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return fmt.Errorf("%w: %s: %w", ErrTimeout, where, ctxErr)
		}
		return fmt.Errorf("keystone: %s: %w", where, ctxErr)
	}
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recordErr):
		return fmt.Errorf("%w: %s: %w", ErrTLS, where, err)
	case errors.Is(err, syscall.ECONNREFUSED), isDialError(err):
		return fmt.Errorf("%w: %s: %w", ErrConnectionRefused, where, err)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("%w: %s: %w", ErrTimeout, where, err)
	}
	return fmt.Errorf("keystone: %s: %w", where, err)
}

func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EndpointURL returns the URL of the endpoint that matches f, through auth's
// catalog; with f.MinVersion or f.MaxVersion, the URL of the best version the
// endpoint's discovery document offers in that range.
func (s *Session) EndpointURL(ctx context.Context, auth AuthPlugin, f EndpointFilter) (string, error) {
	if auth == nil {
		auth = s.auth
	}
	if auth == nil {
		return "", ErrMissingAuthPlugin
	}
	u, err := auth.Endpoint(ctx, s, f)
	if err != nil {
		return "", err
	}
	if f.MinVersion == "" && f.MaxVersion == "" {
		return u, nil
	}
	return s.versionedURL(ctx, u, f.MinVersion, f.MaxVersion)
}
