#include "vws/buffer.hpp"

#include <cstring>
#include <utility>

namespace vws {

uint8_t* ByteBuffer::prepare(size_t n)
{
    if (cap_ - tail_ >= n) return buf_.get() + tail_;
    const size_t live = tail_ - head_;
    if (head_ > front_ && cap_ - live - front_ >= n && head_ - front_ >= live) {
        // Enough room once the consumed front is reclaimed.
        std::memmove(buf_.get() + front_, buf_.get() + head_, live);
    } else {
        size_t cap = cap_ ? cap_ : 256;
        while (cap < front_ + live + n) cap *= 2;
        std::unique_ptr<uint8_t[]> bigger(new uint8_t[cap]);
        if (live) std::memcpy(bigger.get() + front_, buf_.get() + head_, live);
        buf_ = std::move(bigger);
        cap_ = cap;
    }
    head_ = front_;
    tail_ = front_ + live;
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
    if (head_ >= tail_) head_ = tail_ = front_ = 0;
}

void ByteBuffer::clear_with_headroom(size_t n)
{
    if (cap_ < n) {
        buf_.reset(new uint8_t[256 > n ? 256 : n]);
        cap_ = 256 > n ? 256 : n;
    }
    head_ = tail_ = front_ = n;
}

void ByteBuffer::prepend(const void* p, size_t n)
{
    head_ -= n;
    if (front_ > head_) front_ = head_;
    std::memcpy(buf_.get() + head_, p, n);
}

void ByteBuffer::swap(ByteBuffer& o) noexcept
{
    std::swap(buf_, o.buf_);
    std::swap(cap_, o.cap_);
    std::swap(head_, o.head_);
    std::swap(tail_, o.tail_);
    std::swap(front_, o.front_);
}

void ByteBuffer::release_if_over(size_t keep)
{
    if (cap_ <= keep || head_ != tail_) return;
    buf_.reset();
    cap_ = head_ = tail_ = front_ = 0;
}

} // namespace vws
