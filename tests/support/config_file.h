// A config file for a test daemon (`--config PATH`), written to a new
// temporary file and removed with the object.
#ifndef HYPERCALL_TESTS_SUPPORT_CONFIG_FILE_H_
#define HYPERCALL_TESTS_SUPPORT_CONFIG_FILE_H_

#include <sys/types.h>

#include <string>

namespace hypercall::testing {

class ConfigFile {
 public:
  // Writes `text` (protobuf text format; "version: 1" included by the
  // caller). A file that cannot be written fails the test.
  explicit ConfigFile(const std::string& text);
  ~ConfigFile();

  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The config's block granting `uid` register values in traces
// (`observers { registers { allow_uid: UID } }`): the daemon grants them to
// nobody by default, root included, so a test that checks the values a trace
// carries grants its own uid.
std::string GrantRegisters(uid_t uid);

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_SUPPORT_CONFIG_FILE_H_
