package keystone

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
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
	// CacheID identifies the plugin's parameters: equal parameters, equal ID.
	// It is a digest and contains no secret.
	CacheID() string
}

// Authenticator is the method-specific part of an auth plugin: it obtains a
// new token. NewAuth wraps it with token caching and refresh.
type Authenticator interface {
	// Authenticate obtains a new token.
	Authenticate(ctx context.Context, s *Session) (*AccessInfo, error)
	// CacheKey lists the parameters that identify the plugin, without secrets:
	// CacheID is their digest.
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

// Auth is an AuthPlugin: it keeps the current token, reads it without locks,
// refreshes it before it expires (and after the server rejects it) with one
// refresh in flight however many goroutines wait, and optionally shares it with
// other processes through a TokenStore.
type Auth struct {
	authn  Authenticator
	margin time.Duration
	now    func() time.Time
	store  TokenStore

	cur      atomic.Pointer[AccessInfo]
	issued   atomic.Bool // Authenticate has succeeded once
	rejected atomic.Pointer[string]

	mu     sync.Mutex
	flight *refresh
}

type refresh struct {
	done chan struct{}
	ai   *AccessInfo
	err  error
}

// AuthOption configures an Auth.
type AuthOption func(*Auth)

// WithExpiryMargin sets how long before expiry the token is refreshed
// (default DefaultExpiryMargin).
func WithExpiryMargin(d time.Duration) AuthOption { return func(a *Auth) { a.margin = d } }

// WithClock sets the clock used to judge expiry (for tests).
func WithClock(now func() time.Time) AuthOption { return func(a *Auth) { a.now = now } }

// WithTokenStore shares tokens through store, keyed by the plugin's CacheID:
// processes that find a valid token there use it, and only one of them
// authenticates when there is none. It writes tokens where store keeps them:
// opt in knowingly.
func WithTokenStore(store TokenStore) AuthOption { return func(a *Auth) { a.store = store } }

// NewAuth returns an AuthPlugin that authenticates with authn.
func NewAuth(authn Authenticator, opts ...AuthOption) *Auth {
	a := &Auth{authn: authn, margin: DefaultExpiryMargin, now: time.Now}
	for _, o := range opts {
		o(a)
	}
	return a
}

// NewAuthFromAccess returns an AuthPlugin that uses a token obtained earlier
// (for example by another process, see ParseAccessInfo). It cannot
// re-authenticate: once the token expires or is rejected, requests fail with
// ErrCannotReauthenticate.
func NewAuthFromAccess(ai *AccessInfo, opts ...AuthOption) *Auth {
	a := NewAuth(savedToken{ai: ai}, opts...)
	a.cur.Store(ai)
	a.issued.Store(true)
	return a
}

type savedToken struct{ ai *AccessInfo }

func (s savedToken) Authenticate(context.Context, *Session) (*AccessInfo, error) { return s.ai, nil }
func (s savedToken) CacheKey() []string                                          { return []string{"saved", s.ai.TokenDigest()} }
func (s savedToken) Reauthenticates() bool                                       { return false }

// CacheID is the SHA-256 of the authenticator's CacheKey.
func (a *Auth) CacheID() string {
	sum := sha256.Sum256([]byte(strings.Join(a.authn.CacheKey(), "\x00")))
	return hex.EncodeToString(sum[:])
}

// Token returns a valid token, authenticating when there is none or the
// current one expires within the margin.
func (a *Auth) Token(ctx context.Context, s *Session) (string, error) {
	ai, err := a.Access(ctx, s)
	if err != nil {
		return "", err
	}
	return ai.token, nil
}

// Access returns the current token's AccessInfo, authenticating when needed.
func (a *Auth) Access(ctx context.Context, s *Session) (*AccessInfo, error) {
	if ai := a.cur.Load(); ai != nil && !ai.WillExpireSoon(a.now(), a.margin) {
		return ai, nil
	}
	return a.refresh(ctx, s)
}

// Current returns the current AccessInfo without authenticating (nil if none).
func (a *Auth) Current() *AccessInfo { return a.cur.Load() }

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

// Endpoint returns the URL of the catalog endpoint that matches f (or the
// authenticator's fixed endpoint).
func (a *Auth) Endpoint(ctx context.Context, s *Session, f EndpointFilter) (string, error) {
	if o, ok := a.authn.(EndpointOverrider); ok {
		if u, ok := o.EndpointOverride(f); ok {
			return u, nil
		}
	}
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

// Invalidate forgets token if it is the current one; the next request
// authenticates again (or fails with ErrCannotReauthenticate).
func (a *Auth) Invalidate(token string) bool {
	ai := a.cur.Load()
	if ai == nil || ai.token != token {
		return false
	}
	a.rejected.Store(&token)
	return a.cur.CompareAndSwap(ai, nil)
}

// refresh obtains a new token, one refresh at a time: callers that arrive
// while one is in flight wait for it, each until its own context ends. The
// refresh itself is not cancelled by any one caller.
func (a *Auth) refresh(ctx context.Context, s *Session) (*AccessInfo, error) {
	a.mu.Lock()
	if ai := a.cur.Load(); ai != nil && !ai.WillExpireSoon(a.now(), a.margin) {
		a.mu.Unlock()
		return ai, nil
	}
	f := a.flight
	if f == nil {
		f = &refresh{done: make(chan struct{})}
		a.flight = f
		go a.run(context.WithoutCancel(ctx), s, f)
	}
	a.mu.Unlock()
	select {
	case <-f.done:
		return f.ai, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (a *Auth) run(ctx context.Context, s *Session, f *refresh) {
	stale := a.cur.Load()
	ai, err := a.obtain(ctx, s)
	if err != nil && stale != nil && a.now().Before(stale.ExpiresAt) {
		// Refreshing ahead failed but the token still works: keep using it.
		ai, err = stale, nil
	}
	if err == nil {
		a.cur.Store(ai)
	}
	f.ai, f.err = ai, err
	a.mu.Lock()
	a.flight = nil
	a.mu.Unlock()
	close(f.done)
}

// obtain gets a token from the store, or by authenticating.
func (a *Auth) obtain(ctx context.Context, s *Session) (*AccessInfo, error) {
	if a.store == nil {
		return a.authenticate(ctx, s)
	}
	key := a.CacheID()
	unlock, err := a.store.Lock(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("keystone: token store: %w", err)
	}
	defer unlock()
	if data, err := a.store.Load(ctx, key); err == nil && data != nil {
		if ai, err := ParseAccessInfo(data); err == nil && !ai.WillExpireSoon(a.now(), a.margin) && !a.wasRejected(ai.token) {
			return ai, nil
		}
	}
	ai, err := a.authenticate(ctx, s)
	if err != nil {
		return nil, err
	}
	if data, err := ai.ExportState(); err == nil {
		if err := a.store.Store(ctx, key, data); err != nil && s != nil {
			s.logger.WarnContext(ctx, "keystone: could not store the token", "error", err)
		}
	}
	return ai, nil
}

func (a *Auth) wasRejected(token string) bool {
	r := a.rejected.Load()
	return r != nil && *r == token
}

func (a *Auth) authenticate(ctx context.Context, s *Session) (*AccessInfo, error) {
	if a.issued.Load() && !a.authn.Reauthenticates() {
		return nil, fmt.Errorf("%w: %T needs new credentials (its token expired or was rejected)", ErrCannotReauthenticate, a.authn)
	}
	ai, err := a.authn.Authenticate(ctx, s)
	if err != nil {
		return nil, err
	}
	if ai == nil {
		return nil, errors.New("keystone: authenticator returned no token")
	}
	a.issued.Store(true)
	return ai, nil
}

// ExportState returns the current token and its body as JSON, for another
// process to reuse with ImportState or NewAuthFromAccess. It contains the
// token: store it as a secret. It is nil when there is no token yet.
func (a *Auth) ExportState() ([]byte, error) {
	ai := a.cur.Load()
	if ai == nil {
		return nil, nil
	}
	return ai.ExportState()
}

// ImportState installs a token exported by ExportState. An expired token is
// refused.
func (a *Auth) ImportState(data []byte) error {
	ai, err := ParseAccessInfo(data)
	if err != nil {
		return err
	}
	if !a.now().Before(ai.ExpiresAt) {
		return fmt.Errorf("keystone: the saved token expired at %s", ai.ExpiresAt.Format(time.RFC3339))
	}
	a.cur.Store(ai)
	return nil
}
