#include "smccc.h"

uint64_t smccc_sentinel(uint32_t tag, int i) {
  return ((uint64_t)tag << 32) | 0x5e000000u | (uint32_t)i;
}

void smccc_prepare(uint64_t regs[SMCCC_REGS], uint32_t fid, uint64_t arg1, uint32_t tag) {
  regs[0] = fid;
  regs[1] = arg1;
  for (int i = 2; i < SMCCC_REGS; ++i) regs[i] = smccc_sentinel(tag, i);
}
