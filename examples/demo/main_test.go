package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystone"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func TestRun(t *testing.T) {
	ks := keystonetest.NewServer(t)
	var out bytes.Buffer
	// A catalog-style URL with /v3 works as well as the root.
	if err := run(&out, ks.URL+"/v3", ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := out.String()
	for _, want := range []string{
		"Authenticated as admin (" + ks.AdminUserID + ") on project admin",
		"keystone  identity  public", ks.URL + "/v3/", "admin    " + ks.AdminProjectID,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, ks.AdminPassword) {
		t.Errorf("output shows the password:\n%s", got)
	}
}

func TestRunErrors(t *testing.T) {
	ks := keystonetest.NewServer(t)
	var out bytes.Buffer
	err := run(&out, ks.URL, ks.AdminUser, "wrong-password-789", ks.AdminProject, ks.DomainID)
	if !errors.Is(err, keystone.ErrUnauthorized) {
		t.Fatalf("wrong password: got %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), "wrong-password-789") {
		t.Errorf("error shows the password: %v", err)
	}
	if err := run(&out, "", "admin", "pw", "admin", "default"); err == nil {
		t.Error("no URL: want an error")
	}
	ks.Close()
	if err := run(&out, ks.URL, ks.AdminUser, ks.AdminPassword, ks.AdminProject, ks.DomainID); !errors.Is(err, keystone.ErrConnectionRefused) {
		t.Errorf("dead server: got %v, want ErrConnectionRefused", err)
	}
}
