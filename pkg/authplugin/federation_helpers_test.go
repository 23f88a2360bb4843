package authplugin_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gokeystone/keystone/pkg/keystonetest"
)

// relayToken answers, for the stand-in of a federation endpoint, the
// unscoped token of the in-memory Keystone's administrator (a real token of
// it, so that rescoping works).
func relayToken(t *testing.T, ks *keystonetest.Server, w http.ResponseWriter) {
	body := fmt.Sprintf(`{"auth": {"identity": {"methods": ["password"], "password": {"user": {"id": %q, "password": %q}}}, "scope": "unscoped"}}`,
		ks.AdminUserID, ks.AdminPassword)
	resp, err := http.Post(ks.URL+"/v3/auth/tokens", "application/json", strings.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.Header().Set("X-Subject-Token", resp.Header.Get("X-Subject-Token"))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}
