// The filters DescribeInstances takes (SPEC section 11, names as the EC2 API reference documents them), for the filter engine.

import type { InstanceRecord } from "./instance.js";
import { INSTANCE_STATE_CODES, type InstanceStateName } from "./placement.js";
import type { FilterTable, Tag } from "./filters.js";

/** An instance as DescribeInstances reads it at the clock. */
export interface InstanceView {
  readonly record: InstanceRecord;
  readonly state: InstanceStateName;
  /** The reservation it holds a place in now (only while that one is active). */
  readonly capacityReservationId: string | undefined;
  readonly tags: readonly Tag[];
}

/** Matched in memory on the instances of a page's walk; the store narrows `capacity-reservation-id` by its index first. */
export const INSTANCE_FILTERS: FilterTable<InstanceView, undefined> = {
  filters: {
    "instance-id": { read: (i) => i.record.instanceId },
    "instance-state-name": { read: (i) => i.state },
    "instance-state-code": { read: (i) => String(INSTANCE_STATE_CODES[i.state]) },
    "instance-type": { read: (i) => i.record.instanceType },
    "availability-zone": { read: (i) => i.record.availabilityZone },
    "capacity-reservation-id": { read: (i) => i.capacityReservationId },
    "owner-id": { read: (i) => i.record.ownerId },
    "image-id": { read: (i) => i.record.imageId },
    "reservation-id": { read: (i) => i.record.reservationId },
    tenancy: { read: (i) => i.record.tenancy },
    "placement-tenancy": { read: (i) => i.record.tenancy },
    "instance-lifecycle": { read: (i) => (i.record.marketType === "capacity-block" ? "capacity-block" : undefined) },
    "launch-time": { read: (i) => new Date(i.record.launchTime).toISOString() },
  },
  tags: (i) => i.tags,
};
