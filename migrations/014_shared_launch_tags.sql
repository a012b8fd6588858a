-- A launch's instance tags kept once for all its instances (issue 21: a 1,000-instance launch with 50
-- long tags wrote 50,000 resource_tag rows, most of a second, with every other request waiting).
-- A tag set is written once per launch; each instance refers to it. An instance has its tags either
-- as its own resource_tag rows or through one reference here, never both: its first CreateTags or
-- DeleteTags writes its tags whole as its own rows and drops the reference (Reservations.setTags).
CREATE TABLE tag_set_tag (
  tag_set_id INTEGER NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  PRIMARY KEY (tag_set_id, key)
) WITHOUT ROWID;

CREATE TABLE resource_tag_set (
  resource_id TEXT NOT NULL,
  account_id  TEXT NOT NULL,
  tag_set_id  INTEGER NOT NULL,
  PRIMARY KEY (resource_id, account_id)
) WITHOUT ROWID;

-- DescribeTags walks one account's tags in (resource, key) order: unique, so that SQLite knows each
-- resource's set comes out whole and in key order from the nested loop, without a sort.
CREATE UNIQUE INDEX resource_tag_set_by_account ON resource_tag_set (account_id, resource_id);
-- Whether a set is still referred to, when a reference goes.
CREATE INDEX resource_tag_set_by_set ON resource_tag_set (tag_set_id);

-- A set goes with its last reference.
CREATE TRIGGER resource_tag_set_released AFTER DELETE ON resource_tag_set
WHEN NOT EXISTS (SELECT 1 FROM resource_tag_set WHERE tag_set_id = OLD.tag_set_id)
BEGIN
  DELETE FROM tag_set_tag WHERE tag_set_id = OLD.tag_set_id;
END;

-- An instance's tags go with it, shared ones too.
CREATE TRIGGER instance_tag_set_deleted AFTER DELETE ON instance
BEGIN
  DELETE FROM resource_tag_set WHERE resource_id = OLD.instance_id;
END;
