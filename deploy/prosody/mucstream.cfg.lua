-- Prosody (0.12): host mucstream as the MUC service of your domain.
-- Add to /etc/prosody/prosody.cfg.lua (global section for the ports, then the Component).
-- Start mucstream with the units in deploy/systemd (docs/operations.md), or by hand:
--   mucstreamd component --xmpp-host 127.0.0.1 --xmpp-port 5347 \
--     --domain rooms.example.org --secret "$MUCSTREAM_XMPP_SECRET" --kafka-brokers B
-- (events to the Kafka cluster B, materialised by `mucstreamd materialize`), or
-- `mucstreamd all --pg CONN …` alone (PostgreSQL as the commit point);
-- or MUCSTREAM_XMPP_HOST / _PORT / _DOMAIN / _SECRET in its environment.

-- Global section: the XEP-0114 component port, on loopback only.
component_ports = { 5347 }
component_interfaces = { "127.0.0.1" }

-- The MUC domain mucstream owns. Clients join room@rooms.example.org/nick.
Component "rooms.example.org"
  component_secret = "change-me-long-random-secret"

-- Optional: let clients find the service through your domain's disco#items.
-- VirtualHost "example.org"
--   disco_items = { { "rooms.example.org", "Chat rooms" } }
