#!/usr/bin/env bash
# cache-servers.sh: run a throw-away memcached and Redis on 127.0.0.1 for the
# integration tests and benchmarks of pkg/tokenstore/memcache and
# pkg/tokenstore/redis.
#
#   scripts/cache-servers.sh install   install Debian's memcached and redis-server if missing
#   scripts/cache-servers.sh start     install if needed, start both; prints the env file
#   scripts/cache-servers.sh stop      stop both and remove their state
#   scripts/cache-servers.sh status    exit 0 when both answer
#   scripts/cache-servers.sh env       print the env file (shell exports)
#
# Settings (environment):
#   CACHE_DIR        scratch directory (default: ${TMPDIR:-/tmp}/gokeystone-cache)
#   MEMCACHED_PORT   memcached's port (default: 35500)
#   REDIS_PORT       Redis's port (default: 35501)
#   MEMCACHED_BIN, REDIS_BIN  the binaries (default: from PATH, else /usr/bin)
#
# The servers run as the current user, from their binaries, with pid files in
# $CACHE_DIR; no system service is started, stopped or configured. The env
# file ($CACHE_DIR/env) exports MEMCACHED_ADDR and REDIS_ADDR (host:port).
set -euo pipefail

DIR=${CACHE_DIR:-${TMPDIR:-/tmp}/gokeystone-cache}
MC_PORT=${MEMCACHED_PORT:-35500}
RD_PORT=${REDIS_PORT:-35501}
HOST=127.0.0.1
MEMCACHED=${MEMCACHED_BIN:-}
REDIS=${REDIS_BIN:-}

log() { printf 'cache-servers: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    die "need root to run: $*"; fi
}

# find_bins sets MEMCACHED and REDIS to the binaries (PATH, then Debian's /usr/bin).
find_bins() {
  [ -n "$MEMCACHED" ] || MEMCACHED=$(command -v memcached 2>/dev/null || { [ -x /usr/bin/memcached ] && echo /usr/bin/memcached; } || true)
  [ -n "$REDIS" ] || REDIS=$(command -v redis-server 2>/dev/null || { [ -x /usr/bin/redis-server ] && echo /usr/bin/redis-server; } || true)
}

cmd_install() {
  find_bins
  local pkgs=()
  [ -n "$MEMCACHED" ] || pkgs+=(memcached)
  [ -n "$REDIS" ] || pkgs+=(redis-server)
  [ "${#pkgs[@]}" -eq 0 ] && return 0
  log "installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  local aptlog="${TMPDIR:-/tmp}/gokeystone-cache-apt.log"
  # A fresh machine may have no package lists yet; refresh them if the install fails.
  if ! as_root apt-get install -y --no-install-recommends "${pkgs[@]}" </dev/null >"$aptlog" 2>&1; then
    as_root apt-get update </dev/null >>"$aptlog" 2>&1 || true
    as_root apt-get install -y --no-install-recommends "${pkgs[@]}" </dev/null >>"$aptlog" 2>&1 ||
      { tail -20 "$aptlog" >&2; die "apt-get install ${pkgs[*]} failed"; }
  fi
  MEMCACHED='' REDIS=''
  find_bins
  [ -n "$MEMCACHED" ] || die "memcached missing after install"
  [ -n "$REDIS" ] || die "redis-server missing after install"
}

# answers_tcp HOST PORT REQUEST EXPECTED: send REQUEST, expect a reply starting with EXPECTED.
answers_tcp() {
  local reply
  reply=$( {
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf '%b' "$3" >&3
    timeout 2 head -c ${#4} <&3 || true
  } 2>/dev/null) || return 1
  [ "$reply" = "$4" ]
}

memcached_answers() { answers_tcp "$HOST" "$MC_PORT" 'version\r\n' 'VERSION'; }
redis_answers() { answers_tcp "$HOST" "$RD_PORT" 'PING\r\n' '+PONG'; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for NAME PIDFILE LOGFILE CHECK: wait up to 10 s for CHECK to succeed.
wait_for() {
  local i
  for i in $(seq 1 40); do
    if "$4"; then return 0; fi
    if ! pid_alive "$2"; then tail -20 "$3" >&2 2>/dev/null || true; die "$1 exited"; fi
    sleep 0.25
  done
  tail -20 "$3" >&2 2>/dev/null || true
  die "$1 did not answer within 10 s"
}

start_memcached() {
  if memcached_answers; then
    pid_alive "$DIR/memcached.pid" && return 0
    die "something already answers at $HOST:$MC_PORT that this script did not start"
  fi
  # -U 0: no UDP. 64 MB, 1024 connections, the largest item 16 MB (a token
  # with a large catalog fits). memcached refuses to run as root without -u.
  local user=()
  [ "$(id -u)" -ne 0 ] || user=(-u root)
  setsid "$MEMCACHED" "${user[@]}" -l "$HOST" -p "$MC_PORT" -U 0 -m 64 -c 1024 -I 16m \
    >>"$DIR/memcached.log" 2>&1 </dev/null &
  echo $! >"$DIR/memcached.pid"
  wait_for memcached "$DIR/memcached.pid" "$DIR/memcached.log" memcached_answers
}

start_redis() {
  if redis_answers; then
    pid_alive "$DIR/redis.pid" && return 0
    die "something already answers at $HOST:$RD_PORT that this script did not start"
  fi
  mkdir -p "$DIR/redis"
  # No persistence, no config file: everything on the command line.
  setsid "$REDIS" --bind "$HOST" --port "$RD_PORT" --dir "$DIR/redis" \
    --save '' --appendonly no --protected-mode yes --daemonize no \
    --logfile "$DIR/redis.log" >>"$DIR/redis.log" 2>&1 </dev/null &
  echo $! >"$DIR/redis.pid"
  wait_for redis-server "$DIR/redis.pid" "$DIR/redis.log" redis_answers
}

cmd_start() {
  cmd_install
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  start_memcached
  start_redis
  umask 077
  cat >"$DIR/env" <<ENV
export MEMCACHED_ADDR=$HOST:$MC_PORT
export REDIS_ADDR=$HOST:$RD_PORT
ENV
  log "memcached at $HOST:$MC_PORT, Redis at $HOST:$RD_PORT (env: $DIR/env)"
  cat "$DIR/env"
}

# stop_one NAME: stop the server whose pid file is $DIR/NAME.pid.
stop_one() {
  local f="$DIR/$1.pid" pid i
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
}

cmd_stop() {
  stop_one memcached
  stop_one redis
  rm -rf "$DIR"
  if memcached_answers; then die "something still answers at $HOST:$MC_PORT"; fi
  if redis_answers; then die "something still answers at $HOST:$RD_PORT"; fi
  log "stopped"
}

cmd_status() {
  local ok=0
  if memcached_answers; then log "memcached answers at $HOST:$MC_PORT"; else log "memcached: no answer at $HOST:$MC_PORT"; ok=1; fi
  if redis_answers; then log "Redis answers at $HOST:$RD_PORT"; else log "Redis: no answer at $HOST:$RD_PORT"; ok=1; fi
  return $ok
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) [ -f "$DIR/env" ] || die "not started: no $DIR/env"; cat "$DIR/env" ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac
