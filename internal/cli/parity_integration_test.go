//go:build integration

package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/cli"
	"github.com/gokeystone/keystone/internal/testenv"
)

// parityEnv runs the same command through python-openstackclient
// (`openstack`) and through our cli.Run, with the same credentials and a
// throw-away HOME, so that no user configuration (clouds.yaml, caches) of the
// machine leaks into either.
type parityEnv struct {
	t         *testing.T
	k         testenv.Keystone
	openstack string
	password  string
	// os is the OS_*/HOME/XDG_* part of the environment, given to both.
	os []string
	// osEnviron is the whole environment of the openstack process: the
	// test's environment without any OS_*, HOME or XDG_* variable, plus os.
	osEnviron []string
}

func newParityEnv(t *testing.T) *parityEnv {
	t.Helper()
	k := testenv.Require(t)
	bin, err := exec.LookPath("openstack")
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("python-openstackclient required: %v", err)
		}
		t.Skipf("skipping: no openstack command: %v", err)
	}
	home := t.TempDir()
	vars := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + home,
		"XDG_CONFIG_DIRS=" + home,
		"XDG_CACHE_HOME=" + home,
		"OS_AUTH_URL=" + k.URL + "/v3",
		"OS_USERNAME=" + k.AdminUser,
		"OS_PASSWORD=" + k.AdminPassword,
		"OS_PROJECT_NAME=" + k.AdminProject,
		"OS_USER_DOMAIN_ID=" + k.Domain,
		"OS_PROJECT_DOMAIN_ID=" + k.Domain,
		"OS_REGION_NAME=" + k.Region,
		"OS_INTERFACE=public",
		"OS_IDENTITY_API_VERSION=3",
	}
	var environ []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "OS_") || strings.HasPrefix(name, "XDG_") || name == "HOME" ||
			name == "CLOUDSDK_CONFIG" {
			continue
		}
		environ = append(environ, kv)
	}
	environ = append(environ, vars...)
	return &parityEnv{t: t, k: k, openstack: bin, password: k.AdminPassword, os: vars, osEnviron: environ}
}

// ours runs `keystone args...` and returns its standard output.
func (p *parityEnv) ours(args ...string) (string, error) {
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb, p.os)
	if strings.Contains(out.String()+errb.String(), p.password) {
		p.t.Errorf("keystone %v: the password is in the output", args)
	}
	if code != 0 {
		return "", fmt.Errorf("keystone %v: exit %d: %s", args, code, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// theirs runs `openstack args...` and returns its standard output.
func (p *parityEnv) theirs(args ...string) (string, error) {
	return p.theirsIn(p.osEnviron, args...)
}

// theirsIn runs `openstack args...` with the whole environment environ and
// returns its standard output.
func (p *parityEnv) theirsIn(environ []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.openstack, args...)
	cmd.Env = environ
	cmd.Dir = p.t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("openstack %v: %v: %s", args, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// oursJSON runs our `keystone args... -f json` and decodes what it prints;
// either failing fails the test.
func oursJSON[T any](t *testing.T, p *parityEnv, args ...string) T {
	t.Helper()
	out, err := p.ours(append(args, "-f", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("keystone %v: %v in %q", args, err, out)
	}
	return v
}

type parityCase struct {
	args []string
	// check compares the two outputs; nil means compareJSON.
	check func(theirs, ours string) error
}

// parityOutputs is what a parityCase prints through both CLIs.
type parityOutputs struct {
	theirs, ours string
	err          error
}

// runParityPair runs one command through both CLIs (-f json), openstack
// being the slow one.
func runParityPair(p *parityEnv, args []string) parityOutputs {
	args = append(slices.Clone(args), "-f", "json")
	var o parityOutputs
	if o.theirs, o.err = p.theirs(args...); o.err != nil {
		return o
	}
	o.ours, o.err = p.ours(args...)
	return o
}

// runParityCases runs each case through both CLIs, at most limit pairs at
// once (all at once when limit is 0), then compares each pair in a subtest
// named after its arguments with the case's check. Other integration tests
// may create or delete resources between the two calls: a differing pair
// runs again, three times in all, before the subtest fails. after, when not
// nil, then checks the pair that compared equal, in the subtest. The outputs
// of the first run of each case are returned.
func runParityCases(t *testing.T, p *parityEnv, cases []parityCase, limit int, after func(t *testing.T, c parityCase, o parityOutputs)) []parityOutputs {
	t.Helper()
	if limit <= 0 {
		limit = max(len(cases), 1)
	}
	results := make([]parityOutputs, len(cases))
	var wg sync.WaitGroup
	sem := make(chan struct{}, limit)
	for i, c := range cases {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = runParityPair(p, c.args)
		})
	}
	wg.Wait()

	for i, c := range cases {
		t.Run(strings.Join(c.args, "_"), func(t *testing.T) {
			check := c.check
			if check == nil {
				check = compareJSON
			}
			o := results[i]
			for attempt := 1; ; attempt++ {
				if o.err != nil {
					t.Fatal(o.err)
				}
				err := check(o.theirs, o.ours)
				if err == nil {
					break
				}
				if attempt == 3 {
					t.Fatalf("%s differs:\n%v\nopenstack:\n%s\nkeystone:\n%s", strings.Join(c.args, " "), err, o.theirs, o.ours)
				}
				o = runParityPair(p, c.args)
			}
			if after != nil {
				after(t, c, o)
			}
		})
	}
	return results
}

func TestParityWithOpenstackClient(t *testing.T) {
	p := newParityEnv(t)
	k := p.k

	// group list is empty on a fresh Keystone: give it a row.
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	group := "parity-" + hex.EncodeToString(rnd[:])
	out, err := p.ours("group", "create", group, "--domain", k.Domain, "--description", "parity test", "-f", "json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct{ ID string }
	if err := json.Unmarshal([]byte(out), &g); err != nil || g.ID == "" {
		t.Fatalf("group create output %q: %v", out, err)
	}
	t.Cleanup(func() {
		if _, err := p.ours("group", "delete", g.ID); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})

	cases := []parityCase{
		{args: []string{"project", "list"}},
		{args: []string{"project", "show", k.AdminProject, "--domain", k.Domain}},
		{args: []string{"user", "list"}},
		{args: []string{"user", "show", k.AdminUser, "--domain", k.Domain}},
		{args: []string{"role", "list"}},
		{args: []string{"role", "show", "admin"}},
		{args: []string{"domain", "list"}},
		{args: []string{"domain", "show", "default"}},
		{args: []string{"service", "list"}},
		{args: []string{"endpoint", "list"}},
		{args: []string{"region", "list"}},
		{args: []string{"group", "list"}},
		{args: []string{"role", "assignment", "list", "--user", k.AdminUser, "--user-domain", k.Domain, "--names"}},
		{args: []string{"catalog", "list"}},
		{args: []string{"token", "issue"}, check: compareToken},
	}

	// Each openstack call takes one to two seconds: run them all at once.
	results := runParityCases(t, p, cases, 0, nil)

	// The fixture group is in the group list of both.
	groupList := slices.IndexFunc(cases, func(c parityCase) bool { return slices.Equal(c.args, []string{"group", "list"}) })
	if o := results[groupList]; o.err == nil && (!strings.Contains(o.ours, group) || !strings.Contains(o.theirs, group)) {
		t.Errorf("group list lacks %s:\nopenstack:\n%s\nkeystone:\n%s", group, o.theirs, o.ours)
	}
}

// compareJSON compares the -f json output of a show (an object) or a list (an
// array of objects): the same columns in the same order, and the same values;
// the rows of a list in any order.
func compareJSON(theirs, ours string) error {
	var a, b any
	if err := decodeJSON(theirs, &a); err != nil {
		return fmt.Errorf("openstack output: %v", err)
	}
	if err := decodeJSON(ours, &b); err != nil {
		return fmt.Errorf("keystone output: %v", err)
	}
	switch av := a.(type) {
	case map[string]any:
		if _, ok := b.(map[string]any); !ok {
			return fmt.Errorf("openstack prints an object, keystone a %T", b)
		}
		if err := sameColumns(theirs, ours); err != nil {
			return err
		}
		if !reflect.DeepEqual(a, b) {
			return fmt.Errorf("values differ")
		}
	case []any:
		bv, ok := b.([]any)
		if !ok {
			return fmt.Errorf("openstack prints a list, keystone a %T", b)
		}
		if len(av) != len(bv) {
			return fmt.Errorf("openstack lists %d rows, keystone %d", len(av), len(bv))
		}
		if len(av) > 0 {
			if err := sameColumns(theirs, ours); err != nil {
				return err
			}
		}
		ra, rb := canonicalRows(av), canonicalRows(bv)
		if !slices.Equal(ra, rb) {
			return fmt.Errorf("rows differ:\nopenstack: %v\nkeystone:  %v", ra, rb)
		}
	default:
		return fmt.Errorf("unexpected openstack output %T", a)
	}
	return nil
}

// compareToken compares token issue: the same fields, the same user and
// project; the token and its expiry differ from one issue to the next.
func compareToken(theirs, ours string) error {
	var a, b map[string]any
	if err := decodeJSON(theirs, &a); err != nil {
		return fmt.Errorf("openstack output: %v", err)
	}
	if err := decodeJSON(ours, &b); err != nil {
		return fmt.Errorf("keystone output: %v", err)
	}
	if err := sameColumns(theirs, ours); err != nil {
		return err
	}
	for _, f := range []string{"user_id", "project_id"} {
		if a[f] != b[f] {
			return fmt.Errorf("%s: openstack %v, keystone %v", f, a[f], b[f])
		}
	}
	for _, f := range []string{"id", "expires"} {
		if s, _ := b[f].(string); s == "" {
			return fmt.Errorf("keystone prints no %s", f)
		}
	}
	// Both print the expiry as %Y-%m-%dT%H:%M:%S%z.
	for _, v := range []any{a["expires"], b["expires"]} {
		if _, err := time.Parse("2006-01-02T15:04:05-0700", fmt.Sprint(v)); err != nil {
			return fmt.Errorf("expires: %v", err)
		}
	}
	return nil
}

func decodeJSON(s string, v any) error {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	return d.Decode(v)
}

// canonicalRows returns the rows as sorted canonical JSON strings (map keys
// sorted), so that two lists compare regardless of row order.
func canonicalRows(rows []any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		out[i] = string(b)
	}
	slices.Sort(out)
	return out
}

// sameColumns compares the keys, in order, of the printed object or of each
// row of the printed list.
func sameColumns(theirs, ours string) error {
	ka, err := columns(theirs)
	if err != nil {
		return fmt.Errorf("openstack output: %v", err)
	}
	kb, err := columns(ours)
	if err != nil {
		return fmt.Errorf("keystone output: %v", err)
	}
	if !slices.Equal(ka, kb) {
		return fmt.Errorf("columns differ:\nopenstack: %q\nkeystone:  %q", ka, kb)
	}
	return nil
}

// columns returns the top-level keys, in order, of a JSON object or of every
// object in a JSON array (each row's keys joined by commas).
func columns(s string) ([]string, error) {
	var raw json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, err
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		rows = []json.RawMessage{raw}
	}
	var out []string
	for _, r := range rows {
		keys, err := objectKeys(r)
		if err != nil {
			return nil, err
		}
		out = append(out, strings.Join(keys, ","))
	}
	return out, nil
}

func objectKeys(raw json.RawMessage) ([]string, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object: %s", raw)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// TestParityCompare checks that the comparison itself catches differences.
func TestParityCompare(t *testing.T) {
	base := `[{"ID": "1", "Name": "a"}, {"ID": "2", "Name": "b"}]`
	same := []string{
		base,
		`[{"ID": "2", "Name": "b"}, {"ID": "1", "Name": "a"}]`, // rows in another order
	}
	for _, s := range same {
		if err := compareJSON(base, s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	differ := []string{
		`[{"Name": "a", "ID": "1"}, {"Name": "b", "ID": "2"}]`, // columns in another order
		`[{"ID": "1", "Name": "a"}, {"ID": "2", "Name": "c"}]`, // a value
		`[{"ID": "1", "Name": "a"}]`,                           // a row
		`[{"ID": "1"}, {"ID": "2"}]`,                           // a column
		`[{"ID": 1, "Name": "a"}, {"ID": "2", "Name": "b"}]`,   // a type
		`{"ID": "1", "Name": "a"}`,                             // an object
	}
	for _, s := range differ {
		if compareJSON(base, s) == nil {
			t.Errorf("%s: no difference found", s)
		}
	}
	if compareJSON(`{"a": null, "b": {}}`, `{"a": "", "b": {}}`) == nil {
		t.Error("null and empty string compare equal")
	}
	if compareJSON(`{"a": 1, "b": {}}`, `{"b": {}, "a": 1}`) == nil {
		t.Error("fields in another order compare equal")
	}
}
