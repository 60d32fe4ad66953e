// The case routes' answers (gateway/cases/case_api.cpp) on a real store file: the 409
// body of a refused transition, list parameters, paging, and 404 for a non-party.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/cases/case_api.h"
#include "tests/unit/cases/case_fixture.h"

namespace sixlink::cases {
namespace {

namespace json = boost::json;
using test::CaseMsg;
using test::ingest_now;

TEST(CasesApi, IllegalTransitionKeepsTheContractErrorShapeAndAddsTheState) {
  HttpResponse r = illegal_transition_response({"in_progress", "body.status", "only the lead may set resolved"});
  EXPECT_EQ(r.status, 409);
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("error").at("code").as_string(), "illegal_transition");
  EXPECT_EQ(v.at("error").at("field").as_string(), "body.status");
  EXPECT_EQ(v.at("error").at("state").as_string(), "in_progress");
  EXPECT_EQ(v.at("error").at("message").as_string(), "only the lead may set resolved");
  json::value hidden = json::parse(illegal_transition_response({"", "case_id", "not a party"}).body);
  EXPECT_FALSE(hidden.at("error").as_object().contains("state"));
}

TEST(CasesApi, ListsPageByCaseIdAndRefuseBadParameters) {
  test::StoreFile f;
  for (const char* id : {"ks:1", "ks:2", "ks:3"})
    ASSERT_EQ(ingest_now(*f.store, CaseMsg(std::string("M-") + id, "kunshan", "case.open", id).to({"taicang"}).record()).status,
              store::IngestStatus::accepted);
  const int64_t now = parse_rfc3339_ms("2026-11-02T00:00:00+08:00").value();
  HttpResponse page = list_cases(*f.store, "taicang", parse_target("/v1/cases?limit=2"), now);
  ASSERT_EQ(page.status, 200);
  json::value v = json::parse(page.body);
  ASSERT_EQ(v.at("cases").as_array().size(), 2u);
  EXPECT_EQ(v.at("next").as_string(), "ks:2");
  v = json::parse(list_cases(*f.store, "taicang", parse_target("/v1/cases?limit=2&after=ks%3A2"), now).body);
  ASSERT_EQ(v.at("cases").as_array().size(), 1u);
  EXPECT_EQ(v.at("cases").as_array()[0].at("case_id").as_string(), "ks:3");
  EXPECT_FALSE(v.as_object().contains("next"));
  EXPECT_EQ(list_cases(*f.store, "taicang", parse_target("/v1/cases?overdue=yes"), now).status, 400);
  EXPECT_EQ(list_cases(*f.store, "taicang", parse_target("/v1/cases?limit=0"), now).status, 400);
  EXPECT_EQ(list_cases(*f.store, "taicang", parse_target("/v1/cases?limit=1001"), now).status, 400);
  for (const char* bad : {"/v1/cases?link=nope", "/v1/cases?link=info_sharing", "/v1/cases?status=bogus"}) {
    HttpResponse r = list_cases(*f.store, "taicang", parse_target(bad), now);
    EXPECT_EQ(r.status, 400) << bad << " is refused, not an empty list";
    EXPECT_NE(r.body.find("invalid_field"), std::string::npos) << r.body;
  }
  EXPECT_EQ(list_cases(*f.store, "taicang", parse_target("/v1/cases?link=joint_mediation&status=open"), now).status, 200);
  v = json::parse(list_cases(*f.store, "jiading", parse_target("/v1/cases"), now).body);
  EXPECT_TRUE(v.at("cases").as_array().empty());
}

}  // namespace
}  // namespace sixlink::cases
