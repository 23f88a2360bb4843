// Package printtest prints a value every way a program may, for the tests
// that check that no value of the SDK shows a secret.
package printtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Verbs are the fmt verbs every secret-bearing value is printed with.
var Verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%12.4v", "%-8s"}

// Renderings prints v with every verb of Verbs, json.Marshal, slog's text
// and JSON handlers, and Error() for an error, keyed by how.
func Renderings(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range Verbs {
		out["fmt "+verb] = fmt.Sprintf(verb, v)
	}
	if data, err := json.Marshal(v); err == nil {
		out["json.Marshal"] = string(data)
	} else {
		out["json.Marshal error"] = err.Error()
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("value", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("value", "v", v)
	out["slog.TextHandler"], out["slog.JSONHandler"] = text.String(), js.String()
	if err, ok := v.(error); ok {
		out["Error()"] = err.Error()
	}
	return out
}
