#include "image_loader.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::vmm {
namespace {

using ::testing::HasSubstr;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kBase = 0x40000000;

void PutLe64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A minimal arm64 Image header (booting.rst) of `size` bytes.
std::vector<uint8_t> FakeImage(uint64_t text_offset, uint64_t image_size, size_t size = 4096) {
  std::vector<uint8_t> b(size, 0);
  b[0] = 0x4d;  // "MZ", as EFI-stub kernels start.
  b[1] = 0x5a;
  PutLe64(b, 8, text_offset);
  PutLe64(b, 16, image_size);
  PutLe64(b, 24, 0xa);  // LE, 4K pages, anywhere.
  b[56] = 'A';
  b[57] = 'R';
  b[58] = 'M';
  b[59] = 0x64;
  return b;
}

TEST(ImageLoaderTest, ParsesTheHeaderOfARealLookingImage) {
  // Debian's 6.12 vmlinuz: text_offset 0, image_size 0x2b20000.
  absl::StatusOr<Arm64ImageHeader> h = ParseArm64ImageHeader(FakeImage(0, 0x2b20000));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->text_offset, 0u);
  EXPECT_EQ(h->image_size, 0x2b20000u);
}

TEST(ImageLoaderTest, OldImagesWithoutSizeUseTextOffset0x80000) {
  absl::StatusOr<Arm64ImageHeader> h = ParseArm64ImageHeader(FakeImage(0x1234, 0));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->text_offset, 0x80000u);
}

TEST(ImageLoaderTest, RejectsNonImagesGzipAndBigEndian) {
  std::vector<uint8_t> raw(4096, 0);
  EXPECT_THAT(ParseArm64ImageHeader(raw).status().message(), HasSubstr("use --guest"));
  EXPECT_FALSE(ParseArm64ImageHeader(std::vector<uint8_t>(10, 0)).ok());
  std::vector<uint8_t> gz = {0x1f, 0x8b, 8, 0};
  EXPECT_THAT(ParseArm64ImageHeader(gz).status().message(), HasSubstr("gunzip"));
  std::vector<uint8_t> be = FakeImage(0, 1 << 20);
  be[24] = 1;
  EXPECT_THAT(ParseArm64ImageHeader(be).status().message(), HasSubstr("big-endian"));
}

TEST(ImageLoaderTest, RawGuestAtRamBaseDtbInTopTwoMiB) {
  absl::StatusOr<BootLayout> l = PlanRawBoot(kBase, 256 * kMiB, 600);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->image, (GuestRange{kBase, kBase + 600}));
  EXPECT_EQ(l->entry, kBase);
  EXPECT_EQ(l->dtb, (GuestRange{kBase + 254 * kMiB, kBase + 256 * kMiB}));
  EXPECT_FALSE(l->initrd.has_value());
}

TEST(ImageLoaderTest, DtbRegionIsTwoMiBAlignedWithOddRamSizes) {
  absl::StatusOr<BootLayout> l = PlanRawBoot(kBase, 5 * kMiB, 100);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->dtb, (GuestRange{kBase + 2 * kMiB, kBase + 4 * kMiB}));
}

TEST(ImageLoaderTest, RawGuestThatDoesNotFitSaysRaiseMemory) {
  EXPECT_TRUE(PlanRawBoot(kBase, 4 * kMiB, 2 * kMiB).ok());
  absl::StatusOr<BootLayout> l = PlanRawBoot(kBase, 4 * kMiB, 2 * kMiB + 1);
  EXPECT_EQ(l.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(l.status().message(), HasSubstr("raise --memory"));
  EXPECT_THAT(l.status().message(), HasSubstr("needs about 6 MiB"));
}

TEST(ImageLoaderTest, KernelAtTextOffsetInitrdBelowDtb) {
  Arm64ImageHeader h{.text_offset = 0x80000, .image_size = 40 * kMiB};
  absl::StatusOr<BootLayout> l = PlanLinuxBoot(kBase, 256 * kMiB, h, 30 * kMiB, 5000);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->entry, kBase + 0x80000);
  EXPECT_EQ(l->image, (GuestRange{kBase + 0x80000, kBase + 0x80000 + 40 * kMiB}));
  ASSERT_TRUE(l->initrd.has_value());
  EXPECT_EQ(l->initrd->end - l->initrd->start, 5000u);
  EXPECT_LE(l->initrd->end, l->dtb.start);
  EXPECT_EQ(l->initrd->start % 4096, 0u);
  EXPECT_EQ(l->initrd->start, l->dtb.start - 2 * 4096);  // As high as 4 KiB alignment allows.
}

TEST(ImageLoaderTest, KernelReservesTheLargerOfFileAndImageSize) {
  Arm64ImageHeader h{.text_offset = 0, .image_size = kMiB};
  absl::StatusOr<BootLayout> l = PlanLinuxBoot(kBase, 64 * kMiB, h, 3 * kMiB, std::nullopt);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->image.end, kBase + 3 * kMiB);
}

TEST(ImageLoaderTest, KernelOrInitrdTooBigSaysRaiseMemory) {
  Arm64ImageHeader h{.text_offset = 0, .image_size = 60 * kMiB};
  EXPECT_THAT(PlanLinuxBoot(kBase, 32 * kMiB, h, kMiB, std::nullopt).status().message(),
              HasSubstr("the kernel does not fit in 32 MiB of guest RAM"));
  // Kernel fits; kernel + initrd does not.
  absl::StatusOr<BootLayout> l = PlanLinuxBoot(kBase, 64 * kMiB, h, kMiB, 3 * kMiB);
  EXPECT_EQ(l.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(l.status().message(), HasSubstr("the kernel with its initrd"));
  EXPECT_THAT(l.status().message(), HasSubstr("raise --memory"));
  EXPECT_TRUE(PlanLinuxBoot(kBase, 64 * kMiB, h, kMiB, 2 * kMiB).ok());
}

TEST(ImageLoaderTest, LoadsImageAndInitrdWhereTheLayoutSays) {
  std::vector<uint8_t> backing(8 * kMiB, 0);
  absl::StatusOr<shim::MappedGuestMemory> ram =
      shim::MappedGuestMemory::Create({{kBase, backing.size(), backing.data()}});
  ASSERT_TRUE(ram.ok()) << ram.status();
  Arm64ImageHeader h{.text_offset = 0x80000, .image_size = kMiB};
  std::vector<uint8_t> image = FakeImage(0x80000, kMiB, 8192);
  std::vector<uint8_t> initrd(3000, 0xab);
  absl::StatusOr<BootLayout> l =
      PlanLinuxBoot(kBase, backing.size(), h, image.size(), initrd.size());
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE(LoadBootImages(*ram, *l, image, initrd).ok());
  EXPECT_EQ(backing[0x80000 + 56], 'A');
  EXPECT_EQ(backing[l->initrd->start - kBase], 0xab);
  EXPECT_EQ(backing[l->initrd->end - kBase - 1], 0xab);
  EXPECT_EQ(backing[l->initrd->end - kBase], 0);
}

TEST(ImageLoaderTest, AnImagePastTheEndOfRamIsRefusedAndWritesNothing) {
  std::vector<uint8_t> backing(kMiB, 0);
  absl::StatusOr<shim::MappedGuestMemory> ram =
      shim::MappedGuestMemory::Create({{kBase, backing.size(), backing.data()}});
  ASSERT_TRUE(ram.ok()) << ram.status();
  const std::vector<uint8_t> image(4096, 0xcd);
  BootLayout layout;
  layout.image = {kBase + kMiB - 4095, kBase + kMiB + 1};
  absl::Status s = LoadBootImages(*ram, layout, image, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("4096 bytes at 0x400ff001"));
  EXPECT_EQ(std::count(backing.begin(), backing.end(), 0xcd), 0);
}

TEST(ImageLoaderTest, ReadGuestFileNamesWhatAndWhere) {
  absl::StatusOr<std::vector<uint8_t>> missing = ReadGuestFile("/nonexistent/k", "kernel");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("the kernel '/nonexistent/k'"));

  char path[] = "/tmp/vmm_loader_test_XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const char data[] = "hello";
  ASSERT_EQ(write(fd, data, 5), 5);
  close(fd);
  absl::StatusOr<std::vector<uint8_t>> read = ReadGuestFile(path, "guest");
  unlink(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(std::string(read->begin(), read->end()), "hello");
}

}  // namespace
}  // namespace hypercall::vmm
