#include "guest_ram.h"

#include <vector>

#include "gtest/gtest.h"

namespace hypercall::vmm {
namespace {

TEST(GuestRamTest, WritesInsideAndRefusesOutside) {
  std::vector<uint8_t> backing(16, 0);
  GuestRam ram(0x1000, backing);
  const uint8_t bytes[] = {1, 2, 3, 4};
  ASSERT_TRUE(ram.Write(0x100c, bytes).ok());
  EXPECT_EQ(backing[12], 1);
  EXPECT_EQ(backing[15], 4);
  EXPECT_EQ(ram.Write(0x100d, bytes).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ram.Write(0xfff, bytes).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ram.Write(~0ull - 1, bytes).code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(ram.Write(0x1010, {}).ok());  // Nothing, at the very end.
  EXPECT_EQ(backing[13], 2);
}

TEST(GuestRamTest, ContainsChecksTheWholeRange) {
  std::vector<uint8_t> backing(16, 7);
  GuestRam ram(0x1000, backing);
  EXPECT_TRUE(ram.Contains(0x1004, 4));
  EXPECT_TRUE(ram.Contains(0x1000, 16));
  EXPECT_FALSE(ram.Contains(0x100f, 2));
  EXPECT_FALSE(ram.Contains(0x1000, ~0ull));
  EXPECT_EQ(ram.end(), 0x1010u);
}

TEST(GuestRamTest, RamMappingIsZeroedAndWritable) {
  absl::StatusOr<RamMapping> m = RamMapping::Create(1 << 20);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->bytes().size(), 1u << 20);
  EXPECT_EQ(m->bytes()[12345], 0);
  m->bytes()[12345] = 9;
  RamMapping moved = *std::move(m);
  EXPECT_EQ(moved.bytes()[12345], 9);
}

}  // namespace
}  // namespace hypercall::vmm
