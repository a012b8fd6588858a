// The emulator's state as the records the store writes (a fixture load, a Create): EC2's shapes with the emulator's defaults already applied.

import type {
  CapacityReservationRecord,
  InstanceUsage,
  Tag,
} from "./capacityReservation.js";
import type { InstanceRecord, LaunchRecord } from "./instance.js";
import type { InstanceTypeInfo } from "../protocol/model/ec2.generated.js";
import type { FleetRecord } from "./fleet.js";
import type { VolumeRecord } from "./volume.js";
import type { LaunchTemplateRecord } from "./launchTemplate.js";
import type { ImageRecord, InstanceNetwork, SecurityGroupRecord, SubnetRecord } from "./network.js";

/** An account, the access keys that sign as it, and the actions it is denied (SPEC sections 4, 5). */
export interface AccountRecord {
  readonly accountId: string;
  /** A key without `secretAccessKey` keeps the secret it already has (a state dump leaves secrets out). */
  readonly accessKeys: readonly { readonly accessKeyId: string; readonly secretAccessKey?: string | undefined }[];
  readonly deniedActions: readonly string[];
}

/**
 * A reservation as it is written: its record without what the schema derives (the region, from the
 * zone; the used total, from the usage rows), and the ClientToken of the Create that made it.
 */
export interface CapacityReservationToStore extends Omit<CapacityReservationRecord, "region" | "usedInstanceCountTotal"> {
  readonly clientToken: string | null;
  /** What the token was used with (IdempotentParameterMismatch); set exactly when clientToken is. */
  readonly requestFingerprint: string | null;
}

/** A reservation with what a load writes beside it: the owner's tags, the accounts it is shared with, and their usage. */
export interface ReservationToLoad {
  readonly reservation: CapacityReservationToStore;
  readonly tags: readonly Tag[];
  /** The tags each account it is shared with keeps on it. */
  readonly shareeTags?: readonly { readonly accountId: string; readonly tags: readonly Tag[] }[];
  readonly sharedWith: readonly string[];
  readonly usage: readonly InstanceUsage[];
}

/** SPEC section 4: the capacity EC2 still has for new reservations in a zone for an instance type. */
export interface CapacityPool {
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly available: number;
}

/**
 * An instance's or volume's tags as a load writes them: `tags` all of them; `tagSetTags`, when the
 * record named a set of its document beside tags of its own, the set's (kept shared by the records
 * naming it, the rest of `tags` as the record's own rows beside it, as CreateTags leaves them).
 */
export interface TaggedInSet {
  readonly tags: readonly Tag[];
  readonly tagSetTags?: readonly Tag[];
}

/**
 * What one load writes, in one transaction: each account, reservation and instance replaced whole
 * by id, each launch's ClientToken kept unless given one, each pool upserted by zone and type.
 */
export interface StateRecords {
  readonly accounts: readonly AccountRecord[];
  readonly capacityReservations: readonly ReservationToLoad[];
  /** Every launch an instance names, before the instances. */
  readonly launches: readonly LaunchRecord[];
  /** Each instance with its owner's tags (and the set it named beside its own: TaggedInSet). */
  readonly instances: readonly ({ readonly instance: InstanceRecord } & TaggedInSet)[];
  readonly capacityPools: readonly CapacityPool[];
  /** Instance types the set adds to the catalogue or overrides, upserted by name (SPEC section 13). */
  readonly instanceTypes: readonly InstanceTypeInfo[];
  /** Subnets, security groups, images and launch templates beside every account's defaults (SPEC section 14), each with its owner's tags, upserted by id. */
  readonly subnets: readonly { readonly subnet: SubnetRecord; readonly tags: readonly Tag[] }[];
  readonly securityGroups: readonly { readonly group: SecurityGroupRecord; readonly tags: readonly Tag[] }[];
  readonly images: readonly { readonly image: ImageRecord; readonly tags: readonly Tag[] }[];
  readonly launchTemplates: readonly { readonly template: LaunchTemplateRecord; readonly tags: readonly Tag[] }[];
  /** Instant fleets kept for their ClientToken. */
  readonly fleets: readonly { readonly fleet: FleetRecord; readonly tags: readonly Tag[] }[];
  /** EBS volumes with their owner's tags (written after the instances they are attached to). */
  readonly volumes: readonly ({ readonly volume: VolumeRecord } & TaggedInSet)[];
  /** Where each instance of the set that names a subnet sits in its VPC (written after the instances). */
  readonly instanceNetworks: readonly { readonly instanceId: string; readonly network: InstanceNetwork }[];
  /**
   * An account's tags on one of its default VPC resources (derived, not stored), replacing the tags it
   * had, and the region the resource is of (a dump names it; a made-up region's cannot be found from the id).
   */
  readonly derivedResourceTags: readonly {
    readonly resourceId: string;
    readonly accountId: string;
    readonly region: string;
    readonly tags: readonly Tag[];
  }[];
}

/**
 * The kinds of fixture record a --db file remembers having taken in (migration 015): each by its id,
 * and a tag of `derivedResourceTags` by its account, resource and key (fixtureRecordKey).
 */
export type FixtureRecordKind =
  | "capacity-reservation"
  | "instance"
  | "subnet"
  | "security-group"
  | "image"
  | "launch-template"
  | "fleet"
  | "volume"
  | "derived-tag";

/** One fixture record a --db file has taken in. */
export interface FixtureRecordKey {
  readonly kind: FixtureRecordKind;
  readonly id: string;
}

/** The key of one tag of `derivedResourceTags`: the account (12 digits) and the resource id hold no space, so the key is the rest. */
export const derivedTagKey = (accountId: string, resourceId: string, key: string): FixtureRecordKey => ({
  kind: "derived-tag",
  id: `${accountId} ${resourceId} ${key}`,
});
