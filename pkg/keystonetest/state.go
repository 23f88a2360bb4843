package keystonetest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oapi-codegen/nullable"

	v3s "github.com/gokeystone/keystone/gen/identityv3server"
)

// table keeps resources by ID in creation order.
type table[T any] struct {
	order []string
	m     map[string]*T
}

func (t *table[T]) get(id string) *T {
	if t.m == nil {
		return nil
	}
	return t.m[id]
}

func (t *table[T]) put(id string, v *T) {
	if t.m == nil {
		t.m = map[string]*T{}
	}
	if _, ok := t.m[id]; !ok {
		t.order = append(t.order, id)
	}
	t.m[id] = v
}

func (t *table[T]) del(id string) {
	if _, ok := t.m[id]; !ok {
		return
	}
	delete(t.m, id)
	t.order = slices.DeleteFunc(t.order, func(s string) bool { return s == id })
}

func (t *table[T]) all() []*T {
	out := make([]*T, 0, len(t.order))
	for _, id := range t.order {
		out = append(out, t.m[id])
	}
	return out
}

// userRec is a user and its password.
type userRec struct {
	v3s.User
	password string
}

// appCred is an application credential and its secret.
type appCred struct {
	v3s.ApplicationCredential
	secret  string
	roleIDs []string
	// restricted credentials may not create or delete application credentials
	// or create trusts.
	restricted bool
}

// accessRule is an access rule of a user's application credentials.
type accessRule struct {
	id, userID, service, path, method string
}

// grant is one role assignment.
type grant struct {
	actor   string // user or group ID
	group   bool
	role    string
	project string
	domain  string
	system  bool
	// inherited grants apply to the projects under the target (OS-INHERIT),
	// not to the target itself.
	inherited bool
}

// target is what a token or an assignment is scoped to.
type target struct {
	project, domain string
	system          bool
}

// token is an issued token.
type token struct {
	id        string
	userID    string
	methods   []string
	scope     target
	appCredID string
	issued    time.Time
	expires   time.Time
	auditIDs  []string
	revoked   bool
}

// state is the whole in-memory Keystone, guarded by mu.
type state struct {
	mu       sync.Mutex
	root     string
	now      func() time.Time
	lifetime time.Duration

	domains     table[v3s.Domain]
	projects    table[v3s.Project]
	users       table[userRec]
	groups      table[v3s.Group]
	members     map[string]map[string]bool // group ID -> user IDs
	roles       table[v3s.Role]
	implies     map[string][]string // prior role ID -> implied role IDs
	grants      map[grant]bool
	services    table[v3s.Service]
	endpoints   table[v3s.Endpoint]
	regions     table[v3s.Region]
	appcreds    table[appCred]
	rules       table[accessRule]
	credentials table[v3s.Credential]
	policies    table[v3s.Policy]
	tokens      map[string]*token
	receipts    map[string]*receipt
	nIssued     int
	// hashes caches the password hashes of ExportState, by user ID and
	// password, so that a state is exported the same until it changes.
	hashes map[[2]string]string

	// The areas served by files of their own (v3_limits.go,
	// v3_epfilter.go, v3_domainconfig.go): each keeps its state here.
	limitArea  limitState
	epArea     epFilterState
	configArea domainConfigState
	// --- OS-TRUST (v3_trusts.go): trusts and trust-scoped tokens.
	trustArea trustState
	// --- end OS-TRUST
	// --- OS-OAUTH1 (v3_oauth1.go): consumers, request and access tokens.
	oauthArea oauth1State
	// --- end OS-OAUTH1
	// --- OS-KSADM (v2.go): the global role grants of v2.0 users (PUT
	// /v2.0/users/{user_id}/roles/OS-KSADM/{role_id}), which v3 has no
	// notion of: they are listed by GET /v2.0/users/{user_id}/roles only and
	// put no role in any token. Nil until the first grant; a grant whose
	// user or role is gone is not listed.
	v2GlobalRoles map[globalRole]bool
	// --- OS-FEDERATION (v3_federation.go): identity providers, protocols,
	// mappings and service providers.
	fedArea federationState
	// --- end OS-FEDERATION
}

func newState(root string, now func() time.Time, lifetime time.Duration) *state {
	return &state{
		root: root, now: now, lifetime: lifetime,
		members: map[string]map[string]bool{}, implies: map[string][]string{},
		grants: map[grant]bool{}, tokens: map[string]*token{}, receipts: map[string]*receipt{},
	}
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func newTokenID() string {
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	return "gAAAAA" + base64.RawURLEncoding.EncodeToString(b)
}

func null[T any]() nullable.Nullable[T] { return nullable.NewNullNullable[T]() }

func some[T any](v T) nullable.Nullable[T] { return nullable.NewNullableWithValue(v) }

func ptr[T any](v T) *T { return &v }

// value returns the value of n and whether it is set and not null.
func value[T any](n nullable.Nullable[T]) (T, bool) {
	if n.IsSpecified() && !n.IsNull() {
		return n.MustGet(), true
	}
	var zero T
	return zero, false
}

func (st *state) link(path string) v3s.ResourceLinks {
	return v3s.ResourceLinks{Self: st.root + "/v3/" + path}
}

func (st *state) collection(path string) v3s.CollectionLinks {
	return v3s.CollectionLinks{Self: st.root + "/v3/" + path, Next: null[string](), Previous: null[string]()}
}

// bootstrap creates what `keystone-manage bootstrap` does and returns the
// admin user's and project's IDs.
func (st *state) bootstrap(user, password, project, region, publicURL string) (string, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.domains.put("default", &v3s.Domain{
		ID: "default", Name: "Default", Enabled: true, Description: some("The default domain"),
		Links: st.link("domains/default"), Tags: []string{},
	})
	admin, member, reader := newID(), newID(), newID()
	for id, name := range map[string]string{admin: "admin", member: "member", reader: "reader"} {
		st.roles.put(id, &v3s.Role{ID: id, Name: name, Description: null[string](), DomainID: null[string](), Links: st.link("roles/" + id)})
	}
	st.implies[admin] = []string{member}
	st.implies[member] = []string{reader}
	pid := newID()
	st.projects.put(pid, &v3s.Project{
		ID: pid, Name: project, DomainID: some("default"), ParentID: some("default"), Enabled: true,
		Description: some("Bootstrap project for initializing the cloud."), Links: st.link("projects/" + pid), Tags: []string{},
	})
	uid := newID()
	st.users.put(uid, &userRec{User: v3s.User{
		ID: uid, Name: user, DomainID: "default", Enabled: true, PasswordExpiresAt: null[string](),
		Links: st.link("users/" + uid),
	}, password: password})
	st.grants[grant{actor: uid, role: admin, project: pid}] = true
	st.grants[grant{actor: uid, role: admin, system: true}] = true
	st.regions.put(region, &v3s.Region{ID: region, Description: "", ParentRegionID: null[string](), Links: st.link("regions/" + region)})
	sid := newID()
	st.services.put(sid, &v3s.Service{ID: sid, Name: "keystone", Type: "identity", Enabled: true, Links: st.link("services/" + sid)})
	for _, iface := range []v3s.EndpointInterface{v3s.EndpointInterfacePublic, v3s.EndpointInterfaceInternal, v3s.EndpointInterfaceAdmin} {
		eid := newID()
		st.endpoints.put(eid, &v3s.Endpoint{
			ID: eid, Interface: iface, ServiceID: sid, URL: publicURL, Enabled: true,
			Region: some(region), RegionID: some(region), Links: st.link("endpoints/" + eid),
		})
	}
	return uid, pid
}

func (st *state) issued() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.nIssued
}

func (st *state) revokeAll() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, t := range st.tokens {
		t.revoked = true
	}
}

// revokeWhere revokes the tokens matching f.
func (st *state) revokeWhere(f func(*token) bool) {
	for _, t := range st.tokens {
		if f(t) {
			t.revoked = true
		}
	}
}

// allowExpiredWindow is Keystone's [token] allow_expired_window: how long
// after its expiry a token still validates with ?allow_expired=1.
const allowExpiredWindow = 48 * time.Hour

// validToken returns the token id if it is valid now.
func (st *state) validToken(id string) (*token, error) { return st.validTokenWithin(id, 0) }

// validTokenWithin is validToken for a token that may have expired less
// than grace ago (validation with allow_expired).
func (st *state) validTokenWithin(id string, grace time.Duration) (*token, error) {
	t := st.tokens[id]
	if t == nil || t.revoked || !st.now().Before(t.expires.Add(grace)) {
		return nil, notFound("token", "<token>")
	}
	u := st.users.get(t.userID)
	if u == nil || !u.Enabled {
		return nil, notFound("token", "<token>")
	}
	if p := t.scope.project; p != "" {
		if pr := st.projects.get(p); pr == nil || !pr.Enabled {
			return nil, notFound("token", "<token>")
		}
	}
	if d := t.scope.domain; d != "" {
		if dm := st.domains.get(d); dm == nil || !dm.Enabled {
			return nil, notFound("token", "<token>")
		}
	}
	if t.appCredID != "" && st.appcreds.get(t.appCredID) == nil {
		return nil, notFound("token", "<token>")
	}
	// --- OS-TRUST (v3_trusts.go): a trust-scoped token needs a usable trust.
	if st.checkTrustToken(t) != nil {
		return nil, notFound("token", "<token>")
	}
	// --- end OS-TRUST
	return t, nil
}

// groupsOf lists the IDs of the groups userID belongs to.
func (st *state) groupsOf(userID string) []string {
	var out []string
	for _, g := range st.groups.order {
		if st.members[g][userID] {
			out = append(out, g)
		}
	}
	return out
}

// directRoles lists the roles granted on t to userID directly or through
// a group, without implied roles.
func (st *state) directRoles(userID string, t target) []string {
	actors := append([]string{userID}, st.groupsOf(userID)...)
	// Inherited grants on the project's domain and on its ancestors apply too.
	var inheritedFrom []string
	if p := st.projects.get(t.project); p != nil {
		if d, ok := value(p.DomainID); ok {
			inheritedFrom = append(inheritedFrom, d)
		}
		for _, a := range st.ancestors(p) {
			inheritedFrom = append(inheritedFrom, a.ID)
		}
	}
	seen := map[string]bool{}
	var out []string
	for g := range st.grants {
		if !slices.Contains(actors, g.actor) {
			continue
		}
		direct := !g.inherited && g.project == t.project && g.domain == t.domain && g.system == t.system
		viaInheritance := g.inherited && t.project != "" &&
			(slices.Contains(inheritedFrom, g.domain) || slices.Contains(inheritedFrom, g.project))
		if !direct && !viaInheritance {
			continue
		}
		if !seen[g.role] && st.roles.get(g.role) != nil {
			seen[g.role] = true
			out = append(out, g.role)
		}
	}
	slices.Sort(out)
	return out
}

// expand adds the roles that roles imply, transitively.
func (st *state) expand(roles []string) []string {
	seen := map[string]bool{}
	var out []string
	var walk func(string)
	walk = func(id string) {
		if seen[id] || st.roles.get(id) == nil {
			return
		}
		seen[id] = true
		out = append(out, id)
		for _, i := range st.implies[id] {
			walk(i)
		}
	}
	for _, r := range roles {
		walk(r)
	}
	return out
}

// tokenRoles lists the effective roles of a token.
func (st *state) tokenRoles(t *token) []string {
	if t.appCredID != "" {
		if ac := st.appcreds.get(t.appCredID); ac != nil {
			return st.expand(ac.roleIDs)
		}
		return nil
	}
	// --- OS-TRUST (v3_trusts.go): a trust-scoped token has the trust's roles.
	if tr := st.tokenTrust(t); tr != nil {
		return st.trustTokenRoles(tr)
	}
	// --- end OS-TRUST
	// --- OS-OAUTH1 (v3_oauth1.go): a token of the oauth1 method has the delegated roles.
	if at := st.tokenOAuth1(t); at != nil {
		return st.oauth1TokenRoles(t, at)
	}
	// --- end OS-OAUTH1
	if roles, ok := st.federatedTokenRoles(t); ok { // hook: federated login (v3_mapped.go)
		return roles
	}
	if t.scope == (target{}) {
		return nil
	}
	return st.expand(st.directRoles(t.userID, t.scope))
}

func (st *state) hasAdminRole(t *token) bool {
	for _, r := range st.tokenRoles(t) {
		if st.roles.get(r).Name == "admin" {
			return true
		}
	}
	return false
}

// catalog builds the service catalog, with $(project_id)s substituted.
func (st *state) catalog(projectID string) []v3s.CatalogService {
	out := []v3s.CatalogService{}
	for _, svc := range st.services.all() {
		if !svc.Enabled {
			continue
		}
		cs := v3s.CatalogService{ID: svc.ID, Type: svc.Type, Endpoints: []v3s.CatalogEndpoint{}}
		if svc.Name != "" {
			cs.Name = ptr(svc.Name)
		}
		for _, ep := range st.endpoints.all() {
			if ep.ServiceID != svc.ID || !ep.Enabled {
				continue
			}
			url := ep.URL
			for _, v := range []string{"$(project_id)s", "%(project_id)s", "$(tenant_id)s", "%(tenant_id)s"} {
				url = strings.ReplaceAll(url, v, projectID)
			}
			if strings.Contains(url, "$(") || strings.Contains(url, "%(") {
				continue
			}
			ce := v3s.CatalogEndpoint{ID: ep.ID, Interface: string(ep.Interface), URL: url, Region: null[string](), RegionID: null[string]()}
			if r, ok := value(ep.RegionID); ok {
				ce.Region, ce.RegionID = some(r), some(r)
			}
			cs.Endpoints = append(cs.Endpoints, ce)
		}
		out = append(out, cs)
	}
	// OS-EP-FILTER (v3_epfilter.go): a project's endpoint associations filter its catalog.
	if projectID != "" {
		out = st.filterCatalog(projectID, out)
	}
	return out
}

func (st *state) domainRef(id string) v3s.DomainRef {
	ref := v3s.DomainRef{ID: ptr(id)}
	if d := st.domains.get(id); d != nil {
		ref.Name = ptr(d.Name)
	}
	return ref
}

// tokenBody renders a token as Keystone does.
func (st *state) tokenBody(t *token, withCatalog bool) v3s.Token {
	u := st.users.get(t.userID)
	body := v3s.Token{
		AuditIds: t.auditIDs, Methods: t.methods,
		IssuedAt: t.issued, ExpiresAt: t.expires,
		User: v3s.TokenUser{ID: u.ID, Name: u.Name, Domain: st.domainRef(u.DomainID), PasswordExpiresAt: null[string]()},
	}
	switch {
	case t.scope.project != "":
		p := st.projects.get(t.scope.project)
		d, _ := value(p.DomainID)
		body.Project = &v3s.TokenProject{ID: p.ID, Name: p.Name, Domain: st.domainRef(d)}
		body.IsDomain = ptr(false)
	case t.scope.domain != "":
		ref := st.domainRef(t.scope.domain)
		body.Domain = &ref
	case t.scope.system:
		body.System = &v3s.SystemScope{All: ptr(true)}
	}
	if t.scope != (target{}) {
		body.Roles = []v3s.TokenRole{}
		for _, r := range st.tokenRoles(t) {
			body.Roles = append(body.Roles, v3s.TokenRole{ID: r, Name: st.roles.get(r).Name})
		}
		if withCatalog {
			body.Catalog = st.catalog(t.scope.project)
		}
	}
	if ac := st.appcreds.get(t.appCredID); ac != nil {
		body.ApplicationCredential = &v3s.TokenApplicationCredential{ID: ac.ID, Name: ptr(ac.Name), Restricted: ptr(ac.restricted),
			AccessRules: ac.AccessRules}
	}
	st.addTrustToToken(t, &body) // --- OS-TRUST (v3_trusts.go): the OS-TRUST:trust member
	// --- OS-OAUTH1 (v3_oauth1.go): the OS-OAUTH1 member
	st.addOAuth1ToToken(t, &body)
	st.addServiceProvidersToToken(&body) // --- OS-FEDERATION (v3_federation.go): enabled service providers
	st.addFederationToToken(t, &body)    // hook: federated login (v3_mapped.go): the user's OS-FEDERATION
	return body
}

// checkPassword compares passwords in constant time. A stored password that
// came from a state file is a hash (see ImportState).
func checkPassword(stored, given string) bool {
	if h, ok := strings.CutPrefix(stored, hashedPassword); ok {
		return checkPasswordHash(h, given)
	}
	return stored != "" && subtle.ConstantTimeCompare([]byte(stored), []byte(given)) == 1
}

// findDomain resolves a domain reference by ID or name.
func (st *state) findDomain(ref *v3s.DomainRef) *v3s.Domain {
	if ref == nil {
		return nil
	}
	if ref.ID != nil {
		return st.domains.get(*ref.ID)
	}
	if ref.Name != nil {
		for _, d := range st.domains.all() {
			if d.Name == *ref.Name {
				return d
			}
		}
	}
	return nil
}

// findUser resolves a user by ID, or by name in a domain.
func (st *state) findUser(id, name *string, domain *v3s.DomainRef) *userRec {
	if id != nil {
		return st.users.get(*id)
	}
	d := st.findDomain(domain)
	if name == nil || d == nil {
		return nil
	}
	for _, u := range st.users.all() {
		if u.Name == *name && u.DomainID == d.ID {
			return u
		}
	}
	return nil
}

// mergeExtras adds the free-form attributes of an update to a resource's.
func mergeExtras(dst *map[string]any, src map[string]any) {
	for k, v := range src {
		if *dst == nil {
			*dst = map[string]any{}
		}
		(*dst)[k] = v
	}
}
