-- An instance's IAM instance profile association (AssociateIamInstanceProfile, ReplaceIamInstanceProfileAssociation,
-- DisassociateIamInstanceProfile, DescribeIamInstanceProfileAssociations): the profile's ARN and id stay in
-- migration 021's columns, and the association adds its iip-assoc- id and the time it was made (its
-- Timestamp). An instance has at most one, so it lives on the instance's row; none without a profile.
ALTER TABLE instance ADD COLUMN iam_instance_profile_association_id TEXT
  CHECK (iam_instance_profile_association_id IS NULL OR iam_instance_profile_association_id GLOB 'iip-assoc-[0-9a-f]*');
ALTER TABLE instance ADD COLUMN iam_instance_profile_associated_at INTEGER;
-- Instances launched with a profile before this migration: their launch made the association, at their launch time.
UPDATE instance
   SET iam_instance_profile_association_id = 'iip-assoc-' || substr(lower(hex(randomblob(9))), 1, 17),
       iam_instance_profile_associated_at = launch_time
 WHERE iam_instance_profile_arn IS NOT NULL;
-- Replace and Disassociate find an association by its id; Describe walks an account's in a region by id.
CREATE INDEX instance_by_iam_association ON instance (iam_instance_profile_association_id)
  WHERE iam_instance_profile_association_id IS NOT NULL;
CREATE INDEX instance_iam_associations ON instance (owner_id, region, iam_instance_profile_association_id)
  WHERE iam_instance_profile_association_id IS NOT NULL;
