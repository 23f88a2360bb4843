package keystone_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/printtest"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystone/identityv3"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// assertRendersNoSecret fails when a rendering of v shows one of secrets, or
// its hex encoding (lower or upper case).
func assertRendersNoSecret(t *testing.T, name string, v any, secrets ...string) {
	t.Helper()
	for how, text := range printtest.Renderings(v) {
		if strings.Contains(text, "PANIC") {
			t.Errorf("%s through %s panics: %s", name, how, text)
		}
		for _, s := range secrets {
			if s == "" {
				continue
			}
			h := hex.EncodeToString([]byte(s))
			for _, form := range []string{s, h, strings.ToUpper(h)} {
				if strings.Contains(text, form) {
					t.Errorf("%s through %s shows the secret %q (as %q):\n%s", name, how, s, form, text)
				}
			}
		}
	}
}

// TestNoValueShowsASecret builds every secret-bearing value of the keystone
// package (and identityv3's OAuth1 values and the in-memory Keystone) with
// known secrets, and prints each every way.
func TestNoValueShowsASecret(t *testing.T) {
	const (
		v3Token      = "gAAAAA-v3-token-secret-1"
		v2Token      = "v2-token-secret-2"
		staticToken  = "admin-token-secret-3"
		receiptID    = "receipt-secret-4"
		consumerSec  = "oauth1-consumer-secret-5"
		oauthToken   = "oauth1-token-secret-6"
		oauthTokSec  = "oauth1-token-secret-secret-7"
		cookie       = "cookie-secret-8"
		bodyPassword = "request-password-9"
		bodyToken    = "request-token-10"
		oauthAccess  = "oauth1-access-token-id-11"
	)
	v3 := mustAccessToken(t, v3Token, []byte(`{"token": {"methods": ["password", "oauth1"], "expires_at": "2030-01-01T10:00:00.000000", "issued_at": "2030-01-01T09:00:00Z",
		"user": {"id": "u1", "name": "alice", "domain": {"id": "d", "name": "D"}, "password_expires_at": null},
		"project": {"id": "p1", "name": "demo", "domain": {"id": "d", "name": "D"}}, "roles": [{"id": "r1", "name": "admin"}],
		"OS-OAUTH1": {"access_token_id": "`+oauthAccess+`", "consumer_id": "c1"},
		"catalog": [{"id": "s1", "type": "identity", "name": "keystone", "endpoints": [{"id": "e1", "interface": "public", "region_id": "R", "url": "http://ks/v3"}]}]}}`))
	v2, err := keystone.NewAccessInfoV2([]byte(`{"access": {"token": {"id": "` + v2Token + `", "expires": "2030-01-01T10:00:00Z", "tenant": {"id": "t1", "name": "demo"}},
		"user": {"id": "u1", "name": "alice", "roles": [{"name": "admin"}]}, "serviceCatalog": [], "metadata": {"is_admin": 0, "roles": ["r1"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	static := keystone.NewStaticAccess(staticToken)

	// Plugins, with their current token.
	ks := keystonetest.NewServer(t)
	pw := passwordAuth(t, ks)
	if _, err := pw.Token(t.Context(), newSession(t)); err != nil {
		t.Fatal(err)
	}
	adminTok, err := authplugin.NewAdminToken("http://ks/v3", staticToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := adminTok.Token(t.Context(), newSession(t)); err != nil {
		t.Fatal(err)
	}
	saved := keystone.NewAuthFromAccess(v3)
	// Multi-factor: a receipt.
	if err := ks.RequireMFA(ks.AdminUserID, []string{"password", "totp"}); err != nil {
		t.Fatal(err)
	}
	_, mfaErr := passwordAuth(t, ks).Token(t.Context(), newSession(t))
	var are *keystone.AuthReceiptError
	if !errors.As(mfaErr, &are) || are.Receipt == nil || are.Receipt.ID == "" {
		t.Fatalf("want an AuthReceiptError, got %v", mfaErr)
	}
	if err := ks.RequireMFA(ks.AdminUserID); err != nil {
		t.Fatal(err)
	}
	realReceipt := are.Receipt.ID

	receipt := &keystone.AuthReceipt{ID: receiptID, Methods: []string{"password"}, RequiredMethods: [][]string{{"password", "totp"}},
		UserID: "u1", ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	he := &keystone.HTTPError{StatusCode: 401, Method: "GET", URL: "http://ks/v3/auth/tokens", Title: "Unauthorized", Message: "The request you have made requires authentication.",
		Header:  http.Header{"Set-Cookie": {"session=" + cookie}, "X-Subject-Token": {v3Token}, "Openstack-Auth-Receipt": {receiptID}, "Content-Type": {"application/json"}},
		Receipt: receipt}
	request := keystone.Request{Method: http.MethodPost, URL: "http://ks/v2.0/tokens/" + v2Token + "/endpoints?X-Auth-Token=" + v3Token,
		Header: http.Header{"X-Auth-Token": {v3Token}, "X-Service-Token": {staticToken}, "Cookie": {cookie}, "Content-Type": {"application/json"}},
		JSON: map[string]any{"auth": map[string]any{"identity": map[string]any{"methods": []string{"password", "token"},
			"password": map[string]any{"user": map[string]any{"name": "alice", "password": bodyPassword}},
			"token":    map[string]any{"id": bodyToken}}}},
		Auth: pw,
	}
	rawRequest := keystone.Request{Method: http.MethodPost, URL: "/v3/OS-OAUTH1/authorize/" + oauthToken, Header: http.Header{"Content-Type": {"text/xml"}},
		Body: []byte("<Assertion>" + bodyToken + "</Assertion>"), NoAuth: true, Auth: adminTok}
	signer := identityv3.OAuth1Signer{ConsumerKey: "ck", ConsumerSecret: consumerSec, Token: oauthToken, TokenSecret: oauthTokSec}
	creds := identityv3.OAuth1Credentials{Token: oauthToken, TokenSecret: oauthTokSec, ExpiresAt: time.Now()}

	secrets := []string{v3Token, v2Token, staticToken, receiptID, consumerSec, oauthToken, oauthTokSec, cookie, bodyPassword, bodyToken, oauthAccess,
		pw.Current().Token(), realReceipt, ks.AdminPassword}
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"v3 *AccessInfo", v3},
		{"v3 AccessInfo", *v3},
		{"v2.0 *AccessInfo", v2},
		{"v2.0 AccessInfo", *v2},
		{"static *AccessInfo", static},
		{"nil *AccessInfo", (*keystone.AccessInfo)(nil)},
		{"[]*AccessInfo", []*keystone.AccessInfo{v3, v2}},
		{"map of AccessInfo", map[string]keystone.AccessInfo{"a": *v2}},
		{"struct with an unexported AccessInfo", struct{ a keystone.AccessInfo }{*v2}},
		{"*OAuth1Ref", v3.OAuth1},
		{"OAuth1Ref", *v3.OAuth1},
		{"password *Auth", pw},
		{"admin token *Auth", adminTok},
		{"saved *Auth", saved},
		{"nil *Auth", (*keystone.Auth)(nil)},
		{"Request", request},
		{"*Request", &request},
		{"raw Request", rawRequest},
		{"*HTTPError", he},
		{"HTTPError", *he},
		{"wrapped *HTTPError", fmt.Errorf("%w: %w", keystone.ErrAuthorizationFailure, he)},
		{"*AuthReceipt", receipt},
		{"AuthReceipt", *receipt},
		{"*AuthReceiptError", &keystone.AuthReceiptError{Receipt: receipt, Err: he}},
		{"AuthReceiptError", keystone.AuthReceiptError{Receipt: receipt, Err: he}},
		{"a real *AuthReceiptError", mfaErr},
		{"OAuth1Signer", signer},
		{"*OAuth1Signer", &signer},
		{"OAuth1Credentials", creds},
		{"*OAuth1Credentials", &creds},
		{"*keystonetest.Server", ks},
	} {
		t.Run(tc.name, func(t *testing.T) { assertRendersNoSecret(t, tc.name, tc.v, secrets...) })
	}

	// What the descriptions do show.
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{v3, []string{"alice", "project p1", v3.TokenDigest()}},
		{pw, []string{"v3password", "Password: ***", "token: AccessInfo{"}},
		{adminTok, []string{"admintoken", "http://ks/v3", static.TokenDigest()}},
		{request, []string{`"password":"***"`, "X-Auth-Token: {SHA256}", "/v2.0/tokens/{SHA256}"}},
		{rawRequest, []string{"bytes of text/xml, not logged", "/OS-OAUTH1/authorize/{SHA256}"}},
		{he, []string{"401 Unauthorized"}},
		{ks, []string{ks.URL, ks.AdminUser}},
		{signer, []string{"ck", "***"}},
		{*v3.OAuth1, []string{"c1", "{SHA256}"}},
		{mfaErr, []string{"multi-factor authentication incomplete"}},
	} {
		got := fmt.Sprintf("%v", tc.v)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%T prints %s, without %q", tc.v, got, w)
			}
		}
	}
	if got := fmt.Sprintf("%#v", he); !strings.Contains(got, `"Set-Cookie":[]string{"{SHA256}`) || !strings.Contains(got, "AuthReceipt{user u1") {
		t.Errorf("%%#v of an HTTPError: %s", got)
	}
	// Printing an AuthReceiptError without a receipt does not panic (its
	// Error method does).
	if got := fmt.Sprintf("%v %+v %#v", &keystone.AuthReceiptError{Err: he}, keystone.AuthReceiptError{}, &keystone.AuthReceiptError{}); strings.Contains(got, "PANIC") {
		t.Errorf("printing an AuthReceiptError without a receipt: %s", got)
	}
	// ExportState is the one way to get the token out, and it still works.
	state, err := pw.ExportState()
	if err != nil || !strings.Contains(string(state), pw.Current().Token()) {
		t.Errorf("ExportState lost the token: %s %v", state, err)
	}
}
