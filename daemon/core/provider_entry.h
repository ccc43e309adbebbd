// A provider as the broker core holds it: the instance, how it runs, and its
// call counter. Routes and trace events share it, so it lives as long as
// anything still names it.
#ifndef HYPERCALL_DAEMON_CORE_PROVIDER_ENTRY_H_
#define HYPERCALL_DAEMON_CORE_PROVIDER_ENTRY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "hypercall/provider/provider.h"

namespace hypercall::core {

struct ProviderEntry {
  ProviderEntry(std::unique_ptr<provider::Provider> p, std::string k, std::string o = "")
      : name(p->name()), kind(std::move(k)), options(std::move(o)), provider(std::move(p)) {}

  // Provider::name(), copied so listings never call into the provider.
  const std::string name;
  // "builtin" for providers inside the daemon.
  const std::string kind;
  // What it was made with, as its maker wrote it down (a built-in's config
  // options, serialized; empty for none), so a reload can tell whether they
  // changed.
  const std::string options;
  const std::unique_ptr<provider::Provider> provider;
  // Calls this provider answered.
  std::atomic<uint64_t> calls{0};
  // Of those, results not applied because the memory they write back broke
  // the rules (smccc::CheckResultMemory): the guest got NOT_SUPPORTED.
  std::atomic<uint64_t> bad_results{0};
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_PROVIDER_ENTRY_H_
