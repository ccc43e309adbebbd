// Aligned text tables for the default (human) output, and the one place
// that makes text from the daemon safe to print on a terminal.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_TABLE_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_TABLE_H_

#include <string>
#include <string_view>
#include <vector>

namespace hypercall::ctl {

// `text` with control characters (and DEL) replaced by '?', so a peer's
// free-form string (a software name) cannot move the cursor or recolour
// the terminal.
std::string Printable(std::string_view text);

// Columns separated by two spaces, each as wide as its widest cell; the
// last column is not padded. Cells are passed through Printable().
class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // One cell per header: missing cells are empty, extra cells are dropped.
  void AddRow(std::vector<std::string> cells);

  // The header line and the rows, each ending in '\n'. With no rows, the
  // header line and "(none)".
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "key:   value" lines, the values aligned, for single-record views (status).
std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_TABLE_H_
