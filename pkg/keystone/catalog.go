package keystone

import (
	"fmt"
	"strings"
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
	// EndpointID selects one endpoint by ID (other fields then only check it).
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

// Catalog is a token's service catalog, indexed once when the token is read so
// that a lookup does not scan it. It is immutable and safe for concurrent use.
type Catalog struct {
	endpoints []Endpoint
	byKey     map[catalogKey][]Endpoint
	byType    map[string][]Endpoint // official type -> every endpoint of it
	byID      map[string]int
}

func newCatalog(endpoints []Endpoint) *Catalog {
	c := &Catalog{
		endpoints: endpoints,
		byKey:     make(map[catalogKey][]Endpoint),
		byType:    make(map[string][]Endpoint),
		byID:      make(map[string]int, len(endpoints)),
	}
	for i, ep := range endpoints {
		t := canonicalServiceType(ep.ServiceType)
		k := catalogKey{t, ep.Interface}
		c.byKey[k] = append(c.byKey[k], ep)
		c.byType[t] = append(c.byType[t], ep)
		if ep.ID != "" {
			c.byID[ep.ID] = i
		}
	}
	return c
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
// (ErrAmbiguousEndpoints) or ErrEmptyCatalog.
func (c *Catalog) Lookup(f EndpointFilter) (Endpoint, error) {
	if c == nil || len(c.endpoints) == 0 {
		return Endpoint{}, ErrEmptyCatalog
	}
	if f.EndpointID != "" {
		i, ok := c.byID[f.EndpointID]
		if ok && matchesType(c.endpoints[i], f) && c.matchesService(c.endpoints[i], f) && (f.Region == "" || matchesRegion(c.endpoints[i], f.Region)) {
			return c.endpoints[i], nil
		}
		return Endpoint{}, c.notFound(f)
	}
	ifaces := f.Interfaces
	if len(ifaces) == 0 {
		ifaces = defaultInterfaces
	}
	t := canonicalServiceType(f.ServiceType)
	for _, iface := range ifaces {
		iface = canonicalInterface(iface)
		var found *Endpoint
		n := 0
		var candidates []Endpoint
		if f.ServiceType != "" {
			candidates = c.byKey[catalogKey{t, iface}]
		} else {
			candidates = c.endpoints // by service name or ID only
		}
		for i := range candidates {
			ep := &candidates[i]
			if f.ServiceType == "" && ep.Interface != iface {
				continue
			}
			if !c.matchesService(*ep, f) || (f.Region != "" && !matchesRegion(*ep, f.Region)) {
				continue
			}
			if found != nil && found.URL == ep.URL {
				continue // the same URL twice is no ambiguity
			}
			if found == nil {
				found = ep
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
		if ep.Interface == canonicalInterface(iface) && matchesType(ep, f) && c.matchesService(ep, f) && (f.Region == "" || matchesRegion(ep, f.Region)) {
			eps = append(eps, ep)
		}
	}
	return &AmbiguousEndpointsError{Filter: f, Endpoints: eps}
}

// notFound explains, for each endpoint of the wanted service, why it was not chosen.
func (c *Catalog) notFound(f EndpointFilter) error {
	var pool []Endpoint
	switch {
	case f.ServiceType != "":
		pool = c.byType[canonicalServiceType(f.ServiceType)]
	default:
		pool = c.endpoints
	}
	ifaces := f.Interfaces
	if len(ifaces) == 0 {
		ifaces = defaultInterfaces
	}
	e := &EndpointNotFoundError{Filter: f}
	for _, ep := range pool {
		var reason string
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
		default:
			reason = "matches, but another constraint failed"
		}
		e.Rejected = append(e.Rejected, RejectedEndpoint{
			ServiceType: ep.ServiceType, ServiceName: ep.ServiceName, Interface: ep.Interface,
			Region: ep.RegionID, URL: ep.URL, Reason: reason,
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
