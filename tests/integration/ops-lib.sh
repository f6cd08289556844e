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

# start_backends N: N copies of service/vws-handler (tcpserver + vws-handler + example/hello),
# started through their own run scripts with only env/ changed; sets BPORTS (their ports) and
# BPGIDS (their process groups, to kill one). Each greets with "hello port=PORT ...".
start_backends() {
    local i dir port
    BPORTS=() BPGIDS=()
    mkdir -p "$VBIN/lib"
    install -m 755 "$VWS_ROOT/service/vws-handler/example/hello" "$VBIN/lib/hello"
    for i in $(seq 1 "$1"); do
        dir=$TMP/backend$i
        cp -R "$VWS_ROOT/service/vws-handler" "$dir"
        port=$(free_port)
        echo "$port" >"$dir/env/PORT"
        echo "$VBIN:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" >"$dir/env/PATH"
        : >"$dir/env/VWS_USER"
        echo "$VBIN/lib/hello" >"$dir/env/PROGRAM"
        start_daemon "backend$i" bash -c "cd '$dir' && exec ./run"
        BPORTS+=("$port") BPGIDS+=("$DAEMON_PID")
    done
    for port in "${BPORTS[@]}"; do
        wait_port "$port" 10 || { not_ok "backend on 127.0.0.1:$port starts"; return 1; }
    done
}

# got_ports: the distinct backend ports the last steps run was greeted from, sorted.
got_ports() {
    sed -n 's/^# [^ ]* got: hello port=\([0-9]*\) .*/\1/p' "$TMP/steps.out" | sort -un | tr '\n' ' '
}
