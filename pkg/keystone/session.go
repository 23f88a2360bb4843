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
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gokeystone/keystone/internal/redact"
)

// Version is this SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Session is the one place where HTTP happens: it authenticates requests with
// its AuthPlugin, finds endpoints in the catalog, retries, follows redirects
// safely, logs (with secrets redacted), bounds what it reads, and turns error
// statuses into *HTTPError. It is safe for concurrent use. The zero Session
// works: no auth plugin, no retries, http.DefaultTransport, no logging.
//
// A Session is also an HttpRequestDoer for the generated clients in gen/:
// pass it to identityv3.WithHTTPClient and every generated call is
// authenticated, retried and logged.
//
// Redirects: the session follows redirects itself, at most 10 for a request
// (see WithRedirectLimit and Request.RedirectLimit; one more is a
// *RedirectError matching ErrTooManyRedirects). It never follows one from
// HTTPS to plain HTTP, never sends a request body again (so a credential
// body is never redirected: such redirects are *RedirectError), and never
// sends a token, a receipt, a cookie or an Authorization header to another
// host than the request's own (it strips them, and does not re-authenticate
// on that host's 401).
type Session struct {
	client     *http.Client
	auth       AuthPlugin
	logger     *slog.Logger
	userAgent  string
	requestID  string
	originalIP string
	retry      RetryPolicy
	limits     Limits
	region     string // WithRegion
	iface      string // WithInterface, canonical
	redirects  int    // WithRedirectLimit: 0 DefaultRedirectLimit, -1 none
	sleep      func(ctx context.Context, d time.Duration) error

	discoveryMu sync.Mutex
	discovery   map[string]*Discovery
}

// RetryPolicy says which failures a Session retries and how long it waits:
// BaseDelay, doubled at each attempt up to MaxDelay, or the server's
// Retry-After when it is longer (capped at MaxDelay too).
//
// Only idempotent requests are retried after the server may have seen them
// (a retried status, a connection that broke): GET, HEAD, OPTIONS, PUT,
// DELETE, requests with an Idempotency-Key header, and token requests (POST
// /v3/auth/tokens, /v2.0/tokens), unless RetryNonIdempotent is set. A request
// that could not be sent (connection refused, a dial that timed out) is
// retried whatever its method. A Retry-After longer than the time left
// before the context's deadline is not waited for: the *HTTPError is
// returned at once.
type RetryPolicy struct {
	// ConnectRetries is how often to retry a request whose connection could
	// not be made, or broke before the response.
	ConnectRetries int
	// StatusRetries is how often to retry a response with a status in Statuses.
	StatusRetries int
	// Statuses are the retried statuses (nil: 429, 502, 503 and 504).
	Statuses []int
	// BaseDelay is the first wait; it is at least 50ms (MinRetryDelay).
	BaseDelay time.Duration
	// MaxDelay caps every wait (0: one minute).
	MaxDelay time.Duration
	// RetryNonIdempotent retries POST and PATCH requests too.
	RetryNonIdempotent bool
}

// MinRetryDelay is the shortest wait between two attempts, whatever
// RetryPolicy.BaseDelay says.
const MinRetryDelay = 50 * time.Millisecond

// DefaultRetryPolicy retries twice on connection failures and on 429, 502,
// 503 and 504, starting at half a second, waiting at most a minute.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		ConnectRetries: 2, StatusRetries: 2,
		BaseDelay: 500 * time.Millisecond, MaxDelay: time.Minute,
	}
}

// Limits bound how much a Session reads of a response. A zero field takes
// its default (see DefaultLimits).
type Limits struct {
	// TokenBody bounds a token response (POST or GET /v3/auth/tokens,
	// /v2.0/tokens).
	TokenBody int64
	// ResponseBody bounds any other body the SDK reads whole: a resource,
	// one page of a list, a discovery document.
	ResponseBody int64
	// ErrorBody bounds how much of an error response is read for its message.
	ErrorBody int64
	// LoggedBody bounds how much of a body the debug log reads and shows.
	LoggedBody int64
}

// DefaultLimits: 16 MiB for tokens, 64 MiB for other responses, 64 KiB of
// an error body, 16 KiB of a logged body.
func DefaultLimits() Limits {
	return Limits{TokenBody: 16 << 20, ResponseBody: 64 << 20, ErrorBody: 64 << 10, LoggedBody: 16 << 10}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.TokenBody <= 0 {
		l.TokenBody = d.TokenBody
	}
	if l.ResponseBody <= 0 {
		l.ResponseBody = d.ResponseBody
	}
	if l.ErrorBody <= 0 {
		l.ErrorBody = d.ErrorBody
	}
	if l.LoggedBody <= 0 {
		l.LoggedBody = d.LoggedBody
	}
	return l
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
	tlsOptions        bool
	app, appVersion   string
	s                 *Session
}

// WithAuth sets the session's auth plugin.
func WithAuth(p AuthPlugin) SessionOption {
	return func(c *sessionConfig) error { c.s.auth = p; return nil }
}

// WithHTTPClient makes the session send with a copy of client (for example
// one whose transport is instrumented or has connection limits). The copy
// does not follow redirects itself (the session does, safely) and takes
// WithTimeout's bound if one is given. TLS options and WithTransport cannot
// be combined with it: configure the client's transport instead.
func WithHTTPClient(client *http.Client) SessionOption {
	return func(c *sessionConfig) error {
		if client == nil {
			return fmt.Errorf("%w: WithHTTPClient(nil)", ErrInvalidArgument)
		}
		c.client = client
		return nil
	}
}

// WithTransport sets the round tripper of the session's own client.
func WithTransport(t http.RoundTripper) SessionOption {
	return func(c *sessionConfig) error { c.transport = t; return nil }
}

// WithTimeout bounds every HTTP exchange of the session (connecting, the
// headers and the body), those of authentication and discovery included,
// whether the session uses its own client or one given by WithHTTPClient.
// The default is no bound beyond the context's.
func WithTimeout(d time.Duration) SessionOption {
	return func(c *sessionConfig) error {
		if d < 0 {
			return fmt.Errorf("%w: negative timeout %v", ErrInvalidArgument, d)
		}
		c.timeout = d
		return nil
	}
}

// WithCACertFile trusts the CA certificates in a PEM file.
func WithCACertFile(path string) SessionOption {
	return func(c *sessionConfig) error {
		pem, err := os.ReadFile(path)
		if err != nil {
			return errorf("keystone: CA file: %w", err)
		}
		c.caPEM = append(c.caPEM, pem...)
		c.tlsOptions = true
		return nil
	}
}

// WithCACertPEM trusts the CA certificates in pem.
func WithCACertPEM(pem []byte) SessionOption {
	return func(c *sessionConfig) error { c.caPEM = append(c.caPEM, pem...); c.tlsOptions = true; return nil }
}

// WithClientCert presents a client certificate (PEM files).
func WithClientCert(certFile, keyFile string) SessionOption {
	return func(c *sessionConfig) error {
		c.certFile, c.keyFile = certFile, keyFile
		c.tlsOptions = true
		return nil
	}
}

// WithInsecure skips TLS certificate verification. The session logs a warning:
// use it only against a test server.
func WithInsecure() SessionOption {
	return func(c *sessionConfig) error { c.insecure = true; c.tlsOptions = true; return nil }
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

// WithRetryPolicy replaces DefaultRetryPolicy().
func WithRetryPolicy(p RetryPolicy) SessionOption {
	return func(c *sessionConfig) error { c.s.retry = p; return nil }
}

// WithLimits replaces DefaultLimits() (its zero fields keep their default).
func WithLimits(l Limits) SessionOption {
	return func(c *sessionConfig) error { c.s.limits = l.withDefaults(); return nil }
}

// WithRegion sets the session's default region (keystoneauth1's adapter
// region_name): every endpoint lookup through the session (EndpointURL,
// Request with an Endpoint, the identity clients) whose filter names no
// Region looks in region name (a region ID or name). A filter's Region wins;
// a filter that names an EndpointID is not narrowed. "" means no default:
// a service with endpoints in several regions is then ambiguous, except the
// identity service, whose endpoint is the one at the auth URL (see
// EndpointURL).
func WithRegion(name string) SessionOption {
	return func(c *sessionConfig) error { c.s.region = name; return nil }
}

// WithInterface sets the session's default interface (keystoneauth1's adapter
// interface): every endpoint lookup through the session whose filter names no
// Interfaces uses iface: public, internal or admin, in any case, or the v2.0
// spellings publicURL, internalURL and adminURL. A filter's Interfaces win; a
// filter that names an EndpointID is not narrowed. "" means no default
// (public). Any other value makes NewSession fail with ErrInvalidArgument.
func WithInterface(iface string) SessionOption {
	return func(c *sessionConfig) error {
		if iface == "" {
			c.s.iface = ""
			return nil
		}
		switch ci := canonicalInterface(iface); ci {
		case "public", "internal", "admin":
			c.s.iface = ci
			return nil
		}
		return fmt.Errorf("%w: WithInterface(%q): an interface is public, internal or admin", ErrInvalidArgument, iface)
	}
}

// DefaultRedirectLimit is how many redirects a request follows unless
// WithRedirectLimit or Request.RedirectLimit says otherwise.
const DefaultRedirectLimit = 10

// WithRedirectLimit sets how many redirects a request may follow
// (keystoneauth1's redirect): at most n, after which the request fails with
// a *RedirectError matching ErrTooManyRedirects. With n = 0 the session
// follows none: a redirect (3xx) response is returned as it is, as with
// Request.NoRedirect. The default is DefaultRedirectLimit. Whatever the
// limit, the rules of Session on redirects hold (no credential to another
// host, no HTTPS to HTTP). A negative n makes NewSession fail with
// ErrInvalidArgument.
func WithRedirectLimit(n int) SessionOption {
	return func(c *sessionConfig) error {
		switch {
		case n < 0:
			return fmt.Errorf("%w: WithRedirectLimit(%d): a limit is 0 or more", ErrInvalidArgument, n)
		case n == 0:
			c.s.redirects = -1
		default:
			c.s.redirects = n
		}
		return nil
	}
}

// withSleep replaces the wait between retries (for tests).
func withSleep(f func(ctx context.Context, d time.Duration) error) SessionOption {
	return func(c *sessionConfig) error { c.s.sleep = f; return nil }
}

func defaultUserAgent() string {
	return "gokeystone/" + Version + " Go/" + strings.TrimPrefix(runtime.Version(), "go")
}

// NewSession returns a Session configured by opts.
func NewSession(opts ...SessionOption) (*Session, error) {
	s := &Session{
		logger:    slog.New(slog.DiscardHandler),
		retry:     DefaultRetryPolicy(),
		limits:    DefaultLimits(),
		sleep:     sleepCtx,
		discovery: make(map[string]*Discovery),
	}
	c := &sessionConfig{s: s}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	ua := defaultUserAgent()
	if c.app != "" {
		app := c.app
		if c.appVersion != "" {
			app += "/" + c.appVersion
		}
		ua = app + " " + ua
	}
	s.userAgent = ua
	if c.client != nil {
		if c.tlsOptions || c.transport != nil {
			return nil, fmt.Errorf("%w: WithHTTPClient cannot be combined with TLS options or WithTransport: configure the client's transport", ErrInvalidArgument)
		}
		cl := *c.client
		cl.CheckRedirect = noFollow
		if c.timeout > 0 {
			cl.Timeout = c.timeout
		}
		s.client = &cl
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
	s.client = &http.Client{Transport: transport, Timeout: c.timeout, CheckRedirect: noFollow}
	return s, nil
}

// noFollow makes an http.Client return redirects: the session follows them.
func noFollow(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

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
func (s *Session) CloseIdleConnections() {
	if s != nil && s.client != nil {
		s.client.CloseIdleConnections()
	}
}

// Auth returns the session's auth plugin (nil if none).
func (s *Session) Auth() AuthPlugin {
	if s == nil {
		return nil
	}
	return s.auth
}

// Logger returns the session's logger.
func (s *Session) Logger() *slog.Logger {
	if s == nil || s.logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.logger
}

// Limits returns the session's read limits.
func (s *Session) Limits() Limits {
	if s == nil {
		return DefaultLimits()
	}
	return s.limits.withDefaults()
}

// httpClient is the session's client; the zero Session gets one over
// http.DefaultTransport that does not follow redirects.
func (s *Session) httpClient() *http.Client {
	if s.client != nil {
		return s.client
	}
	return &http.Client{CheckRedirect: noFollow}
}

func (s *Session) sleeper() func(context.Context, time.Duration) error {
	if s.sleep != nil {
		return s.sleep
	}
	return sleepCtx
}

// Request is one HTTP request through a Session.
type Request struct {
	Method string
	// URL is absolute, or, with Endpoint, relative to the endpoint's URL.
	URL string
	// Endpoint, if set, selects the catalog endpoint URL is relative to.
	Endpoint *EndpointFilter
	// Header holds this request's headers. They win over the session's
	// (User-Agent, X-OpenStack-Request-ID, Forwarded) and over the defaults
	// (Accept and, with JSON, Content-Type), but not over authentication:
	// unless NoAuth is set, X-Auth-Token is the token of the request's
	// plugin, whatever Header says.
	Header http.Header
	// JSON, if not nil, is marshalled as the body (Content-Type application/json).
	JSON any
	// Body is the raw body, when JSON is nil.
	Body []byte
	// NoAuth sends the request without a token.
	NoAuth bool
	// Auth authenticates this request instead of the session's plugin.
	Auth AuthPlugin
	// NoRedirect returns a redirect (3xx) response as it is, for the caller
	// to read its Location and cookies (a SAML2 service provider's answer),
	// instead of following it.
	NoRedirect bool
	// RedirectLimit, if more than 0, is how many redirects this request may
	// follow, instead of the session's limit (see WithRedirectLimit); to
	// follow none, set NoRedirect. It cannot be negative.
	RedirectLimit int
	// NoStatusError returns a response whose status is 400 or more as it
	// is, with a nil error, instead of an *HTTPError (keystoneauth1's
	// raise_exc=False): its body is not read, and the caller must close it.
	// Retries (of a 429 or a 503, …) and the re-authentication after a 401
	// still happen: the response returned is the last one.
	NoStatusError bool
	// NoReauth forbids re-authentication (keystoneauth1's
	// allow_reauth=False): a 401 is returned as it is (an *HTTPError, or
	// the response with NoStatusError) instead of the session dropping the
	// token and sending the request again with a new one. It concerns this
	// request only: to make a plugin authenticate once only, see
	// WithoutReauthentication.
	NoReauth bool
	// UserAgent, if set, is the whole User-Agent of this request, instead of
	// the session's (see WithUserAgent) or the one in Header.
	UserAgent string
	// Logger, if not nil, logs this request (the request, its response, its
	// retries and redirects) instead of the session's logger (WithLogger),
	// with the same masking of secrets. The requests the session sends for
	// it, to authenticate or to discover versions, log to the session's
	// logger.
	Logger *slog.Logger
}

// requestOptions are a Request's per-request settings, passed along
// explicitly (never in the context, which the plugin's own requests share).
type requestOptions struct {
	noRedirect    bool
	redirectLimit int // > 0: instead of the session's
	noStatusError bool
	noReauth      bool
	logger        *slog.Logger
}

// Request sends r and returns the response, whose body the caller must close.
// A status of 400 or more is returned as *HTTPError (with the body read and
// closed), unless r.NoStatusError is set.
func (s *Session) Request(ctx context.Context, r Request) (*http.Response, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil *Session", ErrInvalidArgument)
	}
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidArgument)
	}
	if r.RedirectLimit < 0 {
		return nil, fmt.Errorf("%w: Request.RedirectLimit %d: a limit is 0 or more", ErrInvalidArgument, r.RedirectLimit)
	}
	target := r.URL
	auth := s.auth
	if r.Auth != nil {
		auth = r.Auth
	}
	if r.Endpoint != nil {
		if auth == nil {
			return nil, ErrMissingAuthPlugin
		}
		base, err := s.EndpointURL(withoutMetadata(ctx), auth, *r.Endpoint)
		if err != nil {
			return nil, err
		}
		target = joinURL(base, r.URL)
	}
	body := r.Body
	if r.JSON != nil {
		b, err := json.Marshal(r.JSON)
		if err != nil {
			return nil, errorf("keystone: encode request body: %w", err)
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%w: request: %w", ErrInvalidArgument, err)
	}
	if len(body) == 0 {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	for k, vs := range r.Header {
		// Canonical keys, so that the session's defaults see them; the
		// caller's slices are copied, not shared.
		ck := http.CanonicalHeaderKey(k)
		req.Header[ck] = append(req.Header[ck], vs...)
	}
	if r.UserAgent != "" {
		req.Header.Set("User-Agent", r.UserAgent)
	}
	if r.JSON != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	return s.send(req, auth, r.NoAuth, requestOptions{
		noRedirect: r.NoRedirect, redirectLimit: r.RedirectLimit,
		noStatusError: r.NoStatusError, noReauth: r.NoReauth, logger: r.Logger,
	})
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
	if s == nil {
		return nil, fmt.Errorf("%w: nil *Session", ErrInvalidArgument)
	}
	if req == nil || req.URL == nil {
		return nil, fmt.Errorf("%w: nil request", ErrInvalidArgument)
	}
	noAuth, _ := req.Context().Value(noAuthKey{}).(bool)
	return s.send(req, s.auth, noAuth || req.Header.Get("X-Auth-Token") != "", requestOptions{})
}

// sessionKey finds, from a request's context, the session that sent it (for
// ReadBody's limits).
type sessionKey struct{}

// send is the request loop: authentication, retries, one re-authentication
// after a 401, logging and error mapping. Every response it does not return
// is drained (bounded) and closed before anything else is sent.
func (s *Session) send(req *http.Request, auth AuthPlugin, noAuth bool, o requestOptions) (*http.Response, error) {
	if !noAuth && auth == nil {
		return nil, ErrMissingAuthPlugin
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	s.setHeaders(req)
	ctx := context.WithValue(req.Context(), sessionKey{}, s)
	req = req.WithContext(ctx)
	// The plugin's own requests (a token, a new one after a 401) are not
	// this call's: they do not go in its response metadata.
	authCtx := withoutMetadata(ctx)
	logger := o.loggerOr(s)
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	mayRepeat := s.retry.RetryNonIdempotent || idempotent(req)
	reauthed := false
	staleRejections := 0
	connectTries, statusTries := 0, 0
	for attempt := 0; ; attempt++ {
		var token string
		if !noAuth {
			t, err := auth.Token(authCtx, s)
			if err != nil {
				return nil, err
			}
			token = t
			req.Header.Set("X-Auth-Token", token)
		}
		if attempt > 0 && req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return nil, errorf("keystone: replay request body: %w", err)
			}
			req.Body = b
		}
		resp, tokenSent, err := s.roundTrip(ctx, req, !noAuth, o)
		if err != nil {
			var te *transportError
			if errors.As(err, &te) && replayable && connectTries < s.retry.ConnectRetries && (te.notSent || mayRepeat && te.kind == ErrConnectionFailure) {
				connectTries++
				recordCause(ctx, err)
				if werr := s.wait(ctx, logger, s.retry.delay(connectTries, 0), req, err); werr != nil {
					return nil, werr
				}
				continue
			}
			return nil, err
		}
		if resp.StatusCode < 400 {
			return resp, nil
		}
		// An error status. A response that is not returned is read (what
		// the error needs) and released before anything else is sent:
		// re-authenticating on a capped transport would otherwise wait for
		// this very connection.
		if resp.StatusCode == http.StatusUnauthorized && tokenSent && replayable && !o.noReauth {
			// The token was rejected (revoked, or expired early): forget it and
			// try once more with a new one. Invalidate only drops the rejected
			// token: when another goroutine has replaced it already, this
			// 401 says nothing about the new token, and is retried with it
			// (twice at most) without counting as this call's re-authentication.
			ours := auth.Invalidate(token)
			if ours && !reauthed || !ours && staleRejections < 2 {
				if ours {
					reauthed = true
				} else {
					staleRejections++
				}
				herr := newHTTPError(resp.Request, resp, s.Limits().ErrorBody)
				if _, err := auth.Token(authCtx, s); err != nil {
					return nil, fmt.Errorf("%w; re-authenticating: %w", herr, err)
				}
				continue
			}
		}
		if s.retry.retries(resp.StatusCode) && statusTries < s.retry.StatusRetries && replayable && mayRepeat {
			statusTries++
			delay := s.retry.delay(statusTries, retryAfter(resp.Header))
			if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) >= delay {
				herr := newHTTPError(resp.Request, resp, s.Limits().ErrorBody)
				recordCause(ctx, herr)
				if werr := s.wait(ctx, logger, delay, req, herr); werr != nil {
					return nil, werr
				}
				continue
			}
			// No time left to wait for the retry: this response is the answer.
		}
		if o.noStatusError {
			return resp, nil
		}
		return nil, newHTTPError(resp.Request, resp, s.Limits().ErrorBody)
	}
}

// loggerOr is the request's logger, or else the session's.
func (o requestOptions) loggerOr(s *Session) *slog.Logger {
	if o.logger != nil {
		return o.logger
	}
	return s.Logger()
}

// redirectLimit is how many redirects a request with options o may follow.
func (s *Session) redirectLimit(o requestOptions) int {
	switch {
	case o.noRedirect:
		return 0
	case o.redirectLimit > 0:
		return o.redirectLimit
	case s.redirects < 0:
		return 0
	case s.redirects > 0:
		return s.redirects
	}
	return DefaultRedirectLimit
}

// roundTrip sends req and follows redirects under the session's rules (see
// Session), at most the request's redirect limit. It reports whether the
// final response comes from a host that received the token (when
// withToken).
func (s *Session) roundTrip(ctx context.Context, req *http.Request, withToken bool, o requestOptions) (*http.Response, bool, error) {
	client := s.httpClient()
	logger := o.loggerOr(s)
	limit := s.redirectLimit(o)
	origin := req.URL
	cur := req
	tokenSent := withToken
	var seen map[string]bool
	for hops := 0; ; hops++ {
		s.logRequestTo(ctx, logger, cur)
		start := time.Now()
		resp, err := client.Do(cur)
		if err != nil {
			return nil, false, classifyTransportError(ctx, cur, err)
		}
		s.logResponseTo(ctx, logger, cur, resp, time.Since(start))
		recordMetadata(cur, resp)
		loc := resp.Header.Get("Location")
		if !isRedirect(resp.StatusCode) || loc == "" || limit == 0 {
			return resp, tokenSent, nil
		}
		rerr := &RedirectError{Method: cur.Method, URL: redactURL(cur.URL), StatusCode: resp.StatusCode}
		next, perr := cur.URL.Parse(loc)
		drain(resp)
		if perr != nil {
			rerr.Location, rerr.Reason = "(unreadable)", "the Location header is not a URL"
			return nil, false, rerr
		}
		rerr.Location = redactURL(next)
		if seen == nil {
			seen = map[string]bool{}
		}
		seen[cur.URL.String()] = true
		switch {
		case hops >= limit:
			rerr.Reason, rerr.Limit = fmt.Sprintf("more than %d redirects", limit), limit
		case seen[next.String()]:
			rerr.Reason = "redirect loop"
		case next.Scheme != "http" && next.Scheme != "https":
			rerr.Reason = "not an http(s) URL"
		case cur.URL.Scheme == "https" && next.Scheme != "https":
			rerr.Reason = "from HTTPS to plain HTTP"
		case cur.ContentLength != 0 || (cur.Body != nil && cur.Body != http.NoBody):
			rerr.Reason = "the request has a body, which the session never sends again after a redirect (it may hold credentials): use the final URL"
		}
		if rerr.Reason != "" {
			return nil, false, rerr
		}
		nreq := cur.Clone(ctx)
		nreq.URL, nreq.Host = next, ""
		nreq.Body, nreq.GetBody, nreq.ContentLength = http.NoBody, nil, 0
		if resp.StatusCode == http.StatusSeeOther && cur.Method != http.MethodHead {
			nreq.Method = http.MethodGet
		}
		if !sameHost(origin, next) {
			for k := range nreq.Header {
				if isSecretHeader(k) { // the log's rule: it may carry a credential
					nreq.Header.Del(k)
				}
			}
			tokenSent = false
		}
		cur = nreq
	}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// sameHost reports whether b is the host a request to a was meant for: the
// same host name and port, or the same host name over HTTPS after HTTP.
func sameHost(a, b *url.URL) bool {
	if !strings.EqualFold(a.Hostname(), b.Hostname()) {
		return false
	}
	if effectivePort(a) == effectivePort(b) && a.Scheme == b.Scheme {
		return true
	}
	return a.Scheme == "http" && b.Scheme == "https"
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// idempotent reports whether req may be sent twice without harm.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	if req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != "" {
		return true
	}
	// Issuing a token changes nothing on the server but its token list.
	p := strings.TrimRight(req.URL.Path, "/")
	return req.Method == http.MethodPost && (strings.HasSuffix(p, "/v3/auth/tokens") || strings.HasSuffix(p, "/v2.0/tokens"))
}

func (s *Session) setHeaders(req *http.Request) {
	ua := s.userAgent
	if ua == "" {
		ua = defaultUserAgent()
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", ua) // the request's own wins (Request.Header, Request.UserAgent)
	}
	if s.requestID != "" && req.Header.Get("X-OpenStack-Request-ID") == "" {
		req.Header.Set("X-OpenStack-Request-ID", s.requestID)
	}
	if s.originalIP != "" && req.Header.Get("Forwarded") == "" {
		req.Header.Set("Forwarded", fmt.Sprintf("for=%s;by=%s", s.originalIP, "gokeystone/"+Version))
	}
}

// wait sleeps d before a retry; if the context ends first, the error says
// what was being retried (cause) as well as the context's end.
func (s *Session) wait(ctx context.Context, logger *slog.Logger, d time.Duration, req *http.Request, cause error) error {
	logger.InfoContext(ctx, "keystone: retrying", "method", req.Method, "url", redactURL(req.URL), "after", d, "cause", cause.Error())
	if err := s.sleeper()(ctx, d); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: gave up waiting %v to retry: %w (%w)", ErrTimeout, d, cause, err)
		}
		return errorf("keystone: gave up waiting %v to retry: %w (%w)", d, cause, err)
	}
	return nil
}

// causeKey carries, in a token refresh's context, where the session records
// why an attempt failed (so that a caller who stops waiting learns it).
type causeKey struct{}

func recordCause(ctx context.Context, err error) {
	if p, ok := ctx.Value(causeKey{}).(*atomic.Pointer[error]); ok {
		p.Store(&err)
	}
}

var defaultRetryStatuses = [...]int{429, 502, 503, 504}

func (p RetryPolicy) retries(status int) bool {
	statuses := p.Statuses
	if statuses == nil {
		statuses = defaultRetryStatuses[:]
	}
	for _, s := range statuses {
		if s == status {
			return true
		}
	}
	return false
}

// delay is BaseDelay·2^(n-1) (BaseDelay at least MinRetryDelay), at least
// the server's Retry-After, at most MaxDelay.
func (p RetryPolicy) delay(n int, after time.Duration) time.Duration {
	maxDelay := p.MaxDelay
	if maxDelay <= 0 {
		maxDelay = time.Minute
	}
	d := max(p.BaseDelay, MinRetryDelay)
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	if after > d {
		d = after
	}
	return min(d, maxDelay)
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
	if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && secs >= 0 {
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

const (
	// maxDrain bounds how much of a discarded body is read so that its
	// connection can be reused; drainTimeout bounds how long.
	maxDrain     = 64 << 10
	drainTimeout = 2 * time.Second
)

// drain discards what is left of a response body (at most maxDrain bytes)
// and closes it.
func drain(resp *http.Response) { consume(resp, nil) }

// consume lets read take what it needs of a response body, then discards
// what is left (at most maxDrain bytes, so that the connection can be
// reused) and closes it, all within drainTimeout: a stalled body is closed,
// not waited for.
func consume(resp *http.Response, read func(io.Reader)) {
	if resp == nil || resp.Body == nil {
		return
	}
	t := time.AfterFunc(drainTimeout, func() { resp.Body.Close() })
	if read != nil {
		read(resp.Body)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	t.Stop()
	resp.Body.Close()
}

// newHTTPError reads at most limit bytes of an error response's body, then
// drains and closes it (see consume).
func newHTTPError(req *http.Request, resp *http.Response, limit int64) *HTTPError {
	var body []byte
	consume(resp, func(r io.Reader) { body, _ = io.ReadAll(io.LimitReader(r, limit)) })
	e := &HTTPError{
		StatusCode: resp.StatusCode,
		Method:     req.Method,
		URL:        redactURL(req.URL),
		RequestID:  resp.Header.Get("X-Openstack-Request-Id"),
		RetryAfter: retryAfter(resp.Header),
		Header:     resp.Header.Clone(),
	}
	for k := range e.Header {
		if isSecretHeader(k) {
			e.Header.Del(k)
		}
	}
	var kb struct {
		// Keystone's {"error": {"title", "message"}}, or an OAuth 2.0
		// error (RFC 6749 §5.2: {"error": "invalid_grant",
		// "error_description"}), as OpenID providers and Keystone's
		// OS-OAUTH2 answer.
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		Message          string          `json:"message"`
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
		var keystoneErr struct {
			Title   string `json:"title"`
			Message string `json:"message"`
		}
		var oauthErr string
		switch {
		case json.Unmarshal(kb.Error, &oauthErr) == nil && oauthErr != "":
			e.Title, e.Message = shorten(maskSent(req, oauthErr), 200), shorten(maskSent(req, kb.ErrorDescription), 1000)
		case len(kb.Error) > 0 && json.Unmarshal(kb.Error, &keystoneErr) == nil:
			e.Title, e.Message = shorten(maskSent(req, keystoneErr.Title), 200), shorten(maskSent(req, keystoneErr.Message), 1000)
		case kb.Message != "":
			e.Message = shorten(maskSent(req, kb.Message), 1000)
		}
		if kb.Receipt != nil && resp.StatusCode == http.StatusUnauthorized {
			e.Receipt = &AuthReceipt{
				ID:        resp.Header.Get("Openstack-Auth-Receipt"),
				Methods:   maskAll(req, kb.Receipt.Methods),
				UserID:    maskSent(req, kb.Receipt.User.ID),
				ExpiresAt: kb.Receipt.ExpiresAt,
			}
			for _, r := range kb.Required {
				e.Receipt.RequiredMethods = append(e.Receipt.RequiredMethods, maskAll(req, r))
			}
		}
	} else if len(body) > 0 && !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		// An HTML error page from a proxy: keep its text short.
		e.Message = shorten(maskSent(req, stripTags(string(body))), 200)
	}
	return e
}

// maskAll is maskSent over a list.
func maskAll(req *http.Request, list []string) []string {
	for i, v := range list {
		list[i] = maskSent(req, v)
	}
	return list
}

// maskSent replaces, in a server's message, every credential the request
// carried (Keystone's "Could not find token: <id>" quotes the token) with its
// digest.
func maskSent(req *http.Request, msg string) string {
	if msg == "" {
		return msg
	}
	for k, vs := range req.Header {
		if !isSecretHeader(k) {
			continue
		}
		for _, v := range vs {
			if len(v) >= 8 && strings.Contains(msg, v) {
				msg = strings.ReplaceAll(msg, v, redact.Digest(v))
			}
		}
	}
	for _, seg := range strings.Split(req.URL.Path, "/") {
		if len(seg) >= 16 && strings.Contains(msg, seg) && strings.Contains(redactURL(req.URL), redact.Digest(seg)) {
			msg = strings.ReplaceAll(msg, seg, redact.Digest(seg))
		}
	}
	return msg
}

// transportError is a failed exchange: kind is the sentinel it matches
// (ErrConnectionRefused, ErrConnectionFailure, ErrTimeout, ErrTLS); notSent
// says that the request cannot have reached the server.
type transportError struct {
	kind    error
	notSent bool
	err     error
}

func (e *transportError) Error() string { return e.kind.Error() + ": " + e.err.Error() }

func (e *transportError) Unwrap() []error { return []error{e.kind, e.err} }

// classifyTransportError wraps a failed round trip in the matching sentinel,
// with the URL redacted.
func classifyTransportError(ctx context.Context, req *http.Request, err error) error {
	where := req.Method + " " + redactURL(req.URL)
	var ue *url.Error
	if errors.As(err, &ue) {
		// url.Error shows the request URL as it was: show the redacted one.
		cp := *ue
		cp.URL = redactURL(req.URL)
		err = &cp
	} else {
		err = fmt.Errorf("%s: %w", where, err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return &transportError{kind: ErrTimeout, err: err}
		}
		return errorf("keystone: %w", err) // canceled: errors.Is(err, context.Canceled)
	}
	return classifyNetError(err)
}

// classifyNetError gives a network error its kind.
func classifyNetError(err error) *transportError {
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var alert tls.AlertError
	dial := isDialError(err)
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recordErr), errors.As(err, &alert):
		return &transportError{kind: ErrTLS, err: err}
	case errors.As(err, &netErr) && netErr.Timeout():
		return &transportError{kind: ErrTimeout, notSent: dial, err: err}
	case errors.Is(err, syscall.ECONNREFUSED), dial:
		return &transportError{kind: ErrConnectionRefused, notSent: true, err: err}
	}
	return &transportError{kind: ErrConnectionFailure, err: err}
}

// classifyReadError gives an error reading a response body its kind: a
// timeout, or a connection that broke.
func classifyReadError(resp *http.Response, err error) error {
	where := "read response"
	if resp.Request != nil {
		where = resp.Request.Method + " " + redactURL(resp.Request.URL) + ": read response"
		if ctxErr := resp.Request.Context().Err(); errors.Is(ctxErr, context.DeadlineExceeded) {
			return &transportError{kind: ErrTimeout, err: fmt.Errorf("%s: %w", where, err)}
		}
	}
	if errors.Is(err, context.Canceled) {
		return errorf("keystone: %s: %w", where, err)
	}
	return classifyNetError(fmt.Errorf("%s: %w", where, err))
}

func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// shorten collapses white space and cuts s to at most n bytes, on a
// character boundary; invalid UTF-8 becomes U+FFFD.
func shorten(s string, n int) string {
	s = strings.ToValidUTF8(strings.Join(strings.Fields(s), " "), "\uFFFD")
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
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
//
// A filter that names no Region takes the session's (WithRegion), and one
// that names no Interfaces the session's (WithInterface), unless it names an
// EndpointID. When, with no region either way, several endpoints of the
// identity service match, the one at the URL the plugin authenticates
// against is chosen (compared without the version, /v3 or /v2.0, and
// trailing slashes); for another interface than that endpoint's, the one in
// its region. The plugins of the authplugin package tell their auth URL;
// another AuthPlugin (or the Authenticator of an *Auth) can, with a method
// AuthURL() string. Otherwise the lookup fails with *AmbiguousEndpointsError.
func (s *Session) EndpointURL(ctx context.Context, auth AuthPlugin, f EndpointFilter) (string, error) {
	if s == nil || ctx == nil {
		return "", fmt.Errorf("%w: nil *Session or context", ErrInvalidArgument)
	}
	if auth == nil {
		auth = s.auth
	}
	if auth == nil {
		return "", ErrMissingAuthPlugin
	}
	f = s.withEndpointDefaults(f)
	u, err := auth.Endpoint(ctx, s, f)
	if err != nil {
		var amb *AmbiguousEndpointsError
		if f.Region != "" || !errors.As(err, &amb) {
			return "", err
		}
		var ok bool
		if u, ok = s.identityAtAuthURL(ctx, auth, f, amb.Endpoints); !ok {
			return "", err
		}
	}
	if f.MinVersion == "" && f.MaxVersion == "" {
		return u, nil
	}
	return s.versionedURL(ctx, u, f.MinVersion, f.MaxVersion)
}

// withEndpointDefaults gives f the session's region and interface where it
// names none (and no endpoint ID).
func (s *Session) withEndpointDefaults(f EndpointFilter) EndpointFilter {
	if f.EndpointID != "" {
		return f
	}
	if f.Region == "" {
		f.Region = s.region
	}
	if len(f.Interfaces) == 0 && s.iface != "" {
		f.Interfaces = []string{s.iface}
	}
	return f
}

// authURLer is implemented by auth plugins (or their Authenticator) that
// authenticate against a known Identity URL: the plugins of authplugin.
type authURLer interface{ AuthURL() string }

// pluginAuthURL returns the URL auth authenticates against, or "".
func pluginAuthURL(auth AuthPlugin) string {
	if p, ok := auth.(authURLer); ok {
		return p.AuthURL()
	}
	if a, ok := auth.(*Auth); ok && a != nil {
		if p, ok := a.authn.(authURLer); ok {
			return p.AuthURL()
		}
	}
	return ""
}

// identityAtAuthURL resolves an ambiguity among identity endpoints (eps, of
// one interface) with auth's auth URL: the endpoint at that URL or, if none
// is, the endpoint of the filter's interface in the one region whose identity
// endpoint (of any interface) is at that URL.
func (s *Session) identityAtAuthURL(ctx context.Context, auth AuthPlugin, f EndpointFilter, eps []Endpoint) (string, bool) {
	if len(eps) == 0 {
		return "", false
	}
	services := make(map[string]bool)
	for _, ep := range eps {
		if canonicalServiceType(ep.ServiceType) != "identity" {
			return "", false
		}
		services[ep.ServiceID] = true
	}
	want := comparableURL(pluginAuthURL(auth))
	if want == "" {
		return "", false
	}
	for _, ep := range eps {
		if comparableURL(ep.URL) == want {
			return ep.URL, true
		}
	}
	ai, err := auth.Access(ctx, s)
	if err != nil {
		return "", false
	}
	region := ""
	for _, ep := range ai.Catalog().Endpoints() {
		if !services[ep.ServiceID] || canonicalServiceType(ep.ServiceType) != "identity" || comparableURL(ep.URL) != want {
			continue
		}
		if ep.RegionID == "" || (region != "" && ep.RegionID != region) {
			return "", false // no region, or several: nothing to narrow by
		}
		region = ep.RegionID
	}
	if region == "" {
		return "", false
	}
	f.Region = region
	u, err := auth.Endpoint(ctx, s, f)
	return u, err == nil
}

// comparableURL reduces an Identity URL to what tells two of them apart: the
// scheme and host in lower case, the port unless it is the scheme's default,
// and the path without its version segment (see UnversionedURL) and trailing
// slashes. It is "" for what is not an absolute URL.
func comparableURL(raw string) string {
	if raw == "" {
		return ""
	}
	p, err := url.Parse(UnversionedURL(raw))
	if err != nil || p.Host == "" {
		return ""
	}
	scheme := strings.ToLower(p.Scheme)
	host, port := strings.ToLower(p.Hostname()), p.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + strings.TrimRight(p.EscapedPath(), "/")
}
