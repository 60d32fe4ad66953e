// Tests of the WGS-84 <-> GCJ-02 conversion (adapters/baoshan-json/gcj02) and of the
// rounding the Baoshan adapter applies on top of it: a round trip over the border area
// (Taicang–Baoshan–Jiading south line, Kunshan west line) returns within 1 m, and
// canonical coordinates of up to 7 decimals come back exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "adapters/baoshan-json/gcj02.h"
#include "adapters/baoshan-json/value_conversions.h"

namespace sixlink {
namespace {

using gcj02::LatLon;

// The grid of the border area: lat 31.2–31.7, lon 120.9–121.5, every 0.005 degree
// (101 x 121 points, about 550 m apart).
template <class F>
void for_each_grid_point(F f) {
  for (int i = 0; i <= 100; ++i)
    for (int j = 0; j <= 120; ++j) f(LatLon{31.2 + i * 0.005, 120.9 + j * 0.005});
}

TEST(BaoshanGcj02Test, ForwardMatchesThePublicFormula) {
  // Reference values computed with an independent transcription of the public formula.
  struct Ref {
    LatLon wgs, gcj;
  };
  for (const Ref& r : {Ref{{31.4986, 121.3122}, {31.496727665684, 121.316730401219}},
                       Ref{{31.5162, 121.2873}, {31.514290506453, 121.291783774112}},
                       Ref{{31.3, 121.0}, {31.298003505703, 121.004389321285}}}) {
    LatLon g = gcj02::from_wgs84(r.wgs);
    EXPECT_NEAR(g.lat, r.gcj.lat, 1e-11);
    EXPECT_NEAR(g.lon, r.gcj.lon, 1e-11);
  }
}

TEST(BaoshanGcj02Test, OffsetNearShanghaiIsAFewHundredMetres) {
  for_each_grid_point([](LatLon p) {
    double d = gcj02::haversine_m(p, gcj02::from_wgs84(p));
    ASSERT_GT(d, 300) << p.lat << "," << p.lon;
    ASSERT_LT(d, 800) << p.lat << "," << p.lon;
  });
}

TEST(BaoshanGcj02Test, RoundTripOverTheBorderGridIsWithinOneMetre) {
  double worst_m = 0, worst_residual = 0;
  for_each_grid_point([&](LatLon p) {
    LatLon g = gcj02::from_wgs84(p);
    LatLon back = gcj02::to_wgs84(g);
    worst_m = std::fmax(worst_m, gcj02::haversine_m(p, back));
    LatLon again = gcj02::from_wgs84(back);  // the inverse converged: < 1e-9 degrees
    worst_residual = std::fmax(
        worst_residual, std::fmax(std::fabs(again.lat - g.lat), std::fabs(again.lon - g.lon)));
  });
  EXPECT_LT(worst_m, 1.0);
  EXPECT_LT(worst_m, 1e-4);  // the documented accuracy of the bare conversion: < 0.1 mm
  EXPECT_LT(worst_residual, 1e-9);
}

TEST(BaoshanGcj02Test, AdapterRoundingReturnsSevenDecimalValuesExactly) {
  // What the adapter does: GCJ-02 written with 9 decimals, WGS-84 read back with 7.
  double worst_m = 0;
  int inexact = 0;
  for (int i = 0; i <= 500; ++i)
    for (int j = 0; j <= 60; ++j) {
      // 7-decimal values that are not on a round grid.
      LatLon p{baoshan::round_wgs(31.2 + i * 0.0010003), baoshan::round_wgs(120.9 + j * 0.0100007)};
      LatLon g = gcj02::from_wgs84(p);
      LatLon sent{baoshan::round_gcj(g.lat), baoshan::round_gcj(g.lon)};
      LatLon raw = gcj02::to_wgs84(sent);
      LatLon back{baoshan::round_wgs(raw.lat), baoshan::round_wgs(raw.lon)};
      worst_m = std::fmax(worst_m, gcj02::haversine_m(p, raw));
      if (back.lat != p.lat || back.lon != p.lon) ++inexact;
    }
  EXPECT_EQ(inexact, 0);
  EXPECT_LT(worst_m, 0.001);  // 9-decimal GCJ-02 costs at most 0.1 mm
}

TEST(BaoshanGcj02Test, ArbitraryPrecisionComesBackWithinACentimetre) {
  LatLon p{31.49861234567891, 121.31229876543219};
  LatLon g = gcj02::from_wgs84(p);
  LatLon raw = gcj02::to_wgs84({baoshan::round_gcj(g.lat), baoshan::round_gcj(g.lon)});
  LatLon back{baoshan::round_wgs(raw.lat), baoshan::round_wgs(raw.lon)};
  EXPECT_LT(gcj02::haversine_m(p, back), 0.012);
  EXPECT_NE(back.lat, p.lat);  // not exact: the adapter carries such values in ext
}

TEST(BaoshanGcj02Test, OutsideChinaPassesThrough) {
  for (LatLon p : {LatLon{38.47, -120.14}, LatLon{42.3481, -82.9314}, LatLon{51.5, -0.12},
                   LatLon{-33.86, 151.2}, LatLon{0.5, 100.0}, LatLon{60.0, 100.0}}) {
    EXPECT_TRUE(gcj02::out_of_china(p));
    LatLon g = gcj02::from_wgs84(p);
    EXPECT_EQ(g.lat, p.lat);
    EXPECT_EQ(g.lon, p.lon);
    LatLon w = gcj02::to_wgs84(p);
    EXPECT_EQ(w.lat, p.lat);
    EXPECT_EQ(w.lon, p.lon);
  }
  EXPECT_FALSE(gcj02::out_of_china({31.4, 121.2}));
  EXPECT_TRUE(gcj02::out_of_china({NAN, 121.2}));
}

TEST(BaoshanGcj02Test, InverseTerminatesOnHostileInput) {
  for (LatLon g : {LatLon{55.8270, 137.8346}, LatLon{0.8294, 72.0041}, LatLon{55.83, 137.83},
                   LatLon{90, 180}, LatLon{-90, -180}, LatLon{NAN, NAN}, LatLon{INFINITY, 1}}) {
    LatLon w = gcj02::to_wgs84(g);
    if (std::isfinite(g.lat) && std::isfinite(g.lon)) {
      EXPECT_TRUE(std::isfinite(w.lat) && std::isfinite(w.lon));
      EXPECT_LT(gcj02::haversine_m(g, w), 2000);
    }
  }
}

TEST(BaoshanGcj02Test, HaversineKnownDistance) {
  // One degree of latitude: about 111.2 km on the mean sphere.
  EXPECT_NEAR(gcj02::haversine_m({31, 121}, {32, 121}), 111195, 1);
  EXPECT_EQ(gcj02::haversine_m({31.5, 121.3}, {31.5, 121.3}), 0);
}

}  // namespace
}  // namespace sixlink
