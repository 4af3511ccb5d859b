-- A P2P session's row takes an update of its sample count in every batch while the call
-- lasts. The covering index of 0015 on the start named samples and relayed, so each of those
-- updates wrote a new entry into every index of the table and left a dead row: after a
-- 300,000-event call benchmark, 294,740 updates, none of them HOT, 121,823 dead rows against
-- 16,000 live. Without those two columns in the index, and with room left on each page for
-- the new version, they are HOT updates (176,022 of 179,816 in the same benchmark): no
-- index is touched. Since 0018 the period reads take the finished sessions from the figures
-- rows; the partial hour at each end reads these rows from the heap (a few hundred).
ALTER TABLE rollup_p2p_sessions SET (fillfactor = 80);
DROP INDEX rollup_p2p_sessions_started;
CREATE INDEX rollup_p2p_sessions_started ON rollup_p2p_sessions (started)
  INCLUDE (accepted, ended, reason, duration_seconds, domain);
