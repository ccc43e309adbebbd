// The connection limits, and that a connection stops counting however it
// closes: by its peer, or by gRPC shutting it down while the peer holds on.
#include "service/connection_limiter.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <utility>

#include "absl/time/clock.h"

namespace hypercall::service {
namespace {

// A connected pair: `server` as the daemon accepted it, `client` the peer.
struct Connection {
  int server = -1;
  int client = -1;
};

Connection Connect() {
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  return {fds[0], fds[1]};
}

// Waits (bounded) until `limiter` counts `n` connections.
bool AwaitOpen(const ConnectionLimiter& limiter, int n) {
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (limiter.open() != n) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

class ConnectionLimiterTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const Connection& c : connections_) {
      close(c.server);
      close(c.client);
    }
  }
  Connection& New() { return connections_.emplace_back(Connect()); }
  std::deque<Connection> connections_;
};

TEST_F(ConnectionLimiterTest, EachUidGetsItsShareAndTheTotalIsCapped) {
  auto limiter = ConnectionLimiter::Create({.max_total = 3, .max_per_uid = 2});
  ASSERT_TRUE(limiter.ok()) << limiter.status();
  using V = ConnectionLimiter::Verdict;
  EXPECT_EQ((*limiter)->Admit(New().server, 1000), V::kAdmitted);
  EXPECT_EQ((*limiter)->Admit(New().server, 1000), V::kAdmitted);
  EXPECT_EQ((*limiter)->Admit(New().server, 1000), V::kUidFull);
  EXPECT_EQ((*limiter)->Admit(New().server, 1001), V::kAdmitted);
  EXPECT_EQ((*limiter)->Admit(New().server, 1002), V::kTotalFull);
  EXPECT_EQ((*limiter)->open(), 3);
  EXPECT_EQ((*limiter)->open_of(1000), 2);
  EXPECT_EQ((*limiter)->open_of(1002), 0);
}

TEST_F(ConnectionLimiterTest, APeerClosingFreesItsSlot) {
  auto limiter = ConnectionLimiter::Create({.max_total = 8, .max_per_uid = 1});
  ASSERT_TRUE(limiter.ok());
  Connection& first = New();
  ASSERT_EQ((*limiter)->Admit(first.server, 7), ConnectionLimiter::Verdict::kAdmitted);
  EXPECT_EQ((*limiter)->Admit(New().server, 7), ConnectionLimiter::Verdict::kUidFull);
  close(first.client);
  first.client = -1;
  ASSERT_TRUE(AwaitOpen(**limiter, 0));
  EXPECT_EQ((*limiter)->Admit(New().server, 7), ConnectionLimiter::Verdict::kAdmitted);
}

TEST_F(ConnectionLimiterTest, TheServerShuttingItDownFreesItsSlotAndThePeerSeesTheEnd) {
  auto limiter = ConnectionLimiter::Create({.max_total = 8, .max_per_uid = 1});
  ASSERT_TRUE(limiter.ok());
  Connection& first = New();
  ASSERT_EQ((*limiter)->Admit(first.server, 7), ConnectionLimiter::Verdict::kAdmitted);
  // What gRPC does when it ends a transport, the peer still connected.
  shutdown(first.server, SHUT_RDWR);
  close(first.server);
  first.server = -1;
  ASSERT_TRUE(AwaitOpen(**limiter, 0));
  // The limiter's duplicate does not keep the connection alive.
  pollfd p{first.client, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  char byte;
  EXPECT_EQ(recv(first.client, &byte, 1, 0), 0);
}

TEST_F(ConnectionLimiterTest, ALiveConnectionKeepsCounting) {
  auto limiter = ConnectionLimiter::Create({.max_total = 8, .max_per_uid = 8});
  ASSERT_TRUE(limiter.ok());
  Connection& c = New();
  ASSERT_EQ((*limiter)->Admit(c.server, 7), ConnectionLimiter::Verdict::kAdmitted);
  ASSERT_EQ(write(c.client, "x", 1), 1);
  ASSERT_EQ(write(c.server, "y", 1), 1);
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ((*limiter)->open(), 1);
}

}  // namespace
}  // namespace hypercall::service
