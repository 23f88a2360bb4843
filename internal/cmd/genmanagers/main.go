// Command genmanagers generates the resource managers of an Identity API
// version (pkg/keystone/identityv3, pkg/keystone/identityv2) from its spec:
// plain Go types for the request and response bodies the managers take and
// return, an options type per operation with query parameters, and one
// method per operation.
//
//	go run ./internal/cmd/genmanagers -spec api/identity-v3.yaml -pkg identityv3 -out pkg/keystone/identityv3/managers.gen.go
//
// Each operation of the spec names its method with the extension
// `x-gokeystone: Manager.Method` (or `hand-written`, for the operations the
// package implements by hand: token operations, grants, OAuth1 signing,
// federated logins, version discovery; with `x-gokeystone-types: true`, the
// types of the request body are generated for the hand-written code). A query parameter with
// `x-gokeystone-flag: true` is a flag: Keystone takes any value as true, so
// it is a bool sent only when true.
//
// The vocabulary: Create, Get, Update, Delete, List (an iter.Seq2 that
// follows links.next), Has… (checks, HEAD), List<Sub> for sub-collections,
// and Find (by ID, else by name) wherever a manager has Get and List and its
// resource has a name.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/gokeystone/keystone/internal/speclint"
)

func main() {
	spec := flag.String("spec", "", "the OpenAPI spec")
	pkg := flag.String("pkg", "", "the Go package name")
	out := flag.String("out", "", "the output file")
	handwritten := flag.String("handwritten", "", "comma-separated managers written by hand (fields of the Client too)")
	flag.Parse()
	if err := run(*spec, *pkg, *out, *handwritten); err != nil {
		fmt.Fprintln(os.Stderr, "genmanagers:", err)
		os.Exit(1)
	}
}

func run(spec, pkg, out, handwritten string) error {
	doc, err := speclint.Load(spec)
	if err != nil {
		return err
	}
	g := &gen{doc: doc, pkg: pkg, types: map[string]*typeDef{}}
	if handwritten != "" {
		g.handwritten = strings.Split(handwritten, ",")
	}
	if err := g.collect(); err != nil {
		return err
	}
	src := g.emit(spec)
	formatted, err := format.Source(src)
	if err != nil {
		os.WriteFile(out+".broken", src, 0o644)
		return fmt.Errorf("format: %w (unformatted output in %s.broken)", err, out)
	}
	return os.WriteFile(out, formatted, 0o644)
}

// ---- model ----

type gen struct {
	doc *openapi3.T
	pkg string
	// handwritten are the managers the package writes by hand, fields of
	// the Client too.
	handwritten []string
	ops         []*op
	types       map[string]*typeDef
	// managers by name, in order of first appearance (sorted at emit).
	managers map[string][]*op
}

type op struct {
	id, method, path  string
	mgr, name         string
	tags              []string
	summary, desc     string
	pathParams        []param
	query             []param
	noAuth            bool
	body              *body
	resp              resp
	optsType          string // Go name of the options type, "" if none
	bodyRequiredCheck bool
}

type param struct {
	name, goName, desc string
	kind               string // string, strings, bool, flag, int
}

type body struct {
	key    string // the envelope's member, "" when the body is not an envelope
	goType string // the argument's type
	named  string // the named struct type, if any
}

type resp struct {
	kind   string // none, check, text, object, list
	key    string // the envelope member ("" for a whole-body object)
	goType string // the returned type (element type for list)
	named  string // named struct type of the item, if any
	links  bool
	// v2Links: the pages' links are v2.0's "<key>_links" list of {rel, href}.
	v2Links bool
	// one: the member holding a single item instead of the list (v2.0's
	// list filtered by name), or "".
	one string
}

type typeDef struct {
	name     string
	schema   *openapi3.Schema
	fields   []field
	extra    bool // has Extra: free-form members kept
	null     bool // has Null: members to send as null
	request  bool
	top      bool // a body or an item of a response: where Extra is filled/sent
	secrets  []string
	bodyOf   []string // the methods that take it as their body
	keys     []string
	nullable []string
	desc     string
}

type field struct {
	json, goName, goType, desc string
	omitEmpty                  bool
	secret                     bool
	nested                     string // a named struct type the field holds (pointer or value)
}

// ---- collection ----

func (g *gen) collect() error {
	g.managers = map[string][]*op{}
	for _, path := range g.doc.Paths.InMatchingOrder() {
		item := g.doc.Paths.Value(path)
		ops := item.Operations()
		for _, method := range sortedKeys(ops) {
			o := ops[method]
			x, ok := o.Extensions["x-gokeystone"].(string)
			if !ok {
				return fmt.Errorf("%s %s (%s): no x-gokeystone extension", method, path, o.OperationID)
			}
			if x == "hand-written" {
				if o.Extensions["x-gokeystone-types"] == true {
					// The package implements it, with the types of its body.
					if err := g.requestBody(&op{id: o.OperationID}, o); err != nil {
						return err
					}
				}
				continue
			}
			mgr, name, ok := strings.Cut(x, ".")
			if !ok {
				return fmt.Errorf("%s: x-gokeystone %q is not Manager.Method", o.OperationID, x)
			}
			p := &op{id: o.OperationID, method: method, path: path, mgr: mgr, name: name, summary: o.Summary, desc: o.Description, tags: o.Tags}
			if o.Security != nil && len(*o.Security) == 0 {
				p.noAuth = true
			}
			params := append(openapi3.Parameters{}, item.Parameters...)
			params = append(params, o.Parameters...)
			for _, pr := range params {
				v := pr.Value
				switch v.In {
				case "path":
					p.pathParams = append(p.pathParams, param{name: v.Name, goName: argName(v.Name)})
				case "query":
					p.query = append(p.query, g.queryParam(v))
				}
			}
			// Path parameters in the order of the path.
			sort.SliceStable(p.pathParams, func(i, j int) bool {
				return strings.Index(path, "{"+p.pathParams[i].name+"}") < strings.Index(path, "{"+p.pathParams[j].name+"}")
			})
			if len(p.query) > 0 {
				p.optsType = upperFirst(p.id) + "Options"
			}
			if err := g.requestBody(p, o); err != nil {
				return err
			}
			if err := g.response(p, o); err != nil {
				return err
			}
			g.ops = append(g.ops, p)
			g.managers[mgr] = append(g.managers[mgr], p)
		}
	}
	for _, ops := range g.managers {
		sort.Slice(ops, func(i, j int) bool { return methodOrder(ops[i].name) < methodOrder(ops[j].name) })
	}
	return nil
}

func methodOrder(name string) string {
	for i, p := range []string{"Create", "Get", "Update", "Delete", "List"} {
		if name == p {
			return fmt.Sprint(i) + name
		}
	}
	return "9" + name
}

func (g *gen) queryParam(v *openapi3.Parameter) param {
	p := param{name: v.Name, goName: goName(v.Name), desc: strings.TrimSpace(v.Description), kind: "string"}
	s := v.Schema.Value
	switch {
	case v.Extensions["x-gokeystone-flag"] == true:
		p.kind = "flag"
	case s.Type.Is("boolean"):
		p.kind = "bool"
	case s.Type.Is("integer"):
		p.kind = "int"
	case s.Type.Is("array"):
		p.kind = "strings"
	}
	return p
}

func (g *gen) requestBody(p *op, o *openapi3.Operation) error {
	if o.RequestBody == nil || o.RequestBody.Value == nil {
		return nil
	}
	mt := o.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return fmt.Errorf("%s: a request body that is not JSON: mark it hand-written", p.id)
	}
	key, inner := envelope(mt.Schema, false)
	if iv := inner.Value; key != "" && !iv.Type.Is("array") && len(iv.Properties) == 0 && len(iv.AllOf) == 0 {
		key, inner = "", mt.Schema // {"tenant_id": "…"}: the body is the object
	}
	t, named := g.goType(inner, upperFirst(p.id)+"Body", true, true)
	p.body = &body{key: key, goType: t, named: named}
	if td := g.types[named]; td != nil && p.mgr != "" {
		td.bodyOf = append(td.bodyOf, p.mgr+"Manager."+p.name)
	}
	return nil
}

func (g *gen) response(p *op, o *openapi3.Operation) error {
	if p.method == "HEAD" || strings.HasPrefix(p.name, "Has") {
		p.resp.kind = "check"
		return nil
	}
	var rs *openapi3.ResponseRef
	for _, code := range []string{"200", "201", "202", "204"} {
		if r := o.Responses.Value(code); r != nil {
			rs = r
			break
		}
	}
	if rs == nil || rs.Value == nil || len(rs.Value.Content) == 0 {
		p.resp.kind = "none"
		return nil
	}
	mt := rs.Value.Content.Get("application/json")
	if mt == nil {
		p.resp.kind = "text"
		return nil
	}
	key, inner := envelope(mt.Schema, true)
	p.resp.key = key
	if key != "" && mt.Schema.Value.Properties["links"] != nil {
		p.resp.links = true
	}
	if key != "" && mt.Schema.Value.Properties[key+"_links"] != nil {
		p.resp.links, p.resp.v2Links = true, true
	}
	for name, m := range mt.Schema.Value.Properties {
		if name != key && key != "" && inner.Value.Items != nil && m.Ref != "" && m.Ref == inner.Value.Items.Ref {
			p.resp.one = name
		}
	}
	if inner.Value.Type.Is("array") && key != "" {
		p.resp.kind = "list"
		if p.method != "GET" {
			p.resp.kind = "slice"
		}
		t, named := g.goType(inner.Value.Items, upperFirst(p.id)+"Item", true, false)
		p.resp.goType, p.resp.named = t, named
		return nil
	}
	p.resp.kind = "object"
	t, named := g.goType(inner, upperFirst(p.id)+"Result", true, false)
	p.resp.goType, p.resp.named = t, named
	return nil
}

// envelope returns the member and schema a body wraps: Keystone's bodies
// are {"project": {...}} or {"projects": [...], "links": {...}}.
func envelope(s *openapi3.SchemaRef, response bool) (string, *openapi3.SchemaRef) {
	v := s.Value
	if v == nil || len(v.Properties) == 0 || v.AdditionalProperties.Has != nil && *v.AdditionalProperties.Has {
		return "", s
	}
	var members []string
	for name := range v.Properties {
		if response && (name == "links" || name == "truncated" || strings.HasSuffix(name, "_links")) {
			continue
		}
		members = append(members, name)
	}
	if len(members) == 2 && response {
		// {"tenants": [...], "tenant": {...}}: a list, or one item.
		for i, m := range members {
			other := members[1-i]
			if p := v.Properties[m].Value; p.Type.Is("array") && p.Items != nil && p.Items.Ref != "" && p.Items.Ref == v.Properties[other].Ref {
				return m, v.Properties[m]
			}
		}
	}
	if len(members) != 1 {
		return "", s
	}
	return members[0], v.Properties[members[0]]
}

// goType returns the Go type of a schema, defining named struct types as
// needed (ctxName names an inline object). top: the schema is a body or the
// item of a response.
func (g *gen) goType(s *openapi3.SchemaRef, ctxName string, top, request bool) (string, string) {
	name := ctxName
	if s.Ref != "" {
		name = s.Ref[strings.LastIndexByte(s.Ref, '/')+1:]
	}
	v := s.Value
	switch {
	case len(v.AllOf) == 1 && len(v.Properties) == 0:
		return g.goType(v.AllOf[0], ctxName, top, request)
	case len(v.AllOf) > 1 && mergeable(v.AllOf):
		g.define(name, merge(v), top, request)
		return name, name
	case len(v.AllOf) > 0 || len(v.OneOf) > 0 || len(v.AnyOf) > 0:
		return "any", ""
	case v.Type.Is("string"):
		return "string", ""
	case v.Type.Is("integer"):
		return "int", ""
	case v.Type.Is("number"):
		return "float64", ""
	case v.Type.Is("boolean"):
		return "bool", ""
	case v.Type.Is("array"):
		if v.Items == nil {
			return "[]any", ""
		}
		t, _ := g.goType(v.Items, name+"Item", false, request)
		return "[]" + t, ""
	case len(v.Properties) > 0:
		g.define(name, v, top, request)
		return name, name
	case v.AdditionalProperties.Schema != nil:
		t, _ := g.goType(v.AdditionalProperties.Schema, name+"Value", false, request)
		return "map[string]" + t, ""
	case v.Type.Is("object"):
		return "map[string]any", ""
	}
	return "any", ""
}

func (g *gen) define(name string, s *openapi3.Schema, top, request bool) {
	if t, ok := g.types[name]; ok {
		t.top = t.top || top
		if request && !t.request {
			t.request = true
			for _, f := range t.fields {
				if n := g.types[f.nested]; n != nil {
					g.define(n.name, n.schema, false, true)
				}
			}
		}
		return
	}
	t := &typeDef{name: name, schema: s, top: top, request: request, desc: strings.TrimSpace(s.Description)}
	g.types[name] = t
	props := make([]string, 0, len(s.Properties))
	for p := range s.Properties {
		props = append(props, p)
	}
	sort.Strings(props)
	for _, p := range props {
		ps := s.Properties[p]
		ft, nested := g.goType(ps, name+goName(p), false, request)
		f := field{json: p, goName: goName(p), goType: ft, desc: strings.TrimSpace(ps.Value.Description), nested: nested}
		if f.goName == "Extra" || f.goName == "Null" {
			f.goName += "Member" // the names of the fields the generator adds
		}
		required := slices.Contains(s.Required, p)
		nullable := ps.Value.Nullable
		switch {
		case strings.HasPrefix(ft, "[]"), strings.HasPrefix(ft, "map["), ft == "any":
			f.omitEmpty = true
		case required && !nullable:
		default:
			f.goType = "*" + ft
			f.omitEmpty = true
		}
		if nullable {
			t.nullable = append(t.nullable, p)
		}
		if isSecret(name, p) {
			f.secret = true
			t.secrets = append(t.secrets, f.goName)
		}
		t.keys = append(t.keys, p)
		t.fields = append(t.fields, f)
	}
	if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has {
		t.extra = true
	}
}

var secretNames = map[string]bool{"password": true, "original_password": true, "secret": true, "passcode": true}

func isSecret(typeName, member string) bool {
	return secretNames[member] || member == "blob" && strings.HasPrefix(typeName, "Credential")
}

// mergeable reports whether every part of an allOf is an object with
// properties: a struct of them all.
func mergeable(parts openapi3.SchemaRefs) bool {
	for _, p := range parts {
		if p.Value == nil || len(p.Value.Properties) == 0 && len(p.Value.AllOf) == 0 {
			return false
		}
	}
	return true
}

// merge returns the object schema an allOf of objects describes.
func merge(v *openapi3.Schema) *openapi3.Schema {
	out := &openapi3.Schema{Type: &openapi3.Types{"object"}, Description: v.Description, Properties: openapi3.Schemas{}}
	var add func(s *openapi3.Schema)
	add = func(s *openapi3.Schema) {
		for _, p := range s.AllOf {
			add(p.Value)
		}
		for k, p := range s.Properties {
			out.Properties[k] = p
		}
		out.Required = append(out.Required, s.Required...)
		if s.AdditionalProperties.Has != nil && *s.AdditionalProperties.Has {
			t := true
			out.AdditionalProperties.Has = &t
		}
		if out.Description == "" {
			out.Description = s.Description
		}
	}
	add(v)
	return out
}

// ---- emission ----

type writer struct{ bytes.Buffer }

func (w *writer) p(format string, args ...any) { fmt.Fprintf(&w.Buffer, format+"\n", args...) }

func (g *gen) emit(spec string) []byte {
	// Which types hold Extra and Null: Extra where the client fills or
	// sends it (bodies and response items); Null on request bodies.
	for _, t := range g.types {
		t.extra = t.extra && t.top
		t.null = t.request && t.top && len(t.nullable) > 0
	}
	w := &writer{}
	w.p("// Code generated by internal/cmd/genmanagers from %s. DO NOT EDIT.", spec)
	w.p("")
	w.p("package %s", g.pkg)
	w.p("")
	w.p("import (")
	for _, imp := range []string{"context", "encoding/json", "fmt", "iter", "log/slog", "net/http", "net/url", "", "github.com/gokeystone/keystone/internal/redact", "github.com/gokeystone/keystone/internal/rest"} {
		if imp == "" {
			w.p("")
			continue
		}
		w.p("%q", imp)
	}
	w.p(")")
	w.p("")
	w.p("var _ = url.Values{}")
	w.p("var _ = http.MethodGet")
	w.p("var _ iter.Seq[int]")
	w.p("var _ = fmt.Sprint")
	w.p("var _ = json.Unmarshal")
	w.p("var _ slog.LogValuer")
	w.p("var _ = redact.Format")
	w.p("")
	g.emitClient(w)
	mgrs := sortedKeys(g.managers)
	for _, m := range mgrs {
		g.emitManager(w, m)
	}
	for _, name := range sortedKeys(g.types) {
		g.emitType(w, g.types[name])
	}
	for _, o := range g.ops {
		g.emitOptions(w, o)
	}
	return w.Bytes()
}

func (g *gen) emitClient(w *writer) {
	names := append(sortedKeys(g.managers), g.handwritten...)
	sort.Strings(names)
	names = slices.Compact(names)
	w.p("// Client is the client of the Identity API: a manager per resource, each")
	w.p("// sending its requests through the keystone.Session the client was made")
	w.p("// with (see NewClient).")
	w.p("type Client struct {")
	w.p("c *rest.Client")
	w.p("")
	for _, m := range names {
		if d := g.managerDoc(m); d != "" {
			w.p("%s", comment(m+": "+d))
		}
		w.p("%s *%sManager", m, m)
	}
	w.p("}")
	w.p("")
	w.p("func newClient(c *rest.Client) *Client {")
	w.p("return &Client{c: c,")
	for _, m := range names {
		w.p("%s: &%sManager{c: c},", m, m)
	}
	w.p("}")
	w.p("}")
	w.p("")
}

// managerDoc is the description of the spec tag of m's first operation
// (its first sentence), or "".
func (g *gen) managerDoc(m string) string {
	ops := g.managers[m]
	if len(ops) == 0 || len(ops[0].tags) == 0 {
		return ""
	}
	t := g.doc.Tags.Get(ops[0].tags[0])
	if t == nil || t.Description == "" {
		return ""
	}
	d := strings.Join(strings.Fields(t.Description), " ")
	if i := strings.Index(d, ". "); i > 0 {
		d = d[:i+1]
	}
	return lowerFirstWord(d)
}

func (g *gen) emitManager(w *writer, m string) {
	w.p("// %sManager is the %s resource of the Identity API.", m, m)
	w.p("type %sManager struct{ c *rest.Client }", m)
	w.p("")
	ops := g.managers[m]
	for _, o := range ops {
		g.emitMethod(w, o)
	}
	g.emitFind(w, m, ops)
}

func (g *gen) args(o *op) (decl []string, names []string) {
	for _, p := range o.pathParams {
		decl = append(decl, p.goName+" string")
		names = append(names, p.goName)
	}
	return
}

func (g *gen) emitMethod(w *writer, o *op) {
	decl, names := g.args(o)
	if o.body != nil {
		decl = append(decl, "body "+o.body.goType)
	}
	if o.optsType != "" {
		decl = append(decl, "opts *"+o.optsType)
	}
	sig := "ctx context.Context"
	if len(decl) > 0 {
		sig += ", " + strings.Join(decl, ", ")
	}
	var ret string
	switch o.resp.kind {
	case "none":
		ret = "error"
	case "check":
		ret = "(bool, error)"
	case "text":
		ret = "(string, error)"
	case "object":
		ret = "(*" + o.resp.goType + ", error)"
		if !isNamed(o.resp.goType) {
			ret = "(" + o.resp.goType + ", error)"
		}
	case "list":
		ret = "iter.Seq2[" + o.resp.goType + ", error]"
	case "slice":
		ret = "([]" + o.resp.goType + ", error)"
	}
	w.p("// %s", methodDoc(o))
	w.p("//")
	w.p("// %s %s (%s).", strings.ToUpper(o.method), o.path, o.id)
	switch o.resp.kind {
	case "list":
		if o.resp.links {
			w.p("// The iterator follows the server's pages (links.next) and stops at the first error, which it yields.")
		} else {
			w.p("// The iterator stops at the first error, which it yields.")
		}
	case "check":
		w.p("// It reports false, with no error, when the server answers 404.")
	}
	w.p("func (m *%sManager) %s(%s) %s {", o.mgr, o.name, sig, ret)
	// Path.
	pathArgs := strconv(o.path)
	if len(names) > 0 {
		pathArgs += ", " + strings.Join(names, ", ")
	}
	errRet := map[string]string{"none": "err", "check": "false, err", "text": `"", err`, "object": "nil, err", "slice": "nil, err"}[o.resp.kind]
	if o.resp.kind == "object" {
		errRet = zeroOf(o.resp.goType) + ", err"
	}
	w.p("path, err := rest.Path(%s)", pathArgs)
	if o.resp.kind == "list" {
		w.p("if err != nil { return func(yield func(%s, error) bool) { var zero %s; yield(zero, err) } }", o.resp.goType, o.resp.goType)
	} else {
		w.p("if err != nil { return %s }", errRet)
	}
	req := fmt.Sprintf("rest.Req{Method: %s, Path: path", strconv(strings.ToUpper(o.method)))
	if o.optsType != "" {
		req += ", Query: opts.query()"
	}
	if o.body != nil {
		bodyExpr := "body"
		if t := g.types[o.body.named]; t != nil && g.hasWire(t) {
			bodyExpr = "body.wire()"
		}
		if o.body.key != "" {
			req += fmt.Sprintf(", JSON: map[string]any{%s: %s}", strconv(o.body.key), bodyExpr)
		} else {
			req += ", JSON: " + bodyExpr
		}
	}
	if o.noAuth {
		req += ", NoAuth: true"
	}
	req += "}"
	switch o.resp.kind {
	case "none":
		w.p("return m.c.NoContent(ctx, %s)", req)
	case "check":
		w.p("return m.c.Check(ctx, %s)", req)
	case "text":
		w.p("return m.c.Text(ctx, %s)", req)
	case "object":
		env := lowerFirst(o.id) + "Response"
		w.p("var out %s", env)
		w.p("if err := m.c.Decode(ctx, %s, &out, %s); err != nil { return %s }", req, g.extrasArg(o, "out.extras"), errRet)
		if isNamed(o.resp.goType) {
			w.p("return &out.V, nil")
		} else {
			w.p("return out.V, nil")
		}
	case "slice":
		env := lowerFirst(o.id) + "Response"
		w.p("var out %s", env)
		w.p("if err := m.c.Decode(ctx, %s, &out, %s); err != nil { return %s }", req, g.extrasArg(o, "out.extras"), errRet)
		w.p("return out.V, nil")
	case "list":
		env := lowerFirst(o.id) + "Response"
		next := `""`
		if o.resp.links {
			next = "p.Links.NextURL()"
		}
		items := "p.V"
		if o.resp.one != "" {
			items = "rest.OneOrList(p.V, p.One)"
		}
		decode := "nil"
		if g.hasExtras(o) {
			decode = fmt.Sprintf("func(data []byte, p *%s) error { return p.extras(data) }", env)
		}
		w.p("return rest.List(ctx, m.c, %s, %s, func(p *%s) ([]%s, string, bool) { v := %s; return v, %s, v != nil })", req, decode, env, o.resp.goType, items, next)
	}
	w.p("}")
	w.p("")
}

// emitEnvelope writes, before the method that uses it, the type a response
// body decodes into (a local type: declared in the method).
func (g *gen) emitEnvelope(w *writer, o *op, env string) {
	t := o.resp.goType
	if o.resp.kind == "list" || o.resp.kind == "slice" {
		t = "[]" + t
	}
	tag := fmt.Sprintf("`json:%q`", o.resp.key)
	if o.resp.key == "" {
		// The whole body is the value: decode it directly.
		w.p("type %s struct{ V %s }", env, t)
		return
	}
	links := ""
	switch {
	case o.resp.v2Links:
		links = fmt.Sprintf("\nLinks rest.V2Links `json:%q`", o.resp.key+"_links")
	case o.resp.links:
		links = "\nLinks *rest.Links `json:\"links\"`"
	}
	if o.resp.one != "" {
		links += fmt.Sprintf("\nOne *%s `json:%q`", o.resp.goType, o.resp.one)
	}
	w.p("type %s struct{ V %s %s%s }", env, t, tag, links)
}

func (g *gen) emitFind(w *writer, m string, ops []*op) {
	var get, list *op
	for _, o := range ops {
		switch o.name {
		case "Get":
			get = o
		case "List":
			list = o
		}
	}
	if get == nil || list == nil || get.resp.kind != "object" || list.resp.kind != "list" || get.resp.goType != list.resp.goType {
		return
	}
	t := g.types[get.resp.goType]
	if t == nil || !slices.Contains(t.keys, "name") || len(get.pathParams) != len(list.pathParams)+1 {
		return
	}
	hasName := false
	for _, q := range list.query {
		hasName = hasName || q.name == "name"
	}
	decl, names := g.args(list)
	sig := "ctx context.Context"
	if len(decl) > 0 {
		sig += ", " + strings.Join(decl, ", ")
	}
	sig += ", nameOrID string"
	if list.optsType != "" {
		sig += ", opts *" + list.optsType
	}
	kind := strings.ToLower(splitWords(t.name))
	w.p("// Find returns the %s with this ID, or else the only one with this name", kind)
	if list.optsType != "" {
		w.p("// among those List lists with opts (which may narrow the search, by domain for example).")
	} else {
		w.p("// among those List lists.")
	}
	w.p("// No match, or several, is a *keystone.NoUniqueMatchError (errors.Is")
	w.p("// ErrNoUniqueMatch, and ErrNotFound when nothing matched).")
	w.p("func (m *%sManager) Find(%s) (*%s, error) {", m, sig, t.name)
	getArgs := append(slices.Clone(names), "id")
	if get.optsType != "" {
		getArgs = append(getArgs, "nil")
	}
	listArgs := slices.Clone(names)
	if list.optsType != "" {
		w.p("var o %s", list.optsType)
		w.p("if opts != nil { o = *opts }")
		if hasName {
			w.p("o.Name = &nameOrID")
		}
		listArgs = append(listArgs, "&o")
	}
	nameExpr := "v.Name"
	for _, f := range t.fields {
		if f.json == "name" && strings.HasPrefix(f.goType, "*") {
			nameExpr = "rest.Deref(v.Name)"
		}
	}
	w.p("get := func(ctx context.Context, id string) (*%s, error) { return m.Get(ctx, %s) }", t.name, strings.Join(append([]string{"ctx"}, getArgs...), ", ")[5:])
	w.p("return rest.Find(ctx, %q, nameOrID, get, m.List(%s), func(v *%s) string { return %s })", kind, strings.Join(append([]string{"ctx"}, listArgs...), ", "), t.name, nameExpr)
	w.p("}")
	w.p("")
}

// hasExtras reports whether o's response items keep free-form members.
func (g *gen) hasExtras(o *op) bool {
	t := g.types[o.resp.named]
	return o.resp.key != "" && t != nil && t.extra
}

// extrasArg is the extras argument of a Decode call for o: expr, or nil.
func (g *gen) extrasArg(o *op, expr string) string {
	if g.hasExtras(o) {
		return expr
	}
	return "nil"
}

func (g *gen) hasWire(t *typeDef) bool { return g.secretful(t, map[string]bool{}) }

// secretful reports whether t or a struct it holds has secret fields.
func (g *gen) secretful(t *typeDef, seen map[string]bool) bool {
	if seen[t.name] {
		return false
	}
	seen[t.name] = true
	if len(t.secrets) > 0 {
		return true
	}
	for _, f := range t.fields {
		if n := g.types[f.nested]; n != nil && g.secretful(n, seen) {
			return true
		}
	}
	return false
}

func (g *gen) emitType(w *writer, t *typeDef) {
	switch {
	case t.desc != "":
		w.p("%s", comment(t.name+" is "+lowerFirstWord(t.desc)))
	case len(t.bodyOf) > 0:
		w.p("// %s is the body of %s.", t.name, strings.Join(t.bodyOf, " and "))
	default:
		w.p("// %s is a member of the Identity API's bodies.", t.name)
	}
	if len(t.secrets) > 0 {
		w.p("//")
		w.p("// Printed (any fmt verb), logged (slog) or JSON-encoded, it shows %s", strings.Join(t.secrets, ", "))
		w.p("// as %q: the client sends the values.", redacted)
	}
	w.p("type %s struct {", t.name)
	for _, f := range t.fields {
		if f.desc != "" {
			w.p("%s", comment(f.desc))
		}
		tag := f.json
		if f.omitEmpty {
			tag += ",omitempty"
		}
		w.p("%s %s `json:%q`", f.goName, f.goType, tag)
	}
	if t.extra {
		w.p("// Extra holds the free-form members the API keeps next to the declared ones")
		w.p("// (filled when the client decodes a response; sent with a request).")
		w.p("Extra map[string]any `json:\"-\"`")
	}
	if t.null {
		w.p("// Null lists members to send as JSON null, to clear them (%s).", strings.Join(t.nullable, ", "))
		w.p("// Another member, or one also set, is an error (keystone.ErrInvalidArgument).")
		w.p("Null []string `json:\"-\"`")
	}
	w.p("}")
	w.p("")
	lname := lowerFirst(t.name)
	if t.extra || t.null || g.hasWire(t) {
		w.p("var %sKeys = rest.NewKeys(%s)", lname, quoteList(t.keys))
		if t.null {
			w.p("var %sNullable = rest.NewKeys(%s)", lname, quoteList(t.nullable))
		}
		w.p("")
	}
	null, nullable, extra := "nil", "nil", "nil"
	if t.null {
		null, nullable = "v.Null", lname+"Nullable"
	}
	if t.extra {
		extra = "v.Extra"
	}
	if len(t.secrets) > 0 {
		w.p("// masked is a copy of v without its secrets.")
		w.p("func (v %s) masked() %sPlain {", t.name, lname)
		w.p("c := %sPlain(v)", lname)
		for _, f := range t.fields {
			if !f.secret {
				continue
			}
			if strings.HasPrefix(f.goType, "*") {
				w.p("if c.%s != nil { c.%s = new(%q) }", f.goName, f.goName, redacted)
			} else {
				w.p("if c.%s != \"\" { c.%s = %q }", f.goName, f.goName, redacted)
			}
		}
		w.p("return c")
		w.p("}")
		w.p("")
		w.p("type %sPlain %s", lname, t.name)
		w.p("")
		w.p("// String describes v without its secrets.")
		w.p("func (v %s) String() string { return rest.Describe(%q, v.masked()) }", t.name, g.pkg+"."+t.name)
		w.p("")
		w.p("// Format prints v without its secrets, whatever the verb.")
		w.p("func (v %s) Format(f fmt.State, verb rune) { s := v.String(); redact.Format(f, verb, s, s) }", t.name)
		w.p("")
		w.p("// LogValue logs v without its secrets.")
		w.p("func (v %s) LogValue() slog.Value { return slog.StringValue(v.String()) }", t.name)
		w.p("")
		w.p("// MarshalJSON encodes v without its secrets; the client sends them.")
		w.p("func (v %s) MarshalJSON() ([]byte, error) { return rest.Marshal(v.masked(), %sKeys, %s, %s, %s) }", t.name, lname, extra, null, nullable)
		w.p("")
	} else if t.extra || t.null {
		w.p("// MarshalJSON encodes v with its Extra members and Null members.")
		w.p("func (v %s) MarshalJSON() ([]byte, error) { type plain %s; return rest.Marshal(plain(v), %sKeys, %s, %s, %s) }", t.name, t.name, lname, extra, null, nullable)
		w.p("")
	}
	if g.hasWire(t) && t.request {
		g.emitWire(w, t)
	}
}

const redacted = "<redacted>"

// emitWire writes the form of a request type the client sends: with its
// secrets.
func (g *gen) emitWire(w *writer, t *typeDef) {
	lname := lowerFirst(t.name)
	w.p("// %sWire is %s as sent, secrets included.", lname, t.name)
	w.p("type %sWire struct {", lname)
	var conv []string
	for _, f := range t.fields {
		ft := f.goType
		if n := g.types[f.nested]; n != nil && g.hasWire(n) && f.nested != t.name {
			nw := lowerFirst(n.name) + "Wire"
			switch ft {
			case "*" + n.name:
				ft = "*" + nw
				conv = append(conv, fmt.Sprintf("if v.%s != nil { w.%s = v.%s.wire() }", f.goName, f.goName, f.goName))
			case n.name:
				ft = nw
				conv = append(conv, fmt.Sprintf("w.%s = *v.%s.wire()", f.goName, f.goName))
			default:
				panic(fmt.Sprintf("genmanagers: %s.%s: a %s of secret-holding %s is not supported", t.name, f.goName, ft, n.name))
			}
		} else {
			conv = append(conv, fmt.Sprintf("w.%s = v.%s", f.goName, f.goName))
		}
		tag := f.json
		if f.omitEmpty {
			tag += ",omitempty"
		}
		w.p("%s %s `json:%q`", f.goName, ft, tag)
	}
	if t.extra {
		w.p("Extra map[string]any `json:\"-\"`")
		conv = append(conv, "w.Extra = v.Extra")
	}
	if t.null {
		w.p("Null []string `json:\"-\"`")
		conv = append(conv, "w.Null = v.Null")
	}
	w.p("}")
	w.p("")
	w.p("func (v *%s) wire() *%sWire {", t.name, lname)
	w.p("w := &%sWire{}", lname)
	for _, c := range conv {
		w.p("%s", c)
	}
	w.p("return w")
	w.p("}")
	w.p("")
	null, nullable, extra := "nil", "nil", "nil"
	if t.null {
		null, nullable = "v.Null", lname+"Nullable"
	}
	if t.extra {
		extra = "v.Extra"
	}
	w.p("func (v %sWire) MarshalJSON() ([]byte, error) { type plain %sWire; return rest.Marshal(plain(v), %sKeys, %s, %s, %s) }", lname, lname, lname, extra, null, nullable)
	w.p("")
}

func (g *gen) emitOptions(w *writer, o *op) {
	// Extras of response envelopes.
	if o.resp.kind == "object" || o.resp.kind == "list" || o.resp.kind == "slice" {
		env := lowerFirst(o.id) + "Response"
		g.emitEnvelope(w, o, env)
		t := g.types[o.resp.named]
		if g.hasExtras(o) {
			list := o.resp.kind != "object"
			w.p("func (r *%s) extras(data []byte) error {", env)
			if list {
				w.p("return rest.Extras(data, %q, true, %sKeys, func(i int, m map[string]any) { if i < len(r.V) { r.V[i].Extra = m } })", o.resp.key, lowerFirst(t.name))
			} else {
				w.p("return rest.Extras(data, %q, false, %sKeys, func(_ int, m map[string]any) { r.V.Extra = m })", o.resp.key, lowerFirst(t.name))
			}
			w.p("}")
		}
		w.p("")
		if o.resp.key == "" {
			w.p("func (r *%s) UnmarshalJSON(data []byte) error { return json.Unmarshal(data, &r.V) }", env)
			w.p("")
		}
	}
	if o.optsType == "" {
		return
	}
	w.p("// %s are the query parameters of %s (%s %s).", o.optsType, o.mgr+"Manager."+o.name, strings.ToUpper(o.method), o.path)
	w.p("type %s struct {", o.optsType)
	for _, q := range o.query {
		if q.desc != "" {
			w.p("%s", comment(q.desc))
		}
		switch q.kind {
		case "flag":
			w.p("%s bool", q.goName)
		case "bool":
			w.p("%s *bool", q.goName)
		case "int":
			w.p("%s *int", q.goName)
		case "strings":
			w.p("%s []string", q.goName)
		default:
			w.p("%s *string", q.goName)
		}
	}
	w.p("}")
	w.p("")
	w.p("func (o *%s) query() url.Values {", o.optsType)
	w.p("if o == nil { return nil }")
	w.p("q := rest.Query{}")
	for _, q := range o.query {
		fn := map[string]string{"flag": "Flag", "bool": "Bool", "int": "Int", "strings": "Strings", "string": "String"}[q.kind]
		w.p("q.%s(%q, o.%s)", fn, q.name, q.goName)
	}
	w.p("return url.Values(q)")
	w.p("}")
	w.p("")
}

// ---- names ----

var initialisms = map[string]string{
	"id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs", "uri": "URI", "api": "API", "totp": "TOTP",
	"ec2": "EC2", "json": "JSON", "saml2": "SAML2", "ecp": "ECP", "ldap": "LDAP", "http": "HTTP", "https": "HTTPS",
	"sp": "SP", "idp": "IdP", "oauth1": "OAuth1", "oauth2": "OAuth2", "mfa": "MFA", "dn": "DN", "tls": "TLS", "ssl": "SSL",
	"ca": "CA", "os": "OS", "ip": "IP", "pki": "PKI", "s3": "S3",
}

var wordSplit = regexp.MustCompile(`[^A-Za-z0-9]+`)

// goName turns a JSON or parameter name into an exported Go name.
func goName(s string) string {
	var b strings.Builder
	for _, part := range wordSplit.Split(s, -1) {
		for _, word := range camelSplit(part) {
			if v, ok := initialisms[strings.ToLower(word)]; ok && (strings.ToLower(word) == word || upperFirst(strings.ToLower(word)) == word) {
				b.WriteString(v)
				continue
			}
			b.WriteString(upperFirst(word))
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "X" + out
	}
	return out
}

// argName turns a parameter name into an argument name: "user_id" -> userID,
// "idp_id" -> idpID.
func argName(s string) string {
	parts := wordSplit.Split(s, -1)
	out := strings.ToLower(parts[0]) + goName(strings.Join(parts[1:], "_"))
	if len(parts) == 1 {
		out = strings.ToLower(parts[0])
	}
	switch out {
	case "type", "func", "range", "map", "default", "go":
		out += "_"
	}
	return out
}

// camelSplit splits "tenantId" into "tenant", "Id" (not "ID" or "EC2").
func camelSplit(s string) []string {
	var words []string
	start := 0
	for i := 1; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' && (s[i-1] >= 'a' && s[i-1] <= 'z' || s[i-1] >= '0' && s[i-1] <= '9') {
			words = append(words, s[start:i])
			start = i
		}
	}
	if start < len(s) {
		words = append(words, s[start:])
	}
	return words
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	// Keep initialisms whole: "ID" -> "id", "EC2Credential" -> "ec2Credential".
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || i > 0 && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	switch {
	case i == 0:
		return s
	case i == 1 || i == len(s):
		return strings.ToLower(s[:i]) + s[i:]
	default:
		return strings.ToLower(s[:i-1]) + s[i-1:]
	}
}

func lowerFirstWord(s string) string {
	word, _, _ := strings.Cut(s, " ")
	if len(word) > 0 && word[0] >= 'A' && word[0] <= 'Z' && strings.ToLower(word[1:]) == word[1:] && !strings.ContainsAny(word, "0123456789_`") {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

func splitWords(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' && !(s[i-1] >= 'A' && s[i-1] <= 'Z') {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// methodDoc is the first line of a method's doc: its name and the spec's
// summary in the third person ("List lists projects.").
func methodDoc(o *op) string {
	sum := strings.TrimSpace(o.summary)
	if sum == "" {
		return o.name + " calls " + o.id + "."
	}
	verb, rest, _ := strings.Cut(sum, " ")
	punct := ""
	if t := strings.TrimRight(verb, ".:,"); t != verb {
		verb, punct = t, verb[len(t):]
	}
	v := strings.ToLower(verb)
	switch {
	case strings.HasSuffix(v, "s") || strings.HasSuffix(v, "sh") || strings.HasSuffix(v, "ch") || strings.HasSuffix(v, "x"):
		v += "es"
	case strings.HasSuffix(v, "y") && len(v) > 1 && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		v = v[:len(v)-1] + "ies"
	default:
		v += "s"
	}
	if rest == "" {
		return o.name + " " + v + punct
	}
	return o.name + " " + v + punct + " " + rest
}

// zeroOf is the zero value a method returns for an object of type t.
func zeroOf(t string) string {
	switch t {
	case "string":
		return `""`
	case "int", "float64":
		return "0"
	case "bool":
		return "false"
	}
	return "nil"
}

func isNamed(t string) bool { return t != "" && t[0] >= 'A' && t[0] <= 'Z' }

func strconv(s string) string { return fmt.Sprintf("%q", s) }

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func comment(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("// "+l, " ")
	}
	return strings.Join(lines, "\n")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
