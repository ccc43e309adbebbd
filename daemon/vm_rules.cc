#include "vm_rules.h"

#include <fnmatch.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::daemon {
namespace {

using Rules = std::vector<config::v1::VmRule>;

// The rule that decides for VM `vm`, or null.
const config::v1::VmRule* Deciding(const Rules& rules, std::string_view vm) {
  const std::string name(vm);
  for (const config::v1::VmRule& rule : rules) {
    if (fnmatch(rule.name().c_str(), name.c_str(), 0) == 0) return &rule;
  }
  return nullptr;
}

bool NamesWho(const config::v1::VmRule& rule) {
  return !rule.allow_uid().empty() || !rule.allow_gid().empty() || !rule.allow_unit().empty();
}

bool Allows(const config::v1::VmRule& rule, const base::PeerCredentials& peer) {
  const auto& units = rule.allow_unit();
  return peer.ListedIn(rule.allow_uid(), rule.allow_gid()) ||
         (!peer.unit.empty() && std::find(units.begin(), units.end(), peer.unit) != units.end());
}

// "uid 3001, 3002; gid 3000; unit qemu-a.service": who `rule` lets attach.
std::string Allowed(const config::v1::VmRule& rule) {
  std::vector<std::string> parts;
  if (!rule.allow_uid().empty()) parts.push_back("uid " + absl::StrJoin(rule.allow_uid(), ", "));
  if (!rule.allow_gid().empty()) parts.push_back("gid " + absl::StrJoin(rule.allow_gid(), ", "));
  if (!rule.allow_unit().empty()) {
    parts.push_back("unit " + absl::StrJoin(rule.allow_unit(), ", "));
  }
  return absl::StrJoin(parts, "; ");
}

// "uid 65534 (gid 65534, groups 4,27, in no unit)".
std::string Who(const base::PeerCredentials& peer) {
  std::string out = absl::StrFormat("uid %d (gid %d", peer.uid, peer.gid);
  if (!peer.groups.empty()) out += ", groups " + absl::StrJoin(peer.groups, ",");
  out += peer.unit.empty() ? ", in no unit)" : ", unit " + peer.unit + ")";
  return out;
}

}  // namespace

core::Broker::VmPolicy VmRulePolicy(const config::v1::Config& config) {
  if (config.vm_size() == 0) return {};
  auto rules = std::make_shared<const Rules>(config.vm().begin(), config.vm().end());
  core::Broker::VmPolicy policies;
  policies.plan = [rules](std::string_view vm, std::string_view provider) {
    const config::v1::VmRule* rule = Deciding(*rules, vm);
    return rule != nullptr && std::find(rule->provider().begin(), rule->provider().end(),
                                        provider) != rule->provider().end();
  };
  if (std::any_of(rules->begin(), rules->end(), NamesWho)) {
    policies.attach = [rules](std::string_view vm,
                              const std::optional<base::PeerCredentials>& peer) {
      const config::v1::VmRule* rule = Deciding(*rules, vm);
      if (rule == nullptr || !NamesWho(*rule) || (peer.has_value() && Allows(*rule, *peer))) {
        return absl::OkStatus();
      }
      return absl::PermissionDeniedError(
          absl::StrFormat("VM '%s' may not be attached by %s: the rule for '%s' allows %s", vm,
                          peer.has_value() ? Who(*peer) : std::string("an unknown process"),
                          rule->name(), Allowed(*rule)));
    };
  }
  return policies;
}

}  // namespace hypercall::daemon
