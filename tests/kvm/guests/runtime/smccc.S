/*
 * void smccc(enum conduit conduit, uint64_t regs[18]);
 * Loads x0..x17 from regs, issues HVC #0 (conduit 0) or SMC #0 (conduit 1),
 * and stores x0..x17 back, so a guest sees every result register, including
 * the ones a call leaves alone.
 */
  .text
  .globl smccc
  .balign 4
smccc:
  stp x29, x30, [sp, #-32]!
  mov x29, sp
  stp x19, x20, [sp, #16]
  mov x19, x1
  mov x20, x0
  ldp x0, x1, [x19, #0]
  ldp x2, x3, [x19, #16]
  ldp x4, x5, [x19, #32]
  ldp x6, x7, [x19, #48]
  ldp x8, x9, [x19, #64]
  ldp x10, x11, [x19, #80]
  ldp x12, x13, [x19, #96]
  ldp x14, x15, [x19, #112]
  ldp x16, x17, [x19, #128]
  cbnz x20, 1f
  hvc #0
  b 2f
1:
  smc #0
2:
  stp x0, x1, [x19, #0]
  stp x2, x3, [x19, #16]
  stp x4, x5, [x19, #32]
  stp x6, x7, [x19, #48]
  stp x8, x9, [x19, #64]
  stp x10, x11, [x19, #80]
  stp x12, x13, [x19, #96]
  stp x14, x15, [x19, #112]
  stp x16, x17, [x19, #128]
  ldp x19, x20, [sp, #16]
  ldp x29, x30, [sp], #32
  ret
