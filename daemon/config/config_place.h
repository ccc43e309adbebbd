// Where a field of the config file is, for problem reports: the config
// checks (config_check.cc, builtin_options.cc, and each built-in provider's
// options check) walk the parser's location tree with it so each problem
// names its line and column.
#ifndef HYPERCALL_DAEMON_CONFIG_CONFIG_PLACE_H_
#define HYPERCALL_DAEMON_CONFIG_CONFIG_PLACE_H_

#include <string>
#include <utility>

#include "config/config_problem.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"

namespace hypercall::config {

// Where a field's value starts in the file, for problem reports. Walks the
// parser's location tree; a field the file does not spell out (a default)
// has no place, and its problems are reported at its parent's.
class Place {
 public:
  Place(const google::protobuf::TextFormat::ParseInfoTree* tree,
        const google::protobuf::Descriptor* type, int line = 0, int column = 0)
      : tree_(tree), type_(type), line_(line), column_(column) {}

  // The place of `field`: element `index` of a list, -1 for a singular field.
  Place Field(const char* field, int index = -1) const {
    const google::protobuf::FieldDescriptor* descriptor =
        type_ == nullptr ? nullptr : type_->FindFieldByName(field);
    if (descriptor == nullptr) return Place(nullptr, nullptr, line_, column_);
    if (descriptor->is_repeated() && index < 0) index = 0;  // A list: its first element.
    const google::protobuf::Descriptor* nested_type = descriptor->message_type();
    if (tree_ == nullptr) return Place(nullptr, nested_type, line_, column_);
    const google::protobuf::TextFormat::ParseLocation at = tree_->GetLocation(descriptor, index);
    if (at.line < 0) return Place(nullptr, nested_type, line_, column_);
    const google::protobuf::TextFormat::ParseInfoTree* nested =
        nested_type != nullptr ? tree_->GetTreeForNested(descriptor, index) : nullptr;
    return Place(nested, nested_type, at.line + 1, at.column + 1);
  }

  // The place of the message a google.protobuf.Any here holds, written
  // out as `[type] { ... }`: its fields, read as `type`, are where the
  // parser recorded them, in the Any's own location tree.
  Place Contents(const google::protobuf::Descriptor* type) const {
    return Place(tree_, type, line_, column_);
  }

  int line() const { return line_; }

  ConfigProblem Problem(std::string message) const { return {line_, column_, std::move(message)}; }

 private:
  const google::protobuf::TextFormat::ParseInfoTree* tree_;
  const google::protobuf::Descriptor* type_;
  int line_;
  int column_;
};

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_CONFIG_PLACE_H_
