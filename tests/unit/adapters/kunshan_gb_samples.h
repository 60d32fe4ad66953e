// Sample envelopes and helpers for the kunshan-gb adapter tests: a Kunshan rainstorm red
// warning that fits the GB profile exactly, an alert using every canonical alert member,
// and one envelope per non-alert kind family; golden files in
// tests/data/adapters/kunshan-gb/ (set KUNSHAN_GB_UPDATE_GOLDEN=1 to rewrite them from the
// encoder, then review the diff).
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "adapters/kunshan-gb/kunshan_gb_adapter.h"
#include "gateway/core/envelope.h"

namespace sixlink::test::kunshan {

inline constexpr const char* kGbk = "application/xml; charset=GBK";

inline std::string golden_path(const std::string& name) {
  return std::string(SIXLINK_SOURCE_DIR) + "/tests/data/adapters/kunshan-gb/" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The golden document `name`; rewritten from `actual` when KUNSHAN_GB_UPDATE_GOLDEN is set.
inline std::string golden(const std::string& name, const std::string& actual) {
  if (std::getenv("KUNSHAN_GB_UPDATE_GOLDEN")) {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
  }
  return read_file(golden_path(name));
}

inline Result<Envelope> decode(const std::string& bytes, const char* content_type = kGbk,
                               std::string_view member = "kunshan",
                               std::string_view recipients = "") {
  KunshanGbAdapter adapter;
  return adapter.decode({content_type, bytes, recipients, member});
}

inline Envelope envelope(const char* id, const char* source, const char* link, const char* kind,
                         const char* body_json) {
  Envelope e;
  e.id = id;
  e.source = source;
  e.link = link;
  e.kind = kind;
  e.created_at = "2026-07-12T09:30:00+08:00";
  e.body = boost::json::parse(body_json).as_object();
  return e;
}

// Fits the GB profile exactly: no <extension>, no <envelope> section.
inline Envelope rainstorm_red() {
  Envelope e = envelope("KS-20260712-0001", "kunshan", "info_sharing", "alert", R"({
    "identifier": "32058300000000_20260712093000_KS-20260712-0001",
    "sender": "昆山市气象台", "sent": "2026-07-12T09:30:00+08:00",
    "status": "Actual", "msgType": "Alert", "scope": "Public",
    "info": [{
      "category": ["Met"], "event": "暴雨", "urgency": "Immediate", "severity": "Extreme",
      "certainty": "Likely", "effective": "2026-07-12T09:30:00+08:00",
      "expires": "2026-07-12T21:00:00+08:00", "senderName": "昆山市气象台",
      "headline": "昆山市气象台发布暴雨红色预警",
      "description": "受强降雨云团影响，预计未来3小时昆山、太仓、嘉定、宝山降雨量将达100毫米以上。\n请堃喆等村居注意防范。",
      "instruction": "停止集会、停课、停业（除特殊行业外）；做好山洪、滑坡、泥石流等灾害的防御工作。",
      "area": [{"areaDesc": "昆山市全境",
                "polygon": ["31.25,120.85 31.50,120.85 31.50,121.10 31.25,121.10 31.25,120.85"],
                "geocode": [{"valueName": "GB/T 2260", "value": "320583"}]}]
    }]
  })");
  e.classification = "public";
  e.region_codes = {"320583"};
  return e;
}

// Every member of the canonical alert body, two info blocks in two languages, characters
// outside GBK, and every envelope field.
inline Envelope full_alert() {
  Envelope e = envelope("JD.cap:2026-0712_77", "jiading", "info_sharing", "alert", R"({
    "identifier": "JD-CAP-77", "sender": "jiading-qxj@sh.gov.cn",
    "sent": "2026-07-12T01:30:00Z", "status": "Exercise", "msgType": "Update",
    "source": "嘉定区气象局", "scope": "Restricted", "restriction": "仅限六联成员",
    "addresses": "taicang kunshan", "code": ["六联", "exercise-7"], "note": "演练\r\n第二条",
    "references": "jiading-qxj@sh.gov.cn,JD-CAP-76,2026-07-12T01:00:00Z", "incidents": "inc-7",
    "info": [{
      "language": "zh-CN", "category": ["Met", "Env"], "event": "大雾", "responseType": ["Prepare", "Avoid"],
      "urgency": "Expected", "severity": "Severe", "certainty": "Observed", "audience": "公众",
      "eventCode": [{"valueName": "GB/T 35965.1", "value": "11B17"}],
      "effective": "2026-07-12T01:30:00Z", "onset": "2026-07-12T02:00:00Z",
      "expires": "2026-07-12T06:00:00Z", "senderName": "嘉定区气象台",
      "headline": "嘉定区大雾橙色预警 𠀀 😀", "description": "能见度低于200米",
      "instruction": "  减速慢行  ", "web": "https://qx.jiading.gov.cn/", "contact": "021-12121",
      "parameter": [{"valueName": "能见度", "value": "150m"}],
      "resource": [{"resourceDesc": "雷达图", "mimeType": "image/png", "size": 12345,
                    "uri": "https://qx.jiading.gov.cn/r.png", "digest": "ab12"}],
      "area": [{"areaDesc": "嘉定区、宝山区", "circle": ["31.38,121.25 15"],
                "geocode": [{"valueName": "GB/T 2260", "value": "310114"},
                            {"valueName": "GB/T 2260", "value": "310113"}],
                "altitude": 0.0, "ceiling": 120.5}]
    }, {
      "language": "en-US", "category": ["Met"], "event": "Dense fog", "urgency": "Expected",
      "severity": "Severe", "certainty": "Observed", "headline": "Dense fog warning",
      "area": [{"areaDesc": "Jiading", "geocode": [{"valueName": "SAME", "value": "x"}]}]
    }]
  })");
  e.created_at = "2026-07-12T09:31:00+08:00";
  e.recipients = std::vector<std::string>{"kunshan", "taicang"};
  e.classification = "restricted";
  e.case_id = "jiading:fog-7";
  e.patrol_id = "west-line-3";
  e.region_codes = {"310114", "320583"};
  return e;
}

inline Envelope meeting_notice() {
  Envelope e = envelope("KS-MTG-0712", "kunshan", "joint_meeting", "meeting.notice", R"({
    "title": "太仓、昆山、嘉定、宝山六联联席会议", "at": "2026-07-20T14:00:00+08:00",
    "place": "昆山市花桥镇", "agenda": ["通报跨界案件", "部署汛期联防"],
    "attendees": [{"member": "taicang", "count": 3}, {"member": "baoshan", "count": 2}],
    "online": false, "dial_in": null
  })");
  e.recipients = std::vector<std::string>{"taicang", "baoshan", "jiading"};
  e.region_codes = {"320583", "320585", "310113", "310114"};
  return e;
}

inline Envelope bulletin() {
  Envelope e = envelope("KS-BUL-0712.3", "kunshan", "info_sharing", "bulletin", R"({
    "title": "汛期道路通行公告", "text": "G312昆山段积水，请绕行。\t\n注意安全",
    "empty": {}, "none": [], "ratio": 0.1, "big": 18446744073709551615, "neg": -42,
    "nested": [[1, 2.5], {"k": "v"}]
  })");
  e.classification = "public";
  return e;
}

inline Envelope safety_indicator() {
  Envelope e = envelope("KS:safety:2026-07", "kunshan", "joint_safety", "safety.indicator", R"({
    "indicator": "刑事案件发案率", "period": "2026-07", "value": 1.25, "target": 2,
    "trend": "down", "met": true, "by_town": {"花桥镇": 0.8, "陆家镇": 1.1}
  })");
  e.region_codes = {"320583"};
  return e;
}

}  // namespace sixlink::test::kunshan
