// WGS-84 <-> GCJ-02 conversion (see gcj02.h). Pure arithmetic; no state.
#include "adapters/baoshan-json/gcj02.h"

#include <cmath>

namespace sixlink::gcj02 {

namespace {

constexpr double kPi = 3.14159265358979324;
constexpr double kA = 6378245.0;                // Krasovsky 1940 semi-major axis
constexpr double kEe = 0.00669342162296594323;  // Krasovsky 1940 first eccentricity squared

double offset_lat(double x, double y) {
  double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::fabs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
  r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
  return r;
}

double offset_lon(double x, double y) {
  double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::fabs(x));
  r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
  r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
  r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
  return r;
}

}  // namespace

bool out_of_china(LatLon p) {
  // NaN compares false everywhere: treat it as outside (passes through unchanged).
  return !(p.lon >= 72.004 && p.lon <= 137.8347 && p.lat >= 0.8293 && p.lat <= 55.8271);
}

LatLon from_wgs84(LatLon w) {
  if (out_of_china(w)) return w;
  double d_lat = offset_lat(w.lon - 105.0, w.lat - 35.0);
  double d_lon = offset_lon(w.lon - 105.0, w.lat - 35.0);
  const double rad_lat = w.lat / 180.0 * kPi;
  double magic = std::sin(rad_lat);
  magic = 1 - kEe * magic * magic;
  const double sqrt_magic = std::sqrt(magic);
  d_lat = (d_lat * 180.0) / ((kA * (1 - kEe)) / (magic * sqrt_magic) * kPi);
  d_lon = (d_lon * 180.0) / (kA / sqrt_magic * std::cos(rad_lat) * kPi);
  return {w.lat + d_lat, w.lon + d_lon};
}

LatLon to_wgs84(LatLon g) {
  // The offset varies slowly (its derivative is about 1e-5 per degree), so the fixed-point
  // iteration contracts fast. Near the edge of the box it may not converge; the caller
  // checks the result where exactness matters (the adapter carries the original then).
  LatLon w = g;
  for (int i = 0; i < 30; ++i) {
    LatLon f = from_wgs84(w);
    const double d_lat = f.lat - g.lat, d_lon = f.lon - g.lon;
    w.lat -= d_lat;
    w.lon -= d_lon;
    if (std::fabs(d_lat) < 1e-12 && std::fabs(d_lon) < 1e-12) break;
  }
  return w;
}

double haversine_m(LatLon a, LatLon b) {
  constexpr double kR = 6371008.8;
  const double rad = kPi / 180.0;
  const double d_lat = (b.lat - a.lat) * rad, d_lon = (b.lon - a.lon) * rad;
  const double h =
      std::sin(d_lat / 2) * std::sin(d_lat / 2) +
      std::cos(a.lat * rad) * std::cos(b.lat * rad) * std::sin(d_lon / 2) * std::sin(d_lon / 2);
  return 2 * kR * std::asin(std::sqrt(std::fmin(1.0, h)));
}

}  // namespace sixlink::gcj02
