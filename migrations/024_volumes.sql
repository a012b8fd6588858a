-- EBS volumes: one per EBS block device mapping of a launch (the image's, merged with the request's
-- or its template's), attached to its instance until the instance terminates; DescribeVolumes,
-- ModifyVolume and DescribeVolumesModifications read and change them. Terraform's aws_instance
-- reads root_block_device and ebs_block_device from here (DescribeVolumes by the instance's
-- BlockDeviceMappings' VolumeIds).
CREATE TABLE volume (
  volume_id             TEXT PRIMARY KEY,   -- vol- and 17 hex digits
  owner_id              TEXT NOT NULL,
  region                TEXT NOT NULL,
  availability_zone     TEXT NOT NULL,
  size                  INTEGER NOT NULL CHECK (size >= 1),             -- GiB
  volume_type           TEXT NOT NULL CHECK (volume_type IN ('standard', 'io1', 'io2', 'gp2', 'sc1', 'st1', 'gp3')),
  iops                  INTEGER CHECK (iops IS NULL OR iops >= 1),
  throughput            INTEGER CHECK (throughput IS NULL OR throughput >= 1),   -- MiB/s, gp3 only
  encrypted             INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
  kms_key_id            TEXT,
  snapshot_id           TEXT,               -- the snapshot it was made from, NULL for an empty one
  create_time           INTEGER NOT NULL,   -- epoch ms
  -- Its attachment: all NULL once detached (the volume is then `available`).
  instance_id           TEXT,
  device                TEXT,
  attach_time           INTEGER,
  delete_on_termination INTEGER NOT NULL DEFAULT 0 CHECK (delete_on_termination IN (0, 1)),
  -- Its last modification (ModifyVolume): when it started and ends (epoch ms), and the values before it.
  modification_start    INTEGER,
  modification_end      INTEGER,
  original_size         INTEGER,
  original_volume_type  TEXT,
  original_iops         INTEGER,
  original_throughput   INTEGER,
  CHECK ((instance_id IS NULL) = (device IS NULL) AND (instance_id IS NULL) = (attach_time IS NULL)),
  CHECK ((modification_start IS NULL) = (modification_end IS NULL) AND (modification_start IS NULL) = (original_size IS NULL))
) WITHOUT ROWID;

-- DescribeVolumes walks an account's volumes in a region by id, keyset-paged.
CREATE INDEX volume_by_owner ON volume (owner_id, region, volume_id);
-- An instance's volumes (DescribeInstances' BlockDeviceMappings), one device each.
CREATE UNIQUE INDEX volume_by_instance ON volume (instance_id, device) WHERE instance_id IS NOT NULL;

-- An instance that terminates deletes the volumes marked DeleteOnTermination and leaves the others
-- `available`, whatever terminated it (TerminateInstances, a shutdown, a Capacity Block's end).
CREATE TRIGGER volume_released AFTER UPDATE OF state ON instance WHEN NEW.state = 'terminated' AND OLD.state <> 'terminated'
BEGIN
  DELETE FROM volume WHERE instance_id = NEW.instance_id AND delete_on_termination = 1;
  UPDATE volume SET instance_id = NULL, device = NULL, attach_time = NULL, delete_on_termination = 0
   WHERE instance_id = NEW.instance_id;
END;

-- A volume's tags go with it, shared ones (a launch's volume tags, kept once) too.
CREATE TRIGGER volume_tags_deleted AFTER DELETE ON volume
BEGIN
  DELETE FROM resource_tag WHERE resource_id = OLD.volume_id;
  DELETE FROM resource_tag_set WHERE resource_id = OLD.volume_id;
END;

-- An image's block device mappings (DescribeImages' BlockDeviceMappings) as the model's JSON list;
-- NULL: the emulator's default, one EBS root volume on the image's root device.
ALTER TABLE image ADD COLUMN block_device_mappings TEXT;
