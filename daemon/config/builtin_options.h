// A built-in provider's options as the config carries them: a
// google.protobuf.Any, written `builtin { [options/NAME] { ... } }` (or with
// the options message's full type name), so each provider keeps its options
// message in its own folder and config.proto names none. Parsing resolves
// the name through the catalog; the checks make sure a block is the named
// provider's own before that provider's checks see it.
#ifndef HYPERCALL_DAEMON_CONFIG_BUILTIN_OPTIONS_H_
#define HYPERCALL_DAEMON_CONFIG_BUILTIN_OPTIONS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "config/builtin_catalog.h"
#include "config/config_place.h"
#include "config/config_problem.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"

namespace hypercall::config {

// The type URL prefix that names a built-in provider's options by the
// provider's name: "options/hyperv".
inline constexpr std::string_view kOptionsTypePrefix = "options/";

// Lets the text-format parser read `[options/NAME] { ... }` as NAME's
// options message; other type URLs resolve as protobuf resolves them.
class OptionsTypeFinder : public google::protobuf::TextFormat::Finder {
 public:
  explicit OptionsTypeFinder(const BuiltinCatalog& catalog) : catalog_(catalog) {}

  const google::protobuf::Descriptor* FindAnyType(const google::protobuf::Message& message,
                                                  const std::string& prefix,
                                                  const std::string& name) const override;

 private:
  const BuiltinCatalog& catalog_;
};

// The options of built-in provider `name` (in `catalog`) that `options`
// holds, as a message of that provider's options type; nullptr for an empty
// block (`builtin {}`). InvalidArgument, saying what to write, when the
// block is another type's or the provider takes no options.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> UnpackBuiltinOptions(
    const std::string& name, const google::protobuf::Any& options, const BuiltinCatalog& catalog);

// The problems of `options`, the builtin block at `place` of provider
// `name`, which the catalog has: that it is the provider's own (as
// UnpackBuiltinOptions), then the provider's own checks.
std::vector<ConfigProblem> CheckBuiltinOptions(const std::string& name,
                                               const google::protobuf::Any& options,
                                               const Place& place, const BuiltinCatalog& catalog);

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_BUILTIN_OPTIONS_H_
