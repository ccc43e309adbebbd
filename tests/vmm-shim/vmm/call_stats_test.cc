#include "call_stats.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hypercall::vmm {
namespace {

using ::testing::HasSubstr;

shim::CallOutcome Outcome(uint32_t fid, shim::Disposition d, uint64_t reads, uint64_t writes,
                          int64_t latency_us) {
  shim::CallOutcome o;
  o.function_id = fid;
  o.disposition = d;
  o.registers = {reads, writes};
  o.latency = std::chrono::microseconds(latency_us);
  return o;
}

TEST(CallStatsTest, CountsPerFunctionAndDisposition) {
  CallStats stats;
  stats.Record(Outcome(0xc4000053, shim::Disposition::kBrokered, 1, 4, 100));
  stats.Record(Outcome(0xc4000053, shim::Disposition::kBrokered, 1, 4, 300));
  stats.Record(Outcome(0xc4000053, shim::Disposition::kDeadlineExceeded, 1, 1, 1000));
  stats.Record(Outcome(0x84000050, shim::Disposition::kNotPlanned, 0, 1, 5));
  EXPECT_EQ(stats.total_calls(), 4u);
  const CallStats::Function& rnd = stats.functions().at(0xc4000053);
  EXPECT_EQ(rnd.calls, 3u);
  EXPECT_EQ(rnd.dispositions[0], 2u);
  EXPECT_EQ(rnd.dispositions[3], 1u);
  EXPECT_EQ(rnd.register_reads, 3u);
  EXPECT_EQ(rnd.register_writes, 9u);
}

TEST(CallStatsTest, MergeAddsEverything) {
  CallStats a, b;
  a.Record(Outcome(0x84000050, shim::Disposition::kBrokered, 0, 1, 10));
  b.Record(Outcome(0x84000050, shim::Disposition::kUnavailable, 0, 1, 20));
  b.Record(Outcome(0x84000051, shim::Disposition::kBrokered, 1, 1, 30));
  a.Merge(b);
  EXPECT_EQ(a.total_calls(), 3u);
  EXPECT_EQ(a.functions().at(0x84000050).calls, 2u);
  EXPECT_EQ(a.functions().at(0x84000050).dispositions[2], 1u);
  EXPECT_EQ(a.functions().at(0x84000050).latencies_ns.size(), 2u);
}

TEST(CallStatsTest, TableNamesFunctionsAndShowsPerCallCostsAndMedian) {
  CallStats stats;
  stats.Record(Outcome(0xc4000053, shim::Disposition::kBrokered, 1, 4, 100));
  stats.Record(Outcome(0xc4000053, shim::Disposition::kBrokered, 1, 4, 300));
  stats.Record(Outcome(0xc4000053, shim::Disposition::kBrokered, 1, 4, 200));
  stats.Record(Outcome(0x84000050, shim::Disposition::kBrokered, 0, 1, 50));
  const std::string table = stats.FormatTable();
  EXPECT_THAT(table, HasSubstr("median_us"));
  // calls, brokered, not-planned, unavailable, deadline, reads/call, writes/call, mean, median.
  EXPECT_THAT(table,
              testing::ContainsRegex(
                  "0xc4000053 +TRNG_RND64 +3 +3 +0 +0 +0 +1\\.00 +4\\.00 +200\\.0 +200\\.0"));
  EXPECT_THAT(table, testing::ContainsRegex("0x84000050 +TRNG_VERSION +1 +1 +0 +0 +0 +0\\.00 "
                                            "+1\\.00 +50\\.0 +50\\.0"));
  EXPECT_THAT(table, testing::ContainsRegex("total +4 +4 "));
  // Sorted by function ID.
  EXPECT_LT(table.find("0x84000050"), table.find("0xc4000053"));
}

TEST(CallStatsTest, EvenCountMedianAveragesTheMiddlePair) {
  CallStats stats;
  for (int us : {10, 40, 20, 30}) {
    stats.Record(Outcome(0x84000050, shim::Disposition::kBrokered, 0, 1, us));
  }
  EXPECT_THAT(stats.FormatTable(), testing::ContainsRegex("25\\.0 +25\\.0"));
}

TEST(CallStatsTest, MemoryOperandAnswersGetALineOfTheirOwnAndKeepTheColumns) {
  CallStats stats;
  stats.Record(Outcome(0xc3000003, shim::Disposition::kBrokered, 2, 2, 100));
  EXPECT_THAT(stats.FormatTable(), testing::Not(HasSubstr("memory operands")));
  stats.Record(Outcome(0xc3000003, shim::Disposition::kBadAddress, 2, 1, 10));
  stats.Record(Outcome(0xc3000003, shim::Disposition::kBadAddress, 2, 1, 10));
  stats.Record(Outcome(0x83000005, shim::Disposition::kMalformedResult, 2, 1, 10));
  const std::string table = stats.FormatTable();
  EXPECT_EQ(stats.functions().at(0xc3000003).dispositions[4], 2u);
  EXPECT_THAT(table, HasSubstr("memory operands answered locally: 0x83000005 malformed-result 1; "
                               "0xc3000003 bad-address 2\n"));
  // Still 11 columns: calls, brokered, not-planned, unavailable, deadline, reads, writes, ...
  EXPECT_THAT(table, testing::ContainsRegex("\n0xc3000003 +[^ ]+ +3 +1 +0 +0 +0 +2\\.00 +1\\.33 "
                                            "+[0-9.]+ +[0-9.]+\n"));
}

TEST(CallStatsTest, EmptyTable) { EXPECT_EQ(CallStats().FormatTable(), "no hypercalls\n"); }

}  // namespace
}  // namespace hypercall::vmm
