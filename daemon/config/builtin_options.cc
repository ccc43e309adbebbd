#include "config/builtin_options.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/descriptor.h"

namespace hypercall::config {
namespace {

using google::protobuf::Descriptor;

// The options type `type_url` names: "options/NAME" is NAME's; any other URL
// names a message by the full name after its last '/', as protobuf's Any
// does. nullptr when it names none.
const Descriptor* NamedType(std::string_view type_url, const BuiltinCatalog& catalog) {
  if (type_url.starts_with(kOptionsTypePrefix)) {
    const auto it = catalog.find(std::string(type_url.substr(kOptionsTypePrefix.size())));
    if (it == catalog.end() || it->second.options_prototype == nullptr) return nullptr;
    return it->second.options_prototype->GetDescriptor();
  }
  const size_t slash = type_url.rfind('/');
  if (slash == std::string_view::npos) return nullptr;
  return google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
      std::string(type_url.substr(slash + 1)));
}

// What a block of options type `type` is, for messages.
std::string WhoseBlock(const Descriptor* type, const BuiltinCatalog& catalog) {
  for (const auto& [name, description] : catalog) {
    if (type != nullptr && description.options_prototype != nullptr &&
        description.options_prototype->GetDescriptor() == type) {
      return absl::StrFormat("is for built-in provider \"%s\"", name);
    }
  }
  return "holds no built-in provider's options";
}

}  // namespace

const Descriptor* OptionsTypeFinder::FindAnyType(const google::protobuf::Message&,
                                                 const std::string& prefix,
                                                 const std::string& name) const {
  return NamedType(prefix + name, catalog_);
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> UnpackBuiltinOptions(
    const std::string& name, const google::protobuf::Any& options, const BuiltinCatalog& catalog) {
  const auto it = catalog.find(name);
  if (it == catalog.end()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("there is no built-in provider \"%s\"", name));
  }
  if (options.type_url().empty() && options.value().empty()) return nullptr;
  const google::protobuf::Message* prototype = it->second.options_prototype;
  const Descriptor* type = NamedType(options.type_url(), catalog);
  if (prototype == nullptr || type != prototype->GetDescriptor()) {
    const std::string written = absl::StrCat("[", options.type_url(), "]");
    if (prototype == nullptr && type == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrFormat("built-in provider \"%s\" takes no options: write \"builtin {}\"", name));
    }
    return absl::InvalidArgumentError(absl::StrFormat(
        "a %s block %s, not \"%s\"%s", written, WhoseBlock(type, catalog), name,
        prototype == nullptr
            ? std::string(", which takes no options: write \"builtin {}\"")
            : absl::StrFormat(": write \"[%s%s] { ... }\"", kOptionsTypePrefix, name)));
  }
  std::unique_ptr<google::protobuf::Message> unpacked(prototype->New());
  if (!unpacked->ParseFromString(options.value())) {
    return absl::InvalidArgumentError(
        absl::StrFormat("the options of built-in provider \"%s\" cannot be read", name));
  }
  return unpacked;
}

std::vector<ConfigProblem> CheckBuiltinOptions(const std::string& name,
                                               const google::protobuf::Any& options,
                                               const Place& place, const BuiltinCatalog& catalog) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> unpacked =
      UnpackBuiltinOptions(name, options, catalog);
  if (!unpacked.ok()) return {place.Problem(std::string(unpacked.status().message()))};
  const BuiltinDescription& description = catalog.at(name);
  if (!description.check_options) return {};
  if (*unpacked == nullptr) {
    if (description.options_prototype == nullptr) return {};
    return description.check_options(*description.options_prototype, place);
  }
  return description.check_options(**unpacked, place.Contents((*unpacked)->GetDescriptor()));
}

}  // namespace hypercall::config
