// is_valid_utf8 against the well-formed byte sequences of the Unicode Standard (version 15,
// section 3.9, table 3-7) and RFC 3629 section 3/10: shortest forms only, no surrogates, nothing
// above U+10FFFF. Each case is written out as bytes, not produced by an encoder.
#include "insole/core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace insole {
namespace {

TEST(Utf8, WellFormedSequencesOfTable3_7) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII 0123 ~\x7f"));
  EXPECT_TRUE(is_valid_utf8(std::string("\0", 1)));        // U+0000 is a character
  EXPECT_TRUE(is_valid_utf8("\xc2\x80"));                   // U+0080, first 2-byte
  EXPECT_TRUE(is_valid_utf8("N/cm\xc2\xb2"));               // U+00B2 superscript two
  EXPECT_TRUE(is_valid_utf8("\xdf\xbf"));                   // U+07FF, last 2-byte
  EXPECT_TRUE(is_valid_utf8("\xe0\xa0\x80"));               // U+0800, first 3-byte (E0 A0..BF)
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));               // U+D7FF, last before surrogates
  EXPECT_TRUE(is_valid_utf8("\xee\x80\x80"));               // U+E000, first after surrogates
  EXPECT_TRUE(is_valid_utf8("\xef\xbf\xbf"));               // U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xf0\x90\x80\x80"));           // U+10000, first 4-byte (F0 90..BF)
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x91\xa3"));           // U+1F463 footprints
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));           // U+10FFFF, the last code point
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac"));  // "été €"
}

TEST(Utf8, IllFormedSequences) {
  EXPECT_FALSE(is_valid_utf8("\x80"));                      // continuation without a lead
  EXPECT_FALSE(is_valid_utf8("a\xbf" "b"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                  // overlong '/' (C0, C1 never occur)
  EXPECT_FALSE(is_valid_utf8("\xc1\xbf"));
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));              // overlong 3-byte '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x9f\xbf"));              // overlong U+07FF
  EXPECT_FALSE(is_valid_utf8("\xf0\x8f\xbf\xbf"));          // overlong U+FFFF
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));              // U+D800, a surrogate
  EXPECT_FALSE(is_valid_utf8("\xed\xbf\xbf"));              // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));          // U+110000, above the range
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));          // F5..FF never occur
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xfe\xfe\xff\xff"));          // a UTF-16 BOM is not UTF-8
  EXPECT_FALSE(is_valid_utf8("caf\xc3"));                   // truncated at the end
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xf0\x9f\x91"));
  EXPECT_FALSE(is_valid_utf8("\xc3(x"));                    // lead followed by ASCII
  EXPECT_FALSE(is_valid_utf8("\xe2\x28\xa1"));
  EXPECT_FALSE(is_valid_utf8("N/cm\xb2"));                  // ISO-8859-1 superscript two
}

}  // namespace
}  // namespace insole
