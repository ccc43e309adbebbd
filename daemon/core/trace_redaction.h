// What of a traced call an observer may see. Every observer sees its
// metadata (time, VM, vCPU, conduit, function ID, which registers were read
// and written, x0, memory buffers' operand, length and direction, provider,
// latency); register values and guest addresses only an observer the config
// grants them; result registers of a range whose provider keeps its results
// secret, no observer.
#ifndef HYPERCALL_DAEMON_CORE_TRACE_REDACTION_H_
#define HYPERCALL_DAEMON_CORE_TRACE_REDACTION_H_

#include "core/trace_hub.h"

namespace hypercall::core {

// Zeroes the result registers past x0 and sets results_secret. The vCPU
// path applies it to the record of every call in a secret range before the
// record is published, so the values never reach a watcher's queue.
void WithholdSecretResults(TraceRecord& record);

// Zeroes the argument registers, the result registers past x0 and every
// memory buffer's guest address, and sets registers_withheld: the record as
// an observer without the registers grant gets it.
void WithholdRegisters(TraceRecord& record);

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_TRACE_REDACTION_H_
