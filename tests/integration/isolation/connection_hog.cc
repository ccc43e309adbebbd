// The attack of a process that opens many connections to a daemon socket and
// holds them, to use up the connections everyone else needs; preauth_test
// runs it as another uid.
//   hypercall-test-connection-hog SOCKET COUNT HOLD_MS
// Round 1 opens COUNT connections and counts those the daemon closed at once
// (refused: they see end-of-file without having sent anything). Then it
// sends bytes that are not HTTP/2 on the others, so that gRPC drops them,
// while keeping its own ends open. Round 2 opens COUNT more: when the daemon
// saw gRPC drop the first ones, they no longer count against it. It prints
//   round 1: held H refused R
//   dropped D
//   round 2: held H refused R
// then holds every connection for HOLD_MS and exits 0 (2 on a usage error or
// when it cannot connect at all).
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

int ConnectTo(const std::string& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether the daemon has closed `fd` within `timeout_ms` (end-of-file or an
// error), reading and discarding whatever it sent first.
bool ClosedWithin(int fd, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) return false;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN)) return true;
  }
}

struct Round {
  std::vector<int> held;
  int refused = 0;
};

Round Open(const std::string& path, int count, std::vector<int>& all) {
  Round round;
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) {
    const int fd = ConnectTo(path);
    if (fd < 0) {
      ++round.refused;
      continue;
    }
    fds.push_back(fd);
    all.push_back(fd);
  }
  // Time for the daemon's accept loop to reach every connection, however
  // loaded the machine (one it has not accepted yet would count as held).
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  for (const int fd : fds) {
    if (ClosedWithin(fd, 50)) {
      ++round.refused;
    } else {
      round.held.push_back(fd);
    }
  }
  return round;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::printf("usage: hypercall-test-connection-hog SOCKET COUNT HOLD_MS\n");
    return 2;
  }
  const std::string path = argv[1];
  const int count = std::atoi(argv[2]);
  const int hold_ms = std::atoi(argv[3]);
  std::vector<int> all;
  const Round first = Open(path, count, all);
  if (first.held.empty() && first.refused == count && all.empty()) {
    std::printf("cannot connect to %s: %s\n", path.c_str(), std::strerror(errno));
    return 2;
  }
  std::printf("round 1: held %zu refused %d\n", first.held.size(), first.refused);
  int dropped = 0;
  for (const int fd : first.held) {
    static const char kGarbage[] = "this is not HTTP/2, and gRPC drops the connection\r\n\r\n";
    if (send(fd, kGarbage, sizeof(kGarbage) - 1, MSG_NOSIGNAL) < 0 || ClosedWithin(fd, 5000)) {
      ++dropped;
    }
  }
  std::printf("dropped %d\n", dropped);
  // The daemon sees the ends on its own thread, a moment later.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const Round second = Open(path, count, all);
  std::printf("round 2: held %zu refused %d\n", second.held.size(), second.refused);
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
  for (const int fd : all) close(fd);
  return 0;
}
