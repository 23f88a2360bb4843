package cli_test

import (
	"slices"
	"strings"
	"testing"
)

// sameKeys checks that m has exactly the members want.
func sameKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	got := keys(m)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: fields %v, want %v", what, got, want)
	}
}

// find returns the row of l whose column col is v.
func find(l []map[string]any, col string, v any) map[string]any {
	for _, r := range l {
		if r[col] == v {
			return r
		}
	}
	return nil
}

func TestGroupLifecycle(t *testing.T) {
	e := newEnv(t)
	g := e.object("group", "create", "devs", "--domain", "default", "--description", "developers")
	sameKeys(t, "group create", g, "description", "domain_id", "id", "name")
	if g["name"] != "devs" || g["description"] != "developers" || g["domain_id"] != e.ks.DomainID {
		t.Errorf("group create: %v", g)
	}
	id := g["id"].(string)
	if again := e.object("group", "create", "devs", "--domain", "default", "--or-show"); again["id"] != id {
		t.Errorf("group create --or-show: %v", again)
	}
	e.fails(1, "group", "create", "devs", "--domain", "default")

	if s := e.object("group", "show", "devs"); s["id"] != id {
		t.Errorf("group show by name: %v", s)
	}
	if s := e.object("group", "show", id, "--domain", "default"); s["name"] != "devs" {
		t.Errorf("group show by ID: %v", s)
	}

	l := e.list("group", "list")
	r := find(l, "Name", "devs")
	if r == nil || r["ID"] != id {
		t.Fatalf("group list: %v", l)
	}
	sameKeys(t, "group list", r, "ID", "Name")
	long := find(e.list("group", "list", "--long", "--domain", "default"), "ID", id)
	sameKeys(t, "group list --long", long, "ID", "Name", "Domain ID", "Description")
	if long["Domain ID"] != e.ks.DomainID || long["Description"] != "developers" {
		t.Errorf("group list --long: %v", long)
	}

	// Members.
	e.ok("user", "create", "alice")
	e.ok("user", "create", "bob")
	e.ok("group", "add", "user", "devs", "alice", "bob")
	if l := e.list("group", "list", "--user", "alice"); len(l) != 1 || l[0]["ID"] != id {
		t.Errorf("group list --user: %v", l)
	}
	r2 := e.run("", "group", "contains", "user", "devs", "alice")
	if r2.code != 0 || r2.stdout != "alice in group devs\n" || r2.stderr != "" {
		t.Errorf("group contains user: %+v", r2)
	}
	e.ok("group", "remove", "user", "devs", "bob")
	r2 = e.run("", "group", "contains", "user", "devs", "bob")
	if r2.code != 0 || r2.stdout != "" || r2.stderr != "bob not in group devs\n" {
		t.Errorf("group contains user, not a member: %+v", r2)
	}
	msg := e.fails(1, "group", "add", "user", "devs", "bob", "nobody")
	if !strings.Contains(msg, "1 of 2 users not added to group devs") {
		t.Errorf("group add user of an unknown user: %q", msg)
	}
	if l := e.list("group", "list", "--user", "bob"); len(l) != 1 {
		t.Errorf("group add user bob (with a failure for another): %v", l)
	}

	e.ok("group", "delete", "devs")
	msg = e.fails(1, "group", "show", "devs")
	if msg != "keystone: no group with a name or ID of 'devs' exists\n" {
		t.Errorf("group show of a deleted group: %q", msg)
	}
	e.fails(1, "group", "contains", "user", "devs", "alice")
	e.fails(2, "group", "add", "user", "devs")
}

func TestDomainLifecycle(t *testing.T) {
	e := newEnv(t)
	d := e.object("domain", "create", "acme", "--description", "Acme Inc", "--disable")
	sameKeys(t, "domain create", d, "description", "enabled", "id", "name", "options", "tags")
	if d["name"] != "acme" || d["description"] != "Acme Inc" || d["enabled"] != false {
		t.Errorf("domain create: %v", d)
	}
	if tags, ok := d["tags"].([]any); !ok || len(tags) != 0 {
		t.Errorf("domain create tags: %#v", d["tags"])
	}
	if opts, ok := d["options"].(map[string]any); !ok || len(opts) != 0 {
		t.Errorf("domain create options: %#v", d["options"])
	}
	id := d["id"].(string)
	if again := e.object("domain", "create", "acme", "--or-show"); again["id"] != id {
		t.Errorf("domain create --or-show: %v", again)
	}
	if s := e.object("domain", "show", "acme"); s["id"] != id {
		t.Errorf("domain show by name: %v", s)
	}
	if s := e.object("domain", "show", id); s["name"] != "acme" {
		t.Errorf("domain show by ID: %v", s)
	}

	l := e.list("domain", "list")
	r := find(l, "ID", id)
	if r == nil {
		t.Fatalf("domain list: %v", l)
	}
	sameKeys(t, "domain list", r, "ID", "Name", "Enabled", "Description")
	if r["Name"] != "acme" || r["Enabled"] != false || r["Description"] != "Acme Inc" {
		t.Errorf("domain list: %v", r)
	}
	if find(l, "ID", e.ks.DomainID) == nil {
		t.Errorf("domain list: no default domain in %v", l)
	}

	e.ok("domain", "delete", "acme")
	msg := e.fails(1, "domain", "show", "acme")
	if msg != "keystone: no domain with a name or ID of 'acme' exists\n" {
		t.Errorf("domain show of a deleted domain: %q", msg)
	}
}

func TestServiceLifecycle(t *testing.T) {
	e := newEnv(t)
	s := e.object("service", "create", "compute", "--name", "nova", "--description", "Compute")
	sameKeys(t, "service create", s, "description", "enabled", "id", "name", "type")
	if s["name"] != "nova" || s["type"] != "compute" || s["description"] != "Compute" || s["enabled"] != true {
		t.Errorf("service create: %v", s)
	}
	id := s["id"].(string)
	for _, ref := range []string{id, "nova", "compute"} {
		if got := e.object("service", "show", ref); got["id"] != id {
			t.Errorf("service show %s: %v", ref, got)
		}
	}
	if d := e.object("service", "create", "image", "--disable"); d["enabled"] != false || d["name"] != "" {
		t.Errorf("service create --disable: %v", d)
	}

	l := e.list("service", "list")
	r := find(l, "ID", id)
	if r == nil {
		t.Fatalf("service list: %v", l)
	}
	sameKeys(t, "service list", r, "ID", "Name", "Type")
	if r["Name"] != "nova" || r["Type"] != "compute" {
		t.Errorf("service list: %v", r)
	}
	if find(l, "Type", "identity") == nil {
		t.Errorf("service list: no identity service in %v", l)
	}

	e.ok("service", "delete", "nova")
	msg := e.fails(1, "service", "show", "nova")
	if msg != "keystone: no service with a type, name or ID of 'nova' exists\n" {
		t.Errorf("service show of a deleted service: %q", msg)
	}
}

func TestEndpointLifecycle(t *testing.T) {
	e := newEnv(t)
	e.ok("service", "create", "compute", "--name", "nova")
	e.ok("region", "create", "RegionTwo")
	ep := e.object("endpoint", "create", "nova", "public", "https://nova.example.com/v2.1", "--region", "RegionTwo")
	sameKeys(t, "endpoint create", ep, "enabled", "id", "interface", "region", "region_id", "service_id", "service_name", "service_type", "url")
	if ep["interface"] != "public" || ep["url"] != "https://nova.example.com/v2.1" || ep["region"] != "RegionTwo" ||
		ep["region_id"] != "RegionTwo" || ep["service_name"] != "nova" || ep["service_type"] != "compute" || ep["enabled"] != true {
		t.Errorf("endpoint create: %v", ep)
	}
	id := ep["id"].(string)
	if s := e.object("endpoint", "show", id); s["url"] != ep["url"] || s["service_id"] != ep["service_id"] {
		t.Errorf("endpoint show: %v", s)
	}
	if d := e.object("endpoint", "create", "compute", "internal", "http://nova.internal/v2.1", "--disable"); d["enabled"] != false || d["region"] != nil {
		t.Errorf("endpoint create --disable without a region: %v", d)
	}

	l := e.list("endpoint", "list", "--service", "compute")
	if len(l) != 2 {
		t.Fatalf("endpoint list --service: %v", l)
	}
	r := find(l, "ID", id)
	if r == nil {
		t.Fatalf("endpoint list: %v", l)
	}
	sameKeys(t, "endpoint list", r, "ID", "Region", "Service Name", "Service Type", "Enabled", "Interface", "URL")
	if r["Region"] != "RegionTwo" || r["Service Name"] != "nova" || r["Service Type"] != "compute" ||
		r["Enabled"] != true || r["Interface"] != "public" || r["URL"] != ep["url"] {
		t.Errorf("endpoint list: %v", r)
	}
	if l := e.list("endpoint", "list", "--region", "RegionTwo"); len(l) != 1 || l[0]["ID"] != id {
		t.Errorf("endpoint list --region: %v", l)
	}
	if l := e.list("endpoint", "list", "--interface", "admin"); len(l) != 1 || l[0]["Service Type"] != "identity" {
		t.Errorf("endpoint list --interface admin: %v", l)
	}

	e.ok("endpoint", "delete", id)
	msg := e.fails(1, "endpoint", "show", id)
	if msg != "keystone: no endpoint with a name or ID of '"+id+"' exists\n" {
		t.Errorf("endpoint show of a deleted endpoint: %q", msg)
	}
	e.fails(2, "endpoint", "create", "nova", "sideways", "https://nova.example.com")
	e.fails(1, "endpoint", "create", "no-such-service", "public", "https://x.example.com")
}

func TestRegionLifecycle(t *testing.T) {
	e := newEnv(t)
	r := e.object("region", "create", "RegionTwo", "--description", "the second")
	sameKeys(t, "region create", r, "description", "parent_region", "region")
	if r["region"] != "RegionTwo" || r["description"] != "the second" || r["parent_region"] != nil {
		t.Errorf("region create: %v", r)
	}
	c := e.object("region", "create", "RegionTwoA", "--parent-region", "RegionTwo")
	if c["parent_region"] != "RegionTwo" || c["description"] != "" {
		t.Errorf("region create --parent-region: %v", c)
	}
	if s := e.object("region", "show", "RegionTwo"); s["description"] != "the second" {
		t.Errorf("region show: %v", s)
	}

	l := e.list("region", "list")
	row := find(l, "Region", "RegionTwoA")
	if row == nil || find(l, "Region", "RegionTwo") == nil {
		t.Fatalf("region list: %v", l)
	}
	sameKeys(t, "region list", row, "Region", "Parent Region", "Description")
	if row["Parent Region"] != "RegionTwo" {
		t.Errorf("region list: %v", row)
	}
	if l := e.list("region", "list", "--parent-region", "RegionTwo"); len(l) != 1 || l[0]["Region"] != "RegionTwoA" {
		t.Errorf("region list --parent-region: %v", l)
	}

	e.ok("region", "delete", "RegionTwoA")
	msg := e.fails(1, "region", "show", "RegionTwoA")
	if msg != "keystone: no region with a name or ID of 'RegionTwoA' exists\n" {
		t.Errorf("region show of a deleted region: %q", msg)
	}
	e.fails(1, "region", "delete", "RegionTwoA")
}
