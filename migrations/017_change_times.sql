-- The times at which a state read through the clock changes, each found by an index seek: the store
-- answers the first such time after a clock time (Store.nextChangeAfter, src/store/changeTimes.ts),
-- until which a kept describe answer holds (src/actions/answerCache.ts). A reservation's dates are
-- ISO text; each index is on the date as epoch milliseconds, the expression the query repeats.
-- Only rows that have the date are indexed. Instances keep their times as milliseconds already;
-- transitions settle by instance_settling (migration 005), and a terminated instance is forgotten
-- (and gives up its ClientToken) at a time after its state_since, by the index below.
CREATE INDEX capacity_reservation_failed_ms ON capacity_reservation (round(unixepoch(create_date, 'subsec') * 1000))
  WHERE state = 'failed';
CREATE INDEX capacity_reservation_start_ms ON capacity_reservation (round(unixepoch(start_date, 'subsec') * 1000))
  WHERE start_date IS NOT NULL;
CREATE INDEX capacity_reservation_end_ms ON capacity_reservation (round(unixepoch(end_date, 'subsec') * 1000))
  WHERE end_date IS NOT NULL;
CREATE INDEX capacity_reservation_provisioned_ms ON capacity_reservation (round(unixepoch(provisioned_date, 'subsec') * 1000))
  WHERE provisioned_date IS NOT NULL;
CREATE INDEX capacity_reservation_cancel_ms ON capacity_reservation (round(unixepoch(cancel_date, 'subsec') * 1000))
  WHERE cancel_date IS NOT NULL;
CREATE INDEX capacity_reservation_commitment_end_ms
  ON capacity_reservation (round(unixepoch(json_extract(commitment_info, '$.commitmentEndDate'), 'subsec') * 1000))
  WHERE commitment_info IS NOT NULL;
CREATE INDEX instance_terminated ON instance (state_since) WHERE state = 'terminated';
