// Reads hypercalld's config file: protobuf text format
// (proto/hypercall/config/v1/config.proto) parsed with every error located,
// then CheckConfig. Used at start, on SIGHUP, and by --check-config.
#ifndef HYPERCALL_DAEMON_CONFIG_CONFIG_FILE_H_
#define HYPERCALL_DAEMON_CONFIG_CONFIG_FILE_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "config/config_check.h"
#include "hypercall/config/v1/config.pb.h"

namespace hypercall::config {

// The config in `text`, read from a file called `file_name`. On any problem,
// InvalidArgument whose message has one line per problem, each
// "FILE:LINE:COLUMN: what is wrong" (or "FILE: ..." for the whole file), so
// editors and operators can jump to it.
absl::StatusOr<v1::Config> ParseConfig(std::string_view text, std::string_view file_name,
                                       const BuiltinCatalog& catalog);

// ParseConfig on the contents of `path`; NotFound / PermissionDenied /
// InvalidArgument naming the path when it cannot be read, and files over
// 1 MiB are refused.
absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path, const BuiltinCatalog& catalog);

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_CONFIG_FILE_H_
