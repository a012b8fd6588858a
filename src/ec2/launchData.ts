// The forms a launch template's data must have, as RunInstances holds the same values: checked when a template is created or loaded from a fixture, before any lookup.

import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { checkUserData } from "../domain/instanceAttributes.js";
import { IMAGE_ID, SECURITY_GROUP_ID, SUBNET_ID, launchImageIdMalformed, securityGroupIdMalformed } from "../domain/network.js";
import { invalidParameterCombination, keyPairNotFound, Refusal } from "../domain/refusal.js";
import { KEY_NAME_MAX } from "./launch.js";
import { TEMPLATE_DATA_SHAPE } from "./launchTemplates.js";
import { checkLaunchValues } from "./launchValues.js";
import type { RequestLaunchTemplateData } from "../protocol/model/ec2.generated.js";

const NETWORK_INTERFACE_ID = /^eni-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** EC2's error table: "The specified subnet ID is malformed … in the form subnet-xxxxxxxx", in the words of its other Malformed ids. */
export const subnetIdMalformed = (id: string): Refusal => new Refusal("InvalidSubnetID.Malformed", `Invalid id: "${id}" (expecting "subnet-...")`);
const networkInterfaceIdMalformed = (id: string): Refusal =>
  new Refusal("InvalidNetworkInterfaceId.Malformed", `Invalid id: "${id}" (expecting "eni-...")`);

/**
 * What RunInstances (src/ec2/launch.ts and its overlay) refuses of the same values, refused when a
 * template is created rather than in a later fleet's Errors: the image id's form, security group
 * and subnet ids' forms (top level and on network interfaces), a network interface id's form, the
 * reservation target's form and that it goes only with `capacity-reservations-only`, no target for
 * Spot, user data (base64, at most 16 KiB), a key name of at most 255 characters, and last every
 * value's form and length (checkLaunchValues: counts, names, ARNs, addresses, prices, numbers).
 * The reader has held every enum to the model's values. What needs the state or the caller (the
 * instance type against the catalogue, the zone against the caller's region) is the handler's.
 */
export function checkLaunchData(data: RequestLaunchTemplateData, prefix: string): void {
  if (data.ImageId !== undefined && !IMAGE_ID.test(data.ImageId)) throw launchImageIdMalformed(data.ImageId);
  const groups = [...(data.SecurityGroupIds ?? []), ...(data.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? [])];
  const bad = groups.find((id) => !SECURITY_GROUP_ID.test(id));
  if (bad !== undefined) throw securityGroupIdMalformed(bad);
  for (const networkInterface of data.NetworkInterfaces ?? []) {
    const { SubnetId: subnetId, NetworkInterfaceId: interfaceId } = networkInterface;
    if (subnetId !== undefined && !SUBNET_ID.test(subnetId)) throw subnetIdMalformed(subnetId);
    if (interfaceId !== undefined && !NETWORK_INTERFACE_ID.test(interfaceId)) throw networkInterfaceIdMalformed(interfaceId);
  }
  const specification = data.CapacityReservationSpecification;
  const target = specification?.CapacityReservationTarget?.CapacityReservationId;
  if (target !== undefined) {
    checkCapacityReservationId(target);
    // RunInstances' words for the same pair (src/domain/placement.ts checkLaunchRequest).
    const preference = specification?.CapacityReservationPreference;
    if (preference !== undefined && preference !== "capacity-reservations-only") {
      throw invalidParameterCombination("The request can include either a CapacityReservationId or a CapacityReservationPreference but not both.");
    }
    if (data.InstanceMarketOptions?.MarketType === "spot") {
      throw invalidParameterCombination("Spot Instances cannot be launched into a Capacity Reservation.");
    }
  }
  if (data.UserData !== undefined && data.UserData !== "") {
    const userData = checkUserData(data.UserData);
    if (userData instanceof Refusal) throw userData;
  }
  // Key pairs are not modelled: a name longer than EC2 takes cannot exist (launch() refuses it so).
  if (data.KeyName !== undefined && data.KeyName.length > KEY_NAME_MAX) throw keyPairNotFound(data.KeyName);
  // Last, so the refusals above keep their own codes and words for the values they name.
  checkLaunchValues(TEMPLATE_DATA_SHAPE, data, prefix);
}
