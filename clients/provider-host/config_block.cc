#include "config_block.h"

#include <memory>

#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "wire/convert.h"

namespace hypercall::provider_host {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;

// Prints integers in hex, as function IDs and masks are written.
class HexPrinter : public TextFormat::FastFieldValuePrinter {
 public:
  void PrintUInt32(uint32_t value, TextFormat::BaseTextGenerator* generator) const override {
    generator->PrintString(absl::StrFormat("0x%08X", value));
  }
  void PrintUInt64(uint64_t value, TextFormat::BaseTextGenerator* generator) const override {
    generator->PrintString(absl::StrFormat("0x%X", value));
  }
};

// Has `printer` print `field` of `type` in hex.
void PrintInHex(TextFormat::Printer& printer, const google::protobuf::Descriptor* type,
                const char* field) {
  const FieldDescriptor* descriptor = type->FindFieldByName(field);
  auto hex = std::make_unique<HexPrinter>();
  if (printer.RegisterFieldValuePrinter(descriptor, hex.get())) hex.release();
}

}  // namespace

config::v1::Provider ExternalProviderConfig(const std::string& name,
                                            const std::vector<smccc::RangeClaim>& claims,
                                            uid_t uid) {
  config::v1::Provider provider;
  provider.set_name(name);
  provider.mutable_external()->add_allow_uid(uid);
  for (const smccc::RangeClaim& claim : claims) {
    config::v1::FunctionRange* range = provider.add_range();
    range->set_first(claim.range.first);
    range->set_last(claim.range.last);
    for (int reg = 1; reg <= smccc::kMaxArgRegister; ++reg) {
      if (claim.args_read_mask & (smccc::RegisterMask{1} << reg)) range->add_reads(reg);
    }
    wire::ToProto(claim.memory, *range->mutable_memory());
    range->set_secret_results(claim.secret_results);
  }
  return provider;
}

std::string ConfigBlock(const config::v1::Provider& provider) {
  TextFormat::Printer printer;
  printer.SetInitialIndentLevel(1);
  printer.SetUseShortRepeatedPrimitives(true);
  PrintInHex(printer, config::v1::FunctionRange::descriptor(), "first");
  PrintInHex(printer, config::v1::FunctionRange::descriptor(), "last");
  PrintInHex(printer, v1::MemoryOperand::descriptor(), "when_mask");
  PrintInHex(printer, v1::MemoryOperand::descriptor(), "when_value");
  PrintInHex(printer, v1::MemoryOperand::descriptor(), "bad_address_x0");
  std::string body;
  printer.PrintToString(provider, &body);
  return absl::StrFormat("provider {\n%s}\n", body);
}

}  // namespace hypercall::provider_host
