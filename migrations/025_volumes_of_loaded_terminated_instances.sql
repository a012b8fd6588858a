-- An instance a fixture load writes as terminated releases its volumes as a termination does: the
-- load deletes and inserts the instance row, which volume_released (on UPDATE OF state) never sees,
-- so its volumes stayed attached to a terminated instance and the dump of that state was refused.
CREATE TRIGGER volume_released_on_load AFTER INSERT ON instance WHEN NEW.state = 'terminated'
BEGIN
  DELETE FROM volume WHERE instance_id = NEW.instance_id AND delete_on_termination = 1;
  UPDATE volume SET instance_id = NULL, device = NULL, attach_time = NULL, delete_on_termination = 0
   WHERE instance_id = NEW.instance_id;
END;

-- A --db file written before this migration may hold such volumes: released now, as they would have been.
DELETE FROM volume WHERE delete_on_termination = 1
  AND instance_id IN (SELECT instance_id FROM instance WHERE state = 'terminated');
UPDATE volume SET instance_id = NULL, device = NULL, attach_time = NULL, delete_on_termination = 0
 WHERE instance_id IN (SELECT instance_id FROM instance WHERE state = 'terminated');
