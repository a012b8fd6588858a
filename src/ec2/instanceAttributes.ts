// Instance attributes over the store (SPEC section 13): one instance's, as DescribeInstanceAttribute reads them and ModifyInstanceAttribute (and ModifyInstanceMetadataOptions) changes them.

import { metadataOptionsOf, type MetadataOptions, type MetadataOptionsInput } from "../domain/instance.js";
import { applyAttributeChange, checkWritable, type AttributeChange } from "../domain/instanceAttributes.js";
import { checkInstanceType } from "../domain/instanceTypes.js";
import { orThrow } from "../domain/refusal.js";
import type { Ec2Context } from "./context.js";
import { findInstances, type FoundInstance } from "./instances.js";

/** One of the caller's instances in its region, while it is described; InvalidInstanceID.NotFound otherwise. */
function oneInstance({ store, caller, now }: Ec2Context, instanceId: string): FoundInstance {
  const [found] = findInstances(store, [instanceId], caller, now);
  if (found === undefined) throw new Error(`${instanceId} was found and then not`);
  return found;
}

/** The instance whose attributes DescribeInstanceAttribute answers, and its state at the clock. */
export const instanceWithAttributes = (context: Ec2Context, instanceId: string): FoundInstance => oneInstance(context, instanceId);

/** ModifyInstanceAttribute's one change (applyAttributeChange's rules), written. */
export function modifyInstanceAttribute(context: Ec2Context, instanceId: string, change: AttributeChange): void {
  // The one instance type check every action makes (the catalogue, with a fixture's types).
  if (change.attribute === "instanceType") orThrow(checkInstanceType(change.value, context.store.declaredInstanceTypes()));
  const { record, state } = oneInstance(context, instanceId);
  const values = orThrow(applyAttributeChange(record, state, change));
  context.store.write(() => context.store.setInstanceAttributes(record.instanceId, values));
}

/**
 * MonitorInstances (`enabled` true) and UnmonitorInstances: detailed monitoring turned on or off for
 * each of the request's instances (all of them the caller's, or InvalidInstanceID.NotFound naming
 * those that are not, with nothing changed; one shutting down or terminated, checkWritable()'s
 * refusal naming the first, with nothing changed); their ids in request order, each once.
 */
export function setMonitoring({ store, caller, now }: Ec2Context, instanceIds: readonly string[], enabled: boolean): string[] {
  const found = findInstances(store, instanceIds, caller, now);
  const refusal = found.map(({ record, state }) => checkWritable(record.instanceId, state)).find((r) => r !== undefined);
  if (refusal !== undefined) throw refusal;
  store.write(() => {
    for (const { record } of found) store.setInstanceMonitoring(record.instanceId, enabled);
  });
  return found.map(({ record }) => record.instanceId);
}

/**
 * ModifyInstanceMetadataOptions: the members given over the instance's own options, written; the
 * options as they are now. EC2 applies them while the instance runs or is stopped alike; one shutting
 * down or terminated is refused as checkWritable() says.
 */
export function modifyInstanceMetadataOptions(context: Ec2Context, instanceId: string, input: MetadataOptionsInput): MetadataOptions {
  const { record, state } = oneInstance(context, instanceId);
  const refusal = checkWritable(record.instanceId, state);
  if (refusal !== undefined) throw refusal;
  const options = metadataOptionsOf(input, record.metadataOptions);
  context.store.write(() => context.store.setInstanceMetadataOptions(record.instanceId, options));
  return options;
}
