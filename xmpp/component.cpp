#include "xmpp/component.hpp"

#include <gloox/connectiontcpclient.h>
#include <gloox/tag.h>

namespace mucstream::xmpp {

ComponentConnection::ComponentConnection(const std::string& host, int port, const std::string& domain,
                                         const std::string& secret, StanzaHandler on_stanza)
    : gloox::Component(gloox::XMLNS_COMPONENT_ACCEPT, host, domain, secret, port), on_stanza_(std::move(on_stanza)) {
  registerConnectionListener(this);
  // XEP-0114 has no TLS. Without this gloox sets up a GnuTLS client (loading the system CA
  // store) for every connection and never frees its credentials.
  setTls(gloox::TLSDisabled);
  setCompression(false);
}

ComponentConnection::~ComponentConnection() { removeConnectionListener(this); }

bool ComponentConnection::open() { return connect(false); }

int ComponentConnection::fd() const {
  auto* c = dynamic_cast<gloox::ConnectionTCPClient*>(connectionImpl());
  return c ? c->socket() : -1;
}

bool ComponentConnection::read_available() {
  if (dead_) return false;
  gloox::ConnectionError e = recv(0);  // microseconds: do not wait
  if (e != gloox::ConnNoError) {
    dead_ = true;
    if (error_ == gloox::ConnNoError) error_ = e;
  }
  return !dead_;
}

void ComponentConnection::close() {
  if (!dead_) disconnect();
  dead_ = true;
}

void ComponentConnection::handleTag(gloox::Tag* tag) {
  if (tag != nullptr && tag->prefix().empty() &&
      (tag->name() == "message" || tag->name() == "presence" || tag->name() == "iq")) {
    on_stanza_(*tag);  // the parser frees the tag afterwards
    return;
  }
  if (tag != nullptr && tag->name() == "error" && tag->prefix() == "stream") {
    // Kept as the server wrote it: gloox knows RFC 3920's names only (Prosody closes an
    // oversized stream with RFC 6120's not-well-formed, which gloox reports as undefined).
    for (const gloox::Tag* c : tag->children()) {
      if (c->name() == "text") stream_error_text_ = c->cdata();
      else if (stream_error_condition_.empty()) stream_error_condition_ = c->name();
    }
  }
  gloox::Component::handleTag(tag);  // stream header, handshake, stream errors
}

namespace {

// RFC 6120 section 4.9.3 names, in gloox's StreamError order.
const char* stream_error_name(gloox::StreamError e) {
  switch (e) {
    case gloox::StreamErrorBadFormat: return "bad-format";
    case gloox::StreamErrorBadNamespacePrefix: return "bad-namespace-prefix";
    case gloox::StreamErrorConflict: return "conflict";
    case gloox::StreamErrorConnectionTimeout: return "connection-timeout";
    case gloox::StreamErrorHostGone: return "host-gone";
    case gloox::StreamErrorHostUnknown: return "host-unknown";
    case gloox::StreamErrorImproperAddressing: return "improper-addressing";
    case gloox::StreamErrorInternalServerError: return "internal-server-error";
    case gloox::StreamErrorInvalidFrom: return "invalid-from";
    case gloox::StreamErrorInvalidId: return "invalid-id";
    case gloox::StreamErrorInvalidNamespace: return "invalid-namespace";
    case gloox::StreamErrorInvalidXml: return "invalid-xml";
    case gloox::StreamErrorNotAuthorized: return "not-authorized";
    case gloox::StreamErrorPolicyViolation: return "policy-violation";
    case gloox::StreamErrorRemoteConnectionFailed: return "remote-connection-failed";
    case gloox::StreamErrorResourceConstraint: return "resource-constraint";
    case gloox::StreamErrorRestrictedXml: return "restricted-xml";
    case gloox::StreamErrorSeeOtherHost: return "see-other-host";
    case gloox::StreamErrorSystemShutdown: return "system-shutdown";
    case gloox::StreamErrorUndefinedCondition: return "undefined-condition";
    case gloox::StreamErrorUnsupportedEncoding: return "unsupported-encoding";
    case gloox::StreamErrorUnsupportedStanzaType: return "unsupported-stanza-type";
    case gloox::StreamErrorUnsupportedVersion: return "unsupported-version";
    case gloox::StreamErrorXmlNotWellFormed: return "xml-not-well-formed";
    default: return "unknown condition";
  }
}

}  // namespace

std::string ComponentConnection::describe_error() const {
  switch (error_) {
    case gloox::ConnNoError: return "no error";
    case gloox::ConnStreamError: {
      // The server's own words: a size limit, a conflict with another component, a bad
      // secret (not-authorized) or an unknown domain (host-unknown) each name themselves.
      std::string s = "stream error from the server: " +
                      (stream_error_condition_.empty() ? std::string(stream_error_name(streamError())) : stream_error_condition_);
      const std::string& text = stream_error_text_.empty() ? streamErrorText() : stream_error_text_;
      if (!text.empty()) s += " (" + text + ")";
      return s;
    }
    case gloox::ConnStreamVersionError: return "stream version error";
    case gloox::ConnStreamClosed: return "stream closed by the server";
    case gloox::ConnIoError: return "I/O error";
    case gloox::ConnParseError: return "XML parse error";
    case gloox::ConnConnectionRefused: return "connection refused";
    case gloox::ConnDnsError: return "DNS error";
    case gloox::ConnOutOfMemory: return "out of memory";
    case gloox::ConnAuthenticationFailed: return "handshake rejected (wrong secret?)";
    case gloox::ConnUserDisconnected: return "closed by us";
    default: return "connection error " + std::to_string(static_cast<int>(error_));
  }
}

}  // namespace mucstream::xmpp
