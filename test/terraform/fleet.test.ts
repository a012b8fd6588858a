// docs/terraform.md's instant fleet, run by real Terraform: aws_ec2_fleet (type instant) through an aws_launch_template into an open reservation with use-capacity-reservations-first; the reservation's numbers after apply and destroy, an empty plan, and the page's import commands through the destroy.

import { readFileSync } from "node:fs";
import { DescribeCapacityReservationsCommand, DescribeFleetsCommand, DescribeInstancesCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OWNER_KEY, ec2, usage } from "../support.js";
import { TERRAFORM_OPTED_OUT, Terraform, providerBlock, startLogged, type LoggedEmulator } from "./terraform.js";

/** The `hcl` block under "## An instant fleet into a reservation" in docs/terraform.md, as a reader copies it. */
function snippet(): string {
  const page = readFileSync(new URL("../../docs/terraform.md", import.meta.url), "utf8");
  const section = page.slice(page.indexOf("## An instant fleet into a reservation"));
  const block = /```hcl\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("docs/terraform.md has no ```hcl block under ## An instant fleet into a reservation");
  return block;
}

/** The `sh` block under "### After `terraform import` of a fleet" in docs/terraform.md, for this fleet id. */
function importCommands(fleetId: string): string {
  const page = readFileSync(new URL("../../docs/terraform.md", import.meta.url), "utf8");
  const section = page.slice(page.indexOf("### After `terraform import` of a fleet"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("docs/terraform.md has no ```sh block under ### After `terraform import` of a fleet");
  expect(block).toContain("<fleet id>");
  return block.replaceAll("<fleet id>", fleetId);
}

let log: LoggedEmulator;
let terraform: Terraform;
let client: EC2Client;

beforeAll(async () => {
  if (TERRAFORM_OPTED_OUT) return;
  log = await startLogged();
  terraform = await Terraform.init(log);
  client = ec2(log.emu, OWNER_KEY);
}, 120_000);
afterAll(async () => {
  await terraform?.dispose();
  await log?.emu.close();
});

describe.skipIf(TERRAFORM_OPTED_OUT)("docs/terraform.md's instant fleet", { timeout: 900_000 }, () => {
  it("launches into the reservation, plans nothing more, imports as the page says, and destroys from the imported state, with the reservation's numbers right", async () => {
    const config = terraform.configuration("fleet", providerBlock(log.emu.url) + snippet());
    await config.apply();
    await config.expectEmptyPlan();

    const state = config.state();
    const reservation = String(state["aws_ec2_capacity_reservation.batch"]?.id);
    const fleetId = String(state["aws_ec2_fleet.batch"]?.id);
    expect(state["aws_ec2_fleet.batch"]).toMatchObject({ type: "instant", fleet_state: "active", fulfilled_capacity: 2 });

    // Both instances hold places of the open reservation, as its two reads agree.
    expect(await usage(client, { CapacityReservationId: reservation })).toMatchObject({ TotalInstanceCount: 3, AvailableInstanceCount: 1 });
    const described = (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [reservation] }))).CapacityReservations?.[0];
    expect(described).toMatchObject({ TotalInstanceCount: 3, AvailableInstanceCount: 1, State: "active" });
    const fleet = (await client.send(new DescribeFleetsCommand({ FleetIds: [fleetId] }))).Fleets?.[0];
    const instanceIds = fleet?.Instances?.flatMap((i) => i.InstanceIds ?? []) ?? [];
    expect(instanceIds).toHaveLength(2);
    const instances = (await client.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }))).Reservations?.flatMap((r) => r.Instances ?? []);
    expect(instances?.map((i) => i.CapacityReservationId)).toEqual([reservation, reservation]);

    // The page's import path: the fleet taken out of the state and imported back with the page's
    // commands, after which the plan is empty and the destroy (from the imported state) deletes it.
    await config.run("state", "rm", "-no-color", "aws_ec2_fleet.batch");
    const beforeImport = log.calls;
    await config.shell(importCommands(fleetId));
    expect(config.state()["aws_ec2_fleet.batch"]).toMatchObject({ id: fleetId, type: "instant", fleet_state: "active", terminate_instances: true });
    // The state fix sent nothing to EC2: the import's reads only.
    expect(new Set(log.actionsSince(beforeImport))).toEqual(new Set(["DescribeFleets"]));
    await config.expectEmptyPlan();

    await config.destroy();
    expect(config.state()).toEqual({});
    const after = (await client.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }))).Reservations?.flatMap((r) => r.Instances ?? []);
    expect(after?.map((i) => i.State?.Name)).toEqual(["terminated", "terminated"]);
    expect((await client.send(new DescribeFleetsCommand({ FleetIds: [fleetId] }))).Fleets?.[0]?.FleetState).toBe("deleted_terminating");
    // A cancelled reservation holds nothing: its whole total reads available.
    expect(await usage(client, { CapacityReservationId: reservation })).toMatchObject({ State: "cancelled", AvailableInstanceCount: 3 });
    // Every call the provider made was answered (the test's own reads are DescribeFleets,
    // DescribeInstances, DescribeCapacityReservations and GetCapacityReservationUsage too).
    expect(log.failedCallsSince(0)).toEqual([]);
    expect(new Set(log.actionsSince(0))).toEqual(
      new Set([
        "CreateCapacityReservation", "DescribeCapacityReservations", "CancelCapacityReservation", "GetCapacityReservationUsage",
        "CreateLaunchTemplate", "DescribeLaunchTemplates", "DescribeLaunchTemplateVersions", "DeleteLaunchTemplate",
        "CreateFleet", "DescribeFleets", "DeleteFleets", "DescribeInstances",
      ]),
    );
  });
});
