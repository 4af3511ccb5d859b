-- mod_mucstream_multicast: XEP-0033 multicast for mucstream on Prosody 0.12.
--
-- A MUC running as an external component (XEP-0114) would otherwise hand Prosody one
-- complete stanza per occupant, which Prosody parses, checks and routes one by one. With
-- this module the component sends one stanza per distinct rendering, addressed to this
-- host, listing its recipients as bcc addresses:
--
--   <message from='room@rooms.example.org/nick' to='example.org' type='groupchat' id='…'>
--     <addresses xmlns='http://jabber.org/protocol/address'>
--       <address type='bcc' jid='alice@example.org/phone'/> …
--     </addresses> …payload…
--   </message>
--
-- and Prosody fans it out the way its own MUC does: the stanza is parsed once, the
-- <addresses/> element is removed once (bcc recipients must not learn each other), and the
-- same parsed stanza is routed once per recipient with only its 'to' changed. Unlike its own
-- MUC, each copy is written from one serialization of everything but 'to'. 'from', 'type',
-- 'id' and every other child reach each recipient unchanged. Each copy is routed with the
-- component's session as its origin, so a copy Prosody cannot deliver bounces to the
-- component exactly as a directly addressed stanza would (type='error', from = the
-- recipient).
--
-- Load it on the VirtualHost of the host domain:
--   plugin_paths = { "/path/to/mucstream/deploy/prosody" }
--   VirtualHost "example.org"
--     modules_enabled = { "mucstream_multicast" }
--     mucstream_multicast_senders = { "rooms.example.org" }  -- component domains allowed
--     mucstream_multicast_max_recipients = 1000              -- more: policy-violation
--
-- The recipients may also come as one text list, one JID per line, in place of the
-- <addresses/> element (the module lists this feature beside XEP-0033's to its senders, and
-- mucstream uses it when it sees both):
--
--   <recipients xmlns='urn:xmpp:mucstream:multicast:0'>alice@example.org/phone
--   bob@example.org/laptop</recipients>
--
-- It means exactly what the bcc addresses mean. Why: Prosody builds a Lua table for every
-- element it parses, and for a room of a hundred the hundred <address/> elements cost the
-- server about as much as the delivery itself; a text node is one element whatever its length.
--
-- Anyone else (clients, other components) gets <forbidden/> and nothing is delivered:
-- without that check any client could have the server copy one stanza to a thousand people
-- at the cost of sending it once.

local st = require "util.stanza";
local jid_prep = require "util.jid".prep;
-- Writes the copies of one stanza from one serialization (mucstream_multicast_serializer.lib.lua,
-- beside this file).
local serializer = module:require "mucstream_multicast_serializer";
serializer.install();
function module.unload()
	serializer.uninstall();
end

local full_sessions = prosody.full_sessions;
local bare_sessions = prosody.bare_sessions;
local hosts = prosody.hosts;

local xmlns_address = "http://jabber.org/protocol/address";
local xmlns_list = "urn:xmpp:mucstream:multicast:0";

local senders, max_recipients;
local function load_options()
	senders = module:get_option_set("mucstream_multicast_senders", {});
	max_recipients = module:get_option_number("mucstream_multicast_max_recipients", 1000);
	if senders:empty() then
		module:log("warn", "mucstream_multicast_senders is empty: every multicast stanza will be refused");
	end
end
load_options();
module:hook_global("config-reloaded", load_options);

-- The component discovers the service through this host's disco#info, and only a sender is
-- shown the two features: a remote server's XEP-0033 service (ejabberd's mod_multicast) asks
-- each destination server's disco#info whether to hand it the stanzas for that server's
-- users; told yes, it would send its own MUC's broadcasts here, be refused (not a sender)
-- and those users would get nothing. mod_disco answers everyone else from its cache, so a
-- sender's answer is built here from the same host items, with the two features added.
module:hook("iq-get/host/http://jabber.org/protocol/disco#info:query", function(event)
	local origin, stanza = event.origin, event.stanza;
	local node = stanza.tags[1].attr.node;
	if (node and node ~= "") or origin.type ~= "component" or not senders:contains(origin.host) then
		return; -- mod_disco's answer
	end
	local reply = st.reply(stanza):tag("query", { xmlns = "http://jabber.org/protocol/disco#info" });
	local done = {};
	for _, identity in ipairs(module:get_host_items("identity")) do
		local key = identity.category .. "/" .. identity.type;
		if not done[key] then
			reply:tag("identity", { category = identity.category, type = identity.type, name = identity.name }):up();
			done[key] = true;
		end
	end
	for _, feature in ipairs(module:get_host_items("feature")) do
		if not done[feature] then
			reply:tag("feature", { var = feature }):up();
			done[feature] = true;
		end
	end
	reply:tag("feature", { var = xmlns_address }):up();
	reply:tag("feature", { var = xmlns_list }):up();
	origin.send(reply);
	return true;
end, 10);

-- An error must never answer an error (two servers could bounce one forever).
local function refuse(origin, stanza, error_type, condition, text)
	if stanza.attr.type ~= "error" then
		origin.send(st.error_reply(stanza, error_type, condition, text));
	end
	return true;
end

-- The distinct JIDs of `jids` in order, or nil and the reason the stanza is refused: none, or
-- more than the cap. A JID listed twice is delivered to once.
local function distinct_within_cap(jids)
	local list, seen, n = {}, {}, 0;
	for i = 1, #jids do
		local jid = jids[i];
		if not seen[jid] then
			seen[jid] = true;
			n = n + 1;
			if n > max_recipients then
				return nil, "policy-violation", "At most "..max_recipients.." recipients per multicast stanza";
			end
			list[n] = jid;
		end
	end
	if n == 0 then
		return nil, "bad-request", "No recipients";
	end
	return list, n;
end

-- The JIDs of an <addresses/> element. Only bcc addresses with a JID: the other XEP-0033 types
-- would have to be shown to the recipients, which a MUC never wants.
local function bcc_jids(addresses)
	local jids = {};
	for address in addresses:childtags("address", xmlns_address) do
		local jid = address.attr.jid;
		if address.attr.type ~= "bcc" or not jid or address.attr.uri or address.attr.node then
			return nil, "bad-request", "Only <address type='bcc' jid='…'/> is accepted";
		end
		jids[#jids + 1] = jid;
	end
	return jids;
end

-- The JIDs of a recipient list: one per line (a JID holds no line break).
local function listed_jids(text)
	local jids = {};
	for jid in text:gmatch("[^\n]+") do
		jids[#jids + 1] = jid;
	end
	return jids;
end

local function handle_multicast(event)
	local origin, stanza = event.origin, event.stanza;
	local addresses = stanza:get_child("addresses", xmlns_address);
	local listed = not addresses and stanza:get_child("recipients", xmlns_list);
	if not addresses and not listed then
		return; -- an ordinary stanza to the host: not ours
	end
	-- origin.type is "component" for external components (mod_component's session, whose
	-- host is the component's domain) and for components Prosody runs itself.
	if origin.type ~= "component" or not senders:contains(origin.host) then
		module:log("debug", "Refused multicast from %s (%s)", stanza.attr.from, origin.type);
		return refuse(origin, stanza, "auth", "forbidden", "Multicast is only accepted from the configured components");
	end
	local jids, condition, text;
	if addresses then
		jids, condition, text = bcc_jids(addresses);
	else
		jids = listed_jids(listed:get_text() or ""); -- child elements in it: no recipients
	end
	if not jids then
		return refuse(origin, stanza, "modify", condition, text);
	end
	local recipients, n_or_condition;
	recipients, n_or_condition, text = distinct_within_cap(jids);
	if not recipients then
		return refuse(origin, stanza, "modify", n_or_condition, text);
	end

	-- Both forms go: neither may reach a recipient (bcc), whichever one was read.
	stanza:remove_children("addresses", xmlns_address);
	stanza:remove_children("recipients", xmlns_list);
	local host_to = stanza.attr.to;
	local replies = stanza.attr.type ~= "error";
	serializer.prepare(stanza);
	for i = 1, n_or_condition do
		local to = recipients[i];
		-- What core_process_stanza does for a directly addressed stanza: a JID Prosody
		-- already knows is used as it is, anything else is stringprep'd first.
		if not (full_sessions[to] or bare_sessions[to] or hosts[to]) then
			to = jid_prep(to);
		end
		if to then
			stanza.attr.to = to;
			module:send(stanza, origin);
		elseif replies then
			stanza.attr.to = recipients[i];
			origin.send(st.error_reply(stanza, "modify", "jid-malformed",
				"The destination address is invalid: "..recipients[i]));
		end
	end
	serializer.release(stanza);
	stanza.attr.to = host_to;
	return true;
end

-- Above mod_presence's presence/host handler and the default for message/host (which
-- answers service-unavailable).
module:hook("message/host", handle_multicast, 10);
module:hook("presence/host", handle_multicast, 10);
