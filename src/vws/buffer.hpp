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
    void clear() { head_ = tail_ = 0; }
    // Gives the memory back if it grew past keep bytes (after a burst).
    void release_if_over(size_t keep);

private:
    std::unique_ptr<uint8_t[]> buf_;
    size_t cap_ = 0;
    size_t head_ = 0;
    size_t tail_ = 0;
};

} // namespace vws
