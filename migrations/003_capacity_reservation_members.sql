-- The members of the model's CapacityReservation that DescribeCapacityReservations answers (SPEC
-- section 4), and tags. Each column default is EC2's value when a fixture leaves the member out, so
-- a database from an earlier release answers as before. Derived members (capacityReservationArn,
-- capacityAllocationSet, availableInstanceCount) are not stored.

ALTER TABLE capacity_reservation ADD COLUMN tenancy TEXT NOT NULL DEFAULT 'default'
  CHECK (tenancy IN ('default', 'dedicated'));
ALTER TABLE capacity_reservation ADD COLUMN instance_match_criteria TEXT NOT NULL DEFAULT 'open'
  CHECK (instance_match_criteria IN ('open', 'targeted'));
ALTER TABLE capacity_reservation ADD COLUMN reservation_type TEXT NOT NULL DEFAULT 'default'
  CHECK (reservation_type IN ('default', 'capacity-block'));
ALTER TABLE capacity_reservation ADD COLUMN ebs_optimized INTEGER NOT NULL DEFAULT 0 CHECK (ebs_optimized IN (0, 1));
ALTER TABLE capacity_reservation ADD COLUMN ephemeral_storage INTEGER NOT NULL DEFAULT 0 CHECK (ephemeral_storage IN (0, 1));
ALTER TABLE capacity_reservation ADD COLUMN availability_zone_id TEXT;
ALTER TABLE capacity_reservation ADD COLUMN placement_group_arn TEXT;
ALTER TABLE capacity_reservation ADD COLUMN outpost_arn TEXT;
ALTER TABLE capacity_reservation ADD COLUMN capacity_block_id TEXT;
ALTER TABLE capacity_reservation ADD COLUMN delivery_preference TEXT CHECK (delivery_preference IN ('fixed', 'incremental'));
ALTER TABLE capacity_reservation ADD COLUMN commitment_info TEXT;   -- JSON object, NULL when absent
ALTER TABLE capacity_reservation ADD COLUMN unused_reservation_billing_owner_id TEXT;

-- The tags of every taggable resource, by its id (cr-…, and i-… once instances exist), so that one
-- CreateTags/DeleteTags path serves them all. EC2 tags belong to an account: the owner's tags on a
-- shared resource are not shown to the accounts it is shared with, which may tag it for themselves
-- (docs/decisions.md). Keys and values are case-sensitive, as is the default BINARY collation.
CREATE TABLE resource_tag (
  resource_id TEXT NOT NULL,
  account_id  TEXT NOT NULL,
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  PRIMARY KEY (resource_id, account_id, key)
) WITHOUT ROWID;

-- tag:KEY=VALUE and tag-key=KEY find an account's tagged resources without a scan (the primary
-- key's resource_id is part of every index entry of a WITHOUT ROWID table).
CREATE INDEX resource_tag_by_key ON resource_tag (account_id, key, value);

-- A resource's tags go with it. No foreign key: resource_id names rows of more than one table.
CREATE TRIGGER capacity_reservation_tags_deleted AFTER DELETE ON capacity_reservation
BEGIN
  DELETE FROM resource_tag WHERE resource_id = OLD.capacity_reservation_id;
END;
