#include "call_assembly.h"

#include <cstdint>
#include <string>
#include <vector>

#include "call_test_plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "smccc/return_codes.h"

namespace hypercall::shim::internal {
namespace {

using ::testing::HasSubstr;
using testing::kMemoryCall;
using testing::kRamBase;
using testing::kSmc32Call;

constexpr uint64_t kNotSupportedX0 = static_cast<uint64_t>(smccc::kNotSupported);

// A vCPU whose register `failing` cannot be read.
class FailingReadVcpu : public SimulatedVcpu {
 public:
  explicit FailingReadVcpu(int failing) : failing_(failing) {}

 protected:
  absl::StatusOr<uint64_t> DoReadRegister(int index) override {
    if (index == failing_) return absl::InternalError("KVM_GET_ONE_REG: EIO");
    return SimulatedVcpu::DoReadRegister(index);
  }

 private:
  const int failing_;
};

// A vCPU whose register `failing` cannot be written.
class FailingWriteVcpu : public SimulatedVcpu {
 public:
  explicit FailingWriteVcpu(int failing) : failing_(failing) {}

 protected:
  absl::Status DoWriteRegister(int index, uint64_t value) override {
    if (index == failing_) return absl::InternalError("KVM_SET_ONE_REG: EIO");
    return SimulatedVcpu::DoWriteRegister(index, value);
  }

 private:
  const int failing_;
};

class CallAssemblyTest : public ::testing::Test {
 protected:
  const ForwardingPlan plan_ = testing::CallTestPlan();
  std::vector<uint8_t> ram_;
  MappedGuestMemory memory_ = testing::TestRam(ram_);
  const CallAssembly assembly_{plan_, &memory_};
  SimulatedVcpu vcpu_;
  CallOutcome outcome_;

  const PlannedRange& MemoryRange() const { return *plan_.Find(kMemoryCall); }

  // The memory call with its buffers at `in` and `out`, assembled.
  smccc::Call GatheredMemoryCall(uint64_t in, uint64_t out) {
    vcpu_.Issue(kMemoryCall, {in, out});
    absl::StatusOr<smccc::Call> call = assembly_.ReadCall(kMemoryCall, vcpu_);
    EXPECT_TRUE(call.ok()) << call.status();
    EXPECT_TRUE(assembly_.GatherMemory(MemoryRange(), *call, outcome_)) << outcome_.detail;
    return *call;
  }
};

TEST_F(CallAssemblyTest, ReadCallReadsOnlyThePlannedRegistersAsW) {
  vcpu_.Issue(kSmc32Call, {0xffffffff00000001, 2, 3}, smccc::Conduit::kSmc);
  absl::StatusOr<smccc::Call> call = assembly_.ReadCall(kSmc32Call, vcpu_);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->function_id, kSmc32Call);
  EXPECT_EQ(call->conduit, smccc::Conduit::kSmc);
  EXPECT_EQ(call->args_read_mask, 0x6u);
  EXPECT_EQ(call->x[1], 1u) << "an SMC32 call's arguments are 32 bits";
  EXPECT_EQ(call->x[2], 2u);
  EXPECT_EQ(call->x[3], 0u) << "x3 is not in the plan";
  EXPECT_EQ(vcpu_.access_counts().reads, 2u);
  EXPECT_EQ(vcpu_.access_counts().writes, 0u);
}

TEST_F(CallAssemblyTest, ReadCallKeepsAnSmc64CallsArgumentsWhole) {
  vcpu_.Issue(kMemoryCall, {0xffffffff00000010, 0xffffffff00000020, 3});
  absl::StatusOr<smccc::Call> call = assembly_.ReadCall(kMemoryCall, vcpu_);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->conduit, smccc::Conduit::kHvc);
  EXPECT_EQ(call->x[1], 0xffffffff00000010u);
  EXPECT_EQ(call->x[2], 0xffffffff00000020u);
  EXPECT_EQ(call->x[3], 0u) << "x3 is not in the plan";
}

TEST_F(CallAssemblyTest, ReadCallOfAnIdThePlanDoesNotForwardReadsNoRegister) {
  vcpu_.Issue(0xc5000000, {1, 2, 3});
  absl::StatusOr<smccc::Call> call = assembly_.ReadCall(0xc5000000, vcpu_);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->args_read_mask, 0u);
  EXPECT_EQ(call->x[1], 0u);
  EXPECT_EQ(vcpu_.access_counts().reads, 0u);
}

TEST_F(CallAssemblyTest, AFailedRegisterReadAnswersNotSupportedAndIsTheError) {
  FailingReadVcpu vcpu(/*failing=*/2);
  vcpu.Issue(kSmc32Call, {1, 2});
  absl::StatusOr<smccc::Call> call = assembly_.ReadCall(kSmc32Call, vcpu);
  EXPECT_THAT(call.status().message(), HasSubstr("KVM_GET_ONE_REG"));
  EXPECT_EQ(vcpu.x(0), kNotSupportedX0) << "the guest must not read its function ID back";
}

TEST_F(CallAssemblyTest, GatherMemoryCopiesInBuffersAndNamesOutBuffers) {
  for (int i = 0; i < 8; ++i) ram_[0x10 + i] = static_cast<uint8_t>(0xa0 + i);
  const smccc::Call call = GatheredMemoryCall(kRamBase + 0x10, kRamBase + 0x40);
  ASSERT_EQ(call.memory.size(), 2u);
  EXPECT_EQ(call.memory[0].operand, 0);
  EXPECT_EQ(call.memory[0].guest_phys_addr, kRamBase + 0x10);
  EXPECT_EQ(call.memory[0].direction, smccc::MemoryDirection::kIn);
  EXPECT_EQ(call.memory[0].data, "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7");
  EXPECT_EQ(call.memory[1].operand, 1);
  EXPECT_EQ(call.memory[1].guest_phys_addr, kRamBase + 0x40);
  EXPECT_EQ(call.memory[1].length, 4u);
  EXPECT_EQ(call.memory[1].direction, smccc::MemoryDirection::kOut);
  EXPECT_TRUE(call.memory[1].data.empty()) << "an OUT buffer carries no guest bytes";
}

TEST_F(CallAssemblyTest, ABufferOutsideGuestRamIsAnsweredLocally) {
  vcpu_.Issue(kMemoryCall, {kRamBase + 0x10, kRamBase + 0xfe});
  absl::StatusOr<smccc::Call> call = assembly_.ReadCall(kMemoryCall, vcpu_);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_FALSE(assembly_.GatherMemory(MemoryRange(), *call, outcome_));
  EXPECT_EQ(outcome_.disposition, Disposition::kBadAddress);
  EXPECT_EQ(outcome_.result.x[0], static_cast<uint64_t>(smccc::kInvalidParameter));
  EXPECT_EQ(outcome_.result.written_mask, 1u);
  EXPECT_THAT(outcome_.detail, HasSubstr("memory operand 1"));
}

TEST_F(CallAssemblyTest, AnInBufferOutsideGuestRamIsAnsweredLocally) {
  vcpu_.Issue(kMemoryCall, {kRamBase + 0xfc, kRamBase + 0x40});
  absl::StatusOr<smccc::Call> call = assembly_.ReadCall(kMemoryCall, vcpu_);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_FALSE(assembly_.GatherMemory(MemoryRange(), *call, outcome_));
  EXPECT_EQ(outcome_.disposition, Disposition::kBadAddress);
  EXPECT_EQ(outcome_.result.x[0], static_cast<uint64_t>(smccc::kInvalidParameter));
  EXPECT_THAT(outcome_.detail, HasSubstr("memory operand 0"));
}

TEST_F(CallAssemblyTest, ARangeWithoutOperandsGathersNoBuffer) {
  vcpu_.Issue(kSmc32Call, {kRamBase, kRamBase});
  absl::StatusOr<smccc::Call> call = assembly_.ReadCall(kSmc32Call, vcpu_);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_TRUE(assembly_.GatherMemory(*plan_.Find(kSmc32Call), *call, outcome_));
  EXPECT_TRUE(call->memory.empty());
}

TEST_F(CallAssemblyTest, WithoutGuestMemoryEveryBufferIsABadAddress) {
  const CallAssembly no_memory(plan_, nullptr);
  vcpu_.Issue(kMemoryCall, {kRamBase, kRamBase + 0x40});
  absl::StatusOr<smccc::Call> call = no_memory.ReadCall(kMemoryCall, vcpu_);
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_FALSE(no_memory.GatherMemory(MemoryRange(), *call, outcome_));
  EXPECT_EQ(outcome_.disposition, Disposition::kBadAddress);
  EXPECT_THAT(outcome_.detail, HasSubstr("no guest memory"));
}

TEST_F(CallAssemblyTest, TakeResultWritesOutBuffersIntoGuestRam) {
  const smccc::Call call = GatheredMemoryCall(kRamBase + 0x10, kRamBase + 0x40);
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  result.Set(1, 4);
  smccc::MemoryBuffer& out = result.memory.emplace_back();
  out.operand = 1;
  out.data = "\x01\x02\x03\x04";
  ASSERT_TRUE(assembly_.TakeResult(MemoryRange(), call, result, outcome_)) << outcome_.detail;
  EXPECT_EQ(outcome_.disposition, Disposition::kBrokered);
  EXPECT_EQ(outcome_.result.x[1], 4u);
  EXPECT_EQ(std::vector<uint8_t>(ram_.begin() + 0x40, ram_.begin() + 0x44),
            (std::vector<uint8_t>{1, 2, 3, 4}));
}

TEST_F(CallAssemblyTest, AResultWithoutBuffersIsBrokeredAsItCame) {
  const smccc::Call call = GatheredMemoryCall(kRamBase + 0x10, kRamBase + 0x40);
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  result.Set(3, 0x1234);
  ASSERT_TRUE(assembly_.TakeResult(MemoryRange(), call, result, outcome_)) << outcome_.detail;
  EXPECT_EQ(outcome_.disposition, Disposition::kBrokered);
  EXPECT_EQ(outcome_.result.x[3], 0x1234u);
  EXPECT_EQ(outcome_.result.written_mask, 0x9u);
  EXPECT_EQ(std::vector<uint8_t>(ram_.begin() + 0x40, ram_.begin() + 0x44),
            (std::vector<uint8_t>{0, 0, 0, 0}));
}

TEST_F(CallAssemblyTest, AResultWritingAnInBufferIsMalformedAndTouchesNothing) {
  const smccc::Call call = GatheredMemoryCall(kRamBase + 0x10, kRamBase + 0x40);
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  smccc::MemoryBuffer& in = result.memory.emplace_back();
  in.operand = 0;
  in.data = "\xff";
  EXPECT_FALSE(assembly_.TakeResult(MemoryRange(), call, result, outcome_));
  EXPECT_EQ(outcome_.disposition, Disposition::kMalformedResult);
  EXPECT_EQ(outcome_.result.x[0], kNotSupportedX0);
  EXPECT_THAT(outcome_.detail, HasSubstr("memory-operand rules"));
  EXPECT_EQ(ram_[0x10], 0u);
}

TEST_F(CallAssemblyTest, WriteResultWritesX0AndTheResultsRegistersAsW) {
  vcpu_.Issue(kSmc32Call, {7, 8, 9});
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  result.Set(2, 0x100000002);
  ASSERT_TRUE(CallAssembly::WriteResult(kSmc32Call, result, vcpu_).ok());
  EXPECT_EQ(vcpu_.x(0), 0u);
  EXPECT_EQ(vcpu_.x(1), 7u) << "x1 is not a result register of this call";
  EXPECT_EQ(vcpu_.x(2), 2u) << "an SMC32 result is 32 bits";
  EXPECT_EQ(vcpu_.access_counts().writes, 2u);
  EXPECT_EQ(result.x[2], 2u) << "the result is left as the guest sees it";
}

TEST_F(CallAssemblyTest, WriteResultAlwaysWritesX0) {
  vcpu_.Issue(kSmc32Call);
  smccc::Result result;
  result.written_mask = 0;
  result.x[0] = 5;
  ASSERT_TRUE(CallAssembly::WriteResult(kSmc32Call, result, vcpu_).ok());
  EXPECT_EQ(vcpu_.x(0), 5u);
  EXPECT_EQ(vcpu_.access_counts().writes, 1u);
}

TEST_F(CallAssemblyTest, WriteResultKeepsAnSmc64ResultWhole) {
  vcpu_.Issue(kMemoryCall);
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  result.Set(17, 0x100000002);
  ASSERT_TRUE(CallAssembly::WriteResult(kMemoryCall, result, vcpu_).ok());
  EXPECT_EQ(vcpu_.x(17), 0x100000002u);
  EXPECT_EQ(vcpu_.access_counts().writes, 2u);
}

TEST_F(CallAssemblyTest, AFailedRegisterWriteIsTheError) {
  FailingWriteVcpu vcpu(/*failing=*/1);
  vcpu.Issue(kMemoryCall);
  smccc::Result result = smccc::Result::Code(smccc::kSuccess);
  result.Set(1, 1);
  EXPECT_THAT(CallAssembly::WriteResult(kMemoryCall, result, vcpu).message(),
              HasSubstr("KVM_SET_ONE_REG"));
}

}  // namespace
}  // namespace hypercall::shim::internal
