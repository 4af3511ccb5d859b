-- Room reports (docs/events.md, "Room reports"): what talky computed when a meeting ended —
-- peaks, participants and their time, initial wait, usable call time, P2P outcomes, speaking
-- time — kept current by the materialiser as a fold over each room's events.
--   reports       the report (JSON), served as `reports` by GET /v1/rooms/{id}; NULL until
--                 the room's first report-relevant event (or a recompute) was folded;
--   report_state  the fold's state, so each batch folds only its new events, across restarts.
-- Analysts read both through the table grant of 0002.
ALTER TABLE rooms ADD COLUMN reports jsonb, ADD COLUMN report_state jsonb;
-- Every batch updates the counters of each room it touches. Without this, the two jsonb
-- values (~1 KB each) would stay inside the row and be copied into every new row version:
-- measured, chat traffic lost ~30 % of its throughput to that alone. With a small toast
-- target they live out of line, and an update that leaves them alone copies an 18-byte
-- pointer instead.
ALTER TABLE rooms SET (toast_tuple_target = 128);
