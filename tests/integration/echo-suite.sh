# echo-suite.sh: the echo suite (python3-websockets, then Node ws) against bin/vws-echo served
# by one daemon. Sourced by the echo-*.test scripts after lib.sh:
#   echo_suite LABEL MODE [VWS-ECHO OPTIONS...]    (MODE as for serve in lib.sh)

echo_suite() {
    local label=$1 mode=$2
    shift 2
    require_echo
    serve "$label" "$mode" "$@" || done_testing
    run_helper "$PY" "$TESTS/py_echo_client.py" "$URL" "$label python3-websockets"
    if [ -d "$TESTS/node_modules/ws" ] && need node; then
        run_helper node "$TESTS/node_echo_client.js" "$URL" "$label node ws"
    else
        skip "$label node ws: echo suite" "no node or no tests/integration/node_modules/ws (run scripts/setup)"
    fi
    if [ "$_failed" -gt 0 ]; then
        echo "# $label daemon log (tail):"
        show_log "$label"
    fi
}
