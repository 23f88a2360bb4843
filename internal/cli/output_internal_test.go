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
