// How registers, register masks, conduits and return codes are written in
// hypercallctl's output, so `call`, `trace` and `ranges` print them alike.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_REGISTER_FORMAT_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_REGISTER_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hypercall/v1/common.pb.h"
#include "smccc/call.h"

namespace hypercall::ctl {

// "0x0", "0xc4000053": lower-case, no padding.
std::string Hex(uint64_t value);

// "x3", the name of register i.
std::string RegisterName(int i);

// The register numbers whose bits are set in `mask`, ascending (x0..x17 only).
std::vector<int> RegistersIn(smccc::RegisterMask mask);

// Compact list for tables: "x1-x3,x5"; "-" for an empty mask.
std::string RegisterRanges(smccc::RegisterMask mask);

// x0 of a result of call `function_id`: "0x10000", or with the name of the
// SMCCC return code it holds, "0xffffffff(NOT_SUPPORTED)".
std::string DescribeX0(uint32_t function_id, uint64_t x0);

// "HVC", "SMC", or "?" when unspecified.
std::string ConduitName(v1::Conduit conduit);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_REGISTER_FORMAT_H_
