package keystone

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gokeystone/keystone/gen/identityv3"
)

var projectListCases = []string{
	`{"projects": [], "links": {"self": "x", "next": null, "previous": null}}`,
	`{"projects": null, "links": {"self": "x"}}`,
	`{"links": {"self": "x", "next": "http://k/v3/projects?marker=a"}}`,
	`{"projects": [{"id": "p1", "name": "a", "domain_id": "default", "description": "d", "enabled": true,
		"parent_id": "default", "is_domain": false, "tags": ["t1", "t2"], "options": {},
		"links": {"self": "http://k/v3/projects/p1"}}], "links": {"self": "x", "next": null, "previous": null}}`,
	`{"projects": [{"id": "p2", "name": "b", "domain_id": null, "description": null, "parent_id": null, "tags": [], "options": {"immutable": true}}]}`,
	`{"projects": [{"id": "p3", "name": "c"}, null, {"id": "p4"}]}`,
	`{"projects": [{"id": "p5", "name": "e", "email": "x@y", "n": 1.5, "b": true, "nil": null, "obj": {"a": [1, {"b": "}]"}]},
		"arr": ["\"quoted\"", "\\back", "\u00e9t\u00e9"], "extra": {"k": "v"}}]}`,
	`{"projects": [{"id": "p6", "Name": "case differs", "name": "n"}]}`,
	`{"projects": [{"id": "p7", "na\u006de": "escaped key", "k\u00e9y": "extra with escape"}]}`,
	`{"projects": [{"id": "p8", "parents": [{"project": {"id": "x"}}], "subtree": {"c": null}}]}`,
	` { "projects" : [ { "id" : "p9" , "description" : "caf\u00e9 \"x\" \n" , "x" : [ ] } ] , "links" : { "self" : "s" } } `,
	`{"Projects": [{"id": "p10"}]}`,
	`{"projects": [{"id": "p11", "dup": 1, "dup": 2, "name": "a", "name": "b"}]}`,
	`{"projects": [{"id": "p12", "description": "\udc00 lone surrogate", "tags": null}]}`,
	"{\"projects\": [{\"id\": \"p13\", \"description\": \"invalid \xff utf8\"}]}",
	`{"projects": [{"id": 5}]}`,
	`{"projects": [{"enabled": "yes"}]}`,
	`{"projects": {}}`,
	`{"projects": [1]}`,
	`not json`,
	`null`,
	`[]`,
}

func decodeGenerated(data []byte) (identityv3.ProjectList, error) {
	var l identityv3.ProjectList
	err := json.Unmarshal(data, &l)
	return l, err
}

func TestDecodeProjectListMatchesGenerated(t *testing.T) {
	for _, c := range projectListCases {
		want, werr := decodeGenerated([]byte(c))
		var got identityv3.ProjectList
		gerr := decodeProjectList([]byte(c), &got)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s:\n errors differ: generated %v, fast %v", c, werr, gerr)
			continue
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n fast      %#v\n generated %#v", c, got, want)
		}
	}
}

// The fast path is taken for a page of ordinary projects (no fallback).
func TestDecodeProjectListFastPath(t *testing.T) {
	data := []byte(projectListCases[6])
	var k projectListKnown
	if err := json.Unmarshal(data, &k); err != nil {
		t.Fatal(err)
	}
	extras, ok := scanProjectExtras(data, len(k.Projects))
	if !ok || len(extras) != 1 || len(extras[0]) != 7 {
		t.Fatalf("extras %v ok %v", extras, ok)
	}
}

func FuzzProjectListDecode(f *testing.F) {
	for _, c := range projectListCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := decodeGenerated(data)
		var got identityv3.ProjectList
		gerr := decodeProjectList(data, &got)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("errors differ: generated %v, fast %v", werr, gerr)
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("fast %#v\ngenerated %#v", got, want)
		}
	})
}
