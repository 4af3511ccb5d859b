-- Room password hashes, apart from everything analysts read.
--
-- room_created and room_configured events carry the room's configuration, and with it the
-- salted password hash (data.config.password_hash). Analysts read events (0002 grants
-- SELECT on every table), so the hash moves here: one row per event that set a password,
-- keyed by the event's id. The materialiser strips the key from events.data in the same
-- transaction that stores the event (sql/writer.cpp), and replay (sql/replay.cpp) puts it
-- back from this table when it rebuilds rooms at start-up. An event without a row here
-- had no password (or an empty one).
--
-- The analyst role gets no privilege on this table (ALTER DEFAULT PRIVILEGES of 0002 would
-- grant SELECT on creation: revoked below). Hashes of ended rooms are deleted once their
-- room_destroyed is stored: replay never restores an ended room, so nothing needs them.
CREATE TABLE room_secrets (
  event_id       uuid PRIMARY KEY,             -- the room_created / room_configured event
  room_id        uuid NOT NULL,
  password_hash  text NOT NULL
);
CREATE INDEX room_secrets_room ON room_secrets (room_id);
REVOKE ALL ON room_secrets FROM analyst;
REVOKE ALL ON room_secrets FROM PUBLIC;

-- Events stored before this migration: move their hashes (rooms that have not ended) and
-- strip the key everywhere. The old row versions stay on disk until VACUUM reclaims them;
-- they are invisible to every query (docs/operations.md: run VACUUM events after upgrading).
INSERT INTO room_secrets (event_id, room_id, password_hash)
  SELECT e.id, e.room_id, e.data#>>'{config,password_hash}' FROM events e
  WHERE e.type IN ('room_created', 'room_configured')
    AND jsonb_typeof(e.data#>'{config,password_hash}') = 'string' AND e.data#>>'{config,password_hash}' <> ''
    AND NOT EXISTS (SELECT 1 FROM rooms r WHERE r.id = e.room_id AND r.ended IS NOT NULL)
  ON CONFLICT (event_id) DO NOTHING;
UPDATE events SET data = data #- '{config,password_hash}'
  WHERE type IN ('room_created', 'room_configured') AND data #> '{config,password_hash}' IS NOT NULL;
UPDATE rooms SET config = config - 'password_hash' WHERE config ? 'password_hash';
