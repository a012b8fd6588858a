-- The instance profile an instance was launched with (RunInstances' IamInstanceProfile, by ARN or
-- name, or its template's: its ARN and its derived AIPA id), and the CPU options it was launched
-- with (NULL: the instance type's defaults, answered from the catalogue). DescribeInstances answers
-- both, so Terraform's iam_instance_profile and cpu_options read back what they set.
ALTER TABLE instance ADD COLUMN iam_instance_profile_arn TEXT CHECK (iam_instance_profile_arn IS NULL OR length(iam_instance_profile_arn) <= 2048);
ALTER TABLE instance ADD COLUMN iam_instance_profile_id TEXT
  CHECK ((iam_instance_profile_id IS NULL) = (iam_instance_profile_arn IS NULL));
ALTER TABLE instance ADD COLUMN cpu_core_count INTEGER CHECK (cpu_core_count IS NULL OR cpu_core_count >= 1);
ALTER TABLE instance ADD COLUMN cpu_threads_per_core INTEGER
  CHECK ((cpu_threads_per_core IS NULL) = (cpu_core_count IS NULL) AND (cpu_threads_per_core IS NULL OR cpu_threads_per_core >= 1));
