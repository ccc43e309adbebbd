#include "fake_kvm.h"

#include <cerrno>
#include <cstring>

namespace hypercall::shim::testing {

int FakeKvm::Call(int fd, unsigned long request, void* arg) {
  Request r;
  r.fd = fd;
  r.request = request;
  if (request == kvm::kSetDeviceAttr || request == kvm::kHasDeviceAttr) {
    std::memcpy(&r.attr, arg, sizeof(r.attr));
    if (request == kvm::kSetDeviceAttr && r.attr.addr != 0) {
      if (r.attr.group == kvm::kArmVcpuPvtimeCtrl) {
        std::memcpy(&r.value, reinterpret_cast<const void*>(r.attr.addr), sizeof(r.value));
      } else {
        kvm::SmcccFilter filter;
        std::memcpy(&filter, reinterpret_cast<const void*>(r.attr.addr), sizeof(filter));
        r.filter = filter;
      }
    }
  } else if (request == kvm::kGetOneReg || request == kvm::kSetOneReg) {
    kvm::OneReg reg;
    std::memcpy(&reg, arg, sizeof(reg));
    r.reg_id = reg.id;
    if (request == kvm::kSetOneReg) {
      std::memcpy(&r.value, reinterpret_cast<const void*>(reg.addr), sizeof(r.value));
    }
  } else {
    requests.push_back(r);
    return -ENOTTY;
  }
  requests.push_back(r);

  const int nth = seen_[request]++;
  for (const Failure& f : failures_) {
    if (f.request == request && (f.nth == -1 || f.nth == nth)) return -f.errno_value;
  }
  if ((request == kvm::kGetOneReg || request == kvm::kSetOneReg) &&
      missing_registers.contains(r.reg_id)) {
    return -ENOENT;
  }
  if (request == kvm::kGetOneReg) {
    kvm::OneReg reg;
    std::memcpy(&reg, arg, sizeof(reg));
    const uint64_t value = registers[reg.id];
    std::memcpy(reinterpret_cast<void*>(reg.addr), &value, sizeof(value));
  } else if (request == kvm::kSetOneReg) {
    registers[r.reg_id] = r.value;
  }
  return 0;
}

void FakeKvm::FailNth(unsigned long request, int n, int errno_value) {
  failures_.push_back({request, n, errno_value});
}

void FakeKvm::FailAll(unsigned long request, int errno_value) {
  failures_.push_back({request, -1, errno_value});
}

std::vector<FakeKvm::Request> FakeKvm::Only(unsigned long request) const {
  std::vector<Request> out;
  for (const Request& r : requests) {
    if (r.request == request) out.push_back(r);
  }
  return out;
}

FakeRunPage::FakeRunPage(uint64_t nr, uint64_t flags) {
  kvm::RunHeader header{};
  header.exit_reason = kvm::kExitHypercall;
  std::memcpy(bytes, &header, sizeof(header));
  kvm::RunHypercall exit{};
  exit.nr = nr;
  exit.flags = flags;
  std::memcpy(bytes + kvm::kRunExitUnionOffset, &exit, sizeof(exit));
}

}  // namespace hypercall::shim::testing
