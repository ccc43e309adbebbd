#include "providers/trng/trng_provider.h"

#include <errno.h>
#include <sys/random.h>

#include "smccc/known_calls.h"
#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

// Result registers in packing order: the lowest bits go to x3.
constexpr int kPackingRegisters[] = {3, 2, 1};

uint32_t UuidWord(int i) {
  return uint32_t{kTrngUuid[4 * i]} | uint32_t{kTrngUuid[4 * i + 1]} << 8 |
         uint32_t{kTrngUuid[4 * i + 2]} << 16 | uint32_t{kTrngUuid[4 * i + 3]} << 24;
}

bool IsTrngFunction(uint32_t fid) {
  switch (fid) {
    case smccc::kTrngVersion:
    case smccc::kTrngFeatures:
    case smccc::kTrngGetUuid:
    case smccc::kTrngRnd32:
    case smccc::kTrngRnd64:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool GetRandomEntropy(uint8_t* buf, size_t len) {
  while (len > 0) {
    ssize_t n = getrandom(buf, len, GRND_NONBLOCK);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

TrngProvider::TrngProvider(EntropySource entropy) : entropy_(std::move(entropy)) {}

std::vector<provider::RangeClaim> TrngProvider::Claims() const {
  constexpr smccc::RegisterMask kReadsX1 = 1u << 1;
  // The random bits are the guest's: no trace may carry them (x0, the
  // status, stays visible; GET_UUID's words, a constant, are withheld too).
  constexpr bool kSecretResults = true;
  return {{{0x84000050u, 0x8400005fu}, kReadsX1, {}, kSecretResults},
          {{0xc4000050u, 0xc400005fu}, kReadsX1, {}, kSecretResults}};
}

void TrngProvider::Handle(const provider::CallContext& /*context*/, const smccc::Call& call,
                          provider::Completion& done) {
  smccc::Result result;
  switch (smccc::RoutingId(call.function_id)) {
    case smccc::kTrngVersion:
      result.x[0] = kTrngVersion1_0;
      break;
    case smccc::kTrngFeatures:
      result =
          smccc::Result::Code(IsTrngFunction(smccc::RoutingId(static_cast<uint32_t>(call.x[1])))
                                  ? smccc::kSuccess
                                  : smccc::kNotSupported);
      break;
    case smccc::kTrngGetUuid:
      for (int i = 0; i < 4; ++i) result.Set(i, UuidWord(i));
      break;
    case smccc::kTrngRnd32:
      result = Random(call.x[1], 32);
      break;
    case smccc::kTrngRnd64:
      result = Random(call.x[1], 64);
      break;
    default:
      result = smccc::Result::Code(smccc::kNotSupported);
      break;
  }
  done.Complete(result);
}

smccc::Result TrngProvider::Random(uint64_t bits, int bits_per_word) const {
  const uint64_t max_bits = 3 * static_cast<uint64_t>(bits_per_word);
  if (bits == 0 || bits > max_bits) return smccc::Result::Code(smccc::kTrngInvalidParameters);

  // Draw only the bytes asked for; they fill the words lowest first.
  uint8_t bytes[24] = {};
  const size_t bytes_per_word = static_cast<size_t>(bits_per_word) / 8;
  if (!entropy_(bytes, (bits + 7) / 8)) return smccc::Result::Code(smccc::kTrngNoEntropy);

  smccc::Result result;
  uint64_t bits_left = bits;
  for (int word = 0; word < 3; ++word) {
    uint64_t value = 0;
    for (size_t b = 0; b < bytes_per_word; ++b) {
      value |= uint64_t{bytes[word * bytes_per_word + b]} << (8 * b);
    }
    const uint64_t word_bits = bits_left < uint64_t(bits_per_word) ? bits_left : bits_per_word;
    value &= word_bits == 64 ? ~uint64_t{0} : (uint64_t{1} << word_bits) - 1;
    bits_left -= word_bits;
    result.Set(kPackingRegisters[word], value);
  }
  result.x[0] = static_cast<uint64_t>(smccc::kSuccess);
  return result;
}

}  // namespace hypercall::providers
