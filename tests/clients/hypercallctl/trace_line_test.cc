#include "hypercallctl/trace_line.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <tuple>

namespace hypercall::ctl {
namespace {

// 2024-01-02 03:04:05.678901234 UTC.
constexpr int64_t kUnixNanos = 1704164645678901234;

class TraceLineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }

  // TRNG_RND64 asking for 192 bits, answered by the TRNG provider.
  static v1::TraceEvent Rnd64Event() {
    v1::TraceEvent event;
    event.set_unix_nanos(kUnixNanos);
    v1::Call* call = event.mutable_call();
    call->set_function_id(0xc4000053);
    call->set_conduit(v1::CONDUIT_HVC);
    call->add_args(192);
    call->set_args_read_mask(0b10);
    call->set_vm("demo-vm");
    call->set_vcpu(3);
    v1::Result* result = event.mutable_result();
    for (uint64_t value : {0x0ull, 0xaull, 0xbull, 0xcull}) result->add_regs(value);
    result->set_written_mask(0b1111);
    event.set_provider("trng");
    event.set_latency_nanos(12500);
    return event;
  }
};

TEST_F(TraceLineTest, OneLineWithEveryField) {
  EXPECT_EQ(FormatTraceLine(Rnd64Event()),
            "03:04:05.678901 demo-vm vcpu3 HVC TRNG_RND64(x1=0xc0) -> x0=0x0 x1=0xa x2=0xb "
            "x3=0xc [trng] 12.5us\n");
}

TEST_F(TraceLineTest, ShowsOnlyTheArgumentsRead) {
  v1::TraceEvent event = Rnd64Event();
  // x2 travels (as zero padding would) but was not read from the guest.
  event.mutable_call()->add_args(7);
  EXPECT_NE(FormatTraceLine(event).find("TRNG_RND64(x1=0xc0) ->"), std::string::npos);
}

TEST_F(TraceLineTest, UnownedCallsDecodeX0) {
  v1::TraceEvent event;
  event.set_unix_nanos(kUnixNanos);
  event.mutable_call()->set_function_id(0x84000123);
  event.mutable_call()->set_conduit(v1::CONDUIT_SMC);
  event.mutable_call()->set_vm("vm1");
  event.mutable_result()->add_regs(0xffffffff);
  event.mutable_result()->set_written_mask(1);
  event.set_latency_nanos(800);
  EXPECT_EQ(FormatTraceLine(event),
            "03:04:05.678901 vm1 vcpu0 SMC StdSecure_SMC32#0x0123() -> "
            "x0=0xffffffff(NOT_SUPPORTED) [unowned] 800ns\n");
}

TEST_F(TraceLineTest, DroppedLine) {
  EXPECT_EQ(FormatDroppedLine(1), "1 event dropped\n");
  EXPECT_EQ(FormatDroppedLine(42), "42 events dropped\n");
}

TEST_F(TraceLineTest, JsonIsOneObjectPerLine) {
  v1::TraceEvent event = Rnd64Event();
  event.set_dropped_before(5);
  EXPECT_EQ(FormatTraceJson(event),
            R"({"unix_nanos":1704164645678901234,"time":"03:04:05.678901","vm":"demo-vm",)"
            R"("vcpu":3,"conduit":"HVC","function_id":"0xc4000053","name":"TRNG_RND64",)"
            R"("args":{"x1":"0xc0"},"result":{"x0":"0x0","x1":"0xa","x2":"0xb","x3":"0xc"},)"
            R"("x0_name":null,"provider":"trng","latency_ns":12500,"dropped_before":5,)"
            R"("registers_withheld":false,"results_secret":false})"
            "\n");
}

// As the daemon sends the call to a watcher without the registers grant:
// the arguments and result registers past x0 left out, the masks kept.
v1::TraceEvent Withheld(v1::TraceEvent event) {
  event.mutable_call()->clear_args();
  for (v1::MemoryBytes& buffer : *event.mutable_call()->mutable_memory()) {
    buffer.clear_guest_phys_addr();
  }
  for (v1::MemoryBytes& buffer : *event.mutable_result()->mutable_memory()) {
    buffer.clear_guest_phys_addr();
  }
  event.mutable_result()->mutable_regs()->Truncate(1);
  event.set_registers_withheld(true);
  return event;
}

TEST_F(TraceLineTest, WithheldRegistersAreNamedNotPrintedAsZeros) {
  EXPECT_EQ(FormatTraceLine(Withheld(Rnd64Event())),
            "03:04:05.678901 demo-vm vcpu3 HVC TRNG_RND64(x1 withheld) -> x0=0x0 x1-x3 withheld "
            "[trng] 12.5us\n");
  const std::string json = FormatTraceJson(Withheld(Rnd64Event()));
  EXPECT_NE(json.find(R"("args":{"x1":null},"result":{"x0":"0x0","x1":null,"x2":null,"x3":null})"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("registers_withheld":true,"results_secret":false})"), std::string::npos)
      << json;
}

TEST_F(TraceLineTest, SecretResultsAreNamedForAGrantedWatcherToo) {
  v1::TraceEvent event = Rnd64Event();
  event.mutable_result()->mutable_regs()->Truncate(1);
  event.set_results_secret(true);
  EXPECT_EQ(FormatTraceLine(event),
            "03:04:05.678901 demo-vm vcpu3 HVC TRNG_RND64(x1=0xc0) -> x0=0x0 x1-x3 secret "
            "[trng] 12.5us\n");
  EXPECT_NE(FormatTraceJson(event).find(
                R"("args":{"x1":"0xc0"},"result":{"x0":"0x0","x1":null,"x2":null,"x3":null})"),
            std::string::npos);
  event = Withheld(event);
  EXPECT_NE(FormatTraceLine(event).find("(x1 withheld) -> x0=0x0 x1-x3 secret ["),
            std::string::npos);
}

TEST_F(TraceLineTest, JsonOfAnUnownedCall) {
  v1::TraceEvent event;
  event.mutable_call()->set_function_id(0xc4000123);
  event.mutable_result()->add_regs(UINT64_MAX);
  const std::string json = FormatTraceJson(event);
  EXPECT_NE(json.find(R"("result":{"x0":"0xffffffffffffffff"})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("x0_name":"NOT_SUPPORTED","provider":null)"), std::string::npos) << json;
}

// A VM's name is whatever its VMM sent: escaped as JSON requires, invalid
// UTF-8 replaced by U+FFFD, so every line parses.
TEST_F(TraceLineTest, JsonEscapesNamesAndReplacesInvalidUtf8) {
  v1::TraceEvent event = Rnd64Event();
  event.mutable_call()->set_vm(std::string("say \"hi\"\\ a\nb\tc\x01 nul\0! caf\xC3\xA9 \x80", 30));
  const std::string json = FormatTraceJson(event);
  EXPECT_NE(json.find(R"("vm":"say \"hi\"\\ a\nb\tc\u0001 nul\u0000! caf)"
                      "\xC3\xA9 \xEF\xBF\xBD\","),
            std::string::npos)
      << json;
}

// The probe's MEM_REVERSE: 64 bytes in at x1, 64 out at x2, as the daemon
// traces it (buffers without their bytes).
v1::TraceEvent MemReverseEvent() {
  v1::TraceEvent event;
  event.set_unix_nanos(kUnixNanos);
  v1::Call* call = event.mutable_call();
  call->set_function_id(0xc3000003);
  call->set_conduit(v1::CONDUIT_SMC);
  call->add_args(0x40001000);
  call->add_args(0x40002000);
  call->set_args_read_mask(0b110);
  call->set_vm("vm");
  for (auto [operand, address, direction] : {std::tuple{0u, 0x40001000u, v1::MemoryOperand::IN},
                                             std::tuple{1u, 0x40002000u, v1::MemoryOperand::OUT}}) {
    v1::MemoryBytes* buffer = call->add_memory();
    buffer->set_operand(operand);
    buffer->set_guest_phys_addr(address);
    buffer->set_length(64);
    buffer->set_direction(direction);
  }
  v1::Result* result = event.mutable_result();
  result->add_regs(0);
  result->add_regs(2080);
  result->set_written_mask(0b11);
  v1::MemoryBytes* written = result->add_memory();
  written->set_operand(1);
  written->set_guest_phys_addr(0x40002000);
  written->set_length(64);
  written->set_direction(v1::MemoryOperand::OUT);
  event.set_provider("probe");
  event.set_latency_nanos(30000);
  return event;
}

TEST_F(TraceLineTest, MemoryBuffersShowAddressLengthAndDirection) {
  EXPECT_EQ(FormatTraceLine(MemReverseEvent()),
            "03:04:05.678901 vm vcpu0 SMC OEM_SMC64#0x0003(x1=0x40001000 x2=0x40002000) mem "
            "0x40001000:64in 0x40002000:64out -> x0=0x0 x1=0x820 mem 0x40002000:64out [probe] "
            "30.0us\n");
}

TEST_F(TraceLineTest, WithheldMemoryBuffersComeWithoutAddresses) {
  EXPECT_EQ(FormatTraceLine(Withheld(MemReverseEvent())),
            "03:04:05.678901 vm vcpu0 SMC OEM_SMC64#0x0003(x1-x2 withheld) mem 64in 64out -> "
            "x0=0x0 x1 withheld mem 64out [probe] 30.0us\n");
  const std::string json = FormatTraceJson(Withheld(MemReverseEvent()));
  EXPECT_NE(json.find(R"({"operand":0,"address":null,"length":64,"direction":"in"})"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("0x4000"), std::string::npos) << json;
}

TEST_F(TraceLineTest, JsonOfMemoryBuffers) {
  const std::string json = FormatTraceJson(MemReverseEvent());
  EXPECT_NE(json.find(R"("args":{"x1":"0x40001000","x2":"0x40002000"},"memory":[)"
                      R"({"operand":0,"address":"0x40001000","length":64,"direction":"in"},)"
                      R"({"operand":1,"address":"0x40002000","length":64,"direction":"out"}],)"
                      R"("result":{"x0":"0x0","x1":"0x820"},"result_memory":[)"
                      R"({"operand":1,"address":"0x40002000","length":64,"direction":"out"}],)"
                      R"("x0_name":)"),
            std::string::npos)
      << json;
}

TEST_F(TraceLineTest, PeerStringsCannotInjectTerminalControls) {
  v1::TraceEvent event = Rnd64Event();
  event.set_provider("evil\x1b[2J");
  const std::string line = FormatTraceLine(event);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_NE(line.find("[evil?[2J]"), std::string::npos);
}

}  // namespace
}  // namespace hypercall::ctl
