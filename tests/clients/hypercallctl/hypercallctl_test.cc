// hypercallctl end to end: the built binary against the real hypercalld on a
// temporary runtime directory, over its real Unix sockets.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include "support/daemon_process.h"
#include "support/test_vm.h"

namespace hypercall::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A temporary directory that no daemon uses.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/hypercallctl-test-XXXXXX";
    path_ = mkdtemp(tmpl) != nullptr ? tmpl : "";
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class HypercallctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto daemon = DaemonProcess::Start();
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = std::move(*daemon);
  }

  // Runs hypercallctl on the test daemon's runtime dir.
  CommandResult Ctl(std::vector<std::string> args, int timeout_ms = 20000) {
    args.insert(args.begin(), {BinaryPath("hypercallctl"), "--runtime-dir", runtime_dir()});
    return RunCommand(args, timeout_ms);
  }

  const std::string& runtime_dir() const { return daemon_->runtime_dir(); }

  // Waits (bounded) until the daemon reports `watchers` trace watchers, so a
  // test makes its calls only once the trace is listening.
  bool WaitForTraceWatchers(int watchers) {
    const std::string expected = "\"trace_watchers\":" + std::to_string(watchers) + ",";
    for (int attempt = 0; attempt < 500; ++attempt) {
      if (Ctl({"--json", "status"}).out.find(expected) != std::string::npos) return true;
    }
    return false;
  }

  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(HypercallctlTest, StatusTable) {
  CommandResult r = Ctl({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("hypercalld/"));
  EXPECT_THAT(r.out, HasSubstr("(protocol 1)"));
  EXPECT_THAT(r.out, ContainsRegex("\npid: +" + std::to_string(daemon_->pid()) + "\n"));
  EXPECT_THAT(r.out, ContainsRegex("\nruntime dir: +" + runtime_dir() + "\n"));
  for (const char* key : {"uptime:", "sessions:", "vCPU streams:", "calls:", "unowned calls:",
                          "trace watchers:", "trace dropped:"}) {
    EXPECT_THAT(r.out, HasSubstr(key));
  }
}

TEST_F(HypercallctlTest, StatusJsonCountsCalls) {
  ASSERT_EQ(Ctl({"call", "TRNG_VERSION"}).exit_code, 0);
  ASSERT_EQ(Ctl({"call", "0xc4000123"}).exit_code, 0);
  CommandResult r = Ctl({"--json", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 1u) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"pid\":" + std::to_string(daemon_->pid()) + ","));
  EXPECT_THAT(r.out, HasSubstr("\"runtime_dir\":\"" + runtime_dir() + "\""));
  EXPECT_THAT(r.out, HasSubstr("\"protocol_version\":1,"));
  EXPECT_THAT(r.out, HasSubstr("\"calls_total\":2,\"calls_unowned\":1,"));
}

TEST_F(HypercallctlTest, RangesTableShowsTheTrngRangesAndNames) {
  CommandResult r = Ctl({"ranges"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_THAT(lines[0], HasSubstr("FIRST"));
  EXPECT_THAT(lines[0], HasSubstr("NAMES"));
  EXPECT_THAT(r.out, ContainsRegex("0x84000050 +0x8400005f +16 +trng +x1 +- +secret +Standard "
                                   "Secure +fast SMC32 +TRNG_VERSION TRNG_FEATURES "
                                   "TRNG_GET_UUID TRNG_RND32\n"));
  EXPECT_THAT(r.out, ContainsRegex("0xc4000050 +0xc400005f +16 +trng +x1 +- +secret +Standard "
                                   "Secure +fast SMC64 +TRNG_RND64\n"));
}

TEST_F(HypercallctlTest, RangesJson) {
  CommandResult r = Ctl({"ranges", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"first":"0x84000050","last":"0x8400005f","count":16,)"
                               R"("provider":"trng","args_read_mask":"0x2","args":["x1"],)"
                               R"("owner":"Standard Secure","owner_id":4,"fast":true,)"
                               R"("smc64":false,"names":["TRNG_VERSION","TRNG_FEATURES",)"
                               R"("TRNG_GET_UUID","TRNG_RND32"])"));
  EXPECT_THAT(r.out, HasSubstr(R"("names":["TRNG_RND64"])"));
}

TEST_F(HypercallctlTest, ProvidersTableAndJson) {
  ASSERT_EQ(Ctl({"call", "TRNG_VERSION"}).exit_code, 0);
  CommandResult table = Ctl({"providers"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, ContainsRegex("\ntrng +builtin +1 +daemon +0x84000050-0x8400005f "
                                       "0xc4000050-0xc400005f\n"));
  CommandResult json = Ctl({"--json", "providers"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr(R"({"name":"trng","kind":"builtin","calls":1,"ranges":[)"
                                  R"({"first":"0x84000050","count":16,"args_read_mask":"0x2"},)"
                                  R"({"first":"0xc4000050","count":16,"args_read_mask":"0x2"}]})"));
}

TEST_F(HypercallctlTest, SessionsTableAndJson) {
  CommandResult empty = Ctl({"sessions"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_THAT(empty.out, HasSubstr("(none)"));

  auto vm = TestVm::Attach(Connect(daemon_->vmm_target()), "sessions-probe", 2);
  ASSERT_TRUE(vm.ok()) << vm.status();
  ASSERT_TRUE((*vm)->Call(0x84000050).ok());
  CommandResult table = Ctl({"sessions"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  // The VMM's pid and uid, as the kernel told the daemon.
  EXPECT_THAT(table.out, ContainsRegex("\n[^ ]+ +sessions-probe +- +1/2 +1 +"
                                       "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +" +
                                       std::to_string(getpid()) + " +" + std::to_string(getuid()) +
                                       " +[^ ]+\n"));
  CommandResult json = Ctl({"sessions", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr(R"("vm_name":"sessions-probe","vm_uuid":"","vcpu_count":2,)"
                                  R"("vcpus_connected":1,"calls":1,)"));
  EXPECT_THAT(json.out, HasSubstr(R"("peer":{"pid":)" + std::to_string(getpid()) + ","));
}

TEST_F(HypercallctlTest, JsonCallOfTrngVersion) {
  CommandResult r = Ctl({"--json", "call", "TRNG_VERSION"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 1u);
  EXPECT_THAT(r.out, HasSubstr(R"("x0":"0x10000",)"));
  for (int i = 0; i <= 17; ++i) {
    EXPECT_THAT(r.out, ContainsRegex("\"x" + std::to_string(i) + "\":\"0x[0-9a-f]+\""));
  }
  EXPECT_THAT(r.out, HasSubstr(R"("function_id":"0x84000050","name":"TRNG_VERSION")"));
  EXPECT_THAT(r.out, HasSubstr(R"("provider":"trng")"));
}

TEST_F(HypercallctlTest, Rnd64WritesX1ToX3) {
  CommandResult json = Ctl({"--json", "call", "0xC4000053", "192"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_THAT(json.out, HasSubstr(R"("args":{"x1":"0xc0"})"));
  EXPECT_THAT(json.out, HasSubstr(R"("x0":"0x0",)"));
  EXPECT_THAT(json.out, HasSubstr(R"("written":["x0","x1","x2","x3"])"));
  CommandResult text = Ctl({"call", "0xC4000053", "192"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("written:   x0-x3\n"));
  EXPECT_THAT(text.out, HasSubstr("provider:  trng (range 0xc4000050-0xc400005f)\n"));
  EXPECT_THAT(text.out, ContainsRegex("\nx3 +0x[0-9a-f]{16} +yes\n"));
  EXPECT_THAT(text.out, ContainsRegex("\nx4 +0x0000000000000000 +-\n"));
}

TEST_F(HypercallctlTest, UnownedIdAnswersNotSupportedAndExitsZero) {
  CommandResult r64 = Ctl({"--json", "call", "0xc4000123"});
  ASSERT_EQ(r64.exit_code, 0) << r64.err;
  EXPECT_THAT(r64.out, HasSubstr(R"("x0":"0xffffffffffffffff")"));
  EXPECT_THAT(r64.out, HasSubstr(R"("x0_name":"NOT_SUPPORTED")"));
  EXPECT_THAT(r64.out, HasSubstr(R"("provider":null)"));
  // SMC32: w-register semantics, so -1 is 0xffffffff.
  CommandResult r32 = Ctl({"call", "--smc", "0x84000123"});
  ASSERT_EQ(r32.exit_code, 0) << r32.err;
  EXPECT_THAT(r32.out, HasSubstr("result:    0xffffffff(NOT_SUPPORTED)\n"));
  EXPECT_THAT(r32.out, HasSubstr("conduit:   SMC\n"));
}

TEST_F(HypercallctlTest, ReservedIdIsRefusedLocally) {
  CommandResult r = Ctl({"call", "0x80000001"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("reserved range 0x80000000-0x8000ffff"));
  EXPECT_THAT(r.err, HasSubstr("KVM answers these itself and never forwards them"));
  // Refused before anything was sent: the daemon saw no call.
  EXPECT_THAT(Ctl({"--json", "status"}).out, HasSubstr("\"calls_total\":0,"));
}

TEST_F(HypercallctlTest, BadNumbersAreUsageErrors) {
  CommandResult r = Ctl({"call", "TRNG_RND64", "1", "0xzz"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("X2: '0xzz' is not a number (decimal or 0x-hex)"));
  r = Ctl({"call", "TRNG_RND64", "0x10000000000000000"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("X1: '0x10000000000000000' does not fit in 64 bits"));
  r = Ctl({"call", "NO_SUCH_CALL"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("FUNC: 'NO_SUCH_CALL' is neither a number"));
  std::vector<std::string> too_many = {"call", "TRNG_RND64"};
  for (int i = 1; i <= 18; ++i) too_many.push_back(std::to_string(i));
  r = Ctl(too_many);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("at most 17 argument registers"));
  r = Ctl({"--timeout", "-5", "status"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--timeout: '-5' is negative"));
  r = Ctl({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'"));
}

TEST_F(HypercallctlTest, HelpAndVersion) {
  CommandResult help = Ctl({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"status", "ranges", "sessions", "providers", "call", "trace"}) {
    EXPECT_THAT(help.out, HasSubstr(std::string("\n  ") + command + " "));
  }
  CommandResult call_help = Ctl({"call", "--help"});
  EXPECT_EQ(call_help.exit_code, 0);
  EXPECT_THAT(call_help.out, HasSubstr("call [--smc] [--vm NAME] FUNC [X1 ... X17]"));
  CommandResult version = Ctl({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("hypercallctl/"));
}

TEST_F(HypercallctlTest, TraceCountPrintsOneLinePerCallOfTheChosenVm) {
  CommandResult trace;
  std::atomic<bool> trace_done = false;
  std::thread tracer([&] {
    trace = Ctl({"trace", "--vm", "traced", "--count", "3"});
    trace_done = true;
  });
  ASSERT_TRUE(WaitForTraceWatchers(1));
  // Other processes make calls, from the traced VM and from one the trace
  // filters out, until the trace has seen its three.
  for (int i = 0; i < 50 && !trace_done; ++i) {
    ASSERT_EQ(Ctl({"call", "--vm", "other", "TRNG_VERSION"}).exit_code, 0);
    ASSERT_EQ(Ctl({"call", "--vm", "traced", "TRNG_RND64", "192"}).exit_code, 0);
  }
  tracer.join();
  ASSERT_EQ(trace.exit_code, 0) << trace.err;
  const std::vector<std::string> lines = Lines(trace.out);
  ASSERT_EQ(lines.size(), 3u) << trace.out;
  // The daemon grants nobody registers by default (root neither), and
  // TRNG's results are secret anyway: metadata, saying what is left out.
  const std::regex line_format(
      R"(\d\d:\d\d:\d\d\.\d{6} traced vcpu0 HVC TRNG_RND64\(x1 withheld\) -> x0=0x0 )"
      R"(x1-x3 secret \[trng\] [0-9.]+(ns|us|ms|s))");
  for (const std::string& line : lines) EXPECT_TRUE(std::regex_match(line, line_format)) << line;
}

TEST_F(HypercallctlTest, TraceJsonIsNdjson) {
  CommandResult trace;
  std::atomic<bool> trace_done = false;
  std::thread tracer([&] {
    trace = Ctl({"--json", "trace", "--count", "2"});
    trace_done = true;
  });
  ASSERT_TRUE(WaitForTraceWatchers(1));
  for (int i = 0; i < 50 && !trace_done; ++i) {
    ASSERT_EQ(Ctl({"call", "--vm", "json-vm", "--smc", "0x84000123", "7"}).exit_code, 0);
  }
  tracer.join();
  ASSERT_EQ(trace.exit_code, 0) << trace.err;
  const std::vector<std::string> lines = Lines(trace.out);
  ASSERT_EQ(lines.size(), 2u) << trace.out;
  for (const std::string& line : lines) {
    EXPECT_THAT(line, StartsWith("{"));
    EXPECT_THAT(line, EndsWith("}"));
    EXPECT_THAT(line, HasSubstr(R"("vm":"json-vm","vcpu":0,"conduit":"SMC",)"
                                R"("function_id":"0x84000123","name":"StdSecure_SMC32#0x0123",)"
                                R"("args":{"x1":null},"result":{"x0":"0xffffffff"},)"
                                R"("x0_name":"NOT_SUPPORTED","provider":null,)"));
    EXPECT_THAT(line, HasSubstr(R"("registers_withheld":true,"results_secret":false})"));
  }
}

TEST_F(HypercallctlTest, TraceDurationEndsQuietly) {
  CommandResult r = Ctl({"trace", "--duration", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(HypercallctlTest, TraceStopsCleanlyOnSigint) {
  const pid_t tracer = fork();
  ASSERT_GE(tracer, 0);
  if (tracer == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, STDOUT_FILENO);
    const std::string binary = BinaryPath("hypercallctl");
    execl(binary.c_str(), binary.c_str(), "--runtime-dir", runtime_dir().c_str(), "trace",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_TRUE(WaitForTraceWatchers(1));
  kill(tracer, SIGINT);  // As Ctrl-C would.
  int status = 0;
  ASSERT_EQ(waitpid(tracer, &status, 0), tracer);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The daemon noticed the watcher leave.
  EXPECT_TRUE(WaitForTraceWatchers(0));
}

TEST(HypercallctlNoDaemonTest, SaysTheDaemonIsNotRunning) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  CommandResult r = RunCommand({BinaryPath("hypercallctl"), "--runtime-dir", dir.path(), "status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "hypercallctl: hypercalld is not running: no socket at " + dir.path() +
                       "/observer.sock (start it, or pass --runtime-dir)\n");
  r = RunCommand({BinaryPath("hypercallctl"), "--runtime-dir", dir.path(), "call", "TRNG_VERSION"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no socket at " + dir.path() + "/vmm.sock"));
}

TEST(HypercallctlNoDaemonTest, SilentPeerHitsTheTimeout) {
  TempDir dir;
  // Listens (the kernel completes connections) but never speaks gRPC.
  const std::string path = dir.path() + "/observer.sock";
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  CommandResult r = RunCommand(
      {BinaryPath("hypercallctl"), "--runtime-dir", dir.path(), "--timeout", "1", "status"}, 10000);
  close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("did not answer GetStatus within 1 s"));
}

}  // namespace
}  // namespace hypercall::testing
