-- Each archived message's position in its room's archive: 1, 2, 3 … in stanza-id order,
-- assigned by the materialiser as it appends (rows are never deleted: a retraction or a
-- purge only clears the payload). Why: XEP-0059 <count/> and <first index=…/> of a page
-- from a room of a million messages become two index probes (the ordinals at both ends of
-- the range) instead of counting the rows, which no page of 50 should have to do.
ALTER TABLE archive ADD COLUMN ordinal bigint;
UPDATE archive a SET ordinal = n.o
  FROM (SELECT room_id, stanza_id, row_number() OVER (PARTITION BY room_id ORDER BY stanza_id) AS o FROM archive) n
  WHERE a.room_id = n.room_id AND a.stanza_id = n.stanza_id;
ALTER TABLE archive ALTER COLUMN ordinal SET NOT NULL;
