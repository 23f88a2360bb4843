// Package speclint loads and validates the project's OpenAPI specs with
// kin-openapi, and checks JSON documents against one of their schemas.
package speclint

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
)

// Load reads an OpenAPI document from path without validating it.
// Remote references are refused so that loading stays hermetic.
func Load(path string) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return doc, nil
}

// LoadData parses an OpenAPI document from memory without validating it.
func LoadData(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	return doc, nil
}

// Validate checks doc against the OpenAPI 3.0 rules, with examples and string
// formats validated too, and the project's own rules (see Rules).
func Validate(ctx context.Context, doc *openapi3.T) error {
	if err := doc.Validate(ctx,
		openapi3.EnableMultiError(),
		openapi3.EnableExamplesValidation(),
		openapi3.EnableSchemaFormatValidation(),
	); err != nil {
		return err
	}
	if problems := Rules(doc); len(problems) > 0 {
		return fmt.Errorf("%d rule violations:\n%s", len(problems), joinLines(problems))
	}
	return nil
}

// Rules checks the conventions every operation of the project's specs follows:
// a unique operationId, at least one tag, a summary, and at least one
// success (2xx or 3xx) response.
func Rules(doc *openapi3.T) []string {
	var problems []string
	seen := map[string]string{}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				problems = append(problems, where+": no operationId")
			} else if prev, dup := seen[op.OperationID]; dup {
				problems = append(problems, where+": operationId "+op.OperationID+" also used by "+prev)
			} else {
				seen[op.OperationID] = where
			}
			if len(op.Tags) == 0 {
				problems = append(problems, where+": no tag")
			}
			if op.Summary == "" {
				problems = append(problems, where+": no summary")
			}
			ok := false
			if op.Responses != nil {
				for code := range op.Responses.Map() {
					if len(code) == 3 && (code[0] == '2' || code[0] == '3') {
						ok = true
					}
				}
			}
			if !ok {
				problems = append(problems, where+": no success response")
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// Operation is one method on one path.
type Operation struct {
	Method, Path, ID string
}

// Operations lists every operation of doc, sorted by path then method.
func Operations(doc *openapi3.T) []Operation {
	var ops []Operation
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			ops = append(ops, Operation{Method: method, Path: path, ID: op.OperationID})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

// CheckJSON validates a JSON document against the named component schema of doc,
// as a response (asResponse) or a request body.
func CheckJSON(doc *openapi3.T, schemaName string, data []byte, asResponse bool) error {
	ref, ok := doc.Components.Schemas[schemaName]
	if !ok || ref.Value == nil {
		return fmt.Errorf("no schema %q in components", schemaName)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	opts := []openapi3.SchemaValidationOption{openapi3.MultiErrors(), openapi3.EnableFormatValidation()}
	if asResponse {
		opts = append(opts, openapi3.VisitAsResponse())
	} else {
		opts = append(opts, openapi3.VisitAsRequest())
	}
	return ref.Value.VisitJSON(v, opts...)
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += "  " + l + "\n"
	}
	return out
}
