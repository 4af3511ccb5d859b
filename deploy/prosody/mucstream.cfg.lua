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

-- Where Prosody finds mod_mucstream_multicast.lua and mucstream_multicast_serializer.lib.lua:
-- this directory (deploy/prosody) of a mucstream checkout, or any directory you copied both
-- files into, readable by the prosody user. Keep the entries plugin_paths already has.
plugin_paths = { "/opt/mucstream/deploy/prosody" }

-- Multicast (XEP-0033) for the component, loaded on the VirtualHost whose name is the MUC
-- domain minus its first label (rooms.example.org -> example.org): that is where mucstream
-- looks for it at every connect. With it, mucstream sends one stanza per message with its
-- recipients as bcc addresses and Prosody copies it to each occupant inside the process, the
-- way its own MUC does, instead of parsing one stanza per occupant. Without it mucstream
-- sends one stanza per recipient, as before: leaving the module out is always safe.
VirtualHost "example.org"
  -- modules_enabled here adds to the global list
  modules_enabled = { "mucstream_multicast" }
  -- Only these component domains may multicast; anyone else (a client, another component)
  -- gets <forbidden/> and nothing is delivered.
  mucstream_multicast_senders = { "rooms.example.org" }
  -- Most recipients one multicast stanza may list (more: <policy-violation/>, nothing
  -- delivered). mucstream's xmpp.multicast_max_recipients (default 100) must not be larger.
  mucstream_multicast_max_recipients = 1000
  -- Optional: let clients find the service through your domain's disco#items.
  -- disco_items = { { "rooms.example.org", "Chat rooms" } }

-- The MUC domain mucstream owns. Clients join room@rooms.example.org/nick.
Component "rooms.example.org"
  component_secret = "change-me-long-random-secret"

-- Several MUC domains (one per tenant) served by the same mucstreamd
-- (--domain rooms.example.org,rooms.globex.example): one Component entry each, all with the
-- same secret (xmpp.secret is shared), and each domain in mucstream_multicast_senders above.
-- Component "rooms.globex.example"
--   component_secret = "change-me-long-random-secret"
