-- For mucctl_lifecycle_test.sh: a room of January 2020 where zed@example.com ("Zeddy") joined
-- and talked, and a live room of the last hour where ann talks. Written as rows, the way the
-- materialiser leaves them (the test of the writer itself is tests/sql/test_lifecycle.cpp).
SELECT mucstream_ensure_event_partition('2020-01-15 00:00Z');
SELECT mucstream_ensure_event_partition(now());
INSERT INTO rooms (id, name, jid, created, ended, ended_reason, creator, last_seq, event_count) VALUES
  ('00000000-0000-7000-8000-000000000001', 'old', 'old@rooms.test', '2020-01-15 00:00Z', '2020-01-15 01:00Z', 'empty',
   'zed@example.com', 4, 4),
  ('00000000-0000-7000-8000-000000000002', 'new', 'new@rooms.test', now() - interval '1 hour', NULL, NULL,
   'ann@example.com', 3, 3);
INSERT INTO users (sessionid, userid, room_id, nick, jid, occupant_id, type, os, browser, useragent, created, ended, ended_reason) VALUES
  ('00000000-0000-7000-8000-0000000000a1', 'zed@example.com', '00000000-0000-7000-8000-000000000001', 'Zeddy',
   'zed@example.com/pc', 'o1', 'browser', 'Linux', 'Firefox', 'Mozilla/5.0 Firefox/133.0', '2020-01-15 00:01Z',
   '2020-01-15 00:30Z', 'left'),
  ('00000000-0000-7000-8000-0000000000a2', 'ann@example.com', '00000000-0000-7000-8000-000000000002', 'ann',
   'ann@example.com/pc', 'o2', 'browser', 'Linux', 'Firefox', 'Mozilla/5.0 Firefox/133.0', now() - interval '50 minutes',
   NULL, NULL);
INSERT INTO events (id, time, type, room, room_id, seq, actor, data) VALUES
  (gen_random_uuid(), '2020-01-15 00:00Z', 'room_created', 'old@rooms.test', '00000000-0000-7000-8000-000000000001', 1,
   NULL, '{"creator": "zed@example.com", "config": {}}'),
  (gen_random_uuid(), '2020-01-15 00:01Z', 'occupant_joined', 'old@rooms.test', '00000000-0000-7000-8000-000000000001', 2,
   '00000000-0000-7000-8000-0000000000a1',
   '{"nick": "Zeddy", "jid": "zed@example.com/pc", "bare_jid": "zed@example.com", "occupant_id": "o1",
     "client": {"type": "browser", "useragent": "Mozilla/5.0 Firefox/133.0"}}'),
  (gen_random_uuid(), '2020-01-15 00:02Z', 'message_sent', 'old@rooms.test', '00000000-0000-7000-8000-000000000001', 3,
   '00000000-0000-7000-8000-0000000000a1', '{"nick": "Zeddy", "jid": "zed@example.com/pc", "payload": "<body>old words</body>"}'),
  (gen_random_uuid(), '2020-01-15 00:30Z', 'occupant_left', 'old@rooms.test', '00000000-0000-7000-8000-000000000001', 4,
   '00000000-0000-7000-8000-0000000000a1', '{"nick": "Zeddy", "reason": "left"}'),
  (gen_random_uuid(), now() - interval '1 hour', 'room_created', 'new@rooms.test', '00000000-0000-7000-8000-000000000002', 1,
   NULL, '{"creator": "ann@example.com", "config": {}}'),
  (gen_random_uuid(), now() - interval '50 minutes', 'occupant_joined', 'new@rooms.test',
   '00000000-0000-7000-8000-000000000002', 2, '00000000-0000-7000-8000-0000000000a2',
   '{"nick": "ann", "jid": "ann@example.com/pc", "bare_jid": "ann@example.com", "occupant_id": "o2"}'),
  (gen_random_uuid(), now() - interval '40 minutes', 'message_sent', 'new@rooms.test', '00000000-0000-7000-8000-000000000002', 3,
   '00000000-0000-7000-8000-0000000000a2', '{"nick": "ann", "jid": "ann@example.com/pc", "payload": "<body>new words</body>"}');
INSERT INTO archive (room_id, stanza_id, room, time, seq, sessionid, nick, occupant_id, jid, payload, ordinal) VALUES
  ('00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-0000000000f1', 'old@rooms.test', '2020-01-15 00:02Z', 3,
   '00000000-0000-7000-8000-0000000000a1', 'Zeddy', 'o1', 'zed@example.com/pc', '<body>old words</body>', 1),
  ('00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-0000000000f2', 'new@rooms.test',
   now() - interval '40 minutes', 3, '00000000-0000-7000-8000-0000000000a2', 'ann', 'o2', 'ann@example.com/pc',
   '<body>new words</body>', 1);
