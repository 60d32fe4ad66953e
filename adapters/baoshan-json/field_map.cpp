// The mapping engine (see field_map.h): canonical object <-> Baoshan object by a table,
// with "ext" carrying what Baoshan cannot hold and the exact form of what it holds only
// approximately.
#include "adapters/baoshan-json/field_map.h"

#include <boost/json.hpp>
#include <cmath>

#include "adapters/baoshan-json/gcj02.h"
#include "gateway/core/json_text.h"

namespace sixlink::baoshan {

namespace {

ApiError bad(const Where& w, const std::string& why) {
  return invalid_field(w.canonical,
                       "Baoshan field " + w.native + " (canonical " + w.canonical + ") " + why);
}

// A member of the object at `w` that has no canonical counterpart of its own.
ApiError bad_member(const Where& w, std::string_view name, const std::string& why) {
  std::string object = w.canonical.empty() ? std::string("envelope") : w.canonical;
  return invalid_field(w.canonical, "Baoshan field " + w.member("", name).native + " " + why +
                                        " (in canonical " + object + ")");
}

// A canonical coordinate Baoshan can hold: a finite number within its range.
std::optional<double> coordinate(const boost::json::value* v, double limit) {
  if (!v || !v->is_number()) return std::nullopt;
  double d = v->to_number<double>();
  if (!std::isfinite(d) || std::fabs(d) > limit) return std::nullopt;
  return d;
}

// WGS-84 lat/lon -> GCJ-02 lat/lng; a coordinate that would not come back exactly (more
// than 7 decimals, an integer, the edge of the conversion box) also travels in ext.
void encode_point(const boost::json::object& c, boost::json::object& n, boost::json::object& ext) {
  const boost::json::value* lat = c.if_contains("lat");
  const boost::json::value* lon = c.if_contains("lon");
  auto wlat = coordinate(lat, 90), wlon = coordinate(lon, 180);
  if (!wlat || !wlon) {  // not a point Baoshan can hold: both travel as they are
    if (lat) ext["lat"] = *lat;
    if (lon) ext["lon"] = *lon;
    return;
  }
  gcj02::LatLon g = gcj02::from_wgs84({*wlat, *wlon});
  g = {round_gcj(g.lat), round_gcj(g.lon)};
  n["lat"] = g.lat;
  n["lng"] = g.lon;
  gcj02::LatLon back = gcj02::to_wgs84(g);
  if (!same_json(boost::json::value(round_wgs(back.lat)), *lat)) ext["lat"] = *lat;
  if (!same_json(boost::json::value(round_wgs(back.lon)), *lon)) ext["lon"] = *lon;
}

std::optional<ApiError> decode_point(const boost::json::object& n, const boost::json::object* ext,
                                     const Where& where, boost::json::object& out) {
  const boost::json::value* lat = n.if_contains("lat");
  const boost::json::value* lng = n.if_contains("lng");
  if (!lat && !lng) return std::nullopt;
  auto glat = coordinate(lat, 90), glng = coordinate(lng, 180);
  if (!glat)
    return bad(where.member("lat", "lat"), "must be a GCJ-02 latitude (-90..90), given with lng");
  if (!glng)
    return bad(where.member("lon", "lng"),
               "must be a GCJ-02 longitude (-180..180), given with lat");
  gcj02::LatLon w = gcj02::to_wgs84({*glat, *glng});
  boost::json::value clat = round_wgs(w.lat), clon = round_wgs(w.lon);
  const boost::json::value* xlat = ext ? ext->if_contains("lat") : nullptr;
  const boost::json::value* xlon = ext ? ext->if_contains("lon") : nullptr;
  if (xlat || xlon) {  // the exact WGS-84 values must be the ones lat/lng were computed from
    if (xlat) clat = *xlat;
    if (xlon) clon = *xlon;
    auto elat = coordinate(&clat, 90), elon = coordinate(&clon, 180);
    gcj02::LatLon g = elat && elon ? gcj02::from_wgs84({*elat, *elon}) : gcj02::LatLon{NAN, NAN};
    // Compared at the 9 decimals encode writes: Boost.JSON 1.81 may parse a double 1 ulp off.
    if (!(round_gcj(g.lat) == round_gcj(*glat) && round_gcj(g.lon) == round_gcj(*glng)))
      return bad(where.member(xlat ? "lat" : "lon", xlat ? "ext.lat" : "ext.lon"),
                 "contradicts lat/lng (it must convert to them)");
  }
  out["lat"] = clat;
  out["lon"] = clon;
  return std::nullopt;
}

void encode_member(const Field& f, const boost::json::value& v, boost::json::object& n,
                   boost::json::object& ext) {
  const boost::json::string_view key = f.canonical;
  if (f.leaf) {
    auto native = f.leaf->to_native(v);
    boost::json::value back;
    std::string why;
    if (!native || !f.leaf->to_canonical(*native, back, why)) {
      ext[key] = v;
      return;
    }
    n[f.native] = std::move(*native);
    if (!same_json(back, v)) ext[key] = v;  // Baoshan holds it approximately: keep it exact
  } else if (f.object) {
    if (!v.is_object()) {
      ext[key] = v;
      return;
    }
    n[f.native] = encode_object(v.get_object(), *f.object);
  } else {
    bool all_objects = v.is_array();
    if (all_objects)
      for (const auto& e : v.get_array()) all_objects = all_objects && e.is_object();
    if (!all_objects) {
      ext[key] = v;
      return;
    }
    boost::json::array a;
    for (const auto& e : v.get_array()) a.push_back(encode_object(e.get_object(), *f.objects));
    n[f.native] = std::move(a);
  }
}

std::optional<ApiError> decode_member(const Field& f, const boost::json::value& v,
                                      const boost::json::value* exact, const Where& w,
                                      boost::json::object& out) {
  if (f.leaf) {
    if (exact) {  // ext refines the field: it must convert to the very value Baoshan holds
      auto native = f.leaf->to_native(*exact);
      if (!native || !same_json(*native, v))
        return bad(w, "disagrees with ext." + std::string(f.canonical));
      out[f.canonical] = *exact;
      return std::nullopt;
    }
    boost::json::value c;
    std::string why;
    if (!f.leaf->to_canonical(v, c, why)) return bad(w, why);
    out[f.canonical] = std::move(c);
    return std::nullopt;
  }
  if (exact) return bad(w, "is also given as ext." + std::string(f.canonical));
  if (f.object) {
    if (!v.is_object()) return bad(w, "must be an object");
    boost::json::object sub;
    if (auto err = decode_object(v.get_object(), *f.object, w, sub)) return err;
    out[f.canonical] = std::move(sub);
    return std::nullopt;
  }
  if (!v.is_array()) return bad(w, "must be an array of objects");
  boost::json::array a;
  for (std::size_t i = 0; i < v.get_array().size(); ++i) {
    const auto& e = v.get_array()[i];
    if (!e.is_object()) return bad(w.element(i), "must be an object");
    boost::json::object sub;
    if (auto err = decode_object(e.get_object(), *f.objects, w.element(i), sub)) return err;
    a.push_back(std::move(sub));
  }
  out[f.canonical] = std::move(a);
  return std::nullopt;
}

}  // namespace

const Field* Table::by_canonical(std::string_view name) const {
  for (const auto& f : fields)
    if (f.canonical == name) return &f;
  return nullptr;
}

const Field* Table::by_native(std::string_view name) const {
  for (const auto& f : fields)
    if (f.native == name) return &f;
  return nullptr;
}

Where Where::member(std::string_view canonical_name, std::string_view native_name) const {
  auto join = [](const std::string& base, std::string_view name) {
    if (name.empty()) return base;  // the object itself
    return base.empty() ? std::string(name) : base + "." + std::string(name);
  };
  return {join(canonical, canonical_name), join(native, native_name)};
}

Where Where::element(std::size_t i) const {
  std::string index = "[" + std::to_string(i) + "]";
  return {canonical + index, native + index};
}

bool same_json(const boost::json::value& a, const boost::json::value& b) {
  return canonical_json_text(a) == canonical_json_text(b);
}

boost::json::object encode_object(const boost::json::object& c, const Table& table,
                                  boost::json::object& ext) {
  boost::json::object n;
  if (table.point) encode_point(c, n, ext);
  for (const auto& kv : c) {
    if (table.point && (kv.key() == "lat" || kv.key() == "lon")) continue;
    const Field* f = table.by_canonical(kv.key());
    if (!f) {
      ext[kv.key()] = kv.value();  // Baoshan has no field for it
      continue;
    }
    if (f->leaf || f->object || f->objects) encode_member(*f, kv.value(), n, ext);
  }
  return n;
}

boost::json::object encode_object(const boost::json::object& c, const Table& table) {
  boost::json::object ext;
  boost::json::object n = encode_object(c, table, ext);
  if (!ext.empty()) n["ext"] = std::move(ext);
  return n;
}

std::optional<ApiError> decode_object(const boost::json::object& n, const Table& table,
                                      const Where& where, boost::json::object& out) {
  const boost::json::object* ext = nullptr;
  if (const auto* x = n.if_contains("ext")) {
    if (!x->is_object()) return bad_member(where, "ext", "must be an object");
    ext = &x->get_object();
  }
  for (const auto& kv : n) {
    if (kv.key() == "ext" || (table.point && (kv.key() == "lat" || kv.key() == "lng"))) continue;
    if (!table.by_native(kv.key()))
      return bad_member(where, kv.key(),
                        "is not part of Baoshan's dialect (what it cannot name goes in ext)");
  }
  if (table.point)
    if (auto err = decode_point(n, ext, where, out)) return err;
  for (const auto& f : table.fields) {
    const boost::json::value* exact = ext ? ext->if_contains(f.canonical) : nullptr;
    if (!f.leaf && !f.object && !f.objects) {  // mapped by the caller
      if (exact)
        return bad(where.member(f.canonical, "ext." + std::string(f.canonical)),
                   "is not allowed: it travels in " + std::string(f.native));
      continue;
    }
    const boost::json::value* v = n.if_contains(f.native);
    if (!v) continue;
    if (auto err = decode_member(f, *v, exact, where.member(f.canonical, f.native), out))
      return err;
  }
  if (ext)
    for (const auto& kv : *ext)
      if (!out.contains(kv.key())) out[kv.key()] = kv.value();
  return std::nullopt;
}

}  // namespace sixlink::baoshan
