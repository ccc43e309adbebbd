// The shim's side of guest memory operands against a stand-in daemon whose
// answers each test chooses: what a call carries out of guest RAM, what a
// result writes back (and when: before the registers), the calls answered
// locally for a bad address, and results that break the rules.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fake_daemon.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "smccc/memory_operand.h"
#include "wire/convert.h"

namespace hypercall::shim::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kNotSupported64 = ~uint64_t{0};
constexpr uint64_t kInvalidParameter64 = static_cast<uint64_t>(-3);

// Guest RAM: two regions adjacent in guest-physical space, separately backed.
constexpr uint64_t kRamA = 0x40000000;
constexpr uint64_t kRamB = 0x40001000;
constexpr uint64_t kRegionSize = 0x1000;
constexpr uint64_t kRamEnd = kRamB + kRegionSize;

// The plan: one function per range, like the probe's memory functions.
constexpr uint32_t kReverse = 0xc3000003;    // [0] x1 -> 64 in, [1] x2 -> 64 out
constexpr uint32_t kXor = 0xc3000004;        // [0] x1 -> 64 inout
constexpr uint32_t kWhen = 0xc3000005;       // [0] x2 -> 16 out when (x1 & 1) == 0; bad x0 5
constexpr uint32_t kPlain = 0xc3000006;      // reads x1, no operands
constexpr uint32_t kReverse32 = 0x83000003;  // as kReverse, SMC32

void AddRange(v1::ForwardingPlan& plan, uint32_t fid, uint32_t mask,
              const std::vector<smccc::MemoryOperand>& memory) {
  v1::PlannedRange* r = plan.add_ranges();
  r->set_first_function_id(fid);
  r->set_count(1);
  r->set_args_read_mask(mask);
  r->set_provider("fake");
  wire::ToProto(memory, *r->mutable_memory());
}

v1::ForwardingPlan MemoryPlan() {
  using enum smccc::MemoryDirection;
  smccc::MemoryOperand when = smccc::MemoryOperand::At(2, 16, kOut);
  when.when_register = 1;
  when.when_mask = 1;
  when.bad_address_x0 = 5;
  v1::ForwardingPlan plan;
  AddRange(plan, kReverse32, 0x6,
           {smccc::MemoryOperand::At(1, 64, kIn), smccc::MemoryOperand::At(2, 64, kOut)});
  AddRange(plan, kReverse, 0x6,
           {smccc::MemoryOperand::At(1, 64, kIn), smccc::MemoryOperand::At(2, 64, kOut)});
  AddRange(plan, kXor, 0x6, {smccc::MemoryOperand::At(1, 64, kInOut)});
  AddRange(plan, kWhen, 0x6, {when});
  AddRange(plan, kPlain, 0x2, {});
  return plan;
}

// A result with x0 = `x0` (and x1 = `x1` when given).
v1::Result Answer(uint64_t x0, std::optional<uint64_t> x1 = std::nullopt) {
  v1::Result result;
  result.add_regs(x0);
  result.set_written_mask(1);
  if (x1) {
    result.add_regs(*x1);
    result.set_written_mask(3);
  }
  return result;
}

void AddBytes(v1::Result& result, uint32_t operand, const std::string& data) {
  v1::MemoryBytes* bytes = result.add_memory();
  bytes->set_operand(operand);
  bytes->set_data(data);
}

std::string Pattern(size_t n, uint8_t first) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(first + i);
  return s;
}

// "in buffer just past RAM" -> "inbufferjustpastRAM", for parameterized test names.
std::string TestName(const char* what) {
  std::string name;
  for (const char* p = what; *p != '\0'; ++p) {
    if (std::isalnum(static_cast<unsigned char>(*p))) name += *p;
  }
  return name;
}

// The test's MappedGuestMemory, counting accesses; writes can be refused.
class CountingMemory : public GuestMemory {
 public:
  explicit CountingMemory(MappedGuestMemory inner) : inner_(std::move(inner)) {}
  bool Contains(uint64_t gpa, uint64_t length) const override {
    ++checks;
    return inner_.Contains(gpa, length);
  }
  absl::Status Read(uint64_t gpa, std::span<uint8_t> out) const override {
    ++reads;
    return inner_.Read(gpa, out);
  }
  absl::Status Write(uint64_t gpa, std::span<const uint8_t> data) override {
    ++writes;
    if (refuse_writes) return absl::OutOfRangeError("this RAM went away");
    return inner_.Write(gpa, data);
  }
  mutable int checks = 0;
  mutable int reads = 0;
  int writes = 0;
  bool refuse_writes = false;

 private:
  MappedGuestMemory inner_;
};

// A simulated vCPU that runs `on_x0_write` just before x0 is written.
class WatchingVcpu : public SimulatedVcpu {
 public:
  std::function<void()> on_x0_write;

 protected:
  absl::Status DoWriteRegister(int index, uint64_t value) override {
    if (index == 0 && on_x0_write) on_x0_write();
    return SimulatedVcpu::DoWriteRegister(index, value);
  }
};

class ShimMemoryTest : public ::testing::Test {
 protected:
  ShimMemoryTest() : ram_a_(kRegionSize, 0xa5), ram_b_(kRegionSize, 0xb6) {}

  void SetUp() override {
    auto daemon = FakeDaemon::Start(MemoryPlan(), [this](const v1::Call& call) {
      return respond_ ? respond_(call) : Answer(0);
    });
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    auto mapped = MappedGuestMemory::Create(
        {{kRamA, kRegionSize, ram_a_.data()}, {kRamB, kRegionSize, ram_b_.data()}});
    ASSERT_TRUE(mapped.ok()) << mapped.status();
    memory_.emplace(*std::move(mapped));
    shim_ = Connect(&*memory_);
    ASSERT_NE(shim_, nullptr);
  }

  std::unique_ptr<Shim> Connect(GuestMemory* memory) {
    VmDescription vm;
    vm.name = "memory-vm";
    vm.ram = {{kRamA, kRegionSize}, {kRamB, kRegionSize}};
    ShimOptions options;
    options.runtime_dir = daemon_->runtime_dir();
    options.call_deadline = std::chrono::milliseconds(2000);
    options.log = [this](LogSeverity, const std::string& line) {
      absl::MutexLock lock(&log_mu_);
      log_.push_back(line);
    };
    auto shim = Shim::Connect(vm, options, memory);
    EXPECT_TRUE(shim.ok()) << shim.status();
    return shim.ok() ? *std::move(shim) : nullptr;
  }

  CallOutcome Call(uint32_t fid, std::initializer_list<uint64_t> args,
                   smccc::Conduit conduit = smccc::Conduit::kSmc) {
    vcpu_.Issue(fid, args, conduit);
    absl::StatusOr<CallOutcome> outcome = shim_->HandleHypercall(0, vcpu_);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    return outcome.ok() ? *outcome : CallOutcome{};
  }

  // Guest RAM at `gpa` (in either region), `n` bytes.
  std::string Ram(uint64_t gpa, size_t n) const {
    const std::vector<uint8_t>& region = gpa >= kRamB ? ram_b_ : ram_a_;
    const uint64_t base = gpa >= kRamB ? kRamB : kRamA;
    return std::string(reinterpret_cast<const char*>(region.data()) + (gpa - base), n);
  }
  void SetRam(uint64_t gpa, const std::string& bytes) {
    std::vector<uint8_t>& region = gpa >= kRamB ? ram_b_ : ram_a_;
    std::memcpy(region.data() + (gpa - (gpa >= kRamB ? kRamB : kRamA)), bytes.data(), bytes.size());
  }
  bool RamUntouched() const {
    return std::count(ram_a_.begin(), ram_a_.end(), 0xa5) == kRegionSize &&
           std::count(ram_b_.begin(), ram_b_.end(), 0xb6) == kRegionSize;
  }
  size_t LogLinesWith(const std::string& text) {
    absl::MutexLock lock(&log_mu_);
    return std::count_if(log_.begin(), log_.end(), [&](const std::string& line) {
      return line.find(text) != std::string::npos;
    });
  }

  std::vector<uint8_t> ram_a_, ram_b_;
  std::optional<CountingMemory> memory_;
  std::function<v1::Result(const v1::Call&)> respond_;
  std::unique_ptr<FakeDaemon> daemon_;
  std::unique_ptr<Shim> shim_;
  WatchingVcpu vcpu_;
  absl::Mutex log_mu_;
  std::vector<std::string> log_ ABSL_GUARDED_BY(log_mu_);
};

TEST_F(ShimMemoryTest, InBytesGoWithTheCallAndOutBytesLandBeforeTheRegisters) {
  const std::string input = Pattern(64, 0x10);
  SetRam(kRamA + 0x100, input);
  const std::string output = Pattern(64, 0x80);
  respond_ = [&](const v1::Call&) {
    v1::Result r = Answer(0, 0x1234);
    AddBytes(r, 1, output);
    return r;
  };
  std::string ram_at_x0_write;
  vcpu_.on_x0_write = [&] { ram_at_x0_write = Ram(kRamB + 0x40, 64); };
  for (int i = 3; i < smccc::kNumRegisters; ++i) vcpu_.set_x(i, 0x5e5e0000 + i);

  CallOutcome out = Call(kReverse, {kRamA + 0x100, kRamB + 0x40});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;

  const std::vector<v1::Call> calls = daemon_->calls();
  ASSERT_EQ(calls.size(), 1u);
  ASSERT_EQ(calls[0].memory_size(), 2);
  const v1::MemoryBytes& in = calls[0].memory(0);
  EXPECT_EQ(in.operand(), 0u);
  EXPECT_EQ(in.guest_phys_addr(), kRamA + 0x100);
  EXPECT_EQ(in.length(), 64u);
  EXPECT_EQ(in.direction(), v1::MemoryOperand::IN);
  EXPECT_EQ(in.data(), input);
  const v1::MemoryBytes& out_entry = calls[0].memory(1);
  EXPECT_EQ(out_entry.operand(), 1u);
  EXPECT_EQ(out_entry.guest_phys_addr(), kRamB + 0x40);
  EXPECT_EQ(out_entry.length(), 64u);
  EXPECT_EQ(out_entry.direction(), v1::MemoryOperand::OUT);
  EXPECT_THAT(out_entry.data(), IsEmpty());

  EXPECT_EQ(Ram(kRamB + 0x40, 64), output);
  EXPECT_EQ(ram_at_x0_write, output) << "guest memory must be written before the registers";
  EXPECT_EQ(Ram(kRamB + 0x3f, 1), "\xb6") << "nothing before the buffer";
  EXPECT_EQ(Ram(kRamB + 0x80, 1), "\xb6") << "nothing after it";
  EXPECT_EQ(Ram(kRamA + 0x100, 64), input) << "an IN buffer is not written";
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), 0x1234u);
  EXPECT_EQ(vcpu_.x(2), kRamB + 0x40);
  for (int i = 3; i < smccc::kNumRegisters; ++i) EXPECT_EQ(vcpu_.x(i), 0x5e5e0000u + i);
  // Memory costs no register accesses: x1 and x2 read, x0 and x1 written.
  EXPECT_EQ(out.registers.reads, 2u);
  EXPECT_EQ(out.registers.writes, 2u);
  EXPECT_EQ(out.result.memory.size(), 1u);
}

TEST_F(ShimMemoryTest, InoutBytesGoAndComeBackAndAShortResultWritesOnlyItsBytes) {
  const std::string input = Pattern(64, 0x01);
  SetRam(kRamB + kRegionSize - 64, input);  // The very end of RAM.
  respond_ = [&](const v1::Call& call) {
    EXPECT_EQ(call.memory(0).direction(), v1::MemoryOperand::INOUT);
    EXPECT_EQ(call.memory(0).data(), input);
    v1::Result r = Answer(0);
    AddBytes(r, 0, "xyz");
    return r;
  };
  CallOutcome out = Call(kXor, {kRamEnd - 64, 0xff});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(Ram(kRamEnd - 64, 64), "xyz" + input.substr(3));
}

TEST_F(ShimMemoryTest, AResultWithoutBuffersLeavesMemoryAlone) {
  respond_ = [](const v1::Call&) { return Answer(0); };
  CallOutcome out = Call(kReverse, {kRamA, kRamB});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(memory_->writes, 0);
  EXPECT_TRUE(RamUntouched());
}

TEST_F(ShimMemoryTest, AConditionalOperandIsPassedOnlyWhenItsConditionHolds) {
  CallOutcome out = Call(kWhen, {1, kRamEnd});  // Bit 0 set: no memory, any x2.
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  out = Call(kWhen, {2, kRamA + 8});  // Bit 0 clear: x2 -> 16 bytes out.
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  const std::vector<v1::Call> calls = daemon_->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].memory_size(), 0);
  ASSERT_EQ(calls[1].memory_size(), 1);
  EXPECT_EQ(calls[1].memory(0).guest_phys_addr(), kRamA + 8);
  EXPECT_EQ(calls[1].memory(0).length(), 16u);
  EXPECT_EQ(memory_->reads + memory_->writes, 0) << "an OUT buffer is only bounds-checked";
  EXPECT_EQ(memory_->checks, 1);
}

TEST_F(ShimMemoryTest, CallsWithoutOperandsTouchNoMemory) {
  CallOutcome out = Call(kPlain, {kRamA});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(daemon_->calls()[0].memory_size(), 0);
  EXPECT_EQ(memory_->checks + memory_->reads + memory_->writes, 0);
  EXPECT_EQ(out.registers.reads, 1u);
}

struct BadAddressCase {
  const char* what;
  uint32_t fid;
  uint64_t x1, x2;
  uint64_t x0;  // What the guest gets.
  const char* detail;
};

class ShimBadAddressTest : public ShimMemoryTest,
                           public ::testing::WithParamInterface<BadAddressCase> {};

TEST_P(ShimBadAddressTest, IsAnsweredLocallyWithoutTouchingMemory) {
  const BadAddressCase& c = GetParam();
  for (int i = 1; i < smccc::kNumRegisters; ++i) vcpu_.set_x(i, 0x5e5e0000 + i);
  CallOutcome out = Call(c.fid, {c.x1, c.x2});
  EXPECT_EQ(out.disposition, Disposition::kBadAddress);
  EXPECT_THAT(out.detail, HasSubstr(c.detail));
  EXPECT_EQ(vcpu_.x(0), c.x0);
  EXPECT_EQ(vcpu_.x(1), c.x1) << "only x0 is written";
  EXPECT_EQ(vcpu_.x(2), c.x2);
  for (int i = 3; i < smccc::kNumRegisters; ++i) EXPECT_EQ(vcpu_.x(i), 0x5e5e0000u + i);
  EXPECT_EQ(out.registers.reads, 2u);
  EXPECT_EQ(out.registers.writes, 1u);
  EXPECT_THAT(daemon_->calls(), IsEmpty()) << "nothing is forwarded";
  EXPECT_EQ(memory_->writes, 0);
  EXPECT_TRUE(RamUntouched());
  const VcpuStats stats = shim_->vcpu_stats(0);
  EXPECT_EQ(stats.calls, 1u);
  EXPECT_EQ(stats.bad_address, 1u);
  EXPECT_EQ(stats.brokered, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Addresses, ShimBadAddressTest,
    ::testing::Values(BadAddressCase{"in buffer just past the end of RAM", kReverse, kRamEnd - 63,
                                     kRamA, kInvalidParameter64,
                                     "memory operand 0 (x1 -> 64 bytes in)"},
                      BadAddressCase{"in buffer straddling the two regions", kReverse, kRamB - 32,
                                     kRamA, kInvalidParameter64, "64 bytes at 0x40000fe0"},
                      BadAddressCase{"in buffer below RAM", kReverse, kRamA - 1, kRamA,
                                     kInvalidParameter64, "64 bytes at 0x3fffffff"},
                      BadAddressCase{"out buffer just past the end of RAM", kReverse, kRamA,
                                     kRamEnd - 63, kInvalidParameter64,
                                     "memory operand 1 (x2 -> 64 bytes out)"},
                      BadAddressCase{"out buffer straddling", kReverse, kRamA, kRamB - 1,
                                     kInvalidParameter64, "64 bytes at 0x40000fff"},
                      BadAddressCase{"out buffer wrapping past 2^64", kReverse, kRamA, ~uint64_t{0},
                                     kInvalidParameter64, "64 bytes at 0xffffffffffffffff"},
                      BadAddressCase{"inout buffer wrapping", kXor, ~uint64_t{0} - 8, 0,
                                     kInvalidParameter64, "x1 -> 64 bytes inout"},
                      BadAddressCase{"the operand's own bad-address x0", kWhen, 0, kRamEnd - 15, 5,
                                     "x2 -> 16 bytes out, when (x1 & 0x1) == 0x0"}),
    [](const auto& info) { return TestName(info.param.what); });

TEST_F(ShimMemoryTest, Smc32UsesW1AndW2AsAddressesAndAnswersBadAddressesInW0) {
  const std::string input = Pattern(64, 0x40);
  SetRam(kRamA + 0x200, input);
  respond_ = [&](const v1::Call& call) {
    EXPECT_EQ(call.memory(0).guest_phys_addr(), kRamA + 0x200);
    EXPECT_EQ(call.memory(0).data(), input);
    v1::Result r = Answer(0);
    AddBytes(r, 1, std::string(input.rbegin(), input.rend()));
    return r;
  };
  // The upper halves of x1 and x2 are not the callee's: w1, w2 are the addresses.
  CallOutcome out =
      Call(kReverse32, {0xdead000000000000 | (kRamA + 0x200), 0xbeef00000000 | kRamB});
  ASSERT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(Ram(kRamB, 64), std::string(input.rbegin(), input.rend()));

  out = Call(kReverse32, {0xffffffff00000000 | (kRamEnd - 32), kRamA});
  EXPECT_EQ(out.disposition, Disposition::kBadAddress);
  EXPECT_THAT(out.detail, HasSubstr("64 bytes at 0x40001fe0"));
  EXPECT_EQ(vcpu_.x(0), 0xfffffffdu) << "INVALID_PARAMETER as w0";
}

TEST_F(ShimMemoryTest, WithoutGuestMemoryEveryCallPassingABufferGetsItsBadAddressX0) {
  shim_.reset();
  shim_ = Connect(nullptr);
  ASSERT_NE(shim_, nullptr);
  CallOutcome out = Call(kReverse, {kRamA, kRamB});
  EXPECT_EQ(out.disposition, Disposition::kBadAddress);
  EXPECT_THAT(out.detail, HasSubstr("no guest memory"));
  EXPECT_EQ(vcpu_.x(0), kInvalidParameter64);
  out = Call(kWhen, {0, kRamA});
  EXPECT_EQ(out.disposition, Disposition::kBadAddress);
  EXPECT_EQ(vcpu_.x(0), 5u);
  // No operand applies: brokered as usual.
  out = Call(kWhen, {1, kRamA});
  EXPECT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  out = Call(kPlain, {0});
  EXPECT_EQ(out.disposition, Disposition::kBrokered) << out.detail;
  EXPECT_EQ(daemon_->calls().size(), 2u);
  EXPECT_EQ(shim_->vcpu_stats(0).bad_address, 2u);
}

struct MalformedCase {
  const char* what;
  uint32_t fid;
  std::function<void(v1::Result&)> spoil;
  const char* says;
};

class ShimMalformedResultTest : public ShimMemoryTest,
                                public ::testing::WithParamInterface<MalformedCase> {};

TEST_P(ShimMalformedResultTest, IsNotAppliedAndTheGuestGetsNotSupported) {
  const MalformedCase& c = GetParam();
  respond_ = [&](const v1::Call&) {
    v1::Result r = Answer(0, 77);
    c.spoil(r);
    return r;
  };
  vcpu_.set_x(3, 0x3333);
  CallOutcome out = Call(c.fid, {kRamA, kRamB});
  EXPECT_EQ(out.disposition, Disposition::kMalformedResult);
  EXPECT_THAT(out.detail, HasSubstr(c.says));
  EXPECT_EQ(vcpu_.x(0), kNotSupported64);
  EXPECT_EQ(vcpu_.x(1), kRamA) << "only x0 is written";
  EXPECT_EQ(vcpu_.x(3), 0x3333u);
  EXPECT_EQ(out.registers.writes, 1u);
  EXPECT_EQ(memory_->writes, 0);
  EXPECT_TRUE(RamUntouched());
  // Not the daemon's absence: still attached, no re-attach.
  EXPECT_TRUE(shim_->connected());
  EXPECT_EQ(shim_->attach_count(), 1u);
  EXPECT_EQ(shim_->vcpu_stats(0).malformed_result, 1u);
  EXPECT_EQ(shim_->vcpu_stats(0).unavailable, 0u);
  EXPECT_EQ(LogLinesWith(c.says), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Results, ShimMalformedResultTest,
    ::testing::Values(
        MalformedCase{"writes the in buffer", kReverse, [](v1::Result& r) { AddBytes(r, 0, "x"); },
                      "which is an 'in' operand"},
        MalformedCase{"writes an operand the call did not pass", kReverse,
                      [](v1::Result& r) { AddBytes(r, 2, "x"); }, "which the call did not pass"},
        MalformedCase{"writes memory for a call without operands", kPlain,
                      [](v1::Result& r) { AddBytes(r, 0, "x"); }, "which the call did not pass"},
        MalformedCase{"writes a buffer twice", kReverse,
                      [](v1::Result& r) {
                        AddBytes(r, 1, "x");
                        AddBytes(r, 1, "y");
                      },
                      "twice"},
        MalformedCase{"writes more than the buffer's length", kReverse,
                      [](v1::Result& r) { AddBytes(r, 1, std::string(65, 'x')); },
                      "65 bytes to memory operand 1"}),
    [](const auto& info) { return TestName(info.param.what); });

TEST_F(ShimMemoryTest, OnlyTheFirstMalformedResultPerVcpuIsLogged) {
  respond_ = [](const v1::Call&) {
    v1::Result r = Answer(0);
    AddBytes(r, 0, "x");
    return r;
  };
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Call(kReverse, {kRamA, kRamB}).disposition, Disposition::kMalformedResult);
  }
  EXPECT_EQ(LogLinesWith("'in' operand"), 1u);
  EXPECT_EQ(shim_->vcpu_stats(0).malformed_result, 3u);
}

TEST_F(ShimMemoryTest, AWriteBackThatFailsAnswersTheOperandsBadAddressX0) {
  memory_->refuse_writes = true;
  respond_ = [](const v1::Call&) {
    v1::Result r = Answer(0, 1);
    AddBytes(r, 0, "x");
    return r;
  };
  CallOutcome out = Call(kWhen, {0, kRamA});
  EXPECT_EQ(out.disposition, Disposition::kBadAddress);
  EXPECT_THAT(out.detail, HasSubstr("this RAM went away"));
  EXPECT_EQ(vcpu_.x(0), 5u);
  EXPECT_EQ(vcpu_.x(1), 0u) << "x1 is not written";
  EXPECT_EQ(out.registers.writes, 1u);
}

}  // namespace
}  // namespace hypercall::shim::testing
