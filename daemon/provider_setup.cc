#include "provider_setup.h"

#include <algorithm>
#include <memory>
#include <string>

#include "config/builtin_options.h"
#include "config/limits.h"
#include "providers/provider_registry.h"
#include "providers/remote/remote_provider.h"
#include "wire/convert.h"

namespace hypercall::daemon {
namespace {

// What an external provider may claim in `range`: its reads (the
// operands' registers ORed in), memory operands and whether its results are
// secret. The config checks have
// passed, so the operands convert and are valid.
absl::StatusOr<provider::RangeClaim> ExternalClaim(const config::v1::FunctionRange& range) {
  absl::StatusOr<std::vector<smccc::MemoryOperand>> memory = wire::FromProto(range.memory());
  if (!memory.ok()) return memory.status();
  smccc::RegisterMask mask = range.reads_size() == 0 ? smccc::kAllArgRegisters : 0;
  for (uint32_t reg : range.reads()) mask |= smccc::RegisterMask{1} << reg;
  for (const smccc::MemoryOperand& op : *memory) mask |= op.RegistersRead();
  return provider::RangeClaim{
      {range.first(), range.last()}, mask, *std::move(memory), range.secret_results()};
}

// A built-in provider's claims cut down to the ranges the config lists for
// it (none listed: all of them). Each listed range is covered by default
// claims without a gap (the config checks say so); each part of it reads
// and passes the memory of the default claim it lies in, and keeps its
// results secret when that claim or the listed range says so.
std::vector<provider::RangeClaim> Restrict(
    const std::vector<provider::RangeClaim>& defaults,
    const google::protobuf::RepeatedPtrField<config::v1::FunctionRange>& ranges) {
  if (ranges.empty()) return defaults;
  std::vector<provider::RangeClaim> claims;
  for (const config::v1::FunctionRange& range : ranges) {
    for (const provider::RangeClaim& own : defaults) {
      const smccc::FunctionRange part{std::max(range.first(), own.range.first),
                                      std::min(range.last(), own.range.last)};
      if (part.first <= part.last) {
        claims.push_back(
            {part, own.args_read_mask, own.memory, own.secret_results || range.secret_results()});
      }
    }
  }
  return claims;
}

bool SameClaims(const std::vector<provider::RangeClaim>& a,
                const std::vector<provider::RangeClaim>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const provider::RangeClaim& x, const provider::RangeClaim& y) {
                      return x.range.first == y.range.first && x.range.last == y.range.last &&
                             x.args_read_mask == y.args_read_mask && x.memory == y.memory &&
                             x.secret_results == y.secret_results;
                    });
}

const core::Broker::ProviderSetup* FindRunning(
    const std::vector<core::Broker::ProviderSetup>& running, const std::string& name,
    std::string_view kind) {
  for (const core::Broker::ProviderSetup& setup : running) {
    if (setup.entry->name == name && setup.entry->kind == kind) return &setup;
  }
  return nullptr;
}

// Adds built-in provider `name` made with `options` (read as its options
// type in `catalog`): the running one when it was made with the same
// options (so it keeps its state), else a new one.
absl::Status AddBuiltin(const std::string& name, const google::protobuf::Any& options,
                        const config::BuiltinCatalog& catalog,
                        const google::protobuf::RepeatedPtrField<config::v1::FunctionRange>& ranges,
                        const std::vector<core::Broker::ProviderSetup>& running, ProviderSet& set) {
  // The same block of options is the same bytes (an Any holds them
  // serialized, and options messages have no map fields).
  const std::string serialized_options = options.SerializeAsString();
  if (const core::Broker::ProviderSetup* setup = FindRunning(running, name, "builtin");
      setup != nullptr && setup->entry->options == serialized_options) {
    std::vector<provider::RangeClaim> claims = Restrict(setup->entry->provider->Claims(), ranges);
    set.providers.push_back({setup->entry, std::move(claims)});
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> unpacked =
      config::UnpackBuiltinOptions(name, options, catalog);
  if (!unpacked.ok()) return unpacked.status();
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider =
      providers::CreateProvider(name, unpacked->get());
  if (!provider.ok()) return provider.status();
  std::vector<provider::RangeClaim> claims = Restrict((*provider)->Claims(), ranges);
  set.providers.push_back(
      {std::make_shared<core::ProviderEntry>(std::move(*provider), "builtin", serialized_options),
       std::move(claims)});
  return absl::OkStatus();
}

absl::Status AddExternal(const config::v1::Provider& provider, const config::v1::Limits& limits,
                         const std::vector<core::Broker::ProviderSetup>& running,
                         base::CallTimer& timer, ProviderSet& set) {
  providers::RemoteProviderOptions options;
  options.name = provider.name();
  for (const config::v1::FunctionRange& range : provider.range()) {
    absl::StatusOr<provider::RangeClaim> claim = ExternalClaim(range);
    if (!claim.ok()) return claim.status();
    options.allowed.push_back(*std::move(claim));
  }
  const config::LimitsInForce in_force = config::InForce(limits);
  options.call_deadline = std::chrono::milliseconds(in_force.call_deadline_ms);
  options.max_in_flight = in_force.max_calls_in_flight_per_provider;
  options.max_missed_deadlines = in_force.max_missed_deadlines;

  std::shared_ptr<core::ProviderEntry> entry;
  providers::RemoteProvider* remote = nullptr;
  if (const core::Broker::ProviderSetup* setup =
          FindRunning(running, provider.name(), "external")) {
    auto* candidate = dynamic_cast<providers::RemoteProvider*>(setup->entry->provider.get());
    if (candidate != nullptr && SameClaims(candidate->options().allowed, options.allowed) &&
        candidate->options().call_deadline == options.call_deadline &&
        candidate->options().max_in_flight == options.max_in_flight &&
        candidate->options().max_missed_deadlines == options.max_missed_deadlines) {
      entry = setup->entry;
      remote = candidate;
    }
  }
  if (entry == nullptr) {
    auto made = std::make_unique<providers::RemoteProvider>(options, timer);
    remote = made.get();
    entry = std::make_shared<core::ProviderEntry>(std::move(made), "external");
  }
  set.providers.push_back({entry, options.allowed});
  set.external.push_back({entry, remote,
                          std::vector<uid_t>(provider.external().allow_uid().begin(),
                                             provider.external().allow_uid().end()),
                          std::vector<gid_t>(provider.external().allow_gid().begin(),
                                             provider.external().allow_gid().end())});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ProviderSet> SetUpProviders(
    const config::v1::Config& config, const std::optional<std::vector<std::string>>& builtin_names,
    const std::vector<core::Broker::ProviderSetup>& running, base::CallTimer& timer) {
  ProviderSet set;
  const config::BuiltinCatalog catalog = providers::Catalog();
  if (config.provider_size() == 0) {
    for (const std::string& name : builtin_names.value_or(providers::DefaultProviderNames())) {
      if (absl::Status status =
              AddBuiltin(name, google::protobuf::Any(), catalog, {}, running, set);
          !status.ok()) {
        return status;
      }
    }
    return set;
  }
  for (const config::v1::Provider& provider : config.provider()) {
    if (provider.has_builtin()) {
      absl::Status status =
          AddBuiltin(provider.name(), provider.builtin(), catalog, provider.range(), running, set);
      if (!status.ok()) return status;
    } else {
      absl::Status status = AddExternal(provider, config.limits(), running, timer, set);
      if (!status.ok()) return status;
    }
  }
  return set;
}

}  // namespace hypercall::daemon
