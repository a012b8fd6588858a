// What Terraform's aws_ec2_capacity_reservation does for create, update and delete, call for call, with pending seen by its waiter.

import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeCapacityReservationsCommand,
  type EC2Client,
  ModifyCapacityReservationCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { OWNER, ec2, start, usage } from "./support.js";

const NOW = "2026-06-01T00:00:00.000Z";
/** How long the waiter sleeps between polls; the test moves the emulator's clock instead of sleeping. */
const POLL_SECONDS = 5;

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  // Provisioning longer than one poll, so that the create waiter sees pending at least once.
  emu = await start({ fixtures: [], clock: NOW, provisioningSeconds: 12 });
  client = ec2(emu, OWNER);
});
afterAll(async () => emu.close());

/**
 * Terraform's StateChangeConf on DescribeCapacityReservations (internal/service/ec2/wait.go): poll
 * the one id until its state is `target`; `failed` or a state outside `pending` ends the wait with
 * an error. Returns every state it saw, in order.
 */
async function waitFor(id: string, pending: readonly string[], target: string): Promise<string[]> {
  const seen: string[] = [];
  for (let poll = 0; poll < 20; poll++) {
    const answer = await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }));
    const state = answer.CapacityReservations?.[0]?.State ?? "";
    seen.push(state);
    if (state === target) return seen;
    if (!pending.includes(state)) throw new Error(`unexpected state ${state} while waiting for ${target}`);
    emu.clock.advance(POLL_SECONDS * 1000);
  }
  throw new Error(`timed out waiting for ${target}; saw ${seen.join(", ")}`);
}

describe("Terraform's aws_ec2_capacity_reservation", () => {
  it("creates, waits for active, updates count, end and tags, deletes and waits for cancelled", async () => {
    // Create: CreateCapacityReservation with the resource's tags as TagSpecifications, then the waiter.
    const created = await client.send(
      new CreateCapacityReservationCommand({
        AvailabilityZone: "us-east-1a",
        InstanceType: "t3.micro",
        InstancePlatform: "Linux/UNIX",
        InstanceCount: 1,
        EndDateType: "unlimited",
        InstanceMatchCriteria: "open",
        Tenancy: "default",
        EbsOptimized: false,
        EphemeralStorage: false,
        TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "Name", Value: "tf-test" }] }],
      }),
    );
    const id = created.CapacityReservation?.CapacityReservationId ?? "";
    expect(created.CapacityReservation?.State).toBe("pending");
    const createWait = await waitFor(id, ["pending"], "active");
    expect(createWait[0]).toBe("pending");
    expect(createWait.at(-1)).toBe("active");

    // Read after create.
    const read = (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] })))
      .CapacityReservations?.[0];
    expect(read).toMatchObject({ TotalInstanceCount: 1, AvailableInstanceCount: 1, Tags: [{ Key: "Name", Value: "tf-test" }] });

    // Update: ModifyCapacityReservation sends InstanceCount and the end every time, then the waiter.
    const end = new Date(Date.parse(NOW) + 30 * 24 * 3600_000);
    const modified = await client.send(
      new ModifyCapacityReservationCommand({ CapacityReservationId: id, InstanceCount: 2, EndDateType: "limited", EndDate: end }),
    );
    expect(modified.Return).toBe(true);
    expect(await waitFor(id, ["pending"], "active")).toEqual(["active"]);
    // Tags: the provider's updateTags deletes removed keys, then creates changed ones.
    await client.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: "Name" }] }));
    await client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "Name", Value: "tf-test-2" }, { Key: "env", Value: "ci" }] }));
    const updated = (await client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] })))
      .CapacityReservations?.[0];
    expect(updated).toMatchObject({
      TotalInstanceCount: 2,
      EndDateType: "limited",
      EndDate: end,
      Tags: [
        { Key: "Name", Value: "tf-test-2" },
        { Key: "env", Value: "ci" },
      ],
    });
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ TotalInstanceCount: 2, AvailableInstanceCount: 2 });

    // Delete: CancelCapacityReservation, then the waiter until cancelled.
    expect((await client.send(new CancelCapacityReservationCommand({ CapacityReservationId: id }))).Return).toBe(true);
    expect(await waitFor(id, ["active"], "cancelled")).toEqual(["cancelled"]);
    // A second destroy (refresh after delete) finds it cancelled, which the provider treats as gone.
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ State: "cancelled", AvailableInstanceCount: 2 });
  });
});
