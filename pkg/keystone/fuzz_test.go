package keystone_test

// Fuzz targets for the exported parsers a server's bytes reach: token bodies
// (v3 and v2.0), saved auth state, version discovery documents and service
// catalogs. Their seed corpora (the f.Add calls below and the files of
// testdata/fuzz/<FuzzName>/) run with every plain `go test`; `make fuzz`
// fuzzes each target in turn. The unexported parsers (error bodies, list
// decoding, the debug log's redaction) are in fuzz_internal_test.go.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// Tokens the targets use: long, unique, and not in any seed body, so that one
// showing up in printed output can only come from the token itself.
const (
	fuzzSubjectToken = "gAAAAABfuzz-subject-token-8d1c27f0a9e44b6c9a3b51e0"
	fuzzOtherToken   = "gAAAAABfuzz-other-token-0f5e2b7c6d3a19e8a4c7"
	fuzzV2OtherToken = "fuzz-v2-replacement-token-id-3c9e71"
)

// fuzzV3Token is a v3 token body with the given members added to the token
// (user and expiry are always there).
func fuzzV3Token(extra string) []byte {
	return []byte(`{"token": {"methods": ["password"], "user": {"id": "u1", "name": "alice", "domain": {"id": "default", "name": "Default"}, "password_expires_at": null},
		"audit_ids": ["a1"], "expires_at": "2030-01-01T10:00:00.000000Z", "issued_at": "2030-01-01T09:00:00.000000Z"` + extra + `}}`)
}

// fuzzProjectScope is the project scope of a v3 token, to pass to fuzzV3Token.
const fuzzProjectScope = `, "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}}, "is_domain": false,
		"roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}]`

// fuzzCatalog is a v3 catalog with aliases, several regions and interfaces,
// a region_id of null, and a service that appears twice.
const fuzzCatalog = `[
 {"id": "s1", "type": "volumev3", "name": "cinderv3", "endpoints": [
   {"id": "v-pub-1", "interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "https://cinder.one/v3/p1"},
   {"id": "v-pub-2", "interface": "public", "region_id": "RegionTwo", "region": "RegionTwo", "url": "https://cinder.two/v3/p1"},
   {"id": "v-int-1", "interface": "internal", "region_id": "RegionOne", "region": "RegionOne", "url": "http://cinder.internal/v3/p1"}]},
 {"id": "s2", "type": "compute", "name": "nova", "endpoints": [
   {"id": "c-pub-1", "interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "https://nova.one/v2.1"},
   {"id": "c-adm-1", "interface": "admin", "region_id": "RegionOne", "region": "RegionOne", "url": "https://nova-admin.one/v2.1"}]},
 {"id": "s3", "type": "compute", "name": "nova-legacy", "endpoints": [
   {"id": "c-pub-legacy", "interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "https://legacy.one/v2"}]},
 {"id": "s4", "type": "identity", "name": "keystone", "endpoints": [
   {"id": "i-pub", "interface": "public", "region_id": null, "region": null, "url": "https://keystone.example.com/v3"},
   {"id": "i-int", "interface": "internal", "region_id": "RegionOne", "region": "RegionOne", "url": "http://10.0.0.5:5000/v3"}]}
]`

// FuzzAccessInfoV3 reads v3 token bodies. A body is either rejected with
// ErrInvalidResponse or read into an AccessInfo that has a user, a UTC
// expiry, the token and the body as given; that exports and parses back to
// the same token; and whose every printed form (fmt verbs, json.Marshal,
// slog) does not depend on the token except through its digest.
func FuzzAccessInfoV3(f *testing.F) {
	f.Add(fuzzSubjectToken, fuzzV3Token(fuzzProjectScope+`, "catalog": `+fuzzCatalog))
	f.Add(fuzzSubjectToken, fuzzV3Token(`, "domain": {"id": "d9", "name": "Nine"}, "roles": [{"id": "r", "name": "admin"}]`))
	f.Add(fuzzSubjectToken, fuzzV3Token(`, "system": {"all": true}, "roles": [{"id": "r", "name": "reader"}], "catalog": []`))
	f.Add(fuzzSubjectToken, fuzzV3Token(fuzzProjectScope+`, "is_admin_project": true,
		"OS-TRUST:trust": {"id": "t1", "impersonation": true, "trustor_user": {"id": "u0"}, "trustee_user": {"id": "u1"}},
		"application_credential": {"id": "ac1", "name": "ci", "restricted": true},
		"OS-OAUTH1": {"access_token_id": "oauth1-access", "consumer_id": "c1"}`))
	f.Add(fuzzSubjectToken, []byte(`{"token": {"methods": ["mapped"], "expires_at": "2026-11-28T10:00:00.000000", "issued_at": "2026-11-28T09:00:00.000000",
		"user": {"id": "fed1", "name": "bob", "domain": {"id": "Federated", "name": "Federated"},
		"OS-FEDERATION": {"groups": [{"id": "g1"}, {"id": "g2"}], "identity_provider": {"id": "idp"}, "protocol": {"id": "saml2"}}},
		"audit_ids": ["x"]}}`))
	f.Add("", []byte(`{"token": {"user": {"id": "u"}, "expires_at": "2030-01-01T00:00:00+02:00"}}`))
	f.Add(fuzzSubjectToken, []byte(`{"token": {"user": {"id": "u"}, "expires_at": "9999-12-31T23:59:59Z", "issued_at": "0000-01-01T00:00:00Z"}}`))
	f.Add(fuzzSubjectToken, []byte(`{"token": {"user": {"id": 5}, "expires_at": "2030-01-01T00:00:00Z"}}`))
	f.Add(fuzzSubjectToken, []byte(`null`))
	f.Fuzz(func(t *testing.T, token string, body []byte) {
		ai, err := keystone.NewAccessInfoV3(token, body)
		if err != nil {
			if ai != nil || !errors.Is(err, keystone.ErrInvalidResponse) {
				t.Fatalf("NewAccessInfoV3: %#v, %v: want nil and ErrInvalidResponse", ai, err)
			}
			return
		}
		fuzzCheckAccess(t, ai, "v3")
		if ai.Token() != token || !bytes.Equal(ai.Body(), body) {
			t.Fatalf("token %q, body %q: want %q, %q", ai.Token(), ai.Body(), token, body)
		}
		fuzzCheckRoundTrip(t, ai)
		other, err := keystone.NewAccessInfoV3(fuzzOtherToken, body)
		if err != nil {
			t.Fatalf("the same body with another token: %v", err)
		}
		fuzzCheckPrintingHidesToken(t, ai, other)
		fuzzCheckCatalogOfToken(t, ai)
	})
}

// FuzzAccessInfoV2 reads v2.0 access documents, with the invariants of
// FuzzAccessInfoV3; the token is the body's access.token.id.
func FuzzAccessInfoV2(f *testing.F) {
	f.Add([]byte(v2Access))
	f.Add([]byte(`{"access": {"token": {"id": "v2-fuzz-token-id-5d0c8e", "expires": "2026-11-28T10:00:00.000000"}, "user": {"id": "u1", "username": "alice", "roles": []}}}`))
	f.Add([]byte(`{"access": {"token": {"id": "v2-fuzz-token-id-5d0c8e", "expires": "2030-01-01T10:00:00Z", "issued_at": "garbage"},
		"user": {"id": "u1", "name": "alice", "roles": [{"name": "admin"}]}, "metadata": {"is_admin": 1, "roles": ["r1", "r2"]},
		"trust": {"id": "t1", "impersonation": false, "trustor_user_id": "u0", "trustee_user_id": "u1"}}}`))
	f.Add([]byte(`{"access": {"token": {"id": "x", "expires": "soon"}, "user": {"id": "u"}}}`))
	f.Add([]byte(`{"access": {"token": {"id": "x", "expires": "2030-01-01T10:00:00Z"}, "user": {"id": "u"}, "serviceCatalog": [{"type": "identity", "endpoints": [{"publicURL": "/v2.0"}]}]}}`))
	f.Add([]byte(`{"access": {"metadata": {"is_admin": 1e400}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ai, err := keystone.NewAccessInfoV2(body)
		if err != nil {
			if ai != nil || !errors.Is(err, keystone.ErrInvalidResponse) {
				t.Fatalf("NewAccessInfoV2: %#v, %v: want nil and ErrInvalidResponse", ai, err)
			}
			return
		}
		var doc struct {
			Access struct {
				Token struct {
					ID string `json:"id"`
				} `json:"token"`
			} `json:"access"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("NewAccessInfoV2 accepted a body json.Unmarshal rejects: %v", err)
		}
		token := doc.Access.Token.ID
		fuzzCheckAccess(t, ai, "v2.0")
		if token == "" || ai.Token() != token || !bytes.Equal(ai.Body(), body) {
			t.Fatalf("token %q: want access.token.id %q", ai.Token(), token)
		}
		fuzzCheckRoundTrip(t, ai)
		// The same document with another token ID, when the ID appears once,
		// as it is, in the body: everything printed must be the same.
		if bytes.Count(body, []byte(token)) == 1 {
			other, err := keystone.NewAccessInfoV2(bytes.Replace(body, []byte(token), []byte(fuzzV2OtherToken), 1))
			if err == nil && other.Token() == fuzzV2OtherToken {
				fuzzCheckPrintingHidesToken(t, ai, other)
			}
		}
		fuzzCheckCatalogOfToken(t, ai)
	})
}

// FuzzParseAccessInfo reads saved auth state. Bad state is ErrInvalidResponse
// or ErrUnsupportedVersion; good state gives an AccessInfo whose own
// ExportState parses back to the same token, expiry, user and version, and
// exports again to the same bytes.
func FuzzParseAccessInfo(f *testing.F) {
	for _, body := range [][]byte{fuzzV3Token(fuzzProjectScope + `, "catalog": ` + fuzzCatalog), fuzzV3Token("")} {
		ai, err := keystone.NewAccessInfoV3(fuzzSubjectToken, body)
		if err != nil {
			f.Fatal(err)
		}
		state, err := ai.ExportState()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(state)
	}
	for _, ai := range []*keystone.AccessInfo{fuzzMust(keystone.NewAccessInfoV2([]byte(v2Access))), keystone.NewStaticAccess(fuzzSubjectToken)} {
		state, err := ai.ExportState()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(state)
	}
	// keystoneauth1's get_auth_state has no version.
	f.Add([]byte(`{"auth_token": "` + fuzzSubjectToken + `", "body": ` + string(fuzzV3Token("")) + `}`))
	f.Add([]byte(`{"auth_token": "ignored", "body": ` + v2Access + `}`))
	f.Add([]byte(`{"auth_token": "t", "version": "v4", "body": {}}`))
	f.Add([]byte(`{"auth_token": "", "version": "static"}`))
	f.Add([]byte(`{"auth_token": "t", "version": "v3", "body": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ai, err := keystone.ParseAccessInfo(data)
		if err != nil {
			if ai != nil || !(errors.Is(err, keystone.ErrInvalidResponse) || errors.Is(err, keystone.ErrUnsupportedVersion)) {
				t.Fatalf("ParseAccessInfo: %#v, %v: want nil and ErrInvalidResponse or ErrUnsupportedVersion", ai, err)
			}
			return
		}
		var saved struct {
			AuthToken string `json:"auth_token"`
			Version   string `json:"version"`
		}
		if err := json.Unmarshal(data, &saved); err != nil {
			t.Fatalf("ParseAccessInfo accepted state json.Unmarshal rejects: %v", err)
		}
		if ai.Token() == "" {
			t.Fatal("parsed state has no token")
		}
		switch ai.Version() {
		case "static":
			if ai.Token() != saved.AuthToken || !ai.ExpiresAt.IsZero() || ai.User.ID != "" || ai.Catalog() != nil {
				t.Fatalf("static state: %v", ai)
			}
		case "v3":
			if ai.Token() != saved.AuthToken {
				t.Fatalf("v3 token %q: want auth_token %q", ai.Token(), saved.AuthToken)
			}
			fuzzCheckAccess(t, ai, "v3")
		case "v2.0":
			fuzzCheckAccess(t, ai, "v2.0") // the token is the body's
		default:
			t.Fatalf("version %q", ai.Version())
		}
		if saved.Version != "" && saved.Version != ai.Version() {
			t.Fatalf("version %q: the state says %q", ai.Version(), saved.Version)
		}
		state := fuzzCheckRoundTrip(t, ai)
		again, err := fuzzMust(keystone.ParseAccessInfo(state)).ExportState()
		if err != nil || !bytes.Equal(again, state) {
			t.Fatalf("exporting twice differs:\n%s\n%s (%v)", state, again, err)
		}
	})
}

// FuzzParseDiscovery reads version discovery documents. A bad one is a
// *DiscoveryError (ErrDiscoveryFailure, ErrInvalidResponse); a good one has
// versions sorted newest first, each the version its ID says. Match, for
// bounds such as "3", "3.14", "2.0" and "latest", returns the newest usable
// version in range (a deprecated one only when nothing else is), or
// ErrVersionNotAvailable when there is none.
func FuzzParseDiscovery(f *testing.F) {
	f.Add("https://keystone.example.com/", []byte(`{"versions": {"values": [{"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
		"links": [{"rel": "self", "href": "http://ks/v3/"}], "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]},
		{"id": "v2.0", "status": "deprecated", "updated": "2016-08-04T00:00:00Z", "links": [{"rel": "self", "href": "http://ks/v2.0/"}]}]}}`))
	f.Add("http://nova:8774", []byte(`{"versions": [{"id": "v2.0", "status": "SUPPORTED", "version": "", "min_version": "", "links": [{"rel": "self", "href": "http://nova/v2/"}]},
		{"id": "v2.1", "status": "CURRENT", "version": "2.96", "min_version": "2.1", "links": [{"rel": "self", "href": "http://nova/v2.1/"}]}]}`))
	f.Add("https://keystone.example.com/identity/v3", []byte(`{"version": {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": "/identity/v3/"}]}}`))
	f.Add("http://ks", []byte(`{"versions": [{"id": "v3.15", "status": "experimental"}, {"id": "v3.10", "status": "deleted"}, {"id": "v3.0", "status": "deprecated"}, {"id": "v2.0", "status": "stable"}]}`))
	f.Add("http://ks", []byte(`{"versions": {"values": [{"id": "garbage"}]}}`))
	f.Add("http://ks", []byte(`{"versions": []}`))
	f.Add("::", []byte(`{"versions": [{"id": "3", "links": [{"rel": "self", "href": "%zz"}]}]}`))
	f.Fuzz(func(t *testing.T, docURL string, body []byte) {
		d, err := keystone.ParseDiscovery(docURL, body)
		if err != nil {
			var de *keystone.DiscoveryError
			if d != nil || !errors.As(err, &de) || !errors.Is(err, keystone.ErrDiscoveryFailure) || !errors.Is(err, keystone.ErrInvalidResponse) {
				t.Fatalf("ParseDiscovery: %v, %v: want nil and a *DiscoveryError matching ErrInvalidResponse", d, err)
			}
			return
		}
		if d.URL != docURL || len(d.Versions) == 0 {
			t.Fatalf("URL %q, %d versions", d.URL, len(d.Versions))
		}
		for i, v := range d.Versions {
			want, err := keystone.ParseVersion(v.ID)
			if err != nil || want != v.Version {
				t.Fatalf("version %d: ID %q but version %v (%v)", i, v.ID, v.Version, err)
			}
			// "latest" is a bound, not a version a server can offer: taken
			// as one, it sorts after every version and passes any maximum.
			if v.Version.Major < 0 {
				t.Fatalf("version %d: ID %q read as %v, not a version", i, v.ID, v.Version)
			}
			if v.Status != strings.ToLower(v.Status) {
				t.Fatalf("status %q is not lower case", v.Status)
			}
			if i > 0 && d.Versions[i-1].Version.Less(v.Version) {
				t.Fatalf("versions not sorted newest first: %v before %v", d.Versions[i-1].Version, v.Version)
			}
		}
		bounds := []string{"", "3", "3.14", "2.0", "2", "v3", "latest"}
		for _, lo := range bounds {
			for _, hi := range bounds {
				fuzzCheckMatch(t, d, lo, hi)
			}
		}
	})
}

func fuzzCheckMatch(t *testing.T, d *keystone.Discovery, minV, maxV string) {
	t.Helper()
	got, err := d.Match(minV, maxV)
	if minV == "latest" {
		if err != nil {
			t.Fatalf("Match(latest, %q): %v", maxV, err)
		}
		if !fuzzHasVersion(d, got) {
			t.Fatalf("Match(latest, %q) = %+v: not a version of the document", maxV, got)
		}
		return
	}
	inRange := func(v keystone.APIVersion) bool {
		if minV != "" {
			lo, _ := keystone.ParseVersion(minV)
			if strings.Contains(minV, ".") && v.Less(lo) || !strings.Contains(minV, ".") && v.Major < lo.Major {
				return false
			}
		}
		if maxV != "" && maxV != "latest" {
			hi, _ := keystone.ParseVersion(maxV)
			if strings.Contains(maxV, ".") && hi.Less(v) || !strings.Contains(maxV, ".") && (v.Major > hi.Major || v == keystone.Latest) {
				return false
			}
		}
		return true
	}
	usable := func(v keystone.VersionInfo) bool {
		switch v.Status {
		case "deleted":
			return false
		case "experimental":
			lo, _ := keystone.ParseVersion(minV)
			return minV != "" && lo == v.Version
		}
		return true
	}
	// The best candidates, newest first: usable and not deprecated, else deprecated.
	var best, deprecated *keystone.VersionInfo
	for i, v := range d.Versions {
		if !inRange(v.Version) || !usable(v) {
			continue
		}
		if v.Status == "deprecated" {
			if deprecated == nil {
				deprecated = &d.Versions[i]
			}
		} else if best == nil {
			best = &d.Versions[i]
		}
	}
	if best == nil {
		best = deprecated
	}
	if err != nil {
		if !errors.Is(err, keystone.ErrVersionNotAvailable) {
			t.Fatalf("Match(%q, %q): %v: want ErrVersionNotAvailable", minV, maxV, err)
		}
		if best != nil {
			t.Fatalf("Match(%q, %q): %v, but %+v is in range", minV, maxV, err, *best)
		}
		return
	}
	if !fuzzHasVersion(d, got) {
		t.Fatalf("Match(%q, %q) = %+v: not a version of the document", minV, maxV, got)
	}
	if !inRange(got.Version) || !usable(got) {
		t.Fatalf("Match(%q, %q) = %s (%v, %s): out of range or unusable", minV, maxV, got.ID, got.Version, got.Status)
	}
	if best == nil || best.Version != got.Version || (best.Status == "deprecated") != (got.Status == "deprecated") {
		t.Fatalf("Match(%q, %q) = %s (%s), want the newest usable version %+v", minV, maxV, got.ID, got.Status, best)
	}
}

func fuzzHasVersion(d *keystone.Discovery, v keystone.VersionInfo) bool {
	for _, w := range d.Versions {
		if reflect.DeepEqual(v, w) {
			return true
		}
	}
	return false
}

// FuzzCatalogLookup looks endpoints up in a fuzzed catalog with filters built
// from fuzzed strings. A lookup returns an endpoint of the catalog that
// matches the filter and has an absolute http(s) URL with a host, of the
// first wanted interface that has a match, and is the only one there (but
// for endpoints with the same URL); or ErrEndpointNotFound when no endpoint
// matches, ErrAmbiguousEndpoints with the endpoints of different URLs that
// do, or ErrEmptyCatalog.
func FuzzCatalogLookup(f *testing.F) {
	f.Add(fuzzCatalog, "volume", "public", "RegionOne", "")
	f.Add(fuzzCatalog, "block-storage", "internalURL,public", "", "")
	f.Add(fuzzCatalog, "compute", "public", "RegionOne", "c-adm-1")
	f.Add(fuzzCatalog, "identity", "admin,internal", "", "i-pub")
	f.Add(fuzzCatalog, "", "public", "RegionTwo", "")
	f.Add(`[{"type": "compute", "name": "nova", "endpoints": [{"interface": "public", "url": ""}, {"interface": "public", "url": "/v2.1"},
		{"interface": "public", "url": "nova.example.com/v2.1"}, {"interface": "PublicURL", "url": "HTTPS://Nova.Example.com:8774/v2.1"}]}]`, "compute", "publicURL", "", "")
	f.Add(`[{"type": "Volume_V3", "endpoints": [{"id": "e", "interface": "public", "region": "R", "url": "http://a/"}, {"id": "e", "interface": "public", "region": "R", "url": "http://a/"}]}]`, "volumev3", "", "R", "e")
	f.Add(`[]`, "compute", "public", "", "")
	f.Add(`null`, "compute", "public", "", "")
	f.Fuzz(func(t *testing.T, catalog, serviceType, ifaces, region, endpointID string) {
		ai, err := keystone.NewAccessInfoV3(fuzzSubjectToken, fuzzV3Token(fuzzProjectScope+`, "catalog": `+catalog))
		if err != nil {
			return // not a catalog, or it broke the body
		}
		var interfaces []string
		if ifaces != "" {
			interfaces = strings.Split(ifaces, ",")
		}
		c := ai.Catalog()
		c.Lookup(keystone.EndpointFilter{ServiceType: "x"}) // its index is built from the second lookup on
		for _, fl := range []keystone.EndpointFilter{
			{ServiceType: serviceType, Interfaces: interfaces, Region: region},
			{ServiceType: serviceType, Interfaces: interfaces, Region: region, EndpointID: endpointID},
			{ServiceName: serviceType, Interfaces: interfaces},
			{ServiceID: endpointID, Region: region},
			{ServiceType: serviceType},
		} {
			fuzzCheckLookup(t, c, fl)
			// A fresh catalog's first lookup scans: the same answer.
			fresh, _ := keystone.NewAccessInfoV3(fuzzSubjectToken, fuzzV3Token(fuzzProjectScope+`, "catalog": `+catalog))
			e2, err2 := fresh.Catalog().Lookup(fl)
			e1, err1 := c.Lookup(fl)
			if e1 != e2 || fmt.Sprint(err1) != fmt.Sprint(err2) {
				t.Fatalf("%v: indexed %+v %v, scanned %+v %v", fl, e1, err1, e2, err2)
			}
		}
	})
}

// fuzzCheckAccess checks what every AccessInfo read from a server has.
func fuzzCheckAccess(t *testing.T, ai *keystone.AccessInfo, version string) {
	t.Helper()
	if ai.Version() != version || ai.User.ID == "" {
		t.Fatalf("version %q, user %q", ai.Version(), ai.User.ID)
	}
	if ai.ExpiresAt.IsZero() || ai.ExpiresAt.Location() != time.UTC {
		t.Fatalf("expires_at %v: want a UTC time", ai.ExpiresAt)
	}
	if !ai.IssuedAt.IsZero() && ai.IssuedAt.Location() != time.UTC {
		t.Fatalf("issued_at %v: want a UTC time", ai.IssuedAt)
	}
	if ai.Scoped() != (ai.ProjectScoped() || ai.DomainScoped() || ai.SystemScoped() || ai.TrustScoped()) {
		t.Fatalf("Scoped() %v disagrees with the scope predicates", ai.Scoped())
	}
	if d := ai.TokenDigest(); ai.Token() != "" && (!strings.HasPrefix(d, "{SHA256}") || len(d) != len("{SHA256}")+64) {
		t.Fatalf("digest %q", d)
	}
	data, err := json.Marshal(ai)
	if err != nil || !json.Valid(data) {
		t.Fatalf("json.Marshal: %s, %v", data, err)
	}
}

// fuzzCheckRoundTrip checks that ai exports and parses back to the same
// token, expiry, user and version, and returns the exported state.
func fuzzCheckRoundTrip(t *testing.T, ai *keystone.AccessInfo) []byte {
	t.Helper()
	state, err := ai.ExportState()
	if err != nil {
		t.Fatalf("ExportState: %v", err)
	}
	if ai.Token() == "" {
		return state // nothing the state can be read back with
	}
	back, err := keystone.ParseAccessInfo(state)
	if err != nil {
		t.Fatalf("ParseAccessInfo(ExportState()): %v\n%s", err, state)
	}
	// The state is JSON, which cannot carry a token that is not UTF-8 (a
	// header value may be): such a token comes back with U+FFFD in it.
	sameToken := back.Token() == ai.Token() || !utf8.ValidString(ai.Token())
	if !sameToken || !back.ExpiresAt.Equal(ai.ExpiresAt) || !back.IssuedAt.Equal(ai.IssuedAt) ||
		back.User.ID != ai.User.ID || back.Version() != ai.Version() || back.Catalog().Len() != ai.Catalog().Len() {
		t.Fatalf("round trip changed the token:\n%q %v %v %q %q %d\n%q %v %v %q %q %d", ai.Token(), ai.ExpiresAt, ai.IssuedAt, ai.User.ID, ai.Version(), ai.Catalog().Len(),
			back.Token(), back.ExpiresAt, back.IssuedAt, back.User.ID, back.Version(), back.Catalog().Len())
	}
	return state
}

// fuzzPrinted is every way an AccessInfo gets printed, with its token's
// digest (and the digest's hex) replaced by a placeholder.
func fuzzPrinted(ai *keystone.AccessInfo) []string {
	var sb strings.Builder
	logger := slog.New(slog.NewJSONHandler(&sb, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	logger.Info("token", "access", ai)
	logger.Info("token value", "access", *ai)
	data, err := json.Marshal(ai)
	out := []string{ai.String(), ai.GoString(), sb.String(), string(data), fmt.Sprint(err)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10.3v"} {
		out = append(out, fmt.Sprintf(verb, ai), fmt.Sprintf(verb, *ai), fmt.Sprintf(verb, []any{ai, struct{ A keystone.AccessInfo }{*ai}}))
	}
	digest := ai.TokenDigest()
	for i := range out {
		out[i] = strings.ReplaceAll(out[i], digest, "{DIGEST}")
		out[i] = strings.ReplaceAll(out[i], hex.EncodeToString([]byte(digest)), "{HEXDIGEST}")
		out[i] = strings.ReplaceAll(out[i], strings.ToUpper(hex.EncodeToString([]byte(digest))), "{HEXDIGEST}")
	}
	return out
}

// fuzzCheckPrintingHidesToken checks that a and b, two AccessInfos that differ
// only by their token, print the same but for the token's digest: no
// printed form shows the token or depends on it.
func fuzzCheckPrintingHidesToken(t *testing.T, a, b *keystone.AccessInfo) {
	t.Helper()
	if a.Token() == "" || b.Token() == "" {
		return // no digest to tell apart
	}
	pa, pb := fuzzPrinted(a), fuzzPrinted(b)
	for i := range pa {
		if pa[i] != pb[i] {
			t.Fatalf("a printed form depends on the token (form %d):\n%s\n%s", i, pa[i], pb[i])
		}
	}
}

// fuzzCheckCatalogOfToken looks up, in a token's catalog, each endpoint's own
// type, interface, region and ID.
func fuzzCheckCatalogOfToken(t *testing.T, ai *keystone.AccessInfo) {
	t.Helper()
	c := ai.Catalog()
	fuzzCheckLookup(t, c, keystone.EndpointFilter{ServiceType: "identity"})
	for i, ep := range c.Endpoints() {
		if i == 8 {
			break
		}
		fuzzCheckLookup(t, c, keystone.EndpointFilter{ServiceType: ep.ServiceType, Interfaces: []string{ep.Interface}, Region: ep.Region})
		fuzzCheckLookup(t, c, keystone.EndpointFilter{EndpointID: ep.ID})
		fuzzCheckLookup(t, c, keystone.EndpointFilter{ServiceName: ep.ServiceName, Interfaces: []string{"admin", "internal", "public"}})
	}
}

// fuzzUsableURL is what the catalog promises of the URL of an endpoint it
// returns: absolute, http or https, with a host.
func fuzzUsableURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Opaque == "" && u.Hostname() != ""
}

// fuzzInterface is an interface as the catalog spells it (v2's publicURL is
// public).
func fuzzInterface(i string) string {
	switch i {
	case "public", "internal", "admin":
		return i
	}
	return strings.TrimSuffix(strings.ToLower(i), "url")
}

// fuzzMatches reports whether ep matches f's service and region (not its
// interface nor its endpoint ID).
func fuzzMatches(ep keystone.Endpoint, f keystone.EndpointFilter) bool {
	return (f.ServiceType == "" || keystone.ServiceTypeAliases(ep.ServiceType)[0] == keystone.ServiceTypeAliases(f.ServiceType)[0]) &&
		(f.ServiceName == "" || ep.ServiceName == f.ServiceName) &&
		(f.ServiceID == "" || ep.ServiceID == f.ServiceID) &&
		(f.Region == "" || ep.RegionID == f.Region || ep.Region == f.Region)
}

// fuzzCheckLookup checks c.Lookup(f) against a plain scan of the catalog.
func fuzzCheckLookup(t *testing.T, c *keystone.Catalog, f keystone.EndpointFilter) {
	t.Helper()
	_ = f.String()
	got, err := c.Lookup(f)
	eps := c.Endpoints()
	if len(eps) != c.Len() {
		t.Fatalf("Len %d, %d endpoints", c.Len(), len(eps))
	}
	if len(eps) == 0 {
		if !errors.Is(err, keystone.ErrEmptyCatalog) {
			t.Fatalf("Lookup(%v) in an empty catalog: %v, %v: want ErrEmptyCatalog", f, got, err)
		}
		return
	}
	ifaces := f.Interfaces
	if len(ifaces) == 0 {
		ifaces = []string{"public"}
	}
	// By endpoint ID without interfaces, any interface will do.
	anyIface := f.EndpointID != "" && len(f.Interfaces) == 0
	// usableMatches are the endpoints a lookup must consider for interface
	// iface (for an endpoint ID, those with the ID).
	usableMatches := func(iface string) []keystone.Endpoint {
		var out []keystone.Endpoint
		for _, ep := range eps {
			if fuzzMatches(ep, f) && fuzzUsableURL(ep.URL) && (anyIface || ep.Interface == fuzzInterface(iface)) &&
				(f.EndpointID == "" || ep.ID == f.EndpointID) {
				out = append(out, ep)
			}
		}
		return out
	}
	// firstIface is the index of the first wanted interface that has a
	// usable match (the lookup cannot go past it), or len(ifaces).
	firstIface := len(ifaces)
	for i, iface := range ifaces {
		if len(usableMatches(iface)) > 0 {
			firstIface = i
			break
		}
	}
	switch {
	case err == nil:
		if !fuzzUsableURL(got.URL) {
			t.Fatalf("Lookup(%v) = %+v: not an absolute http(s) URL with a host: %q", f, got, got.URL)
		}
		found := false
		for _, ep := range eps {
			found = found || reflect.DeepEqual(ep, got)
		}
		if !found || !fuzzMatches(got, f) {
			t.Fatalf("Lookup(%v) = %+v: not an endpoint of the catalog that matches", f, got)
		}
		if f.EndpointID != "" {
			if got.ID != f.EndpointID {
				t.Fatalf("Lookup(%v) = %+v: another endpoint ID", f, got)
			}
			if anyIface {
				return
			}
		}
		k := -1
		for i, iface := range ifaces {
			if fuzzInterface(iface) == got.Interface {
				k = i
				break
			}
		}
		if k < 0 || k > firstIface {
			t.Fatalf("Lookup(%v) = %+v: not the first wanted interface with a match (%q)", f, got, ifaces[min(firstIface, len(ifaces)-1)])
		}
		for _, ep := range usableMatches(ifaces[k]) {
			if f.EndpointID == "" && ep.URL != got.URL {
				t.Fatalf("Lookup(%v) = %+v, but %+v matches too", f, got, ep)
			}
		}
	case errors.Is(err, keystone.ErrEndpointNotFound):
		// The catalog is stricter than url.Parse: an endpoint url.Parse
		// accepts may be refused, but then the error must list it as an
		// invalid URL.
		var nf *keystone.EndpointNotFoundError
		errors.As(err, &nf)
		for i := firstIface; i < len(ifaces); i++ {
			for _, m := range usableMatches(ifaces[i]) {
				refused := false
				for _, r := range nf.Rejected {
					refused = refused || r.InvalidURL && r.URL == m.URL
				}
				if !refused {
					t.Fatalf("Lookup(%v): %v, but %+v matches", f, err, m)
				}
			}
		}
	case errors.Is(err, keystone.ErrAmbiguousEndpoints):
		var ae *keystone.AmbiguousEndpointsError
		if !errors.As(err, &ae) || f.EndpointID != "" {
			t.Fatalf("Lookup(%v): %v", f, err)
		}
		urls := map[string]bool{}
		for _, ep := range ae.Endpoints {
			urls[ep.URL] = true
			if !fuzzMatches(ep, f) || ep.Interface != ae.Endpoints[0].Interface {
				t.Fatalf("Lookup(%v): %v lists %+v, which does not match", f, err, ep)
			}
		}
		if len(urls) < 2 {
			t.Fatalf("Lookup(%v): %v, with %d distinct URLs", f, err, len(urls))
		}
		k := -1
		for i, iface := range ifaces {
			if fuzzInterface(iface) == ae.Endpoints[0].Interface {
				k = i
				break
			}
		}
		if k < 0 || k > firstIface {
			t.Fatalf("Lookup(%v): %v on interface %q, but an earlier wanted interface has a match", f, err, ae.Endpoints[0].Interface)
		}
	default:
		t.Fatalf("Lookup(%v): %v: want ErrEndpointNotFound, ErrAmbiguousEndpoints or ErrEmptyCatalog", f, err)
	}
}

func fuzzMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
