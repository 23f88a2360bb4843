package keystone

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// AuthPlugin authenticates a Session's requests. *Auth, built by NewAuth over
// an Authenticator (see the authplugin package), is the implementation to use;
// the interface lets a program bring its own.
type AuthPlugin interface {
	// Token returns a valid token, authenticating (with s) when needed.
	Token(ctx context.Context, s *Session) (string, error)
	// Access returns what Keystone says about the current token.
	Access(ctx context.Context, s *Session) (*AccessInfo, error)
	// Endpoint returns the URL of the catalog endpoint that matches f.
	Endpoint(ctx context.Context, s *Session, f EndpointFilter) (string, error)
	// Invalidate forgets token if it is the current one (after the server
	// rejected it) and reports whether it did.
	Invalidate(token string) bool
}

// Authenticator is the method-specific part of an auth plugin: it obtains a
// new token. NewAuth wraps it with token caching and refresh.
type Authenticator interface {
	// Authenticate obtains a new token.
	Authenticate(ctx context.Context, s *Session) (*AccessInfo, error)
	// CacheKey lists every parameter that identifies the plugin's
	// credentials and scope, secrets included (a password, a token, a
	// secret): two plugins share cached tokens only when all of them are
	// equal. Auth never stores, logs or prints it: a token store sees only
	// an HMAC-SHA256 of it under the store's own key (TokenStore.DigestKey).
	// A plugin whose credentials cannot be compared (a passcode callback)
	// includes a value unique to the plugin, so that it shares nothing.
	CacheKey() []string
	// Reauthenticates reports whether Authenticate may be called again once
	// its first token has expired or been rejected. A single-use TOTP passcode,
	// an admin token or a saved token cannot.
	Reauthenticates() bool
}

// EndpointOverrider is implemented by authenticators that serve a fixed
// endpoint instead of a catalog (the admin-token bootstrap mode).
type EndpointOverrider interface {
	EndpointOverride(f EndpointFilter) (string, bool)
}

// DefaultExpiryMargin is how long before its expiry a token is refreshed, as
// keystoneauth1 does.
const DefaultExpiryMargin = 120 * time.Second

// DefaultRefreshTimeout bounds one token refresh (waiting for another
// process's lock, discovery, the authentication request and its retries).
const DefaultRefreshTimeout = time.Minute

// Auth is an AuthPlugin: it keeps the current token, reads it without locks,
// refreshes it before it expires (and after the server rejects it) with one
// refresh in flight however many goroutines wait, and optionally shares it with
// other processes through a TokenStore.
//
// Each caller waits for a refresh only until its own context ends; a refresh
// that every caller has stopped waiting for is cancelled, and one that runs
// longer than a quarter of the refresh timeout is not joined by new callers:
// they start another.
type Auth struct {
	authn          Authenticator
	margin         time.Duration
	now            func() time.Time
	store          TokenStore
	refreshTimeout time.Duration
	noReauth       bool

	cur      atomic.Pointer[AccessInfo]
	issued   atomic.Bool  // Authenticate has succeeded once
	skew     atomic.Int64 // how far the local clock is ahead of the server's (ns)
	rejected atomic.Pointer[string]

	storeOff  atomic.Bool // the store failed: authenticate without it
	storeKey  atomic.Pointer[[]byte]
	storeWarn sync.Once

	mu     sync.Mutex
	flight *refresh
}

type refresh struct {
	done    chan struct{}
	ai      *AccessInfo
	err     error
	cancel  context.CancelFunc
	started time.Time
	waiters int
	cause   atomic.Pointer[error] // why the last attempt failed, if one did
}

// AuthOption configures an Auth.
type AuthOption func(*Auth)

// WithExpiryMargin sets how long before expiry the token is refreshed
// (default DefaultExpiryMargin).
func WithExpiryMargin(d time.Duration) AuthOption { return func(a *Auth) { a.margin = d } }

// WithClock sets the clock used to judge expiry (for tests).
func WithClock(now func() time.Time) AuthOption {
	return func(a *Auth) {
		if now != nil {
			a.now = now
		}
	}
}

// WithRefreshTimeout bounds one token refresh (default
// DefaultRefreshTimeout): the wait for another process's lock on a shared
// token store is bounded by a quarter of it, after which the plugin
// authenticates without the lock.
func WithRefreshTimeout(d time.Duration) AuthOption {
	return func(a *Auth) {
		if d > 0 {
			a.refreshTimeout = d
		}
	}
}

// WithTokenStore shares tokens through store: processes that find a valid
// token there use it, and only one of them authenticates when there is none.
// Tokens are keyed by a keyed digest of every parameter of the plugin,
// secrets included, so that a token is only ever reused by the same
// credentials. The store is best-effort: when it fails (a read-only
// directory), the plugin warns once and authenticates without it. It writes
// tokens where store keeps them: opt in knowingly.
func WithTokenStore(store TokenStore) AuthOption { return func(a *Auth) { a.store = store } }

// WithoutReauthentication makes the plugin authenticate once only
// (keystoneauth1's reauthenticate=False): once its first token expires or is
// rejected (Invalidate), Token, Access, Headers and the requests that need a
// token fail with ErrCannotReauthenticate instead of authenticating again.
// The token is still used until it expires, even within the expiry margin.
// A token that another process put in a shared token store (WithTokenStore)
// is still taken: it costs this plugin no authentication.
func WithoutReauthentication() AuthOption { return func(a *Auth) { a.noReauth = true } }

// NewAuth returns an AuthPlugin that authenticates with authn.
func NewAuth(authn Authenticator, opts ...AuthOption) *Auth {
	a := &Auth{authn: authn, margin: DefaultExpiryMargin, now: time.Now, refreshTimeout: DefaultRefreshTimeout}
	for _, o := range opts {
		if o != nil {
			o(a)
		}
	}
	return a
}

// NewAuthFromAccess returns an AuthPlugin that uses a token obtained earlier
// (for example by another process, see ParseAccessInfo). It cannot
// re-authenticate: once the token expires or is rejected, requests fail with
// ErrCannotReauthenticate. A nil ai gives a plugin whose requests fail with
// ErrInvalidArgument.
func NewAuthFromAccess(ai *AccessInfo, opts ...AuthOption) *Auth {
	a := NewAuth(savedToken{ai: ai}, opts...)
	if ai != nil && ai.Token() != "" {
		a.cur.Store(ai)
		a.issued.Store(true)
	}
	return a
}

type savedToken struct{ ai *AccessInfo }

func (s savedToken) Authenticate(context.Context, *Session) (*AccessInfo, error) {
	if s.ai == nil {
		return nil, fmt.Errorf("%w: no saved token (nil *AccessInfo)", ErrInvalidArgument)
	}
	if s.ai.Token() == "" {
		return nil, fmt.Errorf("%w: the saved AccessInfo has no token", ErrInvalidArgument)
	}
	return s.ai, nil
}

func (s savedToken) CacheKey() []string {
	if s.ai == nil {
		return []string{"saved"}
	}
	return []string{"saved", s.ai.Token()}
}

func (s savedToken) Reauthenticates() bool { return false }

// cacheKeyVersion is the first field of every encoded cache key: changing
// the encoding changes it.
const cacheKeyVersion = "gokeystone-token-cache-v1"

// encodeCacheKey joins fields unambiguously: each is preceded by its length.
func encodeCacheKey(fields []string) []byte {
	n := len(cacheKeyVersion) + binary.MaxVarintLen64
	for _, f := range fields {
		n += len(f) + binary.MaxVarintLen64
	}
	b := make([]byte, 0, n)
	for _, f := range append([]string{cacheKeyVersion}, fields...) {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// cacheID is the HMAC-SHA256, under key, of the authenticator's CacheKey.
func (a *Auth) cacheID(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(encodeCacheKey(a.authn.CacheKey()))
	return hex.EncodeToString(mac.Sum(nil))
}

// checkCall rejects what would make a call panic.
func (a *Auth) checkCall(ctx context.Context) error {
	if a == nil {
		return fmt.Errorf("%w: nil *Auth", ErrInvalidArgument)
	}
	if ctx == nil {
		return fmt.Errorf("%w: nil context", ErrInvalidArgument)
	}
	if a.authn == nil {
		return fmt.Errorf("%w: the Auth has no Authenticator", ErrInvalidArgument)
	}
	return nil
}

func (a *Auth) clock() time.Time {
	if a.now == nil {
		return time.Now()
	}
	return a.now()
}

// maxIgnoredSkew is the clock difference below which the server's clock is
// taken to be the local one (latency and ordinary drift).
const maxIgnoredSkew = time.Minute

// serverNow is the local clock corrected by the skew measured on the last
// token Keystone issued: token expiry is judged on the server's clock.
func (a *Auth) serverNow() time.Time {
	return a.clock().Add(-time.Duration(a.skew.Load()))
}

// measureSkew compares a token just issued with the local clock: a server
// clock more than maxIgnoredSkew away is remembered, so that a token is
// neither taken for expired on arrival nor kept past its end.
func (a *Auth) measureSkew(ai *AccessInfo) {
	if ai.IssuedAt.IsZero() {
		return
	}
	skew := a.clock().Sub(ai.IssuedAt)
	if skew > -maxIgnoredSkew && skew < maxIgnoredSkew {
		skew = 0
	}
	a.skew.Store(int64(skew))
}

// Token returns a valid token, authenticating when there is none or the
// current one expires within the margin.
func (a *Auth) Token(ctx context.Context, s *Session) (string, error) {
	ai, err := a.Access(ctx, s)
	if err != nil {
		return "", err
	}
	return ai.Token(), nil
}

// Access returns the current token's AccessInfo, authenticating when needed.
func (a *Auth) Access(ctx context.Context, s *Session) (*AccessInfo, error) {
	if err := a.checkCall(ctx); err != nil {
		return nil, err
	}
	if ai := a.cur.Load(); ai != nil && !ai.WillExpireSoon(a.serverNow(), a.margin) {
		return ai, nil
	}
	return a.refresh(ctx, s)
}

// Current returns the current AccessInfo without authenticating (nil if none).
func (a *Auth) Current() *AccessInfo {
	if a == nil {
		return nil
	}
	return a.cur.Load()
}

// UserID returns the authenticated user's ID.
func (a *Auth) UserID(ctx context.Context, s *Session) (string, error) {
	ai, err := a.Access(ctx, s)
	if err != nil {
		return "", err
	}
	return ai.User.ID, nil
}

// ProjectID returns the ID of the token's project ("" if not project-scoped).
func (a *Auth) ProjectID(ctx context.Context, s *Session) (string, error) {
	ai, err := a.Access(ctx, s)
	if err != nil || ai.Project == nil {
		return "", err
	}
	return ai.Project.ID, nil
}

// InterfaceAuth is the pseudo-interface of the plugin's own auth URL
// (keystoneauth1's AUTH_INTERFACE): an EndpointFilter whose Interfaces list
// it resolves to the URL the plugin authenticates against, without
// authenticating and without the catalog.
const InterfaceAuth = "auth"

// Endpoint returns the URL of the catalog endpoint that matches f (or the
// authenticator's fixed endpoint). When f.Interfaces lists InterfaceAuth, the
// interfaces before it are looked up in the catalog first, and then the
// authenticator's auth URL (its AuthURL() string method) is the answer:
// without authenticating when InterfaceAuth comes first. An authenticator
// with no auth URL then fails with ErrEndpointNotFound.
func (a *Auth) Endpoint(ctx context.Context, s *Session, f EndpointFilter) (string, error) {
	if err := a.checkCall(ctx); err != nil {
		return "", err
	}
	if o, ok := a.authn.(EndpointOverrider); ok {
		if u, ok := o.EndpointOverride(f); ok {
			return u, nil
		}
	}
	if i := authInterfaceIndex(f); i >= 0 {
		if i > 0 {
			before := f
			before.Interfaces = f.Interfaces[:i]
			u, err := a.catalogEndpoint(ctx, s, before)
			if err == nil || !(errors.Is(err, ErrEndpointNotFound) || errors.Is(err, ErrEmptyCatalog)) {
				return u, err
			}
		}
		return a.authURLEndpoint()
	}
	return a.catalogEndpoint(ctx, s, f)
}

// catalogEndpoint looks f up in the current token's catalog.
func (a *Auth) catalogEndpoint(ctx context.Context, s *Session, f EndpointFilter) (string, error) {
	ai, err := a.Access(ctx, s)
	if err != nil {
		return "", err
	}
	ep, err := ai.Catalog().Lookup(f)
	if err != nil {
		return "", err
	}
	return ep.URL, nil
}

// authInterfaceIndex returns the position of InterfaceAuth in f.Interfaces,
// or -1. An endpoint ID selects a catalog endpoint: the auth URL has none.
func authInterfaceIndex(f EndpointFilter) int {
	if f.EndpointID != "" {
		return -1
	}
	for i, iface := range f.Interfaces {
		if iface == InterfaceAuth {
			return i
		}
	}
	return -1
}

// authURLEndpoint returns the authenticator's auth URL.
func (a *Auth) authURLEndpoint() (string, error) {
	if p, ok := a.authn.(authURLer); ok {
		if u := p.AuthURL(); u != "" {
			return u, nil
		}
	}
	return "", fmt.Errorf("%w: interface %q: %T has no auth URL", ErrEndpointNotFound, InterfaceAuth, a.authn)
}

// Headers returns the headers the plugin adds to an authenticated request
// (keystoneauth1's get_headers): X-Auth-Token with the current token,
// authenticating first when needed. The result carries the token, a
// secret: never log or print it.
func (a *Auth) Headers(ctx context.Context, s *Session) (http.Header, error) {
	tok, err := a.Token(ctx, s)
	if err != nil {
		return nil, err
	}
	if tok == "" {
		return nil, fmt.Errorf("%w: the plugin returned an empty token", ErrInvalidResponse)
	}
	return http.Header{"X-Auth-Token": {tok}}, nil
}

// Invalidate forgets token if it is the current one; the next request
// authenticates again (or fails with ErrCannotReauthenticate).
func (a *Auth) Invalidate(token string) bool {
	if a == nil {
		return false
	}
	ai := a.cur.Load()
	if ai == nil || ai.Token() != token {
		return false
	}
	a.rejected.Store(&token)
	return a.cur.CompareAndSwap(ai, nil)
}

// refresh obtains a new token, one refresh at a time: callers that arrive
// while one is in flight wait for it, each until its own context ends. The
// refresh is not cancelled by any one caller, but it is when every caller
// has stopped waiting; a refresh older than a quarter of the refresh timeout
// is not joined: the newcomer starts another.
func (a *Auth) refresh(ctx context.Context, s *Session) (*AccessInfo, error) {
	f, ai := a.join(ctx, s)
	if ai != nil {
		return ai, nil
	}
	select {
	case <-f.done:
		return f.ai, f.err
	case <-ctx.Done():
		a.leave(f)
		return nil, waitError(ctx, f)
	}
}

// join returns the refresh to wait for (starting one if needed), or the
// current token if another caller has just refreshed it.
func (a *Auth) join(ctx context.Context, s *Session) (*refresh, *AccessInfo) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ai := a.cur.Load(); ai != nil && !ai.WillExpireSoon(a.serverNow(), a.margin) {
		return nil, ai
	}
	f := a.flight
	if f == nil || time.Since(f.started) > a.refreshTimeout/4 {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.refreshTimeout)
		f = &refresh{done: make(chan struct{}), cancel: cancel, started: time.Now()}
		rctx = context.WithValue(rctx, causeKey{}, &f.cause)
		a.flight = f
		go a.run(rctx, s, f)
	}
	f.waiters++
	return f, nil
}

// leave is called by a waiter whose context ended: the last one to leave
// cancels the refresh.
func (a *Auth) leave(f *refresh) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
		if a.flight == f {
			a.flight = nil
		}
	}
}

// waitError says why a caller stopped waiting for a refresh, with the cause
// of the refresh's last failed attempt if there was one.
func waitError(ctx context.Context, f *refresh) error {
	err := ctx.Err()
	var cause error
	if c := f.cause.Load(); c != nil {
		cause = *c
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) && cause != nil:
		return fmt.Errorf("%w: waiting for a token: %w (last attempt: %w)", ErrTimeout, err, cause)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: waiting for a token: %w", ErrTimeout, err)
	case cause != nil:
		return fmt.Errorf("keystone: waiting for a token: %w (last attempt: %w)", err, cause)
	}
	return fmt.Errorf("keystone: waiting for a token: %w", err)
}

func (a *Auth) run(ctx context.Context, s *Session, f *refresh) {
	growStack()
	defer f.cancel()
	var (
		ai  *AccessInfo
		err error
	)
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = errorf("keystone: the authenticator panicked: %v\n%s", r, debug.Stack())
			}
		}()
		stale := a.cur.Load()
		ai, err = a.obtain(ctx, s)
		if err != nil && stale != nil && a.serverNow().Before(stale.ExpiresAt) && !a.wasRejected(stale.Token()) {
			// Refreshing ahead failed but the token still works: keep using it.
			ai, err = stale, nil
		}
	}()
	if err == nil {
		a.cur.Store(ai)
	}
	f.ai, f.err = ai, err
	a.mu.Lock()
	if a.flight == f {
		a.flight = nil
	}
	a.mu.Unlock()
	close(f.done)
}

// obtain gets a token from the store, or by authenticating.
func (a *Auth) obtain(ctx context.Context, s *Session) (*AccessInfo, error) {
	if a.store == nil || a.storeOff.Load() {
		return a.authenticate(ctx, s)
	}
	key, err := a.storeDigestKey(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		a.disableStore(ctx, s, err)
		return a.authenticate(ctx, s)
	}
	id := a.cacheID(key)
	lockCtx, cancel := context.WithTimeout(ctx, a.refreshTimeout/4)
	unlock, err := a.store.Lock(lockCtx, id)
	lockTimedOut := errors.Is(lockCtx.Err(), context.DeadlineExceeded)
	cancel()
	switch {
	case err == nil:
		defer unlock()
	case ctx.Err() != nil:
		return nil, fmt.Errorf("keystone: token store lock: %w", err)
	case lockTimedOut:
		// Another process holds the lock for too long: do without it.
		s.Logger().WarnContext(ctx, "keystone: the token store lock is held too long by another process; authenticating without it",
			"waited", a.refreshTimeout/4)
	default:
		a.disableStore(ctx, s, err)
		return a.authenticate(ctx, s)
	}
	if data, err := a.store.Load(ctx, id); err == nil && data != nil {
		if ai, err := ParseAccessInfo(data); err == nil && !ai.WillExpireSoon(a.serverNow(), a.margin) && !a.wasRejected(ai.Token()) {
			return ai, nil
		}
	}
	ai, err := a.authenticate(ctx, s)
	if err != nil {
		return nil, err
	}
	if data, err := ai.ExportState(); err == nil {
		if err := a.store.Store(ctx, id, data); err != nil {
			s.Logger().WarnContext(ctx, "keystone: could not store the token", "error", err)
		}
	}
	return ai, nil
}

// storeDigestKey returns the store's digest key (stores keep it in memory).
func (a *Auth) storeDigestKey(ctx context.Context) ([]byte, error) {
	k, err := a.store.DigestKey(ctx)
	if err != nil {
		return nil, err
	}
	if len(k) < 16 {
		return nil, fmt.Errorf("%w: the token store's digest key is too short (%d bytes)", ErrInvalidArgument, len(k))
	}
	return k, nil
}

// disableStore turns the token store off for this plugin, with one warning.
func (a *Auth) disableStore(ctx context.Context, s *Session, err error) {
	a.storeOff.Store(true)
	a.storeWarn.Do(func() {
		s.Logger().WarnContext(ctx, "keystone: the token store does not work; authenticating without it", "error", err.Error())
	})
}

func (a *Auth) wasRejected(token string) bool {
	r := a.rejected.Load()
	return r != nil && *r == token
}

func (a *Auth) authenticate(ctx context.Context, s *Session) (*AccessInfo, error) {
	if a.issued.Load() && a.noReauth {
		return nil, fmt.Errorf("%w: re-authentication is turned off (WithoutReauthentication) and the token expired or was rejected", ErrCannotReauthenticate)
	}
	if a.issued.Load() && !a.authn.Reauthenticates() {
		return nil, fmt.Errorf("%w: %T needs new credentials (its token expired or was rejected)", ErrCannotReauthenticate, a.authn)
	}
	ai, err := a.authn.Authenticate(ctx, s)
	if err != nil {
		return nil, err
	}
	if ai == nil {
		return nil, errorf("keystone: authenticator returned no token")
	}
	if !ai.IssuedAt.IsZero() && !ai.ExpiresAt.IsZero() && !ai.ExpiresAt.After(ai.IssuedAt) {
		return nil, fmt.Errorf("%w: the token expires (%s) before it was issued (%s)", ErrInvalidResponse,
			ai.ExpiresAt.Format(time.RFC3339), ai.IssuedAt.Format(time.RFC3339))
	}
	a.measureSkew(ai)
	a.issued.Store(true)
	return ai, nil
}

// ExportState returns the current token and its body as JSON, for another
// process to reuse with ImportState or NewAuthFromAccess. It contains the
// token: store it as a secret. It is nil when there is no token yet.
func (a *Auth) ExportState() ([]byte, error) {
	if a == nil {
		return nil, nil
	}
	ai := a.cur.Load()
	if ai == nil {
		return nil, nil
	}
	return ai.ExportState()
}

// ImportState installs a token exported by ExportState. An expired token is
// refused.
func (a *Auth) ImportState(data []byte) error {
	if a == nil {
		return fmt.Errorf("%w: nil *Auth", ErrInvalidArgument)
	}
	ai, err := ParseAccessInfo(data)
	if err != nil {
		return err
	}
	if !a.serverNow().Before(ai.ExpiresAt) {
		return errorf("keystone: the saved token expired at %s", ai.ExpiresAt.Format(time.RFC3339))
	}
	a.cur.Store(ai)
	return nil
}

// growStack grows the calling goroutine's stack to 32 KiB while it is
// shallow. A refresh runs in a goroutine of its own, which starts with a
// small stack; decoding a token's body recurses deeply, and growing the
// stack then copies every frame (a tenth of an authentication's CPU time
// with a 36-endpoint catalog). Growing it first costs one copy of nothing.
//
//go:noinline
func growStack() {
	var frame [16 << 10]byte
	keep(frame[:])
}

//go:noinline
func keep([]byte) {}
