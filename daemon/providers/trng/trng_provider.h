// The TRNG provider (Arm DEN0098 v1.0): true random numbers for the guest,
// drawn from the host kernel's getrandom(2). Answers TRNG_VERSION,
// TRNG_FEATURES, TRNG_GET_UUID, TRNG_RND32 and TRNG_RND64 with the register
// packing a Linux guest reads (x3 holds the lowest 64 bits). Handles
// untrusted input (any register values a guest chooses); stateless, so
// Handle() is thread-safe.
#ifndef HYPERCALL_DAEMON_PROVIDERS_TRNG_TRNG_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_TRNG_TRNG_PROVIDER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "hypercall/provider/provider.h"

namespace hypercall::providers {

// Our TRNG service UUID (9c3f6a1e-5b27-4d80-8e41-d2a7c0f3b865), in the byte
// order GET_UUID returns it: w0 = bytes 0-3 little-endian, ... w3 = 12-15.
inline constexpr std::array<uint8_t, 16> kTrngUuid = {
    0x9c, 0x3f, 0x6a, 0x1e, 0x5b, 0x27, 0x4d, 0x80, 0x8e, 0x41, 0xd2, 0xa7, 0xc0, 0xf3, 0xb8, 0x65};

// TRNG_VERSION's answer: v1.0 (major in bits 30:16).
inline constexpr uint64_t kTrngVersion1_0 = 0x10000;

// Fills `len` bytes at `buf` with entropy; false when none is available now.
using EntropySource = std::function<bool(uint8_t* buf, size_t len)>;

// getrandom(2) without blocking: false while the kernel's pool is not yet
// initialised or on any error.
bool GetRandomEntropy(uint8_t* buf, size_t len);

class TrngProvider final : public provider::Provider {
 public:
  // `entropy` defaults to GetRandomEntropy; tests pass their own.
  explicit TrngProvider(EntropySource entropy = GetRandomEntropy);

  std::string_view name() const override { return "trng"; }

  // 0x84000050-0x8400005F and 0xC4000050-0xC400005F, reading x1.
  std::vector<provider::RangeClaim> Claims() const override;

  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override;

 private:
  // RND32 (`bits_per_word` 32, up to 96 bits) and RND64 (64, up to 192).
  smccc::Result Random(uint64_t bits, int bits_per_word) const;

  EntropySource entropy_;
};

}  // namespace hypercall::providers

#endif  // HYPERCALL_DAEMON_PROVIDERS_TRNG_TRNG_PROVIDER_H_
