// One thing wrong with a config file (or an --options text), with where it
// is, so an operator is told the line to fix.
#ifndef HYPERCALL_DAEMON_CONFIG_CONFIG_PROBLEM_H_
#define HYPERCALL_DAEMON_CONFIG_CONFIG_PROBLEM_H_

#include <string>

namespace hypercall::config {

struct ConfigProblem {
  // 1-based; 0 when the problem is about the file as a whole.
  int line = 0;
  int column = 0;
  std::string message;
};

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_CONFIG_PROBLEM_H_
