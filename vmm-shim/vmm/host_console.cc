#include "host_console.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <span>

namespace hypercall::vmm {
namespace {

// How long to wait before offering input again while the guest's receive
// FIFO is full.
constexpr int kFifoFullRetryMs = 10;

}  // namespace

void TransmitToStdout(uint8_t byte) {
  while (write(STDOUT_FILENO, &byte, 1) < 0 && errno == EINTR) {
  }
}

StdinFeeder::StdinFeeder(Uart16550& uart)
    : uart_(uart), stop_(eventfd(0, EFD_CLOEXEC)), thread_([this] { Feed(); }) {}

StdinFeeder::~StdinFeeder() {
  const uint64_t one = 1;
  if (write(stop_.get(), &one, sizeof(one)) < 0) {
    // Nothing else would wake the feeder: leave it to the process's exit.
    thread_.detach();
    return;
  }
  thread_.join();
}

void StdinFeeder::Feed() {
  uint8_t buffer[256];
  while (true) {
    pollfd fds[] = {{stop_.get(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents != 0) return;
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // End of input (or none to be had): the guest hears nothing more.
    std::span<const uint8_t> pending(buffer, static_cast<size_t>(n));
    while (!pending.empty()) {
      pending = pending.subspan(uart_.Receive(pending));
      if (pending.empty()) break;
      pollfd stop = {stop_.get(), POLLIN, 0};
      if (poll(&stop, 1, kFifoFullRetryMs) > 0) return;
    }
  }
}

}  // namespace hypercall::vmm
