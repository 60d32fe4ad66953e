// Error collection and typed reading of yaml-cpp mappings for the config loader
// (see yaml_reader.h). Knows YAML shapes and line numbers, not what any field means.
#include "gateway/config/yaml_reader.h"

#include <algorithm>
#include <charconv>

namespace sixlink::config_internal {

void ErrorList::add(int line, std::string key, std::string message) {
  errors_.push_back(ConfigError{file_, line, std::move(key), std::move(message)});
}

int line_of(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

// ============================== Typo suggestions ==============================

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_key(std::string_view key, std::initializer_list<std::string_view> known) {
  // One edit per three characters, at least one and at most three: close enough to be
  // a typo, far enough that "ca" is not offered for "id".
  const std::size_t allowed = std::clamp<std::size_t>(key.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = allowed + 1;
  for (std::string_view candidate : known) {
    const std::size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

// ============================== MapReader ==============================

MapReader::MapReader(const YAML::Node& node, std::string path, int line,
                     std::initializer_list<std::string_view> known, ErrorList& errors)
    : path_(std::move(path)), line_(line), errors_(&errors) {
  if (!node.IsDefined() || node.IsNull()) {
    is_map_ = true;  // an absent optional section: every field takes its default
    return;
  }
  if (!node.IsMap()) {
    errors_->add(line_, path_.empty() ? "(top level)" : path_, "expected a mapping");
    return;
  }
  is_map_ = true;
  collect(node, known);
}

void MapReader::collect(const YAML::Node& node, std::initializer_list<std::string_view> known) {
  for (auto it = node.begin(); it != node.end(); ++it) {
    const int key_line = config_internal::line_of(it->first);
    if (!it->first.IsScalar()) {
      errors_->add(key_line, path_.empty() ? "(top level)" : path_, "keys must be plain names");
      continue;
    }
    const std::string key = it->first.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string message = "unknown key \"" + key + "\"";
      if (std::string hint = closest_key(key, known); !hint.empty())
        message += " (did you mean \"" + hint + "\"?)";
      errors_->add(key_line, path_of(key), std::move(message));
    } else if (find(key) != nullptr) {
      errors_->add(key_line, path_of(key),
                   "duplicate key (first set on line " + std::to_string(find(key)->line) + ")");
    } else {
      entries_.push_back(Entry{key, key_line, it->second});
    }
  }
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

bool MapReader::has(std::string_view key) const {
  const Entry* e = find(key);
  return e != nullptr && !e->value.IsNull();
}

std::string MapReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

int MapReader::line_of(std::string_view key) const {
  const Entry* e = find(key);
  return e != nullptr ? e->line : line_;
}

YAML::Node MapReader::value(std::string_view key) const {
  const Entry* e = find(key);
  return e != nullptr ? e->value : YAML::Node(YAML::NodeType::Null);
}

void MapReader::fail(std::string_view key, std::string message) {
  errors_->add(line_of(key), path_of(key), std::move(message));
}

void MapReader::missing(std::string_view key) {
  fail(key, find(key) != nullptr ? "a value is required" : "required field is missing");
}

// ============================== Typed getters ==============================

std::optional<std::string> MapReader::text(std::string_view key, bool required) {
  if (!has(key)) {
    // A section that is not a mapping was reported already; its fields are not missing.
    if (required && is_map_) missing(key);
    return std::nullopt;
  }
  const YAML::Node v = value(key);
  if (!v.IsScalar()) {
    fail(key, "expected a string");
    return std::nullopt;
  }
  if (v.Scalar().empty()) {
    if (required) fail(key, "must not be empty");
    return std::nullopt;
  }
  return v.Scalar();
}

std::optional<int64_t> MapReader::integer(std::string_view key, int64_t min, int64_t max) {
  if (!has(key)) return std::nullopt;
  const YAML::Node v = value(key);
  const std::string s = v.IsScalar() ? v.Scalar() : std::string();
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  const bool whole = !s.empty() && end == s.data() + s.size();
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!whole && ec != std::errc::result_out_of_range) {
    fail(key, "expected an integer in " + range + (v.IsScalar() ? ", got \"" + s + "\"" : ""));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || n < min || n > max) {
    fail(key, "must be in " + range + ", got " + s);
    return std::nullopt;
  }
  return n;
}

MapReader MapReader::map(std::string_view key, std::initializer_list<std::string_view> known,
                         bool required) {
  if (is_map_ && (has(key) || !required))
    return MapReader(value(key), path_of(key), line_of(key), known, *errors_);
  if (is_map_) missing(key);
  // Reported already (here, or this section was not a mapping): a reader that stays
  // silent, so the fields inside are not reported as missing too.
  MapReader silent(YAML::Node(YAML::NodeType::Null), path_of(key), line_of(key), {}, *errors_);
  silent.is_map_ = false;
  return silent;
}

}  // namespace sixlink::config_internal
