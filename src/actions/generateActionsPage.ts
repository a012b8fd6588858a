// Writes docs/actions.md from the action registry: the EC2 actions served and what each models, then the nearby calls consumers make that are not emulated. Run `npm run generate:actions-page` after adding an action; a test fails while they differ.

import { writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EC2_OPERATION_NAMES } from "../protocol/model/ec2.generated.js";
import { ACTIONS } from "./index.js";

export const ACTIONS_PAGE_PATH = fileURLToPath(new URL("../../docs/actions.md", import.meta.url));
export const ACTIONS_PAGE_COMMAND = "npm run generate:actions-page";

/**
 * EC2 actions that programs around capacity reservations call, with what calls them. Those the
 * registry serves are left out of the page, so an action added to the registry leaves this list
 * by itself; a name that is not an EC2 action is refused.
 */
const NEARBY_EC2: readonly (readonly [action: string, why: string])[] = [
  ["DescribeAvailabilityZones", "zone names and ids (Terraform's data sources, Karpenter, most SDK scripts)"],
  ["DescribeRegions", "the region list"],
  ["DescribeInstanceTypes", "instance type details (Karpenter, Terraform)"],
  ["DescribeInstanceTypeOfferings", "which types a zone offers (Karpenter, Terraform)"],
  ["DescribeImages", "AMIs: RunInstances checks only an image id's form"],
  ["DescribeSubnets", "VPC subnets: none exist here, and filters on them match no instance"],
  ["DescribeVpcs", "VPCs, the default one included"],
  ["DescribeSecurityGroups", "security groups"],
  ["CreateLaunchTemplate", "launch templates (Karpenter, Auto Scaling)"],
  ["DescribeLaunchTemplates", "launch templates"],
  ["CreateFleet", "fleet launches (Karpenter launches with it)"],
  ["DescribeFleets", "fleets"],
  ["DeleteFleets", "fleets (CreateFleet here is of type instant only)"],
  ["ModifyFleet", "changing a fleet: an instant fleet is made once (Terraform calls it after an import: docs/terraform.md)"],
  ["DescribeFleetInstances", "a fleet's instances: DescribeFleets answers an instant fleet's with its Instances"],
  ["DescribeFleetHistory", "a fleet's events: an instant fleet's outcome is its CreateFleet answer"],
  ["CreateLaunchTemplateVersion", "launch template versions: a template here has version 1 only"],
  ["DescribeLaunchTemplateVersions", "launch template versions"],
  ["DescribeInstanceStatus", "instance status checks"],
  ["RebootInstances", "reboots"],
  ["ModifyInstanceCapacityReservationAttributes", "moving a running instance to another reservation or preference"],
  ["DescribeTags", "tags across resources: here tags are read through each describe"],
  ["CreateCapacityReservationFleet", "capacity reservation fleets"],
  ["DescribeCapacityReservationFleets", "capacity reservation fleets"],
  ["CreateCapacityReservationBySplitting", "splitting a reservation"],
  ["MoveCapacityReservationInstances", "moving capacity between reservations"],
  ["DescribeCapacityBlockOfferings", "Capacity Block offerings: Capacity Blocks come from fixtures"],
  ["PurchaseCapacityBlock", "buying a Capacity Block"],
  ["GetGroupsForCapacityReservation", "the resource groups a reservation is in"],
  ["AssociateCapacityReservationBillingOwner", "billing ownership of a shared reservation"],
  ["DescribeCapacityReservationBillingRequests", "billing ownership requests"],
  ["RequestSpotInstances", "Spot requests"],
  ["DescribeSpotPriceHistory", "Spot prices"],
  ["DescribeAccountAttributes", "account limits and default VPC"],
];

/** Calls to other services (or none at all) that programs around EC2 make, and what to do instead. */
const OTHER_SERVICES: readonly (readonly [service: string, instead: string])[] = [
  [
    "AWS STS (`GetCallerIdentity`, `AssumeRole`, web identity)",
    "the account is the access key's (a fixture's key, or 12 digits that are the account id); give the client static credentials",
  ],
  [
    "AWS RAM (resource shares)",
    "sharing is a reservation's `sharedWith` in a fixture (docs/fixtures.md), or a fixture loaded while it runs",
  ],
  [
    "Instance metadata (IMDS, 169.254.169.254)",
    "not served: give the SDK credentials and a region, and set `AWS_EC2_METADATA_DISABLED=true` so it never waits for it",
  ],
  ["AWS Resource Groups (capacity reservation groups)", "not emulated; a launch names a reservation by id"],
  ["AWS Systems Manager parameters (AMI aliases)", "not emulated: name images by id, or by name and owner (DescribeImages serves the images fixtures declare); an image id `resolve:ssm:NAME` in a launch is refused with `InvalidAMIID.Malformed`, saying so"],
  ["AWS IAM (roles, instance profiles)", "not emulated: name an instance profile; nothing checks it"],
  ["Amazon EKS, Amazon SQS, AWS Pricing (as Karpenter calls them)", "not emulated: see [karpenter.md](karpenter.md) for the settings that avoid them"],
  ["Amazon CloudWatch (capacity reservation metrics)", "read the numbers from GetCapacityReservationUsage or DescribeCapacityReservations"],
  ["Service Quotas, AWS Organizations", "not emulated"],
];

/** The page, from the registry as it is now. */
export function actionsPage(): string {
  const served = [...ACTIONS.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const [action] of NEARBY_EC2) {
    if (!EC2_OPERATION_NAMES.has(action)) throw new Error(`${action} is not an EC2 action (src/actions/generateActionsPage.ts)`);
  }
  const nearby = NEARBY_EC2.filter(([action]) => !ACTIONS.has(action));
  const lines = [
    "# EC2 actions served, and nearby calls that are not",
    "",
    `<!-- Generated from the action registry (src/actions/index.ts) by \`${ACTIONS_PAGE_COMMAND}\`; do not edit. A test fails when they differ. -->`,
    "",
    `The emulator answers ${served.length} EC2 actions, all from the same state, so every number agrees`,
    "across calls. `GET /_emulator/health` lists them too (`actions`). Every other action of EC2's API",
    "gets `UnsupportedOperation` (HTTP 400, naming it); a name that is not an EC2 action gets",
    "`InvalidAction`. What each error means: [errors.md](errors.md).",
    "",
    "## Served",
    "",
    "| Action | What it models |",
    "|---|---|",
    ...served.map((action) => `| \`${action.name}\` | ${action.summary ?? "(no summary yet: add one to its defineAction)"} |`),
    "",
    "## Nearby EC2 actions that are not emulated",
    "",
    "Programs that drive capacity reservations often call these too; here each gets",
    "`UnsupportedOperation`. Keep them out of the code under test, or answer them with a stub of",
    "your own.",
    "",
    "| Action | What it is for |",
    "|---|---|",
    ...nearby.map(([action, why]) => `| \`${action}\` | ${why} |`),
    "",
    "## Other services",
    "",
    "The emulator speaks EC2 only. Point just EC2 at it (`AWS_ENDPOINT_URL_EC2`, or an `endpoint` for",
    "the EC2 client): with `AWS_ENDPOINT_URL` every service's calls come here and are `InvalidAction`.",
    "",
    "| Service | Instead |",
    "|---|---|",
    ...OTHER_SERVICES.map(([service, instead]) => `| ${service} | ${instead} |`),
    "",
  ];
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(ACTIONS_PAGE_PATH, actionsPage());
  process.stdout.write(`wrote ${ACTIONS_PAGE_PATH}\n`);
}
