#include "hypercall/shim/kvm_ioctl.h"

#include <sys/ioctl.h>

#include <cerrno>

namespace hypercall::shim {
namespace {

class SystemIoctl : public KvmIoctl {
 public:
  int Call(int fd, unsigned long request, void* arg) override {
    int r;
    do {
      r = ioctl(fd, request, arg);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : 0;
  }
};

}  // namespace

KvmIoctl& SystemKvmIoctl() {
  static SystemIoctl instance;
  return instance;
}

}  // namespace hypercall::shim
