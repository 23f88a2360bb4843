package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/rest"
)

// projectKeys are the members a project declares (as identityv3 has them).
var projectKeys = rest.NewKeys("description", "domain_id", "enabled", "id", "is_domain", "links", "name", "options", "parent_id", "parents", "subtree", "tags")

// extrasOf runs rest.Extras and returns what it set, by index.
func extrasOf(data string, key string, list bool, known rest.Keys) (map[int]map[string]any, error) {
	got := map[int]map[string]any{}
	err := rest.Extras([]byte(data), key, list, known, func(i int, m map[string]any) {
		if _, dup := got[i]; dup {
			panic(fmt.Sprintf("index %d set twice", i))
		}
		got[i] = m
	})
	return got, err
}

// referenceExtras is what Extras must find, computed the slow way with
// encoding/json: the collection is the last member of the object whose name
// matches key in any case (as encoding/json matches a struct field; see
// TestExtrasDuplicateCollection for what encoding/json does with several),
// each of its objects is decoded into a map of raw members, and the known
// members (any case) are removed. ok is false when the collection is not of
// the expected kind (the response's decoding fails before Extras is called).
func referenceExtras(data []byte, key string, list bool, known rest.Keys) (_ map[int]map[string]any, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, false
	}
	out := map[int]map[string]any{}
	if tok == nil { // null
		return out, true
	}
	if tok != json.Delim('{') {
		return nil, false
	}
	var member json.RawMessage
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		if strings.EqualFold(k.(string), key) {
			member = raw
		}
	}
	var objects []json.RawMessage
	switch {
	case member == nil || string(member) == "null":
		return out, true
	case list:
		if err := json.Unmarshal(member, &objects); err != nil {
			return nil, false
		}
	default:
		objects = []json.RawMessage{member}
	}
	for i, raw := range objects {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			if list && raw[0] != '{' {
				continue // null or not an object: no extras
			}
			return nil, false
		}
		var m map[string]any
		for k, raw := range obj {
			if slices.ContainsFunc(slices.Collect(maps.Keys(known)), func(n string) bool { return strings.EqualFold(k, n) }) {
				continue
			}
			var x any
			if err := json.Unmarshal(raw, &x); err != nil {
				return nil, false
			}
			if m == nil {
				m = map[string]any{}
			}
			m[k] = x
		}
		if m != nil {
			out[i] = m
		}
	}
	return out, true
}

var listCases = []string{
	`{"projects": [], "links": {"self": "x", "next": null, "previous": null}}`,
	`{"projects": null, "links": {"self": "x"}}`,
	`{"links": {"self": "x", "next": "http://k/v3/projects?marker=a"}}`,
	`{"projects": [{"id": "p1", "name": "a", "domain_id": "default", "description": "d", "enabled": true,
		"parent_id": "default", "is_domain": false, "tags": ["t1", "t2"], "options": {},
		"links": {"self": "http://k/v3/projects/p1"}}], "links": {"self": "x", "next": null, "previous": null}}`,
	`{"projects": [{"id": "p2", "name": "b", "domain_id": null, "description": null, "parent_id": null, "tags": [], "options": {"immutable": true}}]}`,
	`{"projects": [{"id": "p3", "name": "c", "x": 1}, null, {"id": "p4", "y": 2}]}`,
	`{"projects": [{"id": "p5", "name": "e", "email": "x@y", "n": 1.5, "b": true, "nil": null, "obj": {"a": [1, {"b": "}]"}]},
		"arr": ["\"quoted\"", "\\back", "\u00e9t\u00e9"], "extra": {"k": "v"}}]}`,
	`{"projects": [{"id": "p6", "Name": "case differs", "name": "n", "DESCRIPTION": "d", "Email": "E"}]}`,
	`{"projects": [{"id": "p7", "na\u006de": "escaped key", "k\u00e9y": "extra with escape", "q\"k": 1, "b\\k": 2}]}`,
	`{"projects": [{"id": "p8", "parents": [{"project": {"id": "x"}}], "subtree": {"c": null}, "nested": {"a": {"b": [[], {}, "[{"]}}}]}`,
	` { "projects" : [ { "id" : "p9" , "description" : "caf\u00e9 \"x\" \n" , "x" : [ ] } ] , "links" : { "self" : "s" } } `,
	`{"Projects": [{"id": "p10", "z": "upper-case collection"}]}`,
	`{"projects": [{"id": "p11", "dup": 1, "dup": 2, "name": "a", "name": "b"}]}`,
	`{"projects": [{"id": "a", "x": 1}], "projects": [{"id": "b", "y": 2}]}`,
	`{"projects": [{"id": "p12", "description": "\udc00 lone surrogate", "tags": null, "s": "\ud83d\ude00"}]}`,
	"{\"projects\": [{\"id\": \"p13\", \"description\": \"invalid \xff utf8\", \"k\xfe\": \"v\xfd\"}]}",
	`{"projects": [{"id": "p14", "s": "ends with backslash \\", "t": "\\\"", "u": "\\\\"}]}`,
	`{"projects": [{"id": "p15", "n": -1.5e+10, "m": 0, "t": true, "f": false}]}`,
	`{"projects": [1, "s", [], {"id": "p16", "x": 1}]}`,
	`{"projects": {}}`,
	`{"projects": "x"}`,
	`{"other": [{"x": 1}], "projects": [{"id": "p17"}]}`,
	`null`,
	`[]`,
	`{}`,
	`{"projects":[{"a":1},{"b":2},{"c":3}]}`,
}

var objectCases = []string{
	`{"project": {"id": "p", "name": "n", "email": "e"}}`,
	`{"project": {"id": "p", "name": "n"}}`,
	`{"project": null}`,
	`{"project": []}`,
	`{"Project": {"x": 1}, "project": {"y": 2}}`,
	`{"project": {"x": 1}, "PROJECT": {"y": 2}}`,
	`{"other": {"x": 1}}`,
	`{"project": {"ID": "p", "Tags": [], "extra": {"nested": ["a", {"b": "\"}"}]}}}`,
	`{"proj\u0065ct": {"x": "escaped collection key"}}`,
}

func TestExtrasMatchReference(t *testing.T) {
	for _, c := range listCases {
		compareWithReference(t, []byte(c), "projects", true)
	}
	for _, c := range objectCases {
		compareWithReference(t, []byte(c), "project", false)
	}
}

func compareWithReference(t *testing.T, data []byte, key string, list bool) {
	t.Helper()
	want, ok := referenceExtras(data, key, list, projectKeys)
	if !ok {
		return
	}
	got, err := extrasOf(string(data), key, list, projectKeys)
	if err != nil {
		t.Errorf("%s:\n error %v", data, err)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %#v\n want %#v", data, got, want)
	}
}

// The cases, spelled out: unknown members found, known ones not (in any
// case), escaped keys unescaped, values of any shape decoded.
func TestExtras(t *testing.T) {
	got, err := extrasOf(listCases[6], "projects", true, projectKeys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]map[string]any{0: {
		"email": "x@y", "n": 1.5, "b": true, "nil": nil,
		"obj":   map[string]any{"a": []any{1.0, map[string]any{"b": "}]"}}},
		"arr":   []any{`"quoted"`, `\back`, "été"},
		"extra": map[string]any{"k": "v"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
	// Known names in another case are known (encoding/json decodes them
	// into the fields); unknown ones keep their case.
	got, _ = extrasOf(listCases[7], "projects", true, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{0: {"Email": "E"}}) {
		t.Errorf("case: %#v", got)
	}
	// Escaped keys: "na\u006de" is "name", a known member.
	got, _ = extrasOf(listCases[8], "projects", true, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{0: {"kéy": "extra with escape", `q"k`: 1.0, `b\k`: 2.0}}) {
		t.Errorf("escaped keys: %#v", got)
	}
	// Items without extras are not set; indexes follow the array, nulls
	// and non-objects included.
	got, _ = extrasOf(listCases[5], "projects", true, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{0: {"x": 1.0}, 2: {"y": 2.0}}) {
		t.Errorf("indexes: %#v", got)
	}
	got, _ = extrasOf(listCases[18], "projects", true, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{3: {"x": 1.0}}) {
		t.Errorf("non-objects: %#v", got)
	}
	// The collection is found in any case; the last one counts.
	got, _ = extrasOf(listCases[11], "projects", true, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{0: {"z": "upper-case collection"}}) {
		t.Errorf("collection key case: %#v", got)
	}
	got, _ = extrasOf(listCases[13], "projects", true, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{0: {"y": 2.0}}) {
		t.Errorf("duplicate collection: %#v", got)
	}
	// A single object.
	got, _ = extrasOf(objectCases[0], "project", false, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{0: {"email": "e"}}) {
		t.Errorf("object: %#v", got)
	}
	for _, c := range []string{objectCases[1], objectCases[2], objectCases[3], objectCases[6]} {
		if got, err := extrasOf(c, "project", false, projectKeys); err != nil || len(got) != 0 {
			t.Errorf("%s: %#v %v", c, got, err)
		}
	}
	// Strings with quotes and backslashes do not end early.
	got, _ = extrasOf(listCases[16], "projects", true, projectKeys)
	if !reflect.DeepEqual(got, map[int]map[string]any{0: {"s": `ends with backslash \`, "t": `\"`, "u": `\\`}}) {
		t.Errorf("backslashes: %#v", got)
	}
	// Nothing to find.
	for _, c := range []string{listCases[0], listCases[1], listCases[2], listCases[3], `null`, `[]`, `{}`, `"s"`, ``, `   `} {
		if got, err := extrasOf(c, "projects", true, projectKeys); err != nil || len(got) != 0 {
			t.Errorf("%q: %#v %v", c, got, err)
		}
	}
}

// Malformed input is an error (or nothing found), never a panic nor a
// loop without end.
func TestExtrasMalformed(t *testing.T) {
	cases := []string{
		`{`,
		`{"projects"`,
		`{"projects":`,
		`{"projects": [`,
		`{"projects": [{`,
		`{"projects": [{"a"`,
		`{"projects": [{"a":`,
		`{"projects": [{"a": 1`,
		`{"projects": [{"a": "unterminated`,
		`{"projects": [{"a": tru}]}`,
		`{"projects": [{"a": 1 "b": 2}]}`,
		`{"projects": [{1: 2}]}`,
		`{"projects": [{"a": }]}`,
		`{"projects": [{"a": ]}]}`,
		`{"projects": [{"a" 1}]}`,
		`{"projects" [{"a": 1}]}`,
		`{"projects": [{"a": 1}}`,
		`{"projects": [{"a": 1}]`,
		`{"projects": [{"a": "\"}]}`,
		`{"project": {"a": 1`,
		`{"a": "\`,
		`{"a": 1 x}`,
		`{x}`,
		`{"projects": [1 2]}`,
		`{"projects": [,,]}`,
		`{"projects": [{"a": 1}]]}`,
		`{"project": {"a": 1}}}`,
		`{"project": {"a": 1]}`,
	}
	for _, c := range cases {
		for _, list := range []bool{true, false} {
			key := "project"
			if list {
				key = "projects"
			}
			done := make(chan struct{})
			var err error
			var panicked any
			go func() {
				defer close(done)
				defer func() { panicked = recover() }()
				_, err = extrasOf(c, key, list, projectKeys)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("Extras(%q, list %v) does not return", c, list)
			}
			if panicked != nil {
				t.Errorf("Extras(%q, list %v) panics: %v", c, list, panicked)
			}
			_ = err // an error or nothing found: both are fine, as long as it returns
		}
	}
	// Those whose extras cannot be decoded are errors.
	for _, c := range []string{`{"projects": [{"a": tru}]}`, `{"projects": [{"a": }]}`, `{"project": {"a": "\x"}}`} {
		list := strings.HasPrefix(c, `{"projects"`)
		key := map[bool]string{true: "projects", false: "project"}[list]
		if _, err := extrasOf(c, key, list, projectKeys); err == nil {
			t.Errorf("Extras(%q): no error", c)
		}
	}
}

// A collection that closes with the wrong bracket once made Extras loop
// without end (skip() returned true at a '}' without moving). encoding/json
// rejects such a body before Extras is called, but Extras must be safe on
// input it has not checked.
func TestExtrasMalformedNoLoop(t *testing.T) {
	for _, c := range []string{`{"projects": [}}`, `{"projects": [1}}`, `{"projects": [{"a": 1}}}`} {
		done := make(chan error, 1)
		go func() {
			_, err := extrasOf(c, "projects", true, projectKeys)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("Extras(%q): no error", c)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Extras(%q) does not return", c)
		}
	}
}

// With the collection twice (any case), encoding/json decodes both into the
// same slice: an item has the members of both occurrences (the last one's
// winning), while Extras reads the last occurrence only. Keystone never
// sends a member twice; this pins what the client does if a server did.
func TestExtrasDuplicateCollection(t *testing.T) {
	data := `{"projects": [{"id": "a", "name": "first", "x": 1}], "Projects": [{"id": "b", "y": 2}]}`
	var page struct {
		V []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"projects"`
	}
	if err := json.Unmarshal([]byte(data), &page); err != nil {
		t.Fatal(err)
	}
	got, err := extrasOf(data, "projects", true, projectKeys)
	if err != nil || !reflect.DeepEqual(got, map[int]map[string]any{0: {"y": 2.0}}) {
		t.Errorf("extras %#v %v", got, err)
	}
	t.Logf("encoding/json decoded %+v; Extras found %v", page.V, got)
}

// FuzzExtras compares Extras, on input encoding/json accepts, with the
// reference implementation, for a list and for a single object; on any
// input it must return.
func FuzzExtras(f *testing.F) {
	for _, c := range listCases {
		f.Add([]byte(c))
	}
	for _, c := range objectCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		for _, c := range []struct {
			key  string
			list bool
		}{{"projects", true}, {"project", false}} {
			want, ok := referenceExtras(data, c.key, c.list, projectKeys)
			if !ok {
				continue
			}
			got := map[int]map[string]any{}
			err := rest.Extras(data, c.key, c.list, projectKeys, func(i int, m map[string]any) { got[i] = m })
			if err != nil {
				t.Fatalf("%s %v: error %v", c.key, c.list, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %v:\n got  %#v\n want %#v", c.key, c.list, got, want)
			}
		}
	})
}
