// Command-line arguments of one qledger sub-command: "--name value" options (repeatable),
// "--flag" switches and positional words. Unknown options are usage errors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace qledger::cli {

// A usage error: the command prints it with the command's help and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  // `with_value` lists options that take a value, `switches` those that do not.
  Args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
       const std::set<std::string>& switches);

  std::optional<std::string> get(const std::string& name) const;
  std::string require(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  bool has(const std::string& name) const;
  // Value as a positive (>= min) integer; UsageError when malformed.
  std::optional<std::uint64_t> get_uint(const std::string& name, std::uint64_t min = 0) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positional_;
};

}  // namespace qledger::cli
