// Sample canonical messages for the unit tests: a CAP 1.2 alert (the thunderstorm warning
// of the CAP 1.2 specification, appendix A.2, written as canonical JSON), a mediation
// case and a patrol position, each wrapped in a valid envelope.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "gateway/core/envelope.h"

namespace sixlink::test {

// /work/shared/data/cap/samples/cap12-spec-a2-thunderstorm.xml as canonical JSON.
inline boost::json::object thunderstorm_alert_body() {
  return boost::json::parse(R"({
    "identifier": "KSTO1055887203",
    "sender": "KSTO@NWS.NOAA.GOV",
    "sent": "2003-06-17T14:57:00-07:00",
    "status": "Actual",
    "msgType": "Alert",
    "scope": "Public",
    "info": [{
      "category": ["Met"],
      "event": "SEVERE THUNDERSTORM",
      "responseType": ["Shelter"],
      "urgency": "Immediate",
      "severity": "Severe",
      "certainty": "Observed",
      "eventCode": [{"valueName": "SAME", "value": "SVR"}],
      "expires": "2003-06-17T16:00:00-07:00",
      "senderName": "NATIONAL WEATHER SERVICE SACRAMENTO CA",
      "headline": "SEVERE THUNDERSTORM WARNING",
      "description": "AT 254 PM PDT...NATIONAL WEATHER SERVICE DOPPLER RADAR INDICATED A SEVERE THUNDERSTORM OVER SOUTH CENTRAL ALPINE COUNTY...OR ABOUT 18 MILES SOUTHEAST OF KIRKWOOD...MOVING SOUTHWEST AT 5 MPH. HAIL...INTENSE RAIN AND STRONG DAMAGING WINDS ARE LIKELY WITH THIS STORM.",
      "instruction": "TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.",
      "contact": "BARUFFALDI/JUSKIE",
      "area": [{
        "areaDesc": "EXTREME NORTH CENTRAL TUOLUMNE COUNTY IN CALIFORNIA, EXTREME NORTHEASTERN CALAVERAS COUNTY IN CALIFORNIA, SOUTHWESTERN ALPINE COUNTY IN CALIFORNIA",
        "polygon": ["38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14"],
        "geocode": [{"valueName": "SAME", "value": "006109"},
                    {"valueName": "SAME", "value": "006009"},
                    {"valueName": "SAME", "value": "006003"}]
      }]
    }]
  })")
      .as_object();
}

inline boost::json::object mediation_case_body() {
  return boost::json::parse(R"({
    "title": "浏河镇与宝山区罗泾镇交界处宅基地纠纷",
    "category": "land",
    "description": "两户村民对界河边宅基地边界有争议。",
    "location": {"region_code": "320585", "address": "太仓市浏河镇新闸村", "lat": 31.5162, "lon": 121.2873},
    "parties": [{"name": "张三", "role": "applicant", "id_number": "320585198001011234", "phone": "13800000000"},
                {"name": "李四", "role": "respondent"}],
    "lead": {"jurisdiction": "taicang", "unit": "浏河镇人民调解委员会"},
    "deadline": "2026-05-12T17:00:00+08:00",
    "closure_criteria": "双方签署调解协议",
    "status": "open",
    "note": ""
  })")
      .as_object();
}

inline boost::json::object patrol_position_body() {
  return boost::json::parse(R"({
    "unit": "浏河派出所巡逻一组",
    "border_line": "south_line",
    "position": {"lat": 31.4986, "lon": 121.3122, "at": "2026-04-12T22:15:00+08:00"},
    "route": [{"lat": 31.4986, "lon": 121.3122}, {"lat": 31.5011, "lon": 121.3050}]
  })")
      .as_object();
}

inline Envelope alert_envelope() {
  Envelope e;
  e.id = "KS-20260412-000731";
  e.source = "kunshan";
  e.link = "info_sharing";
  e.kind = "alert";
  e.created_at = "2026-04-12T09:30:00+08:00";
  e.recipients = std::vector<std::string>{"taicang", "baoshan"};
  e.classification = "internal";
  e.region_codes = {"320583", "320585"};
  e.body = thunderstorm_alert_body();
  return e;
}

inline Envelope case_envelope(std::string kind = "case.open") {
  Envelope e;
  e.id = "TC-2026-0412-17.1";
  e.source = "taicang";
  e.link = "joint_mediation";
  e.kind = std::move(kind);
  e.created_at = "2026-04-12T10:00:00+08:00";
  e.classification = "restricted";
  e.case_id = "taicang:2026-0412-17";
  e.region_codes = {"320585", "310113"};
  e.body = mediation_case_body();
  return e;
}

inline Envelope patrol_envelope() {
  Envelope e;
  e.id = "BS:patrol:0042";
  e.source = "baoshan";
  e.link = "joint_patrol";
  e.kind = "patrol.position";
  e.created_at = "2026-04-12T14:15:00Z";
  e.patrol_id = "south-line-night-7";
  e.region_codes = {"310113"};
  e.body = patrol_position_body();
  return e;
}

// Field-by-field equality (Envelope has no operator==).
inline bool same_envelope(const Envelope& a, const Envelope& b) {
  return a.id == b.id && a.source == b.source && a.link == b.link && a.kind == b.kind &&
         a.created_at == b.created_at && a.recipients == b.recipients &&
         a.classification == b.classification && a.case_id == b.case_id &&
         a.patrol_id == b.patrol_id && a.region_codes == b.region_codes && a.body == b.body;
}

}  // namespace sixlink::test
