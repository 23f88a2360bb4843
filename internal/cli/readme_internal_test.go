package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The README's table of commands is generated from the command tree: this
// test fails when they differ, and UPDATE_README=1 rewrites the table.
const (
	readmeStart = "<!-- commands: generated from the command tree by TestREADMECommands; UPDATE_README=1 go test ./internal/cli -run TestREADMECommands -->\n"
	readmeEnd   = "<!-- end of commands -->\n"
)

// commandTable returns, for each noun (the path before the verb), its verbs,
// in the order nouns are first seen.
func commandTable(root *cobra.Command, skip func(*cobra.Command) bool) [][2]string {
	verbs := map[string][]string{}
	var nouns []string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		for _, sub := range c.Commands() {
			if sub.Hidden || skip(sub) {
				continue
			}
			p := append(slices.Clone(path), sub.Name())
			if sub.HasSubCommands() {
				walk(sub, p)
				continue
			}
			// The verb is the last word, with the one before when that
			// is a verb itself: group add user, endpoint group remove project.
			cut := len(p) - 1
			if cut > 1 && (p[cut-1] == "add" || p[cut-1] == "remove" || p[cut-1] == "contains") {
				cut--
			}
			noun, verb := strings.Join(p[:cut], " "), strings.Join(p[cut:], " ")
			if _, ok := verbs[noun]; !ok {
				nouns = append(nouns, noun)
			}
			verbs[noun] = append(verbs[noun], verb)
		}
	}
	walk(root, nil)
	slices.Sort(nouns)
	rows := make([][2]string, len(nouns))
	for i, n := range nouns {
		rows[i] = [2]string{n, strings.Join(verbs[n], ", ")}
	}
	return rows
}

func readmeCommands() string {
	var b strings.Builder
	b.WriteString(readmeStart)
	b.WriteString("\n| command | subcommands (Identity v3) |\n| --- | --- |\n")
	v3 := (&app{}).newRoot(false)
	other := func(c *cobra.Command) bool {
		return c.GroupID == legacyGroupID || c.GroupID == otherGroupID || c.Name() == "help" || c.Name() == "completion"
	}
	for _, r := range commandTable(v3, other) {
		fmt.Fprintf(&b, "| `%s` | %s |\n", r[0], r[1])
	}
	b.WriteString("\n| command | subcommands (Identity v2.0: `--os-identity-api-version 2.0`, or an auth URL ending in `/v2.0`) |\n| --- | --- |\n")
	v2 := (&app{}).newRoot(true)
	for _, r := range commandTable(v2, other) {
		fmt.Fprintf(&b, "| `%s` | %s |\n", r[0], r[1])
	}
	var legacy []string
	for _, c := range v3.Commands() {
		if c.GroupID == legacyGroupID {
			legacy = append(legacy, "`"+c.Name()+"`")
		}
	}
	b.WriteString("\nThe keystone shell's commands (python-keystoneclient's v2_0 shell), with their options, on Identity v2.0: ")
	b.WriteString(strings.Join(legacy, ", "))
	b.WriteString(", and `catalog [--service <type>]`.\n\n")
	b.WriteString(readmeEnd)
	return b.String()
}

func TestREADMECommands(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, readmeStart), strings.Index(s, readmeEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md: no generated table of commands (markers %q … %q)", readmeStart, readmeEnd)
	}
	want := readmeCommands()
	got := s[i : j+len(readmeEnd)]
	if got == want {
		return
	}
	if os.Getenv("UPDATE_README") != "" {
		if err := os.WriteFile(path, []byte(s[:i]+want+s[j+len(readmeEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's table of commands is out of date; run UPDATE_README=1 go test ./internal/cli -run TestREADMECommands. Want:\n%s", want)
}
