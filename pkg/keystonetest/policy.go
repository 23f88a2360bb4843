package keystonetest

import (
	"bufio"
	"context"
	_ "embed" // the policy file
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Keystone's default policy. Keystone 22 checks every API call against a
// rule of its policy-in-code (keystone/common/policies/*.py), written in
// oslo.policy's language: "role:reader and system_scope:all",
// "user_id:%(target.user.id)s", "rule:admin_required", joined with and, or,
// not and parentheses. policy_keystone22.yaml holds the rules as Keystone 22
// enforces them by default (the new reader/member/admin personas, OR'd with
// the deprecated admin rules: enforce_new_defaults and enforce_scope are off);
// scripts/keystone-policy.sh regenerates it with oslopolicy-policy-generator.
// The fake parses the rules, builds the credentials of the caller's token and
// the target of the call as Keystone's RBAC enforcer does, and evaluates.

//go:embed policy_keystone22.yaml
var keystonePolicyFile string

// policyMode is how an operation is authorized.
type policyMode int

const (
	// byRule: a valid token, and the operation's rule holds.
	byRule policyMode = iota
	// noToken: no token is needed (Keystone's unenforced APIs: versions,
	// authentication, federated logins, SAML assertions, EC2 validation).
	noToken
	// byHandler: a valid token; the handler applies the rule itself, with
	// a target only the request's data gives (trusts, OAuth1 access
	// tokens, limits, domain configuration groups, EC2 credentials).
	byHandler
)

// opPolicy is an operation's entry in the policy table.
type opPolicy struct {
	mode policyMode
	rule string // the rule's name, in 403 messages too
}

// policyRules returns the parsed rules, parsed on first use.
var policyRules = sync.OnceValues(func() (map[string]check, error) {
	return parsePolicy(keystonePolicyFile)
})

// parsePolicy parses the "name": "rule" lines of a policy file.
func parsePolicy(text string) (map[string]check, error) {
	rules := map[string]check{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rule, ok := strings.Cut(line, `": "`)
		if !ok || !strings.HasPrefix(name, `"`) || !strings.HasSuffix(rule, `"`) {
			return nil, fmt.Errorf("policy line %d: %q", n, line)
		}
		name, rule = name[1:], rule[:len(rule)-1]
		c, err := parseCheck(rule)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		rules[name] = c
	}
	return rules, sc.Err()
}

// check is a parsed rule.
type check func(in *policyInput) bool

// policyInput is what a rule is evaluated against: the caller's credentials
// (oslo.context's policy values, with Keystone's rendered token under
// "token"), the call's flattened target, and the other rules.
type policyInput struct {
	creds  map[string]any
	target map[string]string
	rules  map[string]check
	depth  int
}

// parseCheck parses a rule: checks joined by "and", "or", "not" and
// parentheses, with oslo.policy's precedence (not, then and, then or). The
// empty rule and "@" always hold, "!" never does.
func parseCheck(rule string) (check, error) {
	var toks []string
	for _, f := range strings.Fields(rule) {
		for strings.HasPrefix(f, "(") {
			toks, f = append(toks, "("), f[1:]
		}
		closing := 0
		for strings.HasSuffix(f, ")") {
			f, closing = f[:len(f)-1], closing+1
		}
		if f != "" {
			toks = append(toks, f)
		}
		for range closing {
			toks = append(toks, ")")
		}
	}
	if len(toks) == 0 {
		return func(*policyInput) bool { return true }, nil
	}
	p := &checkParser{toks: toks}
	c, err := p.or()
	if err == nil && p.pos != len(p.toks) {
		err = fmt.Errorf("unexpected %q", p.toks[p.pos])
	}
	return c, err
}

type checkParser struct {
	toks []string
	pos  int
}

func (p *checkParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *checkParser) or() (check, error) {
	c, err := p.and()
	for err == nil && p.peek() == "or" {
		p.pos++
		var d check
		if d, err = p.and(); err == nil {
			l := c
			c = func(in *policyInput) bool { return l(in) || d(in) }
		}
	}
	return c, err
}

func (p *checkParser) and() (check, error) {
	c, err := p.not()
	for err == nil && p.peek() == "and" {
		p.pos++
		var d check
		if d, err = p.not(); err == nil {
			l := c
			c = func(in *policyInput) bool { return l(in) && d(in) }
		}
	}
	return c, err
}

func (p *checkParser) not() (check, error) {
	if p.peek() == "not" {
		p.pos++
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(in *policyInput) bool { return !c(in) }, nil
	}
	return p.atom()
}

func (p *checkParser) atom() (check, error) {
	tok := p.peek()
	p.pos++
	switch tok {
	case "":
		return nil, fmt.Errorf("unexpected end of rule")
	case "(":
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, fmt.Errorf("missing )")
		}
		p.pos++
		return c, nil
	case "@":
		return func(*policyInput) bool { return true }, nil
	case "!":
		return func(*policyInput) bool { return false }, nil
	}
	kind, match, ok := strings.Cut(tok, ":")
	if !ok {
		return nil, fmt.Errorf("not a check: %q", tok)
	}
	switch kind {
	case "rule":
		return func(in *policyInput) bool {
			r, ok := in.rules[match]
			if !ok || in.depth > 32 {
				return false
			}
			in.depth++
			defer func() { in.depth-- }()
			return r(in)
		}, nil
	case "role":
		return func(in *policyInput) bool {
			m, ok := in.format(match)
			if !ok {
				return false
			}
			roles, _ := in.creds["roles"].([]string)
			for _, r := range roles {
				if strings.EqualFold(r, m) {
					return true
				}
			}
			return false
		}, nil
	}
	// A generic check: a literal (None, True, 'text', a number) or a
	// path into the credentials, compared with the formatted match.
	if lit, isLit := pyLiteral(kind); isLit {
		return func(in *policyInput) bool {
			m, ok := in.format(match)
			return ok && m == lit
		}, nil
	}
	path := strings.Split(kind, ".")
	return func(in *policyInput) bool {
		m, ok := in.format(match)
		return ok && findIn(in.creds, path, m)
	}, nil
}

// pyLiteral reports whether s is a Python literal oslo.policy would
// evaluate, and its str().
func pyLiteral(s string) (string, bool) {
	switch s {
	case "None", "True", "False":
		return s, true
	}
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s, true
	}
	return "", false
}

// format substitutes the target's values for %(name)s, as Python's %
// operator; a name the target lacks fails the check.
func (in *policyInput) format(match string) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(match, "%(")
		if i < 0 {
			b.WriteString(match)
			return b.String(), true
		}
		j := strings.Index(match[i:], ")s")
		if j < 0 {
			return "", false
		}
		v, ok := in.target[match[i+2:i+j]]
		if !ok {
			return "", false
		}
		b.WriteString(match[:i])
		b.WriteString(v)
		match = match[i+j+2:]
	}
}

// findIn follows path into v and compares the value found with match as
// Python's str() would print it; a list matches if any element does.
func findIn(v any, path []string, match string) bool {
	if len(path) == 0 {
		return pyStr(v) == match
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	next, ok := m[path[0]]
	if !ok {
		return false
	}
	if l, ok := next.([]any); ok {
		for _, e := range l {
			if findIn(e, path[1:], match) {
				return true
			}
		}
		return false
	}
	return findIn(next, path[1:], match)
}

// pyStr prints a value as Python's str() does.
func pyStr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case string:
		return v
	case bool:
		if v {
			return "True"
		}
		return "False"
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// orNone is s, or nil (Python's None) when s is empty.
func orNone(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// policyCredentials returns the policy values of a token, as Keystone's
// request context gives them. Callers hold st.mu.
func (st *state) policyCredentials(t *token) map[string]any {
	userDomain := ""
	if u := st.users.get(t.userID); u != nil {
		userDomain = u.DomainID
	}
	rendered := map[string]any{"user": map[string]any{"id": t.userID, "domain": map[string]any{"id": userDomain}}}
	creds := map[string]any{
		"user_id": t.userID, "user_domain_id": orNone(userDomain),
		"project_id": orNone(t.scope.project), "domain_id": orNone(t.scope.domain),
		"system_scope": nil, "is_admin": false, "token": rendered,
	}
	if t.scope.system {
		creds["system_scope"] = "all"
		rendered["system"] = map[string]any{"all": true}
	}
	if t.scope.domain != "" {
		rendered["domain"] = map[string]any{"id": t.scope.domain}
	}
	if t.scope.project != "" {
		pd := ""
		if p := st.projects.get(t.scope.project); p != nil {
			pd, _ = value(p.DomainID)
		}
		creds["project_domain_id"] = orNone(pd)
		rendered["project"] = map[string]any{"id": t.scope.project, "domain": map[string]any{"id": pd}}
	}
	var roles []string
	for _, id := range st.tokenRoles(t) {
		if r := st.roles.get(id); r != nil {
			roles = append(roles, r.Name)
		}
	}
	creds["roles"] = roles
	return creds
}

// policyTarget builds the flattened target of a call as Keystone's RBAC
// enforcer does: the path's parameters, the resources they name (under
// "target."), the subject token's owner, the request body and the query's
// values. A resource that does not exist is left out: the rule then fails
// for all but administrators, who get the handler's 404. Callers hold st.mu.
func (st *state) policyTarget(op string, r *http.Request, req any, caller *token) map[string]string {
	t := map[string]string{}
	set := func(k string, v any) { t[k] = pyStr(v) }
	for _, name := range []string{"user_id", "project_id", "group_id", "role_id", "domain_id", "credential_id",
		"trust_id", "limit_id", "region_id", "service_id", "endpoint_id", "policy_id", "idp_id", "protocol_id",
		"mapping_id", "sp_id", "consumer_id", "endpoint_group_id", "registered_limit_id", "prior_role_id",
		"implies_role_id", "access_token_id", "application_credential_id", "access_rule_id", "tag"} {
		if v := r.PathValue(name); v != "" {
			t[name] = v
		}
	}
	if id := t["user_id"]; id != "" {
		if u := st.users.get(id); u != nil {
			set("target.user.id", u.ID)
			set("target.user.domain_id", u.DomainID)
		}
	}
	if id := t["project_id"]; id != "" {
		if p := st.projects.get(id); p != nil {
			d, _ := value(p.DomainID)
			set("target.project.id", p.ID)
			set("target.project.domain_id", orNone(d))
		}
	}
	if id := t["group_id"]; id != "" {
		if g := st.groups.get(id); g != nil {
			set("target.group.id", g.ID)
			set("target.group.domain_id", g.DomainID)
		}
	}
	if id := t["role_id"]; id != "" {
		if ro := st.roles.get(id); ro != nil {
			d, _ := value(ro.DomainID)
			set("target.role.id", ro.ID)
			set("target.role.domain_id", orNone(d))
		}
	}
	if id := t["domain_id"]; id != "" && st.domains.get(id) != nil {
		set("target.domain.id", id)
	}
	if id := t["credential_id"]; id != "" {
		if c := st.credentials.get(id); c != nil {
			set("target.credential.user_id", c.UserID)
		}
	}
	if f := listTargets[op]; f != nil {
		f(st, caller, t)
	}
	if sub := r.Header.Get("X-Subject-Token"); sub != "" {
		if s, err := st.validToken(sub); err == nil {
			set("target.token.user_id", s.userID)
		}
	}
	for k, vs := range r.URL.Query() {
		if _, ok := t[k]; !ok && len(vs) > 0 {
			t[k] = vs[0]
		}
	}
	// The body, flattened: {"trust": {"trustor_user_id": …}} gives
	// trust.trustor_user_id.
	if v := reflect.ValueOf(req); v.Kind() == reflect.Struct {
		if b := v.FieldByName("Body"); b.IsValid() && b.Kind() == reflect.Pointer && !b.IsNil() {
			if raw, err := json.Marshal(b.Interface()); err == nil {
				var m map[string]any
				if json.Unmarshal(raw, &m) == nil {
					flattenInto(t, "", m)
				}
			}
		}
	}
	return t
}

// flattenInto adds m's scalar values to t under dotted keys.
func flattenInto(t map[string]string, prefix string, m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			flattenInto(t, prefix+k+".", v)
		case []any:
		default:
			if _, ok := t[prefix+k]; !ok {
				t[prefix+k] = pyStr(v)
			}
		}
	}
}

// listTargets add what Keystone's list APIs put in their targets.
var listTargets = map[string]func(st *state, caller *token, t map[string]string){
	// projects, users and role assignments: a domain-scoped caller's domain.
	"ListProjects": domainTarget("target.domain_id"), "ListUsers": domainTarget("target.domain_id"),
	"ListRoleAssignments": domainTarget("target.domain_id"),
	// groups: as the group's domain.
	"ListGroups": domainTarget("target.group.domain_id"),
	// credentials: the caller's own, unless system-scoped.
	"ListCredentials": func(_ *state, caller *token, t map[string]string) {
		if !caller.scope.system {
			t["target.credential.user_id"] = caller.userID
		}
	},
}

// domainTarget sets key to the caller's domain when the token is
// domain-scoped.
func domainTarget(key string) func(*state, *token, map[string]string) {
	return func(_ *state, caller *token, t map[string]string) {
		if caller.scope.domain != "" {
			t[key] = caller.scope.domain
		}
	}
}

// allowed reports whether rule holds for tok on a target built by build (for
// the list APIs that filter their items by rule). Callers hold st.mu.
func (st *state) allowed(rule string, tok *token, target map[string]string) bool {
	rules, err := policyRules()
	if err != nil {
		return false
	}
	c, ok := rules[rule]
	return ok && c(&policyInput{creds: st.policyCredentials(tok), target: target, rules: rules})
}

// enforce evaluates the rule of op for the caller. Callers hold st.mu.
func (st *state) enforce(op, rule string, r *http.Request, req any, tok *token) error {
	rules, err := policyRules()
	if err != nil {
		return errorf(http.StatusInternalServerError, "policy: %v", err)
	}
	c, ok := rules[rule]
	if !ok {
		return errorf(http.StatusForbidden, "Internal RBAC enforcement error, invalid rule (action) name.")
	}
	in := &policyInput{creds: st.policyCredentials(tok), target: st.policyTarget(op, r, req, tok), rules: rules}
	if !c(in) {
		return errorf(http.StatusForbidden, "You are not authorized to perform the requested action: %s.", rule)
	}
	return nil
}

// listDomain is the domain a list of users or groups is limited to, as
// Keystone's with domain-specific drivers enabled (as the fake, which serves
// domain configurations, has them): the domain_id filter if given, else the
// token's domain, or its project's domain; none for a system-scoped token;
// an unscoped token may not list. Callers hold st.mu.
func (st *state) listDomain(ctx context.Context, filter *string) (*string, error) {
	if filter != nil && *filter != "" {
		return filter, nil
	}
	c := callerFrom(ctx)
	switch {
	case c == nil || c.tok.scope.system:
		return nil, nil
	case c.tok.scope.domain != "":
		return &c.tok.scope.domain, nil
	case c.tok.scope.project != "":
		if p := st.projects.get(c.tok.scope.project); p != nil {
			if d, ok := value(p.DomainID); ok {
				return &d, nil
			}
		}
		return nil, nil
	}
	return nil, errorf(http.StatusUnauthorized, "No domain information specified as part of list request")
}
