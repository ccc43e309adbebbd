#include "mmio_bus.h"

#include <cstring>
#include <vector>

#include "exit_device.h"
#include "gtest/gtest.h"

namespace hypercall::vmm {
namespace {

struct Access {
  uint64_t offset;
  uint64_t value;
  int size;
};

class RecordingDevice : public MmioDevice {
 public:
  uint64_t Read(uint64_t offset, int size) override {
    reads.push_back({offset, 0, size});
    return 0x1122334455667788ull;
  }
  void Write(uint64_t offset, uint64_t value, int size) override {
    writes.push_back({offset, value, size});
  }
  std::vector<Access> reads, writes;
};

TEST(MmioBusTest, DispatchesByAddressWithLittleEndianData) {
  RecordingDevice a, b;
  MmioBus bus;
  ASSERT_TRUE(bus.Add(0x9000000, 0x1000, a, "a").ok());
  ASSERT_TRUE(bus.Add(0x9010000, 0x1000, b, "b").ok());

  uint8_t data[8] = {0x78, 0x56, 0x34, 0x12};
  EXPECT_TRUE(bus.Access(0x9010000, {data, 4}, /*is_write=*/true));
  ASSERT_EQ(b.writes.size(), 1u);
  EXPECT_EQ(b.writes[0].offset, 0u);
  EXPECT_EQ(b.writes[0].value, 0x12345678u);
  EXPECT_EQ(b.writes[0].size, 4);

  std::memset(data, 0, sizeof(data));
  EXPECT_TRUE(bus.Access(0x9000005, {data, 2}, /*is_write=*/false));
  ASSERT_EQ(a.reads.size(), 1u);
  EXPECT_EQ(a.reads[0].offset, 5u);
  EXPECT_EQ(data[0], 0x88);
  EXPECT_EQ(data[1], 0x77);
  EXPECT_EQ(data[2], 0);  // Only `size` bytes are filled.
}

TEST(MmioBusTest, UnmappedReadsZeroAndReportsFalse) {
  RecordingDevice a;
  MmioBus bus;
  ASSERT_TRUE(bus.Add(0x9000000, 0x1000, a, "a").ok());
  uint8_t data[4] = {1, 2, 3, 4};
  EXPECT_FALSE(bus.Access(0x9001000, data, /*is_write=*/false));
  EXPECT_EQ(data[0], 0);
  EXPECT_EQ(data[3], 0);
  EXPECT_FALSE(bus.Access(0x8fff000, data, /*is_write=*/true));
  EXPECT_TRUE(a.reads.empty());
  EXPECT_TRUE(a.writes.empty());
}

TEST(MmioBusTest, RefusesOverlappingAndEmptyRanges) {
  RecordingDevice a;
  MmioBus bus;
  ASSERT_TRUE(bus.Add(0x1000, 0x1000, a, "a").ok());
  EXPECT_FALSE(bus.Add(0x1fff, 0x10, a, "b").ok());
  EXPECT_FALSE(bus.Add(0x0, 0x1001, a, "c").ok());
  EXPECT_FALSE(bus.Add(0x5000, 0, a, "d").ok());
  EXPECT_TRUE(bus.Add(0x2000, 0x10, a, "e").ok());
}

TEST(ExitDeviceTest, StoreAtOffsetZeroExitsWithTheLowByte) {
  std::vector<std::pair<int, uint64_t>> exits;
  ExitDevice device([&](int status, uint64_t value) { exits.push_back({status, value}); });
  device.Write(4, 7, 4);  // Elsewhere: ignored.
  EXPECT_TRUE(exits.empty());
  device.Write(0, 0x103, 4);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].first, 3);
  EXPECT_EQ(exits[0].second, 0x103u);
  EXPECT_EQ(device.Read(0, 4), 0u);
}

}  // namespace
}  // namespace hypercall::vmm
