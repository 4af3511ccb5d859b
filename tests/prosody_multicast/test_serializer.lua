-- deploy/prosody/mucstream_multicast_serializer.lib.lua against Prosody's own util.stanza
-- (Debian's prosody package): every copy written from the one serialization is byte for byte
-- what util.stanza writes for it, whatever 'to' holds, and so is its top_tag(); a stanza changed after it was prepared
-- is written by util.stanza; unloading puts util.stanza's writer back.
--
--   lua5.4 test_serializer.lua DEPLOY_PROSODY_DIR
package.path = "/usr/lib/prosody/?.lua;" .. package.path
package.cpath = "/usr/lib/prosody/?.so;" .. package.cpath
local st = require "util.stanza";
local dir = assert(arg[1], "usage: lua5.4 test_serializer.lua DEPLOY_PROSODY_DIR");
local function load_serializer()
	return dofile(dir .. "/mucstream_multicast_serializer.lib.lua");
end

local failures = 0;
local function check(ok, what, got, want)
	if not ok then
		failures = failures + 1;
		io.stderr:write("FAIL: ", what, "\n  got:  ", tostring(got), "\n  want: ", tostring(want), "\n");
	end
end

local util_tostring, util_top_tag = st.stanza_mt.__tostring, st.stanza_mt.top_tag;
local function written_by_util(stanza) return util_tostring(stanza); end
-- util.stanza's top_tag writes a shallow clone with util.stanza's own writer.
local function top_tag_by_util(stanza)
	return util_tostring(st.clone(stanza, true)):sub(1, -3) .. ">";
end

local recipients = { "alice@example.org/phone", "o'neil@example.org/r&d <1>", "bob@example.org",
	"\"quoted\"@example.org/x", "example.org" };

local function groupchat()
	return st.message({ from = "room@rooms.example.org/Dave & Co", type = "groupchat", id = "m'1", to = "example.org" })
		:text_tag("body", "hi & bye <b> 'single' \"double\"")
		:tag("stanza-id", { xmlns = "urn:xmpp:sid:0", id = "01a242c5-8963-77fe-9b7d-709d2ce36f3a", by = "room@rooms.example.org" }):up()
		:tag("occupant-id", { xmlns = "urn:xmpp:occupant-id:0", id = "a5428083" }):up();
end

local function presence()
	return st.presence({ from = "room@rooms.example.org/Erin", to = "example.org", ["xml:lang"] = "en" })
		:text_tag("show", "away")
		:tag("x", { xmlns = "http://jabber.org/protocol/muc#user" })
			:tag("item", { affiliation = "member", role = "participant" }):up()
			:tag("status", { code = "110" }):up():up();
end

local serializer = load_serializer();
serializer.install();
check(st.stanza_mt.__tostring ~= util_tostring and st.stanza_mt.top_tag ~= util_top_tag,
	"install hooks util.stanza's __tostring and top_tag");

for name, make in pairs({ groupchat = groupchat, presence = presence }) do
	local stanza = make();
	check(serializer.prepare(stanza), name .. ": prepared");
	for _, to in ipairs(recipients) do
		stanza.attr.to = to;
		local want = written_by_util(stanza);
		check(tostring(stanza) == want, name .. " to " .. to .. ": the same bytes", tostring(stanza), want);
		check(stanza:top_tag() == top_tag_by_util(stanza), name .. " to " .. to .. ": the same top tag",
			stanza:top_tag(), top_tag_by_util(stanza));
	end
end

-- The copies really come from the one serialization: a child edited in place (which the
-- module's callers never do, see the library) does not show, while the same stanza
-- released is written anew.
do
	local stanza = groupchat();
	serializer.prepare(stanza);
	stanza.attr.to = recipients[1];
	local prepared_text = tostring(stanza);
	stanza:get_child("body")[1] = "edited in place";
	check(tostring(stanza) == prepared_text, "a prepared stanza's copies come from its one serialization",
		tostring(stanza), prepared_text);
	serializer.release(stanza);
	check(tostring(stanza) == written_by_util(stanza) and tostring(stanza):find("edited in place", 1, true),
		"a released stanza is written by util.stanza", tostring(stanza), written_by_util(stanza));
end

-- Changed after prepare: util.stanza writes it.
local changes = {
	["an attribute added (mod_websocket's xmlns)"] = function(s) s.attr.xmlns = "jabber:client"; end,
	["an attribute changed"] = function(s) s.attr.id = "other"; end,
	["an attribute removed"] = function(s) s.attr.type = nil; end,
	["a child added"] = function(s) s:tag("delay", { xmlns = "urn:xmpp:delay", stamp = "2026-12-04T00:00:00Z" }):up(); end,
	["a child replaced"] = function(s) s[1] = st.stanza("body"):text("other"); s.tags[1] = s[1]; end,
	["a child removed"] = function(s) s:remove_children("occupant-id", "urn:xmpp:occupant-id:0"); end,
	["'to' removed"] = function(s) s.attr.to = nil; end,
};
for what, change in pairs(changes) do
	local stanza = groupchat();
	serializer.prepare(stanza);
	stanza.attr.to = recipients[2];
	change(stanza);
	local want = written_by_util(stanza);
	check(tostring(stanza) == want, what .. " after prepare: util.stanza's bytes", tostring(stanza), want);
	check(stanza:top_tag() == top_tag_by_util(stanza), what .. " after prepare: util.stanza's top tag",
		stanza:top_tag(), top_tag_by_util(stanza));
end

-- Nothing to cut around: no 'to', or a 'to' that is not a string in the text.
check(serializer.prepare(st.message({ type = "groupchat" })) == false, "a stanza without 'to' is not prepared");

-- Unprepared stanzas (every other stanza the server writes) are written by util.stanza.
do
	local other = presence();
	other.attr.to = recipients[3];
	check(tostring(other) == written_by_util(other), "an unprepared stanza: util.stanza's bytes");
end

-- A second host's copy of the library chains on top; either may unload first.
do
	local second = load_serializer();
	second.install();
	local stanza = groupchat();
	check(second.prepare(stanza), "the second copy prepares");
	serializer.uninstall(); -- not on top: stays in the chain, passing stanzas down
	stanza.attr.to = recipients[2];
	check(tostring(stanza) == written_by_util(stanza), "after the first copy unloads, copies still right");
	local plain = presence();
	plain.attr.to = recipients[1];
	check(tostring(plain) == written_by_util(plain), "after the first copy unloads, other stanzas still right");
	check(serializer.prepare(groupchat()) == false, "an unloaded copy prepares nothing");
	second.uninstall();
	check(tostring(plain) == written_by_util(plain), "both unloaded: other stanzas still right");
	serializer.install(); -- the first host's module loads again
	local again = groupchat();
	check(serializer.prepare(again), "loaded again, it prepares");
	again.attr.to = recipients[4];
	check(tostring(again) == written_by_util(again), "loaded again: the same bytes");
	serializer.uninstall();
	check(st.stanza_mt.__tostring == util_tostring and st.stanza_mt.top_tag == util_top_tag,
		"all unloaded: util.stanza's own __tostring and top_tag are back");
end

if failures > 0 then
	io.stderr:write(failures, " check(s) failed\n");
	os.exit(1);
end
print("serializer: every copy as util.stanza writes it");
