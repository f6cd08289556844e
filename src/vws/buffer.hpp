// A growable byte buffer with a consumed front, for queued output and message
// assembly. Unlike std::vector it never zero-fills the room it grows into, and
// running out of memory is a value (nullptr / false), never an exception: a
// message the process cannot hold must end its connection with a Close, not
// abort the process (RFC 6455 §7.4.1, 1009).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace vws {

class ByteBuffer {
public:
    const uint8_t* data() const { return buf_.get() + head_; }
    uint8_t* data() { return buf_.get() + head_; }
    size_t size() const { return tail_ - head_; }
    bool empty() const { return tail_ == head_; }
    size_t capacity() const { return cap_; }

    // Room for n more bytes at the end, not yet counted in size(); nullptr
    // (and the buffer unchanged) when the memory cannot be had. Ask for n > 0:
    // a buffer that never had memory has no room to point at.
    [[nodiscard]] uint8_t* prepare(size_t n);
    void commit(size_t n) { tail_ += n; }
    [[nodiscard]] bool append(const void* p, size_t n);
    void consume(size_t n);
    void clear() { head_ = tail_ = front_ = 0; }
    // Empties the buffer keeping n bytes free in front of the data (kept
    // through growth), so a header can be prepended later without a copy.
    [[nodiscard]] bool clear_with_headroom(size_t n);
    size_t headroom() const { return head_; }
    // Puts n bytes in front of the data; needs headroom() >= n.
    void prepend(const void* p, size_t n);
    void swap(ByteBuffer& other) noexcept;
    // Gives the memory back if it grew past keep bytes (after a burst).
    void release_if_over(size_t keep);
    // Growth doubles the capacity, but not past this size: a buffer that is
    // known never to need more than it (a message under max_message) then
    // takes exactly that, not the next power of two (nearly twice as much).
    // The limit belongs to the buffer object, not to its memory: swap()
    // leaves it where it is.
    void limit_growth(size_t max) { growth_limit_ = max; }

private:
    struct Free {
        void operator()(uint8_t* p) const { std::free(p); }
    };
    // malloc/realloc, not new[]: they fail as a value, and realloc grows a
    // large block in place (mremap) instead of holding old and new at once.
    std::unique_ptr<uint8_t, Free> buf_;
    size_t cap_ = 0;
    size_t head_ = 0;
    size_t tail_ = 0;
    size_t front_ = 0;  // headroom to keep when moving the data
    size_t growth_limit_ = SIZE_MAX;
};

} // namespace vws
