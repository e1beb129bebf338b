#include "insole/core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace insole {
namespace {

TEST(Text, HtmlEscapeReplacesTheFourMarkupCharactersOnly) {
  EXPECT_EQ(html_escape(""), "");
  EXPECT_EQ(html_escape("plain text, 5 kPa"), "plain text, 5 kPa");
  EXPECT_EQ(html_escape("<a href=\"x\">A & B</a>"), "&lt;a href=&quot;x&quot;&gt;A &amp; B&lt;/a&gt;");
  EXPECT_EQ(html_escape("&amp;"), "&amp;amp;");  // escaped again, never interpreted
  EXPECT_EQ(html_escape("it's"), "it's");         // single quotes: attributes are double-quoted
  EXPECT_EQ(html_escape(std::string("a\0b", 3)), std::string("a\0b", 3));
  EXPECT_EQ(html_escape("\xc3\xa9"), "\xc3\xa9");  // UTF-8 passes through
}

TEST(Text, ToHexIsTwoLowerCaseDigitsPerByte) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex(std::string("\x00\x01\x0f\x10\x7f\x80\xab\xff", 8)), "00010f107f80abff");
  EXPECT_EQ(to_hex("insole"), "696e736f6c65");  // ASCII codes: i=0x69 n=0x6e s=0x73 o=0x6f l=0x6c e=0x65
}

}  // namespace
}  // namespace insole
