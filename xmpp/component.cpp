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
  gloox::Component::handleTag(tag);  // stream header, handshake, stream errors
}

std::string ComponentConnection::describe_error() const {
  switch (error_) {
    case gloox::ConnNoError: return "no error";
    case gloox::ConnStreamError: return "stream error (wrong secret or domain?)";
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
