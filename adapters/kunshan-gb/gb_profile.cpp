// The profile's tables (README of this folder, "Event types", "Levels", "Members") and
// the identifier and time rules the codec builds on.
#include "adapters/kunshan-gb/gb_profile.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "gateway/core/envelope.h"

namespace sixlink::kunshan_gb {

namespace {

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr std::string_view kGatewayUnit = "00000000";

struct Level {
  std::string_view severity, english, chinese;
};
constexpr Level kLevels[] = {
    {"Extreme", "Red", "红色"}, {"Severe", "Orange", "橙色"},   {"Moderate", "Yellow", "黄色"},
    {"Minor", "Blue", "蓝色"},  {"Unknown", "Unknown", "未知"},
};

struct Member {
  std::string_view id, region;
};
constexpr Member kMembers[] = {
    {"taicang", "320585"}, {"kunshan", "320583"}, {"baoshan", "310113"}, {"jiading", "310114"}};

struct Classification {
  std::string_view canonical, word;
};
constexpr Classification kClassifications[] = {
    {"public", "公开"}, {"internal", "内部"}, {"restricted", "受限"}};

}  // namespace

const std::vector<EventType>& event_types() {
  static const std::vector<EventType> table = {
      // 11: natural disasters (水旱, 气象, 地震, 地质, 海洋, 森林草原火灾)
      {"11A01", "Met", "水旱灾害"},
      {"11B01", "Met", "台风"},
      {"11B03", "Met", "暴雨"},
      {"11B04", "Met", "暴雪"},
      {"11B05", "Met", "寒潮"},
      {"11B06", "Met", "大风"},
      {"11B07", "Met", "沙尘暴"},
      {"11B09", "Met", "高温"},
      {"11B10", "Met", "干旱"},
      {"11B14", "Met", "雷电"},
      {"11B15", "Met", "冰雹"},
      {"11B16", "Met", "霜冻"},
      {"11B17", "Met", "大雾"},
      {"11B18", "Met", "霾"},
      {"11B19", "Met", "道路结冰"},
      {"11C01", "Geo", "地震"},
      {"11D01", "Geo", "地质灾害"},
      {"11D02", "Geo", "滑坡"},
      {"11D03", "Geo", "泥石流"},
      {"11D04", "Geo", "地面塌陷"},
      {"11E01", "Met", "风暴潮"},
      {"11G01", "Fire", "森林火灾"},
      // 12: accidents (事故灾难)
      {"12A01", "Safety", "危险化学品事故"},
      {"12A02", "Fire", "火灾事故"},
      {"12B01", "Transport", "道路交通事故"},
      {"12B02", "Transport", "水上交通事故"},
      {"12C01", "Infra", "供水中断"},
      {"12C02", "Infra", "供电中断"},
      {"12D01", "CBRNE", "核与辐射事故"},
      {"12E01", "Env", "突发环境事件"},
      // 13: public health (公共卫生事件)
      {"13A01", "Health", "传染病疫情"},
      {"13B01", "Health", "群体性不明原因疾病"},
      {"13C01", "Health", "食品安全事件"},
      {"13D01", "Health", "动物疫情"},
      // 14: social safety (社会安全事件)
      {"14A01", "Security", "恐怖袭击事件"},
      {"14B01", "Security", "群体性事件"},
      {"14C01", "Security", "重大刑事案件"},
      // not in the table: category and event travel in <extension> elements
      {kOtherEventCode, "Other", "其他突发事件"},
  };
  return table;
}

const EventType* event_by_code(std::string_view code) {
  for (const auto& t : event_types())
    if (t.code == code) return &t;
  return nullptr;
}

const EventType* event_by_name(std::string_view event) {
  for (const auto& t : event_types())
    if (t.event == event) return &t;
  return nullptr;
}

bool is_national_event_code(std::string_view code) {
  if (code == kOtherEventCode) return true;
  return code.size() == 5 && all_digits(code.substr(0, 2)) && code[2] >= 'A' && code[2] <= 'Z' &&
         all_digits(code.substr(3, 2));
}

std::string_view category_of_class(std::string_view code) {
  struct ClassCategory {
    std::string_view prefix, category;
  };
  static constexpr ClassCategory kClasses[] = {
      {"11A", "Met"},       {"11B", "Met"},   {"11C", "Geo"},     {"11D", "Geo"},
      {"11E", "Met"},       {"11F", "Env"},   {"11G", "Fire"},    {"12A", "Safety"},
      {"12B", "Transport"}, {"12C", "Infra"}, {"12D", "CBRNE"},   {"12E", "Env"},
      {"12", "Safety"},     {"13", "Health"}, {"14", "Security"},
  };
  for (const auto& c : kClasses)
    if (code.starts_with(c.prefix)) return c.category;
  return "Other";
}

std::string_view level_of_severity(std::string_view severity) {
  for (const auto& l : kLevels)
    if (l.severity == severity) return l.english;
  return {};
}

std::string_view severity_of_level(std::string_view level) {
  for (const auto& l : kLevels)
    if (l.english == level || l.chinese == level) return l.severity;
  return {};
}

std::string_view region_of_member(std::string_view member) {
  for (const auto& m : kMembers)
    if (m.id == member) return m.region;
  return {};
}

std::string_view member_of_region(std::string_view region) {
  for (const auto& m : kMembers)
    if (m.region == region) return m.id;
  return {};
}

bool is_sender_code(std::string_view code) { return code.size() == 14 && all_digits(code); }

std::string default_sender_code(std::string_view member) {
  std::string_view region = region_of_member(member);
  return std::string(region.empty() ? "000000" : region) + std::string(kGatewayUnit);
}

std::string classification_word(std::string_view classification) {
  for (const auto& c : kClassifications)
    if (c.canonical == classification) return std::string(c.word);
  return std::string(classification);
}

std::optional<std::string> classification_of_word(std::string_view word) {
  for (const auto& c : kClassifications)
    if (c.word == word || c.canonical == word) return std::string(c.canonical);
  return std::nullopt;
}

bool is_gb_identifier(std::string_view id) {
  return id.size() > 30 && is_sender_code(id.substr(0, 14)) && id[14] == '_' &&
         all_digits(id.substr(15, 14)) && id[29] == '_';
}

std::string identifier_for(std::string_view id, std::string_view region, std::string_view stamp) {
  if (is_gb_identifier(id) && id.substr(6, 8) != kGatewayUnit) return std::string(id);
  std::string r = is_valid_region_code(region) ? std::string(region) : "000000";
  return r + std::string(kGatewayUnit) + "_" + std::string(stamp) + "_" + std::string(id);
}

std::string id_of_identifier(std::string_view identifier) {
  if (identifier.substr(6, 8) == kGatewayUnit) return std::string(identifier.substr(30));
  return std::string(identifier);
}

std::optional<std::string> beijing_stamp(std::string_view t) {
  if (!is_valid_rfc3339(t)) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t n) {
    return std::atoi(std::string(t.substr(pos, n)).c_str());
  };
  // Days from the civil date (H. Hinnant's algorithm), then shift to UTC+08:00.
  long long y = num(0, 4), m = num(5, 2), d = num(8, 2);
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  long long offset = 0;
  std::size_t z = t.find_first_of("Zz+-", 19);
  if (t[z] == '+' || t[z] == '-')
    offset = (t[z] == '-' ? -1 : 1) * (num(z + 1, 2) * 3600LL + num(z + 4, 2) * 60LL);
  long long secs =
      days * 86400 + num(11, 2) * 3600LL + num(14, 2) * 60LL + num(17, 2) - offset + 8 * 3600;
  long long day = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  long long sod = secs - day * 86400;
  // Civil date from days.
  long long zd = day + 719468;
  const long long era2 = (zd >= 0 ? zd : zd - 146096) / 146097;
  const long long doe = zd - era2 * 146097;
  const long long yoe2 = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy2 = doe - (365 * yoe2 + yoe2 / 4 - yoe2 / 100);
  const long long mp = (5 * doy2 + 2) / 153;
  const long long dd = doy2 - (153 * mp + 2) / 5 + 1;
  const long long mm = mp < 10 ? mp + 3 : mp - 9;
  const long long yy = yoe2 + era2 * 400 + (mm <= 2);
  if (yy < 0 || yy > 9999) return std::string("00000000000000");
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld%02lld%02lld%02lld%02lld%02lld", yy, mm, dd, sod / 3600,
                sod % 3600 / 60, sod % 60);
  return std::string(buf);
}

}  // namespace sixlink::kunshan_gb
