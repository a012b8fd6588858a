-- Karpenter's launch path (SPEC section 14): the subnets, security groups and images fixtures add
-- (every account's default VPC, its default subnets and its default security group are derived from
-- the account and region, never stored), launch templates, CreateFleet's instant fleets, and where
-- an instance sits in its VPC.

-- A subnet a fixture adds. A default subnet is not a row: it is derived (src/domain/network.ts).
CREATE TABLE subnet (
  subnet_id               TEXT PRIMARY KEY,   -- subnet- and 17 (or 8) hex digits
  owner_id                TEXT NOT NULL,
  region                  TEXT NOT NULL,
  vpc_id                  TEXT NOT NULL,
  availability_zone       TEXT NOT NULL,
  cidr_block              TEXT NOT NULL,
  map_public_ip_on_launch INTEGER NOT NULL DEFAULT 0 CHECK (map_public_ip_on_launch IN (0, 1))
) WITHOUT ROWID;
-- DescribeSubnets walks an account's subnets in a region by id.
CREATE INDEX subnet_by_owner ON subnet (owner_id, region, subnet_id);

-- A security group a fixture adds (the default VPC's `default` group is derived).
CREATE TABLE security_group (
  group_id    TEXT PRIMARY KEY,              -- sg- and 17 (or 8) hex digits
  owner_id    TEXT NOT NULL,
  region      TEXT NOT NULL,
  vpc_id      TEXT NOT NULL,
  group_name  TEXT NOT NULL,
  description TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX security_group_by_owner ON security_group (owner_id, region, group_id);
-- A name is unique in its VPC.
CREATE UNIQUE INDEX security_group_by_name ON security_group (owner_id, region, vpc_id, group_name);

-- An image (AMI) a fixture declares. A launch takes any well-formed image id; DescribeImages answers these.
CREATE TABLE image (
  image_id            TEXT PRIMARY KEY,      -- ami- and 17 (or 8) hex digits
  owner_id            TEXT NOT NULL,
  region              TEXT NOT NULL,
  name                TEXT NOT NULL,
  architecture        TEXT NOT NULL,
  state               TEXT NOT NULL,
  image_owner_alias   TEXT,                  -- amazon, aws-marketplace, or NULL
  public              INTEGER NOT NULL DEFAULT 0 CHECK (public IN (0, 1)),
  creation_date       TEXT NOT NULL,         -- ISO 8601
  description         TEXT,
  platform_details    TEXT NOT NULL,
  root_device_type    TEXT NOT NULL,
  root_device_name    TEXT NOT NULL,
  virtualization_type TEXT NOT NULL,
  ena_support         INTEGER NOT NULL DEFAULT 1 CHECK (ena_support IN (0, 1)),
  boot_mode           TEXT,
  deprecation_time    TEXT                   -- ISO 8601, NULL when never deprecated
) WITHOUT ROWID;
CREATE INDEX image_by_region ON image (region, image_id);

-- A launch template (one version: $Default and $Latest are version 1). `data` is the request's
-- LaunchTemplateData as the model's JSON, kept whole.
CREATE TABLE launch_template (
  launch_template_id   TEXT PRIMARY KEY,     -- lt- and 17 hex digits
  owner_id             TEXT NOT NULL,
  region               TEXT NOT NULL,
  launch_template_name TEXT NOT NULL,
  create_time          INTEGER NOT NULL,     -- epoch ms
  created_by           TEXT NOT NULL,        -- arn:aws:iam::ACCOUNT:root
  data                 TEXT NOT NULL,
  client_token         TEXT,
  request_digest       TEXT
) WITHOUT ROWID;
CREATE UNIQUE INDEX launch_template_by_name ON launch_template (owner_id, region, launch_template_name);
CREATE UNIQUE INDEX launch_template_by_client_token ON launch_template (owner_id, region, client_token)
  WHERE client_token IS NOT NULL;

-- An instant fleet (CreateFleet Type=instant): kept for its ClientToken, which answers again what
-- the first call answered (`answer`: its Errors and Instances as the model's JSON).
CREATE TABLE fleet (
  fleet_id       TEXT PRIMARY KEY,           -- fleet- and a UUID
  owner_id       TEXT NOT NULL,
  region         TEXT NOT NULL,
  create_time    INTEGER NOT NULL,           -- epoch ms
  client_token   TEXT,
  request_digest TEXT,
  answer         TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX fleet_by_client_token ON fleet (owner_id, region, client_token) WHERE client_token IS NOT NULL;

-- Where an instance sits in its VPC: its subnet, VPC, private address (as a number) and security
-- groups (a JSON array of [id, name] pairs, as launched). A row of its own, so the instance table
-- keeps its shape: an instance launched before this release, or loaded from a fixture that names no
-- subnet, has none. A terminated instance gives its address back (EC2 describes it without one).
CREATE TABLE instance_network (
  instance_id     TEXT PRIMARY KEY REFERENCES instance (instance_id) ON DELETE CASCADE,
  subnet_id       TEXT NOT NULL,
  vpc_id          TEXT NOT NULL,
  private_ip      INTEGER NOT NULL,
  security_groups TEXT NOT NULL
) WITHOUT ROWID;
-- The addresses a subnet has given out: a launch takes the next free one, and their count makes the
-- subnet's AvailableIpAddressCount.
CREATE INDEX instance_network_by_address ON instance_network (subnet_id, private_ip);
CREATE TRIGGER instance_network_released AFTER UPDATE OF state ON instance WHEN NEW.state = 'terminated'
BEGIN
  DELETE FROM instance_network WHERE instance_id = NEW.instance_id;
END;

-- A resource's tags go with it.
CREATE TRIGGER subnet_tags_deleted AFTER DELETE ON subnet
BEGIN
  DELETE FROM resource_tag WHERE resource_id = OLD.subnet_id;
END;
CREATE TRIGGER security_group_tags_deleted AFTER DELETE ON security_group
BEGIN
  DELETE FROM resource_tag WHERE resource_id = OLD.group_id;
END;
CREATE TRIGGER image_tags_deleted AFTER DELETE ON image
BEGIN
  DELETE FROM resource_tag WHERE resource_id = OLD.image_id;
END;
CREATE TRIGGER launch_template_tags_deleted AFTER DELETE ON launch_template
BEGIN
  DELETE FROM resource_tag WHERE resource_id = OLD.launch_template_id;
END;
