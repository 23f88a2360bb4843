package ec2signer

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Version is an EC2 signature version.
type Version int

// The signature versions Keystone's /v3/ec2tokens checks.
const (
	// Version0 is base64(HMAC-SHA1(secret, Action + Timestamp)).
	Version0 Version = 0
	// Version1 is base64(HMAC-SHA1(secret, every parameter's name and
	// value, concatenated in the order of the names, case-insensitively)).
	Version1 Version = 1
	// Version2 is base64(HMAC-SHA256(secret, "verb\nhost\npath\n" and the
	// parameters as a sorted, percent-encoded query string)).
	Version2 Version = 2
	// Version4 is AWS Signature Version 4 (hex HMAC-SHA256 with a key
	// derived from the secret and the credential scope).
	Version4 Version = 4
)

// String returns "v0", "v1", "v2" or "v4".
func (v Version) String() string { return "v" + strconv.Itoa(int(v)) }

// Algorithm4 is what marks a Signature Version 4 request: the start of its
// Authorization header, or its X-Amz-Algorithm parameter.
const Algorithm4 = "AWS4-HMAC-SHA256"

// Request is what an EC2 client signs, as Keystone's /v3/ec2tokens receives
// it (identityv3.EC2TokenCredentials carries the same members).
type Request struct {
	// Host is the Host the client signed for, with or without a port
	// (versions 2 and 4; version 4 signs the "host" header, not this).
	// Send it to /v3/ec2tokens for every version: Keystone 22 answers a
	// wrong signature without a host with a 500, not a 401.
	Host string
	// Verb is the HTTP method (versions 2 and 4). Version 4 upper-cases it.
	Verb string
	// Path is the request's path (versions 2 and 4), as sent.
	Path string
	// Params are the request's query or form parameters, without the
	// signature itself (Signature, X-Amz-Signature): every parameter given
	// is signed. SignatureVersion chooses versions 0, 1 and 2. Version 2
	// always signs SignatureMethod=HmacSHA256, whatever Params say, as
	// Keystone does. Version 4 signs none for a POST.
	Params map[string]string
	// Headers are the request's headers (version 4). Names are matched
	// exactly for "Authorization" and "X-Amz-Date", and case-insensitively
	// for the signed headers; two names that differ only in case or
	// surrounding space are refused.
	Headers map[string]string
	// BodyHash is the hex SHA-256 of the request's body (version 4, where it
	// is required; see BodyHash and EmptyBodyHash), or what the client
	// signed instead, such as "UNSIGNED-PAYLOAD".
	BodyHash string
}

// EmptyBodyHash is the hex SHA-256 of an empty body, a Request's BodyHash
// for a version 4 request without one.
const EmptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// BodyHash returns the hex SHA-256 of body, a Request's BodyHash.
func BodyHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// Version returns the signature version of r, chosen as Keystone (through
// python-keystoneclient's Ec2Signer.generate) chooses it: the
// SignatureVersion parameter if it is "0", "1" or "2"; else version 4 if
// the Authorization header starts with "AWS4-HMAC-SHA256" or, without an
// Authorization header, the X-Amz-Algorithm parameter is that; else an
// error wrapping ErrUnknownVersion (a SignatureVersion parameter, but
// another value) or ErrUnexpectedFormat (none).
func (r Request) Version() (Version, error) {
	sv, hasSV := r.Params["SignatureVersion"]
	switch sv {
	case "0":
		return Version0, nil
	case "1":
		return Version1, nil
	case "2":
		return Version2, nil
	}
	if auth, ok := r.Headers["Authorization"]; ok {
		if strings.HasPrefix(auth, Algorithm4) {
			return Version4, nil
		}
	} else if r.Params["X-Amz-Algorithm"] == Algorithm4 {
		return Version4, nil
	}
	if hasSV {
		return 0, newError("version", ErrUnknownVersion, "SignatureVersion", strconv.Quote(sv))
	}
	return 0, newError("version", ErrUnexpectedFormat, "", "no SignatureVersion parameter, and not a Signature Version 4 request")
}

// Sign returns the signature of r with c's secret, of the version
// r.Version chooses: the signature Keystone's /v3/ec2tokens recomputes
// (python-keystoneclient's Ec2Signer) and compares with the one it is
// sent. Versions 0, 1 and 2 are base64, version 4 is hex.
//
// A version 4 request names its credential scope and signed headers in its
// Authorization header ("AWS4-HMAC-SHA256 Credential=<access>/<date>/
// <region>/<service>/aws4_request, SignedHeaders=host;x-amz-date", see
// AuthorizationV4; a Signature part is ignored) or, without one, in its
// X-Amz-Credential and X-Amz-SignedHeaders parameters; its X-Amz-Date
// (header, else parameter) must start with the scope's date.
//
// Errors are *Error values wrapping ErrUnknownVersion, ErrUnexpectedFormat,
// ErrMissing (such as no Timestamp for version 0, no BodyHash for version
// 4, or no secret), ErrInvalid (text that is not UTF-8, a credential
// without a full scope, header names that collide) or ErrDateMismatch.
//
// Names compared case-insensitively (version 1's parameters, version 4's
// headers) and version 4's verb are case-mapped per rune, which is what
// Python does except for the few non-ASCII characters whose case mapping
// is more than one character (such as "İ" and "ß").
func (c Credentials) Sign(r Request) (string, error) {
	v, err := r.Version()
	if err != nil {
		return "", err
	}
	op := "sign " + v.String()
	if c.Secret == "" {
		return "", newError(op, ErrMissing, "Secret", "")
	}
	if !utf8.ValidString(c.Secret) {
		return "", newError(op, ErrInvalid, "Secret", "not UTF-8")
	}
	switch v {
	case Version0:
		return c.sign0(op, r.Params)
	case Version1:
		return c.sign1(op, r.Params)
	case Version2:
		return c.sign2(op, r)
	default:
		return c.sign4(op, r)
	}
}

func b64mac(h func() hash.Hash, key []byte, parts ...string) string {
	m := hmac.New(h, key)
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// checkUTF8 refuses text that is not UTF-8: Keystone receives JSON, whose
// encoder would replace the bad bytes, and would sign something else.
func checkUTF8(op, field, s string) error {
	if !utf8.ValidString(s) {
		return newError(op, ErrInvalid, field, "not UTF-8")
	}
	return nil
}

func checkParams(op string, params map[string]string) error {
	for k, v := range params {
		if err := checkUTF8(op, "parameter name "+strconv.QuoteToASCII(k), k); err != nil {
			return err
		}
		if err := checkUTF8(op, "parameter "+k, v); err != nil {
			return err
		}
	}
	return nil
}

func (c Credentials) sign0(op string, params map[string]string) (string, error) {
	action, ok := params["Action"]
	if !ok {
		return "", newError(op, ErrMissing, "parameter Action", "")
	}
	ts, ok := params["Timestamp"]
	if !ok {
		return "", newError(op, ErrMissing, "parameter Timestamp", "")
	}
	if err := checkParams(op, map[string]string{"Action": action, "Timestamp": ts}); err != nil {
		return "", err
	}
	return b64mac(sha1.New, []byte(c.Secret), action, ts), nil
}

func (c Credentials) sign1(op string, params map[string]string) (string, error) {
	if err := checkParams(op, params); err != nil {
		return "", err
	}
	// Sorted by lower-cased name; names equal but for case in byte order,
	// which is the order encoding/json sends a map's members in, and so the
	// order Python's stable sort keeps them in at Keystone.
	keys := slices.SortedFunc(maps.Keys(params), func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k, params[k])
	}
	return b64mac(sha1.New, []byte(c.Secret), parts...), nil
}

func (c Credentials) sign2(op string, r Request) (string, error) {
	for _, f := range [][2]string{{"Verb", r.Verb}, {"Host", r.Host}, {"Path", r.Path}} {
		if err := checkUTF8(op, f[0], f[1]); err != nil {
			return "", err
		}
	}
	if err := checkParams(op, r.Params); err != nil {
		return "", err
	}
	params := maps.Clone(r.Params)
	params["SignatureMethod"] = "HmacSHA256"
	return b64mac(sha256.New, []byte(c.Secret), r.Verb+"\n"+r.Host+"\n"+r.Path+"\n"+canonicalQuery(params)), nil
}

// canonicalQuery is the parameters sorted by name (in byte order, which is
// Python's code point order), names and values percent-encoded but for the
// RFC 3986 unreserved characters, as Python's urllib.parse.quote does.
func canonicalQuery(params map[string]string) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(params)) {
		if i > 0 {
			b.WriteByte('&')
		}
		escape(&b, k)
		b.WriteByte('=')
		escape(&b, params[k])
	}
	return b.String()
}

func escape(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
}

// pyStrip trims what Python's str.strip trims: Unicode white space and
// the separators U+001C to U+001F.
func pyStrip(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || 0x1c <= r && r <= 0x1f })
}

// oldBoto is the User-Agent of the boto versions that sign the host header
// without its port.
var oldBoto = regexp.MustCompile(`^Boto/2\.[0-9]\.[0-2]`)

func hmac256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func (c Credentials) sign4(op string, r Request) (string, error) {
	for _, f := range [][2]string{{"Verb", r.Verb}, {"Path", r.Path}, {"BodyHash", r.BodyHash}} {
		if err := checkUTF8(op, f[0], f[1]); err != nil {
			return "", err
		}
	}
	if err := checkParams(op, r.Params); err != nil {
		return "", err
	}
	if r.BodyHash == "" {
		return "", newError(op, ErrMissing, "BodyHash", "the hex SHA-256 of the body (EmptyBodyHash for none)")
	}
	headers := make(map[string]string, len(r.Headers))
	names := make(map[string]string, len(r.Headers))
	for k, v := range r.Headers {
		if err := checkUTF8(op, "header name "+strconv.QuoteToASCII(k), k); err != nil {
			return "", err
		}
		if err := checkUTF8(op, "header "+k, v); err != nil {
			return "", err
		}
		lk := pyStrip(strings.ToLower(k))
		if other, dup := names[lk]; dup {
			return "", newError(op, ErrInvalid, "header "+strconv.Quote(k), "same name as header "+strconv.Quote(other))
		}
		names[lk] = k
		headers[lk] = pyStrip(v)
	}

	// The scope and the signed headers: from the Authorization header if
	// there is one, else from the X-Amz-* parameters.
	auth, hasAuth := r.Headers["Authorization"]
	authParam := func(name string) (string, bool) {
		if hasAuth {
			_, after, _ := strings.Cut(auth, name+"=")
			v, _, _ := strings.Cut(after, ",")
			return v, true
		}
		v, ok := r.Params["X-Amz-"+name]
		return v, ok
	}
	signed, ok := authParam("SignedHeaders")
	if !ok {
		return "", newError(op, ErrMissing, "parameter X-Amz-SignedHeaders", "")
	}
	credential, ok := authParam("Credential")
	if !ok {
		return "", newError(op, ErrMissing, "parameter X-Amz-Credential", "")
	}
	scope := strings.Split(credential, "/")
	if len(scope) < 4 {
		return "", newError(op, ErrInvalid, "Credential", strconv.Quote(credential)+" is not <access>/<date>/<region>/<service>/aws4_request")
	}
	date, ok := r.Headers["X-Amz-Date"]
	if !ok {
		if date, ok = r.Params["X-Amz-Date"]; !ok {
			return "", newError(op, ErrMissing, "X-Amz-Date", "neither a header nor a parameter")
		}
	}
	if !strings.HasPrefix(date, scope[1]) {
		return "", newError(op, ErrDateMismatch, "X-Amz-Date", strconv.Quote(date)+" is not on the credential's date "+strconv.Quote(scope[1]))
	}

	stripPort := oldBoto.MatchString(headers["user-agent"])
	var canonHeaders strings.Builder
	for _, h := range strings.Split(signed, ";") {
		v, ok := headers[h]
		if !ok {
			continue
		}
		if h == "host" && stripPort {
			v, _, _ = strings.Cut(v, ":")
		}
		canonHeaders.WriteString(h + ":" + v + "\n")
	}
	if canonHeaders.Len() == 0 {
		canonHeaders.WriteString("\n")
	}
	verb := strings.ToUpper(r.Verb)
	query := ""
	if verb != "POST" {
		query = canonicalQuery(r.Params)
	}
	canonical := strings.Join([]string{verb, r.Path, query, canonHeaders.String(), signed, r.BodyHash}, "\n")
	stringToSign := StringToSignV4(date, strings.Join(scope[1:], "/"), canonical)

	key := hmac256([]byte("AWS4"+c.Secret), scope[1])
	for _, part := range []string{scope[2], scope[3], "aws4_request"} {
		key = hmac256(key, part)
	}
	return hex.EncodeToString(hmac256(key, stringToSign)), nil
}

// StringToSignV4 returns the Signature Version 4 string to sign of a
// canonical request: "AWS4-HMAC-SHA256\n<amzDate>\n<scope>\n" and the hex
// SHA-256 of canonicalRequest. It is what an S3 client signs (see SignS3).
func StringToSignV4(amzDate, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm4 + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// ScopeV4 returns the credential scope "<date>/<region>/<service>/aws4_request"
// of a Signature Version 4 request; date is the YYYYMMDD its X-Amz-Date
// starts with.
func ScopeV4(date, region, service string) string {
	return date + "/" + region + "/" + service + "/aws4_request"
}

// AuthorizationV4 returns a Signature Version 4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=<access>/<scope>, SignedHeaders=<signedHeaders>",
// and ", Signature=<signature>" unless signature is "". Sign reads the
// credential and the signed headers from it; sign a request whose header
// has no signature yet, then add it.
func AuthorizationV4(access, scope, signedHeaders, signature string) string {
	s := Algorithm4 + " Credential=" + access + "/" + scope + ", SignedHeaders=" + signedHeaders
	if signature != "" {
		s += ", Signature=" + signature
	}
	return s
}
