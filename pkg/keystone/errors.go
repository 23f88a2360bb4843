package keystone

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gokeystone/keystone/internal/sdkerr"
)

// ErrKeystone is the root of the SDK's errors (keystoneauth1's and
// keystoneclient's ClientException): every sentinel and every error type of
// pkg/keystone, pkg/authplugin, pkg/cloudconfig, pkg/ec2signer and pkg/cms
// matches it, so errors.Is(err, keystone.ErrKeystone) tells an error of the
// SDK from one of the caller's own code. An error that wraps a context's end
// also matches context.Canceled or context.DeadlineExceeded.
var ErrKeystone = sdkerr.Root

// newSentinel returns a sentinel error that matches ErrKeystone.
func newSentinel(msg string) error { return sdkerr.New(msg) }

// HTTPError is the error for a response with a status of 400 or more. It
// carries what a person or a program needs to act on the failure, and never
// the request's credentials.
//
// Match a status with errors.Is and the sentinels (errors.Is(err,
// keystone.ErrNotFound)), or get the details with errors.As.
type HTTPError struct {
	// StatusCode is the HTTP status, such as 404.
	StatusCode int
	// Method and URL are those of the request.
	Method, URL string
	// RequestID is the server's X-Openstack-Request-Id, if any.
	RequestID string
	// Title and Message come from Keystone's error body
	// {"error": {"code", "title", "message"}}, or the body's "message".
	Title, Message string
	// RetryAfter is the delay the server asked for (Retry-After), or 0.
	RetryAfter time.Duration
	// Header holds the response headers (with X-Subject-Token removed).
	Header http.Header
	// Receipt is set on a 401 that carries a multi-factor auth receipt.
	Receipt *AuthReceipt
}

// Error describes the failure in one line.
func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.StatusCode, statusText(e.StatusCode, e.Title))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status (see ErrNotFound
// and the others), ErrHTTP or ErrKeystone.
func (e *HTTPError) Is(target error) bool {
	if target == ErrHTTP || target == ErrKeystone {
		return true
	}
	if s, ok := target.(*statusError); ok {
		return s.code == e.StatusCode || (s.code == 0 && s.class != 0 && e.StatusCode/100 == s.class)
	}
	return false
}

func statusText(code int, title string) string {
	if title != "" {
		return title
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "HTTP " + strconv.Itoa(code)
}

// statusError is a sentinel for one HTTP status or a class of them.
type statusError struct {
	code  int
	class int // 4 or 5 for ErrClientError and ErrServerError
	name  string
}

func (s *statusError) Error() string { return s.name }

// Unwrap returns ErrKeystone.
func (s *statusError) Unwrap() error { return ErrKeystone }

// ErrHTTP matches every *HTTPError.
var ErrHTTP = newSentinel("keystone: HTTP error status")

// Sentinels for the HTTP statuses Keystone and the services behind it
// answer, matched by errors.Is against an *HTTPError (after keystoneauth1's
// exceptions). Other statuses match ErrClientError or ErrServerError, and
// HTTPError.StatusCode has the number.
var (
	ErrBadRequest            = &statusError{code: 400, name: "bad request (400)"}
	ErrUnauthorized          = &statusError{code: 401, name: "unauthorized (401)"}
	ErrForbidden             = &statusError{code: 403, name: "forbidden (403)"}
	ErrNotFound              = &statusError{code: 404, name: "not found (404)"}
	ErrMethodNotAllowed      = &statusError{code: 405, name: "method not allowed (405)"}
	ErrRequestTimeout        = &statusError{code: 408, name: "request timeout (408)"}
	ErrConflict              = &statusError{code: 409, name: "conflict (409)"}
	ErrGone                  = &statusError{code: 410, name: "gone (410)"}
	ErrRequestEntityTooLarge = &statusError{code: 413, name: "request entity too large (413)"}
	ErrTooManyRequests       = &statusError{code: 429, name: "too many requests (429)"}
	ErrInternalServerError   = &statusError{code: 500, name: "internal server error (500)"}
	ErrHTTPNotImplemented    = &statusError{code: 501, name: "not implemented (501)"}
	ErrBadGateway            = &statusError{code: 502, name: "bad gateway (502)"}
	ErrServiceUnavailable    = &statusError{code: 503, name: "service unavailable (503)"}
	ErrGatewayTimeout        = &statusError{code: 504, name: "gateway timeout (504)"}
	ErrClientError           = &statusError{class: 4, name: "client error (4xx)"}
	ErrServerError           = &statusError{class: 5, name: "server error (5xx)"}
)

// Client-side errors. Each is a sentinel matched with errors.Is; the richer
// ones have a type for errors.As too.
var (
	// ErrAuthorizationFailure: authentication failed (for example a wrong
	// password); it wraps the *HTTPError Keystone returned.
	ErrAuthorizationFailure = newSentinel("keystone: authorization failure")
	// ErrMissingAuthPlugin: a request needs authentication but the session has
	// no auth plugin.
	ErrMissingAuthPlugin = newSentinel("keystone: an auth plugin is required")
	// ErrNoMatchingPlugin: no plugin fits the options given.
	ErrNoMatchingPlugin = newSentinel("keystone: no auth plugin matches the options")
	// ErrMissingOptions: a plugin lacks required options (see *MissingOptionsError).
	ErrMissingOptions = newSentinel("keystone: missing required auth options")
	// ErrEndpointNotFound: no catalog endpoint matches a filter (see *EndpointNotFoundError).
	ErrEndpointNotFound = newSentinel("keystone: endpoint not found")
	// ErrAmbiguousEndpoints: several endpoints match a filter (see *AmbiguousEndpointsError).
	ErrAmbiguousEndpoints = newSentinel("keystone: ambiguous endpoints")
	// ErrEmptyCatalog: the token has no service catalog.
	ErrEmptyCatalog = newSentinel("keystone: the token has no service catalog")
	// ErrDiscoveryFailure: version discovery failed.
	ErrDiscoveryFailure = newSentinel("keystone: version discovery failed")
	// ErrVersionNotAvailable: no version offered matches the one asked for.
	ErrVersionNotAvailable = newSentinel("keystone: API version not available")
	// ErrUnsupportedVersion: the server offers only versions this SDK does not support.
	ErrUnsupportedVersion = newSentinel("keystone: unsupported API version")
	// ErrNoUniqueMatch: a find by name matched several resources, or none.
	ErrNoUniqueMatch = newSentinel("keystone: no unique match")
	// ErrConnectionRefused: the server could not be reached (the connection
	// was refused, or the name did not resolve): the request was not sent.
	ErrConnectionRefused = newSentinel("keystone: connection refused")
	// ErrConnectionFailure: the connection broke after it was made (reset,
	// EOF before or in the middle of the response, a body shorter than its
	// Content-Length): the server may or may not have acted on the request.
	ErrConnectionFailure = newSentinel("keystone: connection failure")
	// ErrRedirect: the server redirected a request the session does not
	// follow (to plain HTTP from HTTPS, a request with a body, a loop, or
	// too many redirects); see *RedirectError.
	ErrRedirect = newSentinel("keystone: redirect not followed")
	// ErrTooManyRedirects: a request was redirected more often than the
	// session's redirect limit (WithRedirectLimit) or the request's
	// (Request.RedirectLimit) allows. It also matches ErrRedirect; the
	// error is a *RedirectError whose Limit is that limit.
	ErrTooManyRedirects = sdkerr.NewUnder(ErrRedirect, "keystone: too many redirects")
	// ErrResponseTooLarge: a response body is larger than the session's
	// Limits allow. It also matches ErrInvalidResponse.
	ErrResponseTooLarge = newSentinel("keystone: response too large")
	// ErrInvalidArgument: the SDK was called with an argument it cannot use
	// (a nil context, a nil token, a nil request).
	ErrInvalidArgument = newSentinel("keystone: invalid argument")
	// ErrTLS: the TLS handshake or certificate verification failed.
	ErrTLS = newSentinel("keystone: TLS failure")
	// ErrTimeout: the request timed out.
	ErrTimeout = newSentinel("keystone: request timed out")
	// ErrInvalidResponse: a response body is not what the API says it is.
	ErrInvalidResponse = newSentinel("keystone: invalid response")
	// ErrCannotReauthenticate: the plugin's token expired or was rejected and it
	// cannot get another one by itself (single-use TOTP passcode, admin token,
	// a saved token).
	ErrCannotReauthenticate = newSentinel("keystone: the auth plugin cannot re-authenticate")
	// ErrAuthReceiptRequired: multi-factor authentication needs more methods
	// (see *AuthReceiptError).
	ErrAuthReceiptRequired = newSentinel("keystone: more authentication methods required")
)

// MissingOptionsError names the options a plugin needs but was not given.
type MissingOptionsError struct {
	Plugin  string
	Options []string
}

func (e *MissingOptionsError) Error() string {
	return fmt.Sprintf("keystone: %s plugin: missing required options: %s", e.Plugin, strings.Join(e.Options, ", "))
}

// Unwrap returns ErrMissingOptions.
func (e *MissingOptionsError) Unwrap() error { return ErrMissingOptions }

// EndpointNotFoundError says which endpoint was asked for and, for each
// candidate of the right service, why it was rejected.
type EndpointNotFoundError struct {
	Filter EndpointFilter
	// Rejected lists the candidates considered and the reason for each.
	Rejected []RejectedEndpoint
}

// RejectedEndpoint is a catalog endpoint that did not match a filter.
type RejectedEndpoint struct {
	ServiceType, ServiceName, Interface, Region, URL string
	Reason                                           string
	// InvalidURL is set when the endpoint matched but its URL is empty or
	// not an absolute http(s) URL.
	InvalidURL bool
}

func (e *EndpointNotFoundError) Error() string {
	var b strings.Builder
	b.WriteString("keystone: no endpoint matches ")
	b.WriteString(e.Filter.String())
	if len(e.Rejected) == 0 {
		b.WriteString(": the catalog has no such service")
		return b.String()
	}
	b.WriteString("; candidates:")
	for _, r := range e.Rejected {
		fmt.Fprintf(&b, " [%s %q %s region %q %s: %s]", r.ServiceType, r.ServiceName, r.Interface, r.Region, r.URL, r.Reason)
	}
	return b.String()
}

// Unwrap returns ErrEndpointNotFound, and ErrInvalidResponse when an
// endpoint was rejected because the catalog gives it no usable URL.
func (e *EndpointNotFoundError) Unwrap() []error {
	for _, r := range e.Rejected {
		if r.InvalidURL {
			return []error{ErrEndpointNotFound, ErrInvalidResponse}
		}
	}
	return []error{ErrEndpointNotFound}
}

// AmbiguousEndpointsError lists the endpoints that equally match a filter.
type AmbiguousEndpointsError struct {
	Filter    EndpointFilter
	Endpoints []Endpoint
}

func (e *AmbiguousEndpointsError) Error() string {
	urls := make([]string, len(e.Endpoints))
	for i, ep := range e.Endpoints {
		urls[i] = ep.URL + " (region " + ep.RegionID + ")"
	}
	return fmt.Sprintf("keystone: %d endpoints match %s: %s; narrow the filter (region, service name or ID)",
		len(e.Endpoints), e.Filter.String(), strings.Join(urls, ", "))
}

// Unwrap returns ErrAmbiguousEndpoints.
func (e *AmbiguousEndpointsError) Unwrap() error { return ErrAmbiguousEndpoints }

// DiscoveryError explains a failed version discovery.
type DiscoveryError struct {
	URL string
	Err error
}

func (e *DiscoveryError) Error() string {
	return fmt.Sprintf("keystone: version discovery at %s failed: %v", e.URL, e.Err)
}

// Unwrap returns ErrDiscoveryFailure and the cause.
func (e *DiscoveryError) Unwrap() []error { return []error{ErrDiscoveryFailure, e.Err} }

// VersionNotAvailableError says which version was wanted and which exist.
type VersionNotAvailableError struct {
	URL       string
	Wanted    string
	Available []string
}

func (e *VersionNotAvailableError) Error() string {
	return fmt.Sprintf("keystone: %s offers no version %s (it offers %s)", e.URL, e.Wanted, strings.Join(e.Available, ", "))
}

// Unwrap returns ErrVersionNotAvailable.
func (e *VersionNotAvailableError) Unwrap() error { return ErrVersionNotAvailable }

// NoUniqueMatchError is returned by finds: Count is 0 (nothing matched) or the
// number of matches.
type NoUniqueMatchError struct {
	Kind, Name string
	Count      int
}

func (e *NoUniqueMatchError) Error() string {
	if e.Count == 0 {
		return fmt.Sprintf("keystone: no %s matches %q", e.Kind, e.Name)
	}
	return fmt.Sprintf("keystone: %d %ss match %q; use an ID", e.Count, e.Kind, e.Name)
}

// Unwrap returns ErrNoUniqueMatch (and ErrNotFound when nothing matched).
func (e *NoUniqueMatchError) Unwrap() []error {
	if e.Count == 0 {
		return []error{ErrNoUniqueMatch, ErrNotFound}
	}
	return []error{ErrNoUniqueMatch}
}

// InvalidResponseError describes a response that could not be understood.
type InvalidResponseError struct {
	Method, URL string
	StatusCode  int
	ContentType string
	Err         error
}

func (e *InvalidResponseError) Error() string {
	return fmt.Sprintf("keystone: %s %s: invalid response (%d, %s): %v", e.Method, e.URL, e.StatusCode, e.ContentType, e.Err)
}

// Unwrap returns ErrInvalidResponse and the cause.
func (e *InvalidResponseError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidResponse}
	}
	return []error{ErrInvalidResponse, e.Err}
}

// AuthReceiptError is returned when multi-factor authentication is incomplete:
// Keystone accepted some methods and issued a receipt. Authenticate again with
// the receipt (see the authplugin package) and the missing methods.
type AuthReceiptError struct {
	Receipt *AuthReceipt
	// Err is the 401 *HTTPError.
	Err error
}

func (e *AuthReceiptError) Error() string {
	if e == nil || e.Receipt == nil {
		return "keystone: multi-factor authentication incomplete"
	}
	return fmt.Sprintf("keystone: multi-factor authentication incomplete: methods %v done, one of %v still needed",
		e.Receipt.Methods, e.Receipt.RequiredMethods)
}

// Unwrap returns ErrAuthReceiptRequired and the HTTP error.
func (e *AuthReceiptError) Unwrap() []error { return []error{ErrAuthReceiptRequired, e.Err} }

// AuthReceipt is a multi-factor auth receipt: the methods already satisfied
// and the rules that can complete the authentication.
type AuthReceipt struct {
	// ID is the receipt to send back in the Openstack-Auth-Receipt header. It
	// is a credential: it is never printed.
	ID string `json:"-"`
	// Methods are those already satisfied.
	Methods []string `json:"methods"`
	// RequiredMethods lists the rules: each is a set of methods that together suffice.
	RequiredMethods [][]string `json:"required_auth_methods"`
	UserID          string     `json:"user_id"`
	ExpiresAt       time.Time  `json:"expires_at"`
}

// String describes the receipt without its ID.
func (r *AuthReceipt) String() string {
	return fmt.Sprintf("AuthReceipt{user %s, methods %v, required %v, expires %s}", r.UserID, r.Methods, r.RequiredMethods, r.ExpiresAt.Format(time.RFC3339))
}

// GoString is String, so that %#v does not show the receipt ID either.
func (r *AuthReceipt) GoString() string { return r.String() }

// RedirectError describes a redirect the session refused to follow.
type RedirectError struct {
	// Method and URL are those of the request that was redirected.
	Method, URL string
	// StatusCode is the redirect's status (301, 302, 303, 307 or 308).
	StatusCode int
	// Location is where the server redirected to (credentials masked).
	Location string
	// Reason says why the redirect was not followed.
	Reason string
	// Limit is set when the redirect was one too many: it is the redirect
	// limit the request had, and the error matches ErrTooManyRedirects.
	Limit int
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("keystone: %s %s: %d redirect to %s not followed: %s", e.Method, e.URL, e.StatusCode, e.Location, e.Reason)
}

// Unwrap returns ErrRedirect.
func (e *RedirectError) Unwrap() error { return ErrRedirect }

// Is reports whether target is ErrTooManyRedirects and the redirect was one
// too many (Limit is set).
func (e *RedirectError) Is(target error) bool { return target == ErrTooManyRedirects && e.Limit > 0 }

// NewInvalidResponseError describes resp, a response that could not be
// understood because of cause (a body that is not the JSON expected, …):
// for code that decodes the responses of Session.Request itself. The URL it
// keeps is redacted as in logs.
func NewInvalidResponseError(resp *http.Response, cause error) *InvalidResponseError {
	if resp == nil {
		return &InvalidResponseError{Err: cause}
	}
	return invalidResponse(resp, cause)
}

// sdkError is an error of this package that has no sentinel of its own (a
// body that does not encode, a context that ended): it matches ErrKeystone
// and what it wraps (context.Canceled…), and reads as what it wraps.
type sdkError struct{ err error }

func (e *sdkError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped error and ErrKeystone.
func (e *sdkError) Unwrap() []error { return []error{e.err, ErrKeystone} }

// errorf is fmt.Errorf for an error that matches ErrKeystone.
func errorf(format string, a ...any) error { return &sdkError{fmt.Errorf(format, a...)} }
