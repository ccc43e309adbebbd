// Rendering of `status`, `ranges`, `sessions`, `providers` and `call`
// outcomes, table and JSON, from hand-made replies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include "hypercallctl/call_output.h"
#include "hypercallctl/providers_command.h"
#include "hypercallctl/ranges_command.h"
#include "hypercallctl/register_format.h"
#include "hypercallctl/sessions_command.h"
#include "hypercallctl/status_command.h"
#include "hypercallctl/time_format.h"

namespace hypercall::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FormattingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

v1::RangeInfo TrngRange32() {
  v1::RangeInfo range;
  range.set_first_function_id(0x84000050);
  range.set_count(16);
  range.set_provider("trng");
  range.set_args_read_mask(0b10);
  range.set_secret_results(true);
  return range;
}

TEST_F(FormattingTest, RegisterFormats) {
  EXPECT_EQ(Hex(0), "0x0");
  EXPECT_EQ(RegisterRanges(0), "-");
  EXPECT_EQ(RegisterRanges(0b10), "x1");
  EXPECT_EQ(RegisterRanges(0b101110), "x1-x3,x5");
  EXPECT_EQ(RegisterRanges(smccc::kAllArgRegisters), "x1-x17");
  EXPECT_THAT(RegistersIn(0b1001), ElementsAre(0, 3));
  EXPECT_EQ(DescribeX0(0x84000050, 0x10000), "0x10000");
  EXPECT_EQ(DescribeX0(0x84000053, 0xfffffffd), "0xfffffffd(TRNG_NO_ENTROPY)");
}

TEST_F(FormattingTest, TimeFormats) {
  EXPECT_EQ(TimeOfDay(1704164645678901234), "03:04:05.678901");
  EXPECT_EQ(LocalDateTime(1704164645), "2024-01-02 03:04:05");
  EXPECT_EQ(Uptime(42), "42s");
  EXPECT_EQ(Uptime(3603), "1h 0m 3s");
  EXPECT_EQ(Uptime(2 * 86400 + 61), "2d 0h 1m 1s");
  EXPECT_EQ(Latency(850), "850ns");
  EXPECT_EQ(Latency(12500), "12.5us");
  EXPECT_EQ(Latency(3200000), "3.20ms");
  EXPECT_EQ(Latency(1500000000), "1.50s");
}

TEST_F(FormattingTest, KnownNamesInTheTrngRange) {
  bool truncated = true;
  EXPECT_THAT(KnownNamesInRange(0x84000050, 16, truncated),
              ElementsAre("TRNG_VERSION", "TRNG_FEATURES", "TRNG_GET_UUID", "TRNG_RND32"));
  EXPECT_FALSE(truncated);
  EXPECT_THAT(KnownNamesInRange(0xc4000050, 16, truncated), ElementsAre("TRNG_RND64"));
  EXPECT_TRUE(KnownNamesInRange(0x82000000, 16, truncated).empty());
  // Huge ranges are scanned only so far, and say so.
  KnownNamesInRange(0x84000000, 0x01000000, truncated);
  EXPECT_TRUE(truncated);
}

TEST_F(FormattingTest, RangeKinds) {
  EXPECT_EQ(RangeKind(0x84000050, 0x8400005f), "fast SMC32");
  EXPECT_EQ(RangeKind(0xc4000050, 0xc400005f), "fast SMC64");
  EXPECT_EQ(RangeKind(0x46000000, 0x46000001), "yielding SMC64");
  EXPECT_EQ(RangeKind(0x84000050, 0xc400005f), "mixed");
}

TEST_F(FormattingTest, RangesTable) {
  v1::ListRangesReply reply;
  *reply.add_ranges() = TrngRange32();
  EXPECT_EQ(
      RenderRanges(reply, false),
      "FIRST       LAST        COUNT  PROVIDER  ARGS  MEMORY  RESULTS  OWNER            KIND  "
      "      NAMES\n"
      "0x84000050  0x8400005f  16     trng      x1    -       secret   Standard Secure  fast "
      "SMC32  TRNG_VERSION TRNG_FEATURES TRNG_GET_UUID TRNG_RND32\n");
}

// The probe's MEM_WHEN: one conditional out buffer with its own bad-address
// x0, and MEM_REVERSE's two.
v1::RangeInfo ProbeMemRange(bool when) {
  v1::RangeInfo range;
  range.set_first_function_id(when ? 0xc3000005 : 0xc3000003);
  range.set_count(1);
  range.set_provider("probe");
  range.set_args_read_mask(0b110);
  if (when) {
    v1::MemoryOperand* op = range.add_memory();
    op->set_address_register(2);
    op->set_length(16);
    op->set_direction(v1::MemoryOperand::OUT);
    op->set_when_register(1);
    op->set_when_mask(1);
    op->set_bad_address_x0(5);
    return range;
  }
  for (auto [reg, direction] :
       {std::pair{1u, v1::MemoryOperand::IN}, std::pair{2u, v1::MemoryOperand::OUT}}) {
    v1::MemoryOperand* op = range.add_memory();
    op->set_address_register(reg);
    op->set_length(64);
    op->set_direction(direction);
  }
  return range;
}

TEST_F(FormattingTest, RangesShowTheirMemoryOperands) {
  EXPECT_EQ(MemoryOperands(ProbeMemRange(false)), "x1:64in,x2:64out");
  EXPECT_EQ(MemoryOperands(ProbeMemRange(true)), "x2:16out[x1&0x1=0x0]");
  EXPECT_EQ(MemoryOperands(TrngRange32()), "-");
  v1::ListRangesReply reply;
  *reply.add_ranges() = ProbeMemRange(false);
  *reply.add_ranges() = ProbeMemRange(true);
  EXPECT_THAT(RenderRanges(reply, false), HasSubstr("x1-x2  x1:64in,x2:64out      shown    OEM"));
  const std::string json = RenderRanges(reply, true);
  EXPECT_THAT(json, HasSubstr(R"("memory":[{"address_register":1,"length":64,"direction":"in"},)"
                              R"({"address_register":2,"length":64,"direction":"out"}],)"
                              R"("secret_results":false})"));
  EXPECT_THAT(json, HasSubstr(R"("memory":[{"address_register":2,"length":16,"direction":"out",)"
                              R"("when_register":1,"when_mask":"0x1","when_value":"0x0",)"
                              R"("bad_address_x0":"0x5"}],"secret_results":false})"));
}

TEST_F(FormattingTest, RangesJson) {
  v1::ListRangesReply reply;
  *reply.add_ranges() = TrngRange32();
  EXPECT_EQ(RenderRanges(reply, true),
            R"({"ranges":[{"first":"0x84000050","last":"0x8400005f","count":16,)"
            R"("provider":"trng","args_read_mask":"0x2","args":["x1"],)"
            R"("owner":"Standard Secure","owner_id":4,"fast":true,"smc64":false,)"
            R"("names":["TRNG_VERSION","TRNG_FEATURES","TRNG_GET_UUID","TRNG_RND32"],)"
            R"("names_truncated":false,"memory":[],"secret_results":true}]})"
            "\n");
}

TEST_F(FormattingTest, Status) {
  v1::StatusReply status;
  status.mutable_hello()->set_software("hypercalld/0.1.0");
  status.mutable_hello()->set_protocol_version(1);
  status.set_pid(4242);
  status.set_uptime_seconds(65);
  status.set_runtime_dir("/run/hypercalld");
  status.set_sessions(2);
  status.set_vcpu_streams(3);
  status.set_calls_total(100);
  status.set_calls_unowned(7);
  status.set_trace_watchers(1);
  status.set_trace_events_dropped(9);
  EXPECT_EQ(RenderStatus(status, false),
            "daemon:          hypercalld/0.1.0 (protocol 1)\n"
            "pid:             4242\n"
            "uptime:          1m 5s\n"
            "runtime dir:     /run/hypercalld\n"
            "sessions:        2\n"
            "vCPU streams:    3\n"
            "calls:           100\n"
            "unowned calls:   7\n"
            "trace watchers:  1\n"
            "trace dropped:   9\n");
  EXPECT_EQ(RenderStatus(status, true),
            R"({"software":"hypercalld/0.1.0","protocol_version":1,"pid":4242,)"
            R"("uptime_seconds":65,"runtime_dir":"/run/hypercalld","sessions":2,)"
            R"("vcpu_streams":3,"calls_total":100,"calls_unowned":7,"trace_watchers":1,)"
            R"("trace_events_dropped":9})"
            "\n");
}

TEST_F(FormattingTest, Sessions) {
  v1::ListSessionsReply reply;
  v1::SessionInfo* session = reply.add_sessions();
  session->set_session_id("s-1");
  session->set_vm_name("demo");
  session->set_vm_uuid(
      std::string("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16));
  session->set_vcpu_count(4);
  session->set_vcpus_connected(2);
  session->set_calls(10);
  session->set_attached_unix_seconds(1704164645);
  session->set_software("hypercall-demo-vm/0.1.0");
  EXPECT_EQ(RenderSessions(reply, false),
            "SESSION  VM    UUID                                  VCPUS  CALLS  ATTACHED       "
            "      PID  UID  SOFTWARE\n"
            "s-1      demo  00112233-4455-6677-8899-aabbccddeeff  2/4    10     2024-01-02 "
            "03:04:05  -    -    hypercall-demo-vm/0.1.0\n");
  session->mutable_peer()->set_pid(42);
  session->mutable_peer()->set_uid(1000);
  session->mutable_peer()->set_gid(1001);
  EXPECT_THAT(RenderSessions(reply, false), HasSubstr("03:04:05  42   1000  hypercall-demo-vm"));
  EXPECT_THAT(RenderSessions(reply, true), HasSubstr(R"("peer":{"pid":42,"uid":1000,"gid":1001})"));
  EXPECT_THAT(RenderSessions(reply, true),
              HasSubstr(R"("vm_uuid":"00112233-4455-6677-8899-aabbccddeeff","vcpu_count":4,)"));
  EXPECT_EQ(RenderSessions(v1::ListSessionsReply(), true), "{\"sessions\":[]}\n");
  EXPECT_EQ(FormatUuid(""), "");
  EXPECT_EQ(FormatUuid("\x01\x02"), "0102");
}

TEST_F(FormattingTest, Providers) {
  v1::ListProvidersReply reply;
  v1::ProviderInfo* provider = reply.add_providers();
  provider->set_name("trng");
  provider->set_kind("builtin");
  provider->set_calls(5);
  *provider->add_ranges() = TrngRange32();
  EXPECT_EQ(RenderProviders(reply, false),
            "NAME  KIND     CALLS  SERVED BY  RANGES\n"
            "trng  builtin  5      daemon     0x84000050-0x8400005f\n");
  EXPECT_EQ(RenderProviders(reply, true),
            R"({"providers":[{"name":"trng","kind":"builtin","calls":5,"ranges":[)"
            R"({"first":"0x84000050","count":16,"args_read_mask":"0x2"}]}]})"
            "\n");

  v1::ProviderInfo* external = reply.add_providers();
  external->set_name("hv");
  external->set_kind("external");
  EXPECT_THAT(RenderProviders(reply, false), HasSubstr("\nhv    external  0      nobody "));
  v1::PeerIdentity* peer = external->add_serving();
  peer->set_pid(77);
  peer->set_uid(990);
  external->mutable_external()->set_timed_out(3);
  EXPECT_THAT(RenderProviders(reply, false), HasSubstr("pid 77 uid 990"));
  EXPECT_THAT(RenderProviders(reply, true),
              HasSubstr(R"("serving":[{"pid":77,"uid":990,"gid":0}],"external":{"forwarded":0,)"
                        R"("answered":0,"unserved":0,"timed_out":3,)"));
}

CallRequest Rnd64Request() {
  CallRequest request;
  request.call.function_id = 0xc4000053;
  request.call.x[1] = 192;
  request.call.x[5] = 0x55;  // Given, never written by TRNG_RND64.
  request.call.args_read_mask = 0b100010;
  request.vm_name = "probe";
  return request;
}

TEST_F(FormattingTest, GuestRegistersKeepUnwrittenArguments) {
  smccc::Result result;
  result.Set(0, 0);
  result.Set(1, 0xa);
  result.Set(2, 0xb);
  result.Set(3, 0xc);
  result.x[5] = 0x999;  // Not written: the guest keeps its own x5.
  const auto registers = GuestRegistersAfter(Rnd64Request().call, result);
  EXPECT_EQ(registers[1], 0xau);
  EXPECT_EQ(registers[3], 0xcu);
  EXPECT_EQ(registers[4], 0u);
  EXPECT_EQ(registers[5], 0x55u);
}

TEST_F(FormattingTest, CallJsonHasAllEighteenRegisters) {
  TestCallOutcome outcome;
  outcome.result.Set(0, 0);
  outcome.result.Set(1, 0xa);
  outcome.result.Set(2, 0xb);
  outcome.result.Set(3, 0xc);
  v1::PlannedRange range;
  range.set_first_function_id(0xc4000050);
  range.set_count(16);
  range.set_provider("trng");
  outcome.planned_range = range;
  EXPECT_EQ(RenderCallOutcome(Rnd64Request(), outcome, true),
            R"({"function_id":"0xc4000053","name":"TRNG_RND64","conduit":"HVC","vm":"probe",)"
            R"("vcpu":0,"args":{"x1":"0xc0","x5":"0x55"},"provider":"trng",)"
            R"("x0":"0x0","x1":"0xa","x2":"0xb","x3":"0xc","x4":"0x0","x5":"0x55","x6":"0x0",)"
            R"("x7":"0x0","x8":"0x0","x9":"0x0","x10":"0x0","x11":"0x0","x12":"0x0",)"
            R"("x13":"0x0","x14":"0x0","x15":"0x0","x16":"0x0","x17":"0x0",)"
            R"("written_mask":"0xf","written":["x0","x1","x2","x3"],"x0_name":null})"
            "\n");
}

TEST_F(FormattingTest, CallTextDecodesX0AndMarksWrittenRegisters) {
  CallRequest request;
  request.call.function_id = 0x84000123;
  request.call.conduit = smccc::Conduit::kSmc;
  request.vm_name = "probe";
  TestCallOutcome outcome;
  outcome.result.x[0] = 0xffffffff;
  const std::string text = RenderCallOutcome(request, outcome, false);
  EXPECT_THAT(text, HasSubstr("call:      StdSecure_SMC32#0x0123 0x84000123 (fast SMC32 "
                              "owner=4(Standard Secure) fn=0x0123)\n"));
  EXPECT_THAT(text, HasSubstr("conduit:   SMC\n"));
  EXPECT_THAT(text, HasSubstr("args:      none\n"));
  EXPECT_THAT(text, HasSubstr("provider:  none: the ID is in no range"));
  EXPECT_THAT(text, HasSubstr("result:    0xffffffff(NOT_SUPPORTED)\n"));
  EXPECT_THAT(text, HasSubstr("REG  VALUE               WRITTEN\n"
                              "x0   0x00000000ffffffff  yes\n"
                              "x1   0x0000000000000000  -\n"));
  EXPECT_THAT(text, HasSubstr("x17  0x0000000000000000  -\n"));
  EXPECT_THAT(RenderCallOutcome(request, outcome, true),
              HasSubstr(R"("provider":null,"x0":"0xffffffff",)"));
}

}  // namespace
}  // namespace hypercall::ctl
