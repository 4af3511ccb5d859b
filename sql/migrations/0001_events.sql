-- mucstream's event store and the talky tables materialised from it.
--
-- events is declaratively partitioned by RANGE(time), one partition per calendar month
-- (created on demand by mucstream_ensure_event_partition(), which the materialiser calls
-- for every month a batch touches). Why: the table grows to billions of rows and every
-- analyst path is bounded by time, so the planner prunes to the months asked for; indexes
-- stay per month and small; old months can be detached, archived or dropped in O(1)
-- instead of a DELETE that bloats. Monthly rather than daily keeps the partition count low
-- (12 a year) while a month of events still fits comfortably in one partition's indexes.
-- PostgreSQL requires a unique key on a partitioned table to include the partition key, so
-- the key is (id, time); an event's id and time never change, so a redelivered event still
-- conflicts with its stored copy and "ON CONFLICT (id, time) DO NOTHING" deduplicates it.

CREATE TABLE events (
  id        uuid        NOT NULL,            -- UUIDv7, time-ordered
  time      timestamptz NOT NULL,
  type      text        NOT NULL,
  room      text        NOT NULL,            -- bare room JID
  room_id   uuid        NOT NULL,            -- unique per room lifetime
  seq       bigint      NOT NULL,            -- 1, 2, 3 … within room_id
  actor     uuid,                            -- occupant session (users.sessionid); NULL = service/admin
  peer      uuid,                            -- the other session of two-party events
  data      jsonb       NOT NULL,
  PRIMARY KEY (id, time)
) PARTITION BY RANGE (time);

CREATE INDEX events_room_time ON events (room_id, time);
CREATE INDEX events_room_seq  ON events (room_id, seq);
CREATE INDEX events_type_time ON events (type, time);
CREATE INDEX events_time      ON events (time);
CREATE INDEX events_actor     ON events (actor, time) WHERE actor IS NOT NULL;
-- The message archive (XEP-0313 style queries: a room's messages by time).
CREATE INDEX events_messages  ON events (room_id, time, id) WHERE type = 'message_sent';

CREATE FUNCTION mucstream_ensure_event_partition(t timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('month', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  hi timestamptz := (date_trunc('month', t AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  name text := 'events_' || to_char(t AT TIME ZONE 'UTC', 'YYYY"m"MM');
BEGIN
  IF to_regclass(name) IS NOT NULL THEN RETURN; END IF;
  -- Two materialisers may race for a new month: serialise creation.
  PERFORM pg_advisory_xact_lock(hashtext('mucstream_event_partitions'));
  IF to_regclass(name) IS NOT NULL THEN RETURN; END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
END $$;

CREATE TABLE rooms (
  id            uuid PRIMARY KEY,              -- room_id: a re-created JID is a new room
  name          text NOT NULL,                 -- the JID's local part
  jid           text NOT NULL,
  created       timestamptz NOT NULL,
  ended         timestamptz,                   -- destroyed (explicitly or when the last occupant left)
  ended_reason  text,
  creator       text,                          -- bare JID (or admin name) that created it
  persistent    boolean NOT NULL DEFAULT false,
  locked        boolean NOT NULL DEFAULT false,
  config        jsonb,                         -- latest configuration, without the password hash
  last_seq      bigint NOT NULL DEFAULT 0,
  last_event    timestamptz,
  event_count   bigint NOT NULL DEFAULT 0
);
CREATE INDEX rooms_jid ON rooms (jid, created);
CREATE INDEX rooms_created ON rooms (created);
CREATE INDEX rooms_active ON rooms (created) WHERE ended IS NULL;

-- One occupant session (talky's users row).
CREATE TABLE users (
  sessionid     uuid PRIMARY KEY,
  userid        text NOT NULL,                 -- bare JID
  room_id       uuid NOT NULL,
  nick          text NOT NULL,                 -- nick at join
  jid           text,                          -- full JID of the session
  role          text,
  affiliation   text,
  occupant_id   text,
  type          text,                          -- browser | mobile
  os            text,
  browser       text,
  useragent     text,
  created       timestamptz NOT NULL,
  ended         timestamptz,
  ended_reason  text
);
CREATE INDEX users_room ON users (room_id, created);
CREATE INDEX users_userid ON users (userid, created);
CREATE INDEX users_created ON users (created);

-- The message archive, readable without knowing the event layout.
CREATE VIEW messages AS
  SELECT id, time, room, room_id, seq, actor AS sessionid, data->>'nick' AS nick,
         data->>'occupant_id' AS occupant_id, data->>'payload' AS payload
  FROM events WHERE type = 'message_sent';
