// Private to the config loader: what config.cpp (gateway, store, policies) and
// config_members.cpp (members and their delivery) share.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/config/pem_check.h"
#include "gateway/config/yaml_reader.h"

namespace sixlink::config_internal {

// Upper bound of every *_ms setting: a day. Larger values are typos, not intent.
inline constexpr int64_t kMaxMillis = 86'400'000;

// Where the file lives, for resolving the relative paths it names.
struct LoadContext {
  std::filesystem::path base_dir;  // absolute folder of the config file
};

// `path` made absolute against the config file's folder, and normalised.
std::string resolve_path(const LoadContext& ctx, const std::string& path);

// Reads a file path field, resolves it and checks the file holds `kind`. Returns the
// absolute path when the file is good; otherwise reports against `key`.
std::optional<std::string> read_pem_path(MapReader& map, std::string_view key, bool required,
                                         PemKind kind, const LoadContext& ctx);

// [a-z][a-z0-9_-]{0,31}: member ids and the gateway id.
bool is_valid_id(std::string_view id);

// Identities are DNS names (or CNs) and compare ignoring ASCII case.
bool same_identity(std::string_view a, std::string_view b);

// Reads the top-level `members` sequence: every member's fields, plus duplicate ids
// and identities across members.
void read_members(MapReader& top, const LoadContext& ctx, std::vector<MemberConfig>& out);

}  // namespace sixlink::config_internal
