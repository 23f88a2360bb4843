package authtoken

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// The headers the middleware reads and sets, as keystonemiddleware's
// auth_token names them (canonical form).
const (
	// HeaderAuthToken carries the user's token.
	HeaderAuthToken = "X-Auth-Token"
	// HeaderStorageToken is the legacy (Swift) name of HeaderAuthToken,
	// read when X-Auth-Token is absent.
	HeaderStorageToken = "X-Storage-Token"
	// HeaderServiceToken carries the token of the service that forwards a
	// user's request.
	HeaderServiceToken = "X-Service-Token"

	// HeaderIdentityStatus is "Confirmed" or "Invalid" for the user token.
	HeaderIdentityStatus = "X-Identity-Status"
	// HeaderServiceIdentityStatus is "Confirmed" or "Invalid" for the
	// service token, when the request carries one.
	HeaderServiceIdentityStatus = "X-Service-Identity-Status"
	// HeaderServiceCatalog is the user token's catalog in the v2.0 format
	// (JSON), as keystonemiddleware sends it.
	HeaderServiceCatalog = "X-Service-Catalog"
	// HeaderIsAdminProject is "True" or "False" (Keystone's
	// is_admin_project; "True" when the token does not say).
	HeaderIsAdminProject = "X-Is-Admin-Project"
	// HeaderSystemScope is "all" for a system-scoped token (keystonemiddleware's
	// name for it).
	HeaderSystemScope = "Openstack-System-Scope"
	// HeaderXSystemScope carries the same value as HeaderSystemScope, for
	// services that read it under this name.
	HeaderXSystemScope = "X-System-Scope"

	// StatusConfirmed and StatusInvalid are the values of the status headers.
	StatusConfirmed = "Confirmed"
	StatusInvalid   = "Invalid"
)

// identityFields are the headers of one token; the service token's have
// "X-Service-" instead of "X-" (X-Service-User-Id, …).
var identityFields = []string{
	"User-Id", "User-Name", "User-Domain-Id", "User-Domain-Name",
	"Project-Id", "Project-Name", "Project-Domain-Id", "Project-Domain-Name",
	"Domain-Id", "Domain-Name", "Roles",
}

// deprecatedUserHeaders are keystonemiddleware's deprecated aliases of the
// user's headers, still set for the services that read them.
var deprecatedUserHeaders = []string{"X-User", "X-Tenant-Id", "X-Tenant-Name", "X-Tenant", "X-Role"}

// strippedHeaders are removed from every incoming request before anything
// else, so that a client cannot pass an identity of its own making.
var strippedHeaders = func() []string {
	h := []string{HeaderIdentityStatus, HeaderServiceIdentityStatus, HeaderServiceCatalog,
		HeaderIsAdminProject, HeaderSystemScope, HeaderXSystemScope}
	for _, f := range identityFields {
		h = append(h, "X-"+f, "X-Service-"+f)
	}
	h = append(h, deprecatedUserHeaders...)
	for i := range h {
		h[i] = http.CanonicalHeaderKey(h[i])
	}
	return h
}()

// StrippedHeaders returns the names of the headers the middleware removes
// from every request before it sets its own.
func StrippedHeaders() []string { return append([]string(nil), strippedHeaders...) }

// strippedSet and strippedLower index strippedHeaders by their canonical
// and their lower-case names.
var strippedSet, strippedLower = func() (map[string]struct{}, map[string]struct{}) {
	c, l := map[string]struct{}{}, map[string]struct{}{}
	for _, k := range strippedHeaders {
		c[k] = struct{}{}
		l[strings.ToLower(k)] = struct{}{}
	}
	return c, l
}()

// maxStrippedLen is the length of the longest stripped header name.
var maxStrippedLen = func() int {
	n := 0
	for _, k := range strippedHeaders {
		n = max(n, len(k))
	}
	return n
}()

// stripped reports whether k is an identity header, whatever the case of
// its letters: the server gives canonical names, but code in front of the
// middleware may have set others. Every stripped name starts with X- or
// OpenStack-.
func stripped(k string) bool {
	if len(k) < 2 || len(k) > maxStrippedLen {
		return false
	}
	switch k[0] {
	case 'X', 'x', 'O', 'o':
	default:
		return false
	}
	if _, ok := strippedSet[k]; ok {
		return true
	}
	var buf [64]byte
	lower := buf[:len(k)]
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	_, ok := strippedLower[string(lower)]
	return ok
}

// strippedCopy returns a copy of h without its identity headers, with room
// for extra more: the handler gets a map of its own, built once at its
// final size, and the caller's request is left as it was.
func strippedCopy(h http.Header, extra int) http.Header {
	out := make(http.Header, len(h)+extra)
	for k, v := range h {
		if !stripped(k) {
			out[k] = v
		}
	}
	return out
}

// headerSet is a precomputed list of headers: names and values.
type headerSet struct {
	keys, vals []string
}

func (s *headerSet) add(k, v string) {
	s.keys = append(s.keys, k)
	s.vals = append(s.vals, clean(v))
}

// apply sets the headers of s on h with one allocation: the values are
// copied, so that a handler that changes them does not change the cache.
func (s *headerSet) apply(h http.Header) {
	if len(s.keys) == 0 {
		return
	}
	buf := make([]string, len(s.vals))
	copy(buf, s.vals)
	for i, k := range s.keys {
		h[k] = buf[i : i+1 : i+1]
	}
}

// clean keeps a value from ending its header line (a name with a newline).
func clean(v string) string {
	if strings.ContainsAny(v, "\r\n\x00") {
		return strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == 0 {
				return ' '
			}
			return r
		}, v)
	}
	return v
}

// identityHeaders computes the headers of a token: prefix is "X-" for the
// user's, "X-Service-" for the service's.
func identityHeaders(ai *keystone.AccessInfo, prefix string) headerSet {
	var s headerSet
	add := func(field, v string) {
		if v != "" {
			s.add(http.CanonicalHeaderKey(prefix+field), v)
		}
	}
	add("User-Id", ai.User.ID)
	add("User-Name", ai.User.Name)
	add("User-Domain-Id", ai.User.DomainID)
	add("User-Domain-Name", ai.User.DomainName)
	if p := ai.Project; p != nil {
		add("Project-Id", p.ID)
		add("Project-Name", p.Name)
		add("Project-Domain-Id", p.DomainID)
		add("Project-Domain-Name", p.DomainName)
	}
	if d := ai.Domain; d != nil {
		add("Domain-Id", d.ID)
		add("Domain-Name", d.Name)
	}
	names := make([]string, len(ai.Roles))
	for i, r := range ai.Roles {
		names[i] = r.Name
	}
	// X-Roles is always set (empty for an unscoped token), as
	// keystonemiddleware does.
	s.add(http.CanonicalHeaderKey(prefix+"Roles"), strings.Join(names, ","))
	return s
}

// userHeaders are the headers of a valid user token.
func userHeaders(ai *keystone.AccessInfo, catalog, deprecated bool) headerSet {
	s := headerSet{keys: []string{HeaderIdentityStatus}, vals: []string{StatusConfirmed}}
	id := identityHeaders(ai, "X-")
	s.keys = append(s.keys, id.keys...)
	s.vals = append(s.vals, id.vals...)
	get := func(k string) string {
		for i, key := range s.keys {
			if key == k {
				return s.vals[i]
			}
		}
		return ""
	}
	for _, d := range [][2]string{
		{"X-User", "X-User-Name"}, {"X-Tenant-Id", "X-Project-Id"},
		{"X-Tenant-Name", "X-Project-Name"}, {"X-Tenant", "X-Project-Name"}, {"X-Role", "X-Roles"},
	} {
		if !deprecated {
			break
		}
		if _, has := has(s.keys, d[1]); has {
			s.add(d[0], get(d[1]))
		}
	}
	if ai.Version() == "v3" {
		admin := "True"
		if ai.IsAdminProject != nil && !*ai.IsAdminProject {
			admin = "False"
		}
		s.add(HeaderIsAdminProject, admin)
	}
	if ai.SystemScoped() {
		s.add(HeaderSystemScope, "all")
		s.add(HeaderXSystemScope, "all")
	}
	if catalog {
		if c := v2Catalog(ai.Catalog()); c != "" {
			s.add(HeaderServiceCatalog, c)
		}
	}
	return s
}

func has(keys []string, k string) (int, bool) {
	for i, key := range keys {
		if key == k {
			return i, true
		}
	}
	return 0, false
}

// serviceHeaders are the headers of a valid service token.
func serviceHeaders(ai *keystone.AccessInfo) headerSet {
	s := headerSet{keys: []string{HeaderServiceIdentityStatus}, vals: []string{StatusConfirmed}}
	id := identityHeaders(ai, "X-Service-")
	s.keys = append(s.keys, id.keys...)
	s.vals = append(s.vals, id.vals...)
	return s
}

// v2Catalog renders a catalog as keystonemiddleware's X-Service-Catalog: the
// v2.0 format ({"type", "name", "endpoints": [{"region", "publicURL",
// "internalURL", "adminURL"}]}), which the services behind it expect. It
// returns "" for no catalog.
func v2Catalog(c *keystone.Catalog) string {
	if c == nil || c.Len() == 0 {
		return ""
	}
	type service struct {
		Type      string              `json:"type"`
		Name      string              `json:"name,omitempty"`
		Endpoints []map[string]string `json:"endpoints"`
		id        string
		regions   map[string]int
	}
	var services []*service
	for _, ep := range c.Endpoints() {
		var svc *service
		for _, s := range services {
			if s.id == ep.ServiceID && s.Type == ep.ServiceType && s.Name == ep.ServiceName {
				svc = s
				break
			}
		}
		if svc == nil {
			svc = &service{Type: ep.ServiceType, Name: ep.ServiceName, Endpoints: []map[string]string{},
				id: ep.ServiceID, regions: map[string]int{}}
			services = append(services, svc)
		}
		i, ok := svc.regions[ep.Region]
		if !ok {
			m := map[string]string{}
			if ep.Region != "" {
				m["region"] = ep.Region
			}
			i = len(svc.Endpoints)
			svc.regions[ep.Region] = i
			svc.Endpoints = append(svc.Endpoints, m)
		}
		svc.Endpoints[i][strings.ToLower(ep.Interface)+"URL"] = ep.URL
	}
	b, err := json.Marshal(services)
	if err != nil {
		return ""
	}
	return string(b)
}
