// The one door from the KVM backend to the kernel. Everything the backend asks
// KVM goes through a KvmIoctl, so a unit test can stand in for the kernel and
// check each request (number, fd, argument bytes) and answer with any errno.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_IOCTL_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_IOCTL_H_

namespace hypercall::shim {

class KvmIoctl {
 public:
  virtual ~KvmIoctl() = default;
  // ioctl(fd, request, arg): 0 on success, otherwise -errno. Thread-safe.
  virtual int Call(int fd, unsigned long request, void* arg) = 0;
};

// The real ioctl(2), retried on EINTR.
KvmIoctl& SystemKvmIoctl();

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_IOCTL_H_
