-- Instance attributes (SPEC section 13): what DescribeInstanceAttribute reads and
-- ModifyInstanceAttribute sets, and RunInstances' members that set them at launch. Termination
-- protection refuses TerminateInstances, stop protection StopInstances; the shutdown behaviour and
-- user data are kept; EbsOptimized is what DescribeInstances answers.

ALTER TABLE instance ADD COLUMN disable_api_termination INTEGER NOT NULL DEFAULT 0 CHECK (disable_api_termination IN (0, 1));
ALTER TABLE instance ADD COLUMN disable_api_stop INTEGER NOT NULL DEFAULT 0 CHECK (disable_api_stop IN (0, 1));
ALTER TABLE instance ADD COLUMN instance_initiated_shutdown_behavior TEXT NOT NULL DEFAULT 'stop'
  CHECK (instance_initiated_shutdown_behavior IN ('stop', 'terminate'));
-- The user data as EC2 keeps it: base64 text, NULL when the instance has none.
ALTER TABLE instance ADD COLUMN user_data TEXT;
ALTER TABLE instance ADD COLUMN ebs_optimized INTEGER NOT NULL DEFAULT 0 CHECK (ebs_optimized IN (0, 1));

-- DescribeTags walks one account's tags in (resource, key) order, keyset-paged.
CREATE INDEX resource_tag_by_account ON resource_tag (account_id, resource_id, key);
