# shellcheck shell=bash
# Shared helpers for stack.sh: logging, pid files, polling, background runs.

LAPSE_CACHE=${LAPSE_CACHE:-$HOME/.cache/lapse}
LAPSE_RUN_DIR=${LAPSE_RUN_DIR:-$LAPSE_CACHE/run}
LAPSE_LOG_DIR=$LAPSE_RUN_DIR/logs
LAPSE_BIN=$LAPSE_CACHE/bin
LAPSE_HEARTBEAT=${LAPSE_HEARTBEAT:-15}
LAPSE_UP_TIMEOUT=${LAPSE_UP_TIMEOUT:-120}
LAPSE_DOWN_TIMEOUT=${LAPSE_DOWN_TIMEOUT:-30}
export LAPSE_CACHE LAPSE_RUN_DIR

log() { printf '[lapse-stack] %s\n' "$*" >&2; }
die() { printf '[lapse-stack] ERROR: %s\n' "$*" >&2; exit 1; }

ensure_dirs() { mkdir -p "$LAPSE_CACHE" "$LAPSE_BIN" "$LAPSE_RUN_DIR" "$LAPSE_LOG_DIR"; }

# stamp_of FILE...: a short hash of the given files (detects pin changes).
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

# port_open HOST PORT: true when something accepts TCP connections there.
# shellcheck disable=SC2016 # $1/$2 expand in the inner shell
port_open() { timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# free_port: a TCP port on 127.0.0.1 nobody listens on.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    port_open 127.0.0.1 "$p" || { echo "$p"; return 0; }
  done
  die "no free port found"
}

# run_logged DESC LOGFILE CMD...: run CMD with its output in LOGFILE, printing
# a heartbeat (elapsed time + last output line) every $LAPSE_HEARTBEAT s.
run_logged() {
  local desc=$1 logfile=$2 start pid rc=0 last
  shift 2
  start=$SECONDS
  "$@" >"$logfile" 2>&1 </dev/null 9>&- &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 1 "$((LAPSE_HEARTBEAT * 5))"); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      last=$(tail -n 1 "$logfile" 2>/dev/null | cut -c1-100)
      log "  ... $desc: $((SECONDS - start))s${last:+ (last: $last)}"
    fi
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$logfile" >&2 || true
    die "$desc failed (exit $rc); full output in $logfile"
  fi
  log "  $desc done in $((SECONDS - start))s"
}

pidfile() { echo "$LAPSE_RUN_DIR/$1.pid"; }

# running NAME PATTERN: the pid file names a live process whose command line
# contains PATTERN (guards against a reused pid).
running() {
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then return 1; fi
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

pid_of() { cat "$(pidfile "$1")" 2>/dev/null || true; }

# start_bg NAME LOGFILE CMD...: start CMD in its own session (so `down` can
# kill the whole process group), detached from our stdio, and record its pid.
start_bg() {
  local name=$1 logfile=$2
  shift 2
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >>"$logfile"
  setsid "$@" >>"$logfile" 2>&1 </dev/null 9>&- & # 9 = stack.sh's lock
  echo $! >"$(pidfile "$name")"
}

# show_log LOGFILE: its tail (and of LOGFILE's .out sibling, the raw stdout).
show_log() {
  local f
  for f in "$1" "${1%.log}.out"; do
    [ -f "$f" ] && { echo "--- tail of $f" >&2; tail -n 20 "$f" >&2; }
  done
  return 0
}

log_names() { if [ -f "${1%.log}.out" ]; then echo "$1 and ${1%.log}.out"; else echo "$1"; fi; }

# wait_ready NAME LOGFILE CHECK...: poll CHECK until it succeeds; fail early if
# the process died, or after $LAPSE_UP_TIMEOUT seconds.
wait_ready() {
  local name=$1 logfile=$2 start=$SECONDS pid
  shift 2
  pid=$(pid_of "$name")
  until "$@" >/dev/null 2>&1; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      show_log "$logfile"
      rm -f "$(pidfile "$name")"
      die "$name exited during start-up; see $(log_names "$logfile")"
    fi
    if [ $((SECONDS - start)) -ge "$LAPSE_UP_TIMEOUT" ]; then
      show_log "$logfile"
      die "$name not ready after ${LAPSE_UP_TIMEOUT}s; see $(log_names "$logfile")"
    fi
    sleep 0.3
  done
}

# stop_bg NAME SIGNAL: signal the process, wait for its whole process group to
# go, SIGKILL the group after $LAPSE_DOWN_TIMEOUT seconds.
stop_bg() {
  local name=$1 sig=$2 pid start=$SECONDS
  pid=$(pid_of "$name")
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$(pidfile "$name")"
    return 0
  fi
  log "stopping $name (pid $pid, SIG$sig)..."
  kill -"$sig" "$pid" 2>/dev/null || true
  while kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null; do
    if [ $((SECONDS - start)) -ge "$LAPSE_DOWN_TIMEOUT" ]; then
      log "$name still alive after ${LAPSE_DOWN_TIMEOUT}s, sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$(pidfile "$name")"
  log "$name stopped in $((SECONDS - start))s"
}

# check_port_free NAME HOST PORT: fail clearly when a foreign process holds it.
check_port_free() {
  if port_open "$2" "$3"; then
    die "$1: port $2:$3 is already in use by another process (not started by this stack); stop it or set another port"
  fi
}

# status_line NAME PATTERN PORT
status_line() {
  if running "$1" "$2"; then
    printf '%-12s running  pid %-7s port %s\n' "$1" "$(pid_of "$1")" "$3"
  else
    printf '%-12s stopped  %-11s port %s\n' "$1" "" "$3"
  fi
}

# mvn_copy_deps DESC DIR: resolve DIR/pom.xml's dependencies into DIR/libs.
mvn_copy_deps() {
  local desc=$1 dir=$2
  rm -rf "$dir/libs"
  run_logged "$desc" "$dir/mvn.log" \
    mvn -B -f "$dir/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$dir/libs"
  log "  $(find "$dir/libs" -name '*.jar' | wc -l) jars in $dir/libs"
}
