-- An index on each instance's launch (reservation_id, the `r-` id): RunInstances answers its launch's
-- instances by it, a launch's instances are found by it when DescribeInstances or the dump groups
-- them, and deleting a launch (a fixture reload) cascades to its instances through this foreign key.
-- Without it each of those read the whole instance table, which at a million instances made every
-- RunInstances a full scan.
CREATE INDEX instance_by_launch ON instance (reservation_id, instance_id);
