// Makes the built-in provider a host process serves, from its registered
// name and the options given on the command line: protobuf text of the
// provider's options message, as the config's `builtin { [options/NAME] {
// ... } }` block holds it. The options pass the same checks as in a config
// file before the provider's factory sees them, so a provider behaves the
// same in the daemon and in a host process.
#ifndef HYPERCALL_CLIENTS_PROVIDER_HOST_BUILTIN_FACTORY_H_
#define HYPERCALL_CLIENTS_PROVIDER_HOST_BUILTIN_FACTORY_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "hypercall/provider/provider.h"

namespace hypercall::provider_host {

// The built-in provider registered as `name`, made with `options_text`
// (empty: no options). NotFound listing the registered names for an unknown
// one; InvalidArgument saying what is wrong ("--options 1:12: ...") for text
// that does not parse or options the checks or the provider refuse.
absl::StatusOr<std::unique_ptr<provider::Provider>> MakeBuiltinProvider(
    const std::string& name, std::string_view options_text);

}  // namespace hypercall::provider_host

#endif  // HYPERCALL_CLIENTS_PROVIDER_HOST_BUILTIN_FACTORY_H_
