// The bridge's transfer rules (sys/bridge_rules.hpp): the step that tries a
// transfer and the poll set that waits for it ask the same functions, so a
// case that reads nothing must also poll nothing (or ppoll returns at once and
// the loop spins). Each case is a Flow as the bridge gathers it.
#include <doctest/doctest.h>

#include "sys/bridge_rules.hpp"

using namespace vws::sys;

namespace {

// An open connection with a child: both sides idle, nothing queued.
Flow open_flow()
{
    Flow f;
    f.frames_wanted = true;
    f.can_send = true;
    f.stream_in_open = true;
    f.stream_out_open = true;
    return f;
}

} // namespace

TEST_CASE("idle and open: read both sides, write neither")
{
    const Flow f = open_flow();
    CHECK(want_peer_in(f));
    CHECK(want_stream_in(f));
    CHECK_FALSE(want_peer_out(f));
    CHECK_FALSE(want_stream_out(f));
    CHECK_FALSE(watch_peer_hangup(f));
}

TEST_CASE("a client that reads nothing stops us reading the child (no poll for it either)")
{
    Flow f = open_flow();
    f.peer_output = output_high_water;
    f.output_stalled = true;
    CHECK_FALSE(want_stream_in(f));
    CHECK(want_peer_out(f));
    // The peer may still send: its Close, pings (one Pong owed at most).
    CHECK(want_peer_in(f));
    f.peer_output = output_high_water - 1;
    CHECK(want_stream_in(f));
}

TEST_CASE("a child that reads nothing stops us reading the peer; its hang-up is still watched")
{
    Flow f = open_flow();
    f.stream_output = output_high_water;
    CHECK_FALSE(want_peer_in(f));
    CHECK(want_stream_out(f));
    CHECK(watch_peer_hangup(f));
}

TEST_CASE("our own unsent output alone does not stop reading the peer (two echoing peers)")
{
    Flow f = open_flow();
    f.peer_output = 64u << 20;
    f.output_stalled = true;
    CHECK(want_peer_in(f));
}

TEST_CASE("pings from a peer that reads nothing: one Pong is owed, the rest wait in TCP")
{
    Flow f = open_flow();
    f.pong_pending = true;
    CHECK(want_peer_in(f));  // the Pong is on its way: keep reading
    f.output_stalled = true;
    CHECK_FALSE(want_peer_in(f));
    CHECK(watch_peer_hangup(f));
    CHECK(want_peer_out(f) == (f.peer_output > 0));
}

TEST_CASE("after the peer's Close (answering): the child's output still goes out; the peer is not read")
{
    Flow f = open_flow();
    f.frames_wanted = false;  // State::answering
    CHECK_FALSE(want_peer_in(f));
    CHECK(want_stream_in(f));
    CHECK(watch_peer_hangup(f));
    f.can_send = false;  // our Close went out
    CHECK_FALSE(want_stream_in(f));
}

TEST_CASE("the peer's EOF: nothing more is read from either side, what is queued still goes out")
{
    Flow f = open_flow();
    f.peer_eof = true;
    f.peer_output = 100;
    CHECK_FALSE(want_peer_in(f));
    CHECK_FALSE(want_stream_in(f));
    CHECK(want_peer_out(f));
    CHECK_FALSE(watch_peer_hangup(f));  // nothing to learn from it any more
}

TEST_CASE("draining after our last frame: read (and discard) until the peer's EOF")
{
    Flow f = open_flow();
    f.frames_wanted = false;
    f.can_send = false;
    f.draining = true;
    f.stream_output = output_high_water;  // the child's backlog does not hold up the drain
    CHECK(want_peer_in(f));
    CHECK_FALSE(want_stream_in(f));
}

TEST_CASE("a dead peer: nothing is read, written or watched on its side")
{
    Flow f = open_flow();
    f.peer_dead = true;
    f.peer_output = 10;
    CHECK_FALSE(want_peer_in(f));
    CHECK_FALSE(want_peer_out(f));
    CHECK_FALSE(want_stream_in(f));
    CHECK_FALSE(watch_peer_hangup(f));
}

TEST_CASE("the stream's ends: EOF stops reading it, a closed input stops writing it")
{
    Flow f = open_flow();
    f.stream_output = 5;
    CHECK(want_stream_out(f));
    f.stream_out_open = false;
    CHECK_FALSE(want_stream_out(f));
    f.stream_in_open = false;
    CHECK_FALSE(want_stream_in(f));
    CHECK(want_peer_in(f));  // a child that closed its stdout still gets messages (half-close)
}
