// hypercallctl's --json output (nlohmann::json): one compact document per
// line, so `trace --json` is NDJSON; keys in the order they were set.
// Registers and function IDs go in as "0x..." strings (Hex()), since JSON
// numbers lose precision past 2^53 in most readers.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_JSON_LINE_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_JSON_LINE_H_

#include <string>

#include "nlohmann/json.hpp"

namespace hypercall::ctl {

// A JSON document whose objects keep their keys in insertion order.
using Json = nlohmann::ordered_json;

// `document` compact and '\n'. Invalid UTF-8 in strings (a VM's name is
// whatever its VMM sent) becomes U+FFFD, so the line always parses.
std::string JsonLine(const Json& document);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_JSON_LINE_H_
