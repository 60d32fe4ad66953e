// parse_strict_json: Boost.JSON's own parser (basic_parser) driving its own value builder
// (value_stack), as json::parse does. The builder keeps one copy of a repeated member, so
// the fast pass only counts the members it was given and compares that with the members
// the value holds: any repeat leaves the value with fewer. Only then is the text parsed
// again with a handler that keeps the names of every open object, to say which one.
#include "gateway/core/strict_json.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <cstdint>
#include <utility>
#include <vector>

namespace sixlink {
namespace json = boost::json;

namespace {

// A name as a message may quote it: at most 64 bytes, not cut inside a UTF-8 sequence.
std::string quotable(std::string_view name) {
  constexpr std::size_t kMax = 64;
  if (name.size() <= kMax) return std::string(name);
  std::size_t end = kMax;
  while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) --end;
  return std::string(name.substr(0, end)) + "…";
}

// Builds the value as json::parse's handler does. Counting, it adds up the members of every
// object; Naming, it also checks each object's names when the object closes and stops at
// the first repeat.
template <bool kNaming>
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;

  StrictHandler(unsigned char* temp, std::size_t size) : st({}, temp, size) {}

  std::size_t members = 0;  // counting: members of every object, as parsed
  // Naming: set when on_object_end refused an object: the repeated name and its path.
  std::optional<std::string> repeated_member;
  std::string repeated_path;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    if constexpr (kNaming) frames_.push_back({keys_.size(), names_.size(), 0, true});
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code& ec) {
    if constexpr (kNaming) {
      if (n > 1 && !refuse_repeated_key(ec)) return false;
      names_.resize(frames_.back().first_byte);
      keys_.resize(frames_.back().first_key);
      frames_.pop_back();
    } else {
      members += n;
    }
    st.push_object(n);
    return finished_value();
  }
  bool on_array_begin(json::error_code&) {
    if constexpr (kNaming) frames_.push_back({keys_.size(), names_.size(), 0, false});
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code&) {
    if constexpr (kNaming) frames_.pop_back();
    st.push_array(n);
    return finished_value();
  }
  // A key may come in parts (split by the input or by escapes): names_ gathers them.
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if constexpr (kNaming) names_.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t n, json::error_code&) {
    if constexpr (kNaming) {
      names_.append(s.data(), s.size());
      keys_.push_back({names_.size() - n, n});
    }
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return finished_value();
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    st.push_int64(i);
    return finished_value();
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    st.push_uint64(u);
    return finished_value();
  }
  bool on_double(double d, json::string_view, json::error_code&) {
    st.push_double(d);
    return finished_value();
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return finished_value();
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return finished_value();
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Key {
    std::size_t offset;  // in names_
    std::size_t size;
  };
  struct Frame {
    std::size_t first_key;   // in keys_
    std::size_t first_byte;  // in names_
    std::size_t elements;    // an array's values so far (its next index)
    bool object;
  };

  std::string_view name(const Key& k) const {
    return std::string_view(names_).substr(k.offset, k.size);
  }

  // An array counts its values, so a path can name the element an object is in.
  bool finished_value() {
    if constexpr (kNaming)
      if (!frames_.empty() && !frames_.back().object) ++frames_.back().elements;
    return true;
  }

  // Checks the closing object's names; false (ec set, repeated_* filled) if one repeats.
  // Sorted, so an object of many members costs n log n, not n².
  bool refuse_repeated_key(json::error_code& ec) {
    scratch_.assign(keys_.begin() + static_cast<std::ptrdiff_t>(frames_.back().first_key),
                    keys_.end());
    std::sort(scratch_.begin(), scratch_.end(),
              [this](const Key& a, const Key& b) { return name(a) < name(b); });
    auto at = std::adjacent_find(scratch_.begin(), scratch_.end(),
                                 [this](const Key& a, const Key& b) { return name(a) == name(b); });
    if (at == scratch_.end()) return true;
    repeated_member = quotable(name(*at));
    repeated_path = path_to(name(*at));
    ec = make_error_code(boost::system::errc::invalid_argument);
    return false;
  }

  // The path of member `last_name` of the innermost open object: "a.b[2].c".
  std::string path_to(std::string_view last_name) const {
    std::string path;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (!f.object) {
        path += "[" + std::to_string(f.elements) + "]";
        continue;
      }
      std::size_t next_key = i + 1 < frames_.size() ? frames_[i + 1].first_key : keys_.size();
      std::string_view k = i + 1 < frames_.size() ? name(keys_[next_key - 1]) : last_name;
      if (!path.empty()) path += '.';
      path += quotable(k);
    }
    return path;
  }

  std::vector<Frame> frames_;  // the open arrays and objects, outermost first
  std::vector<Key> keys_;      // the names of the members of the open objects, in order
  std::string names_;          // their bytes, back to back
  std::vector<Key> scratch_;
};

// How many members the objects of `v` hold, all depths together.
std::size_t members_in(const json::value& v) {
  std::size_t n = 0;
  if (const json::object* o = v.if_object()) {
    n = o->size();
    for (const auto& member : *o) n += members_in(member.value());
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& item : *a) n += members_in(item);
  }
  return n;
}

// Parses `text` whole with handler H (json::parser::write's rules: nothing may follow
// the value); out.ec is set on failure.
template <class H>
void parse_with(std::string_view text, json::basic_parser<H>& p, StrictJson& out) {
  p.handler().st.reset();
  const std::size_t used = p.write_some(false, text.data(), text.size(), out.ec);
  if (!out.ec && used < text.size()) out.ec = json::error::extra_data;
}

}  // namespace

std::string StrictJson::reason() const {
  if (repeated_member)
    return "member \"" + *repeated_member + "\" appears more than once" +
           (repeated_path != *repeated_member ? " (at " + repeated_path + ")" : "");
  return ec ? ec.message() : std::string();
}

StrictJson parse_strict_json(std::string_view text, const json::parse_options& options) {
  StrictJson out;
  // The same scratch space json::parse gives its value_stack.
  unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];
  {
    json::basic_parser<StrictHandler<false>> p(options, temp, sizeof(temp));
    parse_with(text, p, out);
    if (out.ec) return out;
    json::value v = p.handler().st.release();
    // Each repeat of a name costs its object one member (and whatever its dropped value held).
    if (members_in(v) == p.handler().members) {
      out.value = std::move(v);
      return out;
    }
  }
  json::basic_parser<StrictHandler<true>> p(options, temp, sizeof(temp));
  parse_with(text, p, out);
  out.repeated_member = std::move(p.handler().repeated_member);
  out.repeated_path = std::move(p.handler().repeated_path);
  // The handler set ec when it stopped at the repeat; never answer ok() without a value.
  if (!out.ec) out.ec = make_error_code(boost::system::errc::invalid_argument);
  return out;
}

ApiError invalid_json_error(const StrictJson& parsed, std::string_view what) {
  const bool repeated = parsed.repeated_member.has_value();
  std::string message = std::string(what) +
                        (repeated ? " names a member twice: " : " is not valid UTF-8 JSON: ") +
                        parsed.reason();
  return ApiError{400, "invalid_json", std::move(message), parsed.repeated_path, {}, 0};
}

}  // namespace sixlink
