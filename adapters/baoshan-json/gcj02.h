// WGS-84 <-> GCJ-02: the coordinate conversion Baoshan's platform needs (its maps use
// GCJ-02; the canonical envelope uses WGS-84). The forward transform is the standard
// public formula (Krasovsky ellipsoid a = 6378245.0, ee = 0.00669342162296594323, points
// outside the mainland box pass through unchanged); the inverse has no closed form and is
// found by fixed-point iteration. Accuracy is documented in adapters/baoshan-json/README.md.
#pragma once

namespace sixlink::gcj02 {

struct LatLon {
  double lat = 0;
  double lon = 0;
};

// True for points where GCJ-02 equals WGS-84 (outside the mainland bounding box).
bool out_of_china(LatLon p);

LatLon from_wgs84(LatLon wgs);
// Iterates w <- w - (from_wgs84(w) - gcj) until a step is below 1e-12 degrees (at most 30
// steps; near Shanghai 3 or 4 suffice), so from_wgs84(to_wgs84(g)) == g within 1e-9 degrees.
LatLon to_wgs84(LatLon gcj);

// Great-circle distance in metres (haversine, mean Earth radius 6371008.8 m).
double haversine_m(LatLon a, LatLon b);

}  // namespace sixlink::gcj02
