package keystone

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// Endpoint is one endpoint of the service catalog.
type Endpoint struct {
	ID string
	// ServiceType is the type the catalog gives (possibly an alias such as volumev3).
	ServiceType string
	ServiceName string
	ServiceID   string
	// Interface is public, internal or admin.
	Interface string
	// RegionID is the region's ID; Region its name where the catalog gives one
	// (Identity v2.0), else the ID again.
	RegionID, Region string
	URL              string

	// problem says why URL cannot be used (empty, not absolute), or "":
	// set in the catalog's index (the endpoints of Lookup's scan are checked
	// as they are scanned).
	problem string
}

// urlProblem says why a catalog URL cannot be used, or "" when it can: it
// must be an absolute http(s) URL with a host, of printable ASCII, whose
// percent escapes are well formed. It is stricter than url.Parse (what it
// accepts, url.Parse accepts with a host) and allocates nothing, for it runs
// on every endpoint of every token.
func urlProblem(u string) string {
	if u == "" {
		return "URL is empty"
	}
	var rest string
	switch {
	case len(u) > 8 && strings.EqualFold(u[:8], "https://"):
		rest = u[8:]
	case len(u) > 7 && strings.EqualFold(u[:7], "http://"):
		rest = u[7:]
	default:
		return "URL is not an absolute http(s) URL"
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c >= 0x7f {
			return "URL has a space, a control or a non-ASCII character"
		}
		if c == '%' && (i+2 >= len(u) || !isHex(u[i+1]) || !isHex(u[i+2])) {
			return "URL has a malformed percent escape"
		}
	}
	authority := rest
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		for j := 0; j < i; j++ {
			if !isHostChar(authority[j]) && authority[j] != ':' && authority[j] != '%' && authority[j] != '@' {
				return "URL has a malformed user info"
			}
		}
		authority = authority[i+1:]
	}
	host, port := authority, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return "URL has a malformed IPv6 host"
		}
		for j := 1; j < end; j++ {
			if c := host[j]; !isHex(c) && c != ':' && c != '.' {
				return "URL has a malformed IPv6 host"
			}
		}
		host, port = host[1:end], host[end+1:]
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		host, port = host[:i], host[i:]
	}
	if host == "" {
		return "URL has no host"
	}
	if !strings.HasPrefix(authority, "[") {
		for j := 0; j < len(host); j++ {
			if !isHostChar(host[j]) {
				return "URL has a malformed host"
			}
		}
	}
	if port != "" {
		if port[0] != ':' {
			return "URL has a malformed port"
		}
		for j := 1; j < len(port); j++ {
			if port[j] < '0' || port[j] > '9' {
				return "URL has a malformed port"
			}
		}
	}
	return ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isHostChar reports whether c may appear, unescaped, in a host name.
func isHostChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=", c) >= 0
}

// EndpointFilter selects an endpoint of the service catalog.
type EndpointFilter struct {
	// ServiceType is an official service type or an alias (block-storage,
	// volumev3, …); both match either.
	ServiceType string
	// ServiceName and ServiceID narrow the service.
	ServiceName, ServiceID string
	// Interfaces lists the acceptable interfaces in order of preference: the
	// first that has a match wins. Empty means public. The v2 spellings
	// publicURL, internalURL and adminURL are accepted.
	Interfaces []string
	// Region matches a region ID or name.
	Region string
	// EndpointID selects an endpoint by ID: the other fields then only
	// check it, and Interfaces, when given, choose in order among endpoints
	// that share the ID (a v2.0 catalog gives one ID to its public, internal
	// and admin URLs).
	EndpointID string
	// MinVersion and MaxVersion ("3", "2.1", "latest") ask for an API version:
	// the session then discovers the versions the endpoint offers and uses
	// the URL of the best one in range.
	MinVersion, MaxVersion string
}

// String describes the filter in a log-friendly way.
func (f EndpointFilter) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("type", f.ServiceType)
	add("name", f.ServiceName)
	add("service_id", f.ServiceID)
	if len(f.Interfaces) > 0 {
		add("interface", strings.Join(f.Interfaces, "|"))
	} else {
		add("interface", "public")
	}
	add("region", f.Region)
	add("endpoint_id", f.EndpointID)
	add("min_version", f.MinVersion)
	add("max_version", f.MaxVersion)
	return "{" + strings.Join(parts, " ") + "}"
}

// catalogKey indexes endpoints by official service type and interface.
type catalogKey struct {
	serviceType, iface string
}

// span is a range of Catalog.grouped.
type span struct{ start, end int }

// typeIndex locates the endpoints of one service type, per interface.
type typeIndex struct {
	public, internal, admin span
	other                   map[string]span // any other interface name
}

func (t *typeIndex) span(iface string) (span, bool) {
	switch iface {
	case "public":
		return t.public, true
	case "internal":
		return t.internal, true
	case "admin":
		return t.admin, true
	}
	sp, ok := t.other[iface]
	return sp, ok
}

func (t *typeIndex) set(iface string, sp span) {
	switch iface {
	case "public":
		t.public = sp
	case "internal":
		t.internal = sp
	case "admin":
		t.admin = sp
	default:
		if t.other == nil {
			t.other = map[string]span{}
		}
		t.other[iface] = sp
	}
}

// Catalog is a token's service catalog, indexed once when the token is read so
// that a lookup does not scan it: the endpoints are grouped by official
// service type and interface, the index is keyed by every spelling of each
// type (official, aliases, and the catalog's own), and a lookup reads one
// group. It is immutable and safe for concurrent use.
type Catalog struct {
	endpoints []Endpoint // catalog order

	// The index by type and interface is built on the second lookup: a
	// token looked up once (a CLI call) pays a scan of its catalog, not an
	// index; a token looked up again gets lookups that do not scan.
	lookups   atomic.Int32
	indexOnce sync.Once
	idx       atomic.Pointer[catalogIndex]

	idOnce sync.Once
	byID   map[string][]int // built on the first lookup by endpoint ID
}

// catalogIndex is the endpoints grouped by official type and interface,
// each with its URL checked.
type catalogIndex struct {
	grouped []Endpoint
	types   map[string]*typeIndex
}

func newCatalog(endpoints []Endpoint) *Catalog {
	return &Catalog{endpoints: endpoints}
}

// index returns the index, building it from the second call on; nil before.
func (c *Catalog) index() *catalogIndex {
	if idx := c.idx.Load(); idx != nil {
		return idx
	}
	if c.lookups.Add(1) < 2 {
		return nil
	}
	c.indexOnce.Do(func() { c.idx.Store(buildIndex(c.endpoints)) })
	return c.idx.Load()
}

func buildIndex(endpoints []Endpoint) *catalogIndex {
	x := &catalogIndex{}
	keys := make([]catalogKey, len(endpoints))
	counts := make(map[catalogKey]int)
	for i, ep := range endpoints {
		k := catalogKey{canonicalServiceType(ep.ServiceType), ep.Interface}
		keys[i] = k
		counts[k]++
	}
	offsets := make(map[catalogKey]int, len(counts))
	x.types = make(map[string]*typeIndex)
	next := 0
	for k, n := range counts {
		offsets[k] = next
		ti := x.types[k.serviceType]
		if ti == nil {
			ti = &typeIndex{}
			x.types[k.serviceType] = ti
		}
		ti.set(k.iface, span{next, next + n})
		next += n
	}
	x.grouped = make([]Endpoint, len(endpoints))
	for i, ep := range endpoints {
		ep.problem = urlProblem(ep.URL)
		x.grouped[offsets[keys[i]]] = ep
		offsets[keys[i]]++
	}
	// Every spelling of a type finds its index without canonicalising.
	for _, ep := range endpoints {
		official := canonicalServiceType(ep.ServiceType)
		ti := x.types[official]
		x.types[ep.ServiceType] = ti
		for _, alias := range serviceTypeAliases[official] {
			x.types[alias] = ti
		}
	}
	return x
}

// group returns the endpoints of a service type (any spelling) and interface.
func (x *catalogIndex) group(serviceType, iface string) []Endpoint {
	ti := x.types[serviceType]
	if ti == nil {
		if ti = x.types[canonicalServiceType(serviceType)]; ti == nil {
			return nil
		}
	}
	sp, ok := ti.span(iface)
	if !ok {
		return nil
	}
	return x.grouped[sp.start:sp.end]
}

func (c *Catalog) indexByID() map[string][]int {
	c.idOnce.Do(func() {
		c.byID = make(map[string][]int, len(c.endpoints))
		for i, ep := range c.endpoints {
			if ep.ID != "" {
				c.byID[ep.ID] = append(c.byID[ep.ID], i)
			}
		}
	})
	return c.byID
}

// lookupID implements Lookup by endpoint ID.
func (c *Catalog) lookupID(f EndpointFilter) (Endpoint, error) {
	ids := c.indexByID()[f.EndpointID]
	fits := func(ep *Endpoint) bool {
		return matchesType(*ep, f) && c.matchesService(*ep, f) && (f.Region == "" || matchesRegion(*ep, f.Region)) && urlProblem(ep.URL) == ""
	}
	if len(f.Interfaces) == 0 {
		for _, i := range ids {
			if fits(&c.endpoints[i]) {
				return c.endpoints[i], nil
			}
		}
	}
	for _, iface := range f.Interfaces {
		iface = canonicalInterface(iface)
		for _, i := range ids {
			if c.endpoints[i].Interface == iface && fits(&c.endpoints[i]) {
				return c.endpoints[i], nil
			}
		}
	}
	return Endpoint{}, c.notFound(f)
}

// Endpoints returns every endpoint of the catalog, in catalog order.
func (c *Catalog) Endpoints() []Endpoint {
	if c == nil {
		return nil
	}
	return append([]Endpoint(nil), c.endpoints...)
}

// Len is the number of endpoints.
func (c *Catalog) Len() int {
	if c == nil {
		return 0
	}
	return len(c.endpoints)
}

var defaultInterfaces = []string{"public"}

// Lookup returns the endpoint that matches f: of the first interface of
// f.Interfaces that has a match, the single endpoint in f.Region. It fails
// with *EndpointNotFoundError (ErrEndpointNotFound), *AmbiguousEndpointsError
// (ErrAmbiguousEndpoints) or, when the token has no catalog or an empty
// one, *EmptyCatalogError (ErrEmptyCatalog and ErrEndpointNotFound).
func (c *Catalog) Lookup(f EndpointFilter) (Endpoint, error) {
	if c == nil || len(c.endpoints) == 0 {
		return Endpoint{}, &EmptyCatalogError{Filter: f}
	}
	if f.EndpointID != "" {
		return c.lookupID(f)
	}
	ifaces := f.Interfaces
	if len(ifaces) == 0 {
		ifaces = defaultInterfaces
	}
	idx := c.index()
	wantType := ""
	if f.ServiceType != "" && idx == nil {
		wantType = canonicalServiceType(f.ServiceType)
	}
	for _, iface := range ifaces {
		iface = canonicalInterface(iface)
		var found *Endpoint
		n := 0
		// The candidates: the index's group of the type and interface, whose
		// URLs are checked; or every endpoint (no index yet, or no type),
		// checked here.
		candidates, scan := c.endpoints, true
		if f.ServiceType != "" && idx != nil {
			candidates, scan = idx.group(f.ServiceType, iface), false
		}
		region, name, sid := f.Region, f.ServiceName, f.ServiceID
		for i := range candidates {
			ep := &candidates[i]
			if (scan && ep.Interface != iface) || (wantType != "" && ep.ServiceType != f.ServiceType && canonicalServiceType(ep.ServiceType) != wantType) ||
				(region != "" && ep.RegionID != region && ep.Region != region) ||
				(name != "" && ep.ServiceName != name) || (sid != "" && ep.ServiceID != sid) {
				continue
			}
			if scan && urlProblem(ep.URL) != "" || !scan && ep.problem != "" {
				continue
			}
			if found == nil {
				found = ep
			} else if found.URL == ep.URL {
				continue // the same URL twice is no ambiguity
			}
			n++
		}
		if n == 1 {
			return *found, nil
		}
		if n > 1 {
			return Endpoint{}, c.ambiguous(f, candidates, iface)
		}
	}
	return Endpoint{}, c.notFound(f)
}

// matchesService checks the service name and ID; the type is checked by the
// index (or, for endpoint IDs, by matchesType).
func (c *Catalog) matchesService(ep Endpoint, f EndpointFilter) bool {
	if f.ServiceName != "" && ep.ServiceName != f.ServiceName {
		return false
	}
	if f.ServiceID != "" && ep.ServiceID != f.ServiceID {
		return false
	}
	return true
}

func matchesType(ep Endpoint, f EndpointFilter) bool {
	return f.ServiceType == "" || canonicalServiceType(ep.ServiceType) == canonicalServiceType(f.ServiceType)
}

func matchesRegion(ep Endpoint, region string) bool {
	return ep.RegionID == region || ep.Region == region
}

func (c *Catalog) ambiguous(f EndpointFilter, candidates []Endpoint, iface string) error {
	var eps []Endpoint
	for _, ep := range candidates {
		if ep.Interface == canonicalInterface(iface) && matchesType(ep, f) && c.matchesService(ep, f) && (f.Region == "" || matchesRegion(ep, f.Region)) && urlProblem(ep.URL) == "" {
			eps = append(eps, ep)
		}
	}
	return &AmbiguousEndpointsError{Filter: f, Endpoints: eps}
}

// notFound explains, for each endpoint of the wanted service, why it was not chosen.
func (c *Catalog) notFound(f EndpointFilter) error {
	var pool []Endpoint
	for _, ep := range c.endpoints {
		if matchesType(ep, f) {
			pool = append(pool, ep)
		}
	}
	ifaces := f.Interfaces
	if len(ifaces) == 0 {
		ifaces = defaultInterfaces
	}
	e := &EndpointNotFoundError{Filter: f}
	for _, ep := range pool {
		var reason string
		invalid := false
		switch {
		case f.ServiceName != "" && ep.ServiceName != f.ServiceName:
			reason = fmt.Sprintf("service name is %q", ep.ServiceName)
		case f.ServiceID != "" && ep.ServiceID != f.ServiceID:
			reason = fmt.Sprintf("service ID is %q", ep.ServiceID)
		case f.EndpointID != "" && ep.ID != f.EndpointID:
			continue // not worth listing every other endpoint
		case !containsInterface(ifaces, ep.Interface):
			reason = "interface " + ep.Interface + " not wanted"
		case f.Region != "" && !matchesRegion(ep, f.Region):
			reason = "region is " + ep.RegionID
		case urlProblem(ep.URL) != "":
			reason, invalid = urlProblem(ep.URL), true
		default:
			reason = "matches, but another constraint failed"
		}
		e.Rejected = append(e.Rejected, RejectedEndpoint{
			ServiceType: ep.ServiceType, ServiceName: ep.ServiceName, Interface: ep.Interface,
			Region: ep.RegionID, URL: ep.URL, Reason: reason, InvalidURL: invalid,
		})
	}
	return e
}

func containsInterface(ifaces []string, iface string) bool {
	for _, i := range ifaces {
		if canonicalInterface(i) == iface {
			return true
		}
	}
	return false
}

// EmptyCatalogError is the error of a catalog lookup in a token that has no
// service catalog (unscoped, or issued with nocatalog) or an empty one. It
// matches both ErrEmptyCatalog and ErrEndpointNotFound, as keystoneauth1's
// EmptyCatalog is an EndpointNotFound.
type EmptyCatalogError struct {
	// Filter is what was looked for.
	Filter EndpointFilter
}

func (e *EmptyCatalogError) Error() string {
	return "keystone: no endpoint matches " + e.Filter.String() + ": the token has no service catalog"
}

// Unwrap returns ErrEmptyCatalog and ErrEndpointNotFound.
func (e *EmptyCatalogError) Unwrap() []error { return []error{ErrEmptyCatalog, ErrEndpointNotFound} }

// URLs returns the URL of every endpoint that matches f, in catalog order
// (keystoneclient's and keystoneauth1's ServiceCatalog.get_urls). Unlike
// Lookup, several matches are no error: they are all returned.
//
// The endpoints are chosen as EndpointsByType chooses them, except that
// empty f.Interfaces means public, as for Lookup (any interface when
// f.EndpointID is set): for each service type, the first interface of
// f.Interfaces that has a match. It fails with
// *EmptyCatalogError (ErrEmptyCatalog, ErrEndpointNotFound) when the token
// has no catalog, and with *EndpointNotFoundError (ErrEndpointNotFound) when
// nothing matches.
func (c *Catalog) URLs(f EndpointFilter) ([]string, error) {
	if c == nil || len(c.endpoints) == 0 {
		return nil, &EmptyCatalogError{Filter: f}
	}
	ifaces := f.Interfaces
	if len(ifaces) == 0 && f.EndpointID == "" {
		ifaces = defaultInterfaces
	}
	chosen := c.choose(f, ifaces)
	var urls []string
	for i, ok := range chosen {
		if ok {
			urls = append(urls, c.endpoints[i].URL)
		}
	}
	if len(urls) == 0 {
		return nil, c.notFound(f)
	}
	return urls, nil
}

// EndpointsByType returns the endpoints that match f grouped by service
// type, as the catalog spells it, each group in catalog order
// (keystoneclient's and keystoneauth1's ServiceCatalog.get_endpoints).
//
// An empty filter returns the whole catalog. Empty f.Interfaces means every
// interface (not public only, as for Lookup and URLs); with several, each
// service type gets the endpoints of the first interface of the list it
// has. f.ServiceName and f.ServiceID are checked only against endpoints
// whose service has a name or ID in the catalog (Identity v3.0 to v3.2 give
// no names). A service type asked for by an official name or an alias
// matches every spelling; when several spellings match, only the one asked
// for is kept if it has endpoints, else the first, in the order of
// ServiceTypeAliases, that has (a cloud that registers volumev2 and volumev3
// gives, for block-storage, volumev3's). Endpoints whose URL is empty or not
// an absolute http(s) URL are left out. A service type whose services have
// no matching endpoint is not in the map.
//
// It fails with *EmptyCatalogError (ErrEmptyCatalog, ErrEndpointNotFound)
// when the token has no catalog; a filter that matches nothing gives an
// empty map and no error.
func (c *Catalog) EndpointsByType(f EndpointFilter) (map[string][]Endpoint, error) {
	if c == nil || len(c.endpoints) == 0 {
		return nil, &EmptyCatalogError{Filter: f}
	}
	chosen := c.choose(f, f.Interfaces)
	out := make(map[string][]Endpoint)
	for i, ok := range chosen {
		if ok {
			ep := c.endpoints[i]
			out[ep.ServiceType] = append(out[ep.ServiceType], ep)
		}
	}
	return out, nil
}

// choose marks the endpoints that match f and, per service type (as the
// catalog spells it), the first of ifaces that has a match (any interface
// when ifaces is empty); of the spellings of the type asked for, it keeps
// one (see EndpointsByType).
func (c *Catalog) choose(f EndpointFilter, ifaces []string) []bool {
	canon := make([]string, len(ifaces))
	for i, iface := range ifaces {
		canon[i] = canonicalInterface(iface)
	}
	// rank is the position of an interface in ifaces, -1 when unwanted.
	rank := func(iface string) int {
		if len(canon) == 0 {
			return 0
		}
		for i, w := range canon {
			if w == iface {
				return i
			}
		}
		return -1
	}
	matches := make([]bool, len(c.endpoints))
	best := make(map[string]int) // service type as spelt -> best rank
	for i := range c.endpoints {
		ep := &c.endpoints[i]
		if !matchesType(*ep, f) ||
			f.ServiceName != "" && ep.ServiceName != "" && ep.ServiceName != f.ServiceName ||
			f.ServiceID != "" && ep.ServiceID != "" && ep.ServiceID != f.ServiceID ||
			f.Region != "" && !matchesRegion(*ep, f.Region) ||
			f.EndpointID != "" && ep.ID != f.EndpointID ||
			urlProblem(ep.URL) != "" {
			continue
		}
		r := rank(ep.Interface)
		if r < 0 {
			continue
		}
		matches[i] = true
		if b, ok := best[ep.ServiceType]; !ok || r < b {
			best[ep.ServiceType] = r
		}
	}
	keepType := ""
	if f.ServiceType != "" && len(best) > 1 {
		if _, ok := best[f.ServiceType]; ok {
			keepType = f.ServiceType
		} else {
			for _, t := range ServiceTypeAliases(f.ServiceType) {
				if _, ok := best[t]; ok {
					keepType = t
					break
				}
			}
		}
	}
	for i, ok := range matches {
		if !ok {
			continue
		}
		ep := &c.endpoints[i]
		if keepType != "" && ep.ServiceType != keepType || rank(ep.Interface) != best[ep.ServiceType] {
			matches[i] = false
		}
	}
	return matches
}

// CatalogData returns the token's service catalog as Keystone sent it (the
// "catalog" of a v3 token, the "serviceCatalog" of a v2.0 one), as
// keystoneclient's ServiceCatalog.get_data does, or nil when the token has
// none (unscoped, issued with nocatalog, or made with NewStaticAccess). The
// catalog holds no credential.
func (a *AccessInfo) CatalogData() json.RawMessage {
	if !a.hasSecret() || len(a.body) == 0 {
		return nil
	}
	var doc struct {
		Token *struct {
			Catalog json.RawMessage `json:"catalog"`
		} `json:"token"`
		Access *struct {
			ServiceCatalog json.RawMessage `json:"serviceCatalog"`
		} `json:"access"`
	}
	if err := json.Unmarshal(a.body, &doc); err != nil {
		return nil
	}
	var raw json.RawMessage
	switch {
	case doc.Token != nil:
		raw = doc.Token.Catalog
	case doc.Access != nil:
		raw = doc.Access.ServiceCatalog
	}
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return append(json.RawMessage(nil), raw...)
}
