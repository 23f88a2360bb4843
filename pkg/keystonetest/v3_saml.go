package keystonetest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // Keystone 22 signs its assertions with rsa-sha1 (xmlsec1's template).
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// Keystone as a SAML2 identity provider (Keystone-to-Keystone federation):
// its metadata, and a project-scoped token turned into a signed assertion
// for a service provider, bare or wrapped for ECP (Keystone 22's
// federation/idp.py and api/_shared/saml.py).
//
// The fake builds the documents itself, as pysaml2 serializes them, and signs
// the assertion as xmlsec1 does with Keystone's template: an enveloped
// signature, exclusive XML canonicalization, rsa-sha1 over a sha1 digest. The
// signing key and its self-signed certificate are made on first use, once per
// process (an RSA key takes tens of milliseconds; a server starts without it).

func init() {
	// (The metadata is public; the assertion endpoints take their token in
	// the body and ignore X-Auth-Token: see the policy table.)
	// Keystone's saml_create schema refuses other members of auth.
	strictRules = append(strictRules, strictRule{http.MethodPost, func(p string) bool {
		return p == "/v3/auth/OS-FEDERATION/saml2" || p == "/v3/auth/OS-FEDERATION/saml2/ecp"
	}, "auth", map[string]bool{"identity": true, "scope": true}})
}

// XML namespaces of the documents.
const (
	nsSAMLMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsSAMLAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsSAMLProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsXMLDSig       = "http://www.w3.org/2000/09/xmldsig#"
	nsXSI           = "http://www.w3.org/2001/XMLSchema-instance"
	nsXS            = "http://www.w3.org/2001/XMLSchema"
	nsSOAPEnvelope  = "http://schemas.xmlsoap.org/soap/envelope/"
	nsECP           = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"
	soapActorNext   = "http://schemas.xmlsoap.org/soap/actor/next"

	algExcC14N   = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algRSASHA1   = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algSHA1      = "http://www.w3.org/2000/09/xmldsig#sha1"
	algEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

	// samlAssertionLifetime is Keystone's `[saml] assertion_expiration_time`.
	samlAssertionLifetime = time.Hour
)

// samlScope is the namespaces the signed assertion relies on (declared on
// the root of both the Response and the ECP envelope, as Keystone does): its
// canonical form, and so its signature, is the same in either.
var samlScope = map[string]string{"saml": nsSAMLAssertion, "xmldsig": nsXMLDSig, "xsi": nsXSI}

// --- the signing key

// samlKey is the identity provider's signing key and certificate.
type samlKey struct {
	key  *rsa.PrivateKey
	cert []byte // DER
}

var (
	samlKeyOnce sync.Once
	samlKeyVal  *samlKey
	samlKeyErr  error
)

// samlSigningKey returns the process's SAML signing key, made on first use.
func samlSigningKey() (*samlKey, error) {
	samlKeyOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			samlKeyErr = err
			return
		}
		name := pkix.Name{CommonName: "keystonetest SAML identity provider"}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      name,
			Issuer:       name,
			// Wide enough for any clock a test sets (WithClock, Advance).
			NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:  time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage:  x509.KeyUsageDigitalSignature,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			samlKeyErr = err
			return
		}
		samlKeyVal = &samlKey{key: key, cert: der}
	})
	if samlKeyErr != nil {
		return nil, errorf(http.StatusInternalServerError, "Error when signing assertion, reason: %v", samlKeyErr)
	}
	return samlKeyVal, nil
}

// --- the handlers

// samlEntityID is the identity provider's entity ID (`[saml] idp_entity_id`
// of the real test setup).
func (st *state) samlEntityID() string { return st.root + "/v3/OS-FEDERATION/saml2/idp" }

// samlSSOEndpoint is `[saml] idp_sso_endpoint` of the real test setup.
func (st *state) samlSSOEndpoint() string { return st.root + "/v3/OS-FEDERATION/saml2/sso" }

// GetSAML2Metadata answers the identity provider's metadata, as
// `keystone-manage saml_idp_metadata` writes it with Keystone's defaults.
func (s *v3) GetSAML2Metadata(context.Context, v3s.GetSAML2MetadataRequestObject) (v3s.GetSAML2MetadataResponseObject, error) {
	k, err := samlSigningKey()
	if err != nil {
		return nil, err
	}
	doc := samlMetadata(s.state.samlEntityID(), s.state.samlSSOEndpoint(), k.cert)
	return v3s.GetSAML2Metadata200TextXMLResponse{Body: strings.NewReader(doc), ContentLength: int64(len(doc))}, nil
}

// CreateSAML2Assertion answers a SAML2 Response with a signed assertion.
func (s *v3) CreateSAML2Assertion(_ context.Context, req v3s.CreateSAML2AssertionRequestObject) (v3s.CreateSAML2AssertionResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest(invalidJSONMessage)
	}
	a, err := s.state.samlAssertion(*req.Body)
	if err != nil {
		return nil, err
	}
	resp, err := a.response("ns0")
	if err != nil {
		return nil, err
	}
	resp.ns("ns0", nsSAMLProtocol).ns("saml", nsSAMLAssertion).ns("xmldsig", nsXMLDSig).ns("xsi", nsXSI)
	doc := renderXML(resp)
	return v3s.CreateSAML2Assertion200TextXMLResponse{Body: strings.NewReader(doc), ContentLength: int64(len(doc)),
		Headers: v3s.CreateSAML2Assertion200ResponseHeaders{XAuthURL: a.authURL, XSpURL: a.spURL}}, nil
}

// CreateECPAssertion answers the SAML2 Response in a SOAP envelope whose
// header holds the ECP RelayState: the service provider's prefix and a
// random ID.
func (s *v3) CreateECPAssertion(_ context.Context, req v3s.CreateECPAssertionRequestObject) (v3s.CreateECPAssertionResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest(invalidJSONMessage)
	}
	a, err := s.state.samlAssertion(*req.Body)
	if err != nil {
		return nil, err
	}
	// The envelope declares the namespaces; the protocol's prefix is ns2
	// there (pysaml2 numbers the envelope's namespaces in order).
	resp, err := a.response("ns2")
	if err != nil {
		return nil, err
	}
	env := xel("ns0", "Envelope").
		ns("ns0", nsSOAPEnvelope).ns("ns1", nsECP).ns("ns2", nsSAMLProtocol).
		ns("saml", nsSAMLAssertion).ns("xmldsig", nsXMLDSig).ns("xsi", nsXSI).
		add(xel("ns0", "Header").add(
			xel("ns1", "RelayState").pattr("ns0", "mustUnderstand", "1").pattr("ns0", "actor", soapActorNext).
				text(a.relayStatePrefix+newID())),
			xel("ns0", "Body").add(resp))
	doc := renderXML(env)
	return v3s.CreateECPAssertion200TextXMLResponse{Body: strings.NewReader(doc), ContentLength: int64(len(doc)),
		Headers: v3s.CreateECPAssertion200ResponseHeaders{XAuthURL: a.authURL, XSpURL: a.spURL}}, nil
}

const invalidJSONMessage = "Expecting to find valid JSON in request body. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error."

// samlFacts is what an assertion says, read from the state under its lock.
type samlFacts struct {
	issuer, spURL, authURL, relayStatePrefix string
	user, userDomain, project, projectDomain string
	roles, groups                            []string
	now                                      time.Time
}

// samlAssertion checks a request as Keystone does (the service provider
// first, then the token) and gathers the assertion's facts.
func (st *state) samlAssertion(req v3s.SAMLAssertionRequest) (*samlFacts, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	spID := req.Auth.Scope.ServiceProvider.ID
	sp := st.fedArea.sps.get(spID)
	if sp == nil {
		return nil, notFound("Service Provider", spID)
	}
	if !sp.Enabled {
		return nil, forbidden()
	}
	t, err := st.validToken(req.Auth.Identity.Token.ID)
	if err != nil {
		return nil, err
	}
	if t.scope.project == "" {
		return nil, errorf(http.StatusForbidden, "You are not authorized to perform the requested action: "+
			"Use a project scoped token when attempting to create a SAML assertion.")
	}
	u := st.users.get(t.userID)
	p := st.projects.get(t.scope.project)
	if u == nil || p == nil {
		return nil, notFound("token", "<token>")
	}
	pd, _ := value(p.DomainID)
	f := &samlFacts{
		issuer: st.samlEntityID(), spURL: sp.SpURL, authURL: sp.AuthURL,
		relayStatePrefix: sp.RelayStatePrefix,
		user:             u.Name, userDomain: st.domainName(u.DomainID),
		project: p.Name, projectDomain: st.domainName(pd),
		now: st.now().UTC().Truncate(time.Second), // Keystone's times are to the second
	}
	for _, r := range st.tokenRoles(t) {
		if role := st.roles.get(r); role != nil {
			f.roles = append(f.roles, role.Name)
		}
	}
	for _, id := range st.groupsOf(t.userID) {
		if g := st.groups.get(id); g != nil {
			f.groups = append(f.groups, fmt.Sprintf(`JSON:{"name": %s, "domain": {"name": %s}}`,
				pyJSONString(g.Name), pyJSONString(st.domainName(g.DomainID))))
		}
	}
	return f, nil
}

func (st *state) domainName(id string) string {
	if d := st.domains.get(id); d != nil {
		return d.Name
	}
	return ""
}

// --- the documents

const (
	samlTime        = "2006-01-02T15:04:05Z"
	samlSubsecTime  = "2006-01-02T15:04:05.000000Z" // Keystone's isotime(subsecond=True)
	samlEntityFmt   = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
	samlSuccess     = "urn:oasis:names:tc:SAML:2.0:status:Success"
	samlBearer      = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	samlPassword    = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
	samlAttrNameURI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
)

// response builds the SAML2 Response with its signed assertion, the
// protocol's namespace with prefix p. The caller declares the namespaces on
// the response or its parent (those of samlScope and p).
func (f *samlFacts) response(p string) (*xmlElem, error) {
	a, err := f.signedAssertion()
	if err != nil {
		return nil, err
	}
	return xel(p, "Response").
		attr("ID", newID()).attr("Version", "2.0").attr("IssueInstant", f.now.Format(samlTime)).
		attr("Destination", f.spURL).
		add(samlIssuer(f.issuer),
			xel(p, "Status").add(xel(p, "StatusCode").attr("Value", samlSuccess)),
			a), nil
}

func samlIssuer(entityID string) *xmlElem {
	return xel("saml", "Issuer").attr("Format", samlEntityFmt).text(entityID)
}

// signedAssertion builds the assertion and signs it.
func (f *samlFacts) signedAssertion() (*xmlElem, error) {
	k, err := samlSigningKey()
	if err != nil {
		return nil, err
	}
	id := newID()
	expires := f.now.Add(samlAssertionLifetime).Format(samlSubsecTime)
	attribute := func(name string, values ...string) *xmlElem {
		a := xel("saml", "Attribute").attr("Name", name).attr("NameFormat", samlAttrNameURI)
		for _, v := range values {
			a.add(xel("saml", "AttributeValue").ns("xs", nsXS).pattr("xsi", "type", "xs:string").text(v))
		}
		return a
	}
	attrs := xel("saml", "AttributeStatement").add(
		attribute("openstack_user", f.user),
		attribute("openstack_roles", f.roles...),
		attribute("openstack_project", f.project),
		attribute("openstack_project_domain", f.projectDomain),
		attribute("openstack_user_domain", f.userDomain))
	if len(f.groups) > 0 {
		attrs.add(attribute("openstack_groups", f.groups...))
	}
	ds := func(name string) *xmlElem { return xel("xmldsig", name) }
	digest, sigValue := ds("DigestValue"), ds("SignatureValue")
	signedInfo := ds("SignedInfo").add(
		ds("CanonicalizationMethod").attr("Algorithm", algExcC14N),
		ds("SignatureMethod").attr("Algorithm", algRSASHA1),
		ds("Reference").attr("URI", "#"+id).add(
			ds("Transforms").add(
				ds("Transform").attr("Algorithm", algEnveloped),
				ds("Transform").attr("Algorithm", algExcC14N)),
			ds("DigestMethod").attr("Algorithm", algSHA1),
			digest))
	signature := ds("Signature").add(signedInfo, sigValue,
		ds("KeyInfo").add(ds("X509Data").add(ds("X509Certificate").text(base64.StdEncoding.EncodeToString(k.cert)))))
	assertion := xel("saml", "Assertion").attr("Version", "2.0").attr("ID", id).
		attr("IssueInstant", f.now.Format(samlTime)).
		add(samlIssuer(f.issuer), signature,
			xel("saml", "Subject").add(
				xel("saml", "NameID").text(f.user),
				xel("saml", "SubjectConfirmation").attr("Method", samlBearer).add(
					xel("saml", "SubjectConfirmationData").attr("NotOnOrAfter", expires).attr("Recipient", f.spURL))),
			xel("saml", "AuthnStatement").attr("AuthnInstant", f.now.Format(samlTime)).
				attr("SessionIndex", newID()).attr("SessionNotOnOrAfter", expires).add(
				xel("saml", "AuthnContext").add(
					xel("saml", "AuthnContextClassRef").text(samlPassword),
					xel("saml", "AuthenticatingAuthority").text(f.issuer))),
			attrs)
	if err := signEnveloped(assertion, signature, signedInfo, digest, sigValue, samlScope, k.key); err != nil {
		return nil, err
	}
	return assertion, nil
}

// signEnveloped fills in an enveloped signature of e (whose ancestors declare
// scope): the sha1 digest of e's exclusive canonical form without the
// signature, and the rsa-sha1 signature of SignedInfo's canonical form.
func signEnveloped(e, signature, signedInfo, digest, sigValue *xmlElem, scope map[string]string, key *rsa.PrivateKey) error {
	var b strings.Builder
	e.canonical(&b, scope, nil, signature)
	d := sha1.Sum([]byte(b.String())) //nolint:gosec // as Keystone
	digest.text(base64.StdEncoding.EncodeToString(d[:]))
	b.Reset()
	signedInfo.canonical(&b, xmlWithDecls(scope, e.decls, signature.decls), nil, nil)
	h := sha1.Sum([]byte(b.String())) //nolint:gosec // as Keystone
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA1, h[:])
	if err != nil {
		return errorf(http.StatusInternalServerError, "Error when signing assertion, reason: %v", err)
	}
	sigValue.text(base64.StdEncoding.EncodeToString(sig))
	return nil
}

// samlMetadata is the identity provider's EntityDescriptor, with Keystone's
// default organization and contact.
func samlMetadata(entityID, ssoURL string, cert []byte) string {
	md := func(name string) *xmlElem { return xel("ns0", name) }
	lang := func(e *xmlElem, text string) *xmlElem { return e.pattr("xml", "lang", "en").text(text) }
	return renderXML(md("EntityDescriptor").ns("ns0", nsSAMLMetadata).ns("ns1", nsXMLDSig).attr("entityID", entityID).add(
		md("IDPSSODescriptor").attr("protocolSupportEnumeration", nsSAMLProtocol).add(
			md("KeyDescriptor").attr("use", "signing").add(
				xel("ns1", "KeyInfo").add(xel("ns1", "X509Data").add(
					xel("ns1", "X509Certificate").text(base64.StdEncoding.EncodeToString(cert))))),
			md("Organization").add(
				lang(md("OrganizationName"), "SAML Identity Provider"),
				lang(md("OrganizationDisplayName"), "OpenStack SAML Identity Provider"),
				lang(md("OrganizationURL"), "https://example.com/")),
			md("ContactPerson").attr("contactType", "other").add(
				md("Company").text("Example, Inc."),
				md("GivenName").text("SAML Identity Provider Support"),
				md("SurName").text("Support"),
				md("EmailAddress").text("support@example.com"),
				md("TelephoneNumber").text("+1 800 555 0100")),
			md("NameIDFormat").text("urn:oasis:names:tc:SAML:2.0:nameid-format:transient"),
			md("SingleSignOnService").attr("Binding", "urn:oasis:names:tc:SAML:2.0:bindings:URI").attr("Location", ssoURL))))
}

// --- a small XML tree, its serialization and its exclusive canonical form

// xmlElem is an element whose names are all prefixed (no default namespace),
// with text or child elements.
type xmlElem struct {
	prefix, name string
	decls        [][2]string // namespace declarations: prefix, URI
	attrs        []xmlAttr
	chars        string
	kids         []*xmlElem
}

type xmlAttr struct{ prefix, name, value string }

func xel(prefix, name string) *xmlElem { return &xmlElem{prefix: prefix, name: name} }

func (e *xmlElem) ns(prefix, uri string) *xmlElem {
	e.decls = append(e.decls, [2]string{prefix, uri})
	return e
}

func (e *xmlElem) attr(name, value string) *xmlElem { return e.pattr("", name, value) }

func (e *xmlElem) pattr(prefix, name, value string) *xmlElem {
	e.attrs = append(e.attrs, xmlAttr{prefix, name, value})
	return e
}

func (e *xmlElem) text(s string) *xmlElem {
	e.chars = s
	return e
}

func (e *xmlElem) add(kids ...*xmlElem) *xmlElem {
	e.kids = append(e.kids, kids...)
	return e
}

func (e *xmlElem) qname() string { return e.prefix + ":" + e.name }

func (a xmlAttr) qname() string {
	if a.prefix == "" {
		return a.name
	}
	return a.prefix + ":" + a.name
}

// renderXML serializes e as pysaml2 does (empty elements as `<a />`).
func renderXML(e *xmlElem) string {
	var b strings.Builder
	e.write(&b)
	return b.String()
}

func (e *xmlElem) write(b *strings.Builder) {
	b.WriteString("<" + e.qname())
	for _, d := range e.decls {
		b.WriteString(" xmlns:" + d[0] + `="` + xmlEscapeAttr(d[1]) + `"`)
	}
	for _, a := range e.attrs {
		b.WriteString(" " + a.qname() + `="` + xmlEscapeAttr(a.value) + `"`)
	}
	if e.chars == "" && len(e.kids) == 0 {
		b.WriteString(" />")
		return
	}
	b.WriteString(">" + xmlEscapeText(e.chars))
	for _, k := range e.kids {
		k.write(b)
	}
	b.WriteString("</" + e.qname() + ">")
}

// xmlWithDecls returns scope with the declarations of decls added.
func xmlWithDecls(scope map[string]string, decls ...[][2]string) map[string]string {
	out := make(map[string]string, len(scope)+2)
	for k, v := range scope {
		out[k] = v
	}
	for _, ds := range decls {
		for _, d := range ds {
			out[d[0]] = d[1]
		}
	}
	return out
}

// canonical writes the exclusive canonical form (without comments) of e,
// whose ancestors declare scope and whose output ancestors rendered
// rendered, leaving out the element skip (an enveloped signature).
// Exclusive canonicalization renders a namespace declaration where an
// element or attribute name uses its prefix and no output ancestor rendered
// it; declarations come first (by prefix), then attributes by namespace URI
// and local name; empty elements get an end tag.
func (e *xmlElem) canonical(b *strings.Builder, scope, rendered map[string]string, skip *xmlElem) {
	scope = xmlWithDecls(scope, e.decls)
	used := []string{e.prefix}
	for _, a := range e.attrs {
		if a.prefix != "" && a.prefix != "xml" && !slices.Contains(used, a.prefix) {
			used = append(used, a.prefix)
		}
	}
	slices.Sort(used)
	b.WriteString("<" + e.qname())
	var kidRendered map[string]string
	for _, p := range used {
		if uri, ok := rendered[p]; ok && uri == scope[p] {
			continue
		}
		if kidRendered == nil {
			kidRendered = xmlWithDecls(rendered)
		}
		kidRendered[p] = scope[p]
		b.WriteString(" xmlns:" + p + `="` + xmlEscapeAttr(scope[p]) + `"`)
	}
	if kidRendered == nil {
		kidRendered = rendered
	}
	attrs := slices.Clone(e.attrs)
	nsOf := func(a xmlAttr) string {
		switch a.prefix {
		case "":
			return ""
		case "xml":
			return "http://www.w3.org/XML/1998/namespace"
		}
		return scope[a.prefix]
	}
	slices.SortStableFunc(attrs, func(x, y xmlAttr) int {
		if c := strings.Compare(nsOf(x), nsOf(y)); c != 0 {
			return c
		}
		return strings.Compare(x.name, y.name)
	})
	for _, a := range attrs {
		b.WriteString(" " + a.qname() + `="` + xmlEscapeAttr(a.value) + `"`)
	}
	b.WriteString(">" + xmlEscapeText(e.chars))
	for _, k := range e.kids {
		if k != skip {
			k.canonical(b, scope, kidRendered, skip)
		}
	}
	b.WriteString("</" + e.qname() + ">")
}

// xmlEscapeText escapes character data as canonical XML does; characters XML
// cannot carry become U+FFFD.
func xmlEscapeText(s string) string {
	var b strings.Builder
	for _, r := range xmlChars(s) {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlEscapeAttr escapes an attribute value as canonical XML does.
func xmlEscapeAttr(s string) string {
	var b strings.Builder
	for _, r := range xmlChars(s) {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#x9;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlChars replaces what XML 1.0 cannot carry by U+FFFD.
func xmlChars(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		ok := r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if !ok || r == utf8.RuneError {
			r = '\uFFFD'
		}
		out = append(out, r)
	}
	return out
}

// pyJSONString quotes s as Python's json.dumps does (ASCII only).
func pyJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (r >= 0x7f && r <= 0xFFFF):
				fmt.Fprintf(&b, `\u%04x`, r)
			case r > 0xFFFF:
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
