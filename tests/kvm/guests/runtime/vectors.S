/*
 * EL1 exception vectors: no exception is expected, so each of the 16 entries
 * reports what happened (guest_exception() prints the syndrome and exits
 * with a failure) instead of leaving the guest hanging.
 */
  .macro report kind
  .balign 0x80
  mov x0, #\kind
  b to_c
  .endm

  .section .vectors, "ax"
  .globl exception_vectors
  .balign 2048
exception_vectors:
  .irp kind, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
  report \kind
  .endr

to_c:
  mrs x1, esr_el1
  mrs x2, elr_el1
  mrs x3, far_el1
  bl guest_exception
