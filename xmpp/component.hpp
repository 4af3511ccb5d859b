#pragma once
// The XEP-0114 connection: a gloox::Component driven by the room loop (poll + recv(0)).
// Stanzas bypass gloox's typed handlers (which drop unregistered payloads and answer IQs on
// their own) and reach `on_stanza` as Tags; the handshake stays with gloox.
#include <gloox/component.h>
#include <gloox/connectionlistener.h>

#include <functional>
#include <string>

namespace mucstream::xmpp {

class ComponentConnection final : public gloox::Component, public gloox::ConnectionListener {
 public:
  using StanzaHandler = std::function<void(const gloox::Tag&)>;
  ComponentConnection(const std::string& host, int port, const std::string& domain, const std::string& secret,
                      StanzaHandler on_stanza);
  ~ComponentConnection() override;

  // Opens the TCP connection (blocking) and sends the stream header. False when refused.
  bool open();
  int fd() const;
  // Reads what is available without waiting. False once the connection is gone.
  bool read_available();
  // Sends pre-rendered bytes (one or many stanzas) as they are, blocking: only for the
  // handshake phase; while serving, the loop writes through its Outbound queue.
  void send_bytes(const std::string& bytes) { send(bytes); }
  // The loop's own write failed: the connection is gone.
  void fail_io() {
    dead_ = true;
    if (error_ == gloox::ConnNoError) error_ = gloox::ConnIoError;
  }
  void close();

  bool ready() const { return ready_; }  // the server accepted our handshake
  bool dead() const { return dead_; }
  gloox::ConnectionError error() const { return error_; }
  std::string describe_error() const;

  // gloox::ConnectionListener
  void onConnect() override { ready_ = true; }
  void onDisconnect(gloox::ConnectionError e) override {
    dead_ = true;
    error_ = e;
  }
  bool onTLSConnect(const gloox::CertInfo&) override { return true; }

  // gloox::TagHandler: stanzas go straight to the room loop, without the typed dispatch
  // (and without the Tag::xml() gloox's own path spends on debug logging per stanza).
  void handleTag(gloox::Tag* tag) override;

 private:
  StanzaHandler on_stanza_;
  bool ready_ = false;
  bool dead_ = false;
  gloox::ConnectionError error_ = gloox::ConnNoError;
  std::string stream_error_condition_;  // the <stream:error/> the server closed with
  std::string stream_error_text_;
};

}  // namespace mucstream::xmpp
