package keystone

import "strings"

// serviceTypeAliases maps each official service type of the OpenStack
// service-types authority (https://service-types.openstack.org) to its
// historical aliases, most preferred first. A catalog may use either.
var serviceTypeAliases = map[string][]string{
	"block-storage":                       {"volumev3", "volumev2", "volume", "block-store"},
	"clustering":                          {"resource-cluster", "cluster"},
	"baremetal":                           {"bare-metal"},
	"resource-optimization":               {"infra-optim"},
	"message":                             {"messaging"},
	"container-infrastructure-management": {"container-infrastructure", "container-infra"},
	"workflow":                            {"workflowv2"},
	"operator-policy":                     {"policy"},
	"shared-file-system":                  {"sharev2", "share"},
	"alarm":                               {"alarming"},
	"meter":                               {"metering", "telemetry"},
	"event":                               {"events"},
	"application-deployment":              {"application_deployment"},
	"multi-region-network-automation":     {"tricircle"},
	"application-container":               {"container"},
	"root-cause-analysis":                 {"rca"},
	"monitoring-logging":                  {"monitoring-log-api"},
	"instance-ha":                         {"ha"},
	"admin-logic":                         {"registration"},
}

// officialServiceType maps every alias (and official type) to the official type.
var officialServiceType = func() map[string]string {
	m := make(map[string]string)
	for official, aliases := range serviceTypeAliases {
		m[official] = official
		for _, a := range aliases {
			m[a] = official
		}
	}
	return m
}()

// canonicalServiceType returns the official service type for t (an alias or
// an official type, any case, '_' or '-'); unknown types are returned as given,
// lower-cased.
func canonicalServiceType(t string) string {
	if c, ok := officialServiceType[t]; ok { // the common case: no allocation
		return c
	}
	l := strings.ToLower(t)
	if c, ok := officialServiceType[l]; ok {
		return c
	}
	if c, ok := officialServiceType[strings.ReplaceAll(l, "_", "-")]; ok {
		return c
	}
	return l
}

// ServiceTypeAliases returns the official service type for t and its aliases,
// official first: for "volumev3", ["block-storage", "volumev3", "volumev2",
// "volume", "block-store"].
func ServiceTypeAliases(t string) []string {
	c := canonicalServiceType(t)
	return append([]string{c}, serviceTypeAliases[c]...)
}

// canonicalInterface maps the v2 spellings (publicURL, internalURL, adminURL)
// and any case to public, internal or admin.
func canonicalInterface(i string) string {
	switch i {
	case "public", "internal", "admin":
		return i
	}
	l := strings.ToLower(i)
	l = strings.TrimSuffix(l, "url")
	return l
}
