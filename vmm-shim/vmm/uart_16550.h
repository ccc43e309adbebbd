// An ns16550a UART as Linux's 8250 driver and a bare-metal guest use it,
// modelled on kvmtool's hw/serial.c: bytes written to THR go straight out
// (the transmitter is always empty: LSR THRE|TEMT), bytes from the host wait
// in a 64-byte receive FIFO, and the interrupt line is level: high while an
// enabled condition holds (data ready with IER.RDI; transmitter empty with
// IER.THRI). Linux's TX path relies on that THRE interrupt: it writes a burst
// on each interrupt and clears IER.THRI when its buffer is empty.
// Also DLL/DLM (LCR.DLAB), LCR, MCR (with loopback), MSR, scratch, FCR.
#ifndef HYPERCALL_VMM_SHIM_VMM_UART_16550_H_
#define HYPERCALL_VMM_SHIM_VMM_UART_16550_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <span>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "mmio_bus.h"

namespace hypercall::vmm {

class Uart16550 : public MmioDevice {
 public:
  // Register offsets (reg-shift 0).
  static constexpr uint64_t kRbrThrDll = 0;
  static constexpr uint64_t kIerDlm = 1;
  static constexpr uint64_t kIirFcr = 2;
  static constexpr uint64_t kLcr = 3;
  static constexpr uint64_t kMcr = 4;
  static constexpr uint64_t kLsr = 5;
  static constexpr uint64_t kMsr = 6;
  static constexpr uint64_t kScr = 7;
  // Bits.
  static constexpr uint8_t kIerRdi = 0x01;
  static constexpr uint8_t kIerThri = 0x02;
  static constexpr uint8_t kIirNoInt = 0x01;
  static constexpr uint8_t kIirThri = 0x02;
  static constexpr uint8_t kIirRdi = 0x04;
  static constexpr uint8_t kIirFifoEnabled = 0xc0;
  static constexpr uint8_t kFcrEnableFifo = 0x01;
  static constexpr uint8_t kFcrClearRcvr = 0x02;
  static constexpr uint8_t kLcrDlab = 0x80;
  static constexpr uint8_t kMcrDtr = 0x01;
  static constexpr uint8_t kMcrRts = 0x02;
  static constexpr uint8_t kMcrOut1 = 0x04;
  static constexpr uint8_t kMcrOut2 = 0x08;
  static constexpr uint8_t kMcrLoop = 0x10;
  static constexpr uint8_t kLsrDr = 0x01;
  static constexpr uint8_t kLsrThre = 0x20;
  static constexpr uint8_t kLsrTemt = 0x40;
  static constexpr uint8_t kMsrCts = 0x10;
  static constexpr uint8_t kMsrDsr = 0x20;
  static constexpr uint8_t kMsrRi = 0x40;
  static constexpr uint8_t kMsrDcd = 0x80;
  static constexpr size_t kFifoSize = 64;

  // `transmit` gets each byte the guest sends; `set_irq(level)` drives the
  // interrupt line and is called only when the level changes. Both run with
  // the UART's lock held, on whichever thread touched the UART.
  Uart16550(std::function<void(uint8_t)> transmit, std::function<void(bool)> set_irq);

  uint64_t Read(uint64_t offset, int size) override ABSL_LOCKS_EXCLUDED(mu_);
  void Write(uint64_t offset, uint64_t value, int size) override ABSL_LOCKS_EXCLUDED(mu_);

  // Host input for the guest: queues what fits in the receive FIFO and
  // returns how many bytes that was. Thread-safe.
  size_t Receive(std::span<const uint8_t> bytes) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void UpdateIrq() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint8_t ModemStatus() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::function<void(uint8_t)> transmit_;
  const std::function<void(bool)> set_irq_;

  absl::Mutex mu_;
  std::deque<uint8_t> rx_ ABSL_GUARDED_BY(mu_);
  uint8_t ier_ ABSL_GUARDED_BY(mu_) = 0;
  uint8_t iir_ ABSL_GUARDED_BY(mu_) = kIirNoInt;
  uint8_t fcr_ ABSL_GUARDED_BY(mu_) = 0;
  uint8_t lcr_ ABSL_GUARDED_BY(mu_) = 0;
  uint8_t mcr_ ABSL_GUARDED_BY(mu_) = kMcrOut2;
  uint8_t scr_ ABSL_GUARDED_BY(mu_) = 0;
  uint8_t dll_ ABSL_GUARDED_BY(mu_) = 0x0c;  // 9600 baud at 1.8432 MHz.
  uint8_t dlm_ ABSL_GUARDED_BY(mu_) = 0;
  bool irq_level_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_UART_16550_H_
