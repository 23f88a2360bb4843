package authplugin

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gokeystone/keystone/internal/redact"
	"github.com/gokeystone/keystone/internal/sdkerr"
	"github.com/gokeystone/keystone/pkg/keystone"
)

// SAML2Options configure the SAML2 ECP plugin (keystoneauth1's
// v3samlpassword): the user logs in at a SAML2 identity provider's ECP
// endpoint with HTTP Basic authentication, and the assertion opens a
// session at Keystone's service provider (the web server's SAML module,
// such as Shibboleth, in front of the saml2 protocol's federation
// endpoint), which then answers an unscoped token, rescoped to Scope.
type SAML2Options struct {
	// AuthURL is Keystone's Identity endpoint: its root or its /v3 URL.
	AuthURL string
	// IdentityProvider and Protocol are those registered in Keystone.
	IdentityProvider, Protocol string
	// IdentityProviderURL is the identity provider's ECP endpoint
	// (https://idp.example.com/idp/profile/SAML2/SOAP/ECP).
	IdentityProviderURL string
	// Username and Password are the user's at the identity provider.
	Username, Password string
	// Scope is the token's scope; the zero Scope keeps the unscoped token.
	Scope Scope
}

// NewSAML2Password returns a plugin that logs in through SAML2 ECP.
func NewSAML2Password(o SAML2Options, opts ...keystone.AuthOption) (*keystone.Auth, error) {
	if err := requireOptions("v3samlpassword", [2]string{"auth_url", o.AuthURL}, [2]string{"identity_provider", o.IdentityProvider},
		[2]string{"protocol", o.Protocol}, [2]string{"identity_provider_url", o.IdentityProviderURL},
		[2]string{"username", o.Username}, [2]string{"password", o.Password}); err != nil {
		return nil, err
	}
	if err := o.Scope.check(); err != nil {
		return nil, err
	}
	return keystone.NewAuth(&saml2{o: o}, opts...), nil
}

type saml2 struct{ o SAML2Options }

func (a *saml2) CacheKey() []string {
	o := a.o
	return append([]string{"v3samlpassword", keystone.UnversionedURL(o.AuthURL), o.IdentityProvider, o.Protocol,
		o.IdentityProviderURL, o.Username, o.Password}, o.Scope.cacheKey()...)
}

func (a *saml2) Reauthenticates() bool { return true }

// AuthURL is Keystone's, where the session prefers the identity endpoint.
func (a *saml2) AuthURL() string { return a.o.AuthURL }

// ErrConsumerMismatch is returned when the service provider and the
// identity provider name different assertion consumers: the assertion is
// not sent (keystoneauth1's ConsumerMismatch).
var ErrConsumerMismatch = sdkerr.New("authplugin: SAML2 ECP: the service provider's and the identity provider's assertion consumer URLs differ")

// SAML2 ECP's constants.
const (
	paosContentType = "application/vnd.paos+xml"
	paosHeader      = `ver="urn:liberty:paos:2003-08";"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"`
	nsSOAP          = "http://schemas.xmlsoap.org/soap/envelope/"
	nsECP           = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp"
	nsPAOS          = "urn:liberty:paos:2003-08"
	soapFault       = `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>` +
		`<faultcode>S:Server</faultcode><faultstring>responseConsumerURL from SP and assertionConsumerServiceURL from IdP do not match</faultstring>` +
		`</S:Fault></S:Body></S:Envelope>`
)

// Authenticate runs the ECP exchange: the service provider's authentication
// request, relayed to the identity provider with the user's credentials;
// the identity provider's response, relayed to the service provider's
// assertion consumer; the session that opens, for Keystone's token.
func (a *saml2) Authenticate(ctx context.Context, s *keystone.Session) (*keystone.AccessInfo, error) {
	if s == nil {
		return nil, errNeedsSession
	}
	fedURL := federatedURL(a.o.AuthURL, a.o.IdentityProvider, a.o.Protocol)
	sp, err := url.Parse(fedURL)
	if err != nil {
		return nil, fmt.Errorf("%w: auth_url: %w", keystone.ErrInvalidArgument, err)
	}

	// 1. The service provider asks for an assertion (PAOS).
	resp, err := s.Request(ctx, keystone.Request{Method: http.MethodGet, URL: fedURL, NoAuth: true, NoRedirect: true,
		Header: http.Header{"Accept": {"text/html, " + paosContentType}, "Paos": {paosHeader}}})
	if err != nil {
		return nil, fmt.Errorf("authplugin: SAML2 ECP: the service provider: %w", err)
	}
	if resp.Header.Get("X-Subject-Token") != "" { // a session was open already
		return a.finish(ctx, s, resp)
	}
	authnRequest, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	var spDoc struct {
		Header struct {
			Request struct {
				ResponseConsumerURL string `xml:"responseConsumerURL,attr"`
			} `xml:"urn:liberty:paos:2003-08 Request"`
			RelayState *struct {
				Value string `xml:",chardata"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp RelayState"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Header"`
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), paosContentType) || xml.Unmarshal(authnRequest, &spDoc) != nil ||
		spDoc.Header.Request.ResponseConsumerURL == "" {
		return nil, &keystone.InvalidResponseError{Method: http.MethodGet, URL: sp.Redacted(), StatusCode: resp.StatusCode,
			ContentType: resp.Header.Get("Content-Type"), Err: errors.New("not a SAML2 ECP authentication request (is the service provider's SAML module in front of the protocol?)")}
	}
	consumer := spDoc.Header.Request.ResponseConsumerURL
	header, err := childSpan(authnRequest, nsSOAP, "Header", 1)
	if err != nil {
		return nil, &keystone.InvalidResponseError{Method: http.MethodGet, URL: sp.Redacted(), Err: err}
	}

	// 2. The request, without the service provider's header, to the
	// identity provider, with the user's credentials.
	toIdP := append(append([]byte{}, authnRequest[:header[0]]...), authnRequest[header[1]:]...)
	req, _ := http.NewRequest(http.MethodPost, a.o.IdentityProviderURL, nil)
	req.SetBasicAuth(a.o.Username, a.o.Password)
	resp, err = s.Request(ctx, keystone.Request{Method: http.MethodPost, URL: a.o.IdentityProviderURL, NoAuth: true, Body: toIdP,
		Header: http.Header{"Content-Type": {"text/xml"}, "Accept": {"text/xml, application/xml"}, "Authorization": req.Header["Authorization"]}})
	if err != nil {
		var he *keystone.HTTPError
		if errors.As(err, &he) && (he.StatusCode == http.StatusUnauthorized || he.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("%w: the identity provider refused the credentials: %w", keystone.ErrAuthorizationFailure, err)
		}
		return nil, fmt.Errorf("authplugin: SAML2 ECP: the identity provider: %w", err)
	}
	authnResponse, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	var idpDoc struct {
		Header struct {
			Response struct {
				ConsumerURL string `xml:"AssertionConsumerServiceURL,attr"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp Response"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Header"`
	}
	if xml.Unmarshal(authnResponse, &idpDoc) != nil || idpDoc.Header.Response.ConsumerURL == "" {
		return nil, &keystone.InvalidResponseError{Method: http.MethodPost, URL: redactedURL(a.o.IdentityProviderURL),
			StatusCode: resp.StatusCode, Err: errors.New("not a SAML2 ECP response")}
	}
	if idpDoc.Header.Response.ConsumerURL != consumer {
		// Tell the service provider, and send it no assertion.
		if r, err := s.Request(ctx, keystone.Request{Method: http.MethodPost, URL: consumer, NoAuth: true, NoRedirect: true,
			Body: []byte(soapFault), Header: http.Header{"Content-Type": {paosContentType}}}); err == nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s and %s", ErrConsumerMismatch, redactedURL(consumer), redactedURL(idpDoc.Header.Response.ConsumerURL))
	}
	cu, err := url.Parse(consumer)
	if err != nil || !strings.EqualFold(cu.Host, sp.Host) || (sp.Scheme == "https" && cu.Scheme != "https") {
		return nil, fmt.Errorf("%w: the assertion consumer %s is not on Keystone's host %s", ErrConsumerMismatch, redactedURL(consumer), sp.Host)
	}

	// 3. The response, with the service provider's relay state in place of
	// the identity provider's header block, to the assertion consumer.
	first, err := childSpan(authnResponse, nsSOAP, "Header", 2)
	if err != nil {
		return nil, &keystone.InvalidResponseError{Method: http.MethodPost, URL: redactedURL(a.o.IdentityProviderURL), Err: err}
	}
	var relay []byte
	if rs := spDoc.Header.RelayState; rs != nil {
		var text bytes.Buffer
		xml.EscapeText(&text, []byte(rs.Value))
		relay = []byte(`<ecp:RelayState xmlns:ecp="` + nsECP + `" xmlns:S="` + nsSOAP + `" S:actor="http://schemas.xmlsoap.org/soap/actor/next" S:mustUnderstand="1">` +
			text.String() + `</ecp:RelayState>`)
	}
	toSP := append(append(append([]byte{}, authnResponse[:first[0]]...), relay...), authnResponse[first[1]:]...)
	cookies, err := postAssertion(ctx, s, "SAML2 ECP", consumer, paosContentType, toSP)
	if err != nil {
		return nil, err
	}

	// 4. The session's cookies (Keystone's host only) get the token.
	unscoped, err := sessionToken(ctx, s, "SAML2 ECP", consumer, fedURL, cookies)
	if err != nil {
		return nil, err
	}
	return rescope(ctx, s, a.o.AuthURL, unscoped, a.o.Scope)
}

// finish reads a token the federation endpoint answered at once.
func (a *saml2) finish(ctx context.Context, s *keystone.Session, resp *http.Response) (*keystone.AccessInfo, error) {
	data, err := keystone.ReadBody(resp, s.Limits().TokenBody)
	if err != nil {
		return nil, err
	}
	unscoped, err := keystone.NewAccessInfoV3(resp.Header.Get("X-Subject-Token"), data)
	if err != nil {
		return nil, err
	}
	return rescope(ctx, s, a.o.AuthURL, unscoped, a.o.Scope)
}

// federatedURL is Keystone's federation endpoint for an identity provider
// and protocol.
func federatedURL(authURL, idp, protocol string) string {
	return strings.TrimRight(keystone.UnversionedURL(authURL), "/") + "/v3/OS-FEDERATION/identity_providers/" +
		url.PathEscape(idp) + "/protocols/" + url.PathEscape(protocol) + "/auth"
}

// childSpan finds, in a SOAP document, the byte span [start, end) of the
// element (space, local) at depth 1 (a child of the envelope), or of its
// first child element with depth 2. The documents are spliced as bytes, not
// re-encoded: the identity provider's response is signed.
func childSpan(doc []byte, space, local string, depth int) ([2]int, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	level, start, in := 0, -1, false
	for {
		before := int(d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			return [2]int{}, fmt.Errorf("SAML2 ECP: no %s element in the SOAP envelope", local)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			level++
			if level == 2 && t.Name.Space == space && t.Name.Local == local {
				in = true
				if depth == 1 {
					start = before
				}
			} else if depth == 2 && in && level == 3 && start < 0 {
				start = before
			}
		case xml.EndElement:
			level--
			switch {
			case depth == 1 && in && level == 1:
				return [2]int{start, int(d.InputOffset())}, nil
			case depth == 2 && in && start >= 0 && level == 2:
				return [2]int{start, int(d.InputOffset())}, nil
			case in && level == 1:
				return [2]int{}, fmt.Errorf("SAML2 ECP: an empty %s", local)
			}
		}
	}
}

// String hides the password.
func (o SAML2Options) String() string {
	return fmt.Sprintf("SAML2Options{AuthURL: %q, IdentityProvider: %q, Protocol: %q, IdentityProviderURL: %q, Username: %q, Password: %s, Scope: %+v}",
		o.AuthURL, o.IdentityProvider, o.Protocol, o.IdentityProviderURL, o.Username, mask(o.Password), o.Scope)
}

// GoString is String.
func (o SAML2Options) GoString() string { return o.String() }

func (o SAML2Options) redacted() any {
	return struct {
		AuthURL, IdentityProvider, Protocol, IdentityProviderURL, Username, Password string
		Scope                                                                        Scope
	}{o.AuthURL, o.IdentityProvider, o.Protocol, o.IdentityProviderURL, o.Username, hidden(o.Password), o.Scope}
}

// Format implements fmt.Formatter: every verb shows String.
func (o SAML2Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.String(), "authplugin."+o.String())
}

// LogValue implements slog.LogValuer, with the password masked.
func (o SAML2Options) LogValue() slog.Value { return slog.AnyValue(o.redacted()) }

// MarshalJSON encodes the options with the password masked.
func (o SAML2Options) MarshalJSON() ([]byte, error) { return json.Marshal(o.redacted()) }
