// IAM instance profile associations over the store (SPEC section 13): what Terraform's aws_instance calls when its iam_instance_profile changes.

import {
  instanceProfileOf,
  newAssociationId,
  type InstanceProfile,
  type InstanceProfileAssociation,
  type InstanceRecord,
} from "../domain/instance.js";
import { instanceStateAt, type InstanceStateName } from "../domain/placement.js";
import { missingParameter, Refusal } from "../domain/refusal.js";
import type { Ec2Context } from "./context.js";
import { findInstances } from "./instances.js";

/** What a request names as the profile (IamInstanceProfileSpecification): its ARN, or its name in the caller's account. */
export interface ProfileRequest {
  readonly arn?: string | undefined;
  readonly name?: string | undefined;
}

/** An association and its instance, as the caller sees them. */
export interface SeenAssociation {
  readonly instance: InstanceRecord;
  readonly association: InstanceProfileAssociation;
  /** The instance's state at the clock. */
  readonly state: InstanceStateName;
}

/** "There is an existing association for instance i-…" (EC2's words, aws-samples/one-observability-demo#201). */
const existingAssociation = (instanceId: string): Refusal =>
  new Refusal("IncorrectState", `There is an existing association for instance ${instanceId}`);

/** "The association iip-assoc-… is not the active association" (EC2's words for a Replace on a stopped instance, aws/aws-cli#5251). */
const notActiveAssociation = (associationId: string): Refusal =>
  new Refusal("IncorrectState", `The association ${associationId} is not the active association`);

/** An association id the caller has no association of (moto's words for the code; docs/decisions.md). */
export const associationNotFound = (associationId: string): Refusal =>
  new Refusal("InvalidAssociationID.NotFound", `An invalid association-id of '${associationId}' was given`);

/**
 * An instance neither running nor stopped, for Associate and Disassociate ("… with a running or
 * stopped instance", "… from a running or stopped instance"); the words are a choice (docs/decisions.md).
 */
const notRunningOrStopped = (instanceId: string): Refusal =>
  new Refusal("IncorrectInstanceState", `The instance '${instanceId}' is not in the 'running' or 'stopped' state.`);

/** The profile a request names, checked as RunInstances checks it (IAM is not modelled: any profile of IAM's form exists). */
function profileOf(requested: ProfileRequest | undefined, accountId: string): InstanceProfile {
  const profile = instanceProfileOf(requested, accountId);
  if (profile instanceof Refusal) throw profile;
  if (profile === null) throw missingParameter("IamInstanceProfile");
  return profile;
}

/**
 * An association the caller sees: its instance is the caller's, in the caller's region, and not
 * terminated (a terminated instance's association is gone). Otherwise undefined: another account's or
 * region's association is NotFound, never a different refusal.
 */
export function seenAssociation({ caller, now }: Ec2Context, instance: InstanceRecord | undefined): SeenAssociation | undefined {
  if (instance === undefined || instance.iamInstanceProfile === null) return undefined;
  if (instance.ownerId !== caller.accountId || instance.region !== caller.region) return undefined;
  const state = instanceStateAt(instance, now);
  if (state === undefined || state === "terminated") return undefined;
  return { instance, association: instance.iamInstanceProfile, state };
}

/** The caller's association of this id; InvalidAssociationID.NotFound otherwise. */
export function findAssociation(context: Ec2Context, associationId: string): SeenAssociation {
  const seen = seenAssociation(context, context.store.instanceByProfileAssociation(associationId));
  if (seen === undefined) throw associationNotFound(associationId);
  return seen;
}

/**
 * AssociateIamInstanceProfile: a new association of the profile with one of the caller's instances,
 * running or stopped, that has none. DescribeInstances answers the profile from the next read.
 */
export function associateProfile(context: Ec2Context, instanceId: string, requested: ProfileRequest | undefined): InstanceProfileAssociation {
  const { store, caller, now } = context;
  const profile = profileOf(requested, caller.accountId);
  const [found] = findInstances(store, [instanceId], caller, now);
  if (found === undefined) throw new Error(`${instanceId} was found and then not`);
  const { record, state } = found;
  if (state !== "running" && state !== "stopped") throw notRunningOrStopped(record.instanceId);
  if (record.iamInstanceProfile !== null) throw existingAssociation(record.instanceId);
  const association: InstanceProfileAssociation = { ...profile, associationId: newAssociationId(), associatedAt: now };
  store.write(() => store.setInstanceProfileAssociation(record.instanceId, association));
  return association;
}

/**
 * ReplaceIamInstanceProfileAssociation: the association of a running instance replaced by a new one
 * (a new id) with the profile named. EC2 replaces only a running instance's; a stopped one's must be
 * disassociated and a new one associated, as Terraform does.
 */
export function replaceAssociation(
  context: Ec2Context,
  associationId: string,
  requested: ProfileRequest | undefined,
): { readonly instance: InstanceRecord; readonly association: InstanceProfileAssociation } {
  const { store, caller, now } = context;
  const profile = profileOf(requested, caller.accountId);
  const { instance, state } = findAssociation(context, associationId);
  if (state !== "running") throw notActiveAssociation(associationId);
  const association: InstanceProfileAssociation = { ...profile, associationId: newAssociationId(), associatedAt: now };
  store.write(() => store.setInstanceProfileAssociation(instance.instanceId, association));
  return { instance, association };
}

/**
 * DisassociateIamInstanceProfile: the association removed; the instance describes no profile from the
 * next read. EC2 disassociates "from a running or stopped instance", the words its Associate has: a
 * pending, stopping or shutting-down instance's association is refused as Associate refuses it.
 */
export function disassociateProfile(context: Ec2Context, associationId: string): SeenAssociation {
  const seen = findAssociation(context, associationId);
  if (seen.state !== "running" && seen.state !== "stopped") throw notRunningOrStopped(seen.instance.instanceId);
  context.store.write(() => context.store.setInstanceProfileAssociation(seen.instance.instanceId, null));
  return seen;
}
