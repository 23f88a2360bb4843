package speclint

import (
	"context"
	"strings"
	"testing"
)

const good = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      tags: [a]
      summary: Get A.
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
components:
  schemas:
    A:
      type: object
      properties:
        when: {type: string, format: date-time, example: "2020-01-01T00:00:00Z"}
`

func TestValidateGoodSpec(t *testing.T) {
	doc, err := LoadData([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(context.Background(), doc); err != nil {
		t.Fatalf("good spec rejected: %v", err)
	}
	ops := Operations(doc)
	if len(ops) != 1 || ops[0].ID != "getA" || ops[0].Method != "GET" {
		t.Errorf("Operations = %+v", ops)
	}
	if err := CheckJSON(doc, "A", []byte(`{"when": "2020-01-01T00:00:00Z"}`), true); err != nil {
		t.Errorf("CheckJSON good: %v", err)
	}
	if err := CheckJSON(doc, "A", []byte(`{"when": "yesterday"}`), true); err == nil {
		t.Error("CheckJSON accepted a bad date-time")
	}
	if err := CheckJSON(doc, "Nope", []byte(`{}`), true); err == nil {
		t.Error("CheckJSON accepted an unknown schema")
	}
}

func TestRules(t *testing.T) {
	bad := `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: same
      responses:
        "404": {description: no}
  /b:
    get:
      operationId: same
      tags: [b]
      summary: B.
      responses:
        "200": {description: ok}
    delete:
      tags: [b]
      summary: Delete B.
      responses:
        "204": {description: ok}
`
	doc, err := LoadData([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(Rules(doc), "\n")
	for _, want := range []string{
		"GET /a: no tag", "GET /a: no summary", "GET /a: no success response",
		"operationId same also used by", "DELETE /b: no operationId",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Rules missed %q; got:\n%s", want, got)
		}
	}
	if err := Validate(context.Background(), doc); err == nil {
		t.Error("Validate accepted a spec that breaks the rules")
	}
}

func TestValidateRejectsBadExample(t *testing.T) {
	spec := strings.Replace(good, `example: "2020-01-01T00:00:00Z"`, `example: "not a date"`, 1)
	doc, err := LoadData([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(context.Background(), doc); err == nil {
		t.Error("Validate accepted an example that is not a date-time")
	}
}
