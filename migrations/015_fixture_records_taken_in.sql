-- Which fixture records a --db file has taken in (issue 21, third outside pass): a start adds only the
-- fixture records the file has never taken in, so that one the API deleted, changed or untagged since
-- is never put back by a restart with the same fixtures (docs/decisions.md, "What a --db file takes
-- from its fixtures"). Accounts, capacity pools and instance types, which no EC2 call changes, are not
-- listed: every start takes them from the fixtures.
--   kind: capacity-reservation, instance, subnet, security-group, image, launch-template, fleet, or
--         derived-tag (one tag key of an account on a resource the emulator derives)
--   id:   the record's id; for a derived-tag, "ACCOUNT RESOURCE-ID KEY" (the account is 12 digits,
--         the resource id has no space, so the key is the rest, spaces and all)
-- A file from before this migration lists nothing: its first start with fixtures takes in, as before,
-- the ones whose ids it does not hold, and lists every record of the set from then on.
CREATE TABLE fixture_record_taken_in (
  kind TEXT NOT NULL,
  id   TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;
