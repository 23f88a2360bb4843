package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

func TestTour(t *testing.T) {
	ks := keystonetest.NewServer(t)
	var out bytes.Buffer
	c := cloud{authURL: ks.AuthURL(), username: ks.AdminUser, password: ks.AdminPassword,
		project: ks.AdminProject, domain: ks.DomainID, region: ks.Region}
	if err := tour(t.Context(), &out, c); err != nil {
		t.Fatalf("tour: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"$ keystone token issue", "| project_id | " + ks.AdminProjectID,
		"$ keystone catalog list", "| keystone | identity |",
		"$ keystone project create tour-", "made by the tour",
		"$ keystone role assignment list", "| member | alice-",
		"@Default | | tour-",
	} {
		// Compared with runs of white space as one space: the widths of
		// the table's columns vary with the IDs.
		if !strings.Contains(strings.Join(strings.Fields(got), " "), want) {
			t.Errorf("tour output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, ks.AdminPassword) || strings.Contains(got, "tour-secret-") {
		t.Errorf("the tour shows a password:\n%s", got)
	}
	// The token cache: one authentication for the whole tour.
	if n := ks.TokenCount(); n != 1 {
		t.Errorf("%d tokens issued for the tour, want 1 (the cached one)", n)
	}
}
