#include <doctest/doctest.h>

#include "analytics/message_body.hpp"

using mucstream::analytics::body_text;

TEST_CASE("message body: the text of <body>, entities decoded, none when there is no body") {
  CHECK(body_text("<body>hello</body>") == std::optional<std::string>("hello"));
  CHECK(body_text("<active xmlns='http://jabber.org/protocol/chatstates'/><body xml:lang='en'>a &lt;b&gt; &amp; &quot;c&quot; &#233;&#x1F600;</body>") ==
        std::optional<std::string>("a <b> & \"c\" \xC3\xA9\xF0\x9F\x98\x80"));
  CHECK(body_text("<bodyguard>x</bodyguard><body>real</body>") == std::optional<std::string>("real"));
  CHECK(body_text("<body/>") == std::optional<std::string>(""));
  CHECK(body_text("<encrypted xmlns='eu.siacs.conversations.axolotl'/>") == std::nullopt);
  CHECK(body_text("<body>unterminated") == std::nullopt);
  CHECK(body_text("<body>a & b &bogus; &#xZZ;</body>") == std::optional<std::string>("a & b &bogus; &#xZZ;"));
}
