package keystonetest

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// projectJSON writes a body holding projects. The generated marshaller emits
// `"parents": null` and `"subtree": null` for a project without them, which
// Keystone never sends (and the spec forbids): they are dropped.
type projectJSON struct {
	status int
	body   any
}

func (p projectJSON) write(w http.ResponseWriter) error {
	b, err := json.Marshal(p.body)
	if err != nil {
		return err
	}
	for _, k := range []string{"parents", "subtree"} {
		b = bytes.ReplaceAll(b, []byte(`"`+k+`":null,`), nil)
		b = bytes.ReplaceAll(b, []byte(`,"`+k+`":null}`), []byte("}"))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(p.status)
	_, err = w.Write(b)
	return err
}

func (p projectJSON) VisitCreateProjectResponse(w http.ResponseWriter) error    { return p.write(w) }
func (p projectJSON) VisitGetProjectResponse(w http.ResponseWriter) error       { return p.write(w) }
func (p projectJSON) VisitUpdateProjectResponse(w http.ResponseWriter) error    { return p.write(w) }
func (p projectJSON) VisitListProjectsResponse(w http.ResponseWriter) error     { return p.write(w) }
func (p projectJSON) VisitListAuthProjectsResponse(w http.ResponseWriter) error { return p.write(w) }
func (p projectJSON) VisitListUserProjectsResponse(w http.ResponseWriter) error { return p.write(w) }

// versionsJSON is the 300 Multiple Choices of GET /, with the Location of
// the preferred version as Keystone sends it.
type versionsJSON struct {
	location string
	body     any
}

func (v versionsJSON) VisitListVersionsResponse(w http.ResponseWriter) error {
	b, err := json.Marshal(v.body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", v.location)
	w.WriteHeader(http.StatusMultipleChoices)
	_, err = w.Write(b)
	return err
}
