// Command passset compares the outcomes of the contract suite on the two
// backends: it reads the `go test -v` output of a run on the in-memory
// Keystone and of a run on the real one, and fails unless every test (and
// subtest) that passes on one passes on the other, and none skips on the fake
// that does not skip on the real Keystone too.
//
//	passset fake.txt real.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: passset FAKE_OUTPUT REAL_OUTPUT")
		os.Exit(2)
	}
	fake, err := readFile(os.Args[1])
	if err == nil {
		var real map[string]string
		if real, err = readFile(os.Args[2]); err == nil {
			diffs := compare(fake, real)
			for _, d := range diffs {
				fmt.Println(d)
			}
			fmt.Printf("passset: %d tests on the fake, %d on the real Keystone, %d differences\n", len(fake), len(real), len(diffs))
			if len(diffs) > 0 {
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintln(os.Stderr, "passset:", err)
	os.Exit(2)
}

func readFile(name string) (map[string]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := parse(f)
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%s: no test outcome (run go test with -v)", name)
	}
	return out, err
}

// outcome matches go test -v's result lines, at any subtest depth.
var outcome = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+) \(`)

// parse returns each test's outcome (PASS, FAIL or SKIP) from go test -v
// output.
func parse(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		if m := outcome.FindStringSubmatch(sc.Text()); m != nil {
			out[m[2]] = m[1]
		}
	}
	return out, sc.Err()
}

// compare lists, sorted, the tests whose outcomes differ in a way that
// matters: passing on one backend only, skipping on the fake only, or run
// on one backend only.
func compare(fake, real map[string]string) []string {
	var diffs []string
	for name, f := range fake {
		r, ok := real[name]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s: %s on the fake, not run on the real Keystone", name, f))
		case f != r && (f == "PASS" || r == "PASS" || f == "SKIP"):
			diffs = append(diffs, fmt.Sprintf("%s: %s on the fake, %s on the real Keystone", name, f, r))
		}
	}
	for name, r := range real {
		if _, ok := fake[name]; !ok && !skippedParent(fake, name) {
			diffs = append(diffs, fmt.Sprintf("%s: %s on the real Keystone, not run on the fake", name, r))
		}
	}
	slices.Sort(diffs)
	return diffs
}

// skippedParent reports whether a parent test of name skipped on the fake
// (its subtests then never ran there; the parent's own line reports it).
func skippedParent(results map[string]string, name string) bool {
	for i := strings.LastIndex(name, "/"); i > 0; i = strings.LastIndex(name[:i], "/") {
		if results[name[:i]] == "SKIP" {
			return true
		}
	}
	return false
}
