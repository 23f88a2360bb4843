package cli_test

import (
	"strings"
	"testing"
)

// TestCompletion checks the shell completion scripts and the completion of
// commands they ask the program for.
func TestCompletion(t *testing.T) {
	e := newEnv(t)
	for shell, want := range map[string]string{
		"bash": "__start_keystone",
		"zsh":  "#compdef keystone",
		"fish": "complete -c keystone",
	} {
		if out := e.ok("completion", shell); !strings.Contains(out, want) {
			t.Errorf("completion %s: no %q in the script", shell, want)
		}
	}
	out := e.run("", "__complete", "pro").stdout
	if !strings.Contains(out, "project") {
		t.Errorf("__complete pro: %q", out)
	}
	out = e.run("", "__complete", "role", "assignment", "").stdout
	if !strings.Contains(out, "list") {
		t.Errorf("__complete role assignment: %q", out)
	}
	if out := e.run("", "__complete", "tenant-").stdout; !strings.Contains(out, "tenant-list") {
		t.Errorf("__complete tenant-: %q", out)
	}
}
