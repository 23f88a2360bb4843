//go:build integration

// Package contract drives every operation of api/identity-v3.yaml that Keystone
// serves through the generated client, against a real Keystone, and validates
// every request and response against the spec. It needs a running Keystone
// (see internal/testenv); run it with `make integration`.
package contract

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"go.uber.org/goleak"

	"github.com/gokeystone/keystone/api"
	v3 "github.com/gokeystone/keystone/gen/identityv3"
	"github.com/gokeystone/keystone/internal/specvalidate"
	"github.com/gokeystone/keystone/internal/testenv"
	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// Shared by every test of the suite; set up once in TestMain.
var (
	ks         testenv.Keystone
	validator  *specvalidate.Doer
	anon       *v3.ClientWithResponses // sends no token
	adm        *v3.ClientWithResponses // the bootstrap admin, scoped to the admin project
	adminToken string
	adminUser  string // the bootstrap admin's user ID
	adminProj  string // the admin project's ID
)

// notServed lists the spec's operations that Keystone 22 cannot serve on this
// machine, with the reason; the suite fails if any other operation goes
// unexercised (in a full run). Operations the spec marks as not served by
// Keystone 22 (x-keystone-support) are added by TestMain; test files add the
// others, with their reason, from init functions.
var notServed = map[string]string{}

// markNotServedBySpec adds to notServed the operations whose
// x-keystone-support extension says Keystone 22 does not serve them.
func markNotServedBySpec() error {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.IdentityV3)
	if err != nil {
		return err
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			ext, ok := op.Extensions["x-keystone-support"].(map[string]any)
			if !ok {
				continue
			}
			if served, ok := ext["served-by-keystone-22"].(bool); ok && !served {
				why := "not served by Keystone 22"
				for _, k := range []string{"added-in", "removed-in"} {
					if v, ok := ext[k].(string); ok {
						why += fmt.Sprintf(" (%s %s)", k, v)
					}
				}
				if _, known := notServed[op.OperationID]; !known {
					notServed[op.OperationID] = why
				}
			}
		}
	}
	return nil
}

// backend is "keystone" (a real Keystone, the default) or "fake" (the
// in-memory Keystone of pkg/keystonetest), from KEYSTONE_BACKEND.
var backend = "keystone"

// onFake is the fake backend's in-memory Keystone.
var onFake *keystonetest.Server

// realOnly skips t on the fake backend: the test exercises behaviour the
// in-memory Keystone does not serve (why says which).
func realOnly(t testing.TB, why string) {
	t.Helper()
	if backend == "fake" {
		t.Skip("the in-memory Keystone does not serve " + why)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	if b := os.Getenv("KEYSTONE_BACKEND"); b != "" {
		backend = b
	}
	var (
		k   testenv.Keystone
		err error
	)
	switch backend {
	case "keystone":
		k, err = testenv.Lookup()
	case "fake":
		onFake, err = keystonetest.Start(keystonetest.WithTrustedDashboard(fedDashboard)) // as scripts/keystone-local.sh
		if err == nil {
			defer onFake.Close()
			// As scripts/keystone-local.sh sets [oauth1] request_token_duration.
			onFake.SetOAuth1RequestTokenDuration(5 * time.Second)
			k = testenv.Keystone{URL: onFake.URL, AdminUser: onFake.AdminUser, AdminPassword: onFake.AdminPassword,
				AdminProject: onFake.AdminProject, Domain: onFake.DomainID, Region: onFake.Region}
		}
	default:
		err = fmt.Errorf("KEYSTONE_BACKEND=%q: want keystone or fake", backend)
	}
	if err != nil {
		if testenv.InCI() || !errors.Is(err, testenv.ErrNotConfigured) {
			fmt.Fprintf(os.Stderr, "contract: Keystone required: %v\n", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "contract: skipping the contract suite: %v\n", err)
		os.Exit(0)
	}
	ks = k
	if err := markNotServedBySpec(); err != nil {
		fmt.Fprintf(os.Stderr, "contract: %v\n", err)
		os.Exit(1)
	}
	if err := setup(); err != nil {
		fmt.Fprintf(os.Stderr, "contract: setup: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	if c := report(); code == 0 {
		code = c
	}
	if onFake != nil {
		for _, f := range onFake.Failures() {
			// The suite's own validator sees the same exchanges; this catches
			// responses to what reaches the fake without it (raw requests).
			// Non-conforming requests are the suite's deliberate ones.
			var ve *specvalidate.ValidationError
			if errors.As(f, &ve) && ve.Status != 0 {
				fmt.Fprintf(os.Stderr, "contract: FAKE RESPONSE DOES NOT CONFORM: %v\n", f)
				code = 1
			}
		}
		onFake.Close()
	}
	if code == 0 {
		// No goroutine may outlive the suite but pooled keep-alive
		// connections of the clients it used.
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
		if err := goleak.Find(goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
			goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
			goleak.IgnoreTopFunction("internal/poll.runtime_pollWait")); err != nil {
			fmt.Fprintf(os.Stderr, "contract: goroutines left behind: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

func setup() error {
	var err error
	validator, err = specvalidate.New(api.IdentityV3, ks.URL, &http.Client{Timeout: 60 * time.Second})
	if err != nil {
		return err
	}
	anon = newClient("")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := anon.IssueTokenWithResponse(ctx, nil, passwordByName(ks.AdminUser, ks.Domain, ks.AdminPassword,
		projectScopeByName(ks.AdminProject, ks.Domain)))
	if err != nil {
		return fmt.Errorf("admin authentication: %w", err)
	}
	if resp.StatusCode() != http.StatusCreated || resp.JSON201 == nil {
		return fmt.Errorf("admin authentication: %s", resp.Status())
	}
	adminToken = resp.Headers201.XSubjectToken
	adminUser = resp.JSON201.Token.User.ID
	adminProj = resp.JSON201.Token.Project.ID
	adm = newClient(adminToken)
	return nil
}

// newClient returns a generated client whose traffic is validated against the
// spec and which sends token (if not empty) as X-Auth-Token.
func newClient(token string) *v3.ClientWithResponses {
	opts := []v3.ClientOption{v3.WithHTTPClient(validator)}
	if token != "" {
		opts = append(opts, v3.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("X-Auth-Token", token)
			return nil
		}))
	}
	c, err := v3.NewClientWithResponses(ks.URL, opts...)
	if err != nil {
		panic(err) // only on a malformed URL, which Lookup has already used
	}
	return c
}

// report prints the spec coverage and returns 1 if a validation failed or, in a
// full run, an operation Keystone serves went unexercised.
func report() int {
	code := 0
	for _, f := range validator.Failures() {
		fmt.Fprintf(os.Stderr, "contract: VALIDATION FAILURE: %v\n", f)
		code = 1
	}
	ids, err := specvalidate.OperationIDs(api.IdentityV3)
	if err != nil {
		fmt.Fprintf(os.Stderr, "contract: %v\n", err)
		return 1
	}
	seen := validator.Exercised()
	var missing, errorOnly []string
	succeeded := 0
	for _, id := range ids {
		st, ok := seen[id]
		switch {
		case !ok:
			if _, skip := notServed[id]; !skip {
				missing = append(missing, id)
			}
		case specvalidate.Succeeded(st):
			succeeded++
		default:
			if _, known := notServed[id]; !known {
				errorOnly = append(errorOnly, id)
			}
		}
	}
	fmt.Printf("contract (%s backend): exercised %d of %d spec operations (%d with a success response), %d exchanges validated, %d validation failures\n",
		backend, len(seen), len(ids), succeeded, total(seen), len(validator.Failures()))
	for _, id := range sortedKeys(notServed) {
		fmt.Printf("contract: not exercised here: %s: %s\n", id, notServed[id])
	}
	// The fake serves a subset: coverage is reported, not enforced.
	partial := backend == "fake" || flag.Lookup("test.run").Value.String() != "" || flag.Lookup("test.skip").Value.String() != ""
	if len(missing) > 0 {
		fmt.Printf("contract: not exercised: %s\n", strings.Join(missing, ", "))
		if !partial {
			code = 1
		}
	}
	if len(errorOnly) > 0 {
		fmt.Printf("contract: exercised only on error paths: %s\n", strings.Join(errorOnly, ", "))
		if !partial {
			code = 1
		}
	}
	return code
}

func total(seen map[string]map[int]int) int {
	n := 0
	for _, m := range seen {
		for _, c := range m {
			n += c
		}
	}
	return n
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
