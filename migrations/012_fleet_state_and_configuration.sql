-- DescribeFleets and DeleteFleets: an instant fleet's state (active until DeleteFleets, then
-- deleted_terminating, as EC2 answers a deleted instant fleet) and the configuration its CreateFleet
-- asked for (`configuration`: the request's parameters as a JSON array of [name, value] pairs, under
-- CreateFleet's own names, without DryRun, ClientToken and TagSpecifications), which DescribeFleets
-- answers back. A fleet kept before this release reads active with an empty configuration.
ALTER TABLE fleet ADD COLUMN fleet_state TEXT NOT NULL DEFAULT 'active'
  CHECK (fleet_state IN ('active', 'deleted_terminating'));
ALTER TABLE fleet ADD COLUMN configuration TEXT NOT NULL DEFAULT '[]';

-- A fleet's tags (TagSpecification ResourceType fleet, CreateTags) are resource_tag rows; fleets are
-- never removed, so nothing else is needed for them.
