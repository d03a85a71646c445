#include "args.hpp"

#include <charconv>

namespace qledger::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& with_value,
           const std::set<std::string>& switches) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.rfind("--", 0) != 0 || word == "-") {
      positional_.push_back(word);
      continue;
    }
    std::string name = word.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (switches.count(name) != 0 && !inline_value) {
      switches_.insert(name);
    } else if (with_value.count(name) != 0) {
      if (inline_value) {
        values_[name].push_back(*inline_value);
      } else if (i + 1 < argv.size()) {
        values_[name].push_back(argv[++i]);
      } else {
        throw UsageError("option --" + name + " needs a value");
      }
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  if (it->second.size() > 1) throw UsageError("option --" + name + " given more than once");
  return it->second.front();
}

std::string Args::require(const std::string& name) const {
  auto value = get(name);
  if (!value || value->empty()) throw UsageError("missing required option --" + name);
  return *value;
}

std::vector<std::string> Args::all(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

bool Args::has(const std::string& name) const { return switches_.count(name) != 0; }

std::optional<std::uint64_t> Args::get_uint(const std::string& name, std::uint64_t min) const {
  const auto text = get(name);
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min) {
    throw UsageError("option --" + name + " needs an integer >= " + std::to_string(min));
  }
  return value;
}

}  // namespace qledger::cli
