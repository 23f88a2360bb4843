package keystone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// V3Client is the typed Identity v3 client: one manager per resource, as
// python-keystoneclient's v3 client has (client.Projects.List, …). Its calls
// go through the Session (authenticated, retried, logged), lists are
// iterators that follow the server's pages, and errors are the façade's.
// Put WithResponseMetadata in a call's context to see its response metadata.
type V3Client struct {
	s   *Session
	gen *identityv3.Client

	// Resources of the core API.
	Projects        *ProjectsManager
	Domains         *DomainsManager
	Users           *UsersManager
	Groups          *GroupsManager
	Roles           *RolesManager
	RoleAssignments *RoleAssignmentsManager
	Regions         *RegionsManager
	Services        *ServicesManager
	Endpoints       *EndpointsManager
	Credentials     *CredentialsManager
	Policies        *PoliciesManager
	Tokens          *TokensManager
	// Auth lists what the current token can be scoped to, and its catalog.
	Auth *AuthManager

	// Extensions.
	ApplicationCredentials *ApplicationCredentialsManager
	AccessRules            *AccessRulesManager
	Trusts                 *TrustsManager
	Limits                 *LimitsManager
	RegisteredLimits       *RegisteredLimitsManager
	DomainConfigs          *DomainConfigsManager
	EC2Credentials         *EC2CredentialsManager
	OAuth1                 *OAuth1Manager
	RevocationEvents       *RevocationEventsManager
	SimpleCert             *SimpleCertManager
	EndpointFilter         *EndpointFilterManager
	EndpointGroups         *EndpointGroupsManager
	EndpointPolicy         *EndpointPolicyManager
	IdentityProviders      *IdentityProvidersManager
	Mappings               *MappingsManager
	ServiceProviders       *ServiceProvidersManager
	Federation             *FederationManager
}

// NewV3Client returns a client for the identity endpoint of the session's
// catalog (f narrows it; zero means the public one).
func NewV3Client(ctx context.Context, s *Session, f EndpointFilter) (*V3Client, error) {
	if f.ServiceType == "" {
		f.ServiceType = IdentityFilter.ServiceType
	}
	u, err := s.EndpointURL(ctx, nil, f)
	if err != nil {
		return nil, err
	}
	return NewV3ClientAt(s, u)
}

// NewV3ClientAt returns a client for the Identity service at url (its root or
// its /v3 URL).
func NewV3ClientAt(s *Session, url string) (*V3Client, error) {
	gen, err := identityv3.NewClient(UnversionedURL(url), identityv3.WithHTTPClient(s))
	if err != nil {
		return nil, fmt.Errorf("keystone: identity client: %w", err)
	}
	c := &V3Client{s: s, gen: gen}
	c.Projects = &ProjectsManager{c: c}
	c.Domains = &DomainsManager{c: c}
	c.Users = &UsersManager{c: c}
	c.Groups = &GroupsManager{c: c}
	c.Roles = &RolesManager{c: c}
	c.RoleAssignments = &RoleAssignmentsManager{c: c}
	c.Regions = &RegionsManager{c: c}
	c.Services = &ServicesManager{c: c}
	c.Endpoints = &EndpointsManager{c: c}
	c.Credentials = &CredentialsManager{c: c}
	c.Policies = &PoliciesManager{c: c}
	c.Tokens = &TokensManager{c: c}
	c.Auth = &AuthManager{c: c}
	c.ApplicationCredentials = &ApplicationCredentialsManager{c: c}
	c.AccessRules = &AccessRulesManager{c: c}
	c.Trusts = &TrustsManager{c: c}
	c.Limits = &LimitsManager{c: c}
	c.RegisteredLimits = &RegisteredLimitsManager{c: c}
	c.DomainConfigs = &DomainConfigsManager{c: c}
	c.EC2Credentials = &EC2CredentialsManager{c: c}
	c.OAuth1 = &OAuth1Manager{c: c}
	c.RevocationEvents = &RevocationEventsManager{c: c}
	c.SimpleCert = &SimpleCertManager{c: c}
	c.EndpointFilter = &EndpointFilterManager{c: c}
	c.EndpointGroups = &EndpointGroupsManager{c: c}
	c.EndpointPolicy = &EndpointPolicyManager{c: c}
	c.IdentityProviders = &IdentityProvidersManager{c: c}
	c.Mappings = &MappingsManager{c: c}
	c.ServiceProviders = &ServiceProvidersManager{c: c}
	c.Federation = &FederationManager{c: c}
	return c, nil
}

// NewClient discovers the Identity API versions at authURL (as
// keystoneclient.client.Client does) and returns a client for the best
// version this SDK supports: v3.
func NewClient(ctx context.Context, s *Session, authURL string) (*V3Client, error) {
	d, err := s.Discover(ctx, authURL)
	if err != nil {
		root := UnversionedURL(authURL)
		if root == authURL {
			return nil, err
		}
		if d, err = s.Discover(ctx, root); err != nil {
			return nil, err
		}
	}
	v, err := d.Match("3", "3")
	if err != nil {
		if errors.Is(err, ErrVersionNotAvailable) {
			return nil, fmt.Errorf("%w: %s offers no Identity v3: %w", ErrUnsupportedVersion, authURL, err)
		}
		return nil, err
	}
	u := v.URL
	if u == "" {
		u = authURL
	}
	return NewV3ClientAt(s, u)
}

// Generated returns the generated client the managers use, for what they do
// not cover.
func (c *V3Client) Generated() *identityv3.Client { return c.gen }

// Session returns the client's session.
func (c *V3Client) Session() *Session { return c.s }

// decodeBody reads a response into v and closes it; a body that is not the
// expected JSON object is an InvalidResponseError.
func decodeBody(resp *http.Response, v any) error {
	data, err := ReadBody(resp, 0)
	if err != nil {
		return err
	}
	if !jsonObject(data) {
		return invalidResponse(resp, errors.New("the body is not a JSON object"))
	}
	var err2 error
	if pl, ok := v.(*identityv3.ProjectList); ok {
		err2 = decodeProjectList(data, pl) // the same values, faster
	} else {
		err2 = json.Unmarshal(data, v)
	}
	if err2 != nil {
		return invalidResponse(resp, err2)
	}
	return nil
}

// jsonObject reports whether data starts, after white space, with '{'.
func jsonObject(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// ReadBody reads and closes a response body, at most limit bytes (0 or
// less: the ResponseBody limit of the session that sent the request, see
// Limits). A larger body is an *InvalidResponseError matching
// ErrResponseTooLarge; a body that stalls past the session's timeout or the
// context's deadline is ErrTimeout; a connection that breaks is
// ErrConnectionFailure.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	if resp == nil || resp.Body == nil {
		return nil, fmt.Errorf("%w: nil response or body", ErrInvalidArgument)
	}
	defer resp.Body.Close()
	if limit <= 0 {
		limit = limitsOf(resp).ResponseBody
	}
	tooLarge := func() error {
		return invalidResponse(resp, fmt.Errorf("%w: the body exceeds %d bytes", ErrResponseTooLarge, limit))
	}
	if n := resp.ContentLength; n > limit {
		return nil, tooLarge()
	} else if n > 0 {
		// One allocation instead of a growing buffer.
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, classifyReadError(resp, err)
		}
		return buf, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, classifyReadError(resp, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge()
	}
	return data, nil
}

// invalidResponse describes resp, which could not be understood because of err.
func invalidResponse(resp *http.Response, err error) *InvalidResponseError {
	e := &InvalidResponseError{StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Err: err}
	if resp.Request != nil {
		e.Method, e.URL = resp.Request.Method, redactURL(resp.Request.URL)
	}
	return e
}

// limitsOf returns the limits of the session that sent resp's request.
func limitsOf(resp *http.Response) Limits {
	if resp.Request != nil {
		if s, ok := resp.Request.Context().Value(sessionKey{}).(*Session); ok {
			return s.Limits()
		}
	}
	return DefaultLimits()
}

// call makes one request and decodes its body into an envelope of type E.
func call[E any](ctx context.Context, do func(context.Context) (*http.Response, error)) (*E, error) {
	resp, err := do(ctx)
	if err != nil {
		return nil, err
	}
	var e E
	if err := decodeBody(resp, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// callNoBody makes a request whose success has no body (204, HEAD).
func callNoBody(ctx context.Context, do func(context.Context) (*http.Response, error)) error {
	resp, err := do(ctx)
	if err != nil {
		return err
	}
	drain(resp)
	return nil
}

// check turns a HEAD (or other bodiless) check into a boolean: 404 is false.
func check(ctx context.Context, do func(context.Context) (*http.Response, error)) (bool, error) {
	err := callNoBody(ctx, do)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// pages lists a collection: first makes the first request; items returns a
// page's items and the URL of the next page (nil or "" when it is the last).
// The iterator stops at the first error, which it yields.
func pages[L, T any](ctx context.Context, s *Session, first func(context.Context) (*http.Response, error), items func(*L) ([]T, *string)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		resp, err := first(ctx)
		for {
			if err != nil {
				yield(zero, err)
				return
			}
			var page L
			if err := decodeBody(resp, &page); err != nil {
				yield(zero, err)
				return
			}
			list, next := items(&page)
			if list == nil {
				// A missing or null collection is another shape than the
				// API's: not an empty list.
				yield(zero, invalidResponse(resp, errors.New("the body has no list of the expected collection")))
				return
			}
			for _, it := range list {
				if !yield(it, nil) {
					return
				}
			}
			if next == nil || *next == "" || len(list) == 0 {
				return
			}
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			resp, err = s.Request(ctx, Request{Method: http.MethodGet, URL: *next})
		}
	}
}

// Collect gathers every item of a list, stopping at the first error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for it, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

// nextLink reads a collection's links.next.
func nextLink(l identityv3.CollectionLinks) *string {
	if !l.Next.IsSpecified() || l.Next.IsNull() {
		return nil
	}
	v := l.Next.MustGet()
	return &v
}

// flag returns nil for a false boolean flag: Keystone treats any value of a
// flag but 0, including "false", as true, so false is expressed by absence.
func flag(b *bool) *bool {
	if b == nil || !*b {
		return nil
	}
	return b
}

// findOne implements the managers' Find: by ID first, then by name through
// list (which should filter by name); exactly one match is required.
func findOne[T any](ctx context.Context, kind, nameOrID string, get func(context.Context, string) (*T, error), list func(context.Context, string) iter.Seq2[T, error]) (*T, error) {
	v, err := get(ctx, nameOrID)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var found []T
	for it, err := range list(ctx, nameOrID) {
		if err != nil {
			return nil, err
		}
		found = append(found, it)
		if len(found) > 1 {
			break
		}
	}
	if len(found) != 1 {
		return nil, &NoUniqueMatchError{Kind: kind, Name: nameOrID, Count: len(found)}
	}
	return &found[0], nil
}
