-- The key pair an instance was launched with (RunInstances' KeyName, or its launch template's):
-- DescribeInstances answers it as KeyName and the key-name filter finds it. NULL when none was named.
-- Checked for EC2's length (a key pair name is at most 255 characters) so no read can fail on it.
ALTER TABLE instance ADD COLUMN key_name TEXT CHECK (key_name IS NULL OR length(key_name) BETWEEN 1 AND 255);
