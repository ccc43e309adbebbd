// The UART as Linux's 8250 driver and a bare-metal guest drive it.
#include "uart_16550.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hypercall::vmm {
namespace {

using U = Uart16550;

class Uart16550Test : public ::testing::Test {
 protected:
  uint8_t Read(uint64_t offset) { return static_cast<uint8_t>(uart_.Read(offset, 1)); }
  void Write(uint64_t offset, uint8_t value) { uart_.Write(offset, value, 1); }

  std::string out_;
  std::vector<bool> irq_changes_;
  Uart16550 uart_{[this](uint8_t b) { out_.push_back(static_cast<char>(b)); },
                  [this](bool level) { irq_changes_.push_back(level); }};
};

TEST_F(Uart16550Test, BareMetalPollingTransmit) {
  for (char c : std::string("hello\n")) {
    ASSERT_TRUE(Read(U::kLsr) & U::kLsrThre);
    Write(U::kRbrThrDll, static_cast<uint8_t>(c));
  }
  EXPECT_EQ(out_, "hello\n");
  EXPECT_TRUE(irq_changes_.empty());
}

TEST_F(Uart16550Test, ResetStateLooksIdle) {
  EXPECT_EQ(Read(U::kIirFcr), U::kIirNoInt);
  EXPECT_EQ(Read(U::kLsr), U::kLsrThre | U::kLsrTemt);
  EXPECT_EQ(Read(U::kIerDlm), 0);
  EXPECT_EQ(Read(U::kMsr), U::kMsrDcd | U::kMsrDsr | U::kMsrCts);
}

TEST_F(Uart16550Test, ThreInterruptIsLevelWhileEnabled) {
  // Linux: start_tx sets IER.THRI; the line goes up and stays up while the
  // driver writes, even across IIR reads (kvmtool's and the 8250 THRE test's
  // expectation); stop_tx clears IER.THRI and the line drops.
  Write(U::kIerDlm, U::kIerThri);
  EXPECT_EQ(irq_changes_, std::vector<bool>{true});
  EXPECT_EQ(Read(U::kIirFcr), U::kIirThri);
  Write(U::kRbrThrDll, 'x');
  EXPECT_EQ(Read(U::kIirFcr), U::kIirThri);
  EXPECT_EQ(irq_changes_, std::vector<bool>{true});
  Write(U::kIerDlm, 0);
  EXPECT_EQ(irq_changes_, (std::vector<bool>{true, false}));
  EXPECT_EQ(Read(U::kIirFcr), U::kIirNoInt);
  EXPECT_EQ(out_, "x");
}

TEST_F(Uart16550Test, IirShowsFifosWhenEnabled) {
  Write(U::kIirFcr, U::kFcrEnableFifo);
  EXPECT_EQ(Read(U::kIirFcr), U::kIirNoInt | U::kIirFifoEnabled);
}

TEST_F(Uart16550Test, ReceiveSetsDataReadyAndRaisesRdiWhenEnabled) {
  const uint8_t in[] = {'o', 'k'};
  EXPECT_EQ(uart_.Receive(in), 2u);
  EXPECT_TRUE(Read(U::kLsr) & U::kLsrDr);
  EXPECT_TRUE(irq_changes_.empty());  // RDI not enabled yet.
  Write(U::kIerDlm, U::kIerRdi | U::kIerThri);
  EXPECT_EQ(Read(U::kIirFcr), U::kIirRdi);  // Received data outranks THRE.
  EXPECT_EQ(Read(U::kRbrThrDll), 'o');
  EXPECT_EQ(Read(U::kRbrThrDll), 'k');
  EXPECT_FALSE(Read(U::kLsr) & U::kLsrDr);
  EXPECT_EQ(Read(U::kIirFcr), U::kIirThri);
  EXPECT_EQ(Read(U::kRbrThrDll), 0);  // Empty FIFO reads 0.
}

TEST_F(Uart16550Test, ReceiveFifoHolds64AndFcrClearsIt) {
  std::vector<uint8_t> in(100, 'a');
  EXPECT_EQ(uart_.Receive(in), U::kFifoSize);
  EXPECT_EQ(uart_.Receive(in), 0u);
  Write(U::kIirFcr, U::kFcrClearRcvr);
  EXPECT_FALSE(Read(U::kLsr) & U::kLsrDr);
}

TEST_F(Uart16550Test, DivisorLatchSharesOffsetsZeroAndOne) {
  Write(U::kIerDlm, U::kIerRdi);
  Write(U::kLcr, U::kLcrDlab | 0x03);
  Write(U::kRbrThrDll, 0x01);
  Write(U::kIerDlm, 0x02);
  EXPECT_EQ(Read(U::kRbrThrDll), 0x01);
  EXPECT_EQ(Read(U::kIerDlm), 0x02);
  EXPECT_TRUE(out_.empty());
  Write(U::kLcr, 0x03);
  EXPECT_EQ(Read(U::kLcr), 0x03);
  EXPECT_EQ(Read(U::kIerDlm), U::kIerRdi);
}

TEST_F(Uart16550Test, ScratchAndModemControl) {
  Write(U::kScr, 0x5a);
  EXPECT_EQ(Read(U::kScr), 0x5a);
  Write(U::kMcr, U::kMcrDtr | U::kMcrRts | U::kMcrOut2);
  EXPECT_EQ(Read(U::kMcr), U::kMcrDtr | U::kMcrRts | U::kMcrOut2);
}

TEST_F(Uart16550Test, LoopbackEchoesTransmitIntoReceiveAndModemLines) {
  Write(U::kMcr, U::kMcrLoop | U::kMcrRts | U::kMcrOut2);
  EXPECT_EQ(Read(U::kMsr), U::kMsrCts | U::kMsrDcd);
  Write(U::kRbrThrDll, 'z');
  EXPECT_TRUE(out_.empty());
  EXPECT_TRUE(Read(U::kLsr) & U::kLsrDr);
  EXPECT_EQ(Read(U::kRbrThrDll), 'z');
  const uint8_t in[] = {'h'};
  EXPECT_EQ(uart_.Receive(in), 0u);  // The outside world is cut off in loopback.
}

}  // namespace
}  // namespace hypercall::vmm
