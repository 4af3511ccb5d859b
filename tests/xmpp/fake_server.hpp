#pragma once
// A fake XEP-0114 server on loopback for RoomService tests: accepts the component,
// completes the handshake, sends stanzas and reads what the component writes.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "xmpp/room_service.hpp"

namespace mucstream::xmpp::testing {

using namespace std::chrono_literals;

class FakeServer {
 public:
  FakeServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(listen_fd_, 4) == 0);
  }
  ~FakeServer() {
    if (fd_ >= 0) ::close(fd_);
    ::close(listen_fd_);
  }
  int port() const { return port_; }
  // Where a RoomService under test connects: this server, as rooms.test with secret "s".
  ConnectionOptions connection() const {
    ConnectionOptions c;
    c.port = port_;
    c.domain = "rooms.test";
    c.secret = "s";
    return c;
  }

  void accept_and_handshake() {
    pollfd p{listen_fd_, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    fd_ = ::accept(listen_fd_, nullptr, nullptr);
    REQUIRE(fd_ >= 0);
    read_until("jabber:component:accept");
    send("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
         "xmlns:stream='http://etherx.jabber.org/streams' id='abc' from='rooms.test'>");
    read_until("</handshake>");
    send("<handshake/>");
  }
  // Closes the connection from the server's side (the component reconnects).
  void drop() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  // True when the component closed the connection within `ms` (what arrived before is kept).
  bool closed_within(int ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) != 1) continue;
      char b[4096];
      ssize_t n = ::read(fd_, b, sizeof b);
      if (n <= 0) return true;
      buf_.append(b, static_cast<std::size_t>(n));
    }
    return false;
  }
  // What arrived within `ms`, without waiting for anything in particular.
  std::string read_for(int ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) != 1) continue;
      char b[4096];
      ssize_t n = ::read(fd_, b, sizeof b);
      if (n <= 0) break;
      buf_.append(b, static_cast<std::size_t>(n));
    }
    std::string out;
    out.swap(buf_);
    return out;
  }
  void send(const std::string& s) { REQUIRE(::write(fd_, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  // Reads until `needle` is in what was received since the last call; returns it all.
  std::string read_until(const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (buf_.find(needle) == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "timed out waiting for " << needle << " in " << buf_);
      if (::poll(&p, 1, 100) != 1) continue;
      char b[4096];
      ssize_t n = ::read(fd_, b, sizeof b);
      REQUIRE_MESSAGE(n > 0, "connection closed before " << needle << "; got " << buf_);
      buf_.append(b, static_cast<std::size_t>(n));
    }
    std::string out;
    out.swap(buf_);
    return out;
  }

 private:
  int listen_fd_ = -1, fd_ = -1, port_ = 0;
  std::string buf_;
};

}  // namespace mucstream::xmpp::testing
