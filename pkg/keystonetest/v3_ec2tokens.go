package keystonetest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
	"github.com/gokeystone/keystone/pkg/ec2signer"
)

// /v3/ec2tokens and /v3/s3tokens: a service in front of Keystone sends what
// its client signed with an EC2 credential, and gets a token of the
// credential's user on its project back if the signature is right (Keystone's
// api/_shared/EC2_S3_Resource.py, api/ec2tokens.py and api/s3tokens.py). The
// signatures are recomputed with pkg/ec2signer.

// ec2AuthTTL is Keystone's [credential] auth_ttl default: how long a signed
// request's Timestamp or X-Amz-Date stays valid.
const ec2AuthTTL = 15 * time.Minute

func init() {
	// Keystone has no schema for these bodies: it answers from what it finds
	// (no access key is a 401, not a 400).
	unvalidatedBodies["validateEC2Token"] = true
	unvalidatedBodies["validateS3Token"] = true
}

// --- hook of server.go (requestID)

// ec2TokensBodyKey holds, in the context of an ec2tokens or s3tokens request,
// its raw body: the typed one cannot tell a missing member from an empty one.
type ec2TokensBodyKey struct{}

// keepEC2TokensBody keeps the raw body of an ec2tokens or s3tokens request in
// r's context (called from requestID in server.go).
func keepEC2TokensBody(r *http.Request) *http.Request {
	if r.Method != http.MethodPost || (r.URL.Path != "/v3/ec2tokens" && r.URL.Path != "/v3/s3tokens") || r.Body == nil {
		return r
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return r
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return r.WithContext(context.WithValue(r.Context(), ec2TokensBodyKey{}, body))
}

// --- end hook

// ValidateEC2Token checks an EC2 signature and issues a token.
func (s *v3) ValidateEC2Token(ctx context.Context, _ v3s.ValidateEC2TokenRequestObject) (v3s.ValidateEC2TokenResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := st.ec2Authenticate(ctx, checkEC2Signature)
	if err != nil {
		return nil, err
	}
	st.tokens[t.id] = t
	st.nIssued++
	return v3s.ValidateEC2Token200JSONResponse{
		Body:    v3s.TokenEnvelope{Token: st.tokenBody(t, true)},
		Headers: v3s.ValidateEC2Token200ResponseHeaders{XSubjectToken: t.id},
	}, nil
}

// ValidateS3Token checks an S3 signature and answers the token data; the
// token itself is not kept (Keystone sends no X-Subject-Token).
func (s *v3) ValidateS3Token(ctx context.Context, _ v3s.ValidateS3TokenRequestObject) (v3s.ValidateS3TokenResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := st.ec2Authenticate(ctx, checkS3Signature)
	if err != nil {
		return nil, err
	}
	body := st.tokenBody(t, true)
	delete(st.trustArea.tokens, t.id) // registered for rendering only
	return v3s.ValidateS3Token200JSONResponse(v3s.TokenEnvelope{Token: body}), nil
}

// ec2Authenticate is Keystone's handle_authenticate, after the policy: it
// finds the credential of the body's access key, checks the signature with
// check, the user, the project, the timestamp and the roles, and returns the
// token to answer (not stored). st.mu is held.
func (st *state) ec2Authenticate(ctx context.Context, check func(secret *string, creds json.RawMessage) error) (*token, error) {
	// Policy identity:ec2tokens_validate and identity:s3tokens_validate:
	// rule:service_or_admin.
	if c := callerFrom(ctx); c == nil || (!c.admin && !st.hasRoleNamed(c.tok, "service")) {
		return nil, forbidden()
	}
	raw, _ := ctx.Value(ec2TokensBodyKey{}).([]byte)
	var body map[string]json.RawMessage
	if json.Unmarshal(raw, &body) != nil || len(body) == 0 {
		return nil, badRequest("request must include a request body")
	}
	// "credentials", then "credential", then "ec2Credentials": the first
	// that is not empty.
	var creds map[string]json.RawMessage
	var credsRaw json.RawMessage
	for _, name := range []string{"credentials", "credential", "ec2Credentials"} {
		if v, ok := body[name]; ok && jsonTruthy(v) {
			if json.Unmarshal(v, &creds) != nil {
				creds = nil
			}
			credsRaw = v
			break
		}
	}
	accessRaw, ok := creds["access"]
	if !ok {
		return nil, errorf(http.StatusUnauthorized, "EC2 Signature not supplied")
	}
	var access string
	if json.Unmarshal(accessRaw, &access) != nil {
		return nil, errorf(http.StatusUnauthorized, "EC2 access key not found.")
	}
	c, b, err := st.ec2ByAccess(access)
	if err != nil {
		return nil, err
	}
	if err := check(b.Secret, credsRaw); err != nil {
		return nil, err
	}
	projectID, _ := value(c.ProjectID)
	p := st.projects.get(projectID)
	if p == nil {
		return nil, notFound("project", projectID)
	}
	u := st.users.get(c.UserID)
	if u == nil {
		return nil, notFound("user", c.UserID)
	}
	if !u.Enabled || !st.domainEnabled(u.DomainID) || !p.Enabled {
		return nil, unauthorized()
	}
	if d, ok := value(p.DomainID); ok && !st.domainEnabled(d) {
		return nil, unauthorized()
	}
	if err := st.checkEC2Timestamp(creds); err != nil {
		return nil, err
	}

	now := st.now()
	t := &token{
		id: newTokenID(), userID: c.UserID, methods: []string{"ec2credential"}, scope: target{project: p.ID},
		issued: now.Truncate(time.Microsecond), expires: now.Add(st.lifetime).Truncate(time.Microsecond),
		auditIDs: []string{newAuditID()},
	}
	var extra struct {
		AppCredID     *string `json:"app_cred_id"`
		AccessTokenID *string `json:"access_token_id"`
	}
	_ = json.Unmarshal([]byte(c.Blob), &extra)
	var roles []string
	switch {
	case b.TrustID != nil && *b.TrustID != "":
		tr, err := st.usableTrust(*b.TrustID)
		if err != nil {
			return nil, err
		}
		roles = tr.roleIDs
		if tr.Impersonation {
			t.userID = tr.TrustorUserID
		}
		if st.trustArea.tokens == nil {
			st.trustArea.tokens = map[string]string{}
		}
		st.trustArea.tokens[t.id] = tr.ID
	case extra.AppCredID != nil && *extra.AppCredID != "":
		ac := st.appcreds.get(*extra.AppCredID)
		if ac == nil {
			return nil, notFound("application credential", *extra.AppCredID)
		}
		roles, t.appCredID = ac.roleIDs, ac.ID
	case extra.AccessTokenID != nil && *extra.AccessTokenID != "":
		// The fake has no OAuth 1.0a access tokens.
		return nil, notFound("access token", *extra.AccessTokenID)
	default:
		roles = st.directRoles(c.UserID, t.scope)
	}
	if len(roles) == 0 {
		delete(st.trustArea.tokens, t.id)
		return nil, errorf(http.StatusUnauthorized, "User not valid for project.")
	}
	for _, r := range roles {
		if st.roles.get(r) == nil {
			delete(st.trustArea.tokens, t.id)
			return nil, notFound("role", r)
		}
	}
	return t, nil
}

// checkEC2Signature is ec2tokens' _check_signature: the signature of what
// the client signed, and if that is not it and the host has a port, of the
// same without the port. Where Keystone fails with a 500 (a request it
// cannot sign), the fake answers a 401.
func checkEC2Signature(secret *string, raw json.RawMessage) error {
	var in v3s.EC2TokenCredentials
	_ = json.Unmarshal(raw, &in)
	req := ec2signer.Request{Params: in.Params, Headers: in.Headers}
	if in.Host != nil {
		req.Host = *in.Host
	}
	if in.Verb != nil {
		req.Verb = *in.Verb
	}
	if in.Path != nil {
		req.Path = *in.Path
	}
	if in.BodyHash != nil {
		req.BodyHash = *in.BodyHash
	}
	invalid := errorf(http.StatusUnauthorized, "Invalid EC2 signature.")
	creds := ec2signer.Credentials{Access: in.Access}
	if secret != nil {
		creds.Secret = *secret
	}
	sig, err := creds.Sign(req)
	if err != nil {
		return invalid
	}
	if in.Signature == "" {
		return errorf(http.StatusUnauthorized, "EC2 signature not supplied.")
	}
	if equalSignatures(in.Signature, sig) {
		return nil
	}
	if strings.Contains(req.Host, ":") {
		host, ok := pyHostname(req.Host)
		if !ok {
			return invalid
		}
		req.Host = host
		if sig, err := creds.Sign(req); err == nil && equalSignatures(in.Signature, sig) {
			return nil
		}
	}
	return invalid
}

// checkS3Signature is s3tokens' _check_signature: the string to sign is the
// base64url-decoded token.
func checkS3Signature(secret *string, raw json.RawMessage) error {
	var in struct {
		Token     *string `json:"token"`
		Signature *string `json:"signature"`
	}
	_ = json.Unmarshal(raw, &in)
	mismatch := errorf(http.StatusUnauthorized, "Credential signature mismatch")
	if in.Token == nil || in.Signature == nil {
		return mismatch // Keystone: a 500 (KeyError)
	}
	toSign, ok := pyURLSafeB64Decode(*in.Token)
	if !ok || !utf8.Valid(toSign) {
		return mismatch // Keystone: a 500 for bad base64; it signs any bytes
	}
	creds := ec2signer.Credentials{}
	if secret != nil {
		creds.Secret = *secret
	}
	sig, err := creds.SignS3(string(toSign))
	if err != nil {
		if bytes.HasPrefix(toSign, []byte("AWS4")) {
			return errorf(http.StatusUnauthorized, "Invalid EC2 signature.")
		}
		return mismatch
	}
	if !equalSignatures(*in.Signature, sig.Signature) {
		return mismatch
	}
	return nil
}

// equalSignatures compares signatures in constant time, as Keystone's
// utils.auth_str_equal.
func equalSignatures(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// pyHostname is Python's urllib.parse.urlsplit("//" + host).hostname: the
// host without user info and port, lower-cased.
func pyHostname(host string) (string, bool) {
	netloc := host
	if i := strings.IndexAny(netloc, "/?#"); i >= 0 {
		netloc = netloc[:i]
	}
	if i := strings.LastIndex(netloc, "@"); i >= 0 {
		netloc = netloc[i+1:]
	}
	var h string
	if rest, ok := strings.CutPrefix(netloc, "["); ok {
		end := strings.Index(rest, "]")
		if end < 0 {
			return "", false
		}
		h = rest[:end]
	} else {
		h, _, _ = strings.Cut(netloc, ":")
	}
	if h == "" {
		return "", false
	}
	return strings.ToLower(h), true
}

// pyURLSafeB64Decode is Python's base64.urlsafe_b64decode: both alphabets,
// characters outside them ignored, padding required.
func pyURLSafeB64Decode(s string) ([]byte, bool) {
	var clean strings.Builder
	for _, r := range s {
		switch {
		case r == '-':
			clean.WriteByte('+')
		case r == '_':
			clean.WriteByte('/')
		case r < utf8.RuneSelf && (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '='):
			clean.WriteRune(r)
		}
	}
	out, err := base64.StdEncoding.DecodeString(clean.String())
	return out, err == nil
}

// jsonTruthy reports whether a JSON value is true in Python: not null,
// false, 0, "", [] or {}.
func jsonTruthy(v json.RawMessage) bool {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return false
	}
	switch x := x.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// checkEC2Timestamp is Keystone's _check_timestamp: a signed request whose
// Timestamp (v0 to v2) or X-Amz-Date (v4: header, else parameter) is older
// than auth_ttl is refused; one without is not checked.
func (st *state) checkEC2Timestamp(creds map[string]json.RawMessage) error {
	var params, headers map[string]any
	_ = json.Unmarshal(creds["params"], &params)
	_ = json.Unmarshal(creds["headers"], &headers)
	var stamp any
	for _, v := range []any{params["Timestamp"], headers["X-Amz-Date"], params["X-Amz-Date"]} {
		raw, _ := json.Marshal(v)
		if jsonTruthy(raw) {
			stamp = v
			break
		}
	}
	if stamp == nil {
		return nil
	}
	s, ok := stamp.(string)
	var ts time.Time
	if ok {
		ts, ok = parseISO8601(s)
	}
	if !ok {
		return errorf(http.StatusUnauthorized, "Credential timestamp is invalid.")
	}
	if st.now().After(ts.Add(ec2AuthTTL)) {
		return errorf(http.StatusUnauthorized, "Credential is expired")
	}
	return nil
}

// iso8601Re is the iso8601 package's ISO8601_REGEX (what oslo's
// parse_isotime uses), without its look-ahead (checked in parseISO8601).
var iso8601Re = regexp.MustCompile(`^([0-9]{4})(?:(?:-([0-9]{1,2})|([0-9]{2}))(?:(?:-([0-9]{1,2})|([0-9]{2}))` +
	`(?:[ T]([0-9]{2})(?::?([0-9]{2}))?(?::?([0-9]{1,2})(?:[.,]([0-9]+))?)?` +
	`(Z|([-+])([0-9]{2}):?([0-9]{2})?)?)?)?)?\n?$`)

// parseISO8601 parses an ISO 8601 time as iso8601.parse_date does (UTC when
// no zone is given).
func parseISO8601(s string) (time.Time, bool) {
	m := iso8601Re.FindStringSubmatch(s)
	if m == nil || (m[3] != "" && m[4] == "" && m[5] == "") { // no YYYYMM
		return time.Time{}, false
	}
	num := func(v string, def int) int {
		if v == "" {
			return def
		}
		n, _ := strconv.Atoi(v)
		return n
	}
	year, month, day := num(m[1], 0), num(m[2]+m[3], 1), num(m[4]+m[5], 1)
	hour, minute, second := num(m[6], 0), num(m[7], 0), num(m[8], 0)
	nsec := 0
	if f := m[9]; f != "" {
		if len(f) > 6 {
			f = f[:6]
		}
		nsec = num(f+strings.Repeat("0", 6-len(f)), 0) * 1000
	}
	if year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	loc := time.UTC
	if m[10] != "" && m[10] != "Z" {
		off := (num(m[12], 0)*60 + num(m[13], 0)) * 60
		if off >= 24*3600 {
			return time.Time{}, false
		}
		if m[11] == "-" {
			off = -off
		}
		loc = time.FixedZone(m[10], off)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, nsec, loc)
	if t.Day() != day { // such as February 30
		return time.Time{}, false
	}
	return t, true
}

// domainEnabled reports whether a domain exists and is enabled.
func (st *state) domainEnabled(id string) bool {
	d := st.domains.get(id)
	return d != nil && d.Enabled
}
