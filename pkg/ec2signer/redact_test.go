package ec2signer_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/internal/printtest"
	"github.com/gokeystone/keystone/pkg/ec2signer"
)

// No rendering of Credentials shows the secret: not the fmt verbs (%v, %+v,
// %#v, %s, %q and the others of printtest.Verbs), not json.Marshal, not
// slog's text or JSON handlers; values holding Credentials neither.
func TestCredentialsHideTheSecret(t *testing.T) {
	const secret = "ec2-Secret-9"
	c := ec2signer.Credentials{Access: "AKID-shown", Secret: secret}
	values := map[string]any{
		"value":   c,
		"pointer": &c,
		"struct":  struct{ C ec2signer.Credentials }{c},
		"slice":   []ec2signer.Credentials{c},
		"map":     map[string]ec2signer.Credentials{"k": c},
	}
	for name, v := range values {
		for how, out := range printtest.Renderings(v) {
			for _, leak := range []string{secret, hex.EncodeToString([]byte(secret)), strings.ToUpper(hex.EncodeToString([]byte(secret)))} {
				if strings.Contains(out, leak) {
					t.Errorf("%s, %s shows the secret: %s", name, how, out)
				}
			}
		}
	}
	for how, out := range printtest.Renderings(c) {
		if how == "fmt %d" || strings.HasPrefix(how, "fmt %x") || strings.HasPrefix(how, "fmt %X") ||
			how == "fmt %10.3v" || how == "fmt %12.4v" {
			continue
		}
		if !strings.Contains(out, "AKID-shown") || !strings.Contains(out, "***") {
			t.Errorf("%s does not show the access key and a masked secret: %s", how, out)
		}
	}
	r := printtest.Renderings(c)
	if got, want := r["fmt %#v"], `ec2signer.Credentials{Access: "AKID-shown", Secret: "***"}`; got != want {
		t.Errorf("%%#v = %s, want %s", got, want)
	}
	if got, want := r["json.Marshal"], `{"access":"AKID-shown","secret":"***"}`; got != want {
		t.Errorf("json.Marshal = %s, want %s", got, want)
	}
	if got := r["slog.JSONHandler"]; !strings.Contains(got, `"v":{"access":"AKID-shown","secret":"***"}`) {
		t.Errorf("slog JSON = %s", got)
	}
	if got := c.GoString(); got != r["fmt %#v"] {
		t.Errorf("GoString = %s", got)
	}
	// No secret: nothing to mask.
	if got := (ec2signer.Credentials{Access: "a"}).String(); got != `Credentials{Access: "a", Secret: ""}` {
		t.Errorf("String without a secret = %s", got)
	}
}
