# handler-lib.sh: helpers for the vws-handler tests (handler*.test), sourced after lib.sh.
#
#   serve_handler NAME MODE [VWS-HANDLER ARGS...]   MODE: tcpserver | socket-activate
#       start bin/vws-handler behind MODE on a free port (sets PORT, URL); extra environment for
#       the daemon (and so for vws-handler and its child) goes in the array DAEMON_ENV.
#   client CASE [ARGS...]       run handler_client.py CASE PORT LABEL ARGS..., counting its results
#   child NAME <<'SH' ... SH    write an executable /bin/sh script $TMP/NAME (its path in $CHILD)

# The program under test; VWS_HANDLER overrides it (e.g. a build from another checkout).
VWS_HANDLER=${VWS_HANDLER:-$VWS_BIN/vws-handler}
DAEMON_ENV=()
LABEL=handler

require_handler() {
    if [ ! -x "$VWS_HANDLER" ]; then
        not_ok "$VWS_HANDLER is built (run make)"
        done_testing
    fi
}

serve_handler() {
    local name=$1 mode=$2
    shift 2
    PORT=$(free_port)
    URL="ws://127.0.0.1:$PORT/"
    LABEL=$name
    case $mode in
        tcpserver)
            start_daemon "$name" env "${DAEMON_ENV[@]}" \
                tcpserver -c 64 -b 1024 -D -HRl0 127.0.0.1 "$PORT" "$VWS_HANDLER" "$@" ;;
        socket-activate)
            start_daemon "$name" env "${DAEMON_ENV[@]}" \
                systemd-socket-activate -l "127.0.0.1:$PORT" --accept "$VWS_HANDLER" "$@" ;;
        *) echo "serve_handler: unknown mode $mode" >&2; return 1 ;;
    esac
    SERVER_PGID=$DAEMON_PID
    if ! wait_port "$PORT" 10; then
        not_ok "$name: daemon listens on 127.0.0.1:$PORT"
        show_log "$name" 20
        return 1
    fi
}

# stop_server: end the last server's process group now (the EXIT trap does it again, harmlessly).
stop_server() {
    kill -TERM -- "-$SERVER_PGID" 2>/dev/null
    sleep 0.2
    kill -KILL -- "-$SERVER_PGID" 2>/dev/null
    return 0
}

client() {
    local case=$1
    shift
    run_helper timeout -k 5 240 "$PY" "$TESTS/handler_client.py" "$case" "$PORT" "$LABEL" "$@"
}

child() {
    CHILD=$TMP/$1
    { echo '#!/bin/sh'; cat; } >"$CHILD"
    chmod +x "$CHILD"
}
