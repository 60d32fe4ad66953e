// Baoshan's JSON dialect (see dialect.h and README.md): which canonical member becomes
// which Baoshan field, and through which conversion.
#include "adapters/baoshan-json/dialect.h"

namespace sixlink::baoshan {

namespace {

const Leaf& link_leaf() {  // 六联 codes: pinyin initials of the link's Chinese name
  static const CodeLeaf leaf("a link code", {{"joint_meeting", "HYLX"},     // 会议联席
                                             {"info_sharing", "XXLX"},      // 信息联享
                                             {"joint_mediation", "MDLT"},   // 矛盾联调
                                             {"joint_patrol", "ZALF"},      // 治安联防
                                             {"joint_governance", "WTLZ"},  // 问题联治
                                             {"joint_safety", "PALC"}});    // 平安联创
  return leaf;
}

const Leaf& kind_leaf() {
  static const CodeLeaf leaf("an event type", {{"meeting.notice", "MEETING_NOTICE"},
                                               {"meeting.minutes", "MEETING_MINUTES"},
                                               {"alert", "ALERT"},
                                               {"bulletin", "BULLETIN"},
                                               {"case.open", "CASE_OPEN"},
                                               {"case.update", "CASE_UPDATE"},
                                               {"case.transfer", "CASE_TRANSFER"},
                                               {"case.close", "CASE_CLOSE"},
                                               {"patrol.plan", "PATROL_PLAN"},
                                               {"patrol.position", "PATROL_POSITION"},
                                               {"patrol.incident", "PATROL_INCIDENT"},
                                               {"safety.campaign", "SAFETY_CAMPAIGN"},
                                               {"safety.indicator", "SAFETY_INDICATOR"}});
  return leaf;
}

const Leaf& secret_level_leaf() {
  static const CodeLeaf leaf("a secret level", {{"public", 1},        // 公开
                                                {"internal", 2},      // 内部
                                                {"restricted", 3}});  // 受限
  return leaf;
}

const Leaf& case_status_leaf() {
  static const CodeLeaf leaf("a case status code", {{"open", 1},           // 立案
                                                    {"accepted", 2},       // 已受理
                                                    {"in_progress", 3},    // 处置中
                                                    {"resolved", 4},       // 已办结
                                                    {"closed", 5},         // 已结案
                                                    {"rejected", 6},       // 已退回
                                                    {"transferred", 7}});  // 已移交
  return leaf;
}

const Leaf& border_line_leaf() {
  static const CodeLeaf leaf("a border line code", {{"south_line", 1},   // 南线 (with Shanghai)
                                                    {"west_line", 2}});  // 西线 (with Kunshan)
  return leaf;
}

// ---------------------------------------------------------------- alert (CAP 1.2 as JSON)

struct AlertTables {
  Table name_value{{{"valueName", "name", &text_leaf()}, {"value", "value", &text_leaf()}}};
  Table resource{{{"resourceDesc", "desc", &text_leaf()},
                  {"mimeType", "mimeType", &text_leaf()},
                  {"size", "size", &number_leaf()},
                  {"uri", "url", &text_leaf()},
                  {"derefUri", "data", &text_leaf()},
                  {"digest", "digest", &text_leaf()}}};
  Table area{{{"areaDesc", "areaName", &text_leaf()},
              {"polygon", "polygons", &polygons_leaf()},
              {"circle", "circles", &circles_leaf()},
              {"geocode", "geocodes", nullptr, nullptr, &name_value},
              {"altitude", "altitude", &number_leaf()},
              {"ceiling", "ceiling", &number_leaf()}}};
  Table info{{{"language", "lang", &text_leaf()},
              {"category", "categories", &strings_leaf()},
              {"event", "eventName", &text_leaf()},
              {"responseType", "responseTypes", &strings_leaf()},
              {"urgency", "urgency", &text_leaf()},
              {"severity", "levelCode", &level_leaf()},
              {"certainty", "certainty", &text_leaf()},
              {"audience", "audience", &text_leaf()},
              {"eventCode", "eventCodes", nullptr, nullptr, &name_value},
              {"effective", "effectiveTime", &epoch_ms_leaf()},
              {"onset", "onsetTime", &epoch_ms_leaf()},
              {"expires", "expireTime", &epoch_ms_leaf()},
              {"senderName", "publisherName", &text_leaf()},
              {"headline", "title", &text_leaf()},
              {"description", "content", &text_leaf()},
              {"instruction", "guide", &text_leaf()},
              {"web", "webUrl", &text_leaf()},
              {"contact", "contact", &text_leaf()},
              {"parameter", "params", nullptr, nullptr, &name_value},
              {"resource", "attachments", nullptr, nullptr, &resource},
              {"area", "areas", nullptr, nullptr, &area}}};
  Table alert{{{"identifier", "alertId", &text_leaf()},
               {"sender", "senderId", &text_leaf()},
               {"sent", "publishTime", &epoch_ms_leaf()},
               {"status", "alertStatus", &text_leaf()},
               {"msgType", "alertType", &text_leaf()},
               {"source", "alertSource", &text_leaf()},
               {"scope", "scope", &text_leaf()},
               {"restriction", "restriction", &text_leaf()},
               {"addresses", "addressees", &text_leaf()},
               {"code", "codes", &strings_leaf()},
               {"note", "remark", &text_leaf()},
               {"references", "refAlerts", &text_leaf()},
               {"incidents", "incidentIds", &text_leaf()},
               {"info", "infos", nullptr, nullptr, &info}}};
};

// ---------------------------------------------------------------- case.*

struct CaseTables {
  Table location{{{"region_code", "areaCode", &text_leaf()}, {"address", "address", &text_leaf()}},
                 true};
  Table party{{{"name", "name", &text_leaf()},
               {"role", "role", &text_leaf()},
               {"id_number", "idCard", &text_leaf()},
               {"phone", "mobile", &text_leaf()}}};
  Table lead{{{"jurisdiction", "unitCode", &unit_leaf()}, {"unit", "unitName", &text_leaf()}}};
  Table body{{{"title", "title", &text_leaf()},
              {"category", "category", &text_leaf()},
              {"description", "desc", &text_leaf()},
              {"location", "location", nullptr, &location},
              {"parties", "parties", nullptr, nullptr, &party},
              {"lead", "leadUnit", nullptr, &lead},
              {"deadline", "deadline", &epoch_ms_leaf()},
              {"closure_criteria", "closeStandard", &text_leaf()},
              {"status", "caseStatus", &case_status_leaf()},
              {"note", "remark", &text_leaf()}}};
};

// ---------------------------------------------------------------- patrol.*

struct PatrolTables {
  Table position{{{"at", "time", &epoch_ms_leaf()}}, true};
  Table incident{{{"type", "incidentType", &text_leaf()},
                  {"description", "desc", &text_leaf()},
                  {"severity", "levelCode", &level_leaf()}}};
  Table body{{{"unit", "patrolUnit", &text_leaf()},
              {"position", "position", nullptr, &position},
              {"route", "route", nullptr, nullptr, &position},
              {"border_line", "borderLine", &border_line_leaf()},
              {"incident", "incident", nullptr, &incident}}};
};

}  // namespace

const Table& envelope_table() {
  static const Table table{{{"id", "msgId", &text_leaf()},
                            {"source", "fromUnit", &unit_leaf()},
                            {"link", "bizType", &link_leaf()},
                            {"kind", "eventType", &kind_leaf()},
                            {"created_at", "sendTime", &epoch_ms_leaf()},
                            {"recipients", "toUnits", &units_leaf()},
                            {"classification", "secretLevel", &secret_level_leaf()},
                            {"case_id", "caseNo", &text_leaf()},
                            {"patrol_id", "patrolNo", &text_leaf()},
                            {"region_codes", "areaCodes", &strings_leaf()},
                            {"body", "payload"}}};
  return table;
}

const Table* payload_table(std::string_view kind) {
  static const AlertTables alert;
  static const CaseTables cases;
  static const PatrolTables patrol;
  if (kind == "alert") return &alert.alert;
  if (kind == "case.open" || kind == "case.update" || kind == "case.transfer" ||
      kind == "case.close")
    return &cases.body;
  if (kind == "patrol.plan" || kind == "patrol.position" || kind == "patrol.incident")
    return &patrol.body;
  return nullptr;
}

}  // namespace sixlink::baoshan
