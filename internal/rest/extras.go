package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gokeystone/keystone/pkg/keystone"
)

// Keys is a set of the JSON member names a type declares.
type Keys map[string]struct{}

// NewKeys returns the set of names.
func NewKeys(names ...string) Keys {
	k := make(Keys, len(names))
	for _, n := range names {
		k[n] = struct{}{}
	}
	return k
}

// has reports whether encoding/json would decode member key into a
// declared field: an exact or a case-insensitive match.
func (k Keys) has(key []byte) bool {
	if _, ok := k[string(key)]; ok {
		return true
	}
	for n := range k {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// Extras finds the members of the resource(s) under member key of the JSON
// object data that known does not declare: of the object data[key], or,
// with list, of each object of the array data[key]. For each resource with
// such members it calls set with the resource's index (0 without list) and
// the members, decoded. It makes one pass over data, and decodes only the
// extra members: encoding/json has decoded the others into the type's fields.
func Extras(data []byte, key string, list bool, known Keys, set func(int, map[string]any)) error {
	s := scanner{b: data}
	s.ws()
	if !s.eat('{') {
		return nil
	}
	var member []byte // the last member matching key, as encoding/json takes it
	for {
		s.ws()
		if s.eat('}') {
			break
		}
		k, ok := s.str()
		if !ok {
			return errMalformed
		}
		s.ws()
		s.eat(':')
		s.ws()
		start := s.i
		if !s.skip() {
			return errMalformed
		}
		if bytes.EqualFold(k, []byte(key)) {
			member = data[start:s.i]
		}
		s.ws()
		s.eat(',')
	}
	if member == nil {
		return nil
	}
	if !list {
		return objectExtras(member, 0, known, set)
	}
	a := scanner{b: member}
	if !a.eat('[') {
		return nil
	}
	for i := 0; ; i++ {
		a.ws()
		if a.eat(']') || a.i >= len(a.b) {
			return nil
		}
		start := a.i
		if !a.skip() {
			return errMalformed
		}
		if err := objectExtras(member[start:a.i], i, known, set); err != nil {
			return err
		}
		a.ws()
		a.eat(',')
	}
}

var errMalformed = errors.New("malformed JSON")

// objectExtras is Extras for the one object obj (anything else has none).
func objectExtras(obj []byte, i int, known Keys, set func(int, map[string]any)) error {
	s := scanner{b: obj}
	if !s.eat('{') {
		return nil
	}
	var m map[string]any
	for {
		s.ws()
		if s.eat('}') || s.i >= len(s.b) {
			break
		}
		k, ok := s.str()
		if !ok {
			return errMalformed
		}
		s.ws()
		s.eat(':')
		s.ws()
		start := s.i
		if !s.skip() {
			return errMalformed
		}
		if !known.has(k) {
			var v any
			if err := json.Unmarshal(obj[start:s.i], &v); err != nil {
				return err
			}
			if m == nil {
				m = make(map[string]any, 1)
			}
			m[string(k)] = v
		}
		s.ws()
		s.eat(',')
	}
	if m != nil {
		set(i, m)
	}
	return nil
}

// Marshal encodes v (a struct without its Extra and Null fields) and then
// the members of extra and a null for each name of null. A name of null
// must be one of nullable, the members that may be cleared; a member of
// extra or null must not be one known declares. The output's members are in
// a fixed order: v's, then extra's and null's sorted.
func Marshal(v any, known Keys, extra map[string]any, null []string, nullable Keys) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil || (len(extra) == 0 && len(null) == 0) {
		return data, err
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(data, &present); err != nil {
		return nil, err
	}
	for k := range extra {
		if known.has([]byte(k)) {
			return nil, fmt.Errorf("%w: extra member %q is a declared member: set its field", keystone.ErrInvalidArgument, k)
		}
	}
	for _, k := range null {
		if _, ok := nullable[k]; !ok {
			return nil, fmt.Errorf("%w: member %q cannot be sent as null (nullable: %s)", keystone.ErrInvalidArgument, k, strings.Join(slices.Sorted(mapsKeys(nullable)), ", "))
		}
		if _, ok := present[k]; ok {
			return nil, fmt.Errorf("%w: member %q is both set and null", keystone.ErrInvalidArgument, k)
		}
	}
	buf := bytes.NewBuffer(data[:len(data)-1]) // without '}'
	first := len(present) == 0
	add := func(k string, raw []byte) {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(raw)
	}
	for _, k := range slices.Sorted(mapsKeys(extra)) {
		raw, err := json.Marshal(extra[k])
		if err != nil {
			return nil, fmt.Errorf("extra member %q: %w", k, err)
		}
		add(k, raw)
	}
	for _, k := range slices.Sorted(slices.Values(null)) {
		add(k, []byte("null"))
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Describe shows v, a value without secrets, as name{JSON members}: the
// String of the generated types that hold a secret (whose masked copy v is).
func Describe(name string, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return name + "{?}"
	}
	return name + strings.TrimSuffix(b.String(), "\n")
}

// scanner walks JSON that encoding/json has already accepted.
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

// str reads a string and returns its value (unescaped).
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
		j := bytes.IndexByte(s.b[s.i:], '"')
		if j < 0 {
			return false
		}
		end := s.i + j
		// The quote ends the string unless an odd number of backslashes
		// precedes it.
		n := 0
		for k := end - 1; k >= s.i && s.b[k] == '\\'; k-- {
			n++
		}
		s.i = end + 1
		if n%2 == 0 {
			return true
		}
	}
	return false
}

// skip skips one value.
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
	default: // number, true, false, null: at least one byte
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.i > start
			}
			s.i++
		}
		return s.i > start
	}
}
