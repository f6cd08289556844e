#include "vws/buffer.hpp"

#include <cstring>

namespace vws {

uint8_t* ByteBuffer::prepare(size_t n)
{
    if (cap_ - tail_ >= n) return buf_.get() + tail_;
    const size_t live = tail_ - head_;
    if (head_ > 0 && cap_ - live >= n && head_ >= live) {
        // Enough room once the consumed front is reclaimed.
        std::memmove(buf_.get(), buf_.get() + head_, live);
    } else {
        size_t cap = cap_ ? cap_ : 256;
        while (cap < live + n) cap *= 2;
        std::unique_ptr<uint8_t[]> bigger(new uint8_t[cap]);
        if (live) std::memcpy(bigger.get(), buf_.get() + head_, live);
        buf_ = std::move(bigger);
        cap_ = cap;
    }
    head_ = 0;
    tail_ = live;
    return buf_.get() + tail_;
}

void ByteBuffer::append(const void* p, size_t n)
{
    if (n == 0) return;
    std::memcpy(prepare(n), p, n);
    tail_ += n;
}

void ByteBuffer::consume(size_t n)
{
    head_ += n;
    if (head_ >= tail_) head_ = tail_ = 0;
}

void ByteBuffer::release_if_over(size_t keep)
{
    if (cap_ <= keep || head_ != tail_) return;
    buf_.reset();
    cap_ = head_ = tail_ = 0;
}

} // namespace vws
