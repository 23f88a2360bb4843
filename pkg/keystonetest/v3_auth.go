package keystonetest

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// v3 implements the Identity v3 operations. It serves them all; an
// operation added to the spec answers 501 through unimplementedV3 until it
// has a handler (TestEveryV3OperationServed fails meanwhile).
type v3 struct {
	unimplementedV3
	state *state
}

var _ v3s.StrictServerInterface = (*v3)(nil)

func (s *v3) versionDoc() v3s.Version {
	updated := time.Date(2024, 4, 2, 0, 0, 0, 0, time.UTC)
	return v3s.Version{
		ID: "v3.14", Status: "stable", Updated: &updated,
		Links:      []v3s.Link{{Href: s.state.root + "/v3/", Rel: ptr("self")}},
		MediaTypes: []v3s.MediaType{{Base: "application/json", Type: "application/vnd.openstack.identity-v3+json"}},
	}
}

func (s *v3) v2VersionDoc() v3s.Version {
	updated := time.Date(2016, 8, 4, 0, 0, 0, 0, time.UTC)
	return v3s.Version{
		ID: "v2.0", Status: "deprecated", Updated: &updated,
		Links:      []v3s.Link{{Href: s.state.root + "/v2.0/", Rel: ptr("self")}},
		MediaTypes: []v3s.MediaType{{Base: "application/json", Type: "application/vnd.openstack.identity-v2.0+json"}},
	}
}

// ListVersions serves the version list, v3 and v2.0 (Keystone answers 300).
func (s *v3) ListVersions(context.Context, v3s.ListVersionsRequestObject) (v3s.ListVersionsResponseObject, error) {
	return versionsJSON{location: s.state.root + "/v3/", body: v3s.VersionList{Versions: v3s.VersionValues{Values: []v3s.Version{s.versionDoc(), s.v2VersionDoc()}}}}, nil
}

// GetVersion serves the v3 version document.
func (s *v3) GetVersion(context.Context, v3s.GetVersionRequestObject) (v3s.GetVersionResponseObject, error) {
	return v3s.GetVersion200JSONResponse{Version: s.versionDoc()}, nil
}

// IssueToken authenticates with password, token or application credential.
func (s *v3) IssueToken(ctx context.Context, req v3s.IssueTokenRequestObject) (v3s.IssueTokenResponseObject, error) {
	if req.Body == nil {
		return nil, badRequest("Expecting to find auth in request body.")
	}
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	id := req.Body.Auth.Identity
	if len(id.Methods) == 0 {
		return nil, badRequest("Expecting to find methods in identity.")
	}
	var (
		userID    string
		methods   []string
		appCredID string
		fromToken *token
		oauth1At  *oauth1AccessToken // --- OS-OAUTH1 (v3_oauth1.go)
	)
	for _, m := range id.Methods {
		var uid string
		switch m {
		case "password":
			if id.Password == nil {
				return nil, badRequest("Expecting to find password in identity.")
			}
			pu := id.Password.User
			u := st.findUser(pu.ID, pu.Name, pu.Domain)
			if u == nil || !u.Enabled || !checkPassword(u.password, pu.Password) {
				return nil, unauthorized()
			}
			uid = u.ID
		case "token":
			if id.Token == nil {
				return nil, badRequest("Expecting to find token in identity.")
			}
			t, err := st.validToken(id.Token.ID)
			if err != nil {
				return nil, err // 404, as Keystone
			}
			if t.appCredID != "" {
				return nil, errorf(http.StatusForbidden, "Cannot rescope a token created by an application credential.")
			}
			// --- OS-TRUST (v3_trusts.go): a trust-scoped token creates no other token.
			if st.isTrustToken(t) {
				return nil, errorf(http.StatusForbidden, "Using trust-scoped token to create another token. Create a new trust-scoped token instead")
			}
			// --- end OS-TRUST
			if err := st.checkFederatedRescope(t); err != nil { // hook: federated login (v3_mapped.go)
				return nil, err
			}
			fromToken, uid = t, t.userID
		case "totp":
			if id.TOTP == nil {
				return nil, badRequest("Expecting to find totp in identity.")
			}
			tu := id.TOTP.User
			u := st.findUser(tu.ID, tu.Name, tu.Domain)
			if u == nil || !u.Enabled || !st.checkTOTP(u.ID, tu.Passcode) {
				return nil, unauthorized()
			}
			uid = u.ID
		case "application_credential":
			if id.ApplicationCredential == nil {
				return nil, badRequest("Expecting to find application_credential in identity.")
			}
			a := id.ApplicationCredential
			if a.ID == nil && (a.Name == nil || a.User == nil) {
				return nil, badRequest("An application credential is given by its id, or by its name and its user.")
			}
			ac := st.findAppCred(a)
			if ac == nil && a.ID != nil {
				return nil, notFound("application credential", *a.ID)
			}
			if ac == nil || !checkPassword(ac.secret, a.Secret) {
				return nil, unauthorized()
			}
			if exp, ok := value(ac.ExpiresAt); ok {
				if t, err := time.Parse("2006-01-02T15:04:05.000000", exp); err == nil && !st.now().Before(t) {
					return nil, unauthorized()
				}
			}
			if u := st.users.get(ac.UserID); u == nil || !u.Enabled {
				return nil, unauthorized()
			}
			uid, appCredID = ac.UserID, ac.ID
		// --- OS-OAUTH1 (v3_oauth1.go): a request signed with an access token.
		case "oauth1":
			at, err := st.oauth1Authenticate(ctx, id.Oauth1)
			if err != nil {
				return nil, err
			}
			uid, oauth1At = at.userID, at
		// --- end OS-OAUTH1
		default:
			return nil, unauthorized()
		}
		if userID != "" && uid != userID {
			return nil, unauthorized()
		}
		userID = uid
		if !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	if fromToken != nil {
		for _, m := range fromToken.methods {
			if !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
	}
	if r := req.Params.OpenstackAuthReceipt; r != nil {
		rc := st.receipts[*r]
		if rc == nil || !st.now().Before(rc.expires) || rc.userID != userID {
			return nil, unauthorized()
		}
		for _, m := range rc.methods {
			if !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
	}
	if fromToken == nil && appCredID == "" {
		if rules := st.unmetMFARules(userID, methods); rules != nil {
			return st.receipt(userID, methods, rules), nil
		}
	}

	// --- OS-OAUTH1 (v3_oauth1.go): the token of an access token, on its project.
	if oauth1At != nil {
		return st.issueOAuth1Token(oauth1At, methods, req.Params.Nocatalog == nil)
	}
	// --- end OS-OAUTH1
	// --- OS-TRUST (v3_trusts.go): a trust scope issues a trust-scoped token.
	if trustID, ok := trustScopeID(req.Body.Auth.Scope); ok {
		return st.issueTrustToken(trustID, userID, methods, fromToken, appCredID, req.Params.Nocatalog == nil)
	}
	// --- end OS-TRUST
	scope, explicit, err := st.requestedScope(req.Body.Auth.Scope)
	if err != nil {
		return nil, err
	}
	if appCredID != "" {
		if explicit {
			return nil, unauthorized()
		}
		ac := st.appcreds.get(appCredID)
		p, _ := value(ac.ProjectID)
		scope = target{project: p}
	} else if !explicit {
		// Keystone scopes to the default project when the user has a role there.
		if u := st.users.get(userID); u.DefaultProjectID != nil {
			if p := st.projects.get(*u.DefaultProjectID); p != nil && p.Enabled &&
				len(st.directRoles(userID, target{project: p.ID})) > 0 {
				scope = target{project: p.ID}
			}
		}
	} else if scope != (target{}) && len(st.directRoles(userID, scope)) == 0 &&
		!st.federatedRescopeHasRoles(fromToken, scope) { // hook: federated login (v3_mapped.go)
		return nil, unauthorized()
	}

	now := st.now()
	t := &token{
		id: newTokenID(), userID: userID, methods: methods, scope: scope, appCredID: appCredID,
		issued: now.Truncate(time.Microsecond), expires: now.Add(st.lifetime).Truncate(time.Microsecond),
		auditIDs: []string{newAuditID()},
	}
	if fromToken != nil {
		// A rescoped token keeps its parent's expiry and audit chain.
		t.expires = fromToken.expires
		t.auditIDs = append(t.auditIDs, fromToken.auditIDs[len(fromToken.auditIDs)-1])
	}
	st.inheritFederation(fromToken, t) // hook: federated login (v3_mapped.go)
	st.tokens[t.id] = t
	st.nIssued++
	return v3s.IssueToken201JSONResponse{
		Body:    v3s.TokenEnvelope{Token: st.tokenBody(t, req.Params.Nocatalog == nil)},
		Headers: v3s.IssueToken201ResponseHeaders{XSubjectToken: t.id},
	}, nil
}

func newAuditID() string { return newTokenID()[6:28] }

// requestedScope resolves the scope of an authentication request; explicit
// reports whether one was given (an explicit unscoped request included).
func (st *state) requestedScope(req *v3s.AuthScopeRequest) (target, bool, error) {
	if req == nil {
		return target{}, false, nil
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return target{}, false, badRequest("Invalid scope.")
	}
	var unscoped string
	if json.Unmarshal(raw, &unscoped) == nil {
		return target{}, true, nil
	}
	sc, err := req.AsAuthScope()
	if err != nil {
		return target{}, false, badRequest("Invalid scope.")
	}
	switch {
	case sc.Project != nil:
		var p *v3s.Project
		if sc.Project.ID != nil {
			p = st.projects.get(*sc.Project.ID)
		} else if sc.Project.Name != nil {
			d := st.findDomain(sc.Project.Domain)
			if d == nil {
				return target{}, false, unauthorized()
			}
			for _, c := range st.projects.all() {
				if dd, _ := value(c.DomainID); c.Name == *sc.Project.Name && dd == d.ID {
					p = c
				}
			}
		}
		if p == nil || !p.Enabled {
			return target{}, false, unauthorized()
		}
		return target{project: p.ID}, true, nil
	case sc.Domain != nil:
		d := st.findDomain(sc.Domain)
		if d == nil || !d.Enabled {
			return target{}, false, unauthorized()
		}
		return target{domain: d.ID}, true, nil
	case sc.System != nil:
		return target{system: true}, true, nil
	case sc.OSTRUSTTrust != nil:
		// --- OS-TRUST: IssueToken hands trust scopes to issueTrustToken (v3_trusts.go) first.
		return target{}, false, unauthorized()
	}
	return target{}, true, nil
}

func (st *state) findAppCred(a *v3s.AuthApplicationCredential) *appCred {
	if a.ID != nil {
		return st.appcreds.get(*a.ID)
	}
	if a.Name == nil || a.User == nil {
		return nil
	}
	u := st.findUser(a.User.ID, a.User.Name, a.User.Domain)
	if u == nil {
		return nil
	}
	for _, ac := range st.appcreds.all() {
		if ac.Name == *a.Name && ac.UserID == u.ID {
			return ac
		}
	}
	return nil
}

// subject returns the token of X-Subject-Token that the caller may see: its
// own, or any with the admin role.
func (s *v3) subject(ctx context.Context, id string) (*token, error) {
	return s.subjectWithin(ctx, id, 0)
}

// subjectWithin is subject for a token that may have expired less than grace
// ago.
func (s *v3) subjectWithin(ctx context.Context, id string, grace time.Duration) (*token, error) {
	c := callerFrom(ctx)
	t, err := s.state.validTokenWithin(id, grace)
	if err != nil {
		return nil, err
	}
	if !c.admin && !c.policyChecked && t.userID != c.tok.userID {
		return nil, forbidden()
	}
	return t, nil
}

// validatedSubject is the subject token of a validation (GET or HEAD): with
// allow_expired, one that expired less than Keystone's allow_expired_window
// ago; refused (not found) if it needs access-rules support the caller does
// not declare.
func (s *v3) validatedSubject(ctx context.Context, id string, allowExpired *bool, rules *v3s.AccessRulesHeader) (*token, error) {
	var grace time.Duration
	if allowExpired != nil && *allowExpired {
		grace = allowExpiredWindow
	}
	t, err := s.subjectWithin(ctx, id, grace)
	if err != nil {
		return nil, err
	}
	return t, s.state.checkAccessRulesSupport(t, rules)
}

// ValidateToken returns the subject token.
func (s *v3) ValidateToken(ctx context.Context, req v3s.ValidateTokenRequestObject) (v3s.ValidateTokenResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	t, err := s.validatedSubject(ctx, req.Params.XSubjectToken, req.Params.AllowExpired, req.Params.OpenStackIdentityAccessRules)
	if err != nil {
		return nil, err
	}
	return v3s.ValidateToken200JSONResponse{
		Body:    v3s.TokenEnvelope{Token: s.state.tokenBody(t, req.Params.Nocatalog == nil)},
		Headers: v3s.ValidateToken200ResponseHeaders{XSubjectToken: t.id},
	}, nil
}

// CheckToken checks the subject token (HEAD).
func (s *v3) CheckToken(ctx context.Context, req v3s.CheckTokenRequestObject) (v3s.CheckTokenResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	t, err := s.validatedSubject(ctx, req.Params.XSubjectToken, req.Params.AllowExpired, req.Params.OpenStackIdentityAccessRules)
	if err != nil {
		return nil, err
	}
	return v3s.CheckToken200Response{Headers: v3s.CheckToken200ResponseHeaders{XSubjectToken: ptr(t.id)}}, nil
}

// checkAccessRulesSupport answers as Keystone for a token of an application
// credential with access rules: not found, unless the caller says (with the
// OpenStack-Identity-Access-Rules header) that it enforces access rules of
// version 1.0 or later. Callers hold st.mu.
func (st *state) checkAccessRulesSupport(t *token, support *v3s.AccessRulesHeader) error {
	ac := st.appcreds.get(t.appCredID)
	if ac == nil || len(ac.AccessRules) == 0 {
		return nil
	}
	if support != nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(*support), 64); err == nil && v >= 1.0 {
			return nil
		}
	}
	return notFound("token", "<token>")
}

// RevokeToken revokes the subject token.
func (s *v3) RevokeToken(ctx context.Context, req v3s.RevokeTokenRequestObject) (v3s.RevokeTokenResponseObject, error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	t, err := s.subject(ctx, req.Params.XSubjectToken)
	if err != nil {
		return nil, err
	}
	t.revoked = true
	s.state.recordRevocation(revocationEvent{auditID: t.auditIDs[0]}) // hook: records the revocation event (v3_revoke.go)
	return v3s.RevokeToken204Response{}, nil
}

// GetAuthCatalog returns the catalog of the caller's token.
func (s *v3) GetAuthCatalog(ctx context.Context, _ v3s.GetAuthCatalogRequestObject) (v3s.GetAuthCatalogResponseObject, error) {
	c := callerFrom(ctx)
	if c.tok.scope == (target{}) {
		return nil, errorf(http.StatusForbidden, "A catalog can only be obtained with a scoped token.")
	}
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return v3s.GetAuthCatalog200JSONResponse{Catalog: s.state.catalog(c.tok.scope.project), Links: s.state.collection("auth/catalog")}, nil
}

// ListAuthProjects lists the projects the caller's token may be scoped to.
func (s *v3) ListAuthProjects(ctx context.Context, _ v3s.ListAuthProjectsRequestObject) (v3s.ListAuthProjectsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := st.scopableProjects(callerFrom(ctx).tok)
	return projectJSON{200, v3s.ProjectList{Projects: out, Links: st.collection("auth/projects")}}, nil
}

// ListAuthDomains lists the domains the caller's token may be scoped to.
func (s *v3) ListAuthDomains(ctx context.Context, _ v3s.ListAuthDomainsRequestObject) (v3s.ListAuthDomainsResponseObject, error) {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := st.scopableDomains(callerFrom(ctx).tok)
	return v3s.ListAuthDomains200JSONResponse{Domains: out, Links: st.collection("auth/domains")}, nil
}

// scopableProjects are the enabled projects tok's user has a role on,
// directly or through its groups (for a federated token, the groups the
// mapping gave it). Callers hold st.mu.
func (st *state) scopableProjects(tok *token) []v3s.Project {
	out := []v3s.Project{}
	for _, p := range st.projects.all() {
		if p.Enabled && st.hasScopeRoles(tok, target{project: p.ID}) {
			out = append(out, *p)
		}
	}
	return out
}

// scopableDomains is scopableProjects for domains.
func (st *state) scopableDomains(tok *token) []v3s.Domain {
	out := []v3s.Domain{}
	for _, d := range st.domains.all() {
		if d.Enabled && st.hasScopeRoles(tok, target{domain: d.ID}) {
			out = append(out, *d)
		}
	}
	return out
}

// hasScopeRoles reports whether tok's user has a role on t. Callers hold
// st.mu.
func (st *state) hasScopeRoles(tok *token, t target) bool {
	if len(st.directRoles(tok.userID, t)) > 0 {
		return true
	}
	// --- hook: federated login (v3_mapped.go): the mapped groups' roles.
	if fed := st.tokenFederation(tok); fed != nil {
		return len(st.groupRoles(fed.groups, t)) > 0
	}
	return false
}

// ListAuthSystem lists the system scope if the caller's user has a role on it.
func (s *v3) ListAuthSystem(ctx context.Context, _ v3s.ListAuthSystemRequestObject) (v3s.ListAuthSystemResponseObject, error) {
	uid := callerFrom(ctx).tok.userID
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	out := []v3s.SystemScope{}
	if len(st.directRoles(uid, target{system: true})) > 0 {
		out = append(out, v3s.SystemScope{All: ptr(true)})
	}
	return v3s.ListAuthSystem200JSONResponse{System: out, Links: st.collection("auth/system")}, nil
}

// receipt is what a user earns by meeting part of its multi-factor rules.
type receipt struct {
	userID          string
	methods         []string
	issued, expires time.Time
}

// unmetMFARules returns the user's multi-factor rules when it has some and
// methods meet none of them, else nil.
func (st *state) unmetMFARules(userID string, methods []string) [][]string {
	u := st.users.get(userID)
	if on, _ := value(u.Options.MultiFactorAuthEnabled); !on {
		return nil
	}
	rules, _ := value(u.Options.MultiFactorAuthRules)
	if len(rules) == 0 {
		return nil
	}
	for _, rule := range rules {
		met := true
		for _, m := range rule {
			met = met && slices.Contains(methods, m)
		}
		if met {
			return nil
		}
	}
	return rules
}

// receipt answers a partial multi-factor authentication: a 401 with an
// Openstack-Auth-Receipt to continue with.
func (st *state) receipt(userID string, methods []string, rules [][]string) v3s.IssueTokenResponseObject {
	now := st.now()
	id := newTokenID()
	rc := &receipt{userID: userID, methods: methods, issued: now.Truncate(time.Microsecond), expires: now.Add(5 * time.Minute).Truncate(time.Microsecond)}
	st.receipts[id] = rc
	u := st.users.get(userID)
	return v3s.IssueToken401JSONResponse{
		Body: v3s.AuthFailure{
			Receipt: &v3s.AuthReceipt{Methods: methods, IssuedAt: rc.issued, ExpiresAt: rc.expires,
				User: v3s.TokenUser{ID: u.ID, Name: u.Name, Domain: st.domainRef(u.DomainID), PasswordExpiresAt: null[string]()}},
			RequiredAuthMethods: rules,
		},
		Headers: v3s.IssueToken401ResponseHeaders{OpenstackAuthReceipt: &id},
	}
}

// checkTOTP checks a passcode against the user's TOTP credentials (RFC 6238:
// HMAC-SHA1, 6 digits, 30 s steps; the current step and the one before).
func (st *state) checkTOTP(userID, passcode string) bool {
	now := st.now().Unix() / 30
	for _, c := range st.credentials.all() {
		if c.UserID != userID || c.Type != "totp" {
			continue
		}
		key, err := totpKey(c.Blob)
		if err != nil {
			continue
		}
		for _, step := range []int64{now, now - 1} {
			if subtle.ConstantTimeCompare([]byte(totp(key, step)), []byte(passcode)) == 1 {
				return true
			}
		}
	}
	return false
}

// totpKey decodes the base32 secret of a TOTP credential.
func totpKey(blob string) ([]byte, error) {
	return base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(strings.ToUpper(blob), "="))
}

func totp(key []byte, step int64) string {
	var counter [8]byte
	binary.BigEndian.PutUint64(counter[:], uint64(step))
	mac := hmac.New(sha1.New, key)
	mac.Write(counter[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}
