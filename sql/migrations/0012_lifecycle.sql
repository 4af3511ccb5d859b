-- The data lifecycle (docs/operations.md, "Data lifecycle and privacy"): what the retention
-- purge (sql/retention.cpp) and forgetting a user (sql/forget.cpp) need in the database.
--
--   retention_progress  per data class, the time before which every row has been cleared,
--                       so each scheduled run reads only the rows that aged since the last
--                       one (plus a day for late arrivals) instead of the whole history;
--   privacy_salt        one random secret, generated here and never leaving PostgreSQL, that
--                       keys the pseudonyms replacing bare JIDs: without it a pseudonym cannot
--                       be reversed by hashing a list of likely JIDs, and with it the same
--                       JID always gets the same pseudonym, so distinct counts still add up;
--   mucstream_pseudonym(text)          'anon-' and 16 hex digits of sha256(salt || JID);
--   mucstream_forget_json(jsonb, …)    the value with every string (and key) that is the
--                                      JID, a full JID of it or one of the given nicks replaced
--                                      by the pseudonym, at any depth.
-- Neither table is readable by analysts (0002's default privileges would grant it).

CREATE TABLE retention_progress (
  data_class  text PRIMARY KEY,            -- bodies | personal
  done_until  timestamptz NOT NULL
);
REVOKE ALL ON retention_progress FROM analyst;
REVOKE ALL ON retention_progress FROM PUBLIC;

CREATE TABLE privacy_salt (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  salt      bytea NOT NULL
);
-- gen_random_uuid() is the core server's strong random source (no pgcrypto needed): two
-- version-4 UUIDs give 244 random bits.
INSERT INTO privacy_salt (salt) VALUES (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));
REVOKE ALL ON privacy_salt FROM analyst;
REVOKE ALL ON privacy_salt FROM PUBLIC;

CREATE FUNCTION mucstream_pseudonym(v text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT 'anon-' || left(encode(sha256(s.salt || convert_to(lower(v), 'UTF8')), 'hex'), 16)
  FROM privacy_salt s
$$;
REVOKE ALL ON FUNCTION mucstream_pseudonym(text) FROM PUBLIC;

-- `jid` is a lower-case bare JID; a string matches it case-insensitively, alone or as a full
-- JID (jid/resource). Nicks match exactly (they are compared as the room stored them).
CREATE FUNCTION mucstream_forget_json(v jsonb, jid text, nicks text[], alias text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  r jsonb;
  s text;
BEGIN
  CASE jsonb_typeof(v)
  WHEN 'object' THEN
    SELECT coalesce(jsonb_object_agg(
             CASE WHEN lower(key) = jid OR left(lower(key), length(jid) + 1) = jid || '/' OR key = ANY(nicks) THEN alias ELSE key END,
             mucstream_forget_json(value, jid, nicks, alias)), '{}'::jsonb)
      INTO r FROM jsonb_each(v);
    RETURN r;
  WHEN 'array' THEN
    SELECT coalesce(jsonb_agg(mucstream_forget_json(value, jid, nicks, alias) ORDER BY ord), '[]'::jsonb)
      INTO r FROM jsonb_array_elements(v) WITH ORDINALITY AS t(value, ord);
    RETURN r;
  WHEN 'string' THEN
    s := v #>> '{}';
    IF lower(s) = jid OR left(lower(s), length(jid) + 1) = jid || '/' OR s = ANY(nicks) THEN
      RETURN to_jsonb(alias);
    END IF;
    RETURN v;
  ELSE
    RETURN v;
  END CASE;
END $$;
REVOKE ALL ON FUNCTION mucstream_forget_json(jsonb, text, text[], text) FROM PUBLIC;

-- Retention of personal fields in room reports (rooms.reports, rooms.report_state) and in
-- the events of ended rooms: the participants' bare JIDs (report `userid`, state `u`, and a
-- participant key that is a bare JID because the occupant had no occupant id), and the JIDs
-- events name (jid, bare_jid, creator, and a by / invitee / inviter / decliner holding a JID
-- rather than an administrator's name) become their pseudonyms; the figures stay.
CREATE FUNCTION mucstream_pseudonymise_json(v jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  r jsonb;
BEGIN
  CASE jsonb_typeof(v)
  WHEN 'object' THEN
    SELECT coalesce(jsonb_object_agg(key,
             CASE WHEN jsonb_typeof(value) = 'string' AND left(value #>> '{}', 5) <> 'anon-'
                       AND (key IN ('userid', 'u', 'jid', 'bare_jid', 'creator')
                            OR (key IN ('k', 'occupant_id', 'by', 'invitee', 'inviter', 'decliner')
                                AND strpos(value #>> '{}', '@') > 0))
                  THEN to_jsonb(mucstream_pseudonym(value #>> '{}'))
                  ELSE mucstream_pseudonymise_json(value) END), '{}'::jsonb)
      INTO r FROM jsonb_each(v);
    RETURN r;
  WHEN 'array' THEN
    SELECT coalesce(jsonb_agg(mucstream_pseudonymise_json(value) ORDER BY ord), '[]'::jsonb)
      INTO r FROM jsonb_array_elements(v) WITH ORDINALITY AS t(value, ord);
    RETURN r;
  ELSE
    RETURN v;
  END CASE;
END $$;
REVOKE ALL ON FUNCTION mucstream_pseudonymise_json(jsonb) FROM PUBLIC;
