// A growable byte buffer with a consumed front, for queued output and message
// assembly. Unlike std::vector it never zero-fills the room it grows into.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace vws {

class ByteBuffer {
public:
    const uint8_t* data() const { return buf_.get() + head_; }
    uint8_t* data() { return buf_.get() + head_; }
    size_t size() const { return tail_ - head_; }
    bool empty() const { return tail_ == head_; }
    size_t capacity() const { return cap_; }

    // Room for n more bytes at the end, not yet counted in size().
    uint8_t* prepare(size_t n);
    void commit(size_t n) { tail_ += n; }
    void append(const void* p, size_t n);
    void consume(size_t n);
    void clear() { head_ = tail_ = front_ = 0; }
    // Empties the buffer keeping n bytes free in front of the data (kept
    // through growth), so a header can be prepended later without a copy.
    void clear_with_headroom(size_t n);
    size_t headroom() const { return head_; }
    // Puts n bytes in front of the data; needs headroom() >= n.
    void prepend(const void* p, size_t n);
    void swap(ByteBuffer& other) noexcept;
    // Gives the memory back if it grew past keep bytes (after a burst).
    void release_if_over(size_t keep);

private:
    std::unique_ptr<uint8_t[]> buf_;
    size_t cap_ = 0;
    size_t head_ = 0;
    size_t tail_ = 0;
    size_t front_ = 0;  // headroom to keep when moving the data
};

} // namespace vws
