#!/usr/bin/env bash
# keystone-local.sh: run a real, throw-away Keystone on 127.0.0.1 for the
# contract and integration tests and for the demo.
#
#   scripts/keystone-local.sh install        install Debian's python3-keystone if missing
#   scripts/keystone-local.sh start          install if needed, set up, serve; prints the env file
#   scripts/keystone-local.sh restart        serve again with the same state (after editing keystone.conf)
#   scripts/keystone-local.sh stop           stop the server and remove its state
#   scripts/keystone-local.sh status         exit 0 when the server answers
#   scripts/keystone-local.sh env            print the env file (shell exports)
#
# Settings (environment):
#   KEYSTONE_DIR        scratch directory (default: ${TMPDIR:-/tmp}/gokeystone-keystone)
#   KEYSTONE_PORT       port to listen on (default: 35357)
#   KEYSTONE_ADMIN_PASSWORD  bootstrap admin password (default: a random one, kept in the env file)
#   KEYSTONE_TOKEN_EXPIRATION token lifetime in seconds (default: 3600)
#   KEYSTONE_AUTH_METHODS     [auth] methods (default: Keystone's defaults plus totp)
#
# The env file ($KEYSTONE_DIR/env) exports KEYSTONE_URL, KEYSTONE_ADMIN_USER,
# KEYSTONE_ADMIN_PASSWORD, KEYSTONE_ADMIN_PROJECT, KEYSTONE_DOMAIN, KEYSTONE_REGION
# and KEYSTONE_ADMIN_TOKEN (the [DEFAULT] admin_token of this test server);
# source it, or let `make integration` do it.
set -euo pipefail

DIR=${KEYSTONE_DIR:-${TMPDIR:-/tmp}/gokeystone-keystone}
PORT=${KEYSTONE_PORT:-35357}
HOST=127.0.0.1
URL="http://$HOST:$PORT"
EXPIRATION=${KEYSTONE_TOKEN_EXPIRATION:-3600}
METHODS=${KEYSTONE_AUTH_METHODS:-external,password,token,oauth1,mapped,application_credential,totp}
# Debian's interpreter: Keystone is installed for it, whatever python3 is first in PATH.
PY=/usr/bin/python3

log() { printf 'keystone-local: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    die "need root to run: $*"; fi
}

cmd_install() {
  if command -v keystone-manage >/dev/null 2>&1 && command -v keystone-wsgi-public >/dev/null 2>&1; then
    return 0
  fi
  log "installing python3-keystone (about 1-2 minutes)"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet; refresh them if the install fails.
  if ! as_root apt-get install -y --no-install-recommends python3-keystone </dev/null >"${TMPDIR:-/tmp}/gokeystone-apt.log" 2>&1; then
    as_root apt-get update </dev/null >>"${TMPDIR:-/tmp}/gokeystone-apt.log" 2>&1 || true
    as_root apt-get install -y --no-install-recommends python3-keystone </dev/null >>"${TMPDIR:-/tmp}/gokeystone-apt.log" 2>&1 ||
      { tail -20 "${TMPDIR:-/tmp}/gokeystone-apt.log" >&2; die "apt-get install python3-keystone failed"; }
  fi
  command -v keystone-manage >/dev/null || die "keystone-manage missing after install"
}

answers() {
  # GET /v3 answering 200 means Keystone is up. curl if there is one, else Python.
  local code py
  if command -v curl >/dev/null 2>&1; then
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/v3" 2>/dev/null || true)
  else
    py=$(command -v python3 || echo "$PY")
    [ -x "$py" ] || return 1
    code=$("$py" -c 'import sys,urllib.request
try: print(urllib.request.urlopen(sys.argv[1], timeout=5).status)
except Exception: print(0)' "$URL/v3" 2>/dev/null || true)
  fi
  [ "$code" = 200 ]
}

manage() {
  # keystone-manage prints harmless eventlet tracebacks at exit: judge it by its exit code.
  local out
  if ! out=$(keystone-manage --config-file "$DIR/keystone.conf" "$@" 2>&1 </dev/null); then
    printf '%s\n' "$out" | tail -30 >&2
    die "keystone-manage $1 failed"
  fi
}

# saml_setup makes the SAML2 signing key and certificate (with Python's
# cryptography, a Keystone dependency) and the WebSSO callback page.
saml_setup() {
  mkdir -p "$DIR/saml"
  "$PY" - "$DIR/saml" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
d = sys.argv[1]
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gokeystone-test-saml-idp")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256()))
with open(f"{d}/signing_key.pem", "wb") as f:
    f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()))
with open(f"{d}/signing_cert.pem", "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
PY
  chmod 600 "$DIR/saml/signing_key.pem"
  # Keystone fills $host and $token in (Python string.Template).
  cat >"$DIR/sso_callback_template.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>Signing in</title></head>
<body onload="document.forms[0].submit()">
<form action="$host" method="post"><input type="hidden" name="token" value="$token"/>
<noscript><input type="submit" value="Continue"/></noscript></form>
</body></html>
HTML
}

cmd_start() {
  if answers; then
    if [ -f "$DIR/env" ]; then log "already running at $URL"; cat "$DIR/env"; return 0; fi
    die "something already answers at $URL that this script did not start"
  fi
  cmd_install
  cmd_stop_quiet
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  local pw=${KEYSTONE_ADMIN_PASSWORD:-}
  if [ -z "$pw" ]; then pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20); fi
  # Keystone's bootstrap "admin_token" mode, for the admin-token plugin's tests.
  local admin_token
  admin_token=$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 24)

  cat >"$DIR/keystone.conf" <<CONF
[DEFAULT]
log_file = $DIR/keystone.log
debug = false
admin_token = $admin_token
[database]
connection = sqlite:///$DIR/keystone.db
[token]
provider = fernet
expiration = $EXPIRATION
[fernet_tokens]
key_repository = $DIR/fernet-keys
[fernet_receipts]
key_repository = $DIR/fernet-receipts
[credential]
key_repository = $DIR/credential-keys
# Keystone 22 mutates the credential it has just cached; with the in-process
# memory cache (no copy) that breaks every later read of it (500, KeyError
# 'encrypted_blob'). Production caches (memcached) copy, so only this one.
caching = false
[auth]
methods = $METHODS
[oauth1]
# Short-lived OAuth1 request tokens, so that a test can see one expire.
request_token_duration = 5
[identity]
# Domain-specific configuration, stored in the database (the domain-config API).
domain_specific_drivers_enabled = true
domain_configurations_from_database = true
[saml]
# Keystone as a SAML2 identity provider (assertions, ECP, metadata).
certfile = $DIR/saml/signing_cert.pem
keyfile = $DIR/saml/signing_key.pem
idp_entity_id = $URL/v3/OS-FEDERATION/saml2/idp
idp_sso_endpoint = $URL/v3/OS-FEDERATION/saml2/sso
idp_metadata_path = $DIR/saml/idp_metadata.xml
[federation]
trusted_dashboard = https://horizon.example.com/auth/websso/
sso_callback_template = $DIR/sso_callback_template.html
[cache]
# An in-process cache: validating a token without it costs ~250 ms a request on
# this single-threaded server, ~10 ms with it. One process, so it stays coherent.
enabled = true
backend = dogpile.cache.memory
CONF
  export OS_KEYSTONE_CONFIG_FILES="$DIR/keystone.conf"
  log "setting up in $DIR"
  saml_setup
  manage db_sync
  manage fernet_setup --keystone-user root --keystone-group root
  manage credential_setup --keystone-user root --keystone-group root
  # fernet_receipts shares the fernet_setup layout; create it the same way.
  mkdir -p "$DIR/fernet-receipts"
  cp -a "$DIR/fernet-keys/." "$DIR/fernet-receipts/"
  manage bootstrap --bootstrap-password "$pw" \
    --bootstrap-username admin --bootstrap-project-name admin \
    --bootstrap-role-name admin \
    --bootstrap-public-url "$URL/v3" --bootstrap-internal-url "$URL/v3" \
    --bootstrap-admin-url "$URL/v3" --bootstrap-region-id RegionOne
  # Without WAL, Keystone answers writes with 500 "database is locked" after some
  # reads. And Keystone's schema relies on ON DELETE CASCADE, which SQLite only
  # applies with foreign keys on, a per-connection setting Keystone does not
  # make: without it, deleting a role leaves its implied-role rules (and
  # /v3/role_inferences answers 500), and deleting an application credential
  # leaves role rows that collide with the next credential that reuses its
  # row ID (409). Triggers give every cascading foreign key its MySQL meaning.
  "$PY" - "$DIR/keystone.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
for child in tables:
    fks = {}
    for fid, seq, parent, col, ref, on_update, on_delete, match in db.execute(f"PRAGMA foreign_key_list('{child}')"):
        if on_delete == "CASCADE":
            fks.setdefault((fid, parent), []).append((col, ref))
    for (fid, parent), cols in fks.items():
        cond = " AND ".join(f'"{col}" = OLD."{ref}"' for col, ref in cols)
        db.execute(f'CREATE TRIGGER IF NOT EXISTS "cascade_{child}_{fid}" AFTER DELETE ON "{parent}" '
                   f'BEGIN DELETE FROM "{child}" WHERE {cond}; END')
db.commit()
PY

  # The SAML2 identity provider metadata Keystone serves (needs xmlsec1, which
  # python3-keystone pulls in through python3-pysaml2).
  if ! keystone-manage --config-file "$DIR/keystone.conf" saml_idp_metadata >"$DIR/saml/idp_metadata.xml" 2>"$DIR/saml/metadata.log" </dev/null ||
    ! grep -q 'EntityDescriptor>' "$DIR/saml/idp_metadata.xml"; then
    tail -20 "$DIR/saml/metadata.log" >&2; die "keystone-manage saml_idp_metadata failed"
  fi

  log "serving on $URL"
  serve

  umask 077
  cat >"$DIR/env" <<ENV
export KEYSTONE_URL=$URL
export KEYSTONE_ADMIN_USER=admin
export KEYSTONE_ADMIN_PASSWORD=$pw
export KEYSTONE_ADMIN_PROJECT=admin
export KEYSTONE_DOMAIN=default
export KEYSTONE_REGION=RegionOne
export KEYSTONE_ADMIN_TOKEN=$admin_token
ENV
  log "ready at $URL (env: $DIR/env)"
  cat "$DIR/env"
}

serve() {
  export OS_KEYSTONE_CONFIG_FILES="$DIR/keystone.conf"
  setsid keystone-wsgi-public --host "$HOST" --port "$PORT" >>"$DIR/server.log" 2>&1 </dev/null &
  echo $! >"$DIR/server.pid"
  local i
  for i in $(seq 1 120); do
    if answers; then return 0; fi
    if ! kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null; then
      tail -30 "$DIR/server.log" >&2; die "keystone-wsgi-public exited"
    fi
    sleep 0.5
  done
  tail -30 "$DIR/server.log" >&2; die "Keystone did not answer at $URL within 60 s"
}

kill_server() {
  if [ -f "$DIR/server.pid" ]; then
    local pid; pid=$(cat "$DIR/server.pid")
    # setsid made the server the leader of its own process group: stop the whole group.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 20); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  # Anything still listening on our port was ours (the server re-parents when it forks).
  if command -v fuser >/dev/null 2>&1; then fuser -k -TERM "$PORT/tcp" >/dev/null 2>&1 || true; fi
}

cmd_restart() {
  # Serve again with the same state and configuration (after editing keystone.conf).
  [ -f "$DIR/keystone.conf" ] || die "nothing to restart in $DIR: run start first"
  kill_server
  serve
  log "restarted at $URL"
}

cmd_stop_quiet() {
  kill_server
  rm -rf "$DIR"
}

cmd_stop() {
  cmd_stop_quiet
  if answers; then die "something still answers at $URL"; fi
  log "stopped"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  restart) cmd_restart ;;
  stop) cmd_stop ;;
  status) answers ;;
  env) cat "$DIR/env" ;;
  *) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
