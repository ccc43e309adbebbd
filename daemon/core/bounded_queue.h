// A FIFO with a fixed capacity that refuses (rather than waits) when full,
// and allocates its storage only as it fills. Not thread-safe: the owner
// locks around it.
#ifndef HYPERCALL_DAEMON_CORE_BOUNDED_QUEUE_H_
#define HYPERCALL_DAEMON_CORE_BOUNDED_QUEUE_H_

#include <algorithm>
#include <cstddef>
#include <optional>
#include <vector>

namespace hypercall::core {

template <typename T>
class BoundedQueue {
 public:
  // REQUIRES: capacity > 0.
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Appends a copy of `value` and returns where it is stored (valid until
  // the next Push or Pop); nullptr (and nothing changes) when full.
  T* Push(const T& value) {
    if (size_ == capacity_) return nullptr;
    if (size_ == slots_.size()) {
      // Grow: straighten the ring so the new slot goes at the end.
      std::rotate(slots_.begin(), slots_.begin() + head_, slots_.end());
      head_ = 0;
      slots_.push_back(value);
      ++size_;
      return &slots_.back();
    }
    T* slot = &slots_[(head_ + size_) % slots_.size()];
    *slot = value;
    ++size_;
    return slot;
  }

  // Removes and returns the oldest value; nullopt when empty.
  std::optional<T> Pop() {
    if (size_ == 0) return std::nullopt;
    std::optional<T> value(std::move(slots_[head_]));
    head_ = (head_ + 1) % slots_.size();
    --size_;
    return value;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == capacity_; }

 private:
  const size_t capacity_;
  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_BOUNDED_QUEUE_H_
