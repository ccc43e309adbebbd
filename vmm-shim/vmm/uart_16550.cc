#include "uart_16550.h"

#include <utility>

namespace hypercall::vmm {

Uart16550::Uart16550(std::function<void(uint8_t)> transmit, std::function<void(bool)> set_irq)
    : transmit_(std::move(transmit)), set_irq_(std::move(set_irq)) {}

uint64_t Uart16550::Read(uint64_t offset, int /*size*/) {
  absl::MutexLock lock(&mu_);
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  uint8_t value = 0;
  switch (offset) {
    case kRbrThrDll:
      if (dlab) {
        value = dll_;
      } else if (!rx_.empty()) {
        value = rx_.front();
        rx_.pop_front();
      }
      break;
    case kIerDlm:
      value = dlab ? dlm_ : ier_;
      break;
    case kIirFcr:
      value = iir_ | ((fcr_ & kFcrEnableFifo) ? kIirFifoEnabled : 0);
      break;
    case kLcr:
      value = lcr_;
      break;
    case kMcr:
      value = mcr_;
      break;
    case kLsr:
      // The transmitter is always empty: bytes leave as they are written.
      value = kLsrThre | kLsrTemt | (rx_.empty() ? 0 : kLsrDr);
      break;
    case kMsr:
      value = ModemStatus();
      break;
    case kScr:
      value = scr_;
      break;
  }
  UpdateIrq();
  return value;
}

void Uart16550::Write(uint64_t offset, uint64_t wide_value, int /*size*/) {
  absl::MutexLock lock(&mu_);
  const auto value = static_cast<uint8_t>(wide_value);
  const bool dlab = (lcr_ & kLcrDlab) != 0;
  switch (offset) {
    case kRbrThrDll:
      if (dlab) {
        dll_ = value;
      } else if (mcr_ & kMcrLoop) {
        if (rx_.size() < kFifoSize) rx_.push_back(value);
      } else {
        transmit_(value);
      }
      break;
    case kIerDlm:
      if (dlab) {
        dlm_ = value;
      } else {
        ier_ = value & 0x0f;
      }
      break;
    case kIirFcr:
      fcr_ = value;
      if (value & kFcrClearRcvr) rx_.clear();
      break;
    case kLcr:
      lcr_ = value;
      break;
    case kMcr:
      mcr_ = value & 0x1f;
      break;
    case kScr:
      scr_ = value;
      break;
  }
  UpdateIrq();
}

size_t Uart16550::Receive(std::span<const uint8_t> bytes) {
  absl::MutexLock lock(&mu_);
  size_t taken = 0;
  // In loopback the receiver hears only the transmitter.
  if (!(mcr_ & kMcrLoop)) {
    while (taken < bytes.size() && rx_.size() < kFifoSize) rx_.push_back(bytes[taken++]);
  }
  UpdateIrq();
  return taken;
}

void Uart16550::UpdateIrq() {
  // Highest priority first: received data, then transmitter empty.
  if ((ier_ & kIerRdi) && !rx_.empty()) {
    iir_ = kIirRdi;
  } else if (ier_ & kIerThri) {
    iir_ = kIirThri;
  } else {
    iir_ = kIirNoInt;
  }
  const bool level = iir_ != kIirNoInt;
  if (level != irq_level_) {
    irq_level_ = level;
    set_irq_(level);
  }
}

uint8_t Uart16550::ModemStatus() const {
  if (!(mcr_ & kMcrLoop)) return kMsrDcd | kMsrDsr | kMsrCts;
  // Loopback: the modem outputs come back as the inputs.
  uint8_t msr = 0;
  if (mcr_ & kMcrRts) msr |= kMsrCts;
  if (mcr_ & kMcrDtr) msr |= kMsrDsr;
  if (mcr_ & kMcrOut1) msr |= kMsrRi;
  if (mcr_ & kMcrOut2) msr |= kMsrDcd;
  return msr;
}

}  // namespace hypercall::vmm
