// What an observer may see of a traced call: the two redactions on records
// holding nonzero values in every register and address.
#include "core/trace_redaction.h"

#include <gtest/gtest.h>

namespace hypercall::core {
namespace {

TraceRecord FullRecord() {
  TraceRecord record;
  record.unix_nanos = 123;
  record.call_id = 9;
  record.call.function_id = 0xc3000003;
  record.call.conduit = smccc::Conduit::kSmc;
  for (int i = 1; i < smccc::kNumRegisters; ++i) record.call.x[i] = 0x1000 + i;
  record.call.args_read_mask = smccc::kAllArgRegisters;
  record.call.memory = {{.operand = 0,
                         .guest_phys_addr = 0x40001000,
                         .length = 64,
                         .direction = smccc::MemoryDirection::kIn}};
  for (int i = 0; i < smccc::kNumRegisters; ++i) record.result.Set(i, 0x2000 + i);
  record.result.memory = {{.operand = 1,
                           .guest_phys_addr = 0x40002000,
                           .length = 32,
                           .direction = smccc::MemoryDirection::kOut}};
  record.vcpu = 3;
  record.latency_nanos = 4567;
  record.dropped_before = 2;
  return record;
}

// The metadata every observer sees, whatever was withheld.
void ExpectMetadataKept(const TraceRecord& record) {
  const TraceRecord full = FullRecord();
  EXPECT_EQ(record.unix_nanos, full.unix_nanos);
  EXPECT_EQ(record.call_id, full.call_id);
  EXPECT_EQ(record.call.function_id, full.call.function_id);
  EXPECT_EQ(record.call.conduit, full.call.conduit);
  EXPECT_EQ(record.call.args_read_mask, full.call.args_read_mask);
  EXPECT_EQ(record.result.x[0], full.result.x[0]);
  EXPECT_EQ(record.result.written_mask, full.result.written_mask);
  ASSERT_EQ(record.call.memory.size(), 1u);
  EXPECT_EQ(record.call.memory[0].operand, 0);
  EXPECT_EQ(record.call.memory[0].length, 64u);
  EXPECT_EQ(record.call.memory[0].direction, smccc::MemoryDirection::kIn);
  ASSERT_EQ(record.result.memory.size(), 1u);
  EXPECT_EQ(record.result.memory[0].length, 32u);
  EXPECT_EQ(record.vcpu, full.vcpu);
  EXPECT_EQ(record.latency_nanos, full.latency_nanos);
  EXPECT_EQ(record.dropped_before, full.dropped_before);
}

TEST(TraceRedactionTest, WithheldRegistersLeaveOnlyMetadata) {
  TraceRecord record = FullRecord();
  WithholdRegisters(record);
  EXPECT_TRUE(record.registers_withheld);
  EXPECT_FALSE(record.results_secret);
  for (int i = 0; i < smccc::kNumRegisters; ++i) EXPECT_EQ(record.call.x[i], 0u) << "x" << i;
  for (int i = 1; i < smccc::kNumRegisters; ++i) EXPECT_EQ(record.result.x[i], 0u) << "x" << i;
  EXPECT_EQ(record.call.memory[0].guest_phys_addr, 0u);
  EXPECT_EQ(record.result.memory[0].guest_phys_addr, 0u);
  ExpectMetadataKept(record);
}

TEST(TraceRedactionTest, SecretResultsKeepX0AndTheArguments) {
  TraceRecord record = FullRecord();
  WithholdSecretResults(record);
  EXPECT_TRUE(record.results_secret);
  EXPECT_FALSE(record.registers_withheld);
  for (int i = 1; i < smccc::kNumRegisters; ++i) EXPECT_EQ(record.result.x[i], 0u) << "x" << i;
  EXPECT_EQ(record.call.x, FullRecord().call.x);
  EXPECT_EQ(record.call.memory[0].guest_phys_addr, 0x40001000u);
  EXPECT_EQ(record.result.memory[0].guest_phys_addr, 0x40002000u);
  ExpectMetadataKept(record);
}

TEST(TraceRedactionTest, BothTogether) {
  TraceRecord record = FullRecord();
  WithholdSecretResults(record);
  WithholdRegisters(record);
  EXPECT_TRUE(record.results_secret);
  EXPECT_TRUE(record.registers_withheld);
  EXPECT_EQ(record.result.x[0], 0x2000u);
  ExpectMetadataKept(record);
}

}  // namespace
}  // namespace hypercall::core
