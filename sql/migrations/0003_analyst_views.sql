-- Views analysts query directly (the analyst role reads them through the default
-- privileges of 0002). They read the materialised tables, never a password hash.
-- Filter room_summary and session_summary on created (indexed); events_per_day groups the
-- whole events table, so give it a day range: the planner prunes partitions through the
-- time predicate it is built on.

-- One row per room lifetime: how long it lasted and who took part.
CREATE VIEW room_summary AS
  SELECT r.id AS room_id, r.jid, r.created, r.ended, r.ended_reason,
         extract(epoch FROM coalesce(r.ended, now()) - r.created) AS duration_seconds,
         count(u.sessionid) AS sessions,
         count(DISTINCT u.userid) AS participants,
         r.event_count
  FROM rooms r LEFT JOIN users u ON u.room_id = r.id
  GROUP BY r.id;

-- One row per occupant session (talky's users row) with how long it stayed.
CREATE VIEW session_summary AS
  SELECT sessionid, userid, room_id, nick, type, os, browser, created, ended, ended_reason,
         extract(epoch FROM coalesce(ended, now()) - created) AS duration_seconds
  FROM users;

-- Events per UTC day and type.
CREATE VIEW events_per_day AS
  SELECT (time AT TIME ZONE 'UTC')::date AS day, type, count(*) AS events
  FROM events
  GROUP BY 1, 2;
