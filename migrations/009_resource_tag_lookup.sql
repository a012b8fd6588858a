-- Tags are read by resource (the primary key: a page's tags, a reservation's tag filters probe each
-- row's own tags) and written by the thousand (a 1,000-instance launch with 50 tags writes 50,000
-- rows). The index of migration 003 on (account_id, key, value) served a tag condition that looked
-- resources up by tag, which no statement does any more; keeping it doubled what every tag write cost
-- (issue 21: a 1,000-instance launch with 50 long tags held the server for seconds).
DROP INDEX IF EXISTS resource_tag_by_key;
