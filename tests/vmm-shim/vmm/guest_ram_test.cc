#include "guest_ram.h"

#include <vector>

#include "gtest/gtest.h"

namespace hypercall::vmm {
namespace {

TEST(GuestRamTest, RamMappingIsZeroedAndWritable) {
  absl::StatusOr<RamMapping> m = RamMapping::Create(1 << 20);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->bytes().size(), 1u << 20);
  EXPECT_EQ(m->bytes()[12345], 0);
  m->bytes()[12345] = 9;
  RamMapping moved = *std::move(m);
  EXPECT_EQ(moved.bytes()[12345], 9);
}

// hypercall-vmm's RAM as the loaders and the shim reach it.
TEST(GuestRamTest, RamMappingAtAnAddressIsTheShimsGuestMemory) {
  absl::StatusOr<RamMapping> m = RamMapping::Create(1 << 20);
  ASSERT_TRUE(m.ok()) << m.status();
  absl::StatusOr<shim::MappedGuestMemory> ram =
      shim::MappedGuestMemory::Create({m->At(0x40000000)});
  ASSERT_TRUE(ram.ok()) << ram.status();
  const uint8_t bytes[] = {1, 2, 3, 4};
  ASSERT_TRUE(ram->Write(0x400ffffc, bytes).ok());
  EXPECT_EQ(m->bytes()[(1 << 20) - 4], 1);
  EXPECT_EQ(m->bytes()[(1 << 20) - 1], 4);
  EXPECT_EQ(ram->Write(0x400ffffd, bytes).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ram->Write(0x3fffffff, bytes).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(m->bytes()[(1 << 20) - 3], 2);
  EXPECT_EQ(m->bytes()[0], 0);
}

}  // namespace
}  // namespace hypercall::vmm
