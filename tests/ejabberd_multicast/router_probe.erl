%% A filter_packet hook for test_own_muc.py: with anything on filter_packet,
%% mod_mucstream_multicast must send every copy through ejabberd_router (which runs the hook)
%% instead of straight to ejabberd_sm. Only messages whose id starts with "router-" are
%% touched, so the rest of the fixture's traffic passes as it is: a copy to carol is dropped,
%% every other copy to a user gets a <filtered/> child that says the hook saw it. The
%% multicast stanza itself (to the host, no user) passes the hook too on its way in; it is
%% left as it is, or every copy made from it would carry the mark whichever way it went.
%% Loaded and hooked at run time over Erlang distribution (erl_call); nothing in the fixture.
-module(router_probe).
-export([filter/1]).

-include_lib("p1_xmpp/include/xmpp.hrl").

-define(NS_PROBE, <<"urn:mucstream:test:filter">>).

filter(#message{id = <<"router-", _/binary>>, to = #jid{luser = <<"carol">>}}) ->
    drop;
filter(#message{id = <<"router-", _/binary>>, to = #jid{luser = User}} = Msg) when User /= <<"">> ->
    xmpp:append_subtags(Msg, [#xmlel{name = <<"filtered">>, attrs = [{<<"xmlns">>, ?NS_PROBE}]}]);
filter(Pkt) ->
    Pkt.
