#!/usr/bin/env bash
# federation-lab.sh: a throw-away federation lab on 127.0.0.1: Keystone served
# by Apache (mod_wsgi), its openid protocol endpoint protected by
# mod_auth_openidc (OAuth 2.0 resource-server mode), and the lab's own OpenID
# Connect provider (internal/cmd/oidcprovider). See docs/FEDLAB.md.
#
#   scripts/federation-lab.sh start    install what is missing, set up, serve, verify; prints the env file path
#   scripts/federation-lab.sh stop     stop everything and remove the scratch directory
#   scripts/federation-lab.sh status   exit 0 when Keystone and the provider answer
#   scripts/federation-lab.sh env      print the env file (shell exports, with secrets)
#   scripts/federation-lab.sh verify   re-run the end-to-end check
#
# Settings (environment):
#   FEDLAB_DIR            scratch directory (default: ${TMPDIR:-/tmp}/gokeystone-fedlab)
#   FEDLAB_KEYSTONE_PORT  Apache/Keystone port (default: 35400)
#   FEDLAB_OIDC_PORT      OIDC provider port (default: 35401)
#   FEDLAB_SAML=1         also SAML2 through mod_shib: Keystone to Keystone (a second
#                         Keystone, identity provider, on FEDLAB_IDP_KEYSTONE_PORT, 35403)
#                         and a pysaml2 identity provider with an ECP endpoint
#                         (internal/fedlab/samlidp) on FEDLAB_SAML_IDP_PORT (35404)
#   FEDLAB_KEYSTONE_DEBUG=true, FEDLAB_APACHE_LOGLEVEL=debug, FEDLAB_SHIB_LOGLEVEL=DEBUG: verbose logs
#
# Independent of scripts/keystone-local.sh (port 35357), which it never touches.
set -euo pipefail

DIR=${FEDLAB_DIR:-${TMPDIR:-/tmp}/gokeystone-fedlab}
KPORT=${FEDLAB_KEYSTONE_PORT:-35400}
OPORT=${FEDLAB_OIDC_PORT:-35401}
HOST=127.0.0.1
KURL="http://$HOST:$KPORT"
ISSUER="https://$HOST:$OPORT"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IDP=lab-oidc
PROTOCOL=openid
PROJECT=fed-project
CLAIM_PREFIX=OIDC-
CLIENT_ID=lab-client
PUBLIC_CLIENT_ID=lab-cli
# Any port of this loopback URI is accepted (RFC 8252), for a test's own listener.
REDIRECT_URI="http://$HOST:35402/callback"
PY=/usr/bin/python3
# Optional SAML2 (FEDLAB_SAML=1): Keystone-to-Keystone federation, a second
# Keystone as SAML2 identity provider (ECP) and mod_shib (Shibboleth SP) in
# front of the lab Keystone's saml2 protocol.
SAML=${FEDLAB_SAML:-0}
IDP_KPORT=${FEDLAB_IDP_KEYSTONE_PORT:-35403}
IDP_KURL="http://$HOST:$IDP_KPORT"
K2K_IDP=lab-k2k
K2K_SP=lab-sp
SP_ENTITY="$KURL/shibboleth"
# The lab's own SAML2 identity provider (pysaml2, ECP with HTTP Basic), lab-saml in Keystone.
SAML_IDP=lab-saml
SAML_IDP_PORT=${FEDLAB_SAML_IDP_PORT:-35404}
SAML_IDP_URL="http://$HOST:$SAML_IDP_PORT"
SAML_IDP_ENTITY="$SAML_IDP_URL/metadata"
SAML_IDP_ECP_URL="$SAML_IDP_URL/SAML2/SOAP/ECP"
SAML_IDP_PY="$REPO/internal/fedlab/samlidp/idp.py"
APACHE=/usr/sbin/apache2
MODS=/usr/lib/apache2/modules
WAIT=${FEDLAB_WAIT_SECONDS:-60}

log() { printf 'federation-lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    die "need root to run: $*"; fi
}

cmd_install() {
  local missing=()
  { command -v keystone-manage >/dev/null 2>&1 && command -v keystone-wsgi-public >/dev/null 2>&1; } || missing+=(python3-keystone)
  [ -x "$APACHE" ] || missing+=(apache2)
  [ -f "$MODS/mod_wsgi.so" ] || missing+=(libapache2-mod-wsgi-py3)
  [ -f "$MODS/mod_auth_openidc.so" ] || missing+=(libapache2-mod-auth-openidc)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  if saml_enabled; then
    [ -f "$MODS/mod_shib.so" ] || missing+=(libapache2-mod-shib)
    command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    "$PY" -c 'import saml2' >/dev/null 2>&1 || missing+=(python3-pysaml2)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (a few minutes)"
  export DEBIAN_FRONTEND=noninteractive
  local aptlog="${TMPDIR:-/tmp}/gokeystone-fedlab-apt.log"
  if ! as_root apt-get install -y --no-install-recommends "${missing[@]}" </dev/null >"$aptlog" 2>&1; then
    as_root apt-get update </dev/null >>"$aptlog" 2>&1 || true
    as_root apt-get install -y --no-install-recommends "${missing[@]}" </dev/null >>"$aptlog" 2>&1 ||
      { tail -20 "$aptlog" >&2; die "apt-get install ${missing[*]} failed (log: $aptlog)"; }
  fi
  # The package enables the system's apache2 service on port 80; the lab runs its own instance.
}

saml_enabled() { [ "$SAML" = 1 ]; }
idp_answers() { [ "$(http_code "$IDP_KURL/v3")" = 200 ]; }
samlidp_answers() { [ "$(http_code "$SAML_IDP_URL/metadata")" = 200 ]; }

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1" 2>/dev/null || true; }
keystone_answers() { [ "$(http_code "$KURL/v3")" = 200 ]; }
provider_answers() {
  [ -f "$DIR/tls/ca.pem" ] &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$DIR/tls/ca.pem" "$ISSUER/.well-known/openid-configuration" 2>/dev/null || true)" = 200 ]
}

# wait_for NAME CHECK PIDFILE LOG: poll CHECK for at most $WAIT seconds.
wait_for() {
  local name=$1 check=$2 pidfile=$3 logfile=$4 i
  for i in $(seq 1 $((WAIT * 4))); do
    if $check; then return 0; fi
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      tail -30 "$logfile" >&2 || true; die "$name exited (log: $logfile)"
    fi
    sleep 0.25
  done
  tail -30 "$logfile" >&2 || true; die "$name did not answer within $WAIT s (log: $logfile)"
}

rand() { head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c "${1:-20}"; }

# manage DIR ARGS: keystone-manage with DIR/keystone.conf.
manage() {
  local out conf=$1/keystone.conf
  shift
  if ! out=$(keystone-manage --config-file "$conf" "$@" 2>&1 </dev/null); then
    printf '%s\n' "$out" | tail -30 >&2
    die "keystone-manage $1 failed"
  fi
}

# The user Apache's children (and so Keystone) run as: www-data when started
# as root (Apache refuses to serve as root), else the caller.
run_user() { if [ "$(id -u)" -eq 0 ]; then echo www-data; else id -un; fi; }
run_group() { if [ "$(id -u)" -eq 0 ]; then echo www-data; else id -gn; fi; }

build() {
  command -v go >/dev/null || die "go is not in PATH"
  mkdir -p "$DIR/bin"
  (cd "$REPO" && go build -o "$DIR/bin/oidcprovider" ./internal/cmd/oidcprovider &&
    go build -o "$DIR/bin/fedlab" ./internal/cmd/fedlab) || die "go build failed"
}

write_secrets() {
  # Generated once per lab; kept (0600) so that a second start reuses them
  # (a secret a newer script needs is added).
  umask 077
  touch "$DIR/secrets"
  local kv
  for kv in ADMIN_PASSWORD=20 CLIENT_SECRET=32 USER_PASSWORD=20 USER2_PASSWORD=20 CRYPTO_PASSPHRASE=32 \
    SAML_USER_PASSWORD=20 SAML_USER2_PASSWORD=20; do
    grep -q "^${kv%=*}=" "$DIR/secrets" || echo "${kv%=*}=$(rand "${kv#*=}")" >>"$DIR/secrets"
  done
}

setup_provider() {
  mkdir -p "$DIR/oidc"
  chmod 700 "$DIR/oidc"
  umask 077
  cat >"$DIR/oidc/provider.json" <<EOF
{
  "issuer": "$ISSUER",
  "token_ttl": "1h",
  "device_interval": "1s",
  "clients": [
    {"id": "$CLIENT_ID", "secret": "$CLIENT_SECRET", "redirect_uris": ["$REDIRECT_URI"]},
    {"id": "$PUBLIC_CLIENT_ID", "redirect_uris": ["$REDIRECT_URI", "http://127.0.0.1/callback"]}
  ],
  "users": [
    {"name": "alice", "password": "$USER_PASSWORD", "email": "alice@example.org", "groups": ["lab-users", "developers"]},
    {"name": "bob", "password": "$USER2_PASSWORD", "email": "bob@example.org", "groups": ["lab-users"]}
  ]
}
EOF
}

start_provider() {
  if provider_answers; then
    [ -f "$DIR/oidc/provider.pid" ] || die "something already answers at $ISSUER that this script did not start"
    return 0
  fi
  setsid "$DIR/bin/oidcprovider" -listen "$HOST:$OPORT" -config "$DIR/oidc/provider.json" \
    -key "$DIR/oidc/signing-key.pem" -tls-dir "$DIR/tls" >>"$DIR/oidc/provider.log" 2>&1 </dev/null &
  echo $! >"$DIR/oidc/provider.pid"
  wait_for "the OIDC provider" provider_answers "$DIR/oidc/provider.pid" "$DIR/oidc/provider.log"
}

# setup_keystone NAME URL EXTRA: a Keystone's configuration, database, keys,
# bootstrap and WSGI file in $DIR/NAME, served at URL; EXTRA is appended to
# keystone.conf.
setup_keystone() {
  local name=$1 url=$2 extra=$3 k=$DIR/$1
  [ -f "$k/ready" ] && return 0
  rm -rf "$k"
  mkdir -p "$k"
  cat >"$k/keystone.conf" <<EOF
[DEFAULT]
log_file = $k/keystone.log
debug = ${FEDLAB_KEYSTONE_DEBUG:-false}
[database]
connection = sqlite:///$k/keystone.db
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $k/fernet-keys
[fernet_receipts]
key_repository = $k/fernet-receipts
[credential]
key_repository = $k/credential-keys
caching = false
[cache]
enabled = true
backend = dogpile.cache.memory
$extra
EOF
  export OS_KEYSTONE_CONFIG_FILES="$k/keystone.conf"
  # keystone-manage fernet_setup/credential_setup switch to the service user:
  # it must be able to reach the directory and the log from the start.
  touch "$k/keystone.log"
  chown -R "$(run_user):$(run_group)" "$k"
  log "setting up Keystone in $k"
  manage "$k" db_sync
  manage "$k" fernet_setup --keystone-user "$(run_user)" --keystone-group "$(run_group)"
  manage "$k" credential_setup --keystone-user "$(run_user)" --keystone-group "$(run_group)"
  mkdir -p "$k/fernet-receipts"
  cp -a "$k/fernet-keys/." "$k/fernet-receipts/"
  manage "$k" bootstrap --bootstrap-password "$ADMIN_PASSWORD" \
    --bootstrap-username admin --bootstrap-project-name admin \
    --bootstrap-role-name admin \
    --bootstrap-public-url "$url/v3" --bootstrap-internal-url "$url/v3" \
    --bootstrap-admin-url "$url/v3" --bootstrap-region-id RegionOne
  # WAL (no "database is locked" under concurrent reads and writes), as keystone-local.sh.
  "$PY" -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' "$k/keystone.db"
  cat >"$k/keystone.wsgi" <<EOF
# Keystone's public WSGI application with this instance's configuration.
import os
os.environ["OS_KEYSTONE_CONFIG_FILES"] = "$k/keystone.conf"
from keystone.server.wsgi import initialize_public_application
application = initialize_public_application()
EOF
  chown -R "$(run_user):$(run_group)" "$k"
  chmod 700 "$k"
  touch "$k/ready"
}

sp_keystone_conf() {
  local methods=password,token,openid,mapped,application_credential
  saml_enabled && methods=$methods,saml2
  cat <<EOF
[auth]
methods = $methods
[openid]
# mod_auth_openidc passes the claims as request-environment variables named
# OIDCClaimPrefix + claim: the issuer is in OIDC-iss.
remote_id_attribute = ${CLAIM_PREFIX}iss
[saml2]
# mod_shib puts the identity provider's entity ID here.
remote_id_attribute = Shib-Identity-Provider
[federation]
trusted_dashboard = http://$HOST:35402/dashboard/auth/websso/
EOF
}

# self_signed DIR NAME CN: a key and a self-signed certificate DIR/NAME-{key,cert}.pem.
self_signed() {
  [ -f "$1/$2-cert.pem" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=$3" \
    -keyout "$1/$2-key.pem" -out "$1/$2-cert.pem" >/dev/null 2>&1 || die "openssl: cannot make the $2 certificate"
}

# The identity provider of Keystone-to-Keystone federation: a second Keystone
# with [saml], served by the same Apache on its own port.
saml_setup_idp() {
  local k=$DIR/keystone-idp
  mkdir -p "$DIR/saml-idp"
  self_signed "$DIR/saml-idp" signing "gokeystone-fedlab-idp"
  setup_keystone keystone-idp "$IDP_KURL" "[auth]
methods = password,token,application_credential
[saml]
certfile = $DIR/saml-idp/signing-cert.pem
keyfile = $DIR/saml-idp/signing-key.pem
idp_entity_id = $IDP_KURL/v3/OS-FEDERATION/saml2/idp
idp_sso_endpoint = $IDP_KURL/v3/OS-FEDERATION/saml2/sso
idp_metadata_path = $DIR/saml-idp/idp-metadata.xml"
  if [ ! -s "$DIR/saml-idp/idp-metadata.xml" ]; then
    keystone-manage --config-file "$k/keystone.conf" saml_idp_metadata >"$DIR/saml-idp/idp-metadata.xml" 2>"$DIR/saml-idp/metadata.log" </dev/null &&
      grep -q 'EntityDescriptor>' "$DIR/saml-idp/idp-metadata.xml" ||
      { tail -20 "$DIR/saml-idp/metadata.log" >&2; die "keystone-manage saml_idp_metadata failed"; }
  fi
  chown -R "$(run_user):$(run_group)" "$DIR/saml-idp"
  chmod 700 "$DIR/saml-idp"
}

# The lab's SAML2 identity provider (internal/fedlab/samlidp/idp.py, pysaml2):
# its signing key, users and configuration in $DIR/samlidp, its metadata for
# the SP. The SP's metadata comes once Apache serves it (start_samlidp).
saml_setup_labidp() {
  local d=$DIR/samlidp
  mkdir -p "$d"
  chmod 700 "$d"
  self_signed "$d" signing "gokeystone-fedlab-saml-idp"
  umask 077
  cat >"$d/idp.json" <<EOF
{
  "entity_id": "$SAML_IDP_ENTITY",
  "base_url": "$SAML_IDP_URL",
  "key_file": "$d/signing-key.pem",
  "cert_file": "$d/signing-cert.pem",
  "xmlsec1": "$(command -v xmlsec1)",
  "sp_metadata": ["$d/sp-metadata.xml"],
  "users": [
    {"name": "carol", "password": "$SAML_USER_PASSWORD", "attributes": {"uid": ["carol"],
      "eduPersonPrincipalName": ["carol@example.org"], "mail": ["carol@example.org"], "isMemberOf": ["lab-users", "developers"]}},
    {"name": "dave", "password": "$SAML_USER2_PASSWORD", "attributes": {"uid": ["dave"],
      "eduPersonPrincipalName": ["dave@example.org"], "mail": ["dave@example.org"], "isMemberOf": ["lab-users"]}}
  ]
}
EOF
  "$PY" "$SAML_IDP_PY" --config "$d/idp.json" --metadata >"$d/idp-metadata.xml" 2>"$d/metadata.log" &&
    grep -q 'EntityDescriptor>' "$d/idp-metadata.xml" ||
    { tail -20 "$d/metadata.log" >&2; die "the SAML2 identity provider's metadata (idp.py --metadata) failed"; }
}

start_samlidp() {
  local d=$DIR/samlidp
  if samlidp_answers; then
    [ -f "$d/idp.pid" ] || die "something already answers at $SAML_IDP_URL that this script did not start"
    return 0
  fi
  curl -sf --max-time 10 -o "$d/sp-metadata.xml" "$KURL/Shibboleth.sso/Metadata" ||
    die "cannot read the Shibboleth SP's metadata at $KURL/Shibboleth.sso/Metadata"
  setsid "$PY" "$SAML_IDP_PY" --config "$d/idp.json" --listen "$HOST:$SAML_IDP_PORT" >>"$d/idp.log" 2>&1 </dev/null &
  echo $! >"$d/idp.pid"
  wait_for "the SAML2 identity provider" samlidp_answers "$d/idp.pid" "$d/idp.log"
}

# The Shibboleth SP (mod_shib + shibd) configuration, in $DIR/shib.
saml_setup_sp() {
  local sh=$DIR/shib
  mkdir -p "$sh"
  self_signed "$sh" sp "gokeystone-fedlab-sp"
  cp "$DIR/saml-idp/idp-metadata.xml" "$sh/idp-metadata.xml"
  cp "$DIR/samlidp/idp-metadata.xml" "$sh/lab-saml-idp-metadata.xml"
  cat >"$sh/shibboleth2.xml" <<EOF
<SPConfig xmlns="urn:mace:shibboleth:3.0:native:sp:config"
    xmlns:conf="urn:mace:shibboleth:3.0:native:sp:config" clockSkew="180">
  <OutOfProcess logger="$sh/shibd.logger"/>
  <InProcess logger="$sh/native.logger"/>
  <UnixListener address="$sh/shibd.sock"/>
  <ApplicationDefaults entityID="$SP_ENTITY" REMOTE_USER="openstack_user">
    <!-- Plain HTTP on loopback: no Secure cookies, handlers without TLS. -->
    <Sessions lifetime="28800" timeout="3600" relayState="ss:mem" checkAddress="false"
        handlerSSL="false" cookieProps="http" redirectLimit="none">
      <SSO ECP="true" entityID="$IDP_KURL/v3/OS-FEDERATION/saml2/idp">SAML2</SSO>
      <Logout>Local</Logout>
      <Handler type="MetadataGenerator" Location="/Metadata" signing="false"/>
      <Handler type="Status" Location="/Status" acl="127.0.0.1 ::1"/>
      <Handler type="Session" Location="/Session" showAttributeValues="true"/>
    </Sessions>
    <Errors supportContact="root@localhost"/>
    <MetadataProvider type="XML" validate="true" path="$sh/idp-metadata.xml"/>
    <!-- The lab's pysaml2 identity provider (lab-saml). -->
    <MetadataProvider type="XML" validate="true" path="$sh/lab-saml-idp-metadata.xml"/>
    <AttributeExtractor type="XML" validate="true" reloadChanges="false" path="$sh/attribute-map.xml"/>
    <CredentialResolver type="File" key="$sh/sp-key.pem" certificate="$sh/sp-cert.pem"/>
  </ApplicationDefaults>
  <SecurityPolicyProvider type="XML" validate="true" path="/etc/shibboleth/security-policy.xml"/>
  <ProtocolProvider type="XML" validate="true" reloadChanges="false" path="/etc/shibboleth/protocols.xml"/>
</SPConfig>
EOF
  # Keystone's assertions name their attributes without a NameFormat.
  {
    echo '<Attributes xmlns="urn:mace:shibboleth:2.0:attribute-map">'
    local a
    for a in openstack_user openstack_user_domain openstack_roles openstack_project openstack_project_domain openstack_groups; do
      echo "  <Attribute name=\"$a\" nameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified\" id=\"$a\"/>"
      echo "  <Attribute name=\"$a\" id=\"$a\"/>"
    done
    # The pysaml2 identity provider's (NameFormat uri, the default).
    echo '  <Attribute name="urn:oid:0.9.2342.19200300.100.1.1" id="uid"/>'
    echo '  <Attribute name="urn:oid:1.3.6.1.4.1.5923.1.1.1.6" id="eppn"><AttributeDecoder xsi:type="ScopedAttributeDecoder" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></Attribute>'
    echo '  <Attribute name="urn:oid:0.9.2342.19200300.100.1.3" id="mail"/>'
    echo '  <Attribute name="urn:oid:1.3.6.1.4.1.5923.1.5.1.1" id="isMemberOf"/>'
    echo '</Attributes>'
  } >"$sh/attribute-map.xml"
  local l
  for l in shibd native; do
    cat >"$sh/$l.logger" <<EOF
log4j.rootCategory=${FEDLAB_SHIB_LOGLEVEL:-INFO}, f
log4j.appender.f=org.apache.log4j.FileAppender
log4j.appender.f.fileName=$sh/$l.log
log4j.appender.f.layout=org.apache.log4j.PatternLayout
log4j.appender.f.layout.ConversionPattern=%d{%Y-%m-%d %H:%M:%S} %p %c %x: %m%n
EOF
  done
  touch "$sh/shibd.log" "$sh/native.log"
  chown -R "$(run_user):$(run_group)" "$sh"
  chmod 700 "$sh"
  chmod 711 "$sh"
  shibd -t -c "$sh/shibboleth2.xml" >"$sh/configtest.log" 2>&1 || { cat "$sh/configtest.log" >&2; die "shibd configuration test failed"; }
}

shibd_answers() { [ -S "$DIR/shib/shibd.sock" ] && [ -f "$DIR/shib/shibd.pid" ] && kill -0 "$(cat "$DIR/shib/shibd.pid")" 2>/dev/null; }

start_shibd() {
  shibd_answers && return 0
  local as=()
  [ "$(id -u)" -eq 0 ] && as=(-u "$(run_user)" -g "$(run_group)")
  setsid shibd -F -f "${as[@]}" -c "$DIR/shib/shibboleth2.xml" -p "$DIR/shib/shibd.pid" \
    >>"$DIR/shib/shibd.out" 2>&1 </dev/null &
  echo $! >"$DIR/shib/shibd.pid"
  wait_for "shibd" shibd_answers "$DIR/shib/shibd.pid" "$DIR/shib/shibd.log"
}

apache_saml_conf() {
  cat <<EOF

# ---- SAML2 (FEDLAB_SAML=1)
LoadModule mod_shib $MODS/mod_shib.so
ShibConfig $DIR/shib/shibboleth2.xml
# mod_shib takes over "Require valid-user" (a Shibboleth session) unless told
# otherwise: without this, the openid location answers 401 "no authenticated
# user" although mod_auth_openidc set the user.
ShibCompatValidUser On
<Location /Shibboleth.sso>
  SetHandler shib
</Location>
<Location /v3/OS-FEDERATION/identity_providers/$K2K_IDP/protocols/saml2/auth>
  AuthType shibboleth
  ShibRequestSetting requireSession 1
  ShibUseEnvironment On
  Require shib-session
</Location>
# The lab's pysaml2 identity provider: the SP's ECP AuthnRequest names it.
<Location /v3/OS-FEDERATION/identity_providers/$SAML_IDP/protocols/saml2/auth>
  AuthType shibboleth
  ShibRequestSetting requireSession 1
  ShibRequestSetting entityID $SAML_IDP_ENTITY
  ShibUseEnvironment On
  Require shib-session
</Location>

# The Keystone-to-Keystone identity provider: a second Keystone.
Listen $HOST:$IDP_KPORT
WSGIDaemonProcess keystone-fedlab-idp processes=1 threads=4 display-name=keystone-fedlab-idp
<VirtualHost $HOST:$IDP_KPORT>
  ServerName $HOST
  WSGIProcessGroup keystone-fedlab-idp
  WSGIApplicationGroup %{GLOBAL}
  WSGIScriptAlias / $DIR/keystone-idp/keystone.wsgi
  <Directory $DIR/keystone-idp>
    Require all granted
  </Directory>
</VirtualHost>
EOF
}

setup_apache() {
  local a=$DIR/apache user_lines=""
  mkdir -p "$a"
  chmod 755 "$a"
  if [ "$(id -u)" -eq 0 ]; then user_lines="User $(run_user)
Group $(run_group)"; fi
  umask 077
  cat >"$a/httpd.conf" <<EOF
# The federation lab's own Apache instance (not the system's apache2 service).
ServerName $HOST
ServerRoot $a
Listen $HOST:$KPORT
PidFile $a/httpd.pid
DefaultRuntimeDir $a
ErrorLog $a/error.log
LogLevel ${FEDLAB_APACHE_LOGLEVEL:-warn}
$user_lines
LoadModule mpm_event_module $MODS/mod_mpm_event.so
LoadModule authn_core_module $MODS/mod_authn_core.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule authz_user_module $MODS/mod_authz_user.so
LoadModule auth_openidc_module $MODS/mod_auth_openidc.so
LoadModule wsgi_module $MODS/mod_wsgi.so
# No query strings in the log: they may hold codes.
LogFormat "%h %t \"%m %U %H\" %>s %b %D" lab
CustomLog $a/access.log lab
StartServers 1
ServerLimit 2
ThreadsPerChild 16
MaxRequestWorkers 32

WSGISocketPrefix $a/wsgi
WSGIDaemonProcess keystone-fedlab processes=1 threads=8 display-name=keystone-fedlab
<VirtualHost $HOST:$KPORT>
  ServerName $HOST
  WSGIProcessGroup keystone-fedlab
  WSGIApplicationGroup %{GLOBAL}
  WSGIScriptAlias / $DIR/keystone/keystone.wsgi
  <Directory $DIR/keystone>
    Require all granted
  </Directory>
</VirtualHost>

# mod_auth_openidc as an OAuth 2.0 resource server: a bearer access token,
# verified with the provider's JWKS, its claims passed to Keystone as
# environment variables OIDC-<claim> (lists joined with ";", Keystone's separator).
OIDCCryptoPassphrase "$CRYPTO_PASSPHRASE"
# mod_auth_openidc fetches a JWKS over HTTPS only: the provider serves TLS with
# a certificate of the lab's CA.
OIDCCABundlePath $DIR/tls/ca.pem
OIDCOAuthVerifyJwksUri $ISSUER/jwks
OIDCOAuthRemoteUserClaim sub
OIDCClaimPrefix "$CLAIM_PREFIX"
OIDCClaimDelimiter ";"
OIDCPassClaimsAs environment
<Location /v3/OS-FEDERATION/identity_providers/$IDP/protocols/$PROTOCOL/auth>
  AuthType oauth20
  Require valid-user
</Location>
EOF
  if saml_enabled; then apache_saml_conf >>"$a/httpd.conf"; fi
  chmod 600 "$a/httpd.conf"  # holds the (unused in this mode, but required) crypto passphrase
  "$APACHE" -t -f "$a/httpd.conf" >"$a/configtest.log" 2>&1 || { cat "$a/configtest.log" >&2; die "Apache configuration test failed"; }
}

start_apache() {
  if keystone_answers; then
    [ -f "$DIR/apache/httpd.pid" ] || die "something already answers at $KURL that this script did not start"
    return 0
  fi
  rm -f "$DIR/apache/httpd.pid"
  "$APACHE" -f "$DIR/apache/httpd.conf" -k start >>"$DIR/apache/error.log" 2>&1 </dev/null ||
    { tail -20 "$DIR/apache/error.log" >&2; die "Apache did not start"; }
  local i
  for i in $(seq 1 40); do [ -f "$DIR/apache/httpd.pid" ] && break; sleep 0.25; done
  wait_for "Apache/Keystone" keystone_answers "$DIR/apache/httpd.pid" "$DIR/apache/error.log"
  if saml_enabled; then wait_for "the identity provider Keystone" idp_answers "$DIR/apache/httpd.pid" "$DIR/apache/error.log"; fi
}

write_env() {
  umask 077
  cat >"$DIR/env.tmp" <<EOF
export FEDLAB_KEYSTONE_URL=$KURL
export FEDLAB_ADMIN_USER=admin
export FEDLAB_ADMIN_PASSWORD=$ADMIN_PASSWORD
export FEDLAB_ADMIN_PROJECT=admin
export FEDLAB_OIDC_ISSUER=$ISSUER
export FEDLAB_OIDC_CA_FILE=$DIR/tls/ca.pem
export FEDLAB_OIDC_DISCOVERY_URL=$ISSUER/.well-known/openid-configuration
export FEDLAB_OIDC_TOKEN_URL=$ISSUER/token
export FEDLAB_OIDC_CLIENT_ID=$CLIENT_ID
export FEDLAB_OIDC_CLIENT_SECRET=$CLIENT_SECRET
export FEDLAB_OIDC_PUBLIC_CLIENT_ID=$PUBLIC_CLIENT_ID
export FEDLAB_OIDC_USER=alice
export FEDLAB_OIDC_PASSWORD=$USER_PASSWORD
export FEDLAB_OIDC_USER2=bob
export FEDLAB_OIDC_PASSWORD2=$USER2_PASSWORD
export FEDLAB_IDP=$IDP
export FEDLAB_PROTOCOL=$PROTOCOL
export FEDLAB_PROJECT=$PROJECT
export FEDLAB_REDIRECT_URI=$REDIRECT_URI
export FEDLAB_CLAIM_PREFIX=$CLAIM_PREFIX
EOF
  if saml_enabled; then
    cat >>"$DIR/env.tmp" <<EOF
export FEDLAB_IDP_KEYSTONE_URL=$IDP_KURL
export FEDLAB_K2K_IDP=$K2K_IDP
export FEDLAB_K2K_SP=$K2K_SP
export FEDLAB_SAML_PROTOCOL=saml2
export FEDLAB_SP_ECP_URL=$KURL/Shibboleth.sso/SAML2/ECP
export FEDLAB_SAML_IDP=$SAML_IDP
export FEDLAB_SAML_IDP_ENTITY_ID=$SAML_IDP_ENTITY
export FEDLAB_SAML_IDP_METADATA_URL=$SAML_IDP_URL/metadata
export FEDLAB_SAML_IDP_ECP_URL=$SAML_IDP_ECP_URL
export FEDLAB_SAML_USER=carol
export FEDLAB_SAML_PASSWORD=$SAML_USER_PASSWORD
export FEDLAB_SAML_USER2=dave
export FEDLAB_SAML_PASSWORD2=$SAML_USER2_PASSWORD
EOF
  fi
  chmod 600 "$DIR/env.tmp"
  mv "$DIR/env.tmp" "$DIR/env"
}

cmd_start() {
  local t0=$SECONDS
  cmd_install
  mkdir -p "$DIR"
  chmod 711 "$DIR"
  if [ -f "$DIR/saml-mode" ] && [ "$(cat "$DIR/saml-mode")" != "$SAML" ]; then
    die "the lab in $DIR was set up with FEDLAB_SAML=$(cat "$DIR/saml-mode"): run stop first to change it"
  fi
  echo "$SAML" >"$DIR/saml-mode"
  write_secrets
  # shellcheck disable=SC1091
  . "$DIR/secrets"
  build
  setup_provider
  start_provider
  setup_keystone keystone "$KURL" "$(sp_keystone_conf)"
  if saml_enabled; then saml_setup_idp; saml_setup_labidp; saml_setup_sp; fi
  setup_apache
  if saml_enabled; then start_shibd; fi
  start_apache
  if saml_enabled; then start_samlidp; fi
  write_env
  log "setting up federation through the SDK (internal/cmd/fedlab setup)"
  (set -a; . "$DIR/env"; "$DIR/bin/fedlab" setup) || die "fedlab setup failed"
  log "checking end to end (internal/cmd/fedlab verify)"
  (set -a; . "$DIR/env"; "$DIR/bin/fedlab" verify) >&2 || die "fedlab verify failed"
  if saml_enabled; then
    (set -a; . "$DIR/env"; "$DIR/bin/fedlab" setup-k2k && "$DIR/bin/fedlab" verify-k2k) >&2 || die "fedlab setup-k2k/verify-k2k failed"
    log "checking the SDK's SAML2 ECP password plugin (internal/cmd/fedlab verify-saml)"
    (set -a; . "$DIR/env"; "$DIR/bin/fedlab" setup-saml && "$DIR/bin/fedlab" verify-saml) >&2 || die "fedlab setup-saml/verify-saml failed"
  fi
  log "ready in $((SECONDS - t0)) s: Keystone $KURL, OIDC issuer $ISSUER, env file $DIR/env"
}

stop_pidfile() {
  local f=$1 pid i
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
  if [ -f "$DIR/apache/httpd.conf" ] && [ -f "$DIR/apache/httpd.pid" ]; then
    "$APACHE" -f "$DIR/apache/httpd.conf" -k stop >/dev/null 2>&1 || true
    stop_pidfile "$DIR/apache/httpd.pid"
  fi
  if [ -f "$DIR/shib/shibd.pid" ]; then
    kill -TERM -- "-$(cat "$DIR/shib/shibd.pid")" 2>/dev/null || true
    stop_pidfile "$DIR/shib/shibd.pid"
  fi
  if [ -f "$DIR/samlidp/idp.pid" ]; then
    kill -TERM -- "-$(cat "$DIR/samlidp/idp.pid")" 2>/dev/null || true
    stop_pidfile "$DIR/samlidp/idp.pid"
  fi
  # The provider was started with setsid: stop its process group.
  if [ -f "$DIR/oidc/provider.pid" ]; then
    kill -TERM -- "-$(cat "$DIR/oidc/provider.pid")" 2>/dev/null || true
    stop_pidfile "$DIR/oidc/provider.pid"
  fi
  rm -rf "$DIR"
  if keystone_answers || provider_answers; then die "something still answers at $KURL or $ISSUER"; fi
  log "stopped"
}

cmd_status() {
  local ok=0
  if keystone_answers; then log "Keystone (Apache) answers at $KURL"; else log "Keystone does not answer at $KURL"; ok=1; fi
  if provider_answers; then log "OIDC provider answers at $ISSUER"; else log "OIDC provider does not answer at $ISSUER"; ok=1; fi
  if [ -f "$DIR/shib/shibboleth2.xml" ]; then
    if idp_answers && shibd_answers; then log "SAML2: shibd runs, the identity provider Keystone answers at $IDP_KURL"; else log "SAML2: shibd or $IDP_KURL is down"; ok=1; fi
    if samlidp_answers; then log "SAML2: the pysaml2 identity provider answers at $SAML_IDP_URL"; else log "SAML2: the pysaml2 identity provider does not answer at $SAML_IDP_URL"; ok=1; fi
  fi
  return $ok
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cat "$DIR/env" ;;
  verify)
    [ -f "$DIR/env" ] || die "not started"
    (set -a; . "$DIR/env"; "$DIR/bin/fedlab" verify)
    if grep -q FEDLAB_IDP_KEYSTONE_URL "$DIR/env"; then (set -a; . "$DIR/env"; "$DIR/bin/fedlab" verify-k2k); fi
    if grep -q FEDLAB_SAML_IDP_ECP_URL "$DIR/env"; then (set -a; . "$DIR/env"; "$DIR/bin/fedlab" verify-saml); fi ;;
  *) sed -n '2,23p' "$0" >&2; exit 2 ;;
esac
