// The kvm_discover provider on its own: its claims, DISCOVER_IMPL_VER and
// DISCOVER_IMPL_CPUS register by register as
// Documentation/virt/kvm/arm/hypercalls.rst defines them (and Linux's
// kvm_arm_target_impl_cpu_init reads them), an index out of range, and
// making it from the config's options through the registry.
#include "providers/kvm_discover/kvm_discover_provider.h"

#include <gtest/gtest.h>

#include "captured_result.h"
#include "providers/kvm_discover/kvm_discover_options.h"
#include "providers/provider_registry.h"
#include "smccc/return_codes.h"

namespace hypercall::providers::kvm_discover {
namespace {

const std::vector<Implementation> kTwo = {
    {.midr = 0x410fd0c1, .revidr = 0x1, .aidr = 0x0},
    {.midr = 0x481fd010, .revidr = 0x0, .aidr = 0x551},
};

smccc::Result Call(provider::Provider& provider, uint32_t fid, uint64_t x1 = 0) {
  smccc::Call call;
  call.function_id = fid;
  call.x[1] = x1;
  call.x[2] = 0x2222;  // Reserved, "must be zero": not checked.
  call.x[3] = 0x3333;
  CapturedResult done;
  provider.Handle({"vm", 0}, call, done);
  EXPECT_EQ(done.count, 1);
  return done.value;
}

TEST(KvmDiscoverProviderTest, ClaimsTheTwoCallsReadingOnlyTheIndex) {
  KvmDiscoverProvider provider(kDiscoverImplVersion1_0, kTwo);
  std::vector<provider::RangeClaim> claims = provider.Claims();
  ASSERT_EQ(claims.size(), 2u);
  EXPECT_EQ(claims[0].range.first, 0xc6000040u);
  EXPECT_EQ(claims[0].range.last, 0xc6000040u);
  EXPECT_EQ(claims[0].args_read_mask, 0u);
  EXPECT_EQ(claims[1].range.first, 0xc6000041u);
  EXPECT_EQ(claims[1].range.last, 0xc6000041u);
  EXPECT_EQ(claims[1].args_read_mask, 0x2u);
  EXPECT_TRUE(claims[0].memory.empty() && claims[1].memory.empty());
}

TEST(KvmDiscoverProviderTest, ImplVerAnswersVersionAndCount) {
  KvmDiscoverProvider provider(0x10002, kTwo);
  smccc::Result r = Call(provider, kDiscoverImplVer);
  EXPECT_EQ(r.x[0], 0u);
  EXPECT_EQ(r.x[1], 0x10002u);
  EXPECT_EQ(r.x[2], 2u);
  EXPECT_EQ(r.x[3], 0u);
  EXPECT_EQ(r.written_mask, 0xfu);
}

TEST(KvmDiscoverProviderTest, ImplCpusAnswersEachImplementationByIndex) {
  KvmDiscoverProvider provider(kDiscoverImplVersion1_0, kTwo);
  for (uint64_t i = 0; i < kTwo.size(); ++i) {
    smccc::Result r = Call(provider, kDiscoverImplCpus, i);
    EXPECT_EQ(r.x[0], 0u) << i;
    EXPECT_EQ(r.x[1], kTwo[i].midr) << i;
    EXPECT_EQ(r.x[2], kTwo[i].revidr) << i;
    EXPECT_EQ(r.x[3], kTwo[i].aidr) << i;
    EXPECT_EQ(r.written_mask, 0xfu) << i;
  }
}

TEST(KvmDiscoverProviderTest, AnIndexPastTheLastIsInvalidParameterAndWritesOnlyX0) {
  KvmDiscoverProvider provider(kDiscoverImplVersion1_0, kTwo);
  for (uint64_t index : {uint64_t{2}, uint64_t{1} << 32 | 0, ~uint64_t{0}}) {
    smccc::Result r = Call(provider, kDiscoverImplCpus, index);
    EXPECT_EQ(r.x[0], static_cast<uint64_t>(smccc::kInvalidParameter)) << index;
    EXPECT_EQ(r.written_mask, 0x1u) << index;
  }
}

TEST(KvmDiscoverProviderTest, OtherIdsAndTheSveHintAreRouted) {
  KvmDiscoverProvider provider(kDiscoverImplVersion1_0, kTwo);
  // SMCCC v1.3's SVE hint (bit 16) is not part of the ID.
  EXPECT_EQ(Call(provider, kDiscoverImplCpus | 0x10000, 1).x[1], kTwo[1].midr);
  EXPECT_EQ(Call(provider, 0xc6000042).x[0], static_cast<uint64_t>(smccc::kNotSupported));
}

TEST(KvmDiscoverProviderTest, IsMadeFromTheConfigsOptionsAndOnlyWithThem) {
  KvmDiscoverOptions discover;
  CpuImplementation& cpu = *discover.add_implementation();
  cpu.set_midr(0x410fd0c1);
  cpu.set_revidr(7);
  cpu.set_aidr(9);
  absl::StatusOr<std::unique_ptr<provider::Provider>> provider =
      CreateProvider("kvm_discover", &discover);
  ASSERT_TRUE(provider.ok()) << provider.status();
  smccc::Result ver = Call(**provider, kDiscoverImplVer);
  EXPECT_EQ(ver.x[1], 0x10000u);  // The default version, 1.0.
  EXPECT_EQ(ver.x[2], 1u);
  smccc::Result cpu0 = Call(**provider, kDiscoverImplCpus, 0);
  EXPECT_EQ(cpu0.x[1], 0x410fd0c1u);
  EXPECT_EQ(cpu0.x[2], 7u);
  EXPECT_EQ(cpu0.x[3], 9u);
  discover.set_version(0x10003);
  EXPECT_EQ(Call(**CreateProvider("kvm_discover", &discover), kDiscoverImplVer).x[1], 0x10003u);

  // Without implementations: refused, saying what to write.
  KvmDiscoverOptions version_only;
  version_only.set_version(0x10000);
  for (const KvmDiscoverOptions* without :
       {static_cast<KvmDiscoverOptions*>(nullptr), &version_only}) {
    absl::StatusOr<std::unique_ptr<provider::Provider>> refused =
        CreateProvider("kvm_discover", without);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find(
                  "builtin { [options/kvm_discover] { implementation { midr:"),
              std::string::npos)
        << refused.status().message();
  }
  for (const std::string& name : DefaultProviderNames()) EXPECT_NE(name, "kvm_discover");
}

TEST(KvmDiscoverProviderTest, ItsOwnCheckRefusesWhatAGuestCannotUse) {
  KvmDiscoverOptions options;
  std::vector<config::ConfigProblem> problems;
  CheckOptions(options, config::Place(nullptr, nullptr, 3, 7), problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].line, 3);
  EXPECT_EQ(problems[0].message, kNeedsImplementations);

  options.set_version(0x20000);
  options.add_implementation()->set_midr(uint64_t{1} << 32);
  options.add_implementation();
  problems.clear();
  CheckOptions(options, config::Place(nullptr, KvmDiscoverOptions::descriptor()), problems);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].message.find("major version must be 1"), std::string::npos);
  EXPECT_NE(problems[1].message.find("midr 0x100000000 has bits above 31 set"), std::string::npos);
  EXPECT_EQ(problems[2].message, "implementation 1 needs its midr (MIDR_EL1 of that CPU)");
}

}  // namespace
}  // namespace hypercall::providers::kvm_discover
