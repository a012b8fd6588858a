// A reservation with every member SPEC section 4 adds for the describe, in the forms EC2 gives them.

import type { CapacityReservationFixture } from "../src/fixtures/types.js";

export const OWNER = "123456789012";
export const CONSUMER = "222222222222";

export const base: CapacityReservationFixture = {
  capacityReservationId: "cr-0a0000000000000b1",
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "p5.48xlarge",
  totalInstanceCount: 2,
  state: "active",
  sharedWith: [CONSUMER],
};

/** Every new member, in a form EC2 gives it. */
export const everyMember: CapacityReservationFixture = {
  ...base,
  endDate: "2030-06-01T12:00:00Z",
  endDateType: "limited",
  tags: [
    { key: "empty", value: "" },
    { key: "team", value: "ml" },
  ],
  tenancy: "dedicated",
  instanceMatchCriteria: "targeted",
  reservationType: "capacity-block",
  ebsOptimized: true,
  ephemeralStorage: false,
  availabilityZoneId: "use1-az1",
  placementGroupArn: "arn:aws:ec2:us-east-1:123456789012:placement-group/training",
  outpostArn: "arn:aws:outposts:us-east-1:123456789012:outpost/op-0123456789abcdef0",
  capacityBlockId: "cb-0123456789abcdef0",
  deliveryPreference: "fixed",
  commitmentInfo: { committedInstanceCount: 2, commitmentEndDate: "2030-01-01T00:00:00Z", commitmentDuration: 1209600 },
  unusedReservationBillingOwnerId: CONSUMER,
};
