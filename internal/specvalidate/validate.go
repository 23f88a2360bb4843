// Package specvalidate validates HTTP exchanges against an OpenAPI document.
//
// A Doer wraps an HTTP client: every request it sends and every response it
// receives is checked against the spec with kin-openapi's openapi3filter, and each
// operation exercised is recorded, so that a test suite can fail on any deviation
// from the contract and report how much of the contract it covered.
package specvalidate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// HTTPDoer is what the generated clients need to send a request; *http.Client is one.
type HTTPDoer interface {
	Do(*http.Request) (*http.Response, error)
}

// ErrInvalid is matched (errors.Is) by every error Doer returns for an exchange
// that does not conform to the spec.
var ErrInvalid = errors.New("exchange does not conform to the spec")

// ValidationError describes one non-conforming exchange.
type ValidationError struct {
	Method, URL string
	// Operation is the operationId, or "" when no operation matched.
	Operation string
	// Status is the response status, or 0 when the request itself was invalid.
	Status int
	Err    error
}

func (e *ValidationError) Error() string {
	where := e.Method + " " + e.URL
	if e.Operation != "" {
		where += " (" + e.Operation + ")"
	}
	if e.Status == 0 {
		return fmt.Sprintf("invalid request %s: %v", where, e.Err)
	}
	return fmt.Sprintf("invalid response %d to %s: %v", e.Status, where, e.Err)
}

// Unwrap returns ErrInvalid and the underlying validation error.
func (e *ValidationError) Unwrap() []error { return []error{ErrInvalid, e.Err} }

type skipRequestKey struct{}

type invalidRequestKey struct{}

// RequestFailure returns why r does not conform to the spec, when a Doer with
// ContinueOnInvalidRequest sent it on anyway, or nil.
func RequestFailure(r *http.Request) *ValidationError {
	e, _ := r.Context().Value(invalidRequestKey{}).(*ValidationError)
	return e
}

// Unauthenticated reports whether e is (also) a failed security requirement:
// the request lacks the credentials the operation needs.
func (e *ValidationError) Unauthenticated() bool {
	var sec *openapi3filter.SecurityRequirementsError
	return errors.As(e.Err, &sec)
}

// WithInvalidRequest marks requests sent with ctx as deliberately invalid: the
// Doer does not validate them, so that a test can check how the server rejects
// them, but it still validates the server's response.
func WithInvalidRequest(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipRequestKey{}, true)
}

// Doer is an HTTPDoer that validates every exchange against a spec.
// It is safe for concurrent use.
type Doer struct {
	// ContinueOnInvalidRequest makes Do send a request that does not conform
	// (recording the failure) instead of returning an error, so that a server
	// can answer it as it would. Set it before the first Do.
	ContinueOnInvalidRequest bool

	next   HTTPDoer
	router routers.Router
	prefix string

	mu       sync.Mutex
	seen     map[string]map[int]int // operationId -> status -> count
	failures []*ValidationError
}

// New returns a Doer that sends requests with next and validates them against the
// OpenAPI document in spec. serverURL is the URL the spec's paths are relative to
// (for Keystone, its unversioned root, such as http://127.0.0.1:5000).
func New(spec []byte, serverURL string, next HTTPDoer) (*Doer, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("specvalidate: server URL: %w", err)
	}
	// Route by path only: match any host, under the server URL's path prefix.
	prefix := strings.TrimRight(u.Path, "/")
	router, err := loadRouter(spec, prefix)
	if err != nil {
		return nil, err
	}
	if next == nil {
		next = http.DefaultClient
	}
	// Keystone answers some operations with XML (SAML2) or HTML (WebSSO):
	// validate those bodies as strings. The registry is kin-openapi's, process-wide.
	for _, ct := range []string{"text/xml", "application/xml", "text/html"} {
		if openapi3filter.RegisteredBodyDecoder(ct) == nil {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
		}
	}
	return &Doer{next: next, router: router, prefix: prefix, seen: map[string]map[int]int{}}, nil
}

func (d *Doer) options() *openapi3filter.Options {
	o := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			s := in.SecurityScheme
			if s == nil || s.Type != "apiKey" || s.In != "header" {
				return fmt.Errorf("unsupported security scheme %q", in.SecuritySchemeName)
			}
			if in.RequestValidationInput.Request.Header.Get(s.Name) == "" {
				return fmt.Errorf("missing %s header", s.Name)
			}
			return nil
		},
	}
	// Name the failing location and rule, never the value: request bodies carry
	// passwords and secrets, and responses can carry credential blobs.
	o.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return "/" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
	})
	return o
}

// Do validates req, sends it, validates the response and returns it. When either
// does not conform, the response body is closed and a *ValidationError is returned.
func (d *Doer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("specvalidate: read request body: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}

	check := req.Clone(req.Context())
	check.Body = io.NopCloser(bytes.NewReader(body))
	route, pathParams, err := d.router.FindRoute(check)
	if err != nil {
		verr := d.fail(&ValidationError{Method: req.Method, URL: req.URL.String(), Err: err})
		if !d.ContinueOnInvalidRequest {
			return nil, verr
		}
		// No operation to validate the response against.
		return d.next.Do(req)
	}
	opID := route.Operation.OperationID
	in := &openapi3filter.RequestValidationInput{
		Request: check, PathParams: pathParams, Route: route, Options: d.options(),
	}
	if skipRequest, _ := req.Context().Value(skipRequestKey{}).(bool); skipRequest {
		// Deliberately invalid request (to test the server's 400s): the response is
		// still validated.
	} else if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
		verr := &ValidationError{Method: req.Method, URL: req.URL.String(), Operation: opID, Err: err}
		if !d.ContinueOnInvalidRequest {
			return nil, d.fail(verr)
		}
		d.fail(verr)
		req = req.WithContext(context.WithValue(req.Context(), invalidRequestKey{}, verr))
	}

	resp, err := d.next.Do(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("specvalidate: read response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                d.options(),
	}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		return nil, d.fail(&ValidationError{
			Method: req.Method, URL: req.URL.String(), Operation: opID, Status: resp.StatusCode,
			Err: err,
		})
	}
	d.record(opID, resp.StatusCode)
	return resp, nil
}

func (d *Doer) fail(e *ValidationError) error {
	d.mu.Lock()
	d.failures = append(d.failures, e)
	d.mu.Unlock()
	return e
}

func (d *Doer) record(op string, status int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := d.seen[op]
	if m == nil {
		m = map[int]int{}
		d.seen[op] = m
	}
	m[status]++
}

// Failures returns every non-conforming exchange seen so far.
func (d *Doer) Failures() []*ValidationError {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*ValidationError(nil), d.failures...)
}

// Exercised returns, for each operationId that got a conforming response, the
// statuses seen and how often.
func (d *Doer) Exercised() map[string]map[int]int {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]map[int]int, len(d.seen))
	for op, m := range d.seen {
		c := make(map[int]int, len(m))
		for k, v := range m {
			c[k] = v
		}
		out[op] = c
	}
	return out
}

// Succeeded reports whether op got at least one 2xx or 3xx response.
func Succeeded(statuses map[int]int) bool {
	for s := range statuses {
		if s >= 200 && s < 400 {
			return true
		}
	}
	return false
}

// OperationIDs lists the operationIds of spec, sorted.
func OperationIDs(spec []byte) ([]string, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// routerCache keeps the routers of loadRouter, by spec digest and prefix:
// loading a spec takes tens of milliseconds, and every in-memory Keystone
// of a test binary validates against the same two. Routers and the documents
// they hold are only read once built, so Doers share them.
var routerCache sync.Map // routerKey -> *routerEntry

type routerKey struct {
	sum    [sha256.Size]byte
	prefix string
}

type routerEntry struct {
	once   sync.Once
	router routers.Router
	err    error
}

// loadRouter loads spec and returns its router for the paths
// under prefix, once per process for a given spec and prefix.
func loadRouter(spec []byte, prefix string) (routers.Router, error) {
	v, _ := routerCache.LoadOrStore(routerKey{sha256.Sum256(spec), prefix}, &routerEntry{})
	e := v.(*routerEntry)
	e.once.Do(func() {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		doc, err := loader.LoadFromData(spec)
		if err != nil {
			e.err = fmt.Errorf("specvalidate: load spec: %w", err)
			return
		}
		// The spec is not validated here: make lint (speclint) holds
		// the specs to OpenAPI 3.0, and validating takes a process's
		// first start a fifth longer.
		doc.Servers = openapi3.Servers{{URL: prefix + "/"}}
		if prefix == "" {
			doc.Servers = nil
		}
		e.router, e.err = gorillamux.NewRouter(doc)
		if e.err != nil {
			e.err = fmt.Errorf("specvalidate: router: %w", e.err)
		}
	})
	return e.router, e.err
}
