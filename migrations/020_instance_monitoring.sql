-- Whether an instance has detailed monitoring (RunInstances' or its template's Monitoring.Enabled,
-- then MonitorInstances and UnmonitorInstances): DescribeInstances answers it as Monitoring.State,
-- `enabled` or `disabled`, so Terraform's `monitoring = true` reads back what it set.
ALTER TABLE instance ADD COLUMN monitoring INTEGER NOT NULL DEFAULT 0 CHECK (monitoring IN (0, 1));
