package keystonetest

import (
	"cmp"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/api"
	"github.com/gokeystone/keystone/gen/identityv2server"
	"github.com/gokeystone/keystone/gen/identityv3server"
	"github.com/gokeystone/keystone/internal/specvalidate"
)

// Server is a running in-memory Keystone. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the unversioned root the server listens on, such as
	// http://127.0.0.1:40123; the Identity v3 API is under URL+"/v3".
	URL string
	// AdminUser, AdminPassword and AdminProject are the bootstrap administrator:
	// a user with the admin role on the admin project and on the system, as
	// `keystone-manage bootstrap` creates. The password is never printed nor
	// encoded (see Server.String).
	AdminUser     string
	AdminPassword string `json:"-"`
	AdminProject  string
	// AdminUserID and AdminProjectID are their IDs.
	AdminUserID, AdminProjectID string
	// DomainID is the ID of the default domain ("default"), where the
	// administrator and the admin project live.
	DomainID string
	// Region is the region of the bootstrap identity endpoints ("RegionOne").
	Region string

	httpServer *httptest.Server
	state      *state
	validators []*specvalidate.Doer

	mu           sync.Mutex
	offset       time.Duration
	clock        func() time.Time
	respFailures []error
	onFailure    func(error)
	intercept    func(http.ResponseWriter, *http.Request) bool
	nRequests    int
	seq          uint64
	seen         map[string]*seenRequest // by "METHOD /path" and by "/path"
}

// Option configures a Server.
type Option func(*config)

type config struct {
	adminPassword string
	tokenLifetime time.Duration
	validate      bool
	clock         func() time.Time
	tls           bool
	listener      net.Listener
	bootstrap     Bootstrap
	limitModel    string // hook: [unified_limit] enforcement_model (v3_limits.go)
	// hook: federated login (v3_mapped.go): [federation] trusted_dashboard (v3_websso.go)
	trustedDashboards []string
}

// WithAdminPassword sets the bootstrap administrator's password (by default a
// random one, in Server.AdminPassword).
func WithAdminPassword(p string) Option { return func(c *config) { c.adminPassword = p } }

// WithTokenLifetime sets how long issued tokens live (default one hour, as
// Keystone's [token] expiration).
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenLifetime = d } }

// WithClock makes the server read the time from now instead of the system
// clock; token expiry follows it. Server.Advance moves it on.
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithTLS serves HTTPS instead of HTTP, with a self-signed certificate for
// 127.0.0.1 (that of net/http/httptest): Server.Client trusts it, and
// Server.Certificate returns it for clients that need a CA bundle.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithListener serves on l instead of a new listener on a random 127.0.0.1
// port (for a fixed address, as cmd/keystone-fake does). Server.URL is then
// http://(or https://) followed by l's address; the server closes l.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// Bootstrap names what the server creates at start, as the options of
// `keystone-manage bootstrap` do. An empty field keeps its default.
type Bootstrap struct {
	AdminUser    string // the administrator's name ("admin")
	AdminProject string // the admin project's name ("admin")
	Region       string // the region of the identity endpoints ("RegionOne")
	// PublicURL is the URL of the identity endpoints in the catalog
	// (Server.URL+"/v3/").
	PublicURL string
}

// WithBootstrap sets the names and the identity endpoint URL the server is
// bootstrapped with.
func WithBootstrap(b Bootstrap) Option { return func(c *config) { c.bootstrap = b } }

// WithoutValidation turns off checking every exchange against the OpenAPI spec
// (on by default).
func WithoutValidation() Option { return func(c *config) { c.validate = false } }

// NewServer starts an in-memory Keystone for the duration of test t and returns
// it. Every exchange is checked against the Identity v3 spec unless
// WithoutValidation is given: a request that does not conform is still answered
// (as Keystone would, usually with a 400) and reported by Server.Failures; a
// response of the fake that does not conform is a 500 and fails t.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatalf("keystonetest: %v", err)
	}
	s.mu.Lock()
	s.onFailure = func(err error) { t.Errorf("keystonetest: %v", err) }
	s.mu.Unlock()
	t.Cleanup(s.Close)
	return s
}

// Start starts an in-memory Keystone on 127.0.0.1. Close it when done. Outside
// tests (a demo, an example), non-conforming responses are only recorded: see
// Server.Failures.
func Start(opts ...Option) (*Server, error) {
	cfg := config{tokenLifetime: time.Hour, validate: true}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.adminPassword == "" {
		cfg.adminPassword = newID()
	}
	b := cfg.bootstrap
	s := &Server{
		AdminUser:     cmp.Or(b.AdminUser, "admin"),
		AdminPassword: cfg.adminPassword,
		AdminProject:  cmp.Or(b.AdminProject, "admin"),
		DomainID:      "default",
		Region:        cmp.Or(b.Region, "RegionOne"),
		clock:         cfg.clock,
		seen:          map[string]*seenRequest{},
	}
	if cfg.listener != nil {
		s.httpServer = &httptest.Server{Listener: cfg.listener, Config: &http.Server{}}
	} else {
		s.httpServer = httptest.NewUnstartedServer(nil)
	}
	scheme := "http://"
	if cfg.tls {
		scheme = "https://"
	}
	s.URL = scheme + s.httpServer.Listener.Addr().String()
	s.state = newState(s.URL, s.now, cfg.tokenLifetime)
	if err := s.state.setLimitModel(cfg.limitModel); err != nil { // hook (v3_limits.go)
		s.httpServer.Listener.Close()
		return nil, err
	}
	s.state.fedArea.trustedDashboards = cfg.trustedDashboards // hook: federated login (v3_mapped.go)
	s.AdminUserID, s.AdminProjectID = s.state.bootstrap(s.AdminUser, s.AdminPassword, s.AdminProject, s.Region,
		cmp.Or(b.PublicURL, s.URL+"/v3/"))

	v3h, v2h := s.v3Handler(), s.v2Handler()
	if cfg.validate {
		// Loading a spec is most of a process's first start; the v2.0
		// spec loads on the first v2.0 request (specvalidate keeps both
		// for the next servers of the process).
		v3v, err := specvalidate.New(api.IdentityV3, s.URL, handlerDoer{s.rejectInvalid(v3h)})
		if err != nil {
			s.httpServer.Listener.Close()
			return nil, err
		}
		v3v.ContinueOnInvalidRequest = true
		s.validators = []*specvalidate.Doer{v3v}
		v3h, v2h = s.validating(v3v), s.lazyValidating(v2h)
	}
	s.httpServer.Config.Handler = s.front(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2.0" || strings.HasPrefix(r.URL.Path, "/v2.0/") {
			v2h.ServeHTTP(w, r)
			return
		}
		v3h.ServeHTTP(w, r)
	}))
	if cfg.tls {
		s.httpServer.StartTLS()
	} else {
		s.httpServer.Start()
	}
	return s, nil
}

// Close shuts the server down.
func (s *Server) Close() { s.httpServer.Close() }

// Shutdown shuts the server down gracefully: it stops accepting connections
// and waits for the requests in flight to finish, or for ctx to be done,
// whichever comes first (see http.Server.Shutdown), then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.httpServer.Config.Shutdown(ctx)
	s.httpServer.Close()
	return err
}

// Client returns an *http.Client for the server (one that trusts its
// certificate with WithTLS).
func (s *Server) Client() *http.Client { return s.httpServer.Client() }

// Certificate returns the server's TLS certificate with WithTLS, else nil.
func (s *Server) Certificate() *x509.Certificate { return s.httpServer.Certificate() }

// String describes the server without the administrator's password.
func (s *Server) String() string {
	if s == nil {
		return "<nil>"
	}
	pw := ""
	if s.AdminPassword != "" {
		pw = "***"
	}
	return fmt.Sprintf("keystonetest.Server{URL: %q, AdminUser: %q, AdminPassword: %q, AdminProject: %q, AdminUserID: %q, AdminProjectID: %q, DomainID: %q, Region: %q}",
		s.URL, s.AdminUser, pw, s.AdminProject, s.AdminUserID, s.AdminProjectID, s.DomainID, s.Region)
}

// GoString is String.
func (s *Server) GoString() string { return s.String() }

// Format implements fmt.Formatter: every verb shows String (%q, %x and %X
// quote or encode it), never the administrator's password.
func (s *Server) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
	default:
		io.WriteString(f, s.String())
	}
}

// LogValue implements slog.LogValuer: String.
func (s *Server) LogValue() slog.Value { return slog.StringValue(s.String()) }

// AuthURL returns the Identity v3 URL, URL+"/v3".
func (s *Server) AuthURL() string { return s.URL + "/v3" }

// AuthURLV2 returns the Identity v2.0 URL, URL+"/v2.0".
func (s *Server) AuthURLV2() string { return s.URL + "/v2.0" }

// Advance moves the server's clock on by d (tokens expire accordingly).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

func (s *Server) now() time.Time {
	s.mu.Lock()
	clock, off := s.clock, s.offset
	s.mu.Unlock()
	if clock == nil {
		return time.Now().UTC().Add(off)
	}
	return clock().UTC().Add(off)
}

// Failures returns every exchange that did not conform to the spec so far:
// requests from clients and responses of the fake.
func (s *Server) Failures() []error {
	var out []error
	s.mu.Lock()
	validators := slices.Clone(s.validators)
	s.mu.Unlock()
	for _, v := range validators {
		for _, f := range v.Failures() {
			if f.Status != http.StatusNotImplemented { // operations the fake does not serve
				out = append(out, f)
			}
		}
	}
	return out
}

// TokenCount reports how many tokens the server has issued, a way for tests
// to check that a client does not authenticate more often than it must.
func (s *Server) TokenCount() int { return s.state.issued() }

// RevokeAllTokens revokes every token issued so far, as a password change or
// an operator would.
func (s *Server) RevokeAllTokens() { s.state.revokeAll() }

// handlerDoer sends requests to an http.Handler in-process.
type handlerDoer struct{ h http.Handler }

func (d handlerDoer) Do(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// unvalidatedBodies are the operations whose bodies Keystone does not check
// against a schema: it answers them from what it finds (a missing tenant_id
// of an EC2 credential is a 404 for project None).
var unvalidatedBodies = map[string]bool{"createUserEC2Credential": true}

// rejectInvalid answers 400, as Keystone's JSON-schema validation does, to
// authenticated requests that do not conform to the spec.
func (s *Server) rejectInvalid(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f := specvalidate.RequestFailure(r); f != nil && !f.Unauthenticated() && !unvalidatedBodies[f.Operation] {
			if f.Operation == "issueOAuth2Token" {
				// OAuth 2.0's error form, as Keystone answers there.
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": "The parameter grant_type is required."})
				return
			}
			writeError(w, s.URL, badRequest("Invalid input for field/attribute: %v", f.Err))
			return
		}
		if err := strictMembers(r); err != nil {
			writeError(w, s.URL, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// lazyValidating is validating for Identity v2.0, whose spec loads on the
// first v2.0 request.
func (s *Server) lazyValidating(v2h http.Handler) http.Handler {
	load := sync.OnceValues(func() (http.Handler, error) {
		v, err := specvalidate.New(api.IdentityV2, s.URL, handlerDoer{s.rejectInvalid(v2h)})
		if err != nil {
			return nil, err
		}
		v.ContinueOnInvalidRequest = true
		s.mu.Lock()
		s.validators = append(s.validators, v)
		s.mu.Unlock()
		return s.validating(v), nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := load()
		if err != nil {
			writeError(w, s.URL, &Error{Code: http.StatusInternalServerError, Message: "keystonetest: " + err.Error()})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// validating serves requests through the spec validator.
func (s *Server) validating(v *specvalidate.Doer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := v.Do(r)
		if err != nil {
			var ve *specvalidate.ValidationError
			if errors.As(err, &ve) && ve.Status == http.StatusNotImplemented {
				// An operation the fake does not serve: the spec has no 501s.
				writeError(w, s.URL, errorf(http.StatusNotImplemented, notImplementedMessage))
				return
			}
			if errors.As(err, &ve) && ve.Status != 0 {
				s.mu.Lock()
				report := s.onFailure
				s.mu.Unlock()
				if report != nil {
					report(err)
				}
			}
			writeError(w, s.URL, &Error{Code: http.StatusInternalServerError, Message: "keystonetest: " + err.Error()})
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
}

const notImplementedMessage = "The action you have requested has not been implemented by the in-memory Keystone."

// Error is an error the fake answers with Keystone's error body
// {"error": {"code", "title", "message"}} and status Code.
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Code, http.StatusText(e.Code), e.Message)
}

func errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func notFound(kind, id string) *Error {
	return errorf(http.StatusNotFound, "Could not find %s: %s.", kind, id)
}

func unauthorized() *Error {
	return errorf(http.StatusUnauthorized, "The request you have made requires authentication.")
}

func forbidden() *Error {
	return errorf(http.StatusForbidden, "You are not authorized to perform the requested action.")
}

func conflict(kind, field, value string) *Error {
	return errorf(http.StatusConflict, "Conflict occurred attempting to store %s - Duplicate entry found with %s %s.", kind, field, value)
}

func badRequest(format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, format, args...)
}

var titles = map[int]string{
	400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
	405: "Method Not Allowed", 409: "Conflict", 500: "Internal Server Error", 501: "Not Implemented",
}

func writeError(w http.ResponseWriter, root string, e *Error) {
	title := titles[e.Code]
	if title == "" {
		title = http.StatusText(e.Code)
	}
	body, _ := json.Marshal(map[string]any{"error": map[string]any{"code": e.Code, "title": title, "message": e.Message}})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Vary", "X-Auth-Token")
	if e.Code == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Keystone uri="`+root+`"`)
	}
	w.WriteHeader(e.Code)
	_, _ = w.Write(body)
}

// v3Handler is the Identity v3 API: the generated strict server over the
// in-memory state, with authentication and Keystone's error bodies.
func (s *Server) v3Handler() http.Handler {
	impl := &v3{state: s.state}
	renderErr := func(w http.ResponseWriter, r *http.Request, err error) {
		var e *Error
		switch {
		case errors.As(err, &e):
		case errors.Is(err, errNotImplemented):
			e = errorf(http.StatusNotImplemented, notImplementedMessage)
		default:
			e = badRequest("%v", err)
		}
		writeError(w, s.URL, e)
	}
	strict := identityv3server.NewStrictHandlerWithOptions(impl,
		[]identityv3server.StrictMiddlewareFunc{s.state.authenticate},
		identityv3server.StrictHTTPServerOptions{
			RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
				renderErr(w, r, badRequest("Invalid input for field/attribute: %v", err))
			},
			ResponseErrorHandlerFunc: renderErr,
		})
	mux := &router{notFound: func(w http.ResponseWriter, r *http.Request, status int) {
		if status == http.StatusMethodNotAllowed {
			renderErr(w, r, errorf(status, "The method is not allowed for the requested URL."))
			return
		}
		renderErr(w, r, errorf(http.StatusNotFound, "The resource could not be found."))
	}}
	return flagsAsTrue(identityv3server.HandlerWithOptions(strict, identityv3server.StdHTTPServerOptions{
		BaseRouter: mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			renderErr(w, r, badRequest("Invalid input for field/attribute: %v", err))
		},
		Middlewares: []identityv3server.MiddlewareFunc{requestID},
	}))
}

// v2Handler is the Identity v2.0 API over the same state.
func (s *Server) v2Handler() http.Handler {
	impl := &v2{state: s.state}
	renderErr := func(w http.ResponseWriter, r *http.Request, err error) {
		var e *Error
		switch {
		case errors.As(err, &e):
		case errors.Is(err, errNotImplemented):
			e = errorf(http.StatusNotImplemented, notImplementedMessage)
		default:
			e = badRequest("%v", err)
		}
		writeError(w, s.URL, e)
	}
	strict := identityv2server.NewStrictHandlerWithOptions(impl,
		[]identityv2server.StrictMiddlewareFunc{s.state.authenticateV2},
		identityv2server.StrictHTTPServerOptions{
			RequestErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
				renderErr(w, r, badRequest("Invalid input for field/attribute: %v", err))
			},
			ResponseErrorHandlerFunc: renderErr,
		})
	mux := &router{notFound: func(w http.ResponseWriter, r *http.Request, status int) {
		renderErr(w, r, errorf(status, "The resource could not be found."))
	}}
	return identityv2server.HandlerWithOptions(strict, identityv2server.StdHTTPServerOptions{
		BaseRouter: mux,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			renderErr(w, r, badRequest("Invalid input for field/attribute: %v", err))
		},
		Middlewares: []identityv2server.MiddlewareFunc{requestID},
	})
}

// requestID sets the x-openstack-request-id header Keystone sends, and makes
// request bodies replayable for logging.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Openstack-Request-Id", "req-"+newUUID())
		r = keepConfigBody(r) // hook: the raw body of domain config writes (v3_domainconfig.go)
		// hook: the raw body of ec2tokens and s3tokens (v3_ec2tokens.go)
		r = keepEC2TokensBody(r)
		r = keepFederatedEnv(r) // hook: federated login (v3_mapped.go): the assertion in the request environment
		next.ServeHTTP(w, r)
	})
}

type callerKey struct{}

// caller is the authenticated token of a request.
type caller struct {
	tok   *token
	admin bool
	// policyChecked: the operation's Keystone rule has been enforced, so
	// the handler need not check who may call it.
	policyChecked bool
}

func callerFrom(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	return c
}

// authorizationKey holds, in a public operation's context, the request's
// Authorization header.
type authorizationKey struct{}

// notWithRestrictedAppCred are the operations a token obtained with a
// restricted application credential may not call (Keystone answers 403).
var notWithRestrictedAppCred = map[string]bool{
	"CreateApplicationCredential": true, "DeleteApplicationCredential": true, "CreateTrust": true,
}

// authenticate checks X-Auth-Token and Keystone's default policy (policy.go,
// policy_table.go) for operation op of Identity v3.
func (st *state) authenticate(f identityv3server.StrictHandlerFunc, op string) identityv3server.StrictHandlerFunc {
	pol, known := v3Policy[op]
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		if known && pol.mode == noToken {
			// The OAuth 2.0 token endpoint authenticates its client with
			// HTTP Basic, which the strict request object does not carry.
			return f(context.WithValue(ctx, authorizationKey{}, r.Header.Get("Authorization")), w, r, req)
		}
		id := r.Header.Get("X-Auth-Token")
		if id == "" {
			return nil, unauthorized()
		}
		st.mu.Lock()
		tok, err := st.validToken(id)
		var admin, restricted bool
		if err == nil {
			admin = st.hasAdminRole(tok)
			if ac := st.appcreds.get(tok.appCredID); ac != nil {
				restricted = ac.restricted
			}
			switch {
			case !known:
				err = forbidden()
			case pol.mode == byRule:
				err = st.enforce(op, pol.rule, r, req, tok)
			}
		}
		st.mu.Unlock()
		if err != nil {
			if e, ok := err.(*Error); ok && e.Code == http.StatusForbidden {
				return nil, err
			}
			return nil, unauthorized()
		}
		if restricted && notWithRestrictedAppCred[op] {
			return nil, errorf(http.StatusForbidden, "Using method 'application_credential' is not allowed for managing additional application_credentials or trusts.")
		}
		resp, err := f(context.WithValue(ctx, callerKey{}, &caller{tok: tok, admin: admin, policyChecked: pol.mode == byRule}), w, r, req)
		if e, ok := err.(*Error); ok && *e == *forbidden() && pol.rule != "" {
			// A handler's own check of the rule: Keystone names it.
			err = errorf(http.StatusForbidden, "You are not authorized to perform the requested action: %s.", pol.rule)
		}
		return resp, err
	}
}

// policy authenticates the request of operation op and applies the policy:
// publicOps need no token, selfOps any valid token, others the admin role.
func (st *state) policy(f func(context.Context, http.ResponseWriter, *http.Request, any) (any, error), op string,
	publicOps, selfOps map[string]bool) func(context.Context, http.ResponseWriter, *http.Request, any) (any, error) {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, req any) (any, error) {
		if publicOps[op] {
			// The OAuth 2.0 token endpoint authenticates its client with
			// HTTP Basic, which the strict request object does not carry.
			return f(context.WithValue(ctx, authorizationKey{}, r.Header.Get("Authorization")), w, r, req)
		}
		id := r.Header.Get("X-Auth-Token")
		if id == "" {
			return nil, unauthorized()
		}
		st.mu.Lock()
		tok, err := st.validToken(id)
		var admin, restricted bool
		if err == nil {
			admin = st.hasAdminRole(tok)
			if ac := st.appcreds.get(tok.appCredID); ac != nil {
				restricted = ac.restricted
			}
		}
		st.mu.Unlock()
		if err != nil {
			return nil, unauthorized()
		}
		if restricted && notWithRestrictedAppCred[op] {
			return nil, errorf(http.StatusForbidden, "Using method 'application_credential' is not allowed for managing additional application_credentials or trusts.")
		}
		if !admin && !selfOps[op] {
			return nil, forbidden()
		}
		return f(context.WithValue(ctx, callerKey{}, &caller{tok: tok, admin: admin}), w, r, req)
	}
}
