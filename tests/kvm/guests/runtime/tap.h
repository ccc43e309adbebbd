/*
 * TAP version 13 on the console, the report format of the conformance
 * guests (see tests/kvm/guests/README.md): a plan, one "ok N - what" or
 * "not ok N - what # got G want W" line per check, "# " lines for anything
 * else. guest_main() returns tap_end(): the failure count, which the runtime
 * writes to the exit device.
 */
#ifndef HYPERCALL_GUESTS_TAP_H_
#define HYPERCALL_GUESTS_TAP_H_

#include <stdbool.h>
#include <stdint.h>

#include "smccc.h"

/* "TAP version 13", then "1..planned" unless planned is 0 (then call
 * tap_plan() once the count is known). */
void tap_begin(int planned);
void tap_plan(int planned);

/* One check; returns ok. */
bool tap_ok(bool ok, const char* format, ...) __attribute__((format(printf, 2, 3)));

/* One check that got == want, printing both when not. */
bool tap_eq(uint64_t got, uint64_t want, const char* format, ...)
    __attribute__((format(printf, 3, 4)));

/* One check over the registers in `mask` (bit i = xi): ok when each equals
 * want; otherwise the line names the first wrong register with got/want and a
 * "# " line follows for every wrong register. */
bool tap_regs(const uint64_t got[SMCCC_REGS], const uint64_t want[SMCCC_REGS], uint32_t mask,
              const char* format, ...) __attribute__((format(printf, 4, 5)));

/* A "# " line. */
void tap_note(const char* format, ...) __attribute__((format(printf, 1, 2)));

/* The number of failed checks, plus one (with a note) when the number of
 * checks differs from the plan. */
int tap_end(void);

#endif /* HYPERCALL_GUESTS_TAP_H_ */
