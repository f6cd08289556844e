#include "vws/buffer.hpp"

#include <cstring>
#include <utility>

namespace vws {

uint8_t* ByteBuffer::prepare(size_t n)
{
    if (cap_ - tail_ >= n) return buf_.get() + tail_;
    const size_t live = tail_ - head_;
    if (n > SIZE_MAX / 4 - front_ - live) return nullptr;  // no size_t can hold it
    const size_t need = front_ + live + n;
    size_t cap = cap_;
    if (!(head_ > front_ && cap_ >= need && head_ - front_ >= live)) {
        // At least double (appends stay amortised O(1)), and a single large
        // request gets what it needs, not the next power of two.
        cap = cap_ ? 2 * cap_ : 256;
        if (cap < need) cap = need;
        if (cap > growth_limit_) cap = growth_limit_ > need ? growth_limit_ : need;
    }
    // Compact first (reclaiming the consumed front), so the data sits where
    // it will stay and realloc carries it over; on failure the buffer is
    // still whole.
    if (live && head_ != front_) std::memmove(buf_.get() + front_, buf_.get() + head_, live);
    head_ = front_;
    tail_ = front_ + live;
    if (cap > cap_) {
        void* bigger = std::realloc(buf_.get(), cap);
        if (!bigger) return nullptr;
        (void)buf_.release();
        buf_.reset(static_cast<uint8_t*>(bigger));
        cap_ = cap;
    }
    return buf_.get() + tail_;
}

bool ByteBuffer::append(const void* p, size_t n)
{
    if (n == 0) return true;
    uint8_t* room = prepare(n);
    if (!room) return false;
    std::memcpy(room, p, n);
    tail_ += n;
    return true;
}

void ByteBuffer::consume(size_t n)
{
    head_ += n;
    if (head_ >= tail_) head_ = tail_ = front_ = 0;
}

bool ByteBuffer::clear_with_headroom(size_t n)
{
    head_ = tail_ = front_ = 0;
    if (cap_ < n && !prepare(n)) return false;
    head_ = tail_ = front_ = n;
    return true;
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
