-- Room snapshots for fast restart: each live room's whole state (events/room_snapshot.hpp:
-- occupants, sessions, history, configuration with the password hash) as of its event
-- `seq`. A restore (sql/restore.cpp) starts each room that has not ended from its snapshot
-- and applies the room's events with a greater seq, instead of replaying its whole history.
-- One row per room JID, replaced by each snapshot round; a snapshot whose room_id is not the
-- JID's live room (destroyed, re-created) is ignored by the restore and replaced or deleted
-- by the next round.
--
-- The state holds password hashes and real JIDs of present occupants: like room_secrets,
-- readable by the service's own role only (0002's default privileges would grant analyst
-- SELECT on creation: revoked below). Stored as text, not jsonb: the service writes and
-- reads it whole, and text spares PostgreSQL parsing and re-serialising every snapshot.
CREATE TABLE room_snapshots (
  room_jid  text PRIMARY KEY,          -- bare room JID
  room_id   uuid NOT NULL,             -- the room lifetime the state belongs to
  seq       bigint NOT NULL,           -- seq of the room's last event folded into the state
  state     text NOT NULL,             -- JSON (events/room_snapshot.hpp)
  updated   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX room_snapshots_room ON room_snapshots (room_id);
REVOKE ALL ON room_snapshots FROM analyst;
REVOKE ALL ON room_snapshots FROM PUBLIC;
