// The world the partner simulator plays in: the four members of the Taicang federation
// (GB/T 2260 codes, adapters, border lines), places along the south line (Taicang with
// Baoshan and Jiading) and the west line (Taicang with Kunshan) in WGS-84, the units that
// send, and the Chinese text of their messages.
//
// Owns: facts and wording only. Leaves to traffic.cpp: building envelopes from them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sixlink::sim {

// A point near a border line, both sides of it (WGS-84, four decimals).
struct Place {
  std::string town;     // 浏河镇
  std::string address;  // 太仓市浏河镇新塘村沪太路东侧
  double lat = 0;
  double lon = 0;
};

// An alert a member's services plausibly issue (CAP 1.2 values).
struct AlertTemplate {
  std::string event;
  std::string category;  // CAP category
  std::string severity;  // Extreme | Severe | Moderate | Minor
  std::string urgency;
  std::string certainty;
  std::string headline;
  std::string description;
  std::string instruction;
  std::string area;
  bool to_neighbour = false;  // also concerns the other partner on the same border line
};

// A dispute or a cross-border problem (joint_mediation / joint_governance case).
struct CaseTemplate {
  std::string title;
  std::string category;
  std::string description;
  std::string closure_criteria;
};

struct MemberFacts {
  std::string id;           // member id: "baoshan"
  std::string name;         // 宝山区
  std::string region_code;  // GB/T 2260: "310113"
  std::string id_prefix;    // message id prefix: "BS"
  std::string adapter;      // its native format: "baoshan-json"
  std::string border_line;  // south_line | west_line ("" for the hub)
  std::vector<Place> places;             // along its border with Taicang
  std::string police_unit;               // patrols
  std::string mediation_unit;            // joint_mediation cases
  std::string governance_unit;           // joint_governance cases
  std::string alert_sender;              // CAP sender
  std::vector<AlertTemplate> alerts;
  std::vector<CaseTemplate> disputes;    // joint_mediation
  std::vector<CaseTemplate> problems;    // joint_governance
  std::vector<std::string> bulletins;    // "title|content"
  std::vector<std::string> incidents;    // "type|description"
};

// taicang, baoshan, jiading, kunshan, in that order.
const std::vector<MemberFacts>& federation();
// The member's facts, or nullptr for an id outside the federation.
const MemberFacts* member_facts(std::string_view id);

// Safety indicators the partners share (joint_safety / safety.indicator): "name|unit".
const std::vector<std::string>& safety_indicators();

}  // namespace sixlink::sim
