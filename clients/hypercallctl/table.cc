#include "hypercallctl/table.h"

#include <algorithm>

namespace hypercall::ctl {
namespace {

std::string RenderLine(const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 == cells.size()) break;
    line.append(widths[i] - cells[i].size() + 2, ' ');
  }
  // A trailing empty last cell would leave spaces behind.
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

}  // namespace

std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = '?';
  }
  return out;
}

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  for (std::string& cell : cells) cell = Printable(cell);
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> widths(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) {
    widths[i] = headers_[i].size();
    for (const auto& row : rows_) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out = RenderLine(headers_, widths);
  if (rows_.empty()) return out + "(none)\n";
  for (const auto& row : rows_) out += RenderLine(row, widths);
  return out;
}

std::string RenderKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs) {
  size_t width = 0;
  for (const auto& [key, value] : pairs) width = std::max(width, key.size() + 1);
  std::string out;
  for (const auto& [key, value] : pairs) {
    out += key + ":";
    out.append(width - key.size() - 1 + 2, ' ');
    out += Printable(value) + "\n";
  }
  return out;
}

}  // namespace hypercall::ctl
