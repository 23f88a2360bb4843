// Package rest is what the generated resource managers (pkg/keystone/identityv3,
// pkg/keystone/identityv2) share: building a request from a path template and
// options, sending it through a keystone.Session, decoding the envelope of the
// response with its free-form extra members, following the pages of a list,
// and finding a resource by name or ID. It is written once, here, so that the
// generated code is only declarations and one-line calls.
package rest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// Client is a service's root URL (without a version) and the session that
// sends its requests.
type Client struct {
	Session *keystone.Session
	Base    string
}

// NewClient returns a Client for the service whose endpoint is endpoint (its
// root or a versioned URL: the version is removed, as the spec's paths
// start with it).
func NewClient(s *keystone.Session, endpoint string) (*Client, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil *keystone.Session", keystone.ErrInvalidArgument)
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: endpoint %q is not an absolute http(s) URL", keystone.ErrInvalidArgument, endpoint)
	}
	return &Client{Session: s, Base: strings.TrimRight(keystone.UnversionedURL(endpoint), "/")}, nil
}

// IdentityEndpoint returns the URL of the identity endpoint of s's catalog
// that f selects (its ServiceType defaults to identity).
func IdentityEndpoint(ctx context.Context, s *keystone.Session, f keystone.EndpointFilter) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: nil *keystone.Session", keystone.ErrInvalidArgument)
	}
	if f.ServiceType == "" {
		f.ServiceType = "identity"
	}
	return s.EndpointURL(ctx, nil, f)
}

// Req is one request: Path is the spec's path with its parameters already
// escaped (see Path).
type Req struct {
	Method string
	Path   string
	Query  url.Values
	JSON   any
	Header http.Header
	// NoAuth sends the request without a token (operations the spec
	// marks `security: []`).
	NoAuth bool
}

// Path fills a path template ("/v3/projects/{project_id}") with values, in
// order, each escaped as one path segment. An empty value is an error
// matching keystone.ErrInvalidArgument: "/v3/projects/" is another resource.
func Path(template string, values ...string) (string, error) {
	var b strings.Builder
	rest := template
	for _, v := range values {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			return "", fmt.Errorf("%w: too many values for %s", keystone.ErrInvalidArgument, template)
		}
		name := rest[i+1 : j]
		if v == "" {
			return "", fmt.Errorf("%w: empty %s", keystone.ErrInvalidArgument, name)
		}
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(v))
		rest = rest[j+1:]
	}
	b.WriteString(rest)
	return b.String(), nil
}

// Do sends r and returns the response (an error status is an error).
func (c *Client) Do(ctx context.Context, r Req) (*http.Response, error) {
	if c == nil || c.Session == nil {
		return nil, fmt.Errorf("%w: nil client", keystone.ErrInvalidArgument)
	}
	u := c.Base + r.Path
	if len(r.Query) > 0 {
		u += "?" + r.Query.Encode()
	}
	return c.Session.Request(ctx, keystone.Request{Method: r.Method, URL: u, JSON: r.JSON, Header: r.Header, NoAuth: r.NoAuth})
}

// Decode sends r and decodes its JSON object body into v; then extras, if
// not nil, is given the body to find the free-form members in.
func (c *Client) Decode(ctx context.Context, r Req, v any, extras func([]byte) error) error {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return err
	}
	return DecodeResponse(resp, v, extras)
}

// DecodeResponse reads resp and decodes it as Decode does
// (keystone.DecodeJSON).
func DecodeResponse(resp *http.Response, v any, extras func([]byte) error) error {
	return keystone.DecodeJSON(resp, v, extras)
}

// NoContent sends r, whose success has no body that matters (204, HEAD).
func (c *Client) NoContent(ctx context.Context, r Req) error {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return err
	}
	_, err = keystone.ReadBody(resp, 0)
	return err
}

// Check sends r, a check: 2xx is true, 404 false.
func (c *Client) Check(ctx context.Context, r Req) (bool, error) {
	err := c.NoContent(ctx, r)
	if errors.Is(err, keystone.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Text sends r and returns its body as text (PEM certificates, XML).
func (c *Client) Text(ctx context.Context, r Req) (string, error) {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return "", err
	}
	data, err := keystone.ReadBody(resp, 0)
	return string(data), err
}

// List lists a collection: it decodes each page into a P (decode, if not
// nil, finding the free-form members of its items), whose items and
// next page's URL (empty at the end) page returns, following links.next
// when it is on the client's scheme and host (else the iterator ends with an
// *keystone.InvalidResponseError: the token is not sent elsewhere).
// The iterator stops at the first error, which it yields.
func List[P, T any](ctx context.Context, c *Client, r Req, decode func([]byte, *P) error, page func(*P) ([]T, string, bool)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		resp, err := c.Do(ctx, r)
		for {
			if err != nil {
				yield(zero, err)
				return
			}
			var p P
			var extras func([]byte) error
			if decode != nil {
				extras = func(data []byte) error { return decode(data, &p) }
			}
			if err := DecodeResponse(resp, &p, extras); err != nil {
				yield(zero, err)
				return
			}
			items, next, ok := page(&p)
			if !ok {
				// A missing or null collection is another shape than the
				// API's, not an empty list.
				yield(zero, keystone.NewInvalidResponseError(resp, errors.New("the body has no list of the expected collection")))
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next == "" || len(items) == 0 {
				return
			}
			if err := ctx.Err(); err != nil {
				yield(zero, listStopped{err})
				return
			}
			if !sameOrigin(next, c.Base) {
				// The token goes only where the client was pointed.
				yield(zero, keystone.NewInvalidResponseError(resp, errors.New("links.next points at another host than the client's: not followed")))
				return
			}
			resp, err = c.Session.Request(ctx, keystone.Request{Method: http.MethodGet, URL: next})
		}
	}
}

// sameOrigin reports whether u has the scheme and host (port included) of base.
func sameOrigin(u, base string) bool {
	a, err := url.Parse(u)
	if err != nil {
		return false
	}
	b, err := url.Parse(base)
	if err != nil {
		return false
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// Links are a collection's links.
type Links struct {
	Self     string  `json:"self"`
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
}

// NextURL returns links.next, or "".
func (l *Links) NextURL() string {
	if l == nil || l.Next == nil {
		return ""
	}
	return *l.Next
}

// V2Links are an Identity v2.0 collection's "<name>_links".
type V2Links []struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// NextURL returns the link whose rel is "next", or "".
func (l V2Links) NextURL() string {
	for _, x := range l {
		if x.Rel == "next" {
			return x.Href
		}
	}
	return ""
}

// OneOrList returns list, or else one as a list of one (v2.0 answers a
// list filtered by name with the one item), or else nil.
func OneOrList[T any](list []T, one *T) []T {
	if list == nil && one != nil {
		return []T{*one}
	}
	return list
}

// Find returns the resource with this ID (get), or else the only one whose
// name is nameOrID among those list yields (list should filter by name;
// Find checks the name again). None, or several, is a
// *keystone.NoUniqueMatchError.
func Find[T any](ctx context.Context, kind, nameOrID string, get func(context.Context, string) (*T, error), list iter.Seq2[T, error], name func(*T) string) (*T, error) {
	if nameOrID == "" {
		return nil, fmt.Errorf("%w: empty %s name or ID", keystone.ErrInvalidArgument, kind)
	}
	v, err := get(ctx, nameOrID)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, keystone.ErrNotFound) {
		return nil, err
	}
	var found []T
	for it, err := range list {
		if err != nil {
			if errors.Is(err, keystone.ErrNotFound) {
				break // v2.0 answers a list by a name nothing has with 404
			}
			return nil, err
		}
		if name(&it) != nameOrID {
			continue
		}
		found = append(found, it)
		if len(found) > 1 {
			break
		}
	}
	if len(found) != 1 {
		return nil, &keystone.NoUniqueMatchError{Kind: kind, Name: nameOrID, Count: len(found)}
	}
	return &found[0], nil
}

// Query collects query parameters.
type Query url.Values

// String adds a string parameter when v is not nil.
func (q Query) String(name string, v *string) {
	if v != nil {
		url.Values(q).Set(name, *v)
	}
}

// Strings adds a parameter that Keystone reads as a comma-separated list.
func (q Query) Strings(name string, v []string) {
	if len(v) > 0 {
		url.Values(q).Set(name, strings.Join(v, ","))
	}
}

// Bool adds a boolean filter when v is not nil.
func (q Query) Bool(name string, v *bool) {
	if v != nil {
		url.Values(q).Set(name, fmt.Sprint(*v))
	}
}

// Flag adds a flag, which Keystone takes as true whatever its value (but
// 0): sent only when v is true.
func (q Query) Flag(name string, v bool) {
	if v {
		url.Values(q).Set(name, "true")
	}
}

// Int adds an integer parameter when v is not nil.
func (q Query) Int(name string, v *int) {
	if v != nil {
		url.Values(q).Set(name, fmt.Sprint(*v))
	}
}

// Deref returns *p, or the zero value.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// TokenData sends r, answered by a token's data without a token (S3
// signature validation), and returns it as an AccessInfo without a token.
func (c *Client) TokenData(ctx context.Context, r Req) (*keystone.AccessInfo, error) {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	body, err := keystone.ReadBody(resp, c.Session.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	ai, err := keystone.NewAccessInfoV3(resp.Header.Get("X-Subject-Token"), body)
	if err != nil {
		return nil, keystone.NewInvalidResponseError(resp, err)
	}
	return ai, nil
}

// Token sends r, a request whose answer is a token: its ID in the
// X-Subject-Token header (or subject, when the header is absent: a
// validation) and its body (read within the session's TokenBody limit).
func (c *Client) Token(ctx context.Context, r Req, subject string) (*keystone.AccessInfo, error) {
	resp, err := c.Do(ctx, r)
	if err != nil {
		return nil, err
	}
	body, err := keystone.ReadBody(resp, c.Session.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	id := resp.Header.Get("X-Subject-Token")
	if id == "" {
		id = subject
	}
	if id == "" {
		return nil, keystone.NewInvalidResponseError(resp, errors.New("no X-Subject-Token header"))
	}
	ai, err := keystone.NewAccessInfoV3(id, body)
	if err != nil {
		return nil, keystone.NewInvalidResponseError(resp, err)
	}
	return ai, nil
}

// listStopped is a paged listing stopped by its context: it matches
// context.Canceled (or DeadlineExceeded) and keystone.ErrKeystone.
type listStopped struct{ err error }

func (e listStopped) Error() string   { return "keystone: listing stopped: " + e.err.Error() }
func (e listStopped) Unwrap() []error { return []error{e.err, keystone.ErrKeystone} }
