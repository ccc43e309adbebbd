// The daemon's status as the observer socket reports it, and a bounded wait
// for it to reach a state, for the service tests that watch the real daemon
// take in or let go of sessions and streams.
#ifndef HYPERCALL_TESTS_DAEMON_SERVICE_DAEMON_STATUS_H_
#define HYPERCALL_TESTS_DAEMON_SERVICE_DAEMON_STATUS_H_

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "hypercall/v1/observer.grpc.pb.h"
#include "wire/protocol.h"

namespace hypercall::testing {

// GetStatus through `observer`; a failed call fails the test.
inline v1::StatusReply DaemonStatus(v1::ObserverService::Stub& observer) {
  grpc::ClientContext context;
  v1::StatusRequest request;
  *request.mutable_hello() = wire::MakeHello("daemon-test/1");
  v1::StatusReply reply;
  const grpc::Status status = observer.GetStatus(&context, request, &reply);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return reply;
}

// Waits, at most 10 s, until the status satisfies `done`; fails the test
// with the last status otherwise.
inline void AwaitDaemonStatus(v1::ObserverService::Stub& observer,
                              const std::function<bool(const v1::StatusReply&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done(DaemonStatus(observer))) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << DaemonStatus(observer).DebugString();
    std::this_thread::yield();
  }
}

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_DAEMON_SERVICE_DAEMON_STATUS_H_
