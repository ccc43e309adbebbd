// How `hypercallctl trace` prints one call, like tcpdump prints a packet:
// time, VM, vCPU, conduit, call name with the arguments read, the result
// (x0 decoded, then the other written registers), provider and latency.
// The JSON form is one object per line (NDJSON).
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_TRACE_LINE_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_TRACE_LINE_H_

#include <cstdint>
#include <string>

#include "hypercall/v1/observer.pb.h"

namespace hypercall::ctl {

// "14:03:07.123456 demo vcpu0 HVC TRNG_RND64(x1=0xc0) -> x0=0x0 x1=0x5
// x2=0x6 x3=0x7 [trng] 12.5us\n"; "[unowned]" when no provider answered.
// A call passing guest memory shows its buffers after the arguments
// ("(x1=0x1000 x2=0x2000) mem 0x1000:64in 0x2000:64out"), and a result
// writing some after its registers ("mem 0x2000:64out", the bytes written);
// the trace never carries their contents. Values the daemon left out are
// named, not printed as zeros: a watcher not granted registers gets
// "TRNG_RND64(x1 withheld) -> x0=0x0 x1-x3 withheld" and buffers without
// addresses ("mem 64in"); results the provider keeps secret read
// "-> x0=0x0 x1-x3 secret" for every watcher.
std::string FormatTraceLine(const v1::TraceEvent& event);

// "3 events dropped\n": the daemon's queue for this watcher overflowed.
std::string FormatDroppedLine(uint64_t dropped);

// One JSON object and '\n'; its "dropped_before" carries the drop count.
// Calls with guest memory add "memory" (after "args") and results writing
// some "result_memory" (after "result"): arrays of {"operand", "address",
// "length", "direction"}. "registers_withheld" and "results_secret" are
// the event's; a value left out is null (its key stays: the register was
// read or written).
std::string FormatTraceJson(const v1::TraceEvent& event);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_TRACE_LINE_H_
