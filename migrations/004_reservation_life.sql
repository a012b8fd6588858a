-- A reservation's life through the API (SPEC section 10): when a new reservation stops reading
-- `pending`, when it was cancelled, the ClientToken that made it, and the capacity EC2 has left for new
-- reservations in a zone (capacity pools). Fixture reservations leave the new columns NULL and keep
-- the state they were given, so a database from an earlier release answers as before. The commitment
-- of a future-dated reservation is kept in commitment_info (migration 003), as EC2's CommitmentInfo.

-- ISO times; NULL for a reservation loaded from fixtures (its state is the one it was given).
ALTER TABLE capacity_reservation ADD COLUMN provisioned_date TEXT;
ALTER TABLE capacity_reservation ADD COLUMN cancel_date TEXT;

-- A pool's room is taken by the API-made reservations of its zone and type: found without a scan.
CREATE INDEX capacity_reservation_by_zone_type ON capacity_reservation (availability_zone, instance_type)
  WHERE provisioned_date IS NOT NULL;

-- CreateCapacityReservation's idempotency: a ClientToken names one reservation of its account (the
-- owner) in its region, and keeps the fingerprint of the request that made it, so that a retry with
-- other parameters is IdempotentParameterMismatch. On the reservation, so the dump and reset carry it.
ALTER TABLE capacity_reservation ADD COLUMN client_token TEXT;
ALTER TABLE capacity_reservation ADD COLUMN request_fingerprint TEXT;
CREATE UNIQUE INDEX capacity_reservation_by_client_token ON capacity_reservation (owner_id, region, client_token)
  WHERE client_token IS NOT NULL;

-- The capacity EC2 still has for new reservations (and, with instances, launches outside any
-- reservation) in a zone for an instance type, as a fixture gave it. Room left is computed on read:
-- `available` minus what the API-made reservations holding capacity take. Without a row: unlimited.
CREATE TABLE capacity_pool (
  availability_zone TEXT NOT NULL,
  instance_type     TEXT NOT NULL,
  available         INTEGER NOT NULL CHECK (available >= 0),
  PRIMARY KEY (availability_zone, instance_type)
) WITHOUT ROWID;
