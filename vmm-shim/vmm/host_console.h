// The host side of the guest's UART: what the guest transmits goes to stdout
// byte by byte (unbuffered, so a guest's last words are never lost), and
// stdin, while it has input, feeds the UART's receive FIFO from a thread of
// its own (stdin is read as the terminal gives it: line by line in cooked mode).
#ifndef HYPERCALL_VMM_SHIM_VMM_HOST_CONSOLE_H_
#define HYPERCALL_VMM_SHIM_VMM_HOST_CONSOLE_H_

#include <cstdint>
#include <thread>

#include "uart_16550.h"
#include "unique_fd.h"

namespace hypercall::vmm {

// Writes one guest byte to stdout.
void TransmitToStdout(uint8_t byte);

class StdinFeeder {
 public:
  // Starts feeding `uart` (which must outlive this object) from stdin until
  // stdin ends or this object is destroyed.
  explicit StdinFeeder(Uart16550& uart);
  ~StdinFeeder();
  StdinFeeder(const StdinFeeder&) = delete;
  StdinFeeder& operator=(const StdinFeeder&) = delete;

 private:
  void Feed();

  Uart16550& uart_;
  UniqueFd stop_;  // eventfd: readable once the feeder must stop.
  std::thread thread_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_HOST_CONSOLE_H_
