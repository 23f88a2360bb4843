package keystonetest_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // the fake signs with rsa-sha1, as Keystone
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// samlCall sends a request to srv and returns the status, the body and the
// headers.
func samlCall(t *testing.T, srv *keystonetest.Server, token, method, path, body string) (int, []byte, http.Header) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// samlWant is samlCall expecting status want; it decodes a JSON answer.
func samlWant(t *testing.T, srv *keystonetest.Server, token, method, path, body string, want int) map[string]any {
	t.Helper()
	got, b, _ := samlCall(t, srv, token, method, path, body)
	if got != want {
		t.Fatalf("%s %s %s: %d %s, want %d", method, path, body, got, b, want)
	}
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// samlToken issues a password token for a user given by ID; scope is a JSON
// scope or "".
func samlToken(t *testing.T, srv *keystonetest.Server, userID, password, scope string) string {
	t.Helper()
	body := fmt.Sprintf(`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": %q, "password": %q}}}`, userID, password)
	if scope != "" {
		body += `, "scope": ` + scope
	}
	_, b, h := samlCall(t, srv, "", http.MethodPost, "/v3/auth/tokens", body+"}}")
	if h.Get("X-Subject-Token") == "" {
		t.Fatalf("token: %s", b)
	}
	return h.Get("X-Subject-Token")
}

func samlID(out map[string]any, key string) string { return out[key].(map[string]any)["id"].(string) }

// samlRequest is the body of an assertion request.
func samlRequest(token, spID string) string {
	return fmt.Sprintf(`{"auth": {"identity": {"methods": ["token"], "token": {"id": %q}}, "scope": {"service_provider": {"id": %q}}}}`, token, spID)
}

// samlSP creates a service provider; extra are more JSON members.
func samlSP(t *testing.T, srv *keystonetest.Server, adm, id, extra string) {
	t.Helper()
	samlWant(t, srv, adm, http.MethodPut, "/v3/OS-FEDERATION/service_providers/"+id,
		`{"service_provider": {"auth_url": "https://sp.example/v3/OS-FEDERATION/identity_providers/k2k/protocols/saml2/auth", `+
			`"sp_url": "https://sp.example/Shibboleth.sso/SAML2/ECP"`+extra+`}}`, 201)
}

// The documents, as far as these tests read them.
type (
	samlTestMetadata struct {
		XMLName  xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
		EntityID string   `xml:"entityID,attr"`
		IDP      struct {
			Protocol string `xml:"protocolSupportEnumeration,attr"`
			Key      struct {
				Use         string `xml:"use,attr"`
				Certificate string `xml:"KeyInfo>X509Data>X509Certificate"`
			} `xml:"KeyDescriptor"`
			NameIDFmt string `xml:"NameIDFormat"`
			SSO       struct {
				Binding  string `xml:"Binding,attr"`
				Location string `xml:"Location,attr"`
			} `xml:"SingleSignOnService"`
		} `xml:"IDPSSODescriptor"`
	}
	samlTestResponse struct {
		XMLName      xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:protocol Response"`
		ID           string   `xml:"ID,attr"`
		Version      string   `xml:"Version,attr"`
		IssueInstant string   `xml:"IssueInstant,attr"`
		Destination  string   `xml:"Destination,attr"`
		Issuer       string   `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
		Status       struct {
			Value string `xml:"Value,attr"`
		} `xml:"Status>StatusCode"`
		Assertion struct {
			ID           string `xml:"ID,attr"`
			Version      string `xml:"Version,attr"`
			IssueInstant string `xml:"IssueInstant,attr"`
			Issuer       struct {
				Format string `xml:"Format,attr"`
				Value  string `xml:",chardata"`
			} `xml:"Issuer"`
			Signature struct {
				C14N      samlTestAlg `xml:"SignedInfo>CanonicalizationMethod"`
				Method    samlTestAlg `xml:"SignedInfo>SignatureMethod"`
				Reference struct {
					URI        string        `xml:"URI,attr"`
					Transforms []samlTestAlg `xml:"Transforms>Transform"`
					Digest     string        `xml:"DigestValue"`
				} `xml:"SignedInfo>Reference"`
				Value       string `xml:"SignatureValue"`
				Certificate string `xml:"KeyInfo>X509Data>X509Certificate"`
			} `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
			NameID       string `xml:"Subject>NameID"`
			Confirmation struct {
				Method string `xml:"Method,attr"`
				Data   struct {
					Recipient    string `xml:"Recipient,attr"`
					NotOnOrAfter string `xml:"NotOnOrAfter,attr"`
				} `xml:"SubjectConfirmationData"`
			} `xml:"Subject>SubjectConfirmation"`
			Authn struct {
				SessionIndex        string `xml:"SessionIndex,attr"`
				SessionNotOnOrAfter string `xml:"SessionNotOnOrAfter,attr"`
				ClassRef            string `xml:"AuthnContext>AuthnContextClassRef"`
				Authority           string `xml:"AuthnContext>AuthenticatingAuthority"`
			} `xml:"AuthnStatement"`
			Attributes []struct {
				Name   string `xml:"Name,attr"`
				Values []struct {
					Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
					Value string `xml:",chardata"`
				} `xml:"AttributeValue"`
			} `xml:"AttributeStatement>Attribute"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	}
	samlTestAlg struct {
		Algorithm string `xml:"Algorithm,attr"`
	}
	samlTestEnvelope struct {
		XMLName    xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
		RelayState struct {
			XMLName        xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp RelayState"`
			MustUnderstand string   `xml:"http://schemas.xmlsoap.org/soap/envelope/ mustUnderstand,attr"`
			Actor          string   `xml:"http://schemas.xmlsoap.org/soap/envelope/ actor,attr"`
			Value          string   `xml:",chardata"`
		} `xml:"Header>RelayState"`
		Response samlTestResponse `xml:"Body>Response"`
	}
)

func (r samlTestResponse) attribute(name string) []string {
	for _, a := range r.Assertion.Attributes {
		if a.Name == name {
			var out []string
			for _, v := range a.Values {
				out = append(out, v.Value)
			}
			return out
		}
	}
	return nil
}

// samlMetadataCert fetches the metadata (without a token) and returns it and
// its certificate.
func samlMetadataCert(t *testing.T, srv *keystonetest.Server) (samlTestMetadata, *x509.Certificate) {
	t.Helper()
	code, b, h := samlCall(t, srv, "", http.MethodGet, "/v3/OS-FEDERATION/saml2/metadata", "")
	if code != 200 || h.Get("Content-Type") != "text/xml" {
		t.Fatalf("metadata: %d %q %s", code, h.Get("Content-Type"), b)
	}
	var md samlTestMetadata
	if err := xml.Unmarshal(b, &md); err != nil {
		t.Fatalf("metadata: %v: %s", err, b)
	}
	der, err := base64.StdEncoding.DecodeString(md.IDP.Key.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return md, cert
}

func TestSAMLMetadataFake(t *testing.T) {
	srv := keystonetest.NewServer(t)
	md, cert := samlMetadataCert(t, srv)
	if md.EntityID != srv.URL+"/v3/OS-FEDERATION/saml2/idp" || md.IDP.SSO.Location != srv.URL+"/v3/OS-FEDERATION/saml2/sso" ||
		md.IDP.SSO.Binding != "urn:oasis:names:tc:SAML:2.0:bindings:URI" || md.IDP.Key.Use != "signing" ||
		md.IDP.Protocol != "urn:oasis:names:tc:SAML:2.0:protocol" || md.IDP.NameIDFmt != "urn:oasis:names:tc:SAML:2.0:nameid-format:transient" {
		t.Errorf("metadata %+v", md)
	}
	if k, ok := cert.PublicKey.(*rsa.PublicKey); !ok || k.Size() != 256 {
		t.Errorf("certificate key %T", cert.PublicKey)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	// The same key every time.
	if _, again := samlMetadataCert(t, srv); !again.Equal(cert) {
		t.Error("the certificate changed")
	}
}

// samlSetup makes a user in a domain of its own, in two groups, with roles
// on a project of another domain, and an enabled service provider.
func samlSetup(t *testing.T, srv *keystonetest.Server, userName, groupName string) (adm, userToken, spID string) {
	t.Helper()
	adm = samlToken(t, srv, srv.AdminUserID, srv.AdminPassword, fmt.Sprintf(`{"project": {"id": %q}}`, srv.AdminProjectID))
	ud := samlID(samlWant(t, srv, adm, "POST", "/v3/domains", `{"domain": {"name": "Users Domain"}}`, 201), "domain")
	pd := samlID(samlWant(t, srv, adm, "POST", "/v3/domains", `{"domain": {"name": "Projects"}}`, 201), "domain")
	proj := samlID(samlWant(t, srv, adm, "POST", "/v3/projects", fmt.Sprintf(`{"project": {"name": "k2k", "domain_id": %q}}`, pd), 201), "project")
	user := samlID(samlWant(t, srv, adm, "POST", "/v3/users",
		fmt.Sprintf(`{"user": {"name": %q, "domain_id": %q, "password": "pw"}}`, userName, ud), 201), "user")
	for _, g := range []string{groupName, "second"} {
		gid := samlID(samlWant(t, srv, adm, "POST", "/v3/groups", fmt.Sprintf(`{"group": {"name": %q, "domain_id": %q}}`, g, pd), 201), "group")
		samlWant(t, srv, adm, "PUT", "/v3/groups/"+gid+"/users/"+user, "", 204)
	}
	for _, r := range []string{"k2k-member", "k2k-viewer"} {
		rid := samlID(samlWant(t, srv, adm, "POST", "/v3/roles", fmt.Sprintf(`{"role": {"name": %q}}`, r), 201), "role")
		samlWant(t, srv, adm, "PUT", "/v3/projects/"+proj+"/users/"+user+"/roles/"+rid, "", 204)
	}
	spID = "k2k-sp"
	samlSP(t, srv, adm, spID, `, "enabled": true`)
	return adm, samlToken(t, srv, user, "pw", fmt.Sprintf(`{"project": {"id": %q}}`, proj)), spID
}

var samlHex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// samlCheckResponse checks a Response for the user of samlSetup.
func samlCheckResponse(t *testing.T, srv *keystonetest.Server, r samlTestResponse, cert *x509.Certificate, now time.Time, userName, groupJSON string) {
	t.Helper()
	a := r.Assertion
	entity := srv.URL + "/v3/OS-FEDERATION/saml2/idp"
	sp := "https://sp.example/Shibboleth.sso/SAML2/ECP"
	// Keystone's times are to the second, with six zero decimals in expiries.
	now = now.UTC().Truncate(time.Second)
	stamp, expires := now.Format("2006-01-02T15:04:05Z"), now.Add(time.Hour).Format("2006-01-02T15:04:05.000000Z")
	if !samlHex32.MatchString(r.ID) || !samlHex32.MatchString(a.ID) || r.ID == a.ID || r.Version != "2.0" || a.Version != "2.0" ||
		r.IssueInstant != stamp || a.IssueInstant != stamp || r.Destination != sp || r.Issuer != entity ||
		a.Issuer.Value != entity || a.Issuer.Format != "urn:oasis:names:tc:SAML:2.0:nameid-format:entity" ||
		r.Status.Value != "urn:oasis:names:tc:SAML:2.0:status:Success" {
		t.Errorf("response %+v", r)
	}
	if c := a.Confirmation; a.NameID != userName || c.Method != "urn:oasis:names:tc:SAML:2.0:cm:bearer" || c.Data.Recipient != sp ||
		c.Data.NotOnOrAfter != expires {
		t.Errorf("subject %q %+v", a.NameID, c)
	}
	if !samlHex32.MatchString(a.Authn.SessionIndex) || a.Authn.SessionNotOnOrAfter != expires ||
		a.Authn.ClassRef != "urn:oasis:names:tc:SAML:2.0:ac:classes:Password" || a.Authn.Authority != entity {
		t.Errorf("authn statement %+v", a.Authn)
	}
	var names []string
	for _, at := range a.Attributes {
		names = append(names, at.Name)
		for _, v := range at.Values {
			if v.Type != "xs:string" {
				t.Errorf("attribute %s: type %q", at.Name, v.Type)
			}
		}
	}
	wantNames := []string{"openstack_user", "openstack_roles", "openstack_project", "openstack_project_domain", "openstack_user_domain", "openstack_groups"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("attributes %v, want %v", names, wantNames)
	}
	roles := r.attribute("openstack_roles")
	slices.Sort(roles)
	for name, want := range map[string][]string{
		"openstack_user": {userName}, "openstack_roles": {"k2k-member", "k2k-viewer"}, "openstack_project": {"k2k"},
		"openstack_project_domain": {"Projects"}, "openstack_user_domain": {"Users Domain"},
		"openstack_groups": {`JSON:{"name": ` + groupJSON + `, "domain": {"name": "Projects"}}`,
			`JSON:{"name": "second", "domain": {"name": "Projects"}}`},
	} {
		got := r.attribute(name)
		if name == "openstack_roles" {
			got = roles
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}

	// The signature: Keystone's algorithms, the metadata's certificate, and
	// a signature of SignedInfo that the certificate's key verifies.
	s := a.Signature
	if s.C14N.Algorithm != "http://www.w3.org/2001/10/xml-exc-c14n#" || s.Method.Algorithm != "http://www.w3.org/2000/09/xmldsig#rsa-sha1" ||
		s.Reference.URI != "#"+a.ID || !slices.Equal(s.Reference.Transforms, []samlTestAlg{
		{"http://www.w3.org/2000/09/xmldsig#enveloped-signature"}, {"http://www.w3.org/2001/10/xml-exc-c14n#"}}) {
		t.Errorf("signature %+v", s)
	}
	if der, _ := base64.StdEncoding.DecodeString(s.Certificate); !slices.Equal(der, cert.Raw) {
		t.Error("the assertion's certificate is not the metadata's")
	}
	if d, err := base64.StdEncoding.DecodeString(s.Reference.Digest); err != nil || len(d) != sha1.Size {
		t.Errorf("digest %q", s.Reference.Digest)
	}
}

// samlCheckSignedInfo verifies the signature of SignedInfo in doc with cert:
// the canonical form of this SignedInfo (no text but the digest, no other
// namespace) is its text with the xmldsig declaration and end tags.
// The digest itself is checked by xmlsec1 (v3_saml_integration_test.go).
func samlCheckSignedInfo(t *testing.T, doc []byte, sigValue string, cert *x509.Certificate) {
	t.Helper()
	si := regexp.MustCompile(`<xmldsig:SignedInfo>.*</xmldsig:SignedInfo>`).Find(doc)
	if si == nil {
		t.Fatalf("no SignedInfo in %s", doc)
	}
	c := strings.Replace(string(si), "<xmldsig:SignedInfo>", `<xmldsig:SignedInfo xmlns:xmldsig="http://www.w3.org/2000/09/xmldsig#">`, 1)
	c = regexp.MustCompile(`<(xmldsig:\w+)([^<>]*) />`).ReplaceAllString(c, "<$1$2></$1>")
	sig, err := base64.StdEncoding.DecodeString(sigValue)
	if err != nil {
		t.Fatal(err)
	}
	h := sha1.Sum([]byte(c)) //nolint:gosec // as Keystone
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA1, h[:], sig); err != nil {
		t.Errorf("SignedInfo signature: %v\n%s", err, c)
	}
}

func TestSAMLAssertionFake(t *testing.T) {
	now := time.Date(2031, 5, 6, 7, 8, 9, 987654321, time.UTC)
	srv := keystonetest.NewServer(t, keystonetest.WithClock(func() time.Time { return now }))
	_, cert := samlMetadataCert(t, srv)
	userName, groupName := `Zoë & <"co"> 'x'`, `g "quoted" \ é`
	groupJSON := `"g \"quoted\" \\ \u00e9"` // Python's json.dumps
	_, tok, spID := samlSetup(t, srv, userName, groupName)

	code, b, h := samlCall(t, srv, "", http.MethodPost, "/v3/auth/OS-FEDERATION/saml2", samlRequest(tok, spID))
	if code != 200 || h.Get("Content-Type") != "text/xml" || h.Get("X-Sp-Url") != "https://sp.example/Shibboleth.sso/SAML2/ECP" ||
		h.Get("X-Auth-Url") != "https://sp.example/v3/OS-FEDERATION/identity_providers/k2k/protocols/saml2/auth" {
		t.Fatalf("%d %v %s", code, h, b)
	}
	if !strings.HasPrefix(string(b), `<ns0:Response xmlns:ns0="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" `) {
		t.Errorf("document %s", b)
	}
	var r samlTestResponse
	if err := xml.Unmarshal(b, &r); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	samlCheckResponse(t, srv, r, cert, now, userName, groupJSON)
	samlCheckSignedInfo(t, b, r.Assertion.Signature.Value, cert)

	t.Run("ecp", func(t *testing.T) {
		code, b, h := samlCall(t, srv, "", http.MethodPost, "/v3/auth/OS-FEDERATION/saml2/ecp", samlRequest(tok, spID))
		if code != 200 || h.Get("Content-Type") != "text/xml" || h.Get("X-Sp-Url") != "https://sp.example/Shibboleth.sso/SAML2/ECP" {
			t.Fatalf("%d %v %s", code, h, b)
		}
		var env samlTestEnvelope
		if err := xml.Unmarshal(b, &env); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		rs := env.RelayState
		// Keystone's default relay_state_prefix and a random ID.
		if id, ok := strings.CutPrefix(rs.Value, "ss:mem:"); !ok || !samlHex32.MatchString(id) ||
			rs.MustUnderstand != "1" || rs.Actor != "http://schemas.xmlsoap.org/soap/actor/next" {
			t.Errorf("RelayState %+v", rs)
		}
		samlCheckResponse(t, srv, env.Response, cert, now, userName, groupJSON)
		samlCheckSignedInfo(t, b, env.Response.Assertion.Signature.Value, cert)
	})
}

func TestSAMLAssertionErrorsFake(t *testing.T) {
	srv := keystonetest.NewServer(t)
	adm, tok, spID := samlSetup(t, srv, "someone", "group")
	samlSP(t, srv, adm, "off", "")
	unscoped := samlToken(t, srv, srv.AdminUserID, srv.AdminPassword, "")
	roles := samlWant(t, srv, adm, http.MethodGet, "/v3/roles?name=admin", "", 200)["roles"].([]any)
	admin := roles[0].(map[string]any)["id"].(string)
	samlWant(t, srv, adm, http.MethodPut, "/v3/domains/default/users/"+srv.AdminUserID+"/roles/"+admin, "", 204)
	domainScoped := samlToken(t, srv, srv.AdminUserID, srv.AdminPassword, `{"domain": {"id": "default"}}`)
	notScoped := "You are not authorized to perform the requested action: Use a project scoped token when attempting to create a SAML assertion."
	for _, c := range []struct {
		name, body string
		code       int
		message    string
	}{
		{"unknown service provider", samlRequest(tok, "nope"), 404, "Could not find Service Provider: nope."},
		{"unknown service provider first", samlRequest("not-a-token", "nope"), 404, "Could not find Service Provider: nope."},
		{"empty service provider ID", samlRequest(tok, ""), 404, "Could not find Service Provider: ."},
		{"disabled service provider", samlRequest(tok, "off"), 403, "You are not authorized to perform the requested action."},
		{"invalid token", samlRequest("not-a-token", spID), 404, ""},
		{"unscoped token", samlRequest(unscoped, spID), 403, notScoped},
		{"domain-scoped token", samlRequest(domainScoped, spID), 403, notScoped},
		{"empty body", `{}`, 400, ""},
		{"no token", `{"auth": {"identity": {"methods": ["token"]}, "scope": {"service_provider": {"id": "k2k-sp"}}}}`, 400, ""},
		{"no scope", fmt.Sprintf(`{"auth": {"identity": {"token": {"id": %q}}}}`, tok), 400, ""},
		{"project scope", fmt.Sprintf(`{"auth": {"identity": {"token": {"id": %q}}, "scope": {"project": {"id": "x"}}}}`, tok), 400, ""},
		{"other member", fmt.Sprintf(`{"auth": {"identity": {"token": {"id": %q}}, "scope": {"service_provider": {"id": "k2k-sp"}}, "x": 1}}`, tok), 400, ""},
		{"not JSON", `not json`, 400, ""},
		{"not an object", `[]`, 400, ""},
	} {
		for _, path := range []string{"/v3/auth/OS-FEDERATION/saml2", "/v3/auth/OS-FEDERATION/saml2/ecp"} {
			t.Run(c.name+path[len("/v3/auth/OS-FEDERATION/saml2"):], func(t *testing.T) {
				out := samlWant(t, srv, "", http.MethodPost, path, c.body, c.code)
				e, _ := out["error"].(map[string]any)
				if e == nil || e["code"] != float64(c.code) || (c.message != "" && e["message"] != c.message) {
					t.Errorf("error %v, want %d %q", out, c.code, c.message)
				}
			})
		}
	}
	// The token is in the body: X-Auth-Token does not matter.
	samlWant(t, srv, "not-a-token", http.MethodPost, "/v3/auth/OS-FEDERATION/saml2", samlRequest(tok, spID), 200)
	// A service provider's own relay_state_prefix.
	samlWant(t, srv, adm, http.MethodPatch, "/v3/OS-FEDERATION/service_providers/off", `{"service_provider": {"enabled": true, "relay_state_prefix": "rs:"}}`, 200)
	_, b, _ := samlCall(t, srv, "", http.MethodPost, "/v3/auth/OS-FEDERATION/saml2/ecp", samlRequest(tok, "off"))
	var env samlTestEnvelope
	if err := xml.Unmarshal(b, &env); err != nil || !strings.HasPrefix(env.RelayState.Value, "rs:") {
		t.Errorf("RelayState %q (%v)", env.RelayState.Value, err)
	}
}
