package keystone

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/redact"
)

// The redaction rules of log.go, one case each: names are matched by
// case-insensitive substrings, not by an exact list.
func TestRedactBodyRules(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
		hidden, shown           []string
	}{
		{"nested and mixed-case JSON members", "application/json",
			`{"auth": {"identity": {"methods": ["password", "token"], "password": {"user": {"name": "alice", "Password": "pw-1"}},
			"token": {"id": "tok-1"}}}, "User": {"PASSWORD": "pw-2", "original_password": "pw-3", "password_expires_at": "2030-01-01T00:00:00"},
			"application_credential": {"id": "ac-id", "secret": "ac-secret"}, "clientSecret": "cs-1", "totp": {"user": {"passcode": "123456"}},
			"credential": {"blob": "{\"access\": \"a\", \"secret\": \"ec2-1\"}", "type": "ec2"}, "credentials": [{"access": "ak", "secret": "ec2-2"}],
			"OS-OAUTH1": {"access_token_id": "oat-1", "consumer_id": "c1"}, "oauth_verifier": "ver-1", "SAMLAssertion": "<saml>a-1</saml>",
			"private_key": "pk-1", "X-Api-Key": "key-1", "signature": "sig-1", "access_token": "o2-1", "Cookie": "c=cookie-1", "authorization": "Basic b-1",
			"access": {"token": {"id": "v2-tok", "expires": "2030"}, "user": {"id": "u1"}}, "access_tokens": [{"id": "oat-2"}], "token_list": ["tok-3"],
			"passwd": "pw-4", "receipt": {"methods": ["password"]}, "expires_in": 3600}`,
			[]string{"pw-1", "pw-2", "pw-3", "pw-4", "tok-1", "tok-3", "ac-secret", "cs-1", "123456", "ec2-1", "ec2-2", "oat-1", "oat-2", "ver-1", "a-1", "pk-1", "key-1", "sig-1", "o2-1", "cookie-1", "b-1", "v2-tok"},
			[]string{`"password":"***"`, `"password_expires_at":"2030-01-01T00:00:00"`, `"consumer_id":"c1"`, `"id":"ac-id"`, `"access":"ak"`, `"user":{"id":"u1"}`, `"expires_in":3600`, `"methods":["password","token"]`, "{SHA256}"}},
		{"a JSON array", "application/vnd.openstack.identity-v3+json; charset=UTF-8", `[{"password": "pw-1"}, {"name": "n"}]`,
			[]string{"pw-1"}, []string{`"name":"n"`}},
		{"JSON without a content type", "", `{"password": "pw-1"}`, []string{"pw-1"}, []string{`"password":"***"`}},
		{"invalid JSON", "application/json", `{"password": "pw-1"`, []string{"pw-1"}, []string{"(not valid JSON), not logged"}},
		{"OAuth1 form", "application/x-www-form-urlencoded",
			`oauth_token=rt-1&oauth_token_secret=rts-1&oauth_verifier=ver-1&oauth_expires_at=2030-01-01T00%3A00%3A00Z&Client_Secret=cs-1&grant_type=client_credentials&PASSWORD=pw-1`,
			[]string{"rt-1", "rts-1", "ver-1", "cs-1", "pw-1"}, []string{"oauth_expires_at=2030-01-01T00%3A00%3A00Z", "grant_type=client_credentials", "oauth_token={SHA256}"}},
		{"a SAML2 assertion", "text/xml", `<samlp:Response><saml:Assertion>assertion-1</saml:Assertion></samlp:Response>`,
			[]string{"assertion-1", "Assertion"}, []string{"<77 bytes of text/xml, not logged>"}},
		{"an ECP envelope", "application/vnd.paos+xml", `<S:Envelope>ecp-1</S:Envelope>`, []string{"ecp-1"}, []string{"bytes of application/vnd.paos+xml, not logged"}},
		{"plain text", "text/plain", `oauth_token=rt-1&oauth_token_secret=rts-1`, []string{"rt-1", "rts-1"}, []string{"not logged"}},
		{"HTML", "text/html", `<p>token tok-1</p>`, []string{"tok-1"}, []string{"not logged"}},
		{"binary", "application/octet-stream", "\x00secret-1", []string{"secret-1"}, []string{"<9 bytes of application/octet-stream, not logged>"}},
		{"too large", "application/json", `{"name": "` + strings.Repeat("x", 100) + `"}`, []string{"xxxx"}, []string{"not logged"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := redactBody(tc.contentType, []byte(tc.body), int64(len(tc.body)), 90)
			if tc.name != "too large" {
				got = redactBody(tc.contentType, []byte(tc.body), int64(len(tc.body)), maxLoggedBody)
			}
			for _, s := range tc.hidden {
				if strings.Contains(got, s) {
					t.Errorf("shows %q: %s", s, got)
				}
			}
			for _, s := range tc.shown {
				if !strings.Contains(got, s) {
					t.Errorf("lacks %q: %s", s, got)
				}
			}
		})
	}
}

func TestRedactHeaderRules(t *testing.T) {
	for _, k := range []string{"X-Auth-Token", "x-subject-token", "X-Service-Token", "Openstack-Auth-Receipt", "Authorization",
		"Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "X-Custom-Secret", "X-Auth-Password", "X-Amz-Signature"} {
		if got := redactHeader(k, "hv-1"); got != redact.Digest("hv-1") {
			t.Errorf("%s: %q", k, got)
		}
	}
	for _, k := range []string{"Content-Type", "X-Openstack-Request-Id", "User-Agent", "Www-Authenticate", "Location"} {
		if got := redactHeader(k, "v"); got != "v" {
			t.Errorf("%s is masked: %q", k, got)
		}
	}
}

func TestRedactURLRules(t *testing.T) {
	for _, tc := range []struct {
		in     string
		hidden []string
		want   string
	}{
		{"https://ks/v2.0/tokens/tok-1", []string{"tok-1"}, "https://ks/v2.0/tokens/" + redact.Digest("tok-1")},
		{"https://ks/v2.0/tokens/tok-1/endpoints?belongsTo=t1", []string{"tok-1"}, "https://ks/v2.0/tokens/" + redact.Digest("tok-1") + "/endpoints?belongsTo=t1"},
		{"https://ks/identity/v3/OS-OAUTH1/authorize/rt-1", []string{"rt-1"}, "https://ks/identity/v3/OS-OAUTH1/authorize/" + redact.Digest("rt-1")},
		{"https://ks/v3/users/u1/OS-OAUTH1/access_tokens/at-1/roles/r1", []string{"at-1"}, "https://ks/v3/users/u1/OS-OAUTH1/access_tokens/" + redact.Digest("at-1") + "/roles/r1"},
		{"https://ks/v3/auth/tokens/OS-PKI/revoked", nil, "https://ks/v3/auth/tokens/OS-PKI/revoked"},
		{"https://ks/v2.0/tokens/revoked", nil, "https://ks/v2.0/tokens/revoked"},
		{"https://ks/v3/auth/tokens?nocatalog&allow_expired=1", nil, "https://ks/v3/auth/tokens?nocatalog&allow_expired=1"},
		{"https://ks/v2.0/tokens/tok%2F1", []string{"tok%2F1", "tok/1"}, "https://ks/v2.0/tokens/" + redact.Digest("tok/1")},
		{"https://alice:pw-1@ks/v3/projects?name=web&Access_Token=at-1&oauth_verifier=ver-1&X-Auth-Token=tok-1&api_key=k-1&password=pw-2",
			[]string{"pw-1", "at-1", "ver-1", "tok-1", "k-1", "pw-2"}, "https://alice:xxxxx@ks/v3/projects?name=web&Access_Token={SHA256}"},
		{"https://ks/cb#access_token=frag-1&state=s", []string{"frag-1"}, "https://ks/cb#access_token={SHA256}"},
		{"/v2.0/tokens/tok-1", []string{"tok-1"}, "/v2.0/tokens/" + redact.Digest("tok-1")},
	} {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got := redactURL(u)
		for _, s := range tc.hidden {
			if strings.Contains(got, s) {
				t.Errorf("%s: shows %q: %s", tc.in, s, got)
			}
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s…", tc.in, got, tc.want)
		}
	}
	if redactURL(nil) != "" {
		t.Error("nil URL")
	}
}
