-- Two tenants' rooms for the dashboard's tenant check (tenants.sh), as the materialiser
-- writes them, a day old: rooms.acme.example has 3 rooms (2 open) and 3 sessions present,
-- rooms.globex.example 4 rooms (3 open) and 5 sessions present. users rows take their
-- room's domain (migration 0014).
SELECT mucstream_ensure_event_partition(now() - interval '1 day');
SELECT mucstream_ensure_event_partition(now());

INSERT INTO rooms (id, name, jid, created, ended, ended_reason, persistent, locked, last_seq, last_event, event_count)
SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'room' || n, 'room' || n || '@' || d,
       now() - interval '1 day' + n * interval '1 minute', CASE WHEN ended THEN now() - interval '2 hours' END,
       CASE WHEN ended THEN 'empty' END, false, false, 0, NULL, 0
FROM (VALUES (1, 'rooms.acme.example', false), (2, 'rooms.acme.example', false), (3, 'rooms.acme.example', true),
             (11, 'rooms.globex.example', false), (12, 'rooms.globex.example', false),
             (13, 'rooms.globex.example', false), (14, 'rooms.globex.example', true)) AS r(n, d, ended);

-- Sessions present: acme 2 + 1, globex 2 + 2 + 1.
INSERT INTO users (sessionid, userid, room_id, nick, type, os, browser, created)
SELECT ('00000000-0000-7000-8001-' || lpad(to_hex(room * 16 + k), 12, '0'))::uuid, 'u' || room || '-' || k || '@localhost',
       ('00000000-0000-7000-8000-' || lpad(to_hex(room), 12, '0'))::uuid, 'u' || k, 'browser', 'Linux', 'Firefox',
       now() - interval '1 day' + room * interval '1 minute' + k * interval '1 second'
FROM (VALUES (1, 1), (1, 2), (2, 1), (11, 1), (11, 2), (12, 1), (12, 2), (13, 1)) AS s(room, k);

INSERT INTO events (id, time, type, room, room_id, seq, actor, data)
SELECT ('00000000-0000-7000-8002-' || lpad(to_hex(n), 12, '0'))::uuid, created, 'room_created', jid, id, 1, NULL,
       '{"creator":"ops@localhost"}'::jsonb
FROM (SELECT row_number() OVER (ORDER BY id) AS n, * FROM rooms) r;
INSERT INTO events (id, time, type, room, room_id, seq, actor, data)
SELECT ('00000000-0000-7000-8003-' || lpad(to_hex(n), 12, '0'))::uuid, u.created, 'occupant_joined', r.jid, r.id, 1 + n,
       u.sessionid, jsonb_build_object('nick', u.nick)
FROM (SELECT row_number() OVER (ORDER BY sessionid) AS n, * FROM users) u JOIN rooms r ON r.id = u.room_id;
