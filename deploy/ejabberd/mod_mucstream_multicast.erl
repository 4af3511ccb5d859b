%%% mod_mucstream_multicast: XEP-0033 multicast for mucstream on ejabberd 23.01.
%%%
%%% The ejabberd counterpart of deploy/prosody/mod_mucstream_multicast.lua, with the same
%%% semantics and refusals. mucstream, an external component (XEP-0114), sends one stanza per
%%% distinct rendering to this host, its recipients listed before the payload, and ejabberd
%%% copies it to each of them:
%%%
%%%   <message from='room@rooms.example.org/nick' to='example.org' type='groupchat' id='...'>
%%%     <recipients xmlns='urn:xmpp:mucstream:multicast:0'>alice@example.org/phone
%%%   bob@example.org/laptop</recipients> ...payload...
%%%   </message>
%%%
%%% (one JID per line), or with the recipients as XEP-0033 bcc addresses
%%% (<addresses xmlns='http://jabber.org/protocol/address'><address type='bcc' jid='...'/>...),
%%% which mean exactly the same. Why not ejabberd's own mod_multicast: it decodes and checks
%%% every <address/> element (relay rules, limits per sender type), and that cost the server
%%% more per delivered stanza than its own MUC; the list is one text node, split once.
%%%
%%% The stanza is taken apart once: both recipient elements are removed (bcc: recipients must
%%% not learn each other) and the same stanza is routed once per recipient with only its 'to'
%%% changed; 'from', 'type', 'id' and every other child reach each recipient unchanged. The
%%% copies are routed from the component's own process (ejabberd routes to a local host by
%%% calling into it), so they leave in order, and a copy ejabberd cannot deliver bounces to
%%% the component as a directly addressed stanza would (type='error', from = the recipient).
%%%
%%% Only the configured component domains may use it, and only they see it in the host's
%%% disco#info (below: why); anyone else (a client, another component) gets <forbidden/> and
%%% nothing is delivered: otherwise any client could have the server copy one stanza to a
%%% thousand people for the price of one. More distinct recipients than max_recipients:
%%% <policy-violation/>; none: <bad-request/>; an <address/> that is not type='bcc' with a
%%% jid: <bad-request/>. A JID listed twice is delivered to once.
%%%
%%% Build with Debian's erlc (package erlang-base) against the installed ejabberd: the packages
%%% ejabberd and erlang-p1-xmpp, which ejabberd depends on, hold every header and beam it needs,
%%% and ERL_LIBS is what ejabberdctl itself sets to find them:
%%%   ERL_LIBS=/usr/lib/x86_64-linux-gnu erlc +warnings_as_errors -o DIR mod_mucstream_multicast.erl
%%% then put DIR on ejabberd's code path (ERL_OPTIONS="... -pa DIR" in ejabberdctl.cfg) and
%%% load it on the host domain (docs/operations.md, deploy/ejabberd/mucstream.yml):
%%%   modules:
%%%     mod_mucstream_multicast:
%%%       senders: ["rooms.example.org"]   # component domains allowed
%%%       max_recipients: 1000             # more: policy-violation
-module(mod_mucstream_multicast).
-behaviour(gen_mod).

-export([start/2, stop/1, reload/3, depends/2, mod_opt_type/1, mod_options/1, mod_doc/0]).
-export([route_multicast/1, disco_features/5]).
-ifdef(TEST).
-export([plain_jid/1]).  % tests/ejabberd_multicast/plain_jid_check.erl compares it with jid:decode
-endif.

-include_lib("kernel/include/logger.hrl").
%% Debian installs the xmpp library as p1_xmpp (upstream ejabberd: xmpp/include/xmpp.hrl).
-include_lib("p1_xmpp/include/xmpp.hrl").

-define(NS_LIST, <<"urn:xmpp:mucstream:multicast:0">>).
%% ejabberd_local answers a message to the host with item-not-found from its own hook at 100.
-define(ROUTE_PRIORITY, 10).
%% Before mod_disco's own handler (100), which merges what the hooks before it returned.
-define(DISCO_PRIORITY, 50).

%%% gen_mod

start(Host, Opts) ->
    warn_if_no_senders(Host, gen_mod:get_opt(senders, Opts)),
    ejabberd_hooks:add(local_send_to_resource_hook, Host, ?MODULE, route_multicast, ?ROUTE_PRIORITY),
    ejabberd_hooks:add(disco_local_features, Host, ?MODULE, disco_features, ?DISCO_PRIORITY),
    ok.

stop(Host) ->
    ejabberd_hooks:delete(local_send_to_resource_hook, Host, ?MODULE, route_multicast, ?ROUTE_PRIORITY),
    ejabberd_hooks:delete(disco_local_features, Host, ?MODULE, disco_features, ?DISCO_PRIORITY),
    ok.

%% The options are read per stanza: nothing to redo.
reload(Host, NewOpts, _OldOpts) ->
    warn_if_no_senders(Host, gen_mod:get_opt(senders, NewOpts)),
    ok.

depends(_Host, _Opts) ->
    [].

mod_opt_type(senders) -> econf:list(econf:domain());
mod_opt_type(max_recipients) -> econf:pos_int().

mod_options(_Host) ->
    [{senders, []}, {max_recipients, 1000}].

mod_doc() ->
    #{desc => [<<"Fans out mucstream's multicast stanzas (a recipient list or XEP-0033 bcc "
                 "addresses, sent to the host) to each recipient.">>],
      opts => [{senders, #{value => <<"[Domain, ...]">>,
                           desc => <<"The component domains allowed to multicast. Default: none.">>}},
               {max_recipients, #{value => <<"Number">>,
                                  desc => <<"Distinct recipients per stanza at most. Default: 1000.">>}}]}.

warn_if_no_senders(Host, []) ->
    ?LOG_WARNING("mod_mucstream_multicast on ~ts: 'senders' is empty: every multicast stanza will be refused",
                 [Host]);
warn_if_no_senders(_Host, _Senders) ->
    ok.

%%% disco#info of the host: the component's discovery looks for both features there. Only a
%%% sender is shown them. ejabberd's mod_multicast (and any XEP-0033 service on another server)
%%% asks each destination server's disco#info whether to hand it a stanza for its users: told
%%% yes, it would send its own MUC's broadcasts here, be refused (not a sender) and deliver
%%% nothing.

disco_features({error, _} = Acc, _From, _To, _Node, _Lang) ->
    Acc;
disco_features(Acc, From, #jid{lserver = Host}, <<"">>, _Lang) ->
    case allowed_sender(Host, From) of
        true ->
            Features = case Acc of
                           {result, Fs} -> Fs;
                           empty -> []
                       end,
            {result, [?NS_ADDRESS, ?NS_LIST | Features]};
        false ->
            Acc
    end;
disco_features(Acc, _From, _To, _Node, _Lang) ->
    Acc.

%%% A message or presence to the host (ejabberd_local drops IQ results and errors before this
%%% hook, and answers IQ requests itself).

route_multicast(Pkt) ->
    Els = xmpp:get_els(Pkt),
    case find_el(<<"addresses">>, ?NS_ADDRESS, Els) of
        false ->
            case find_el(<<"recipients">>, ?NS_LIST, Els) of
                false -> ok;  % an ordinary stanza to the host: not ours
                List -> multicast(Pkt, Els, fun(Max) -> listed_recipients(List, Max) end), stop
            end;
        Addresses ->
            multicast(Pkt, Els, fun(Max) -> recipients(bcc_jids(Addresses), Max) end),
            stop
    end.

multicast(Pkt, Els, Recipients) ->
    From = xmpp:get_from(Pkt),
    Host = (xmpp:get_to(Pkt))#jid.lserver,
    Lang = xmpp:get_lang(Pkt),
    case allowed_sender(Host, From) of
        false ->
            ?LOG_DEBUG("mod_mucstream_multicast: refused multicast from ~ts", [jid:encode(From)]),
            refuse(Pkt, xmpp:err_forbidden(<<"Multicast is only accepted from the configured components">>, Lang));
        true ->
            Max = gen_mod:get_module_opt(Host, ?MODULE, max_recipients),
            case Recipients(Max) of
                {error, Text} ->
                    refuse(Pkt, xmpp:err_bad_request(Text, Lang));
                none ->
                    refuse(Pkt, xmpp:err_bad_request(<<"No recipients">>, Lang));
                over_cap ->
                    Text = iolist_to_binary(["At most ", integer_to_binary(Max),
                                             " recipients per multicast stanza"]),
                    refuse(Pkt, xmpp:err_policy_violation(Text, Lang));
                {ok, Targets} ->
                    % Both forms go: neither may reach a recipient, whichever was read.
                    Payload = [El || El <- Els, not is_el(<<"addresses">>, ?NS_ADDRESS, El),
                                     not is_el(<<"recipients">>, ?NS_LIST, El)],
                    Stanza = xmpp:set_els(Pkt, Payload),
                    Way = local_way(),
                    lists:foreach(fun(Target) -> deliver(Stanza, Target, Way) end, Targets)
            end
    end.

%% A component's domain from the list; never a domain of this server's own users (a client's
%% 'from' is on one), whatever the list says: only components fan out.
allowed_sender(Host, #jid{lserver = Server}) ->
    lists:member(Server, gen_mod:get_module_opt(Host, ?MODULE, senders))
        andalso not lists:member(Server, ejabberd_option:hosts()).

deliver(Stanza, #jid{} = To, Way) ->
    route_copy(xmpp:set_to(Stanza, To), Way);
deliver(Stanza, Jid, Way) ->
    try jid:decode(Jid) of
        To -> route_copy(xmpp:set_to(Stanza, To), Way)
    catch
        error:{bad_jid, _} -> bounce_malformed(Stanza, Jid)
    end.

%% How the copies to this server's own users travel, decided once per multicast stanza. For a
%% user of one of its hosts, ejabberd_router:route/1 runs the filter_packet hook, looks the
%% host's route up (ejabberd_local's) and calls ejabberd_local:route/1, which hands the stanza
%% to ejabberd_sm:route/1. With nothing on filter_packet, handing it to ejabberd_sm:route/1
%% directly is the same delivery (the session lookup, sm_receive_packet and the user's c2s
%% hooks all still run) without a route lookup per copy: that lookup and its configuration
%% reads were about a quarter of the reductions this module spent per copy in a 5 x 100 room
%% (eprof), where mod_muc's broadcasts pay them too. Anything on filter_packet, or a hook
%% table this code cannot read: every copy goes through ejabberd_router:route/1.
local_way() ->
    case no_packet_filter() of
        true -> {direct_to_sessions, ejabberd_option:hosts()};
        false -> through_router
    end.

%% ejabberd_hooks keeps each hook's handlers in its ETS table 'hooks' under {Hook, Host};
%% ejabberd_router runs filter_packet for the global host.
no_packet_filter() ->
    try ets:lookup(hooks, {filter_packet, global}) of
        [] -> true;
        [{_, []}] -> true;
        _ -> false
    catch
        error:badarg -> false
    end.

route_copy(#message{to = #jid{luser = User, lserver = Server}} = Copy, {direct_to_sessions, Hosts})
  when User /= <<"">> ->
    to_sessions(Copy, Server, Hosts);
route_copy(#presence{to = #jid{luser = User, lserver = Server}} = Copy, {direct_to_sessions, Hosts})
  when User /= <<"">> ->
    to_sessions(Copy, Server, Hosts);
route_copy(Copy, _Way) ->
    ejabberd_router:route(Copy).

to_sessions(Copy, Server, Hosts) ->
    case lists:member(Server, Hosts) of
        true ->
            % As ejabberd_router:route/1 does: one copy failing must not stop the others.
            try ejabberd_sm:route(Copy)
            catch Class:Reason:Stack ->
                    ?LOG_ERROR("mod_mucstream_multicast: failed to deliver a copy to ~ts: ~p",
                               [jid:encode(xmpp:get_to(Copy)), {Class, Reason, Stack}])
            end;
        false ->
            ejabberd_router:route(Copy)
    end.

%% The JID the component listed, without stringprep when preparing it could change nothing.
%% ejabberd's own MUC hands its copies JID records and prepares nothing per recipient;
%% jid:decode's three stringprep calls took about three times as long as this check per JID
%% (a micro-benchmark). Only a local part of a-z 0-9 - . _, a domain of a-z 0-9 - . and a
%% resource of printable ASCII (what nodeprep, nameprep and resourceprep leave as they are);
%% anything else is `other` and goes through jid:decode.
plain_jid(Jid) when byte_size(Jid) =< 3071 ->
    {Bare, Resource} = case binary:match(Jid, <<"/">>) of
                           {Slash, _} -> {binary:part(Jid, 0, Slash),
                                          binary:part(Jid, Slash + 1, byte_size(Jid) - Slash - 1)};
                           nomatch -> {Jid, none}
                       end,
    {Node, Domain} = case binary:match(Bare, <<"@">>) of
                         {At, _} -> {binary:part(Bare, 0, At), binary:part(Bare, At + 1, byte_size(Bare) - At - 1)};
                         nomatch -> {none, Bare}
                     end,
    case plain_part(Node, node) andalso plain_part(Domain, domain) andalso plain_part(Resource, resource) of
        true ->
            User = if Node == none -> <<"">>; true -> Node end,
            Res = if Resource == none -> <<"">>; true -> Resource end,
            #jid{user = User, server = Domain, resource = Res, luser = User, lserver = Domain, lresource = Res};
        false ->
            other
    end;
plain_jid(_Jid) ->
    other.

plain_part(none, _Kind) -> true;
plain_part(<<"">>, _Kind) -> false;  % "@domain", "domain/": not for the fast path
plain_part(Part, _Kind) when byte_size(Part) > 1023 -> false;
plain_part(Part, domain) -> plain_chars(Part, domain) andalso binary:last(Part) /= $. andalso binary:first(Part) /= $.;
plain_part(Part, Kind) -> plain_chars(Part, Kind).

plain_chars(<<C, Rest/binary>>, Kind) when C >= $a, C =< $z; C >= $0, C =< $9; C == $-; C == $. ->
    plain_chars(Rest, Kind);
plain_chars(<<$_, Rest/binary>>, node) -> plain_chars(Rest, node);
plain_chars(<<C, Rest/binary>>, resource) when C >= 16#21, C =< 16#7e -> plain_chars(Rest, resource);
plain_chars(<<>>, _Kind) -> true;
plain_chars(_, _Kind) -> false.

%% What a directly addressed stanza to that address would get: an error from the address.
%% It cannot be parsed into a JID, so it travels whole as the domain part.
bounce_malformed(Stanza, Jid) ->
    case xmpp:get_type(Stanza) of
        error -> ok;
        _ ->
            Bad = #jid{user = <<"">>, server = Jid, resource = <<"">>,
                       luser = <<"">>, lserver = Jid, lresource = <<"">>},
            Err = xmpp:err_jid_malformed(<<"The destination address is invalid: ", Jid/binary>>,
                                         xmpp:get_lang(Stanza)),
            ejabberd_router:route(xmpp:make_error(xmpp:set_els(xmpp:set_to(Stanza, Bad), []), Err))
    end.

%% An error must never answer an error (two servers could bounce one forever). The error
%% leaves out the children ejabberd kept as XML (the recipients among them, perhaps a
%% thousand); only what it decodes into the record itself (a body, a status) goes back.
refuse(Pkt, Err) ->
    case xmpp:get_type(Pkt) of
        error -> ok;
        _ -> ejabberd_router:route(xmpp:make_error(xmpp:set_els(Pkt, []), Err))
    end.

%%% The recipients

%% The first child with this name and namespace, as XML. The component stream leaves
%% children as XML (#xmlel{}); a hook before this one may have decoded one into a record.
find_el(Name, NS, [El | Els]) ->
    case is_el(Name, NS, El) of
        true when is_record(El, xmlel) -> El;
        true -> xmpp:encode(El);
        false -> find_el(Name, NS, Els)
    end;
find_el(_Name, _NS, []) ->
    false.

is_el(Name, NS, #xmlel{name = Name} = El) ->
    fxml:get_tag_attr_s(<<"xmlns">>, El) == NS;
is_el(_Name, _NS, #xmlel{}) ->
    false;
is_el(Name, NS, El) ->
    case catch {xmpp:get_name(El), xmpp:get_ns(El)} of
        {Name, NS} -> true;
        _ -> false
    end.

%% The recipients of a list, as deliver/3 takes them. mucstream sends the same list with every
%% message to a room until its occupants change, so the connection's process keeps what it
%% read from each list text (bounded below): reading a list of 100 again cost about as
%% much as handing one copy to ejabberd_sm.
listed_recipients(List, Max) ->
    case listed_text(List) of
        none ->
            none;
        Text ->
            Key = {?MODULE, Text},
            case get(Key) of
                {Max, Known} ->
                    Known;
                _ ->
                    Read = recipients({ok, binary:split(Text, <<"\n">>, [global, trim_all])}, Max),
                    remember(Key, {Max, Read}, Read),
                    Read
            end
    end.

%% The list's text. Child elements in it: no recipients.
listed_text(#xmlel{children = Children}) ->
    case [C || #xmlel{} = C <- Children] of
        [] -> fxml:get_cdata(Children);
        _ -> none
    end.

%% At most ?CACHED_RECIPIENTS recipients are kept over all lists; past that, all are dropped
%% and the lists read again as they come: a few rooms' lists stay, memory stays bounded.
-define(CACHED_RECIPIENTS, 5000).
remember(Key, Value, Read) ->
    N = case Read of
            {ok, Targets} -> length(Targets);
            _ -> 1
        end,
    Before = case get({?MODULE, cached}) of
                 undefined -> 0;
                 T -> T
             end,
    Kept = case Before + N > ?CACHED_RECIPIENTS of
               true -> [erase(K) || {{?MODULE, _} = K, _} <- get()], 0;
               false -> Before
           end,
    put({?MODULE, cached}, Kept + N),
    put(Key, Value).

%% {ok, Targets} (each the #jid{} of plain_jid/1, or the JID as listed, decoded per copy so
%% that a malformed one bounces as it would), none, over_cap, or {error, Why}.
recipients({ok, Jids}, Max) ->
    case distinct_within_cap(Jids, Max) of
        {ok, Distinct} ->
            {ok, [case plain_jid(J) of #jid{} = To -> To; other -> J end || J <- Distinct]};
        NoneOrOver ->
            NoneOrOver
    end;
recipients({error, _} = Error, _Max) ->
    Error.

%% The JIDs of an <addresses/> element. Only bcc addresses with a JID: the other XEP-0033
%% types would have to be shown to the recipients, which a MUC never wants.
bcc_jids(#xmlel{children = Children}) ->
    bcc_jids(Children, []).

bcc_jids([#xmlel{name = <<"address">>, attrs = Attrs} | Els], Acc) ->
    case lists:keyfind(<<"xmlns">>, 1, Attrs) of
        {_, NS} when NS /= ?NS_ADDRESS ->
            bcc_jids(Els, Acc);  % an element of another namespace: not an address
        _ ->
            Type = lists:keyfind(<<"type">>, 1, Attrs),
            Jid = lists:keyfind(<<"jid">>, 1, Attrs),
            Extra = lists:keymember(<<"uri">>, 1, Attrs) orelse lists:keymember(<<"node">>, 1, Attrs),
            case {Type, Jid, Extra} of
                {{_, <<"bcc">>}, {_, J}, false} -> bcc_jids(Els, [J | Acc]);
                _ -> {error, <<"Only <address type='bcc' jid='...'/> is accepted">>}
            end
    end;
bcc_jids([_ | Els], Acc) ->
    bcc_jids(Els, Acc);
bcc_jids([], Acc) ->
    {ok, lists:reverse(Acc)}.

%% The distinct JIDs in order, or why the stanza is refused: none, or more than the cap.
distinct_within_cap(Jids, Max) ->
    distinct_within_cap(Jids, Max, #{}, 0, []).

distinct_within_cap([Jid | Jids], Max, Seen, N, Acc) ->
    case Seen of
        #{Jid := _} -> distinct_within_cap(Jids, Max, Seen, N, Acc);
        _ when N >= Max -> over_cap;
        _ -> distinct_within_cap(Jids, Max, Seen#{Jid => true}, N + 1, [Jid | Acc])
    end;
distinct_within_cap([], _Max, _Seen, 0, _Acc) ->
    none;
distinct_within_cap([], _Max, _Seen, _N, Acc) ->
    {ok, lists:reverse(Acc)}.
