//go:build integration

package keystone_test

import (
	"testing"
	"time"

	"github.com/gokeystone/keystone/internal/testenv"
)

// The fault suite runs against the real Keystone too.
func init() {
	moreBackends = append(moreBackends, func(t *testing.T) backend {
		ks := testenv.Require(t)
		return backend{name: "keystone", url: ks.URL, user: ks.AdminUser, password: ks.AdminPassword,
			project: ks.AdminProject, domain: ks.Domain, slack: 5 * time.Second}
	})
}
