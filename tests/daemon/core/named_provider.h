// A provider that is never meant to be called, for tests of the tables and
// sessions that only need a provider's name: ProviderEntry for `name`.
#ifndef HYPERCALL_TESTS_DAEMON_CORE_NAMED_PROVIDER_H_
#define HYPERCALL_TESTS_DAEMON_CORE_NAMED_PROVIDER_H_

#include <memory>
#include <string>
#include <vector>

#include "core/provider_entry.h"
#include "hypercall/provider/provider.h"

namespace hypercall::core {

class NamedProvider final : public provider::Provider {
 public:
  explicit NamedProvider(std::string name) : name_(std::move(name)) {}
  std::string_view name() const override { return name_; }
  std::vector<provider::RangeClaim> Claims() const override { return {}; }
  void Handle(const provider::CallContext&, const smccc::Call&,
              provider::Completion& done) override {
    done.Complete(smccc::Result::Code(-1));
  }

 private:
  std::string name_;
};

inline std::shared_ptr<ProviderEntry> Entry(const std::string& name) {
  return std::make_shared<ProviderEntry>(std::make_unique<NamedProvider>(name), "builtin");
}

}  // namespace hypercall::core

#endif  // HYPERCALL_TESTS_DAEMON_CORE_NAMED_PROVIDER_H_
