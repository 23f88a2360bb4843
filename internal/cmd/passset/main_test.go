package main

import (
	"slices"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	fake, err := parse(strings.NewReader(`=== RUN   TestA
--- PASS: TestA (0.01s)
=== RUN   TestB
    --- PASS: TestB/one (0.00s)
    --- SKIP: TestB/two (0.00s)
--- PASS: TestB (0.00s)
--- SKIP: TestC (0.00s)
--- FAIL: TestD (0.00s)
--- PASS: TestFakeOnly (0.00s)
`))
	if err != nil {
		t.Fatal(err)
	}
	real, err := parse(strings.NewReader(`--- PASS: TestA (1.01s)
    --- PASS: TestB/one (0.00s)
    --- PASS: TestB/two (0.00s)
--- PASS: TestB (0.00s)
    --- PASS: TestC/sub (0.00s)
--- PASS: TestC (0.00s)
--- FAIL: TestD (0.00s)
--- PASS: TestRealOnly (0.00s)
`))
	if err != nil {
		t.Fatal(err)
	}
	got := compare(fake, real)
	want := []string{
		"TestB/two: SKIP on the fake, PASS on the real Keystone",
		"TestC: SKIP on the fake, PASS on the real Keystone",
		"TestFakeOnly: PASS on the fake, not run on the real Keystone",
		"TestRealOnly: PASS on the real Keystone, not run on the fake",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := compare(real, real); len(d) != 0 {
		t.Errorf("a run against itself: %v", d)
	}
}
