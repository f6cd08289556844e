# lib.sh: shared helpers for the integration tests (sourced, not run).
#
# Every server listens on 127.0.0.1 only, every wait is bounded, and every daemon is started in
# its own process group (setsid) and ended by that group's id when the script exits: never by
# name. Results are TAP-like lines that tests/run counts:
#   ok - description | not ok - description | ok - description # SKIP reason

set -u

VWS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TESTS=$VWS_ROOT/tests/integration
# Where the programs under test are: bin/, or bin/asan/ under `make asan` (VWS_BIN).
VWS_BIN=${VWS_BIN:-$VWS_ROOT/bin}
# The program under test; VWS_ECHO overrides it (e.g. to try the tests against another build).
VWS_ECHO=${VWS_ECHO:-$VWS_BIN/vws-echo}
# Debian's Python sees python3-websockets; the python3 first on PATH may not.
PY=${VWS_PYTHON:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/vws-test.XXXXXX")
_pgids=()
_failed=0
_passed=0

ok()     { echo "ok - $*"; _passed=$((_passed + 1)); }
not_ok() { echo "not ok - $*"; _failed=$((_failed + 1)); }
skip()   { local what=$1; shift; echo "ok - $what # SKIP $*"; }

# check DESCRIPTION COMMAND...: ok if COMMAND exits 0; otherwise not ok, with its output as
# comments so the failure explains itself.
check() {
    local what=$1 out rc
    shift
    out=$("$@" 2>&1) && rc=0 || rc=$?
    if [ "$rc" -eq 0 ]; then
        ok "$what"
    else
        not_ok "$what (exit $rc)"
        [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /' | head -n 20
    fi
    return 0
}

# run_helper COMMAND...: run a helper that prints its own result lines; show them as they come
# (so a timeout still shows how far it got), count them into this script's totals, and count a
# crash that printed no "not ok" as one failure.
run_helper() {
    local out="$TMP/helper.$$.$RANDOM" rc line bad=0
    "$@" </dev/null 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    while IFS= read -r line; do
        case $line in
            "not ok"*) _failed=$((_failed + 1)); bad=1 ;;
            ok*"# SKIP"*) ;;
            ok*) _passed=$((_passed + 1)) ;;
        esac
    done <"$out"
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        not_ok "helper '$*' exited $rc"
    fi
    return 0
}

# free_port: print a TCP port on 127.0.0.1 that nobody listens on right now.
free_port() {
    "$PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# start_daemon NAME COMMAND...: run COMMAND in a new session (so its own process group), output
# to $TMP/NAME.log; remember the group for cleanup. Sets DAEMON_PID.
start_daemon() {
    local name=$1
    shift
    setsid "$@" >"$TMP/$name.log" 2>&1 </dev/null &
    DAEMON_PID=$!
    _pgids+=("$DAEMON_PID")
}

# wait_port PORT [SECONDS]: wait until something accepts on 127.0.0.1:PORT (default 10 s).
wait_port() {
    local port=$1 tries=$(( ${2:-10} * 10 ))
    while [ "$tries" -gt 0 ]; do
        if timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# serve NAME MODE [VWS-ECHO OPTIONS...]: start bin/vws-echo behind a daemon on a free port and
# wait for it; sets PORT and URL. MODE: tcpserver | socket-activate | inetd.
serve() {
    local name=$1 mode=$2
    shift 2
    PORT=$(free_port)
    URL="ws://127.0.0.1:$PORT/"
    case $mode in
        tcpserver)
            start_daemon "$name" tcpserver -c 64 -b 1024 -D -HRl0 127.0.0.1 "$PORT" "$VWS_ECHO" "$@" ;;
        socket-activate)
            start_daemon "$name" systemd-socket-activate -l "127.0.0.1:$PORT" --accept "$VWS_ECHO" "$@" ;;
        inetd)
            start_daemon "$name" systemd-socket-activate -l "127.0.0.1:$PORT" --accept --inetd "$VWS_ECHO" "$@" ;;
        *) echo "serve: unknown mode $mode" >&2; return 1 ;;
    esac
    if ! wait_port "$PORT" 10; then
        not_ok "$name: daemon listens on 127.0.0.1:$PORT"
        sed 's/^/#   /' "$TMP/$name.log" | head -n 20
        return 1
    fi
}

# eventually SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds or SECONDS pass
# (a log line written when a connection's process ends comes a moment after the client is done).
eventually() {
    local tries=$(( $1 * 10 ))
    shift
    until "$@"; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 0.1
    done
}

# need PROGRAM...: true if every PROGRAM is on PATH (or an executable path).
need() {
    local p
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 || return 1
    done
}

# show_log NAME: the daemon's log as comments (for diagnosing failures).
show_log() {
    [ -s "$TMP/$1.log" ] && sed 's/^/#   /' "$TMP/$1.log" | tail -n "${2:-30}"
    return 0
}

_cleanup() {
    local g
    for g in "${_pgids[@]}"; do
        kill -TERM -- "-$g" 2>/dev/null
    done
    # Give them a moment, then make sure (tcpserver leaves its children running on SIGTERM).
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        local alive=0
        for g in "${_pgids[@]}"; do
            kill -0 -- "-$g" 2>/dev/null && alive=1
        done
        [ "$alive" -eq 0 ] && break
        sleep 0.1
    done
    for g in "${_pgids[@]}"; do
        kill -KILL -- "-$g" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap _cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# done_testing: exit non-zero if anything failed; with no result at all, fail loudly.
done_testing() {
    if [ $((_passed + _failed)) -eq 0 ]; then
        echo "# no test ran" >&2
    fi
    [ "$_failed" -eq 0 ]
    exit
}

# require_echo: the program under test must exist; otherwise one failure and stop.
require_echo() {
    if [ ! -x "$VWS_ECHO" ]; then
        not_ok "$VWS_ECHO is built (run make)"
        done_testing
    fi
}
