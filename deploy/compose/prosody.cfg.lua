-- Prosody for deploy/compose.yaml: clients on 5222 (no TLS: local trial only), the
-- mucstream component on 5347 for the other containers.
admins = { }
modules_enabled = { "roster", "saslauth", "disco", "ping", "posix" }
modules_disabled = { "s2s" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_hashed"
log = { { levels = { min = "info" }, to = "console" } }
daemonize = false
pidfile = "/var/run/prosody/prosody.pid"
component_ports = { 5347 }
component_interfaces = { "*" }

VirtualHost "localhost"

Component "rooms.localhost"
  component_secret = "compose-component-secret"
