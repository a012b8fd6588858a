// The names of the EC2 actions the registry (index.ts) answers, grouped for --help: a module without the actions themselves, so that --help loads none of them; the registry refuses to load when the two differ.

/** Each group's title and its actions, in the order --help lists them. */
export const ACTION_GROUPS: readonly (readonly [string, readonly string[]])[] = [
  [
    "capacity reservations",
    ["GetCapacityReservationUsage", "DescribeCapacityReservations", "CreateCapacityReservation", "ModifyCapacityReservation", "CancelCapacityReservation"],
  ],
  ["Capacity Blocks", ["DescribeCapacityBlockOfferings", "PurchaseCapacityBlock"]],
  [
    "instances",
    [
      "RunInstances",
      "DescribeInstances",
      "StartInstances",
      "StopInstances",
      "TerminateInstances",
      "DescribeInstanceAttribute",
      "ModifyInstanceAttribute",
      "ModifyInstanceMetadataOptions",
      "MonitorInstances",
      "UnmonitorInstances",
      "DescribeIamInstanceProfileAssociations",
      "AssociateIamInstanceProfile",
      "ReplaceIamInstanceProfileAssociation",
      "DisassociateIamInstanceProfile",
    ],
  ],
  ["launch templates", ["CreateLaunchTemplate", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions", "DeleteLaunchTemplate"]],
  ["instant fleets", ["CreateFleet", "DescribeFleets", "DeleteFleets"]],
  ["tags", ["CreateTags", "DeleteTags", "DescribeTags"]],
  ["what EC2 offers", ["DescribeInstanceTypes", "DescribeInstanceTypeOfferings", "DescribeAvailabilityZones", "DescribeImages"]],
  ["default VPCs", ["DescribeVpcs", "DescribeVpcAttribute", "DescribeSubnets", "DescribeSecurityGroups"]],
];

/** Every action name, once. */
export const ACTION_NAMES: readonly string[] = ACTION_GROUPS.flatMap(([, names]) => names);

/** The groups as --help prints them: one indented line per group, wrapped at `width` columns. */
export function actionLines(indent: string, width: number): string {
  const lines: string[] = [];
  for (const [title, names] of ACTION_GROUPS) {
    let line = `${indent}${title}:`;
    for (const [i, name] of names.entries()) {
      const word = ` ${name}${i < names.length - 1 ? "," : ""}`;
      if (line.length + word.length > width) {
        lines.push(line);
        line = `${indent}   ${word.trimStart()}`;
      } else line += word;
    }
    lines.push(line);
  }
  return lines.join("\n");
}
