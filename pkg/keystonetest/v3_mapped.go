package keystonetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// Federated (mapped) login, as Keystone 22's `mapped` auth method does it
// (keystone/auth/plugins/mapped.py and keystone/federation/utils.py).
//
// The web server in front of Keystone puts the identity provider's assertion
// into the request environment; under wsgiref every request header is there
// as HTTP_<NAME> and Keystone's mapping engine reads every variable
// (`[federation] assertion_prefix` is empty). The fake builds the same
// environment from the request (keepFederatedEnv).

// authMethods is the fake's `[auth] methods`, as scripts/keystone-local.sh
// configures the real Keystone. Of these, only `mapped` runs the mapping
// engine.
var authMethods = []string{"external", "password", "token", "oauth1", "mapped", "application_credential", "totp"}

// mappedMethod is the auth method that runs the mapping engine.
const mappedMethod = "mapped"

// fedToken is what a federated token carries beyond a token: the identity
// provider, the protocol and the groups the mapping gave the user.
type fedToken struct {
	idp, protocol string
	groups        []string
}

// --- the request environment

// fedEnvKey holds, in the context of a federated authentication request, the
// request's environment as Keystone under wsgiref sees it.
type fedEnvKey struct{}

// keepFederatedEnv records the environment of the federated authentication
// and WebSSO requests in their context (hook of requestID, server.go).
func keepFederatedEnv(r *http.Request) *http.Request {
	p := r.URL.Path
	fed := strings.HasPrefix(p, "/v3/auth/OS-FEDERATION/") ||
		strings.HasPrefix(p, "/v3/OS-FEDERATION/identity_providers/") && strings.HasSuffix(p, "/auth")
	if !fed {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), fedEnvKey{}, requestEnv(r)))
}

// requestEnv builds the WSGI environment wsgiref makes of r: the CGI
// variables, and every header as HTTP_<NAME> (upper case, '-' as '_', the
// values of a repeated header joined with ','), except those whose name is a
// CGI variable (Content-Type, Content-Length).
func requestEnv(r *http.Request) map[string]string {
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		host, port = r.Host, "80"
	}
	remote, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		remote = r.RemoteAddr
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	env := map[string]string{
		"GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "", "SERVER_NAME": host, "SERVER_PORT": port,
		"SERVER_PROTOCOL": r.Proto, "SERVER_SOFTWARE": "WSGIServer/0.2", "REQUEST_METHOD": r.Method,
		"PATH_INFO": r.URL.Path, "QUERY_STRING": r.URL.RawQuery, "REMOTE_ADDR": remote,
		"CONTENT_TYPE": "text/plain", "wsgi.url_scheme": scheme,
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		env["CONTENT_TYPE"] = ct
	}
	if cl := r.Header.Get("Content-Length"); cl != "" {
		env["CONTENT_LENGTH"] = cl
	}
	headers := r.Header.Clone()
	if r.Host != "" {
		headers.Set("Host", r.Host)
	}
	for name, values := range headers {
		k := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if _, cgi := env[k]; cgi {
			continue
		}
		trimmed := make([]string, len(values))
		for i, v := range values {
			trimmed[i] = strings.TrimSpace(v)
		}
		if old, ok := env["HTTP_"+k]; ok {
			trimmed = append([]string{old}, trimmed...)
		}
		env["HTTP_"+k] = strings.Join(trimmed, ",")
	}
	return env
}

func envFrom(ctx context.Context) map[string]string {
	env, _ := ctx.Value(fedEnvKey{}).(map[string]string)
	return env
}

// --- the mapping engine (Keystone's RuleProcessor)

// assertion is the attributes of a federated login, each with its values:
// Keystone splits every value at ';'.
type assertion map[string][]string

func newAssertion(env map[string]string) assertion {
	a := assertion{}
	for k, v := range env {
		a[k] = strings.Split(v, ";")
	}
	return a
}

// mappedUser is the user a mapping yields.
type mappedUser struct {
	id, name, email, typ string
	domain               *v3s.DomainRef
}

// mappedGroup is a group a mapping names, in a domain given by ID or name.
type mappedGroup struct {
	name   string
	domain v3s.DomainRef
}

// mappedProperties is what the mapping engine makes of an assertion.
type mappedProperties struct {
	user       mappedUser
	groupIDs   []string
	groupNames []mappedGroup
	projects   []v3s.MappingLocalProject
}

// Local user types.
const (
	userEphemeral = string(v3s.MappingLocalUserTypeEphemeral)
	userLocal     = string(v3s.MappingLocalUserTypeLocal)
)

// unexpectedError is Keystone's UnexpectedError (a mapping that refers to a
// remote match that does not exist, a mapped group that does not exist).
func unexpectedError() *Error {
	return errorf(http.StatusInternalServerError, "An unexpected error prevented the server from fulfilling your request.")
}

// noIdentity is Keystone's ValidationError when no rule yields anything; the
// mapped auth method turns it into a 401, whose details Keystone hides.
func noIdentity() *Error { return unauthorized() }

// processRules applies a mapping's rules to an assertion: every rule whose
// remote requirements the assertion meets contributes its local values, with
// {N} replaced by the values of the N-th requirement's attribute.
func processRules(rules []v3s.MappingRule, a assertion) (*mappedProperties, error) {
	var locals []v3s.MappingLocalRule
	for _, rule := range rules {
		maps, ok, err := verifyRequirements(rule.Remote, a)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if len(maps) == 0 {
			locals = append(locals, rule.Local...)
			continue
		}
		for _, l := range rule.Local {
			nl, err := substituteLocal(l, maps)
			if err != nil {
				return nil, err
			}
			locals = append(locals, nl)
		}
	}
	return transformLocals(locals)
}

// verifyRequirements checks an assertion against a rule's remote
// requirements. It returns the values each requirement passes on as {N} and
// whether the rule applies.
func verifyRequirements(reqs []v3s.MappingRemoteRule, a assertion) ([][]string, bool, error) {
	maps := [][]string{}
	for _, req := range reqs {
		values := a[req.Type]
		if len(values) == 0 {
			return nil, false, nil
		}
		regex := req.Regex != nil && *req.Regex
		if req.AnyOneOf != nil {
			m, err := matchValues(req.AnyOneOf, values, regex)
			if err != nil || len(m) == 0 {
				return nil, false, err
			}
			continue
		}
		if req.NotAnyOf != nil {
			m, err := matchValues(req.NotAnyOf, values, regex)
			if err != nil || len(m) > 0 {
				return nil, false, err
			}
			continue
		}
		switch {
		case req.Blacklist != nil:
			m, err := matchValues(req.Blacklist, values, regex)
			if err != nil {
				return nil, false, err
			}
			var kept []string
			for _, v := range values {
				if !slices.Contains(m, v) && !slices.Contains(kept, v) {
					kept = append(kept, v)
				}
			}
			values = kept
		case req.Whitelist != nil:
			m, err := matchValues(req.Whitelist, values, regex)
			if err != nil {
				return nil, false, err
			}
			values = m
		}
		maps = append(maps, values)
	}
	return maps, true, nil
}

// matchValues returns the assertion values that match the rule's values:
// equal ones (each once), or with regex those one of the patterns finds.
func matchValues(patterns, values []string, regex bool) ([]string, error) {
	var out []string
	if !regex {
		for _, v := range values {
			if slices.Contains(patterns, v) && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out, nil
	}
	res := make([]*regexp.Regexp, 0, len(patterns))
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, unexpectedError()
		}
		res = append(res, re)
	}
	for _, v := range values {
		if slices.ContainsFunc(res, func(re *regexp.Regexp) bool { return re.MatchString(v) }) {
			out = append(out, v)
		}
	}
	return out, nil
}

// substituteLocal replaces {N} in every string of a local rule.
func substituteLocal(l v3s.MappingLocalRule, maps [][]string) (v3s.MappingLocalRule, error) {
	raw, err := json.Marshal(l)
	if err != nil {
		return l, unexpectedError()
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return l, unexpectedError()
	}
	var walk func(any) (any, error)
	walk = func(v any) (any, error) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				n, err := walk(e)
				if err != nil {
					return nil, err
				}
				v[k] = n
			}
		case []any:
			for i, e := range v {
				n, err := walk(e)
				if err != nil {
					return nil, err
				}
				v[i] = n
			}
		case string:
			return pyFormat(v, maps)
		}
		return v, nil
	}
	tree, err = walk(tree)
	if err != nil {
		return l, err
	}
	raw, err = json.Marshal(tree)
	if err != nil {
		return l, unexpectedError()
	}
	var out v3s.MappingLocalRule
	if err := json.Unmarshal(raw, &out); err != nil {
		return l, unexpectedError()
	}
	return out, nil
}

// pyFormat formats s as Python's str.format does with the direct maps as
// positional arguments: {N} and {} (the next one), {{ and }} for braces. A
// match of one value is that value, of several their Python list. A
// reference to a match that does not exist is Keystone's DirectMappingError.
func pyFormat(s string, maps [][]string) (string, error) {
	var b strings.Builder
	next := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{', c == '}' && i+1 < len(s) && s[i+1] == '}':
			b.WriteByte(c)
			i++
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", unexpectedError()
			}
			field := s[i+1 : i+end]
			n := next
			if field != "" {
				var err error
				if n, err = strconv.Atoi(field); err != nil || n < 0 {
					return "", unexpectedError()
				}
			} else {
				next++
			}
			if n >= len(maps) {
				return "", unexpectedError()
			}
			b.WriteString(directValue(maps[n]))
			i += end
		case c == '}':
			return "", unexpectedError()
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// directValue renders a match as Python does: one value as itself, others as
// a list.
func directValue(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = pyRepr(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// pyRepr quotes a string as Python's repr does (for printable text).
func pyRepr(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	if q == "'" {
		s = strings.ReplaceAll(s, "'", `\'`)
	}
	return q + s + q
}

// pyList reads a Python list of strings (what {N} of several values
// becomes), or returns s alone, as Keystone's ast.literal_eval fallback does.
func pyList(s string) []string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "[") || !strings.HasSuffix(t, "]") {
		return []string{s}
	}
	body := strings.TrimSpace(t[1 : len(t)-1])
	out := []string{}
	for body != "" {
		if body[0] != '\'' && body[0] != '"' {
			return []string{s}
		}
		q := body[0]
		var v strings.Builder
		i := 1
		for ; i < len(body) && body[i] != q; i++ {
			if body[i] == '\\' && i+1 < len(body) {
				i++
			}
			v.WriteByte(body[i])
		}
		if i >= len(body) {
			return []string{s}
		}
		out = append(out, v.String())
		body = strings.TrimSpace(body[i+1:])
		if body == "" {
			break
		}
		if body[0] != ',' {
			return []string{s}
		}
		body = strings.TrimSpace(body[1:])
	}
	return out
}

// transformLocals gathers the local values of the rules that apply into
// the mapped user, groups and projects (Keystone's RuleProcessor._transform).
func transformLocals(locals []v3s.MappingLocalRule) (*mappedProperties, error) {
	if len(locals) == 0 {
		return nil, noIdentity()
	}
	out := &mappedProperties{}
	addID := func(id string) {
		if !slices.Contains(out.groupIDs, id) {
			out.groupIDs = append(out.groupIDs, id)
		}
	}
	addName := func(g mappedGroup) {
		if !slices.ContainsFunc(out.groupNames, func(o mappedGroup) bool {
			return o.name == g.name && domainKey(o.domain) == domainKey(g.domain)
		}) {
			out.groupNames = append(out.groupNames, g)
		}
	}
	var user *v3s.MappingLocalUser
	for _, l := range locals {
		if u := l.User; u != nil && (user == nil || *user == (v3s.MappingLocalUser{})) {
			user = u
		}
		if g := l.Group; g != nil {
			switch {
			case g.ID != nil:
				addID(*g.ID)
			case g.Name != nil && g.Domain != nil:
				addName(mappedGroup{name: *g.Name, domain: *g.Domain})
			}
		}
		if l.Groups != nil {
			groups, err := normalizeGroups(*l.Groups, l.Domain)
			if err != nil {
				return nil, err
			}
			for _, g := range groups {
				addName(g)
			}
		}
		if l.GroupIds != nil {
			for _, id := range pyList(*l.GroupIds) {
				addID(id)
			}
		}
		if l.Projects != nil {
			out.projects = l.Projects
		}
	}
	out.user.typ = userEphemeral
	if user != nil {
		u := user
		if u.ID != nil {
			out.user.id = *u.ID
		}
		if u.Name != nil {
			out.user.name = *u.Name
		}
		if u.Email != nil {
			out.user.email = *u.Email
		}
		out.user.domain = u.Domain
		if u.Type != nil {
			out.user.typ = string(*u.Type)
		}
	}
	if out.user.typ != userEphemeral && out.user.typ != userLocal {
		return nil, noIdentity() // "User type %s not supported"
	}
	return out, nil
}

func domainKey(d v3s.DomainRef) string {
	if d.Name != nil {
		return *d.Name
	}
	if d.ID != nil {
		return *d.ID
	}
	return ""
}

// normalizeGroups reads a rule's groups: names in the rule's domain, or (when
// the text contains "name" anywhere, even in a group's name, as Keystone
// checks) JSON:{"name": …, "domain": {…}} items.
func normalizeGroups(groups string, domain *v3s.DomainRef) ([]mappedGroup, error) {
	var out []mappedGroup
	if strings.Contains(groups, "name") {
		for _, item := range pyList(groups) {
			j, ok := strings.CutPrefix(item, "JSON:")
			if !ok {
				// Keystone looks for "domain" in the plain name, and
				// fails on it later if it is there.
				if !strings.Contains(item, "domain") {
					return nil, noIdentity()
				}
				return nil, unexpectedError()
			}
			var g struct {
				Name   *string        `json:"name"`
				Domain *v3s.DomainRef `json:"domain"`
			}
			if err := json.Unmarshal([]byte(j), &g); err != nil {
				return nil, unexpectedError()
			}
			if g.Domain == nil {
				return nil, noIdentity() // "Both 'groups' and 'domain' keywords must be specified."
			}
			if g.Name == nil {
				return nil, unexpectedError()
			}
			out = append(out, mappedGroup{name: *g.Name, domain: *g.Domain})
		}
		return out, nil
	}
	if domain == nil {
		return nil, noIdentity() // "Both 'groups' and 'domain' keywords must be specified."
	}
	for _, name := range pyList(groups) {
		out = append(out, mappedGroup{name: name, domain: *domain})
	}
	return out, nil
}

// --- federated login

// unsupportedMethod is Keystone's AuthMethodNotSupported: a 401 that lists
// the `[auth] methods`.
type unsupportedMethod struct{ root string }

func (u unsupportedMethod) write(w http.ResponseWriter) error {
	body, err := json.Marshal(map[string]any{"error": map[string]any{
		"code": http.StatusUnauthorized, "title": "Unauthorized",
		"message":  "Attempted to authenticate with an unsupported method.",
		"identity": map[string]any{"methods": authMethods},
	}})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Vary", "X-Auth-Token")
	h.Set("WWW-Authenticate", `Keystone uri="`+u.root+`"`)
	w.WriteHeader(http.StatusUnauthorized)
	_, err = w.Write(body)
	return err
}

// VisitAuthenticateFederatedResponse writes the 401.
func (u unsupportedMethod) VisitAuthenticateFederatedResponse(w http.ResponseWriter) error {
	return u.write(w)
}

// VisitAuthenticateFederatedPostResponse writes the 401.
func (u unsupportedMethod) VisitAuthenticateFederatedPostResponse(w http.ResponseWriter) error {
	return u.write(w)
}

// VisitWebSSOResponse writes the 401.
func (u unsupportedMethod) VisitWebSSOResponse(w http.ResponseWriter) error { return u.write(w) }

// VisitWebSSOPostResponse writes the 401.
func (u unsupportedMethod) VisitWebSSOPostResponse(w http.ResponseWriter) error { return u.write(w) }

// VisitWebSSOForIdentityProviderResponse writes the 401.
func (u unsupportedMethod) VisitWebSSOForIdentityProviderResponse(w http.ResponseWriter) error {
	return u.write(w)
}

// VisitWebSSOForIdentityProviderPostResponse writes the 401.
func (u unsupportedMethod) VisitWebSSOForIdentityProviderPostResponse(w http.ResponseWriter) error {
	return u.write(w)
}

// federatedLogin authenticates with the auth method named protocol, which
// must be supported (the caller checks it first), for the identity provider
// idpID, and issues the token: an unscoped federated token for an ephemeral
// user, a standard token for a local one.
func (st *state) federatedLogin(idpID, protocol string, env map[string]string) (*token, error) {
	if protocol != mappedMethod {
		// Another method (password, token, …) finds nothing it knows in a
		// federated request.
		return nil, unauthorized()
	}
	f := &st.fedArea
	idp := f.idps.get(idpID)
	if idp == nil {
		return nil, idpNotFound(idpID)
	}
	if !idp.Enabled {
		return nil, forbidden() // "Identity Provider %s is disabled"
	}
	i := f.protocolIndex(idpID, protocol)
	if i < 0 {
		return nil, protocolNotFound(idpID, protocol)
	}
	p := f.protocols[i]
	// The identity provider's entity ID, where the protocol says.
	if attr := p.remoteIDAttribute; attr != nil && *attr != "" && len(idp.RemoteIds) > 0 {
		remote, ok := env[*attr]
		if !ok {
			return nil, unauthorized() // "Could not find Identity Provider identifier in environment"
		}
		if !slices.Contains(idp.RemoteIds, remote) {
			return nil, forbidden() // "Incoming identity provider identifier not included among the accepted identifiers."
		}
	}
	m := f.mappings.get(p.mapping)
	if m == nil {
		return nil, notFound("mapping", p.mapping)
	}
	props, err := processRules(m.Rules, newAssertion(env))
	if err != nil {
		return nil, err
	}
	groups, err := st.resolveMappedGroups(props)
	if err != nil {
		return nil, err
	}
	if props.user.typ == userLocal {
		u, err := st.mappedLocalUser(props.user)
		if err != nil {
			return nil, err
		}
		return st.newMappedToken(u.ID, protocol, st.defaultScope(u), nil), nil
	}
	u, err := st.shadowUser(idp, protocol, props.user)
	if err != nil {
		return nil, err
	}
	if len(props.projects) > 0 {
		if err := st.shadowProjects(idp, u.ID, props.projects); err != nil {
			return nil, err
		}
	}
	if d := st.domains.get(u.DomainID); d == nil || !d.Enabled {
		return nil, errorf(http.StatusNotFound, "Unable to validate token because domain %s is disabled", u.DomainID)
	}
	return st.newMappedToken(u.ID, protocol, target{}, &fedToken{idp: idp.ID, protocol: protocol, groups: groups}), nil
}

// resolveMappedGroups checks the groups mapped by ID and looks up those
// mapped by name (a missing one is left out, as Keystone does).
func (st *state) resolveMappedGroups(props *mappedProperties) ([]string, error) {
	out := slices.Clone(props.groupIDs)
	for _, id := range out {
		if st.groups.get(id) == nil {
			return nil, unexpectedError() // MappedGroupNotFound
		}
	}
	for _, g := range props.groupNames {
		domainID := ""
		if g.domain.ID != nil && *g.domain.ID != "" {
			domainID = *g.domain.ID
		} else {
			name := ""
			if g.domain.Name != nil {
				name = *g.domain.Name
			}
			d := st.findDomain(&v3s.DomainRef{Name: &name})
			if d == nil {
				return nil, notFound("domain", name)
			}
			domainID = d.ID
		}
		for _, grp := range st.groups.all() {
			if grp.Name == g.name && grp.DomainID == domainID && !slices.Contains(out, grp.ID) {
				out = append(out, grp.ID)
			}
		}
	}
	return out, nil
}

// mappedLocalUser finds the existing user a `local` mapping names.
func (st *state) mappedLocalUser(mu mappedUser) (*userRec, error) {
	if mu.id == "" && mu.name == "" {
		return nil, badRequest("Expecting to find id or name in user. %s", validationSuffix)
	}
	var u *userRec
	if mu.name != "" {
		if mu.domain == nil {
			return nil, badRequest("Expecting to find domain in user. %s", validationSuffix)
		}
		if mu.domain.ID == nil && mu.domain.Name == nil {
			return nil, badRequest("Expecting to find id or name in domain. %s", validationSuffix)
		}
		ref := *mu.domain
		if ref.Name != nil {
			ref.ID = nil // Keystone looks a domain up by name first
		}
		d := st.findDomain(&ref)
		if d == nil || !d.Enabled {
			return nil, unauthorized()
		}
		u = st.findUser(nil, &mu.name, &v3s.DomainRef{ID: &d.ID})
	} else {
		u = st.users.get(mu.id)
		if u != nil {
			if d := st.domains.get(u.DomainID); d == nil || !d.Enabled {
				return nil, unauthorized()
			}
		}
	}
	if u == nil || !u.Enabled {
		return nil, unauthorized()
	}
	return u, nil
}

// validationSuffix ends the message of Keystone's ValidationError.
const validationSuffix = "The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error."

// defaultScope is the scope Keystone gives a token requested without one:
// the user's default project when it has a role there.
func (st *state) defaultScope(u *userRec) target {
	if u.DefaultProjectID == nil {
		return target{}
	}
	p := st.projects.get(*u.DefaultProjectID)
	if p == nil || !p.Enabled {
		return target{}
	}
	if d, ok := value(p.DomainID); ok {
		if dm := st.domains.get(d); dm != nil && !dm.Enabled {
			return target{}
		}
	}
	if len(st.directRoles(u.ID, target{project: p.ID})) == 0 {
		return target{}
	}
	return target{project: p.ID}
}

// shadowUser returns the user of a federated identity, created in the
// identity provider's domain on its first login (its ID is Keystone's
// sha256 public ID of the domain, the unique ID and "user"); later logins
// update its name (and email) from the mapping.
func (st *state) shadowUser(idp *v3s.IdentityProvider, protocol string, mu mappedUser) (*userRec, error) {
	uniqueID, name := mu.id, mu.name
	if uniqueID == "" && name == "" {
		// "Could not map user while setting ephemeral user identity. …"
		return nil, unauthorized()
	}
	if name == "" {
		name = uniqueID
	}
	if uniqueID == "" {
		uniqueID = name
	}
	uniqueID = pyQuote(uniqueID)
	if u := st.findShadowUser(idp.ID, protocol, uniqueID); u != nil {
		u.Name = name
		if mu.email != "" {
			setUserEmail(u, mu.email)
		}
		return u, nil
	}
	sum := sha256.Sum256([]byte(idp.DomainID + "user" + uniqueID))
	id := hex.EncodeToString(sum[:])
	identity := v3s.UserFederatedIdentity{IdpID: idp.ID, Protocols: []v3s.UserFederatedProtocol{{ProtocolID: protocol, UniqueID: uniqueID}}}
	u := st.users.get(id)
	if u == nil {
		u = &userRec{User: v3s.User{
			ID: id, Name: name, DomainID: idp.DomainID, Enabled: true,
			PasswordExpiresAt: null[string](), Links: st.link("users/" + id),
		}}
		st.users.put(id, u)
	} else {
		// A user whose federated identity went with its identity provider.
		u.Name = name
	}
	u.Federated = append(u.Federated, identity)
	if mu.email != "" {
		setUserEmail(u, mu.email)
	}
	return u, nil
}

func setUserEmail(u *userRec, email string) {
	if u.AdditionalProperties == nil {
		u.AdditionalProperties = map[string]any{}
	}
	u.AdditionalProperties["email"] = email
}

// findShadowUser finds the user of a federated identity.
func (st *state) findShadowUser(idp, protocol, uniqueID string) *userRec {
	for _, u := range st.users.all() {
		for _, f := range u.Federated {
			if f.IdpID != idp {
				continue
			}
			for _, p := range f.Protocols {
				if p.ProtocolID == protocol && p.UniqueID == uniqueID {
					return u
				}
			}
		}
	}
	return nil
}

// forgetFederatedIdentities removes the federated identities of an identity
// provider (and protocol, unless empty) from their users, as the deletion of
// Keystone's federated_user rows does.
func (st *state) forgetFederatedIdentities(idp, protocol string) {
	for _, u := range st.users.all() {
		for i := range u.Federated {
			f := &u.Federated[i]
			if f.IdpID == idp {
				f.Protocols = slices.DeleteFunc(f.Protocols, func(p v3s.UserFederatedProtocol) bool {
					return protocol == "" || p.ProtocolID == protocol
				})
			}
		}
		u.Federated = slices.DeleteFunc(u.Federated, func(f v3s.UserFederatedIdentity) bool { return len(f.Protocols) == 0 })
		if len(u.Federated) == 0 {
			u.Federated = nil
		}
	}
}

// pyQuote percent-encodes s as Python's urllib.parse.quote does (safe "/").
func pyQuote(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("_.-~/", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// shadowProjects creates the projects a mapping names in the identity
// provider's domain, if missing, and grants the user their roles there.
func (st *state) shadowProjects(idp *v3s.IdentityProvider, userID string, projects []v3s.MappingLocalProject) error {
	roles := map[string]*v3s.Role{}
	for _, r := range st.roles.all() {
		roles[r.Name] = r
	}
	for _, p := range projects {
		for _, r := range p.Roles {
			role := roles[r.Name]
			if role == nil {
				return notFound("role", r.Name)
			}
			if d, ok := value(role.DomainID); ok && d != idp.DomainID {
				return errorf(http.StatusForbidden, "role: %s must be within the same domain as the identity provider: %s.", r.Name, idp.ID)
			}
		}
	}
	for _, p := range projects {
		var project *v3s.Project
		for _, c := range st.projects.all() {
			if d, _ := value(c.DomainID); c.Name == p.Name && d == idp.DomainID {
				project = c
			}
		}
		if project == nil {
			id := newID()
			project = &v3s.Project{
				ID: id, Name: p.Name, DomainID: some(idp.DomainID), ParentID: some(idp.DomainID), Enabled: true,
				Description: some(""), Links: st.link("projects/" + id), Tags: []string{},
			}
			st.projects.put(id, project)
		}
		for _, r := range p.Roles {
			st.grants[grant{actor: userID, role: roles[r.Name].ID, project: project.ID}] = true
		}
	}
	return nil
}

// newMappedToken issues the token of a federated login.
func (st *state) newMappedToken(userID, protocol string, scope target, fed *fedToken) *token {
	now := st.now()
	t := &token{
		id: newTokenID(), userID: userID, methods: []string{protocol}, scope: scope,
		issued: now.Truncate(time.Microsecond), expires: now.Add(st.lifetime).Truncate(time.Microsecond),
		auditIDs: []string{newAuditID()},
	}
	st.tokens[t.id] = t
	st.nIssued++
	if fed != nil {
		if st.fedArea.tokens == nil {
			st.fedArea.tokens = map[string]*fedToken{}
		}
		st.fedArea.tokens[t.id] = fed
	}
	return t
}

// --- hooks of other files (state.go, v3_auth.go)

// tokenFederation returns the federation data of a federated token, else nil.
func (st *state) tokenFederation(t *token) *fedToken {
	if t == nil {
		return nil
	}
	return st.fedArea.tokens[t.id]
}

// addFederationToToken adds the OS-FEDERATION member to a federated token's
// user, who has no password_expires_at (hook of tokenBody).
func (st *state) addFederationToToken(t *token, body *v3s.Token) {
	fed := st.tokenFederation(t)
	if fed == nil {
		return
	}
	groups := make([]v3s.IDRef, 0, len(fed.groups))
	for _, g := range fed.groups {
		groups = append(groups, v3s.IDRef{ID: g})
	}
	body.User.OSFEDERATION = &v3s.TokenFederation{
		IdentityProvider: &v3s.IDRef{ID: fed.idp}, Protocol: &v3s.IDRef{ID: fed.protocol}, Groups: groups,
	}
	body.User.PasswordExpiresAt = nil
}

// federatedTokenRoles returns the roles of a scoped federated token and
// true, or false for another token (hook of tokenRoles). As Keystone's
// token model does, they are the roles of the mapped groups on the scope,
// the system roles of the groups and of the user, and the user's own roles
// on the scope. A system-scoped token has the user's system roles.
func (st *state) federatedTokenRoles(t *token) ([]string, bool) {
	fed := st.tokenFederation(t)
	if fed == nil || t.scope == (target{}) || t.scope.system {
		return nil, false
	}
	return st.expand(st.federatedRoles(fed, t.userID, t.scope)), true
}

func (st *state) federatedRoles(fed *fedToken, userID string, scope target) []string {
	roles := st.groupRoles(fed.groups, scope)
	roles = append(roles, st.groupRoles(fed.groups, target{system: true})...)
	roles = append(roles, st.directRoles(userID, target{system: true})...)
	roles = append(roles, st.directRoles(userID, scope)...)
	slices.Sort(roles)
	return slices.Compact(roles)
}

// groupRoles lists the roles granted on t to the groups, directly or by
// inheritance, without implied roles.
func (st *state) groupRoles(groups []string, t target) []string {
	var inheritedFrom []string
	if p := st.projects.get(t.project); p != nil {
		if d, ok := value(p.DomainID); ok {
			inheritedFrom = append(inheritedFrom, d)
		}
		for _, a := range st.ancestors(p) {
			inheritedFrom = append(inheritedFrom, a.ID)
		}
	}
	var out []string
	for g := range st.grants {
		if !g.group || !slices.Contains(groups, g.actor) || st.groups.get(g.actor) == nil {
			continue
		}
		direct := !g.inherited && g.project == t.project && g.domain == t.domain && g.system == t.system
		inherited := g.inherited && t.project != "" &&
			(slices.Contains(inheritedFrom, g.domain) || slices.Contains(inheritedFrom, g.project))
		if (direct || inherited) && st.roles.get(g.role) != nil && !slices.Contains(out, g.role) {
			out = append(out, g.role)
		}
	}
	return out
}

// federatedRescopeHasRoles reports whether the federated token parent may be
// rescoped to scope (hook of IssueToken's role check).
func (st *state) federatedRescopeHasRoles(parent *token, scope target) bool {
	fed := st.tokenFederation(parent)
	return fed != nil && !scope.system && len(st.federatedRoles(fed, parent.userID, scope)) > 0
}

// checkFederatedRescope checks, for the token method, that a federated
// token's identity provider is still enabled, its protocol and mapping still
// there, and its groups too (Keystone's handle_scoped_token; hook of
// IssueToken). Other tokens pass.
func (st *state) checkFederatedRescope(parent *token) error {
	fed := st.tokenFederation(parent)
	if fed == nil {
		return nil
	}
	f := &st.fedArea
	idp := f.idps.get(fed.idp)
	if idp == nil {
		return idpNotFound(fed.idp)
	}
	if !idp.Enabled {
		return forbidden() // "Identity Provider %s is disabled"
	}
	i := f.protocolIndex(fed.idp, fed.protocol)
	if i < 0 {
		return protocolNotFound(fed.idp, fed.protocol)
	}
	if f.mappings.get(f.protocols[i].mapping) == nil {
		return notFound("mapping", f.protocols[i].mapping)
	}
	for _, g := range fed.groups {
		if st.groups.get(g) == nil {
			return unexpectedError() // MappedGroupNotFound
		}
	}
	return nil
}

// inheritFederation makes the token t, issued with the token method from
// parent, a federated token if parent is one (hook of IssueToken). As in
// Keystone, such a token gets an expiry and an audit chain of its own: the
// mapped method's response carries neither.
func (st *state) inheritFederation(parent, t *token) {
	fed := st.tokenFederation(parent)
	if fed == nil {
		return
	}
	t.expires = st.now().Add(st.lifetime).Truncate(time.Microsecond)
	t.auditIDs = t.auditIDs[:1]
	st.fedArea.tokens[t.id] = &fedToken{idp: fed.idp, protocol: fed.protocol, groups: slices.Clone(fed.groups)}
}

// --- operations

// AuthenticateFederated issues a token for the user an identity provider
// asserts (GET).
func (s *v3) AuthenticateFederated(ctx context.Context, req v3s.AuthenticateFederatedRequestObject) (v3s.AuthenticateFederatedResponseObject, error) {
	if !slices.Contains(authMethods, req.ProtocolID) {
		return unsupportedMethod{s.state.root}, nil
	}
	body, id, err := s.authenticateFederated(ctx, req.IdpID, req.ProtocolID)
	if err != nil {
		return nil, err
	}
	return v3s.AuthenticateFederated201JSONResponse{Body: body, Headers: v3s.AuthenticateFederated201ResponseHeaders{XSubjectToken: id}}, nil
}

// AuthenticateFederatedPost is AuthenticateFederated by POST.
func (s *v3) AuthenticateFederatedPost(ctx context.Context, req v3s.AuthenticateFederatedPostRequestObject) (v3s.AuthenticateFederatedPostResponseObject, error) {
	if !slices.Contains(authMethods, req.ProtocolID) {
		return unsupportedMethod{s.state.root}, nil
	}
	body, id, err := s.authenticateFederated(ctx, req.IdpID, req.ProtocolID)
	if err != nil {
		return nil, err
	}
	return v3s.AuthenticateFederatedPost201JSONResponse{Body: body, Headers: v3s.AuthenticateFederatedPost201ResponseHeaders{XSubjectToken: id}}, nil
}

func (s *v3) authenticateFederated(ctx context.Context, idpID, protocol string) (v3s.TokenEnvelope, string, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := st.federatedLogin(idpID, protocol, envFrom(ctx))
	if err != nil {
		return v3s.TokenEnvelope{}, "", err
	}
	return v3s.TokenEnvelope{Token: st.tokenBody(t, true)}, t.id, nil
}

// ListFederatedProjects lists the projects the caller's token may be scoped
// to: those its user, or the groups of a federated token, have a role on
// (Keystone serves it as listAuthProjects).
func (s *v3) ListFederatedProjects(ctx context.Context, _ v3s.ListFederatedProjectsRequestObject) (v3s.ListFederatedProjectsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := st.scopableProjects(callerFrom(ctx).tok)
	return projectJSON{200, v3s.ProjectList{Projects: out, Links: st.collection("OS-FEDERATION/projects")}}, nil
}

// VisitListFederatedProjectsResponse writes the projects without null
// parents and subtree.
func (p projectJSON) VisitListFederatedProjectsResponse(w http.ResponseWriter) error {
	return p.write(w)
}

// ListFederatedDomains lists the domains the caller's token may be scoped
// to: those its user, or the groups of a federated token, have a role on.
func (s *v3) ListFederatedDomains(ctx context.Context, _ v3s.ListFederatedDomainsRequestObject) (v3s.ListFederatedDomainsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := st.scopableDomains(callerFrom(ctx).tok)
	return v3s.ListFederatedDomains200JSONResponse{Domains: out, Links: st.collection("OS-FEDERATION/domains")}, nil
}
