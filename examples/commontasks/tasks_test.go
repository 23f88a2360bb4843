package commontasks_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/examples/commontasks"
	"github.com/gokeystone/keystone/pkg/authplugin"
	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// TestRun runs the common tasks against the in-memory Keystone.
func TestRun(t *testing.T) {
	ks := keystonetest.NewServer(t)
	auth, err := authplugin.NewPassword(authplugin.PasswordOptions{
		AuthURL: ks.AuthURL(), Password: ks.AdminPassword,
		User:  authplugin.User{Name: ks.AdminUser, DomainID: ks.DomainID},
		Scope: authplugin.Scope{ProjectName: ks.AdminProject, ProjectDomainID: ks.DomainID}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := keystone.NewSession(keystone.WithAuth(auth))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := commontasks.Run(context.Background(), s, "s3cret-Passw0rd", &out); err != nil {
		t.Fatal(err)
	}
	want := "alice has deployer on web\nfound true among 2 projects\nno user nope\n"
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestREADME checks that the README's "Common tasks" block is the code Run
// runs, and that it needs neither gen/ nor nullable.
func TestREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Common tasks\n")
	if !ok {
		t.Fatal("README has no Common tasks section")
	}
	_, block, ok := strings.Cut(after, "```go\n")
	if !ok {
		t.Fatal("Common tasks has no Go block")
	}
	block, _, _ = strings.Cut(block, "```\n")

	src, err := os.ReadFile("tasks.go")
	if err != nil {
		t.Fatal(err)
	}
	_, code, _ := strings.Cut(string(src), "// README begin\n")
	code, _, _ = strings.Cut(code, "\t// README end\n")
	var dedented strings.Builder
	for _, line := range strings.SplitAfter(code, "\n") {
		dedented.WriteString(strings.TrimPrefix(line, "\t"))
	}
	if block != dedented.String() {
		t.Errorf("README's Common tasks differ from tasks.go; put this in the README:\n%s", dedented.String())
	}
	for _, banned := range []string{"oapi-codegen/nullable", "keystone/gen/"} {
		if strings.Contains(string(src), banned) {
			t.Errorf("the common tasks import %s", banned)
		}
	}
}
