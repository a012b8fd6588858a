-- A launch template's VersionDescription (CreateLaunchTemplate), which DescribeLaunchTemplateVersions
-- answers for its one version; NULL when the request gave none (templates kept before this have none).
ALTER TABLE launch_template ADD COLUMN version_description TEXT;
