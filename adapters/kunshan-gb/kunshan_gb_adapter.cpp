// The kunshan-gb edge: media type and charset, GBK <-> UTF-8, hardened parse, and the
// choice between the <alert> and <message> documents.
#include "adapters/kunshan-gb/kunshan_gb_adapter.h"

#include "adapters/kunshan-gb/codec.h"
#include "adapters/kunshan-gb/gbk.h"
#include "adapters/media_type.h"

namespace sixlink {

namespace {

ApiError unsupported(std::string message) {
  return ApiError{415, "unsupported_media_type", std::move(message), {}, {}, 0};
}

ApiError invalid_xml(std::string message) {
  return ApiError{400, "invalid_xml", std::move(message), {}, {}, 0};
}

// The iconv codec for the document: the media type's charset, else the declaration's
// (RFC 7303: the charset parameter wins). Both, when given, must be of the GBK family.
Result<std::string> document_codec(const MediaType& mt, std::string_view body) {
  if (mt.type != "application/xml" && mt.type != "text/xml")
    return unsupported("kunshan-gb accepts application/xml; charset=GBK (or GB2312, GB18030)");
  std::string from_header = kunshan_gb::gbk_family_codec(mt.charset);
  if (!mt.charset.empty() && from_header.empty())
    return unsupported("kunshan-gb accepts the charsets GBK, GB2312 and GB18030, not '" +
                       mt.charset + "'");
  std::string declared = xml::declared_encoding(body);
  std::string from_declaration = kunshan_gb::gbk_family_codec(declared);
  if (!declared.empty() && from_declaration.empty())
    return invalid_xml("the XML declaration names encoding '" + declared +
                       "'; Kunshan documents are GBK (or GB2312, GB18030)");
  if (!from_header.empty()) return from_header;
  if (!from_declaration.empty()) return from_declaration;
  return invalid_xml("no charset: send charset=GBK or declare encoding=\"GBK\"");
}

}  // namespace

Result<Envelope> KunshanGbAdapter::decode(const DecodeInput& in) const {
  auto codec = document_codec(parse_media_type(in.content_type), in.body);
  if (!codec) return codec.error();
  if (in.body.size() > kMaxDocumentBytes)
    return invalid_xml("document larger than " + std::to_string(kMaxDocumentBytes) + " bytes");
  auto utf8 = xml::to_utf8_document(in.body, codec.value());
  if (!utf8) return utf8.error();
  if (auto bad = kunshan_gb::forbidden_character(utf8.value()))
    return invalid_xml("not an XML 1.0 character: " + *bad);
  auto doc = xml::parse(utf8.value(), kParseLimits);
  if (!doc) return doc.error();
  pugi::xml_node root = doc.value()->document_element();
  kunshan_gb::DecodeContext context{in.member_id, in.recipients_header};
  std::string_view name = root.name();
  if (name == "alert") return kunshan_gb::decode_alert(root, context);
  if (name == "message") return kunshan_gb::decode_message(root, context);
  return invalid_xml("the root element is <alert> (early warning) or <message>, not <" +
                     std::string(name) + ">");
}

NativeDocument KunshanGbAdapter::encode(const Envelope& envelope) const {
  std::string utf8 = envelope.kind == "alert" ? kunshan_gb::encode_alert(envelope)
                                              : kunshan_gb::encode_message(envelope);
  return {std::string(kContentType), kunshan_gb::utf8_xml_to_gbk(utf8)};
}

}  // namespace sixlink
