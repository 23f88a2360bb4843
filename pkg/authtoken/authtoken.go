package authtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gokeystone/keystone/internal/sdkerr"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
)

// Defaults of Options.
const (
	// DefaultCacheTTL is how long a valid token's validation is used
	// (keystonemiddleware's token_cache_time).
	DefaultCacheTTL = 300 * time.Second
	// DefaultNegativeCacheTTL is how long a token Keystone rejected is
	// rejected without asking again.
	DefaultNegativeCacheTTL = 30 * time.Second
	// DefaultMaxCacheEntries bounds the memory cache.
	DefaultMaxCacheEntries = 10000
	// DefaultValidationTimeout bounds one validation at Keystone.
	DefaultValidationTimeout = 10 * time.Second
	// DefaultSharedCacheTimeout bounds one call to a SharedCache.
	DefaultSharedCacheTimeout = 250 * time.Millisecond
	// DefaultInterface is the interface of the identity endpoint tokens are
	// validated at (keystonemiddleware's default); public is the fallback.
	DefaultInterface = "internal"
	// MaxTokenLen is the longest token the middleware sends to Keystone; a
	// longer one is invalid (Keystone's tokens are a few hundred bytes).
	MaxTokenLen = 8 << 10
)

// Errors of the middleware. They match keystone.ErrKeystone.
var (
	// ErrInvalidToken: Keystone does not recognise the token (unknown,
	// expired, revoked), or the token is malformed.
	ErrInvalidToken = sdkerr.New("authtoken: invalid token")
	// ErrKeystoneUnavailable: the token could not be validated because
	// Keystone could not be reached or did not answer properly (the request
	// is answered 503). The error wraps the cause.
	ErrKeystoneUnavailable = sdkerr.New("authtoken: Keystone is unavailable")
)

// Options configure a Middleware. The zero value is keystonemiddleware's
// defaults.
type Options struct {
	// CacheTTL is how long a valid token's validation is used before the
	// token is validated again (keystonemiddleware's token_cache_time): 300
	// seconds when zero; negative turns caching of valid tokens off. A cached
	// token is never used past its expiry.
	CacheTTL time.Duration
	// NegativeCacheTTL is how long a token Keystone rejected is rejected
	// without asking Keystone again: DefaultNegativeCacheTTL when zero;
	// negative turns negative caching off.
	NegativeCacheTTL time.Duration
	// RevalidateEvery, when more than 0 and less than CacheTTL, is the
	// revocation bound: a cached valid token older than this is validated
	// again at its next use, so a revoked token stops working within
	// RevalidateEvery. If Keystone cannot be reached then, the cached
	// result keeps being used until CacheTTL. Zero means CacheTTL, as in
	// keystonemiddleware (a revoked token works until its cache entry ends).
	RevalidateEvery time.Duration
	// MaxCacheEntries bounds the memory cache (DefaultMaxCacheEntries when
	// zero); beyond it, expired entries and then those not used lately are
	// evicted.
	MaxCacheEntries int

	// DelayAuthDecision lets requests without a valid token through to the
	// handler, with X-Identity-Status: Invalid and no identity in the
	// context, for the handler to decide (keystonemiddleware's
	// delay_auth_decision). When Keystone cannot be reached, tokens are then
	// taken as invalid instead of answering 503, as keystonemiddleware does.
	DelayAuthDecision bool
	// OmitServiceCatalog leaves X-Service-Catalog out
	// (keystonemiddleware's include_service_catalog = false).
	OmitServiceCatalog bool
	// OmitDeprecatedHeaders leaves out keystonemiddleware's deprecated
	// aliases X-User, X-Tenant-Id, X-Tenant-Name, X-Tenant and X-Role
	// (set by default, as keystonemiddleware does, for the services that
	// still read them); they are stripped from incoming requests either way.
	OmitDeprecatedHeaders bool

	// ServiceTokenRoles are the roles a service token must carry, one of
	// them at least ("service" when nil). Without one, a service token is
	// still valid unless ServiceTokenRolesRequired is set, but an expired
	// user token is accepted only with a service token that has one.
	ServiceTokenRoles []string
	// ServiceTokenRolesRequired makes a service token without one of
	// ServiceTokenRoles invalid (keystonemiddleware's
	// service_token_roles_required).
	ServiceTokenRolesRequired bool

	// WWWAuthenticateURI is the Keystone URI a 401 names in its
	// WWW-Authenticate header (keystonemiddleware's www_authenticate_uri).
	// When empty it is the public identity endpoint of the service's
	// catalog, or else its auth URL.
	WWWAuthenticateURI string
	// IdentityEndpoint is the URL of the Identity API tokens are validated
	// at. When empty it is the identity endpoint of the service's catalog,
	// of Interface (then public) in Region.
	IdentityEndpoint string
	// Interface is the catalog interface of the identity endpoint
	// (DefaultInterface when empty).
	Interface string
	// Region narrows the identity endpoint to a region.
	Region string
	// ValidationTimeout bounds one validation at Keystone
	// (DefaultValidationTimeout when zero). A validation runs on behalf of
	// every request waiting for the same token: it does not end when one of
	// them goes away.
	ValidationTimeout time.Duration

	// SharedCache, if not nil, is a cache shared with the other instances of
	// the service: each validation is stored there too, so that the fleet
	// validates each token once. It needs SharedCacheKey.
	SharedCache SharedCache
	// SharedCacheKey is the secret (at least MinSharedCacheKeyLen bytes,
	// the same for the whole fleet) that keys the digests of tokens and
	// seals the cached values.
	SharedCacheKey []byte
	// SharedCacheTimeout bounds each call to SharedCache
	// (DefaultSharedCacheTimeout when zero).
	SharedCacheTimeout time.Duration

	// Logger receives the middleware's logs (the session's logger when
	// nil). No token is ever logged.
	Logger *slog.Logger
	// Now is the clock (time.Now when nil), for tests.
	Now func() time.Time
}

// Middleware validates the Keystone tokens of the requests to a service, as
// keystonemiddleware's auth_token does for Python services. It is safe for
// concurrent use; make one per service and wrap its handlers with Handler.
type Middleware struct {
	sess   *keystone.Session
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	mem    *memCache
	sealer *sealer // nil without a shared cache

	cacheTTL, negTTL, revalidate time.Duration
	serviceRoles                 map[string]bool

	flightMu sync.Mutex
	flights  map[flightKey]*flight

	clientMu sync.Mutex
	client   atomic.Pointer[identityv3.Client]

	uriMu sync.Mutex
	uri   atomic.Pointer[string]

	validations atomic.Int64
}

// New returns a Middleware that validates tokens with sess: the session's
// auth plugin authenticates the service itself to Keystone (it needs the
// right to validate other users' tokens: Keystone's default policy grants it
// to the admin and service roles).
func New(sess *keystone.Session, opts Options) (*Middleware, error) {
	if sess == nil {
		return nil, fmt.Errorf("%w: authtoken: nil session", keystone.ErrInvalidArgument)
	}
	if sess.Auth() == nil && opts.IdentityEndpoint == "" {
		return nil, fmt.Errorf("%w: authtoken: the session needs an auth plugin", keystone.ErrMissingAuthPlugin)
	}
	m := &Middleware{
		sess: sess, opts: opts, log: opts.Logger, now: opts.Now,
		cacheTTL: opts.CacheTTL, negTTL: opts.NegativeCacheTTL, revalidate: opts.RevalidateEvery,
		flights: map[flightKey]*flight{},
	}
	if m.log == nil {
		m.log = sess.Logger()
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.cacheTTL == 0 {
		m.cacheTTL = DefaultCacheTTL
	}
	if m.negTTL == 0 {
		m.negTTL = DefaultNegativeCacheTTL
	}
	if m.revalidate < 0 {
		return nil, fmt.Errorf("%w: authtoken: negative Options.RevalidateEvery", keystone.ErrInvalidArgument)
	}
	if m.revalidate == 0 || m.revalidate > m.cacheTTL {
		m.revalidate = m.cacheTTL
	}
	if m.opts.MaxCacheEntries < 0 {
		return nil, fmt.Errorf("%w: authtoken: negative Options.MaxCacheEntries", keystone.ErrInvalidArgument)
	}
	if m.opts.MaxCacheEntries == 0 {
		m.opts.MaxCacheEntries = DefaultMaxCacheEntries
	}
	if m.opts.ValidationTimeout <= 0 {
		m.opts.ValidationTimeout = DefaultValidationTimeout
	}
	if m.opts.SharedCacheTimeout <= 0 {
		m.opts.SharedCacheTimeout = DefaultSharedCacheTimeout
	}
	if m.opts.Interface == "" {
		m.opts.Interface = DefaultInterface
	}
	roles := opts.ServiceTokenRoles
	if roles == nil {
		roles = []string{"service"}
	}
	m.serviceRoles = make(map[string]bool, len(roles))
	for _, r := range roles {
		m.serviceRoles[r] = true
	}
	if opts.SharedCache != nil {
		s, err := newSealer(opts.SharedCacheKey)
		if err != nil {
			return nil, err
		}
		m.sealer = s
	}
	if opts.WWWAuthenticateURI != "" {
		u := opts.WWWAuthenticateURI
		m.uri.Store(&u)
	}
	m.mem = newMemCache(m.opts.MaxCacheEntries)
	return m, nil
}

// Validations reports how many validations the middleware has sent to
// Keystone.
func (m *Middleware) Validations() int64 { return m.validations.Load() }

// identity is the context value: who the request is for.
type identity struct {
	user, service *keystone.AccessInfo
}

type ctxKey struct{}

// FromContext returns the identity of the caller of a request that went
// through a Middleware: what Keystone says about its valid user token
// (X-Auth-Token), or nil when it has none (with DelayAuthDecision). Its Token
// method gives the token, to call other services on the user's behalf.
func FromContext(ctx context.Context) *keystone.AccessInfo {
	if id, ok := ctx.Value(ctxKey{}).(*identity); ok {
		return id.user
	}
	return nil
}

// ServiceFromContext returns what Keystone says about the request's valid
// service token (X-Service-Token), or nil when it has none.
func ServiceFromContext(ctx context.Context) *keystone.AccessInfo {
	if id, ok := ctx.Value(ctxKey{}).(*identity); ok {
		return id.service
	}
	return nil
}

// NewContext returns ctx carrying user and service as FromContext and
// ServiceFromContext return them: for tests of handlers that run behind the
// middleware.
func NewContext(ctx context.Context, user, service *keystone.AccessInfo) context.Context {
	return context.WithValue(ctx, ctxKey{}, &identity{user: user, service: service})
}

// Handler returns next behind the middleware: next sees only requests with
// a valid user token (and, if they have one, a valid service token), with
// the identity headers set and the identity in the context (FromContext);
// with DelayAuthDecision it sees every request.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, next)
	})
}

func firstHeader(h http.Header, k string) (string, bool) {
	v, ok := h[k]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	h := r.Header // read only: the handler gets a copy
	userTok, hasUser := firstHeader(h, HeaderAuthToken)
	if !hasUser {
		userTok, hasUser = firstHeader(h, HeaderStorageToken)
	}
	svcTok, hasSvc := firstHeader(h, HeaderServiceToken)
	ctx := r.Context()
	now := m.now()

	var svc *entry
	svcValid, allowExpired := false, false
	if hasSvc {
		e, err := m.lookup(ctx, svcTok, false, now)
		if err != nil {
			if !m.opts.DelayAuthDecision {
				m.unavailable(w, "service", err)
				return
			}
			m.log.LogAttrs(ctx, slog.LevelError, "authtoken: Keystone unavailable; service token taken as invalid",
				slog.Any("error", err))
		} else if e.tokenValid(now, false) {
			svc = e
			svcValid = true
			// An expired user token is accepted only with a service token
			// that passes the roles check.
			allowExpired = e.serviceRoleOK
			if m.opts.ServiceTokenRolesRequired && !e.serviceRoleOK {
				svcValid = false
				m.log.LogAttrs(ctx, slog.LevelInfo, "authtoken: service token lacks the required roles",
					slog.String("user_id", e.ai.User.ID))
			}
		}
	}

	var user *entry
	if hasUser {
		e, err := m.lookup(ctx, userTok, allowExpired, now)
		if err != nil {
			if !m.opts.DelayAuthDecision {
				m.unavailable(w, "user", err)
				return
			}
			m.log.LogAttrs(ctx, slog.LevelError, "authtoken: Keystone unavailable; user token taken as invalid",
				slog.Any("error", err))
		} else if e.tokenValid(now, allowExpired) {
			user = e
		}
	}

	if !m.opts.DelayAuthDecision && (user == nil || (hasSvc && !svcValid)) {
		m.unauthorized(w, r)
		return
	}

	var id *identity
	switch {
	case user != nil && !hasSvc:
		id = user.ident
	case user != nil || svcValid:
		id = &identity{}
		if user != nil {
			id.user = user.ai
		}
		if svcValid {
			id.service = svc.ai
		}
	}
	extra := 1
	if user != nil {
		extra = len(user.user.keys)
	}
	if hasSvc {
		extra += len(svc.serviceKeys(svcValid))
	}
	nh := strippedCopy(h, extra)
	if user != nil {
		user.user.apply(nh)
	} else {
		nh[HeaderIdentityStatus] = []string{StatusInvalid}
	}
	if hasSvc {
		if svcValid {
			svc.service.apply(nh)
		} else {
			nh[HeaderServiceIdentityStatus] = []string{StatusInvalid}
		}
	}
	if id != nil {
		ctx = context.WithValue(ctx, ctxKey{}, id)
	}
	r = r.WithContext(ctx)
	r.Header = nh
	next.ServeHTTP(w, r)
}

// serviceKeys are the headers a service token adds.
func (e *entry) serviceKeys(valid bool) []string {
	if e == nil || !valid {
		return []string{HeaderServiceIdentityStatus}
	}
	return e.service.keys
}

// errorBody writes Keystone's error body.
func errorBody(w http.ResponseWriter, code int, title, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "title": title, "message": msg}})
	w.Write(b) //nolint:errcheck // the client may be gone
}

func (m *Middleware) unavailable(w http.ResponseWriter, which string, err error) {
	level := slog.LevelError
	if errors.Is(err, context.Canceled) {
		level = slog.LevelDebug // the client went away while waiting
	}
	m.log.LogAttrs(context.Background(), level, "authtoken: cannot validate the "+which+" token",
		slog.Any("error", err))
	errorBody(w, http.StatusServiceUnavailable, "Service Unavailable", "The Keystone service is temporarily unavailable.")
}

func (m *Middleware) unauthorized(w http.ResponseWriter, r *http.Request) {
	uri, ok := m.wwwAuthenticateURI(r.Context())
	if ok {
		w.Header().Set("WWW-Authenticate", `Keystone uri="`+uri+`"`)
	} else {
		w.Header().Set("WWW-Authenticate", "Keystone")
	}
	errorBody(w, http.StatusUnauthorized, "Unauthorized", "The request you have made requires authentication.")
}

// wwwAuthenticateURI returns Options.WWWAuthenticateURI, or the public
// identity endpoint of the service's catalog (or else its auth URL), found
// once.
func (m *Middleware) wwwAuthenticateURI(ctx context.Context) (string, bool) {
	if u := m.uri.Load(); u != nil {
		return *u, true
	}
	m.uriMu.Lock()
	defer m.uriMu.Unlock()
	if u := m.uri.Load(); u != nil {
		return *u, true
	}
	auth := m.sess.Auth()
	if auth == nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.opts.ValidationTimeout)
	defer cancel()
	u, err := auth.Endpoint(ctx, m.sess, keystone.EndpointFilter{
		ServiceType: "identity", Interfaces: []string{"public", keystone.InterfaceAuth}, Region: m.opts.Region,
	})
	if err != nil || u == "" {
		// Not kept: found next time.
		u, err = auth.Endpoint(ctx, m.sess, keystone.EndpointFilter{Interfaces: []string{keystone.InterfaceAuth}})
		if err != nil || u == "" {
			return "", false
		}
		return clean(u), true
	}
	u = clean(u)
	m.uri.Store(&u)
	return u, true
}

// identityClient returns the client tokens are validated with.
func (m *Middleware) identityClient(ctx context.Context) (*identityv3.Client, error) {
	if c := m.client.Load(); c != nil {
		return c, nil
	}
	m.clientMu.Lock()
	defer m.clientMu.Unlock()
	if c := m.client.Load(); c != nil {
		return c, nil
	}
	var (
		c   *identityv3.Client
		err error
	)
	if m.opts.IdentityEndpoint != "" {
		c, err = identityv3.NewClientAt(m.sess, m.opts.IdentityEndpoint)
	} else {
		ifaces := []string{m.opts.Interface}
		if m.opts.Interface != "public" {
			ifaces = append(ifaces, "public")
		}
		c, err = identityv3.NewClient(ctx, m.sess, keystone.EndpointFilter{
			ServiceType: "identity", Interfaces: ifaces, Region: m.opts.Region,
		})
	}
	if err != nil {
		return nil, err
	}
	m.client.Store(c)
	return c, nil
}

// validToken reports whether t can be a token: printable ASCII without
// spaces, at most MaxTokenLen bytes. Other values are not sent to Keystone.
func validToken(t string) bool {
	if t == "" || len(t) > MaxTokenLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return false
		}
	}
	return true
}

// invalidEntry answers for a malformed token (never cached).
var invalidEntry = &entry{allowExpiredChecked: true, deadline: time.Unix(1<<62, 0)}

type flightKey struct {
	token        string
	allowExpired bool
}

// flight is one validation in progress, which every request for the same
// token waits for.
type flight struct {
	done chan struct{}
	e    *entry
	err  error
}

// lookup returns the validation of token: from the memory cache, the shared
// cache or Keystone. The error is an ErrKeystoneUnavailable (or the end of
// ctx); an invalid token is an entry that is not valid.
func (m *Middleware) lookup(ctx context.Context, token string, allowExpired bool, now time.Time) (*entry, error) {
	if !validToken(token) {
		return invalidEntry, nil
	}
	if e := m.mem.get(token); e != nil && e.usable(now, allowExpired) && now.Before(e.staleAt) {
		return e, nil
	}
	key := flightKey{token, allowExpired}
	m.flightMu.Lock()
	f, ok := m.flights[key]
	if !ok {
		f = &flight{done: make(chan struct{})}
		m.flights[key] = f
	}
	m.flightMu.Unlock()
	if !ok {
		// The validation outlives this request: others may wait for it.
		vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), m.opts.ValidationTimeout)
		f.e, f.err = m.fetch(vctx, token, allowExpired)
		cancel()
		m.flightMu.Lock()
		delete(m.flights, key)
		m.flightMu.Unlock()
		close(f.done)
		return f.e, f.err
	}
	select {
	case <-f.done:
		return f.e, f.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrKeystoneUnavailable, context.Cause(ctx))
	}
}

// fetch validates token (the flight's leader): the memory cache again (a
// flight that ended just before this one began stored its answer there),
// then the shared cache, then Keystone.
func (m *Middleware) fetch(ctx context.Context, token string, allowExpired bool) (*entry, error) {
	now := m.now()
	old := m.mem.get(token)
	if old != nil && old.usable(now, allowExpired) && now.Before(old.staleAt) {
		return old, nil
	}
	var skey string
	if m.sealer != nil {
		skey = m.sealer.key(token)
		if e := m.sharedGet(ctx, skey, token, now); e != nil && e.usable(now, allowExpired) && now.Before(e.staleAt) {
			m.mem.put(token, e, now)
			return e, nil
		}
	}
	c, err := m.identityClient(ctx)
	var ai *keystone.AccessInfo
	if err == nil {
		m.validations.Add(1)
		ai, err = c.Tokens.Validate(ctx, token, &identityv3.ValidateOptions{
			NoCatalog: m.opts.OmitServiceCatalog, AllowExpired: allowExpired,
		})
	}
	now = m.now()
	var e *entry
	switch {
	case err == nil:
		var body []byte
		if m.sealer != nil {
			body = ai.Body()
		}
		e = m.newEntry(ai, body, now)
	case errors.Is(err, keystone.ErrNotFound):
		m.log.LogAttrs(ctx, slog.LevelInfo, "authtoken: Keystone rejected a token", slog.Bool("allow_expired", allowExpired))
		e = &entry{allowExpiredChecked: allowExpired, validatedAt: now, deadline: now.Add(m.negTTL)}
		e.staleAt = e.deadline
	default:
		err = fmt.Errorf("%w: %w", ErrKeystoneUnavailable, err)
		if old != nil && old.valid && now.Before(old.deadline) {
			// Revalidation failed: the cached result stands until its end.
			m.log.LogAttrs(ctx, slog.LevelWarn, "authtoken: cannot revalidate a cached token; using the cached validation",
				slog.Any("error", err))
			return old, nil
		}
		return nil, err
	}
	if e.deadline.After(now) {
		m.mem.put(token, e, now)
		if m.sealer != nil {
			m.sharedSet(ctx, skey, e, now)
		}
	}
	return e, nil
}

// newEntry builds the cache entry of a valid token, with its headers.
func (m *Middleware) newEntry(ai *keystone.AccessInfo, body []byte, validatedAt time.Time) *entry {
	e := &entry{
		valid: true, ai: ai, body: body,
		tokenExpires: ai.ExpiresAt, validatedAt: validatedAt,
		user:    userHeaders(ai, !m.opts.OmitServiceCatalog, !m.opts.OmitDeprecatedHeaders),
		service: serviceHeaders(ai),
	}
	if ai.ExpiresAt.IsZero() {
		e.tokenExpires = time.Unix(1<<62, 0)
	}
	ttl := m.cacheTTL
	if left := e.tokenExpires.Sub(validatedAt); left > 0 && left < ttl {
		ttl = left
	}
	e.deadline = validatedAt.Add(ttl)
	e.staleAt = validatedAt.Add(min(ttl, m.revalidate))
	for _, r := range ai.Roles {
		if m.serviceRoles[r.Name] {
			e.serviceRoleOK = true
		}
	}
	e.ident = &identity{user: ai}
	return e
}

// sharedGet reads token's validation from the shared cache, or nil.
func (m *Middleware) sharedGet(ctx context.Context, skey, token string, now time.Time) *entry {
	ctx, cancel := context.WithTimeout(ctx, m.opts.SharedCacheTimeout)
	defer cancel()
	sealed, err := m.opts.SharedCache.Get(ctx, skey)
	if err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "authtoken: shared cache read failed; using the memory cache only",
			slog.Any("error", err))
		return nil
	}
	if sealed == nil {
		return nil
	}
	plain, err := m.sealer.open(skey, sealed)
	if err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "authtoken: ignoring a shared cache value", slog.Any("error", err))
		return nil
	}
	var rec sharedRecord
	if err := json.Unmarshal(plain, &rec); err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "authtoken: ignoring a shared cache value", slog.Any("error", err))
		return nil
	}
	at, until := time.Unix(0, rec.ValidatedAt), time.Unix(0, rec.Until)
	if !now.Before(until) || now.Before(at.Add(-time.Minute)) {
		return nil
	}
	if !rec.Valid {
		if m.negTTL < 0 {
			return nil
		}
		return &entry{allowExpiredChecked: rec.AllowExpiredChecked, validatedAt: at, deadline: until, staleAt: until}
	}
	if m.cacheTTL < 0 {
		return nil
	}
	ai, err := keystone.NewAccessInfoV3(token, rec.Body)
	if err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "authtoken: ignoring a shared cache value", slog.Any("error", err))
		return nil
	}
	e := m.newEntry(ai, rec.Body, at)
	// Bounded by this instance's settings and by the writer's.
	e.deadline = minTime(e.deadline, until)
	e.staleAt = minTime(e.staleAt, until)
	return e
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// sharedSet stores e in the shared cache; a failure is logged only.
func (m *Middleware) sharedSet(ctx context.Context, skey string, e *entry, now time.Time) {
	rec := sharedRecord{Valid: e.valid, AllowExpiredChecked: e.allowExpiredChecked,
		ValidatedAt: e.validatedAt.UnixNano(), Until: e.deadline.UnixNano(), Body: e.body}
	plain, err := json.Marshal(rec)
	if err == nil {
		var sealed []byte
		if sealed, err = m.sealer.seal(skey, plain); err == nil {
			ctx, cancel := context.WithTimeout(ctx, m.opts.SharedCacheTimeout)
			err = m.opts.SharedCache.Set(ctx, skey, sealed, e.deadline.Sub(now))
			cancel()
		}
	}
	if err != nil {
		m.log.LogAttrs(ctx, slog.LevelWarn, "authtoken: shared cache write failed; using the memory cache only",
			slog.Any("error", err))
	}
}
