// The forms a launch's own data must have, wherever it comes from (a launch template's data; RunInstances' members): checked when it is given, before any lookup.

import { checkCapacityReservationId } from "../domain/capacityReservationId.js";
import { IMAGE_ID, SECURITY_GROUP_ID, imageIdMalformed, securityGroupIdMalformed } from "../domain/network.js";
import { checkKeptEnums } from "../ec2/launchTemplates.js";
import type { RequestLaunchTemplateData } from "../protocol/model/ec2.generated.js";

/** Image id, security group ids and the reservation target must be well formed; a preference, a shutdown behavior and a tenancy must be EC2's. */
export function checkLaunchData(data: RequestLaunchTemplateData, prefix: string): void {
  if (data.ImageId !== undefined && !IMAGE_ID.test(data.ImageId)) throw imageIdMalformed(data.ImageId);
  const groups = [...(data.SecurityGroupIds ?? []), ...(data.NetworkInterfaces ?? []).flatMap((n) => n.Groups ?? [])];
  const bad = groups.find((id) => !SECURITY_GROUP_ID.test(id));
  if (bad !== undefined) throw securityGroupIdMalformed(bad);
  checkKeptEnums(data, prefix);
  const target = data.CapacityReservationSpecification?.CapacityReservationTarget?.CapacityReservationId;
  if (target !== undefined) checkCapacityReservationId(target);
}
