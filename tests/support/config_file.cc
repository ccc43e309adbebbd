#include "support/config_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace hypercall::testing {

ConfigFile::ConfigFile(const std::string& text) {
  char path[] = "/tmp/hypercalld-test-conf-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    ADD_FAILURE() << "cannot create a temporary config file";
    return;
  }
  close(fd);
  path_ = path;
  std::ofstream out(path_);
  out << text;
  if (!out.flush()) ADD_FAILURE() << "cannot write " << path_;
}

ConfigFile::~ConfigFile() {
  if (!path_.empty()) unlink(path_.c_str());
}

std::string GrantRegisters(uid_t uid) {
  return "observers { registers { allow_uid: " + std::to_string(uid) + " } }\n";
}

}  // namespace hypercall::testing
