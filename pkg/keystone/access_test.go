package keystone_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystone"
)

func TestAccessInfoV3(t *testing.T) {
	body := []byte(`{"token": {"methods": ["password", "totp"],
		"user": {"id": "u1", "name": "alice", "domain": {"id": "d1", "name": "Dom"}, "password_expires_at": "2031-02-03T04:05:06.000000"},
		"audit_ids": ["a1", "a0"], "expires_at": "2030-01-01T10:00:00.000000Z", "issued_at": "2030-01-01T09:00:00.000000Z",
		"project": {"id": "p1", "name": "proj", "domain": {"id": "d1", "name": "Dom"}}, "is_domain": true,
		"roles": [{"id": "r1", "name": "admin"}], "is_admin_project": true,
		"OS-TRUST:trust": {"id": "t1", "impersonation": true, "trustor_user": {"id": "u0"}, "trustee_user": {"id": "u1"}},
		"application_credential": {"id": "ac1", "name": "ci", "restricted": true},
		"catalog": []}}`)
	ai, err := keystone.NewAccessInfoV3("gAAAA-secret-token", body)
	if err != nil {
		t.Fatal(err)
	}
	if ai.Token() != "gAAAA-secret-token" || ai.Version() != "v3" || ai.User.ID != "u1" || ai.User.DomainName != "Dom" {
		t.Errorf("user: %+v", ai.User)
	}
	if !ai.User.PasswordExpiresAt.Equal(time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)) {
		t.Errorf("password_expires_at = %v", ai.User.PasswordExpiresAt)
	}
	if !ai.ProjectScoped() || !ai.Project.IsDomain || !ai.TrustScoped() || ai.DomainScoped() || ai.SystemScoped() || !ai.Scoped() {
		t.Errorf("scope predicates wrong: %+v", ai)
	}
	if ai.Trust.TrustorUserID != "u0" || !ai.Trust.Impersonation || ai.ApplicationCredential.Name != "ci" || !*ai.IsAdminProject {
		t.Errorf("trust/app cred: %+v %+v", ai.Trust, ai.ApplicationCredential)
	}
	if !ai.HasRole("admin") || ai.HasRole("member") || len(ai.AuditIDs) != 2 || len(ai.Methods) != 2 {
		t.Errorf("roles/audit/methods: %+v", ai)
	}
	now := time.Date(2030, 1, 1, 9, 30, 0, 0, time.UTC)
	if ai.WillExpireSoon(now, time.Minute) || !ai.WillExpireSoon(now, time.Hour) {
		t.Error("WillExpireSoon")
	}
	for _, s := range []string{ai.String(), fmt.Sprintf("%v", ai), fmt.Sprintf("%#v", ai), fmt.Sprintf("%+v", ai)} {
		if strings.Contains(s, "secret-token") {
			t.Errorf("the token is printed: %s", s)
		}
	}
	if !strings.HasPrefix(ai.TokenDigest(), "{SHA256}") {
		t.Errorf("digest %q", ai.TokenDigest())
	}
	// Lossless round trip, through ExportState (json.Marshal describes the
	// token without it).
	data, err := ai.ExportState()
	if err != nil {
		t.Fatal(err)
	}
	back, err := keystone.ParseAccessInfo(data)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	json.Compact(&compact, body)
	if back.Token() != ai.Token() || string(back.Body()) != compact.String() || back.Trust.ID != "t1" {
		t.Errorf("round trip lost data:\n%s\n%s", back.Body(), compact.String())
	}
}

func TestAccessInfoScopes(t *testing.T) {
	base := `"methods": ["password"], "user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "D"}},
		"audit_ids": ["a"], "expires_at": "2030-01-01T00:00:00Z", "issued_at": "2029-12-31T23:00:00Z"`
	dom := mustAccess(t, []byte(`{"token": {`+base+`, "domain": {"id": "d9", "name": "Nine"}, "roles": []}}`))
	if !dom.DomainScoped() || dom.Domain.Name != "Nine" || dom.ProjectScoped() {
		t.Errorf("domain scope: %+v", dom)
	}
	sys := mustAccess(t, []byte(`{"token": {`+base+`, "system": {"all": true}, "roles": []}}`))
	if !sys.SystemScoped() || sys.DomainScoped() {
		t.Errorf("system scope: %+v", sys)
	}
	un := mustAccess(t, []byte(`{"token": {`+base+`}}`))
	if un.Scoped() || un.Catalog() != nil {
		t.Errorf("unscoped: %+v", un)
	}
	for _, bad := range []string{`{}`, `{"token": {"user": {}}}`, `not json`, `{"token": {"user": {"id": "u"}}}`} {
		if _, err := keystone.NewAccessInfoV3("t", []byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// A v2.0 access document holds the token ID in its body: neither
// json.Marshal nor slog nor any fmt verb shows it (or the body), while
// ExportState and ParseAccessInfo keep the round trip lossless.
func TestAccessInfoMarshalJSONHasNoToken(t *testing.T) {
	const token = "gAAAA-v2-marshal-token"
	v2body := []byte(`{"access": {"token": {"id": "` + token + `", "expires": "2030-01-01T10:00:00Z", "issued_at": "2030-01-01T09:00:00.000000",
		"tenant": {"id": "t1", "name": "demo"}, "audit_ids": ["au1"]},
		"user": {"id": "u1", "name": "alice", "roles": [{"name": "admin"}]},
		"serviceCatalog": [{"type": "identity", "name": "keystone", "endpoints": [{"id": "e1", "region": "R1", "publicURL": "http://ks/v2.0"}]}],
		"metadata": {"is_admin": 0, "roles": ["r1"]}}}`)
	v2, err := keystone.NewAccessInfoV2(v2body)
	if err != nil {
		t.Fatal(err)
	}
	v3 := mustAccessToken(t, token, []byte(`{"token": {"methods": ["password"], "user": {"id": "u1", "name": "alice", "domain": {"id": "d", "name": "D"}},
		"expires_at": "2030-01-01T10:00:00Z", "issued_at": "2030-01-01T09:00:00Z", "audit_ids": ["au1"],
		"project": {"id": "p1", "name": "demo", "domain": {"id": "d", "name": "D"}}, "roles": [{"id": "r1", "name": "admin"}],
		"OS-OAUTH1": {"access_token_id": "oauth1-access-token-id", "consumer_id": "c1"}}}`))
	for _, ai := range []*keystone.AccessInfo{v2, v3, keystone.NewStaticAccess(token)} {
		data, err := json.Marshal(ai)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, "json.Marshal", string(data), token, "oauth1-access-token-id", `"body"`, `"access"`)
		var d map[string]any
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatal(err)
		}
		if d["version"] != ai.Version() || d["token_digest"] != ai.TokenDigest() {
			t.Errorf("description %s", data)
		}
		if ai.Version() != "static" && (d["scope"] != "project" || d["user"] == nil || d["expires_at"] == nil || d["roles"] == nil) {
			t.Errorf("description lacks user, scope, roles or expiry: %s", data)
		}
		// The value, not only the pointer: fmt walks its fields by reflection.
		for _, v := range []any{ai, *ai, []*keystone.AccessInfo{ai}, struct{ A keystone.AccessInfo }{*ai}, map[string]any{"a": *ai},
			struct{ a keystone.AccessInfo }{*ai}, struct{ a *keystone.AccessInfo }{ai}} {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
				out := fmt.Sprintf(verb, v)
				assertNoSecret(t, verb, out, token, hex.EncodeToString([]byte(token)), strings.ToUpper(hex.EncodeToString([]byte(token))))
			}
		}
		// Round trip.
		state, err := ai.ExportState()
		if err != nil {
			t.Fatal(err)
		}
		back, err := keystone.ParseAccessInfo(state)
		if err != nil {
			t.Fatal(err)
		}
		if back.Token() != token || back.Version() != ai.Version() || !back.ExpiresAt.Equal(ai.ExpiresAt) {
			t.Errorf("round trip of %s: %s", ai, back)
		}
	}
	if !v2.IssuedAt.Equal(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("v2 issued_at %v", v2.IssuedAt)
	}
	if v3.OAuth1 == nil || v3.OAuth1.AccessTokenID != "oauth1-access-token-id" {
		t.Errorf("OAuth1 %+v", v3.OAuth1)
	}
}

// Keystone's timestamps may come without a zone: they are UTC.
func TestAccessInfoZonelessTimes(t *testing.T) {
	ai, err := keystone.NewAccessInfoV3("tok", []byte(`{"token": {"methods": ["password"],
		"user": {"id": "u", "name": "n", "domain": {"id": "d", "name": "D"}},
		"expires_at": "2026-11-28T10:00:00.000000", "issued_at": "2026-11-28T09:00:00"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC); !ai.ExpiresAt.Equal(want) || ai.ExpiresAt.Location() != time.UTC {
		t.Errorf("expires_at = %v, want %v", ai.ExpiresAt, want)
	}
	if want := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC); !ai.IssuedAt.Equal(want) {
		t.Errorf("issued_at = %v, want %v", ai.IssuedAt, want)
	}
	// With a zone, as before (normalised to UTC).
	ai, err = keystone.NewAccessInfoV3("tok", []byte(`{"token": {"user": {"id": "u"}, "expires_at": "2026-11-28T12:00:00.5+02:00"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 28, 10, 0, 0, 5e8, time.UTC); !ai.ExpiresAt.Equal(want) {
		t.Errorf("expires_at = %v, want %v", ai.ExpiresAt, want)
	}
	v2, err := keystone.NewAccessInfoV2([]byte(`{"access": {"token": {"id": "x", "expires": "2026-11-28T10:00:00.000000", "issued_at": "2026-11-28T09:00:00.000000"},
		"user": {"id": "u", "name": "n", "roles": []}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC); !v2.ExpiresAt.Equal(want) {
		t.Errorf("v2 expires = %v, want %v", v2.ExpiresAt, want)
	}
	for _, bad := range []string{`"tomorrow"`, `"2026-13-01T00:00:00"`, `12`} {
		if _, err := keystone.NewAccessInfoV3("tok", []byte(`{"token": {"user": {"id": "u"}, "expires_at": `+bad+`}}`)); err == nil {
			t.Errorf("accepted expires_at %s", bad)
		}
	}
}

// The read methods of a nil *AccessInfo do not panic.
func TestAccessInfoNilSafe(t *testing.T) {
	var ai *keystone.AccessInfo
	if ai.String() != "<nil>" || ai.GoString() != "<nil>" || ai.Token() != "" || ai.TokenDigest() != "" || ai.Version() != "" ||
		ai.Body() != nil || ai.Catalog() != nil || ai.Scoped() || ai.ProjectScoped() || ai.DomainScoped() || ai.SystemScoped() ||
		ai.TrustScoped() || ai.HasRole("admin") || !ai.WillExpireSoon(time.Now(), 0) {
		t.Error("a nil AccessInfo is not empty")
	}
	if s := fmt.Sprintf("%v %+v %s %d", ai, ai, ai, ai); strings.Contains(s, "PANIC") {
		t.Errorf("printing a nil AccessInfo: %s", s)
	}
	if data, err := json.Marshal(ai); err != nil || string(data) != "null" {
		t.Errorf("json: %s %v", data, err)
	}
	if _, err := ai.ExportState(); err == nil {
		t.Error("a nil AccessInfo exports a state")
	}
	var zero keystone.AccessInfo
	if zero.Token() != "" || zero.String() == "" || zero.Body() != nil {
		t.Error("the zero AccessInfo")
	}
	if _, err := zero.ExportState(); err == nil {
		t.Error("the zero AccessInfo exports a state")
	}
}

func mustAccessToken(t *testing.T, token string, body []byte) *keystone.AccessInfo {
	t.Helper()
	ai, err := keystone.NewAccessInfoV3(token, body)
	if err != nil {
		t.Fatal(err)
	}
	return ai
}
