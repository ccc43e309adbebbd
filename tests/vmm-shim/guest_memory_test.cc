// MappedGuestMemory's bounds checks: whole ranges inside one region, edges,
// straddling, wrapping at 2^64, no regions, and refused accesses touching
// nothing.
#include "hypercall/shim/guest_memory.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::shim {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kTop = ~uint64_t{0};

// Two regions adjacent in guest-physical space, [0x1000, 0x1010) and
// [0x1010, 0x1020), backed by separate buffers, plus [0x8000, 0x8008).
class GuestMemoryTest : public ::testing::Test {
 protected:
  GuestMemoryTest() : low_(16, 0xaa), high_(16, 0xbb), far_(8, 0xcc) {
    // Deliberately unsorted.
    absl::StatusOr<MappedGuestMemory> m =
        MappedGuestMemory::Create({{0x8000, far_.size(), far_.data()},
                                   {0x1010, high_.size(), high_.data()},
                                   {0x1000, low_.size(), low_.data()}});
    EXPECT_TRUE(m.ok()) << m.status();
    memory_.emplace(*std::move(m));
  }

  bool Untouched() const {
    return std::count(low_.begin(), low_.end(), 0xaa) == 16 &&
           std::count(high_.begin(), high_.end(), 0xbb) == 16 &&
           std::count(far_.begin(), far_.end(), 0xcc) == 8;
  }

  std::vector<uint8_t> low_, high_, far_;
  std::optional<MappedGuestMemory> memory_;
};

TEST_F(GuestMemoryTest, RegionsAreKeptSorted) {
  ASSERT_EQ(memory_->regions().size(), 3u);
  EXPECT_EQ(memory_->regions()[0].guest_phys_addr, 0x1000u);
  EXPECT_EQ(memory_->regions()[1].guest_phys_addr, 0x1010u);
  EXPECT_EQ(memory_->regions()[2].guest_phys_addr, 0x8000u);
}

TEST_F(GuestMemoryTest, ContainsChecksTheWholeRangeAgainstOneRegion) {
  EXPECT_TRUE(memory_->Contains(0x1000, 16));  // All of the first region.
  EXPECT_TRUE(memory_->Contains(0x100f, 1));   // Its last byte.
  EXPECT_TRUE(memory_->Contains(0x1010, 16));  // All of the second.
  EXPECT_TRUE(memory_->Contains(0x8000, 8));
  EXPECT_FALSE(memory_->Contains(0xfff, 1));    // Just before the first.
  EXPECT_FALSE(memory_->Contains(0xfff, 2));    // Starting before it.
  EXPECT_FALSE(memory_->Contains(0x1000, 17));  // One past: into the next region.
  EXPECT_FALSE(memory_->Contains(0x100f, 2));   // Straddling the two adjacent ones.
  EXPECT_FALSE(memory_->Contains(0x1000, 32));  // Both, exactly.
  EXPECT_FALSE(memory_->Contains(0x1020, 1));   // Just past the second.
  EXPECT_FALSE(memory_->Contains(0x8008, 1));   // Just past the last.
  EXPECT_FALSE(memory_->Contains(0x4000, 1));   // In a hole.
  EXPECT_FALSE(memory_->Contains(0x8000, kTop));
  EXPECT_FALSE(memory_->Contains(kTop, 1));
  EXPECT_FALSE(memory_->Contains(0x8004, kTop - 1));  // Wraps to 0x8002.
  // Nothing, at a region's end or inside one; not in a hole.
  EXPECT_TRUE(memory_->Contains(0x8008, 0));
  EXPECT_TRUE(memory_->Contains(0x1004, 0));
  EXPECT_FALSE(memory_->Contains(0x4000, 0));
}

TEST_F(GuestMemoryTest, ReadsAndWritesInsideOneRegion) {
  const uint8_t in[] = {1, 2, 3, 4};
  ASSERT_TRUE(memory_->Write(0x100c, in).ok());
  EXPECT_EQ(low_[11], 0xaa);
  EXPECT_EQ(low_[12], 1);
  EXPECT_EQ(low_[15], 4);
  EXPECT_EQ(high_[0], 0xbb);
  ASSERT_TRUE(memory_->Write(0x1010, in).ok());
  EXPECT_EQ(high_[0], 1);
  EXPECT_EQ(low_[15], 4);

  std::vector<uint8_t> out(6, 0);
  ASSERT_TRUE(memory_->Read(0x100a, out).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{0xaa, 0xaa, 1, 2, 3, 4}));
  std::vector<uint8_t> far(8);
  ASSERT_TRUE(memory_->Read(0x8000, far).ok());
  EXPECT_EQ(far, far_);
}

TEST_F(GuestMemoryTest, RefusedAccessesTouchNothingAndSayWhere) {
  const std::vector<uint8_t> in(4, 0x11);
  for (uint64_t gpa : {uint64_t{0xffd}, uint64_t{0x100d}, uint64_t{0x101d}, uint64_t{0x8005},
                       uint64_t{0x4000}, kTop - 1, kTop}) {
    absl::Status s = memory_->Write(gpa, in);
    EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange) << std::hex << gpa;
  }
  EXPECT_TRUE(Untouched());

  std::vector<uint8_t> out(4, 0x77);
  absl::Status s = memory_->Read(0x100e, out);
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("4 bytes at 0x100e do not fit in one guest RAM region"));
  EXPECT_THAT(s.message(), HasSubstr("[0x1000, 0x1010), [0x1010, 0x1020), [0x8000, 0x8008)"));
  EXPECT_EQ(out, std::vector<uint8_t>(4, 0x77));
}

TEST(MappedGuestMemoryTest, ARegionMayEndExactlyAtTwoToThe64) {
  std::vector<uint8_t> top(64, 0);
  absl::StatusOr<MappedGuestMemory> m =
      MappedGuestMemory::Create({{kTop - 63, top.size(), top.data()}});
  ASSERT_TRUE(m.ok()) << m.status();
  const std::vector<uint8_t> in(64, 0x5a);
  EXPECT_TRUE(m->Contains(kTop - 63, 64));
  EXPECT_TRUE(m->Contains(kTop, 1));
  EXPECT_FALSE(m->Contains(kTop - 62, 64)) << "wraps past 2^64";
  EXPECT_FALSE(m->Contains(kTop, 2)) << "wraps past 2^64";
  EXPECT_EQ(m->Write(kTop - 62, in).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(std::count(top.begin(), top.end(), 0x5a), 0);
  ASSERT_TRUE(m->Write(kTop - 63, in).ok());
  EXPECT_EQ(top, in);
  std::vector<uint8_t> two(2);
  EXPECT_THAT(m->Read(kTop, two).ToString(),
              HasSubstr("[0xffffffffffffffc0, 0x10000000000000000)"));
}

TEST(MappedGuestMemoryTest, WithoutRegionsEveryAccessIsRefused) {
  absl::StatusOr<MappedGuestMemory> m = MappedGuestMemory::Create({});
  ASSERT_TRUE(m.ok()) << m.status();
  std::vector<uint8_t> buffer(1);
  EXPECT_FALSE(m->Contains(0, 0));
  EXPECT_FALSE(m->Contains(0x40000000, 1));
  absl::Status s = m->Read(0x40000000, buffer);
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("the VM has no RAM"));
  EXPECT_EQ(m->Write(0, buffer).code(), absl::StatusCode::kOutOfRange);
}

TEST(MappedGuestMemoryTest, BadRegionsAreRefusedNamingThem) {
  uint8_t a[16], b[16];
  struct Case {
    std::vector<MappedRamRegion> regions;
    const char* says;
  };
  const Case cases[] = {
      {{{0x1000, 0, a}}, "RAM region 0 at 0x1000 is empty"},
      {{{0x1000, 16, a}, {0x2000, 16, nullptr}}, "RAM region 1 [0x2000, 0x2010) has no host"},
      {{{kTop - 14, 16, a}}, "wrap past 2^64"},
      {{{0x1000, 16, a}, {0x100f, 16, b}}, "[0x1000, 0x1010) and [0x100f, 0x101f) overlap"},
      {{{0x1000, 16, a}, {0x1000, 16, b}}, "overlap"},
      {{{0x1008, 16, a}, {0x1000, 1, b}, {0x1004, 5, b}}, "[0x1004, 0x1009) and [0x1008, 0x1018)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<MappedGuestMemory> m = MappedGuestMemory::Create(c.regions);
    ASSERT_FALSE(m.ok()) << c.says;
    EXPECT_TRUE(absl::IsInvalidArgument(m.status()));
    EXPECT_THAT(m.status().message(), HasSubstr(c.says));
  }
}

TEST(MappedGuestMemoryTest, VcpusReadAndWriteConcurrently) {
  constexpr int kThreads = 4;
  std::vector<uint8_t> ram(kThreads * 64, 0);
  absl::StatusOr<MappedGuestMemory> m =
      MappedGuestMemory::Create({{0x40000000, ram.size(), ram.data()}});
  ASSERT_TRUE(m.ok()) << m.status();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const uint64_t gpa = 0x40000000 + 64 * t;
      std::vector<uint8_t> in(64), out(64);
      for (int i = 0; i < 1000; ++i) {
        std::fill(in.begin(), in.end(), static_cast<uint8_t>(t * 16 + i));
        if (!m->Write(gpa, in).ok() || !m->Read(gpa, out).ok() || out != in) ++wrong;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace hypercall::shim
