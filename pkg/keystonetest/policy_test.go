package keystonetest

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/gen/identityv3server"
)

func TestPolicyRulesParse(t *testing.T) {
	rules, err := policyRules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 190 {
		t.Fatalf("%d rules: the policy file is cut short", len(rules))
	}
	for op, p := range v3Policy {
		if p.mode != noToken {
			if _, ok := rules[p.rule]; !ok {
				t.Errorf("%s: no rule %q in the policy file", op, p.rule)
			}
		}
	}
}

// TestPolicyTableCoversSpec: every operation of the spec has an entry (the
// table refuses the others), and no entry names an operation the spec lacks.
func TestPolicyTableCoversSpec(t *testing.T) {
	it := reflect.TypeFor[identityv3server.StrictServerInterface]()
	ops := map[string]bool{}
	for i := range it.NumMethod() {
		ops[it.Method(i).Name] = true
		if _, ok := v3Policy[it.Method(i).Name]; !ok {
			t.Errorf("%s: not in the policy table", it.Method(i).Name)
		}
	}
	for op := range v3Policy {
		if !ops[op] {
			t.Errorf("%s: in the policy table, not in the spec", op)
		}
	}
}

// TestEveryV3OperationServed: the fake declares a handler of its own for
// every operation of the spec, so none falls through to unimplementedV3's
// 501.
func TestEveryV3OperationServed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	fset := gotoken.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "zz_unimplemented") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || len(fd.Recv.List) != 1 {
				continue
			}
			if star, ok := fd.Recv.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "v3" {
					served[fd.Name.Name] = true
				}
			}
		}
	}
	it := reflect.TypeFor[identityv3server.StrictServerInterface]()
	var missing []string
	for i := range it.NumMethod() {
		if !served[it.Method(i).Name] {
			missing = append(missing, it.Method(i).Name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		t.Errorf("%d operations answer 501: %s", len(missing), strings.Join(missing, ", "))
	}
}

func TestPolicyCheckLanguage(t *testing.T) {
	rules := map[string]check{}
	must := func(s string) check {
		c, err := parseCheck(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return c
	}
	rules["admin_required"] = must("role:admin or is_admin:1")
	creds := map[string]any{
		"user_id": "u1", "domain_id": "d1", "project_id": nil, "system_scope": nil, "is_admin": false,
		"roles": []string{"Reader", "member"},
		"token": map[string]any{"domain": map[string]any{"id": "d1"}, "methods": []any{"password", "totp"}},
	}
	target := map[string]string{"target.user.domain_id": "d1", "target.role.domain_id": "None", "user_id": "u2", "n": "5"}
	for _, c := range []struct {
		rule string
		want bool
	}{
		{"", true},
		{"@", true},
		{"!", false},
		{"role:reader", true}, // case-insensitive
		{"role:admin", false},
		{"rule:admin_required", false},
		{"rule:no_such_rule", false},
		{"role:reader and domain_id:%(target.user.domain_id)s", true},
		{"role:reader and domain_id:%(target.project.domain_id)s", false}, // not in the target
		{"None:%(target.role.domain_id)s", true},
		{"user_id:%(user_id)s", false},
		{"not user_id:%(user_id)s", true},
		{"token.domain.id:%(target.user.domain_id)s", true},
		{"token.methods:totp", true}, // any element of a list
		{"is_admin:1", false},
		{"'d1':%(target.user.domain_id)s", true},
		{"5:%(n)s", true},
		// not binds tighter than and, and tighter than or.
		{"role:admin or role:member and not role:reader", false},
		{"(role:admin or role:member) and role:reader", true},
		{"role:member or role:admin and role:nope", true},
		{"not (role:member and role:reader)", false},
		{"((role:reader))", true},
	} {
		in := &policyInput{creds: creds, target: target, rules: rules}
		if got := must(c.rule)(in); got != c.want {
			t.Errorf("%q = %v, want %v", c.rule, got, c.want)
		}
	}
	for _, bad := range []string{"(role:a", "role:a)", "and", "role:a or", "nocolon", "role:a role:b"} {
		if _, err := parseCheck(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
