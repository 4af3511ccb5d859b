-- The room message archive (XEP-0313 on rooms, the HTTP messages route): one row per
-- message_sent, holding the message as it is now. Why a table of its own beside events:
-- a page of 50 from a room of a million messages must be an index range scan on
-- (room_id, stanza_id) without reading other event types or crossing monthly partitions,
-- and corrections and retractions change a row in place here while events stay the log.
--
-- stanza_id is the message_sent event's id (UUIDv7): its byte order is time order, so
-- paging by id is paging by time. Rows are written by the materialiser in the same
-- transaction as the events they come from, idempotent like them (ON CONFLICT DO NOTHING;
-- updates are idempotent by nature). A retraction or a purge sets payload to NULL here and
-- removes data.payload from the original's events row: the body is gone from PostgreSQL.
CREATE TABLE archive (
  room_id         uuid        NOT NULL,
  stanza_id       uuid        NOT NULL,            -- = the message_sent event id
  room            text        NOT NULL,            -- bare room JID
  time            timestamptz NOT NULL,
  seq             bigint      NOT NULL,            -- the message_sent event's seq
  sessionid       uuid,                            -- sender's session; NULL = the room/service
  nick            text        NOT NULL DEFAULT '',
  occupant_id     text        NOT NULL DEFAULT '',
  jid             text,                            -- sender's real full JID
  client_id       text,                            -- the sender's own id (origin-id / id attribute)
  payload         text,                            -- current children; NULL once retracted or purged
  edited          timestamptz,                     -- latest correction
  edited_by_id    uuid,                            -- the latest message_corrected event id
  retracted       timestamptz,
  moderated       boolean     NOT NULL DEFAULT false,
  retracted_by    text,                            -- moderator's nick or admin name
  retract_reason  text,
  PRIMARY KEY (room_id, stanza_id)
);
-- A user's conversations (GET /v1/users/{jid}/rooms) go through users.userid; the newest
-- message of a room is the last entry of the primary key.
CREATE INDEX archive_room_time ON archive (room_id, time);
