// Reads hypercalld's config file: protobuf text format
// (proto/hypercall/config/v1/config.proto) parsed with every error located,
// then CheckConfig. Used at start, on SIGHUP, and by --check-config.
#ifndef HYPERCALL_DAEMON_CONFIG_CONFIG_FILE_H_
#define HYPERCALL_DAEMON_CONFIG_CONFIG_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "config/config_check.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "hypercall/config/v1/config.pb.h"

namespace hypercall::config {

// Parses `text` as protobuf text format into `message`, writing where each
// field was written to `locations` (for CheckConfig-style problem places),
// with `finder` (when given) resolving the type names of Any blocks.
// Returns the parser's complaints with their places (1-based), none when it
// parsed.
std::vector<ConfigProblem> ParseTextFormat(
    std::string_view text, google::protobuf::Message& message,
    google::protobuf::TextFormat::ParseInfoTree& locations,
    const google::protobuf::TextFormat::Finder* finder = nullptr);

// InvalidArgument with one line per problem, for the text called `source`:
// "SOURCE<separator>LINE:COLUMN: what is wrong", or "SOURCE: what is wrong"
// for a problem without a place.
absl::Status RefuseProblems(std::string_view source, char separator,
                            const std::vector<ConfigProblem>& problems);

// The config in `text`, read from a file called `file_name`. On any problem,
// InvalidArgument whose message has one line per problem, each
// "FILE:LINE:COLUMN: what is wrong" (or "FILE: ..." for the whole file), so
// editors and operators can jump to it. A built-in provider's options block
// (`builtin { [options/NAME] { ... } }`) is read as NAME's options type from
// `catalog`.
absl::StatusOr<v1::Config> ParseConfig(std::string_view text, std::string_view file_name,
                                       const BuiltinCatalog& catalog);

// ParseConfig on the contents of `path`; NotFound / PermissionDenied /
// InvalidArgument naming the path when it cannot be read, and files over
// 1 MiB are refused.
absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path, const BuiltinCatalog& catalog);

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_CONFIG_FILE_H_
