package keystone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// APIVersion is a major.minor version; Major < 0 means "latest".
type APIVersion struct{ Major, Minor int }

// Latest stands for the newest version offered.
var Latest = APIVersion{Major: -1}

// ParseVersion reads "3", "v3", "3.14", "v2.0" or "latest".
func ParseVersion(s string) (APIVersion, error) {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
	if s == "latest" {
		return Latest, nil
	}
	major, minor, hasMinor := strings.Cut(s, ".")
	ma, err := strconv.Atoi(major)
	if err != nil || ma < 0 {
		return APIVersion{}, fmt.Errorf("keystone: invalid version %q", s)
	}
	v := APIVersion{Major: ma}
	if hasMinor {
		mi, err := strconv.Atoi(minor)
		if err != nil || mi < 0 {
			return APIVersion{}, fmt.Errorf("keystone: invalid version %q", s)
		}
		v.Minor = mi
	}
	return v, nil
}

func (v APIVersion) String() string {
	if v.Major < 0 {
		return "latest"
	}
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

// Less orders versions; Latest is after every other.
func (v APIVersion) Less(w APIVersion) bool {
	if v.Major < 0 {
		return false
	}
	if w.Major < 0 {
		return true
	}
	return v.Major < w.Major || (v.Major == w.Major && v.Minor < w.Minor)
}

// VersionInfo is one version a discovery document offers.
type VersionInfo struct {
	// ID is the version's id, such as "v3.14".
	ID      string
	Version APIVersion
	// Status is the version's status in lower case, with "stable" read as
	// "current" (as keystoneauth1 normalises it): current, supported,
	// deprecated, experimental, or another status the server gave (which
	// VersionFilter counts as unknown).
	Status string
	// RawStatus is the status as the document gives it ("stable",
	// "CURRENT", …).
	RawStatus string
	// URL is the version's self link.
	URL     string
	Updated time.Time
	// MinMicroversion and MaxMicroversion, for services with microversions.
	MinMicroversion, MaxMicroversion string
	MediaTypes                       []string
}

// Discovery is a parsed version discovery document.
type Discovery struct {
	// URL is the address the document was read from.
	URL      string
	Versions []VersionInfo // newest first

	raw []rawEntry // every version object of the document, in its order
}

// rawEntry is one version object of a discovery document, as it came.
type rawEntry struct {
	status string // normalised, as VersionInfo.Status
	data   json.RawMessage
}

// Version statuses, as VersionInfo.Status gives them (keystoneauth1's
// Status, in lower case). A document's "stable" is read as StatusCurrent.
const (
	StatusCurrent      = "current"
	StatusSupported    = "supported"
	StatusDeprecated   = "deprecated"
	StatusExperimental = "experimental"
)

// normalizeStatus lower-cases a document's status and reads "stable" as
// "current", as keystoneauth1's Status.normalize does.
func normalizeStatus(raw string) string {
	s := strings.ToLower(strings.TrimSpace(raw))
	if s == "stable" {
		return StatusCurrent
	}
	return s
}

// VersionFilter says which versions of a discovery document to consider,
// by status, as keystoneauth1's allow_experimental, allow_deprecated and
// allow_unknown do: current and supported versions (a document's
// "stable" included) always are; deprecated, experimental and unknown ones
// (any other status, or none) only when allowed. The zero VersionFilter
// allows stable versions only; keystoneauth1's default, which allows
// deprecated ones too, is DefaultVersionFilter.
type VersionFilter struct {
	AllowExperimental bool
	AllowDeprecated   bool
	AllowUnknown      bool
}

// DefaultVersionFilter is keystoneauth1's default filter: stable and
// deprecated versions, not experimental or unknown ones.
func DefaultVersionFilter() VersionFilter { return VersionFilter{AllowDeprecated: true} }

// Allows reports whether a version of status (as VersionInfo.Status gives
// it; a raw status is normalised first) passes the filter.
func (f VersionFilter) Allows(status string) bool {
	switch normalizeStatus(status) {
	case StatusCurrent, StatusSupported:
		return true
	case StatusDeprecated:
		return f.AllowDeprecated
	case StatusExperimental:
		return f.AllowExperimental
	}
	return f.AllowUnknown
}

// RawVersions returns the version objects of the document that pass f, as
// the server sent them and in the document's order (keystoneclient's and
// keystoneauth1's Discover.raw_version_data). Versions whose id is not a
// version number are included, as they are in raw_version_data.
func (d *Discovery) RawVersions(f VersionFilter) []json.RawMessage {
	if d == nil {
		return nil
	}
	var out []json.RawMessage
	for _, r := range d.raw {
		if f.Allows(r.status) {
			out = append(out, append(json.RawMessage(nil), r.data...))
		}
	}
	return out
}

// Filter returns the versions of d that pass f, newest first
// (keystoneauth1's Discover.version_data with its allow_* arguments).
func (d *Discovery) Filter(f VersionFilter) []VersionInfo {
	if d == nil {
		return nil
	}
	var out []VersionInfo
	for _, v := range d.Versions {
		if f.Allows(v.Status) {
			out = append(out, v)
		}
	}
	return out
}

type rawVersion struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Updated    string `json:"updated"`
	MinVersion string `json:"min_version"`
	MaxVersion string `json:"version"`
	Max2       string `json:"max_version"`
	Links      []struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	} `json:"links"`
	MediaTypes []struct {
		Type string `json:"type"`
	} `json:"media-types"`
}

// ParseDiscovery reads the shapes OpenStack services use for version
// discovery: {"versions": {"values": [...]}} (Keystone), {"versions": [...]}
// (most others) and {"version": {...}} (a single version).
func ParseDiscovery(docURL string, body []byte) (*Discovery, error) {
	var doc struct {
		Versions json.RawMessage `json:"versions"`
		Version  json.RawMessage `json:"version"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: %v", ErrInvalidResponse, err)}
	}
	var objs []json.RawMessage
	switch {
	case len(doc.Versions) > 0 && doc.Versions[0] == '{':
		var wrapped struct {
			Values []json.RawMessage `json:"values"`
		}
		if err := json.Unmarshal(doc.Versions, &wrapped); err != nil {
			return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: versions: %v", ErrInvalidResponse, err)}
		}
		objs = wrapped.Values
	case len(doc.Versions) > 0:
		if err := json.Unmarshal(doc.Versions, &objs); err != nil {
			return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: versions: %v", ErrInvalidResponse, err)}
		}
	case len(doc.Version) > 0 && string(doc.Version) != "null":
		objs = []json.RawMessage{doc.Version}
	default:
		return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: no versions in the document", ErrInvalidResponse)}
	}
	raws := make([]rawVersion, len(objs))
	d := &Discovery{URL: docURL, raw: make([]rawEntry, 0, len(objs))}
	for i, o := range objs {
		if err := json.Unmarshal(o, &raws[i]); err != nil {
			return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: versions: %v", ErrInvalidResponse, err)}
		}
		d.raw = append(d.raw, rawEntry{status: normalizeStatus(raws[i].Status), data: o})
	}
	for _, r := range raws {
		v, err := ParseVersion(r.ID)
		if err != nil || v.Major < 0 {
			continue // an id we cannot read ("latest" included) is not a version we can choose
		}
		vi := VersionInfo{ID: r.ID, Version: v, Status: normalizeStatus(r.Status), RawStatus: r.Status, MinMicroversion: r.MinVersion, MaxMicroversion: r.MaxVersion}
		if vi.MaxMicroversion == "" {
			vi.MaxMicroversion = r.Max2
		}
		for _, l := range r.Links {
			if l.Rel == "self" {
				vi.URL = resolveRef(docURL, l.Href)
			}
		}
		for _, m := range r.MediaTypes {
			vi.MediaTypes = append(vi.MediaTypes, m.Type)
		}
		if t, err := time.Parse(time.RFC3339, r.Updated); err == nil {
			vi.Updated = t
		}
		d.Versions = append(d.Versions, vi)
	}
	if len(d.Versions) == 0 {
		return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: no readable version", ErrInvalidResponse)}
	}
	sort.SliceStable(d.Versions, func(i, j int) bool { return d.Versions[j].Version.Less(d.Versions[i].Version) })
	return d, nil
}

func resolveRef(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

// Match returns the newest usable version within [min, max] (either may be
// empty: no bound). "3" as a bound means any 3.x. Deprecated versions are
// used only when nothing else matches; experimental ones only when asked for
// by exact version; a version whose status is "deleted" never. Versions of
// another status (unknown to VersionFilter) are used as stable ones. For
// keystoneauth1's filtering by status, use MatchFiltered.
func (d *Discovery) Match(minVersion, maxVersion string) (VersionInfo, error) {
	return d.match(minVersion, maxVersion, nil)
}

// MatchFiltered is Match among the versions that pass f only (see
// VersionFilter): experimental versions, when f allows them, are used as
// stable ones are, and deprecated ones only when nothing else in range
// passes f. DefaultVersionFilter gives keystoneauth1's default choice.
func (d *Discovery) MatchFiltered(minVersion, maxVersion string, f VersionFilter) (VersionInfo, error) {
	return d.match(minVersion, maxVersion, &f)
}

// match is Match (f nil) or MatchFiltered.
func (d *Discovery) match(minVersion, maxVersion string, f *VersionFilter) (VersionInfo, error) {
	if d == nil || len(d.Versions) == 0 {
		return VersionInfo{}, &VersionNotAvailableError{Wanted: "[" + minVersion + ", " + maxVersion + "]"}
	}
	lo, hi := APIVersion{}, Latest
	loMajorOnly, hiMajorOnly := false, false
	var err error
	if minVersion != "" {
		if lo, err = ParseVersion(minVersion); err != nil {
			return VersionInfo{}, err
		}
		loMajorOnly = !strings.Contains(minVersion, ".")
		if lo.Major < 0 { // min "latest": only the newest
			if f == nil {
				return d.latest(), nil
			}
			for _, v := range d.Versions {
				if f.Allows(v.Status) && v.Status != StatusDeprecated {
					return v, nil
				}
			}
			for _, v := range d.Versions {
				if f.Allows(v.Status) {
					return v, nil
				}
			}
			return VersionInfo{}, d.notAvailable(minVersion, maxVersion)
		}
	}
	if maxVersion != "" {
		if hi, err = ParseVersion(maxVersion); err != nil {
			return VersionInfo{}, err
		}
		hiMajorOnly = !strings.Contains(maxVersion, ".")
	}
	inRange := func(v APIVersion) bool {
		if loMajorOnly && v.Major < lo.Major || !loMajorOnly && v.Less(lo) {
			return false
		}
		if hi.Major >= 0 {
			if hiMajorOnly && v.Major > hi.Major || !hiMajorOnly && hi.Less(v) {
				return false
			}
		}
		return true
	}
	var deprecated *VersionInfo
	for i, v := range d.Versions { // newest first
		if !inRange(v.Version) {
			continue
		}
		if f != nil {
			if !f.Allows(v.Status) {
				continue
			}
			if v.Status == StatusDeprecated {
				if deprecated == nil {
					deprecated = &d.Versions[i]
				}
				continue
			}
			return v, nil
		}
		switch v.Status {
		case StatusExperimental:
			if minVersion == "" || !(lo == v.Version) {
				continue
			}
		case StatusDeprecated, "deleted":
			if deprecated == nil && v.Status == StatusDeprecated {
				deprecated = &d.Versions[i]
			}
			continue
		}
		return v, nil
	}
	if deprecated != nil {
		return *deprecated, nil
	}
	return VersionInfo{}, d.notAvailable(minVersion, maxVersion)
}

func (d *Discovery) notAvailable(minVersion, maxVersion string) error {
	var ids []string
	for _, v := range d.Versions {
		ids = append(ids, v.ID+" ("+v.Status+")")
	}
	want := "[" + minVersion + ", " + maxVersion + "]"
	return &VersionNotAvailableError{URL: d.URL, Wanted: want, Available: ids}
}

func (d *Discovery) latest() VersionInfo {
	for _, v := range d.Versions {
		if v.Status != StatusExperimental && v.Status != "deleted" {
			return v
		}
	}
	return d.Versions[0]
}

var versionSegment = regexp.MustCompile(`^v\d+(\.\d+)?$`)

// UnversionedURL returns u without its version path segment and what follows
// it (a project ID, say): https://cloud/identity/v3 gives https://cloud/identity,
// https://nova:8774/v2.1/abc gives https://nova:8774. A URL without a version
// segment is returned unchanged.
func UnversionedURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	segs := strings.Split(strings.Trim(p.Path, "/"), "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if versionSegment.MatchString(segs[i]) {
			p.Path = "/" + strings.Join(segs[:i], "/")
			p.RawPath = ""
			return strings.TrimRight(p.String(), "/")
		}
	}
	return strings.TrimRight(u, "/")
}

// DiscoverOptions change how Session.DiscoverWith reads a discovery
// document.
type DiscoverOptions struct {
	// Authenticated sends the token with the request (keystoneauth1's
	// authenticated=True), for a server whose discovery document needs
	// one. Without it the document is read without a token and, if the
	// server answers 401, read again with one (as keystoneauth1 does) when
	// there is an auth plugin to get it from.
	Authenticated bool
	// Auth is the plugin the token comes from, instead of the session's.
	Auth AuthPlugin
}

// Discover reads the version discovery document at u, once per URL for the
// session's lifetime: without a token, unless the server answers 401 and
// the session has an auth plugin (see DiscoverWith). When u gives none (a
// versioned URL such as …/v3 that answers no document), it reads the one
// at u's unversioned root, as keystoneauth1 does. Keystone's answer to GET
// / is a 300 Multiple Choices with the list of its versions: it is read as
// the document it is. It fails with the first URL's *DiscoveryError
// (ErrDiscoveryFailure).
func (s *Session) Discover(ctx context.Context, u string) (*Discovery, error) {
	return s.DiscoverWith(ctx, u, DiscoverOptions{})
}

// DiscoverWith is Discover with options: o.Authenticated sends the token
// with the request (keystoneauth1's get_discovery(authenticated=True)).
// Without an auth plugin (o.Auth or the session's), an authenticated
// discovery fails with ErrMissingAuthPlugin (in a *DiscoveryError).
func (s *Session) DiscoverWith(ctx context.Context, u string, o DiscoverOptions) (*Discovery, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil *Session", ErrInvalidArgument)
	}
	if ctx == nil {
		return nil, fmt.Errorf("%w: nil context", ErrInvalidArgument)
	}
	d, err := s.discoverAt(ctx, u, o)
	if err != nil {
		if root := UnversionedURL(u); root != u {
			if d, err2 := s.discoverAt(ctx, root, o); err2 == nil {
				return d, nil
			}
		}
		return nil, err
	}
	return d, nil
}

// discoverAt is DiscoverWith at u only.
func (s *Session) discoverAt(ctx context.Context, u string, o DiscoverOptions) (*Discovery, error) {
	s.discoveryMu.Lock()
	d, ok := s.discovery[u]
	s.discoveryMu.Unlock()
	if ok {
		return d, nil
	}
	req := Request{Method: http.MethodGet, URL: u, NoAuth: !o.Authenticated, Auth: o.Auth}
	resp, err := s.Request(ctx, req)
	if err != nil && req.NoAuth && errors.Is(err, ErrUnauthorized) && (o.Auth != nil || s.auth != nil) {
		// The document needs a token (keystoneauth1 asks again,
		// authenticated, after a 401).
		req.NoAuth = false
		resp, err = s.Request(ctx, req)
	}
	if err != nil {
		return nil, &DiscoveryError{URL: u, Err: err}
	}
	// Any status below 400 carries the document: 200, and the 300
	// Multiple Choices Keystone answers at its root.
	body, err := ReadBody(resp, 0)
	if err != nil {
		return nil, &DiscoveryError{URL: u, Err: err}
	}
	d, err = ParseDiscovery(u, body)
	if err != nil {
		return nil, err
	}
	s.discoveryMu.Lock()
	if s.discovery == nil {
		s.discovery = make(map[string]*Discovery)
	}
	s.discovery[u] = d
	s.discoveryMu.Unlock()
	return d, nil
}

// versionedURL discovers the versions offered at (or above) endpoint and returns
// the URL of the best one in [minV, maxV].
func (s *Session) versionedURL(ctx context.Context, endpoint, minV, maxV string) (string, error) {
	d, err := s.Discover(ctx, endpoint)
	if err != nil {
		return "", err
	}
	v, err := d.Match(minV, maxV)
	if err != nil {
		return "", err
	}
	if v.URL == "" {
		return endpoint, nil
	}
	return v.URL, nil
}
