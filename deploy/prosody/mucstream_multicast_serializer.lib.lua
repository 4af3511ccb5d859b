-- What mod_mucstream_multicast uses to write one multicast stanza's copies: everything but
-- 'to' serialized once, not once per recipient.
--
-- Prosody writes a stanza by walking it in Lua and escaping every attribute value and text
-- node with a pattern substitution, character by character: for a groupchat message that is
-- about half of what one delivered copy costs the server (callgrind, docs/benchmarks.md).
-- The module routes the same parsed stanza to each recipient with only 'to' changed, so the
-- rest of the text is the same for every copy. prepare(stanza) serializes it once, split
-- around 'to'; util.stanza's __tostring then answers for that stanza with the two halves and
-- the escaped 'to', and for every other stanza exactly as before. The same for top_tag(),
-- which Prosody's session.send writes for its debug log on every send, logged or not.
--
-- A copy is written from the halves only while the stanza is as it was prepared: the same
-- attribute names with the same values (besides 'to'), the same children, the same child
-- objects. Anything a filter or handler changed on the way (mod_websocket's xmlns, say)
-- sends that write back to util.stanza's own serializer. Children are compared by identity,
-- not content: a handler that edits a child in place would also change what every later
-- recipient gets from Prosody's own MUC, which routes one stanza object the same way.
local st = require "util.stanza";

local stanza_mt = st.stanza_mt;
local xml_escape = st.xml_escape;
local s_find = string.find;

local serializer = {};

local prepared = setmetatable({}, { __mode = "k" }); -- stanza -> what it was and its halves
-- The __tostring found at install: util.stanza's, or another host's copy of this library
-- (the module loads once per host it is enabled on, each with its own copy).
local below_tostring, below_top_tag;
local installed = false;

-- A marker for 'to' while the halves are cut: no XML escape touches it, and it cannot be in
-- the stanza's text (a NUL is not allowed in XML).
local marker = "\0mucstream-to\0";

local function same_as_prepared(stanza, p)
	if #stanza ~= p.n then return false; end
	for i = 1, p.n do
		if stanza[i] ~= p.children[i] then return false; end
	end
	local attr, count = stanza.attr, 0;
	for k, v in pairs(attr) do
		if k ~= "to" and p.attr[k] ~= v then return false; end
		count = count + 1;
	end
	return count == p.attr_count and attr.to ~= nil;
end

-- xml_escape scans with a pattern, a few hundred instructions a character; a JID seldom has
-- anything to escape, and five plain searches (memchr) say so for a fraction of that.
local function escape(text)
	if s_find(text, "'", 1, true) or s_find(text, "&", 1, true) or s_find(text, "<", 1, true)
		or s_find(text, ">", 1, true) or s_find(text, "\"", 1, true) then
		return xml_escape(text);
	end
	return text;
end

-- The text of `stanza` from its prepared halves (`which`: "whole", or "top" for its top tag),
-- or nil when it was not prepared or has changed since.
local function from_halves(stanza, which)
	local p = prepared[stanza];
	if p and same_as_prepared(stanza, p) then
		local halves = p[which];
		return halves[1] .. escape(stanza.attr.to) .. halves[2];
	end
end

local function tostring_prepared(stanza)
	return from_halves(stanza, "whole") or below_tostring(stanza);
end

local function top_tag_prepared(stanza)
	return from_halves(stanza, "top") or below_top_tag(stanza);
end

-- Makes util.stanza's __tostring look for prepared stanzas. Idempotent.
function serializer.install()
	if installed then return; end
	if not below_tostring then
		below_tostring, below_top_tag = stanza_mt.__tostring, stanza_mt.top_tag;
		stanza_mt.__tostring, stanza_mt.top_tag = tostring_prepared, top_tag_prepared;
	end
	installed = true;
end

-- The module's unload: puts back the __tostring found at install when this one is still on
-- top. Under another host's copy it stays in the chain, passing every stanza down.
function serializer.uninstall()
	installed = false;
	if below_tostring and stanza_mt.__tostring == tostring_prepared and stanza_mt.top_tag == top_tag_prepared then
		stanza_mt.__tostring, stanza_mt.top_tag = below_tostring, below_top_tag;
		below_tostring, below_top_tag = nil, nil;
	end
end

-- Serializes `stanza` once with util.stanza's writer, cut around 'to', for its copies to
-- come. Returns false (and prepares nothing) for a stanza without 'to' or whose text holds the
-- marker.
function serializer.prepare(stanza)
	if not installed then return false; end
	local to = stanza.attr.to;
	if to == nil then return false; end
	stanza.attr.to = marker;
	local whole, top = below_tostring(stanza), below_top_tag(stanza);
	stanza.attr.to = to;
	local at, top_at = s_find(whole, marker, 1, true), s_find(top, marker, 1, true);
	if not at or s_find(whole, marker, at + #marker, true) or not top_at then return false; end
	local p = { n = #stanza, children = {}, attr = {}, attr_count = 0 };
	for i = 1, p.n do p.children[i] = stanza[i]; end
	for k, v in pairs(stanza.attr) do
		p.attr[k] = v;
		p.attr_count = p.attr_count + 1;
	end
	p.whole = { whole:sub(1, at - 1), whole:sub(at + #marker) };
	p.top = { top:sub(1, top_at - 1), top:sub(top_at + #marker) };
	prepared[stanza] = p;
	return true;
end

-- Forgets `stanza` (after its last copy): later writes of it go through util.stanza's own.
function serializer.release(stanza)
	prepared[stanza] = nil;
end

return serializer;
