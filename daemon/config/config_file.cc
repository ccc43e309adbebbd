#include "config/config_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "config/builtin_options.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"

namespace hypercall::config {
namespace {

constexpr off_t kMaxConfigBytes = 1 << 20;

// Keeps the parser's complaints with their places (1-based).
class ProblemCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    problems.push_back({line + 1, column + 1, message});
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    problems.push_back({line + 1, column + 1, message});
  }

  std::vector<ConfigProblem> problems;
};

}  // namespace

std::vector<ConfigProblem> ParseTextFormat(std::string_view text,
                                           google::protobuf::Message& message,
                                           google::protobuf::TextFormat::ParseInfoTree& locations,
                                           const google::protobuf::TextFormat::Finder* finder) {
  ProblemCollector collector;
  google::protobuf::TextFormat::Parser parser;
  parser.SetFinder(finder);
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&locations);
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (parser.Parse(&input, &message)) return {};
  if (collector.problems.empty()) collector.problems.push_back({0, 0, "cannot be parsed"});
  return collector.problems;
}

absl::Status RefuseProblems(std::string_view source, char separator,
                            const std::vector<ConfigProblem>& problems) {
  std::vector<std::string> lines;
  for (const ConfigProblem& problem : problems) {
    lines.push_back(problem.line > 0
                        ? absl::StrFormat("%s%c%d:%d: %s", source, separator, problem.line,
                                          problem.column, problem.message)
                        : absl::StrFormat("%s: %s", source, problem.message));
  }
  return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
}

absl::StatusOr<v1::Config> ParseConfig(std::string_view text, std::string_view file_name,
                                       const BuiltinCatalog& catalog) {
  v1::Config config;
  google::protobuf::TextFormat::ParseInfoTree locations;
  const OptionsTypeFinder finder(catalog);
  std::vector<ConfigProblem> problems = ParseTextFormat(text, config, locations, &finder);
  if (problems.empty()) problems = CheckConfig(config, &locations, catalog);
  if (!problems.empty()) return RefuseProblems(file_name, ':', problems);
  return config;
}

absl::StatusOr<v1::Config> LoadConfigFile(const std::string& path, const BuiltinCatalog& catalog) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    const int error = errno;
    return absl::ErrnoToStatus(error, absl::StrFormat("cannot read config file %s", path));
  }
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("config file %s is not a regular file", path));
  }
  if (info.st_size > kMaxConfigBytes) {
    return absl::InvalidArgumentError(absl::StrFormat("config file %s is %d bytes; the limit is %d",
                                                      path, info.st_size, kMaxConfigBytes));
  }
  std::ifstream in(path);
  if (!in) {
    const int error = errno;
    return absl::ErrnoToStatus(error, absl::StrFormat("cannot read config file %s", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, catalog);
}

}  // namespace hypercall::config
