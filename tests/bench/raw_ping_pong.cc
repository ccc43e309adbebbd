#include "raw_ping_pong.h"

#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "cpu_placement.h"

namespace hypercall::bench {
namespace {

// The child: plain system calls only (the parent has gRPC threads).
[[noreturn]] void Echo(int fd, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) _exit(3);
  char buf[kMessageBytes];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) _exit(n == 0 ? 0 : 4);
    if (write(fd, buf, n) != n) _exit(5);
  }
}

}  // namespace

absl::StatusOr<LatencySummary> MeasureRawPingPong(int echo_cpu, int warmup, int calls) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::ErrnoToStatus(errno, "socketpair");
  }
  const pid_t child = fork();
  if (child < 0) return absl::ErrnoToStatus(errno, "fork");
  if (child == 0) {
    close(fds[0]);
    Echo(fds[1], echo_cpu);
  }
  close(fds[1]);
  const int fd = fds[0];

  char request[kMessageBytes];
  char reply[kMessageBytes];
  std::memset(request, 0x5a, sizeof(request));
  std::vector<int64_t> samples;
  samples.reserve(calls);
  absl::Status status;
  double cpu_before = 0;
  double own_cpu_before = 0;
  for (int i = 0; i < warmup + calls && status.ok(); ++i) {
    if (i == warmup) {
      cpu_before = ProcessCpuSeconds(child);
      own_cpu_before = OwnCpuSeconds();
    }
    const auto start = std::chrono::steady_clock::now();
    if (write(fd, request, sizeof(request)) != kMessageBytes ||
        read(fd, reply, sizeof(reply)) != kMessageBytes) {
      status = absl::ErrnoToStatus(errno, "raw ping-pong");
    }
    const auto end = std::chrono::steady_clock::now();
    if (i >= warmup) {
      samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    }
  }
  const double cpu_after = ProcessCpuSeconds(child);
  const double own_cpu_after = OwnCpuSeconds();
  close(fd);
  waitpid(child, nullptr, 0);
  if (!status.ok()) return status;
  LatencySummary summary = Summarize(samples);
  if (cpu_before >= 0 && cpu_after >= 0) {
    summary.server_cpu_us = (cpu_after - cpu_before) / calls * 1e6;
  }
  summary.client_cpu_us = (own_cpu_after - own_cpu_before) / calls * 1e6;
  return summary;
}

}  // namespace hypercall::bench
