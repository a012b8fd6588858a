-- Totals kept by the schema, and each reservation's region as a column. used_instance_count_total
-- is now kept equal to the sum of the reservation's instance_usage rows by triggers (any insert,
-- update or delete of a usage row), with a CHECK as backstop; before, the store wrote it beside the
-- rows by convention. region is the region of the availability zone, so that which reservations an
-- account sees in a region is a condition an index answers (owner or shared, in the request's region).
-- The table is rebuilt to add the CHECK (SQLite cannot add one to a column); the migration runner
-- turns foreign keys off while migrating, so dropping the old table cascades to nothing.

CREATE TABLE capacity_reservation_002 (
  capacity_reservation_id            TEXT PRIMARY KEY,
  owner_id                           TEXT NOT NULL,
  availability_zone                  TEXT NOT NULL,
  region                             TEXT NOT NULL,
  instance_type                      TEXT NOT NULL,
  instance_platform                  TEXT NOT NULL,
  total_instance_count               INTEGER NOT NULL,
  state                              TEXT NOT NULL,
  create_date                        TEXT NOT NULL,
  start_date                         TEXT,
  end_date                           TEXT,
  end_date_type                      TEXT NOT NULL,
  interruptible                      INTEGER,   -- 0/1, NULL when the reservation does not say
  interruptible_capacity_allocation  TEXT,      -- JSON object, NULL when absent
  interruption_info                  TEXT,      -- JSON object, NULL when absent
  used_instance_count_total          INTEGER NOT NULL DEFAULT 0 CHECK (used_instance_count_total >= 0)
) WITHOUT ROWID;

-- The region, as regionOfZone() (src/domain/capacityReservation.ts) computes it: every stored zone
-- passed the fixture schema's pattern ^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+(...)$, so the region
-- is the leading letters and hyphens plus the run of digits after them.
INSERT INTO capacity_reservation_002
SELECT
  r.capacity_reservation_id, r.owner_id, r.availability_zone,
  substr(r.availability_zone, 1, length(r.availability_zone)
    - length(ltrim(ltrim(r.availability_zone, 'abcdefghijklmnopqrstuvwxyz-'), '0123456789'))),
  r.instance_type, r.instance_platform, r.total_instance_count, r.state, r.create_date, r.start_date,
  r.end_date, r.end_date_type, r.interruptible, r.interruptible_capacity_allocation, r.interruption_info,
  (SELECT coalesce(sum(u.used_instance_count), 0) FROM instance_usage AS u
    WHERE u.capacity_reservation_id = r.capacity_reservation_id)
FROM capacity_reservation AS r;

DROP TABLE capacity_reservation;
ALTER TABLE capacity_reservation_002 RENAME TO capacity_reservation;

-- Which reservations an account sees in a region, a page at a time: walked in id order from the
-- keyset position within the region, the owner read from the index itself (WHERE region = ? AND
-- capacity_reservation_id > ? AND (owner_id = ? OR shared) ORDER BY capacity_reservation_id LIMIT ?)...
CREATE INDEX capacity_reservation_by_region ON capacity_reservation (region, capacity_reservation_id, owner_id);
-- ...and the reservations shared with an account, by account.
CREATE INDEX capacity_reservation_share_by_account ON capacity_reservation_share (account_id, capacity_reservation_id);

-- A new reservation starts from the usage rows it already has (none, while foreign keys hold),
-- whatever total the insert named.
CREATE TRIGGER capacity_reservation_total_on_insert AFTER INSERT ON capacity_reservation
BEGIN
  UPDATE capacity_reservation
     SET used_instance_count_total = (SELECT coalesce(sum(used_instance_count), 0) FROM instance_usage
                                       WHERE capacity_reservation_id = NEW.capacity_reservation_id)
   WHERE capacity_reservation_id = NEW.capacity_reservation_id;
END;

CREATE TRIGGER instance_usage_total_on_insert AFTER INSERT ON instance_usage
BEGIN
  UPDATE capacity_reservation
     SET used_instance_count_total = used_instance_count_total + NEW.used_instance_count
   WHERE capacity_reservation_id = NEW.capacity_reservation_id;
END;

CREATE TRIGGER instance_usage_total_on_delete AFTER DELETE ON instance_usage
BEGIN
  UPDATE capacity_reservation
     SET used_instance_count_total = used_instance_count_total - OLD.used_instance_count
   WHERE capacity_reservation_id = OLD.capacity_reservation_id;
END;

CREATE TRIGGER instance_usage_total_on_update AFTER UPDATE OF capacity_reservation_id, used_instance_count ON instance_usage
BEGIN
  UPDATE capacity_reservation
     SET used_instance_count_total = used_instance_count_total - OLD.used_instance_count
   WHERE capacity_reservation_id = OLD.capacity_reservation_id;
  UPDATE capacity_reservation
     SET used_instance_count_total = used_instance_count_total + NEW.used_instance_count
   WHERE capacity_reservation_id = NEW.capacity_reservation_id;
END;
