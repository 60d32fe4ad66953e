// Shared by the config and policy loaders: collects errors (file, line, key) and reads typed
// fields out of yaml-cpp mappings. A MapReader is told the keys its section knows, so
// unknown and duplicate keys are reported the moment the section is opened; what the
// fields mean and how they are checked stays in config.cpp and config_members.cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.h"

namespace sixlink::config_internal {

// Every error found while loading one file, in the order found.
class ErrorList {
 public:
  explicit ErrorList(std::string file) : file_(std::move(file)) {}
  void add(int line, std::string key, std::string message);
  const std::string& file() const { return file_; }
  bool empty() const { return errors_.empty(); }
  std::size_t size() const { return errors_.size(); }
  std::vector<ConfigError> take() { return std::move(errors_); }

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

// 1-based line of a node, or 0 when yaml-cpp has none (null nodes, missing keys).
int line_of(const YAML::Node& node);

// The known key closest to `key` by edit distance, or "" when none is close enough
// to be a likely typo.
std::string closest_key(std::string_view key, std::initializer_list<std::string_view> known);

// One YAML mapping under a dotted path. Constructing it reports a non-mapping value,
// unknown keys (with a suggestion) and duplicate keys; the typed getters report missing,
// empty, ill-typed and out-of-range values. Getters return nullopt after reporting.
class MapReader {
 public:
  // `line` locates the mapping itself (its key's line), for "missing field" errors.
  MapReader(const YAML::Node& node, std::string path, int line,
            std::initializer_list<std::string_view> known, ErrorList& errors);

  bool is_map() const { return is_map_; }
  const std::string& path() const { return path_; }
  int line() const { return line_; }
  ErrorList& errors() const { return *errors_; }
  // The key appears, whatever its value.
  bool present(std::string_view key) const { return find(key) != nullptr; }
  // The key appears with a non-null value.
  bool has(std::string_view key) const;
  std::string path_of(std::string_view key) const;
  // Line of the key, or of the mapping when the key is absent.
  int line_of(std::string_view key) const;
  YAML::Node value(std::string_view key) const;  // a null node when absent

  std::optional<std::string> text(std::string_view key, bool required);
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max);
  // A nested mapping; when absent and not required, a reader over an empty mapping.
  MapReader map(std::string_view key, std::initializer_list<std::string_view> known, bool required);

  // Reports an error against `key` (its line, its dotted path).
  void fail(std::string_view key, std::string message);

  // Reads an optional integer into `out` (left unchanged when absent or invalid).
  template <typename T>
  void read(std::string_view key, int64_t min, int64_t max, T& out) {
    if (auto v = integer(key, min, max)) out = static_cast<T>(*v);
  }

 private:
  struct Entry {
    std::string key;
    int line = 0;
    YAML::Node value;
  };
  const Entry* find(std::string_view key) const;
  void collect(const YAML::Node& node, std::initializer_list<std::string_view> known);
  void missing(std::string_view key);

  std::string path_;
  int line_ = 0;
  bool is_map_ = false;
  std::vector<Entry> entries_;
  ErrorList* errors_;
};

}  // namespace sixlink::config_internal
