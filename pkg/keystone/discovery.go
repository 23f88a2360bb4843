package keystone

import (
	"context"
	"encoding/json"
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
	// Status is stable, current, supported, deprecated or experimental (lower case).
	Status string
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
		Version  *rawVersion     `json:"version"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: %v", ErrInvalidResponse, err)}
	}
	var raws []rawVersion
	switch {
	case len(doc.Versions) > 0 && doc.Versions[0] == '{':
		var wrapped struct {
			Values []rawVersion `json:"values"`
		}
		if err := json.Unmarshal(doc.Versions, &wrapped); err != nil {
			return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: versions: %v", ErrInvalidResponse, err)}
		}
		raws = wrapped.Values
	case len(doc.Versions) > 0:
		if err := json.Unmarshal(doc.Versions, &raws); err != nil {
			return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: versions: %v", ErrInvalidResponse, err)}
		}
	case doc.Version != nil:
		raws = []rawVersion{*doc.Version}
	default:
		return nil, &DiscoveryError{URL: docURL, Err: fmt.Errorf("%w: no versions in the document", ErrInvalidResponse)}
	}
	d := &Discovery{URL: docURL}
	for _, r := range raws {
		v, err := ParseVersion(r.ID)
		if err != nil || v.Major < 0 {
			continue // an id we cannot read ("latest" included) is not a version we can choose
		}
		vi := VersionInfo{ID: r.ID, Version: v, Status: strings.ToLower(r.Status), MinMicroversion: r.MinVersion, MaxMicroversion: r.MaxVersion}
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
// by exact version.
func (d *Discovery) Match(minVersion, maxVersion string) (VersionInfo, error) {
	lo, hi := APIVersion{}, Latest
	loMajorOnly, hiMajorOnly := false, false
	var err error
	if minVersion != "" {
		if lo, err = ParseVersion(minVersion); err != nil {
			return VersionInfo{}, err
		}
		loMajorOnly = !strings.Contains(minVersion, ".")
		if lo.Major < 0 { // min "latest": only the newest
			return d.latest(), nil
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
		switch v.Status {
		case "experimental":
			if minVersion == "" || !(lo == v.Version) {
				continue
			}
		case "deprecated", "deleted":
			if deprecated == nil && v.Status == "deprecated" {
				deprecated = &d.Versions[i]
			}
			continue
		}
		return v, nil
	}
	if deprecated != nil {
		return *deprecated, nil
	}
	var ids []string
	for _, v := range d.Versions {
		ids = append(ids, v.ID+" ("+v.Status+")")
	}
	want := "[" + minVersion + ", " + maxVersion + "]"
	return VersionInfo{}, &VersionNotAvailableError{URL: d.URL, Wanted: want, Available: ids}
}

func (d *Discovery) latest() VersionInfo {
	for _, v := range d.Versions {
		if v.Status != "experimental" && v.Status != "deleted" {
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

// Discover reads the version discovery document at u (without a token), once
// per URL for the session's lifetime; when u gives none (a versioned URL
// such as …/v3 that answers no document), it reads the one at u's
// unversioned root, as keystoneauth1 does. It fails with the first URL's
// *DiscoveryError (ErrDiscoveryFailure).
func (s *Session) Discover(ctx context.Context, u string) (*Discovery, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil *Session", ErrInvalidArgument)
	}
	d, err := s.discoverAt(ctx, u)
	if err != nil {
		if root := UnversionedURL(u); root != u {
			if d, err2 := s.discoverAt(ctx, root); err2 == nil {
				return d, nil
			}
		}
		return nil, err
	}
	return d, nil
}

// discoverAt is Discover at u only.
func (s *Session) discoverAt(ctx context.Context, u string) (*Discovery, error) {
	s.discoveryMu.Lock()
	d, ok := s.discovery[u]
	s.discoveryMu.Unlock()
	if ok {
		return d, nil
	}
	resp, err := s.Request(ctx, Request{Method: http.MethodGet, URL: u, NoAuth: true})
	if err != nil {
		return nil, &DiscoveryError{URL: u, Err: err}
	}
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
