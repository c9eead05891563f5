#pragma once
// Open-addressing hash map from simplex index (>= 0) to a 64-bit value, linear probing,
// power-of-two capacity. Ripser shows the pivot lookup dominates the reduction; std::unordered_map
// allocates per node, this one does not.

#include <cstdint>
#include <vector>

#include "topoembed/ph/types.hpp"

namespace topoembed::ph::detail {

class IndexHashMap {
 public:
  static constexpr index_t kEmpty = -1;

  explicit IndexHashMap(std::size_t expected = 16) { rehash(capacity_for(expected)); }

  // Returns a pointer to the value, or nullptr.
  const std::uint64_t* find(index_t key) const {
    std::size_t slot = hash(key) & mask_;
    for (;;) {
      const index_t k = keys_[slot];
      if (k == key) return &values_[slot];
      if (k == kEmpty) return nullptr;
      slot = (slot + 1) & mask_;
    }
  }
  bool contains(index_t key) const { return find(key) != nullptr; }

  // Inserts or overwrites.
  void insert(index_t key, std::uint64_t value) {
    if ((size_ + 1) * 2 > keys_.size()) rehash(keys_.size() * 2);
    std::size_t slot = hash(key) & mask_;
    while (keys_[slot] != kEmpty && keys_[slot] != key) slot = (slot + 1) & mask_;
    if (keys_[slot] == kEmpty) ++size_;
    keys_[slot] = key;
    values_[slot] = value;
  }
  std::size_t size() const { return size_; }
  void reserve(std::size_t n) {
    if (capacity_for(n) > keys_.size()) rehash(capacity_for(n));
  }

 private:
  static std::size_t capacity_for(std::size_t n) {
    std::size_t c = 16;
    while (c < 2 * n + 2) c *= 2;
    return c;
  }
  static std::size_t hash(index_t key) {
    std::uint64_t x = static_cast<std::uint64_t>(key);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<std::size_t>(x);
  }
  void rehash(std::size_t capacity) {
    std::vector<index_t> old_keys(capacity, kEmpty);
    std::vector<std::uint64_t> old_values(capacity, 0);
    old_keys.swap(keys_);
    old_values.swap(values_);
    mask_ = capacity - 1;
    size_ = 0;
    for (std::size_t i = 0; i < old_keys.size(); ++i)
      if (old_keys[i] != kEmpty) insert(old_keys[i], old_values[i]);
  }

  std::vector<index_t> keys_;
  std::vector<std::uint64_t> values_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace topoembed::ph::detail
