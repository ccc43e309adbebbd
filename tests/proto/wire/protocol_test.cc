#include "wire/protocol.h"

#include <gtest/gtest.h>

#include "wire/runtime_dir.h"

namespace hypercall::wire {
namespace {

TEST(ProtocolTest, AcceptsOurVersion) { EXPECT_TRUE(CheckHello(MakeHello("test/1"), true).ok()); }

TEST(ProtocolTest, MissingHelloSaysWhatToSend) {
  absl::Status s = CheckHello(v1::Hello(), false);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("protocol_version 1"), std::string::npos) << s;
}

TEST(ProtocolTest, UnknownVersionNamesBoth) {
  v1::Hello hello = MakeHello("future/9");
  hello.set_protocol_version(7);
  absl::Status s = CheckHello(hello, true);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("version 7"), std::string::npos) << s;
  EXPECT_NE(s.message().find("speaks version 1"), std::string::npos) << s;
  EXPECT_NE(s.message().find("future/9"), std::string::npos) << s;
}

TEST(ProtocolTest, SoftwareNameCarriesTheVersion) {
  EXPECT_EQ(SoftwareName("hypercalld").rfind("hypercalld/", 0), 0u);
  EXPECT_EQ(MakeHelloReply(MakeHello("x")).software(), SoftwareName("hypercalld"));
}

TEST(RuntimeDirTest, SocketPaths) {
  EXPECT_EQ(SocketPath("/run/hypercalld", kVmmSocketName), "/run/hypercalld/vmm.sock");
  EXPECT_EQ(SocketPath("/tmp/x/", kObserverSocketName), "/tmp/x/observer.sock");
  EXPECT_EQ(GrpcUnixTarget("/run/hypercalld", kVmmSocketName), "unix:/run/hypercalld/vmm.sock");
}

}  // namespace
}  // namespace hypercall::wire
