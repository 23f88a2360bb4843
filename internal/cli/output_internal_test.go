package cli

import (
	"bytes"
	"testing"
)

// TestTableLikePrettytable compares the table output with what cliff's
// prettytable 3.6 printed for the same rows (strings captured from it):
// borders, multi-line cells, a trailing new line kept as an empty line,
// numbers right-aligned by the first row, None for nil, non-ASCII widths.
func TestTableLikePrettytable(t *testing.T) {
	list := &outputOptions{format: "table", list: true}
	var b bytes.Buffer
	err := list.printList(&b, []string{"ID", "Name", "Limit", "On"}, [][]any{
		{"a1", "x\ny", 5, true},
		{"b22222", "ü naïve", 1234567, false},
		{"c", "trail\n", nil, nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "+--------+---------+---------+-------+\n| ID     | Name    |   Limit | On    |\n+--------+---------+---------+-------+\n| a1     | x       |       5 | True  |\n|        | y       |         |       |\n| b22222 | ü naïve | 1234567 | False |\n| c      | trail   |    None | None  |\n|        |         |         |       |\n+--------+---------+---------+-------+\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant (prettytable):\n%s", b.String(), want)
	}

	b.Reset()
	if err := list.printList(&b, []string{"ID", "Name"}, nil); err != nil {
		t.Fatal(err)
	}
	if b.String() != "\n" {
		t.Errorf("empty table: %q, want cliff's empty line", b.String())
	}
	b.Reset()
	list.printEmpty = true
	if err := list.printList(&b, []string{"ID", "Name"}, nil); err != nil {
		t.Fatal(err)
	}
	if want := "+----+------+\n| ID | Name |\n+----+------+\n+----+------+\n"; b.String() != want {
		t.Errorf("empty table with --print-empty:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	one := &outputOptions{format: "table"}
	if err := one.printOne(&b, []string{"enabled", "id"}, []any{true, "abc"}); err != nil {
		t.Fatal(err)
	}
	if want := "+---------+-------+\n| Field   | Value |\n+---------+-------+\n| enabled | True  |\n| id      | abc   |\n+---------+-------+\n"; b.String() != want {
		t.Errorf("show table:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestCSVAndYAMLLikeCliff compares the csv and yaml list formats with what
// cliff printed for the same row (Python's csv.QUOTE_NONNUMERIC with a
// backslash escape; yaml.safe_dump, keys sorted).
func TestCSVAndYAMLLikeCliff(t *testing.T) {
	row := [][]any{{`a"b`, nil, true, 5, 1.5, []any{"x", "y"}, map[string]any{"k": "v"}, "line1\nline2", `back\slash`}}
	cols := []string{"ID", "Name", "On", "N", "F", "L", "M", "Multi", "B"}
	var b bytes.Buffer
	o := &outputOptions{format: "csv", list: true}
	if err := o.printList(&b, cols, row); err != nil {
		t.Fatal(err)
	}
	want := `"ID","Name","On","N","F","L","M","Multi","B"` + "\n" +
		`"a""b","",True,5,1.5,"['x', 'y']","{'k': 'v'}","line1` + "\n" + `line2","back\\slash"` + "\n"
	if b.String() != want {
		t.Errorf("csv:\n%s\nwant (cliff):\n%s", b.String(), want)
	}

	b.Reset()
	o = &outputOptions{format: "yaml", list: true}
	if err := o.printList(&b, []string{"Name", "ID", "Enabled"}, [][]any{{"b", "a", true}}); err != nil {
		t.Fatal(err)
	}
	if want := "- Enabled: true\n  ID: a\n  Name: b\n"; b.String() != want {
		t.Errorf("yaml:\n%s\nwant (cliff):\n%s", b.String(), want)
	}
}
