# ops-lib.sh: helpers for the operations tests (service/, perp/, systemd units, inetd, proxies),
# sourced after lib.sh. They run the shipped files against the real daemons on 127.0.0.1.

VWS_HANDLER=${VWS_HANDLER:-$VWS_BIN/vws-handler}
STEPS=$TESTS/ws_steps.py

# stage_programs: copy the programs under test into $TMP/bin (so a rebuild during the run does
# not change them, and so that an unprivileged user can run them); make $TMP traversable.
# Sets VBIN. Stops the script with one failure when they are not built.
stage_programs() {
    local p
    for p in "$VWS_ECHO" "$VWS_HANDLER"; do
        if [ ! -x "$p" ]; then
            not_ok "$p is built (run make)"
            done_testing
        fi
    done
    chmod 755 "$TMP"
    VBIN=$TMP/bin
    mkdir -p "$VBIN"
    cp "$VWS_ECHO" "$VBIN/vws-echo"
    cp "$VWS_HANDLER" "$VBIN/vws-handler"
}

# need_or_skip WHAT PROGRAM...: when a program is missing, print one SKIP line for WHAT and exit
# successfully (scripts/setup installs them all).
need_or_skip() {
    local what=$1
    shift
    if ! need "$@"; then
        skip "$what" "needs $* (run scripts/setup)"
        exit 0
    fi
}

# steps LABEL STEP...: run ws_steps.py and count its result lines into this script's totals;
# its output is also kept in $TMP/steps.out for grepping what was received.
steps() {
    run_helper "$PY" "$STEPS" "$@" >"$TMP/steps.out"
    cat "$TMP/steps.out"
}

# port_closed PORT [SECONDS]: wait until nothing accepts on 127.0.0.1:PORT.
port_closed() {
    local port=$1 tries=$(( ${2:-10} * 10 ))
    while [ "$tries" -gt 0 ]; do
        timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# until_true SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds or time is up.
until_true() {
    local tries=$(( $1 * 10 ))
    shift
    while [ "$tries" -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# grep_count PATTERN FILE: how many lines of FILE match the extended regex PATTERN.
grep_count() {
    grep -Ec -- "$1" "$2" 2>/dev/null || true
}

# make_cert DIR: a throwaway self-signed certificate for localhost: DIR/cert.pem, DIR/key.pem
# and DIR/both.pem (certificate then key, as HAProxy's "crt" wants).
make_cert() {
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/key.pem" -out "$1/cert.pem" \
        -days 1 -subj /CN=localhost >/dev/null 2>&1 || return 1
    cat "$1/cert.pem" "$1/key.pem" >"$1/both.pem"
}

# start_backends N [PROGRAM]: N copies of service/vws-handler (tcpserver + vws-handler +
# PROGRAM, default example/hello), each under daemontools' supervise as in production (so
# "svc -t" restarts one), with only env/ changed; sets BPORTS (their ports), BDIRS (their
# service directories), BACKENDS (DIR:PORT each) and BPGIDS (their process groups:
# supervise, tcpserver and the connections, to kill one). With hello, each greets with
# "hello port=PORT ...".
start_backends() {
    local i dir port prog=${2:-$VBIN/lib/hello}
    BPORTS=() BPGIDS=() BDIRS=() BACKENDS=()
    mkdir -p "$VBIN/lib"
    install -m 755 "$VWS_ROOT/service/vws-handler/example/hello" "$VBIN/lib/hello"
    for i in $(seq 1 "$1"); do
        dir=$TMP/backend$i
        [ -e "$dir" ] && dir=$TMP/backend$i.$RANDOM
        cp -R "$VWS_ROOT/service/vws-handler" "$dir"
        port=$(free_port)
        echo "$port" >"$dir/env/PORT"
        echo "$VBIN:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" >"$dir/env/PATH"
        : >"$dir/env/VWS_USER"
        echo "$prog" >"$dir/env/PROGRAM"
        start_daemon "${dir##*/}" supervise "$dir"
        BPORTS+=("$port") BPGIDS+=("$DAEMON_PID") BDIRS+=("$dir") BACKENDS+=("$dir:$port")
    done
    for port in "${BPORTS[@]}"; do
        wait_port "$port" 10 || { not_ok "backend on 127.0.0.1:$port starts"; return 1; }
    done
}

# sv_pid DIR: the pid svstat reports for a supervised service ("DIR: up (pid 123) 4 seconds"),
# empty when it is down.
sv_pid() { svstat "$1" | sed -n 's/.*: up (pid \([0-9]*\)).*/\1/p'; }

# sv_restarted DIR OLDPID PORT: a new pid is up and accepts on PORT again.
sv_restarted() {
    local new
    new=$(sv_pid "$1")
    [ -n "$new" ] && [ "$new" != "$2" ] && wait_port "$3" 1
}

# restart_backends ROUNDS PAUSE DIR:PORT...: restart each supervised backend ROUNDS times in
# turn the way "svc -t" does in production (SIGTERM to tcpserver, supervise starts a new one;
# live connections carry on), waiting until it accepts on PORT again, then PAUSE seconds.
# Exported, for ws_steps' "sh" step. ${BACKENDS[*]} (set by start_backends) lists them.
restart_backends() {
    local rounds=$1 pause=$2 r b dir port old n=0
    shift 2
    for r in $(seq 1 "$rounds"); do
        for b in "$@"; do
            dir=${b%:*} port=${b##*:}
            old=$(sv_pid "$dir")
            svc -t "$dir" || return 1
            until_true 10 sv_restarted "$dir" "$old" "$port" ||
                { echo "backend $port did not come back"; return 1; }
            n=$((n + 1))
            sleep "$pause"
        done
    done
    echo "$n restarts"
}
export -f restart_backends sv_pid sv_restarted until_true wait_port

# handshake_load NAME URL SECONDS CONNECTIONS: start bin/vws-bench's handshake workload (open,
# upgrade, close, in a loop on each connection) in the background; its JSON goes to
# $TMP/NAME.log. Sets LOAD_PID.
handshake_load() {
    start_daemon "$1" "$VWS_BIN/vws-bench" --workload handshake -c "$4" -d "$3" -w 0 \
        --timeout $(( $3 + 30 )) --name "$1" "$2"
    LOAD_PID=$DAEMON_PID
}

# load_result NAME: wait for the load started last to end (call it in this shell, not in
# $(...): a subshell cannot wait for it); set LOAD_OPS, LOAD_ERRORS and LOAD_FIRST (its first
# error) from $TMP/NAME.log's JSON (LOAD_ERRORS=-1 when there is none).
load_result() {
    local out
    wait "$LOAD_PID" 2>/dev/null
    out=$("$PY" -c 'import json, sys
j = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(j["ops"], j["errors"], j.get("first_error", ""))' "$TMP/$1.log" 2>/dev/null) ||
        out="0 -1 no JSON from vws-bench"
    read -r LOAD_OPS LOAD_ERRORS LOAD_FIRST <<<"$out"
}

# haproxy_config PORT [SED...]: service/proxy/haproxy.cfg on stdout, its TLS frontend on
# 127.0.0.1:PORT with make_cert's certificate, its servers the backends in BPORTS, logging to
# stdout, the runtime API on $TMP/admin-PORT.sock, checks every 500 ms, and "timeout
# client/server" cut to 2 s so that the idle test is quick (the shipped "timeout tunnel"
# stays). SED: more sed arguments, applied after these.
haproxy_config() {
    local port=$1
    shift
    # Other loopback listeners (the metrics frontend) move to free ports too.
    sed -e "s|^\([[:space:]]*bind\) 127\.0\.0\.1:[0-9][0-9]*|\1 127.0.0.1:$(free_port)|" \
        -e "s|^\([[:space:]]*bind\) :443 |\1 127.0.0.1:$port |" \
        -e "s|/etc/haproxy/certs/vws.pem|$TMP/both.pem|" \
        -e "s|^\([[:space:]]*stats socket\) /run/haproxy/admin.sock|\1 $TMP/admin-$port.sock|" \
        -e "s|^\([[:space:]]*log\) /dev/log |\1 stdout format raw |" \
        -e "s/^\([[:space:]]*timeout \(client\|server\)\) .*/\1 2s/" \
        -e "s|\(server ws1\) 127.0.0.1:8182|\1 127.0.0.1:${BPORTS[0]}|" \
        -e "s|\(server ws2\) 127.0.0.1:8183|\1 127.0.0.1:${BPORTS[1]}|" \
        -e "s|\(server ws3\) 127.0.0.1:8184|\1 127.0.0.1:${BPORTS[2]}|" \
        -e "s|inter 2s|inter 500ms|" "$@" "$VWS_ROOT/service/proxy/haproxy.cfg"
}
# got_ports: the distinct backend ports the last steps run was greeted from, sorted.
got_ports() {
    sed -n 's/^# [^ ]* got: hello port=\([0-9]*\) .*/\1/p' "$TMP/steps.out" | sort -un | tr '\n' ' '
}
