%% mod_mucstream_multicast reads the JIDs of a recipient list without stringprep when
%% preparing them could change nothing (plain_jid/1). That shortcut must give exactly the JID
%% jid:decode gives, and must leave to jid:decode whatever stringprep would change or refuse.
%% Run by ctest: erl -noshell -pa DIR -s plain_jid_check main (exit status 0: every case holds).
-module(plain_jid_check).
-export([main/0]).

-include_lib("p1_xmpp/include/xmpp.hrl").

%% Typical recipients: the shortcut takes them, and agrees with jid:decode.
plain() ->
    [<<"alice@localhost/phone">>, <<"bob@example.org">>, <<"example.org">>, <<"rooms.example.org/x">>,
     <<"1700292412225834799626@anon.localhost/5042643606121643602642">>, <<"a.b-c_d@x-y.example/Res:with@and/slash">>,
     <<"p0@anon.localhost/e2e-1a2b3c4d">>, <<"127.0.0.1">>, <<"u@h/!~">>].

%% Left to jid:decode: it changes them (case, non-ASCII) or refuses them (space, empty parts).
other() ->
    [<<"Alice@localhost/phone">>, <<"alice@LocalHost">>, <<"caf", 16#c3, 16#a9, "@localhost">>, <<"no space@localhost/x">>,
     <<"a@localhost/with space">>, <<"@localhost">>, <<"a@">>, <<"a@localhost/">>, <<"">>, <<"a+b@localhost">>,
     <<"localhost.">>, <<".localhost">>, <<"a@b@c">>, <<"a@localhost/tab", 9>>, <<"a@localhost/", 16#c3, 16#a9>>].

main() ->
    {ok, _} = application:ensure_all_started(xmpp),
    Failures =
        [{plain_not_taken, J} || J <- plain(), not is_record(mod_mucstream_multicast:plain_jid(J), jid)] ++
        [{differs, J, P, D} || J <- plain(), #jid{} = P <- [mod_mucstream_multicast:plain_jid(J)],
                               D <- [catch jid:decode(J)], P =/= D] ++
        [{other_taken, J} || J <- other(), mod_mucstream_multicast:plain_jid(J) =/= other],
    case Failures of
        [] -> io:format("PASS: ~b plain JIDs equal jid:decode, ~b others left to it~n",
                        [length(plain()), length(other())]),
              halt(0);
        _ -> io:format("FAIL: ~p~n", [Failures]),
             halt(1)
    end.
