#include "core/nick_skeleton.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

namespace mucstream::core {
namespace {

// One checker for the process: built once, then only read (ICU allows concurrent use of a
// checker whose configuration no longer changes).
const USpoofChecker* checker() {
  static const USpoofChecker* const sc = [] {
    UErrorCode st = U_ZERO_ERROR;
    USpoofChecker* c = uspoof_open(&st);
    return U_SUCCESS(st) ? c : nullptr;
  }();
  return sc;
}

bool is_space(UChar32 c) { return c == 0x20 || u_charType(c) == U_SPACE_SEPARATOR || u_isUWhiteSpace(c); }

// RFC 8266 §2.2 rules 1-2: every space becomes U+0020, then leading and trailing ones go
// and inner runs become one.
icu::UnicodeString map_spaces(const icu::UnicodeString& in) {
  icu::UnicodeString out;
  bool pending_space = false;
  for (int32_t i = 0; i < in.length(); i = in.moveIndex32(i, 1)) {
    const UChar32 c = in.char32At(i);
    if (is_space(c)) {
      pending_space = !out.isEmpty();
      continue;
    }
    if (pending_space) out.append(static_cast<UChar>(0x20));
    pending_space = false;
    out.append(c);
  }
  return out;
}

// Nonspacing marks carry accents; without them "álice" and "alice" compare equal.
icu::UnicodeString drop_marks(const icu::UnicodeString& in) {
  icu::UnicodeString out;
  for (int32_t i = 0; i < in.length(); i = in.moveIndex32(i, 1)) {
    const UChar32 c = in.char32At(i);
    if (u_charType(c) != U_NON_SPACING_MARK && u_charType(c) != U_ENCLOSING_MARK) out.append(c);
  }
  return out;
}

}  // namespace

std::string nick_skeleton(std::string_view nick) {
  UErrorCode st = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(st);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(st);
  const USpoofChecker* sc = checker();
  if (U_FAILURE(st) || sc == nullptr) return std::string(nick);
  icu::UnicodeString s = map_spaces(icu::UnicodeString::fromUTF8(icu::StringPiece(nick.data(), static_cast<int32_t>(nick.size()))));
  s.foldCase();
  s = nfkc->normalize(s, st);
  icu::UnicodeString skel;
  uspoof_getSkeletonUnicodeString(sc, 0, s, skel, &st);
  if (U_FAILURE(st)) return std::string(nick);
  skel = drop_marks(nfd->normalize(skel, st));
  skel.foldCase();
  if (U_FAILURE(st)) return std::string(nick);
  std::string out;
  skel.toUTF8String(out);
  return out;
}

}  // namespace mucstream::core
