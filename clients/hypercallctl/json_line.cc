#include "hypercallctl/json_line.h"

namespace hypercall::ctl {

std::string JsonLine(const Json& document) {
  return document.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace) + "\n";
}

}  // namespace hypercall::ctl
