#!/usr/bin/env bash
# keystone-policy.sh: write the policy Keystone enforces by default to
# pkg/keystonetest/policy_keystone22.yaml, the rule table of the in-memory
# Keystone. The rules are those oslo.policy builds at run time from Keystone's
# policy-in-code: each new default OR'd with its deprecated rule, since
# Keystone 22 runs with [oslo_policy] enforce_new_defaults off. Needs Debian's
# python3-keystone (scripts/keystone-local.sh install).
set -euo pipefail
cd "$(dirname "$0")/.."
out=pkg/keystonetest/policy_keystone22.yaml
/usr/bin/python3 - >"$out.tmp" <<'PY'
import json
import warnings

warnings.simplefilter("ignore")
from oslo_config import cfg
from oslo_policy import policy
from keystone.common import policies

conf = cfg.ConfigOpts()
conf([], project="keystone", default_config_files=[])
enforcer = policy.Enforcer(conf)
enforcer.register_defaults(policies.list_rules())
enforcer.load_rules()
print("# The policy Keystone 22 enforces by default: its policy-in-code as oslo.policy")
print("# loads it, each new default OR'd with its deprecated rule. Data, not code:")
print("# regenerate with scripts/keystone-policy.sh.")
for name in sorted(enforcer.rules):
    print("%s: %s" % (json.dumps(name), json.dumps(str(enforcer.rules[name]))))
PY
mv "$out.tmp" "$out"
echo "wrote $out ($(grep -c '^"' "$out") rules)"
