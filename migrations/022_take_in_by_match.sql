-- Take-in reads only what it may take in (outside pass on c063112, finding F1): the instances waiting
-- outside any reservation are indexed by everything a reservation matches them on (zone, type,
-- platform, tenancy) and by owner, oldest first within each, so that one account's waiting instances
-- of one kind are read a few at a time, and only while a reservation it may use has room for them;
-- and the open reservations that may have room are indexed apart, so that take-in with none costs one
-- seek. Before, every write in a zone and type read all of its waiting instances (10,000 running with
-- preference open made each one-instance write cost 150 ms, and StartInstances of N, N such reads).
DROP INDEX instance_waiting;
CREATE INDEX instance_waiting ON instance (availability_zone, instance_type, platform, tenancy, owner_id, launch_time, instance_id)
  WHERE capacity_reservation_id IS NULL AND capacity_reservation_preference = 'open'
    AND capacity_reservation_target_id IS NULL AND state IN ('pending', 'running');
-- Open reservations with places left and a state that may still be active (the state at the clock
-- is decided by the code, stateAt): the only ones take-in may fill, and the only ones whose
-- activation over time takes in (Store.reservationsActivatingWithWaiting, which walked every waiting
-- instance before each request after a write).
CREATE INDEX capacity_reservation_open_with_room ON capacity_reservation (availability_zone, instance_type, capacity_reservation_id)
  WHERE instance_match_criteria = 'open' AND total_instance_count > used_instance_count_total
    AND state NOT IN ('cancelled', 'cancelling', 'failed', 'expired');
