package keystone_test

import (
	"bytes"
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
	// Lossless round trip.
	data, err := json.Marshal(ai)
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
