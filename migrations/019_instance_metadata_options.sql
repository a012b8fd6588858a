-- An instance's metadata options (RunInstances' or its template's MetadataOptions, then
-- ModifyInstanceMetadataOptions): DescribeInstances answers them for every instance, EC2's defaults
-- when the launch gave none, so Terraform's metadata_options reads back what it set. Each held to the
-- model's values so no read can fail on one.
ALTER TABLE instance ADD COLUMN metadata_http_tokens TEXT NOT NULL DEFAULT 'optional'
  CHECK (metadata_http_tokens IN ('optional', 'required'));
ALTER TABLE instance ADD COLUMN metadata_hop_limit INTEGER NOT NULL DEFAULT 1 CHECK (metadata_hop_limit BETWEEN 1 AND 64);
ALTER TABLE instance ADD COLUMN metadata_http_endpoint TEXT NOT NULL DEFAULT 'enabled'
  CHECK (metadata_http_endpoint IN ('enabled', 'disabled'));
ALTER TABLE instance ADD COLUMN metadata_http_protocol_ipv6 TEXT NOT NULL DEFAULT 'disabled'
  CHECK (metadata_http_protocol_ipv6 IN ('enabled', 'disabled'));
ALTER TABLE instance ADD COLUMN metadata_tags TEXT NOT NULL DEFAULT 'disabled' CHECK (metadata_tags IN ('enabled', 'disabled'));
