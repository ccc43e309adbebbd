#include "config/config_check.h"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "config/builtin_options.h"
#include "config/config_place.h"
#include "config/limits.h"
#include "smccc/function_range.h"
#include "smccc/memory_operand.h"
#include "wire/convert.h"

namespace hypercall::config {
namespace {

using google::protobuf::TextFormat;

// Room a call or result needs besides its memory bytes: registers, ids,
// the buffers' other fields, framing.
constexpr uint32_t kMessageBytesBesideMemory = 4096;

bool ValidProviderName(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// A systemd service or scope name as systemd writes them: at most 255
// characters of letters, digits, ':', '_', '.', backslash and '-', with at most
// one '@' (an instance) not first, ending in ".service" or ".scope" after a
// non-empty prefix.
bool ValidUnitName(const std::string& unit) {
  const auto ends_with = [&unit](std::string_view suffix) {
    return unit.size() > suffix.size() &&
           unit.compare(unit.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (unit.size() > 255 || !(ends_with(".service") || ends_with(".scope"))) return false;
  if (unit.front() == '@' || std::count(unit.begin(), unit.end(), '@') > 1) return false;
  return std::all_of(unit.begin(), unit.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '_' || c == '.' ||
           c == '\\' || c == '-' || c == '@';
  });
}

bool IsNumber(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

bool UserExists(const std::string& name) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  return getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
         found != nullptr;
}

bool GroupExists(const std::string& name) {
  group entry{};
  group* found = nullptr;
  std::vector<char> buffer(16384);
  return getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found) == 0 &&
         found != nullptr;
}

// A range some provider may claim, with where it came from.
struct OwnedRange {
  smccc::FunctionRange range;
  std::string provider;
  int line = 0;
};

class Checker {
 public:
  Checker(const v1::Config& config, const TextFormat::ParseInfoTree* locations,
          const BuiltinCatalog& catalog)
      : config_(config), root_(locations, v1::Config::descriptor()), catalog_(catalog) {}

  std::vector<ConfigProblem> Run() {
    CheckVersion();
    for (int i = 0; i < config_.provider_size(); ++i) CheckProvider(i);
    CheckVmRules();
    CheckSockets();
    CheckLimits();
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const ConfigProblem& a, const ConfigProblem& b) {
                       return a.line < b.line || (a.line == b.line && a.column < b.column);
                     });
    return std::move(problems_);
  }

 private:
  void Add(ConfigProblem problem) { problems_.push_back(std::move(problem)); }

  void CheckVersion() {
    if (config_.version() == kConfigVersion) return;
    if (config_.version() == 0) {
      Add(root_.Problem(absl::StrFormat("version is missing: start the file with \"version: %d\"",
                                        kConfigVersion)));
      return;
    }
    Add(root_.Field("version").Problem(
        absl::StrFormat("version %d is not one this hypercalld reads; it reads version %d",
                        config_.version(), kConfigVersion)));
  }

  std::string KnownBuiltins() const {
    std::vector<std::string> names;
    for (const auto& [name, description] : catalog_) names.push_back(name);
    return absl::StrJoin(names, ", ");
  }

  void CheckProvider(int index) {
    const v1::Provider& provider = config_.provider(index);
    const Place place = root_.Field("provider", index);
    const std::string& name = provider.name();
    if (!ValidProviderName(name)) {
      Add(place.Field("name").Problem(absl::StrFormat(
          "provider name \"%s\" is not 1-32 characters of a-z, 0-9, '_' and '-'", name)));
    }
    if (auto [it, inserted] = provider_lines_.emplace(name, place.line()); !inserted) {
      Add(place.Field("name").Problem(
          absl::StrFormat("provider \"%s\" is already defined at line %d", name, it->second)));
      return;
    }
    const auto builtin = catalog_.find(name);
    switch (provider.kind_case()) {
      case v1::Provider::KIND_NOT_SET:
        Add(place.Problem(absl::StrFormat(
            "provider \"%s\" says neither \"builtin {}\" nor \"external { allow_uid: ... }\"",
            name)));
        return;
      case v1::Provider::kBuiltin:
        if (builtin == catalog_.end()) {
          Add(place.Field("builtin").Problem(
              absl::StrFormat("there is no built-in provider \"%s\"; built-in providers are: %s",
                              name, KnownBuiltins())));
          return;
        }
        for (ConfigProblem& problem :
             CheckBuiltinOptions(name, provider.builtin(), place.Field("builtin"), catalog_)) {
          Add(std::move(problem));
        }
        break;
      case v1::Provider::kExternal:
        if (builtin != catalog_.end()) {
          Add(place.Field("name").Problem(absl::StrFormat(
              "\"%s\" is the name of a built-in provider; give the external one another name",
              name)));
        }
        if (provider.external().allow_uid_size() == 0 &&
            provider.external().allow_gid_size() == 0) {
          Add(place.Field("external")
                  .Problem(absl::StrFormat(
                      "external provider \"%s\" needs allow_uid or allow_gid: who may serve it",
                      name)));
        }
        if (provider.range_size() == 0) {
          Add(place.Problem(absl::StrFormat(
              "external provider \"%s\" needs at least one range { first: ... last: ... }", name)));
        }
        break;
    }
    if (provider.range_size() == 0 && builtin != catalog_.end()) {
      for (const smccc::FunctionRange& range : builtin->second.default_claims) {
        Claim({range, name, place.line()}, place);
      }
      return;
    }
    for (int r = 0; r < provider.range_size(); ++r) {
      const Place range_place = place.Field("range", r);
      const smccc::FunctionRange range{provider.range(r).first(), provider.range(r).last()};
      if (absl::Status status = smccc::CheckRange(range); !status.ok()) {
        Add(range_place.Problem(std::string(status.message())));
        continue;
      }
      if (!CheckReads(provider, provider.range(r), range_place)) continue;
      if (!CheckMemory(provider, provider.range(r), range_place)) continue;
      if (provider.has_builtin()) {
        if (absl::Status status =
                smccc::CheckCoveredBy(range, builtin->second.default_claims,
                                      absl::StrFormat("built-in provider \"%s\"", name));
            !status.ok()) {
          Add(range_place.Problem(std::string(status.message())));
          continue;
        }
      }
      Claim({range, name, range_place.line()}, range_place);
    }
  }

  // The `reads` list of one range: only for external providers, each of
  // x1..x17 at most once.
  bool CheckReads(const v1::Provider& provider, const v1::FunctionRange& range,
                  const Place& place) {
    if (range.reads_size() == 0) return true;
    if (provider.has_builtin()) {
      Add(place.Field("reads").Problem(absl::StrFormat(
          "built-in provider \"%s\" says itself which registers it reads: remove \"reads\"",
          provider.name())));
      return false;
    }
    uint32_t seen = 0;
    for (int i = 0; i < range.reads_size(); ++i) {
      const uint32_t reg = range.reads(i);
      if (reg < 1 || reg > 17) {
        Add(place.Field("reads", i)
                .Problem(absl::StrFormat(
                    "reads %u: argument registers are 1-17 (x1..x17; x0 is the function ID)",
                    reg)));
        return false;
      }
      if (seen & (1u << reg)) {
        Add(place.Field("reads", i).Problem(absl::StrFormat("reads %u: listed twice", reg)));
        return false;
      }
      seen |= 1u << reg;
    }
    return true;
  }

  // The `memory` list of one range: only for external providers, each
  // operand by smccc::CheckMemoryOperands, and all of them in one message.
  bool CheckMemory(const v1::Provider& provider, const v1::FunctionRange& range,
                   const Place& place) {
    if (range.memory_size() == 0) return true;
    if (provider.has_builtin()) {
      Add(place.Field("memory").Problem(absl::StrFormat(
          "built-in provider \"%s\" declares its own memory operands: remove \"memory\"",
          provider.name())));
      return false;
    }
    std::vector<smccc::MemoryOperand> operands;
    uint64_t bytes = 0;
    for (int i = 0; i < range.memory_size(); ++i) {
      const Place operand_place = place.Field("memory", i);
      absl::StatusOr<smccc::MemoryOperand> operand = wire::FromProto(range.memory(i));
      if (!operand.ok()) {
        Add(operand_place.Problem(std::string(operand.status().message())));
        return false;
      }
      operands.push_back(*operand);
      // The operands' registers are read whatever `reads` says (they are
      // ORed into it), so the check's mask is every argument register. It
      // stops at the first operand breaking a rule, so the first prefix that
      // fails ends in the operand (or the count) to blame.
      if (absl::Status status = smccc::CheckMemoryOperands(operands, smccc::kAllArgRegisters);
          !status.ok()) {
        Add(operand_place.Problem(std::string(status.message())));
        return false;
      }
      bytes += operand->length;
    }
    const uint32_t max_message_bytes = InForce(config_.limits()).max_message_bytes;
    if (bytes + kMessageBytesBesideMemory > max_message_bytes) {
      Add(place.Field("memory").Problem(absl::StrFormat(
          "the memory operands of range %s pass %u bytes; with %u bytes for the rest of a call "
          "that is over limits.max_message_bytes (%u): raise max_message_bytes to at least %u "
          "or shorten the operands",
          smccc::DescribeRange({range.first(), range.last()}), bytes, kMessageBytesBesideMemory,
          max_message_bytes, bytes + kMessageBytesBesideMemory)));
      return false;
    }
    return true;
  }

  void Claim(const OwnedRange& claim, const Place& place) {
    for (const OwnedRange& held : owned_) {
      if (absl::Status status = smccc::CheckNoOverlap(
              claim.range, held.range,
              absl::StrFormat("provider \"%s\" (line %d)", held.provider, held.line));
          !status.ok()) {
        Add(place.Problem(std::string(status.message())));
        return;
      }
    }
    owned_.push_back(claim);
  }

  bool ProviderExists(const std::string& name) const {
    if (config_.provider_size() > 0) return provider_lines_.contains(name);
    const auto builtin = catalog_.find(name);
    return builtin != catalog_.end() && builtin->second.default_on;
  }

  void CheckVmRules() {
    std::map<std::string, int> pattern_lines;
    std::optional<int> match_all_line;
    for (int i = 0; i < config_.vm_size(); ++i) {
      const v1::VmRule& rule = config_.vm(i);
      const Place place = root_.Field("vm", i);
      if (rule.name().empty()) {
        Add(place.Problem("vm rule needs a name pattern (\"*\" matches every VM)"));
        continue;
      }
      if (match_all_line.has_value()) {
        Add(place.Field("name").Problem(absl::StrFormat(
            "vm rule \"%s\" never applies: the rule at line %d matches every VM first", rule.name(),
            *match_all_line)));
      } else if (auto [it, inserted] = pattern_lines.emplace(rule.name(), place.line());
                 !inserted) {
        Add(place.Field("name").Problem(absl::StrFormat(
            "vm rule \"%s\" never applies: the rule at line %d has the same pattern", rule.name(),
            it->second)));
      }
      if (rule.name() == "*") match_all_line = place.line();
      for (int u = 0; u < rule.allow_unit_size(); ++u) {
        if (ValidUnitName(rule.allow_unit(u))) continue;
        Add(place.Field("allow_unit", u)
                .Problem(absl::StrFormat(
                    "vm rule \"%s\": allow_unit \"%s\" is not the name of a systemd service or "
                    "scope (e.g. \"qemu-tenant-a.service\")",
                    rule.name(), rule.allow_unit(u))));
      }
      for (int p = 0; p < rule.provider_size(); ++p) {
        if (ProviderExists(rule.provider(p))) continue;
        Add(place.Field("provider", p)
                .Problem(
                    absl::StrFormat("vm rule \"%s\" names provider \"%s\", which is not defined",
                                    rule.name(), rule.provider(p))));
      }
    }
  }

  void CheckSockets() {
    std::map<std::string, std::string> paths;
    const Place sockets = root_.Field("sockets");
    const std::pair<const char*, const v1::Socket*> roles[] = {
        {"vmm", &config_.sockets().vmm()},
        {"provider", &config_.sockets().provider()},
        {"observer", &config_.sockets().observer()},
    };
    for (const auto& [role, socket] : roles) {
      const Place place = sockets.Field(role);
      if (!socket->path().empty()) {
        if (socket->path().front() != '/') {
          Add(place.Field("path").Problem(
              absl::StrFormat("%s socket path \"%s\" must be absolute", role, socket->path())));
        } else if (auto [it, inserted] = paths.emplace(socket->path(), role); !inserted) {
          Add(place.Field("path").Problem(
              absl::StrFormat("%s socket path \"%s\" is already the %s socket's", role,
                              socket->path(), it->second)));
        }
      }
      if (!socket->owner().empty() && !IsNumber(socket->owner()) && !UserExists(socket->owner())) {
        Add(place.Field("owner").Problem(absl::StrFormat(
            "%s socket owner: no user \"%s\" on this system", role, socket->owner())));
      }
      if (!socket->group().empty() && !IsNumber(socket->group()) && !GroupExists(socket->group())) {
        Add(place.Field("group").Problem(absl::StrFormat(
            "%s socket group: no group \"%s\" on this system", role, socket->group())));
      }
      if (socket->has_mode() && socket->mode() > 0777) {
        Add(place.Field("mode").Problem(absl::StrFormat(
            "%s socket mode 0%o has bits beyond 0777 (write it in octal, e.g. 0660)", role,
            socket->mode())));
      }
    }
  }

  // Each limit the config sets is within its range (limits.h).
  void CheckLimits() {
    const v1::Limits& limits = config_.limits();
    const Place place = root_.Field("limits");
    const google::protobuf::Reflection& reflection = *limits.GetReflection();
    for (const Limit& limit : AllLimits()) {
      const std::string name(limit.name);
      const google::protobuf::FieldDescriptor* field =
          limits.GetDescriptor()->FindFieldByName(name);
      if (!reflection.HasField(limits, field)) continue;
      const uint32_t value = reflection.GetUInt32(limits, field);
      if (value >= limit.min && value <= limit.max) continue;
      Add(place.Field(name.c_str())
              .Problem(absl::StrFormat("%s %u is out of range: %u-%u", limit.name, value, limit.min,
                                       limit.max)));
    }
  }

  const v1::Config& config_;
  const Place root_;
  const BuiltinCatalog& catalog_;
  std::vector<ConfigProblem> problems_;
  std::map<std::string, int> provider_lines_;
  std::vector<OwnedRange> owned_;
};

}  // namespace

std::vector<ConfigProblem> CheckConfig(const v1::Config& config,
                                       const TextFormat::ParseInfoTree* locations,
                                       const BuiltinCatalog& catalog) {
  return Checker(config, locations, catalog).Run();
}

}  // namespace hypercall::config
