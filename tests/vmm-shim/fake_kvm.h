// A stand-in for the kernel behind the KVM backend: records every ioctl the
// backend makes (fd, request, decoded argument) and answers from a register
// file, or with the errno a test chose. Thread-compatible (one test thread).
#ifndef HYPERCALL_TESTS_VMM_SHIM_FAKE_KVM_H_
#define HYPERCALL_TESTS_VMM_SHIM_FAKE_KVM_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "hypercall/shim/kvm_arm64_uapi.h"
#include "hypercall/shim/kvm_ioctl.h"

namespace hypercall::shim::testing {

class FakeKvm : public KvmIoctl {
 public:
  struct Request {
    int fd = -1;
    unsigned long request = 0;
    // For the device-attribute ioctls.
    kvm::DeviceAttr attr{};
    // The filter `attr.addr` pointed at, for KVM_SET_DEVICE_ATTR of the
    // SMCCC filter group.
    std::optional<kvm::SmcccFilter> filter;
    // For the ONE_REG ioctls: the register id, and the value set. For
    // KVM_SET_DEVICE_ATTR of the PV time group: the IPA `attr.addr` pointed at.
    uint64_t reg_id = 0;
    uint64_t value = 0;
  };

  int Call(int fd, unsigned long request, void* arg) override;

  // Registers by ONE_REG id; KVM_SET_ONE_REG writes here.
  std::map<uint64_t, uint64_t> registers;
  // ONE_REG ids this kernel does not know: their GET and SET fail with ENOENT.
  std::set<uint64_t> missing_registers;
  // The n-th ioctl (counting from 0) with `request` fails with `errno_value`.
  void FailNth(unsigned long request, int n, int errno_value);
  // Every ioctl with `request` fails with `errno_value`.
  void FailAll(unsigned long request, int errno_value);

  std::vector<Request> requests;
  // Of `requests`, those with `request`.
  std::vector<Request> Only(unsigned long request) const;

 private:
  struct Failure {
    unsigned long request;
    int nth;  // -1: every call
    int errno_value;
  };
  std::vector<Failure> failures_;
  std::map<unsigned long, int> seen_;
};

// A kvm_run page stopped on KVM_EXIT_HYPERCALL with function ID `nr` and
// hypercall flags `flags`.
struct FakeRunPage {
  FakeRunPage(uint64_t nr, uint64_t flags);
  alignas(8) unsigned char bytes[4096] = {};
};

}  // namespace hypercall::shim::testing

#endif  // HYPERCALL_TESTS_VMM_SHIM_FAKE_KVM_H_
