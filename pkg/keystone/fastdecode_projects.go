package keystone

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/oapi-codegen/nullable"

	"github.com/gokeystone/keystone/gen/identityv3"
)

// Project lists are the SDK's largest responses. The generated
// identityv3.Project.UnmarshalJSON (a type with additionalProperties) decodes
// each project into a map[string]json.RawMessage and then every member on
// its own, about three times the cost of a plain struct. decodeProjectList
// produces exactly the same values (checked by its tests and fuzz test): one
// pass of encoding/json into a struct of the known members, plus a cheap scan
// of the body for members that are not known (free-form extra attributes),
// which only the projects that have some pay for.

// optString is a nullable string member that records whether it was present.
type optString struct {
	set, null bool
	v         string
}

func (o *optString) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.null = true
		return nil
	}
	// A plain string (no escapes, valid UTF-8) is its own bytes; anything else
	// goes through encoding/json.
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		in := b[1 : len(b)-1]
		if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) && !hasControl(in) {
			o.v = string(in)
			return nil
		}
	}
	return json.Unmarshal(b, &o.v)
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

func (o optString) nullable() nullable.Nullable[string] {
	switch {
	case !o.set:
		return nil
	case o.null:
		return nullable.NewNullNullable[string]()
	}
	return nullable.NewNullableWithValue(o.v)
}

// projectKnown has the members identityv3.Project names.
type projectKnown struct {
	Description optString                   `json:"description"`
	DomainID    optString                   `json:"domain_id"`
	Enabled     bool                        `json:"enabled"`
	ID          string                      `json:"id"`
	IsDomain    bool                        `json:"is_domain"`
	Links       identityv3.ResourceLinks    `json:"links"`
	Name        string                      `json:"name"`
	Options     *identityv3.ResourceOptions `json:"options"`
	ParentID    optString                   `json:"parent_id"`
	Parents     any                         `json:"parents"`
	Subtree     any                         `json:"subtree"`
	Tags        []string                    `json:"tags"`
}

var projectMembers = []string{"description", "domain_id", "enabled", "id", "is_domain", "links", "name",
	"options", "parent_id", "parents", "subtree", "tags"}

type projectListKnown struct {
	Links    identityv3.CollectionLinks `json:"links"`
	Projects []projectKnown             `json:"projects"`
}

// decodeProjectList decodes a project list body into l, as json.Unmarshal
// into identityv3.ProjectList would.
func decodeProjectList(data []byte, l *identityv3.ProjectList) error {
	var k projectListKnown
	if err := json.Unmarshal(data, &k); err != nil {
		// Possibly a member the struct matches by case only: the generated
		// decoder decides (and gives the error, if any).
		*l = identityv3.ProjectList{}
		return json.Unmarshal(data, l)
	}
	extras, ok := scanProjectExtras(data, len(k.Projects))
	if !ok {
		// A member that only differs by case from a known one, or a shape the
		// scan does not follow: the generated decoder decides.
		return json.Unmarshal(data, l)
	}
	l.Links = k.Links
	l.Projects = nil
	if k.Projects != nil {
		l.Projects = make([]identityv3.Project, len(k.Projects))
	}
	for i := range k.Projects {
		p := &k.Projects[i]
		out := &l.Projects[i]
		*out = identityv3.Project{
			Description: p.Description.nullable(), DomainID: p.DomainID.nullable(), Enabled: p.Enabled,
			ID: p.ID, IsDomain: p.IsDomain, Links: p.Links, Name: p.Name, Options: p.Options,
			ParentID: p.ParentID.nullable(), Parents: p.Parents, Subtree: p.Subtree, Tags: p.Tags,
		}
		if ex := extras[i]; len(ex) > 0 {
			out.AdditionalProperties = make(map[string]any, len(ex))
			for _, e := range ex {
				var v any
				if err := json.Unmarshal(e.raw, &v); err != nil {
					return err
				}
				out.AdditionalProperties[e.key] = v
			}
		}
	}
	return nil
}

type rawMember struct {
	key string
	raw []byte
}

// scanProjectExtras finds, for each of the n projects of the list body data
// (valid JSON), its members that identityv3.Project does not name. ok is
// false when the generated decoder must decide instead.
func scanProjectExtras(data []byte, n int) (extras [][]rawMember, ok bool) {
	s := scanner{b: data}
	s.ws()
	if !s.eat('{') {
		return nil, n == 0 && s.isNull()
	}
	var projects []byte // the last member matching "projects", as encoding/json takes it
	for {
		s.ws()
		if s.eat('}') {
			break
		}
		key, ok := s.str()
		if !ok {
			return nil, false
		}
		s.ws()
		s.eat(':')
		s.ws()
		start := s.i
		if !s.skip() {
			return nil, false
		}
		if bytes.EqualFold(key, []byte("projects")) {
			projects = data[start:s.i]
		}
		s.ws()
		s.eat(',')
	}
	if projects == nil || bytes.Equal(projects, []byte("null")) {
		return nil, n == 0
	}
	extras = make([][]rawMember, n)
	a := scanner{b: projects}
	if !a.eat('[') {
		return nil, false
	}
	for i := 0; ; i++ {
		a.ws()
		if a.eat(']') {
			return extras, i == n
		}
		if i >= n {
			return nil, false
		}
		a.ws()
		if a.isNull() {
			a.i += 4
		} else {
			if !a.eat('{') {
				return nil, false
			}
			for {
				a.ws()
				if a.eat('}') {
					break
				}
				key, ok := a.str()
				if !ok {
					return nil, false
				}
				a.ws()
				a.eat(':')
				a.ws()
				start := a.i
				if !a.skip() {
					return nil, false
				}
				switch known(key) {
				case 0:
					extras[i] = append(extras[i], rawMember{key: string(key), raw: projects[start:a.i]})
				case 2:
					return nil, false
				}
				a.ws()
				a.eat(',')
			}
		}
		a.ws()
		a.eat(',')
	}
}

// known is 1 for a member identityv3.Project names, 2 for one that differs
// from such a name only by case, 0 for an extra attribute.
func known(key []byte) int {
	for _, m := range projectMembers {
		if string(key) == m {
			return 1
		}
	}
	for _, m := range projectMembers {
		if bytes.EqualFold(key, []byte(m)) {
			return 2
		}
	}
	return 0
}

// scanner walks a valid JSON document.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) isNull() bool { return bytes.HasPrefix(s.b[s.i:], []byte("null")) }

// str reads a string and returns its value, as bytes that alias the input
// when the string has no escapes.
func (s *scanner) str() ([]byte, bool) {
	start := s.i
	if !s.skipString() {
		return nil, false
	}
	raw := s.b[start:s.i]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return raw[1 : len(raw)-1], true
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, false
	}
	return []byte(v), true
}

func (s *scanner) skipString() bool {
	if !s.eat('"') {
		return false
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return true
		default:
			s.i++
		}
	}
	return false
}

// skip passes over one value.
func (s *scanner) skip() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.skipString()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if !s.skipString() {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return true
				}
			}
			s.i++
		}
		return false
	default: // number, true, false, null
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return true
			}
			s.i++
		}
		return true
	}
}
