-- The region of a resource the emulator derives (an account's default VPC, default subnets, default
-- security group) that carries tags: its id is a hash of the account and region, which a state dump
-- cannot invert for a region outside the emulator's list (a made-up one such as "local", which the
-- wire serves). CreateTags and a fixture's derivedResourceTags write it; the dump reads it. Tags
-- written before this migration on a made-up region's resource are still left out of a dump (the
-- region is not known); those of a listed region are found as before.
CREATE TABLE derived_resource_region (
  resource_id TEXT NOT NULL,
  account_id  TEXT NOT NULL,
  region      TEXT NOT NULL,
  PRIMARY KEY (resource_id, account_id)
) WITHOUT ROWID;
