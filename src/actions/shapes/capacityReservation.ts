// A capacity reservation in the model's form, the one place: the item DescribeCapacityReservations and CreateCapacityReservation answer, and the interruptible members GetCapacityReservationUsage shares.

import {
  availableInstanceCount,
  usedInstanceCount,
  type CapacityReservationRecord,
  type CapacityReservationState,
  type Tag,
} from "../../domain/capacityReservation.js";
import { zoneNamed } from "../../domain/zones.js";
import {
  InterruptibleCapacityReservationAllocationStatusValues,
  InterruptionTypeValues,
  ZeroSizePreferenceValues,
  type CapacityReservation,
  type CapacityReservationInstancePlatform,
} from "../../protocol/model/ec2.generated.js";

const date = (iso: string | null | undefined): Date | undefined => (iso ? new Date(iso) : undefined);

/**
 * One reservation as the describe answers it: every member of the model's CapacityReservation the
 * reservation has (the writer puts them in model order), the derived ones computed here.
 * `AvailableInstanceCount` and `State` are GetCapacityReservationUsage's numbers at the same clock.
 */
export function capacityReservationItem(reservation: CapacityReservationRecord, state: CapacityReservationState, tags: readonly Tag[]): CapacityReservation {
  const id = reservation.capacityReservationId;
  const used = usedInstanceCount(reservation, state);
  const commitment = reservation.commitmentInfo;
  return {
    CapacityReservationId: id,
    OwnerId: reservation.ownerId,
    CapacityReservationArn: `arn:aws:ec2:${reservation.region}:${reservation.ownerId}:capacity-reservation/${id}`,
    // Every recorded EC2 answer has it: the one zone list's (a fixture's, when given, is checked to be the same).
    AvailabilityZoneId: reservation.availabilityZoneId ?? zoneNamed(reservation.availabilityZone)?.zoneId,
    InstanceType: reservation.instanceType,
    // The model's enums are open (EC2 adds platforms; the SDKs read any string), and fixtures may name any.
    InstancePlatform: reservation.instancePlatform as CapacityReservationInstancePlatform,
    AvailabilityZone: reservation.availabilityZone,
    Tenancy: reservation.tenancy,
    TotalInstanceCount: reservation.totalInstanceCount,
    AvailableInstanceCount: availableInstanceCount(reservation, state),
    EbsOptimized: reservation.ebsOptimized,
    EphemeralStorage: reservation.ephemeralStorage,
    State: state,
    StartDate: date(reservation.startDate),
    EndDate: date(reservation.endDate),
    EndDateType: reservation.endDateType,
    InstanceMatchCriteria: reservation.instanceMatchCriteria,
    CreateDate: date(reservation.createDate),
    Tags: tags.map((tag) => ({ Key: tag.key, Value: tag.value })),
    OutpostArn: reservation.outpostArn ?? undefined,
    PlacementGroupArn: reservation.placementGroupArn ?? undefined,
    // Every account's instances, the number availableInstanceCount subtracts; empty when none (docs/decisions.md).
    CapacityAllocations: used > 0 ? [{ AllocationType: "used", Count: used }] : [],
    ReservationType: reservation.reservationType,
    UnusedReservationBillingOwnerId: reservation.unusedReservationBillingOwnerId ?? undefined,
    CommitmentInfo: commitment
      ? {
          CommittedInstanceCount: commitment.committedInstanceCount,
          CommitmentEndDate: date(commitment.commitmentEndDate),
          CommitmentDuration: commitment.commitmentDuration,
        }
      : undefined,
    DeliveryPreference: reservation.deliveryPreference ?? undefined,
    CapacityBlockId: reservation.capacityBlockId ?? undefined,
    ...interruptibleMembers(reservation),
  };
}

/** `value` when it is one of the model's enum values (the fixture schema allows no other), else undefined. */
export function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((v) => v === value);
}

type InterruptibleMembers = Pick<CapacityReservation, "Interruptible" | "InterruptibleCapacityAllocation" | "InterruptionInfo">;

/** The interruptible members a reservation has, in the model's form (both actions answer them alike). */
export function interruptibleMembers(reservation: CapacityReservationRecord): InterruptibleMembers {
  const members: InterruptibleMembers = {};
  if (reservation.interruptible !== null) members.Interruptible = reservation.interruptible;
  const allocation = reservation.interruptibleCapacityAllocation;
  if (allocation) {
    members.InterruptibleCapacityAllocation = {
      InstanceCount: allocation.instanceCount,
      TargetInstanceCount: allocation.targetInstanceCount,
      Status: oneOf(InterruptibleCapacityReservationAllocationStatusValues, allocation.status),
      InterruptibleCapacityReservationId: allocation.interruptibleCapacityReservationId,
      InterruptionType: oneOf(InterruptionTypeValues, allocation.interruptionType),
      ZeroSizePreference: oneOf(ZeroSizePreferenceValues, allocation.zeroSizePreference),
    };
  }
  const info = reservation.interruptionInfo;
  if (info) {
    members.InterruptionInfo = {
      SourceCapacityReservationId: info.sourceCapacityReservationId,
      InterruptionType: oneOf(InterruptionTypeValues, info.interruptionType),
    };
  }
  return members;
}
