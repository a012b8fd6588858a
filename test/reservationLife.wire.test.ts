// The reservation's life through the real JS SDK v3 client (SPEC section 10): Create, Modify, Cancel, CreateTags, DeleteTags.

import {
  CancelCapacityReservationCommand,
  CreateCapacityReservationCommand,
  type CreateCapacityReservationCommandInput,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeCapacityReservationsCommand,
  EC2Client,
  ModifyCapacityReservationCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { OWNER, SHAREE, ec2, failure, raw, start, usage } from "./support.js";

const NOW = "2026-06-01T00:00:00.000Z";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const IN_USE = "cr-0aaaaaaaaaaaaaaa1"; // OWNER's, 10 instances, 3 in use by OWNER, shared with SHAREE
const BLOCK = "cr-0aaaaaaaaaaaaaaa2"; // a Capacity Block of OWNER's

const fixture: FixtureDocument = {
  capacityReservations: [
    {
      capacityReservationId: IN_USE,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "m5.large",
      totalInstanceCount: 10,
      state: "active",
      createDate: "2026-01-01T00:00:00Z",
      sharedWith: [SHAREE],
      usage: [{ accountId: OWNER, usedInstanceCount: 3 }],
    },
    {
      capacityReservationId: BLOCK,
      ownerId: OWNER,
      availabilityZone: "us-east-1a",
      instanceType: "p5.48xlarge",
      totalInstanceCount: 1,
      state: "active",
      reservationType: "capacity-block",
      createDate: "2026-05-01T00:00:00Z",
      startDate: "2026-05-01T00:00:00Z",
      endDate: "2026-07-01T00:00:00Z",
      endDateType: "limited",
    },
  ],
  capacityPools: [{ availabilityZone: "us-east-1b", instanceType: "c5.large", available: 10 }],
};

const basic: CreateCapacityReservationCommandInput = {
  InstanceType: "m5.large",
  InstancePlatform: "Linux/UNIX",
  InstanceCount: 2,
  AvailabilityZone: "us-east-1a",
};

let emu: RunningEmulator;
let client: EC2Client;
let sharee: EC2Client;

beforeAll(async () => {
  emu = await start({ fixtures: [fixture], clock: NOW });
  client = ec2(emu, OWNER);
  sharee = ec2(emu, SHAREE);
});
afterAll(async () => emu.close());
beforeEach(async () => {
  await emu.reset();
  emu.clock.set(NOW);
  emu.settings.set({ provisioningSeconds: 0 });
  emu.faults.clear();
});

const create = (input: Partial<CreateCapacityReservationCommandInput> = {}, as = client) =>
  as.send(new CreateCapacityReservationCommand({ ...basic, ...input }));
const describeOne = async (id: string, as = client) =>
  (await as.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0];
/** The state DescribeCapacityReservations answers, or undefined once it answers NotFound for the id. */
const stateOf = async (id: string): Promise<string | undefined> => {
  try {
    return (await describeOne(id))?.State;
  } catch (error) {
    if ((error as Error).name === "InvalidCapacityReservationId.NotFound") return undefined;
    throw error;
  }
};
const allOwned = async () =>
  (await client.send(new DescribeCapacityReservationsCommand({}))).CapacityReservations?.filter((r) => r.OwnerId === OWNER) ?? [];
const modify = (input: ConstructorParameters<typeof ModifyCapacityReservationCommand>[0], as = client) =>
  as.send(new ModifyCapacityReservationCommand(input));
const cancel = (id: string, as = client) => as.send(new CancelCapacityReservationCommand({ CapacityReservationId: id }));

describe("CreateCapacityReservation", () => {
  it("makes an active reservation of the caller's with the whole structure, seen by every read action", async () => {
    const made = (await create({ Tenancy: "default", EbsOptimized: true })).CapacityReservation;
    expect(made?.CapacityReservationId).toMatch(/^cr-[0-9a-f]{17}$/);
    expect(made).toMatchObject({
      OwnerId: OWNER,
      InstanceType: "m5.large",
      InstancePlatform: "Linux/UNIX",
      AvailabilityZone: "us-east-1a",
      TotalInstanceCount: 2,
      AvailableInstanceCount: 2,
      State: "active",
      EndDateType: "unlimited",
      InstanceMatchCriteria: "open",
      Tenancy: "default",
      EbsOptimized: true,
      CreateDate: new Date(NOW),
      StartDate: new Date(NOW),
      CapacityReservationArn: `arn:aws:ec2:us-east-1:${OWNER}:capacity-reservation/${made?.CapacityReservationId}`,
    });
    const id = made?.CapacityReservationId ?? "";
    expect(await describeOne(id)).toEqual(made);
    const used = await usage(client, { CapacityReservationId: id });
    expect(used).toMatchObject({ State: "active", TotalInstanceCount: 2, AvailableInstanceCount: 2 });
    expect((await emu.state()).capacityReservations?.find((r) => r.capacityReservationId === id)).toMatchObject({
      ownerId: OWNER,
      totalInstanceCount: 2,
      provisionedDate: NOW,
    });
  });

  it("lands the tags of its TagSpecifications with the reservation, and takes a zone id of the caller's region", async () => {
    const made = (
      await create({
        AvailabilityZone: undefined,
        AvailabilityZoneId: "use1-az2",
        TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "team", Value: "ml" }] }],
      })
    ).CapacityReservation;
    expect(made).toMatchObject({ AvailabilityZone: "us-east-1b", AvailabilityZoneId: "use1-az2", Tags: [{ Key: "team", Value: "ml" }] });
    expect((await describeOne(made?.CapacityReservationId ?? ""))?.Tags).toEqual([{ Key: "team", Value: "ml" }]);
  });

  it.each([
    ["no InstanceType", { InstanceType: undefined }, "MissingParameter", "The request must contain the parameter InstanceType"],
    ["no InstanceCount", { InstanceCount: undefined }, "MissingParameter", "The request must contain the parameter InstanceCount"],
    ["no zone", { AvailabilityZone: undefined }, "MissingParameter", "The request must contain the parameter AvailabilityZone"],
    [
      "both zone members",
      { AvailabilityZoneId: "use1-az1" },
      "InvalidParameterCombination",
      "Only one of AvailabilityZone and AvailabilityZoneId may be specified",
    ],
    ["a zone of another region", { AvailabilityZone: "eu-west-1a" }, "InvalidParameterValue", "Value (eu-west-1a) for parameter availabilityZone is invalid."],
    ["a zone id of another region", { AvailabilityZone: undefined, AvailabilityZoneId: "euw1-az1" }, "InvalidParameterValue", "Value (euw1-az1) for parameter availabilityZoneId is invalid."],
    ["InstanceCount 0", { InstanceCount: 0 }, "InvalidParameterValue", "Value (0) for parameter InstanceCount is invalid. Valid range: 1 - 1000"],
    ["InstanceCount 1001", { InstanceCount: 1001 }, "InvalidParameterValue", "Value (1001) for parameter InstanceCount is invalid. Valid range: 1 - 1000"],
    ["a Tenancy not in the model", { Tenancy: "shared" as "default" }, "InvalidParameterValue", undefined],
    ["an InstancePlatform not in the model", { InstancePlatform: "BeOS" as "Linux/UNIX" }, "InvalidParameterValue", undefined],
    ["limited without EndDate", { EndDateType: "limited" }, "MissingParameter", "The request must contain the parameter EndDate"],
    [
      "EndDate when unlimited",
      { EndDate: new Date("2026-07-01T00:00:00Z") },
      "InvalidParameterCombination",
      "EndDate can only be specified when EndDateType is limited",
    ],
    [
      "an EndDate in the past",
      { EndDateType: "limited", EndDate: new Date("2026-05-01T00:00:00Z") },
      "InvalidParameterValue",
      "Value (2026-05-01T00:00:00.000Z) for parameter EndDate is invalid. The end date must be in the future",
    ],
    [
      "a tag specification for another resource type",
      { TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "a", Value: "b" }] }] },
      "InvalidParameterValue",
      "'instance' is not a valid taggable resource type for this operation.",
    ],
    [
      "an aws: tag",
      { TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "aws:x", Value: "b" }] }] },
      "InvalidParameterValue",
      "Tag keys starting with 'aws:' are reserved for internal use",
    ],
    ["a ClientToken of 65 characters", { ClientToken: "t".repeat(65) }, "InvalidParameterValue", undefined],
    [
      "CommitmentDuration without StartDate",
      { CommitmentDuration: 3600 },
      "InvalidParameterCombination",
      "CommitmentDuration can only be specified with StartDate",
    ],
  ] as const)("refuses %s, making nothing", async (_name, input, code, message) => {
    const before = await emu.state();
    const error = await failure(create(input as Partial<CreateCapacityReservationCommandInput>));
    expect(error).toMatchObject({ code, status: 400 });
    if (message) expect(error.message).toBe(message);
    expect(await emu.state()).toEqual(before);
  });

  it("answers DryRun with DryRunOperation and makes nothing", async () => {
    const before = await emu.state();
    expect(await failure(create({ DryRun: true }))).toMatchObject({ code: "DryRunOperation", status: 412 });
    expect(await emu.state()).toEqual(before);
  });

  it("makes a future-dated reservation that reads scheduled until its StartDate", async () => {
    const startDate = new Date(Date.parse(NOW) + 10 * DAY);
    const made = (
      await create({
        InstanceMatchCriteria: "targeted",
        StartDate: startDate,
        CommitmentDuration: 14 * 24 * 3600,
        DeliveryPreference: "incremental",
      })
    ).CapacityReservation;
    const id = made?.CapacityReservationId ?? "";
    expect(made).toMatchObject({ State: "scheduled", StartDate: startDate, DeliveryPreference: "incremental" });
    expect(made?.CommitmentInfo).toMatchObject({ CommittedInstanceCount: 2, CommitmentDuration: 14 * 24 * 3600 });
    emu.clock.advance(10 * DAY - 1);
    expect(await stateOf(id)).toBe("scheduled");
    emu.clock.advance(1);
    expect(await stateOf(id)).toBe("active");
  });
});

describe("states over the clock", () => {
  it("reads pending for the provisioning time (set on the control plane), then active, in Describe and GetCapacityReservationUsage", async () => {
    const put = await raw(emu, {
      method: "PUT",
      path: "/_emulator/settings",
      contentType: "application/json",
      body: JSON.stringify({ provisioningSeconds: 30 }),
    });
    expect(put.status).toBe(200);
    const id = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    expect(await stateOf(id)).toBe("pending");
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ State: "pending", AvailableInstanceCount: 0 });
    const described = await client.send(new DescribeCapacityReservationsCommand({ Filters: [{ Name: "state", Values: ["pending"] }] }));
    expect(described.CapacityReservations?.map((r) => r.CapacityReservationId)).toEqual([id]);
    emu.clock.advance(29_999);
    expect(await stateOf(id)).toBe("pending");
    emu.clock.advance(1);
    expect(await stateOf(id)).toBe("active");
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ State: "active", AvailableInstanceCount: 2 });
  });

  it("expires a limited reservation exactly at its EndDate, and forgets it 24 hours later", async () => {
    const end = new Date(Date.parse(NOW) + HOUR);
    const id = (await create({ EndDateType: "limited", EndDate: end })).CapacityReservation?.CapacityReservationId ?? "";
    emu.clock.advance(HOUR - 1);
    expect(await stateOf(id)).toBe("active");
    emu.clock.advance(1);
    expect(await stateOf(id)).toBe("expired");
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ State: "expired", AvailableInstanceCount: 2 });
    emu.clock.advance(DAY);
    expect(await stateOf(id)).toBeUndefined();
    expect(await failure(usage(client, { CapacityReservationId: id }))).toMatchObject({ code: "InvalidCapacityReservationId.NotFound" });
  });

  it("keeps a cancelled reservation describable for 24 hours, then NotFound", async () => {
    const id = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    expect((await cancel(id)).Return).toBe(true);
    expect(await stateOf(id)).toBe("cancelled");
    expect(await usage(client, { CapacityReservationId: id })).toMatchObject({ State: "cancelled", AvailableInstanceCount: 2 });
    emu.clock.advance(DAY - 1);
    expect(await stateOf(id)).toBe("cancelled");
    emu.clock.advance(1);
    expect(await stateOf(id)).toBeUndefined();
    expect(await failure(cancel(id))).toMatchObject({ code: "InvalidCapacityReservationId.NotFound" });
  });

  it("moves a capacity block that pays at its provisionedDate through payment-pending, scheduled, active and expired", async () => {
    const at = (hours: number) => new Date(Date.parse(NOW) + hours * HOUR).toISOString();
    const block = "cr-0bbbbbbbbbbbbbbb1";
    await emu.load({
      capacityReservations: [
        {
          capacityReservationId: block,
          ownerId: OWNER,
          availabilityZone: "us-east-1a",
          instanceType: "p5.48xlarge",
          totalInstanceCount: 2,
          state: "payment-pending",
          reservationType: "capacity-block",
          createDate: NOW,
          provisionedDate: at(1),
          startDate: at(2),
          endDate: at(3),
          endDateType: "limited",
        },
      ],
    });
    const seen: [string | undefined, string | undefined, number | undefined][] = [];
    for (const hours of [0, 1, 2, 3]) {
      emu.clock.set(at(hours));
      const answer = await usage(client, { CapacityReservationId: block });
      seen.push([await stateOf(block), answer.State, answer.AvailableInstanceCount]);
    }
    expect(seen).toEqual([
      ["payment-pending", "payment-pending", 0],
      ["scheduled", "scheduled", 0],
      ["active", "active", 2],
      ["expired", "expired", 2],
    ]);
  });
});

describe("ClientToken", () => {
  it("answers a retry with the same token and parameters with the same reservation, creating nothing", async () => {
    const first = (await create({ ClientToken: "token-1" })).CapacityReservation;
    const again = (await create({ ClientToken: "token-1" })).CapacityReservation;
    expect(again?.CapacityReservationId).toBe(first?.CapacityReservationId);
    expect((await allOwned()).length).toBe(3);
  });

  it("refuses the same token with other parameters: IdempotentParameterMismatch", async () => {
    await create({ ClientToken: "token-2" });
    const before = await emu.state();
    expect(await failure(create({ ClientToken: "token-2", InstanceCount: 3 }))).toMatchObject({
      code: "IdempotentParameterMismatch",
      status: 400,
      message: "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).",
    });
    expect(await emu.state()).toEqual(before);
  });

  it("keeps tokens per account: another account's same token makes its own reservation", async () => {
    const mine = (await create({ ClientToken: "shared-token" })).CapacityReservation;
    const theirs = (await create({ ClientToken: "shared-token" }, sharee)).CapacityReservation;
    expect(theirs?.OwnerId).toBe(SHAREE);
    expect(theirs?.CapacityReservationId).not.toBe(mine?.CapacityReservationId);
  });

  it("makes exactly one reservation when the SDK retries a throttled Create with its own ClientToken", async () => {
    emu.faults.set([{ action: "CreateCapacityReservation", error: "RequestLimitExceeded", count: 1 }]);
    const retrying = new EC2Client({
      endpoint: emu.url,
      region: "us-east-1",
      credentials: { accessKeyId: OWNER, secretAccessKey: "x" },
      maxAttempts: 3,
    });
    // The SDK sends the same request, ClientToken included, on each attempt.
    const answer = await retrying.send(new CreateCapacityReservationCommand({ ...basic, ClientToken: "retried-token" }));
    expect(answer.$metadata.attempts).toBe(2);
    expect(emu.faults.get()[0]?.fired).toBe(1);
    const owned = await allOwned();
    expect(owned.length).toBe(3);
    expect(owned.map((r) => r.CapacityReservationId)).toContain(answer.CapacityReservation?.CapacityReservationId);
    const token = (await emu.state()).capacityReservations?.find(
      (r) => r.capacityReservationId === answer.CapacityReservation?.CapacityReservationId,
    )?.clientToken;
    expect(token).toBe("retried-token");
    retrying.destroy();
  });
});

describe("capacity pools", () => {
  const inPool = { AvailabilityZone: "us-east-1b", InstanceType: "c5.large" };

  it("refuses a Create with no room with InsufficientInstanceCapacity (500), and gives room back on cancel and on a lowered count", async () => {
    const a = (await create({ ...inPool, InstanceCount: 6 })).CapacityReservation?.CapacityReservationId ?? "";
    const before = await emu.state();
    const full = await failure(create({ ...inPool, InstanceCount: 5 }));
    expect(full).toMatchObject({ code: "InsufficientInstanceCapacity", status: 500, message: "Insufficient capacity." });
    expect(await emu.state()).toEqual(before);
    await create({ ...inPool, InstanceCount: 4 });
    expect(await failure(create({ ...inPool, InstanceCount: 1 }))).toMatchObject({ code: "InsufficientInstanceCapacity" });
    await modify({ CapacityReservationId: a, InstanceCount: 5 });
    await create({ ...inPool, InstanceCount: 1 });
    expect(await failure(modify({ CapacityReservationId: a, InstanceCount: 6 }))).toMatchObject({ code: "InsufficientInstanceCapacity" });
    await cancel(a);
    await create({ ...inPool, InstanceCount: 5 });
    // Another zone, or another type, has no pool: unlimited.
    await create({ AvailabilityZone: "us-east-1b", InstanceType: "c5.xlarge", InstanceCount: 1000 });
  });

  it("gives the room of an expired reservation back", async () => {
    await create({ ...inPool, InstanceCount: 10, EndDateType: "limited", EndDate: new Date(Date.parse(NOW) + HOUR) });
    expect(await failure(create({ ...inPool, InstanceCount: 1 }))).toMatchObject({ code: "InsufficientInstanceCapacity" });
    emu.clock.advance(HOUR);
    await create({ ...inPool, InstanceCount: 10 });
  });
});

describe("ModifyCapacityReservation", () => {
  it("changes the count and the end, and answers Return true", async () => {
    const id = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    const end = new Date(Date.parse(NOW) + DAY);
    expect((await modify({ CapacityReservationId: id, InstanceCount: 5, EndDateType: "limited", EndDate: end })).Return).toBe(true);
    expect(await describeOne(id)).toMatchObject({ TotalInstanceCount: 5, AvailableInstanceCount: 5, EndDateType: "limited", EndDate: end });
    await modify({ CapacityReservationId: id, EndDateType: "unlimited" });
    const unlimited = await describeOne(id);
    expect(unlimited?.EndDateType).toBe("unlimited");
    expect(unlimited?.EndDate).toBeUndefined();
  });

  it("refuses a count below the instances in use, and changes nothing", async () => {
    const before = await emu.state();
    expect(await failure(modify({ CapacityReservationId: IN_USE, InstanceCount: 2 }))).toMatchObject({
      code: "InvalidParameterValue",
      status: 400,
      message: `The instance count (2) cannot be less than the number of instances in use (3) in Capacity Reservation ${IN_USE}`,
    });
    expect(await emu.state()).toEqual(before);
    await modify({ CapacityReservationId: IN_USE, InstanceCount: 3 });
    expect(await describeOne(IN_USE)).toMatchObject({ TotalInstanceCount: 3, AvailableInstanceCount: 0 });
  });

  it("refuses to change the eligibility while instances use it", async () => {
    expect(await failure(modify({ CapacityReservationId: IN_USE, InstanceMatchCriteria: "targeted" }))).toMatchObject({
      code: "IncorrectState",
      message: `The instance eligibility of Capacity Reservation ${IN_USE} can only be changed while it is idle (zero usage)`,
    });
    const idle = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    await modify({ CapacityReservationId: idle, InstanceMatchCriteria: "targeted" });
    expect((await describeOne(idle))?.InstanceMatchCriteria).toBe("targeted");
  });

  it("refuses a pending one, a cancelled one, a Capacity Block, a consumer, an unknown and a malformed id", async () => {
    emu.settings.set({ provisioningSeconds: 60 });
    const pending = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    expect(await failure(modify({ CapacityReservationId: pending, InstanceCount: 3 }))).toMatchObject({
      code: "IncorrectState",
      message: `Capacity Reservation ${pending} is in the pending state and cannot be modified`,
    });
    emu.clock.advance(60_000);
    await cancel(pending);
    expect(await failure(modify({ CapacityReservationId: pending, InstanceCount: 3 }))).toMatchObject({
      code: "IncorrectState",
      message: `Capacity Reservation ${pending} is in the cancelled state and cannot be modified`,
    });
    expect(await failure(modify({ CapacityReservationId: BLOCK, InstanceCount: 2 }))).toMatchObject({
      code: "OperationNotPermitted",
      message: `Capacity Reservation ${BLOCK} is a Capacity Block, which cannot be modified or cancelled`,
    });
    expect(await failure(modify({ CapacityReservationId: IN_USE, InstanceCount: 11 }, sharee))).toMatchObject({
      code: "UnauthorizedOperation",
      status: 403,
    });
    expect(await failure(modify({ CapacityReservationId: "cr-0123456789abcdeff", InstanceCount: 1 }))).toMatchObject({
      code: "InvalidCapacityReservationId.NotFound",
      message: "The capacity reservation ID 'cr-0123456789abcdeff' does not exist",
    });
    expect(await failure(modify({ CapacityReservationId: "cr-nope", InstanceCount: 1 }))).toMatchObject({
      code: "InvalidCapacityReservationId.Malformed",
    });
    expect(await failure(modify({ CapacityReservationId: IN_USE, InstanceCount: 0 }))).toMatchObject({ code: "InvalidParameterValue" });
  });
});

describe("CancelCapacityReservation", () => {
  it("cancels once; a second cancel, a Capacity Block and a consumer are refused", async () => {
    const id = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    await cancel(id);
    expect(await failure(cancel(id))).toMatchObject({
      code: "IncorrectState",
      message: `Capacity Reservation ${id} is in the cancelled state and cannot be cancelled`,
    });
    expect(await failure(cancel(BLOCK))).toMatchObject({ code: "OperationNotPermitted" });
    expect(await failure(cancel(IN_USE, sharee))).toMatchObject({ code: "UnauthorizedOperation" });
    expect(await stateOf(IN_USE)).toBe("active");
  });

  it("answers DryRun for Modify, Cancel, CreateTags and DeleteTags with DryRunOperation, changing nothing", async () => {
    const before = await emu.state();
    for (const call of [
      modify({ CapacityReservationId: IN_USE, InstanceCount: 4, DryRun: true }),
      client.send(new CancelCapacityReservationCommand({ CapacityReservationId: IN_USE, DryRun: true })),
      client.send(new CreateTagsCommand({ Resources: [IN_USE], Tags: [{ Key: "a", Value: "b" }], DryRun: true })),
      client.send(new DeleteTagsCommand({ Resources: [IN_USE], DryRun: true })),
    ]) {
      expect(await failure(call)).toMatchObject({ code: "DryRunOperation", status: 412 });
    }
    expect(await emu.state()).toEqual(before);
  });

  it("cancels a future-dated one within its commitment only with commitment-wind-down: cancelling, then cancelled at its end", async () => {
    const startDate = Date.parse(NOW) + 10 * DAY;
    const commitment = 14 * 24 * 3600;
    const id =
      (
        await create({
          InstanceMatchCriteria: "targeted",
          StartDate: new Date(startDate),
          CommitmentDuration: commitment,
          DeliveryPreference: "incremental",
        })
      ).CapacityReservation?.CapacityReservationId ?? "";
    expect(await failure(cancel(id))).toMatchObject({ code: "IncorrectState" });
    await client.send(
      new CancelCapacityReservationCommand({ CapacityReservationId: id, ApplyCancellationCharges: "commitment-wind-down" }),
    );
    expect(await stateOf(id)).toBe("cancelling");
    emu.clock.set(new Date(startDate + commitment * 1000 - 1));
    expect(await stateOf(id)).toBe("cancelling");
    emu.clock.advance(1);
    expect(await stateOf(id)).toBe("cancelled");
  });

  it("counts nothing in use once cancelled, so all of it reads available (SPEC section 3, EC2's recorded answer)", async () => {
    await cancel(IN_USE);
    expect(await usage(client, { CapacityReservationId: IN_USE })).toMatchObject({
      State: "cancelled",
      AvailableInstanceCount: 10,
      InstanceUsages: [{ AccountId: OWNER, UsedInstanceCount: 0 }],
    });
  });
});

describe("CreateTags and DeleteTags", () => {
  const tag = (Resources: string[], Tags: { Key: string; Value?: string }[], as = client) =>
    as.send(new CreateTagsCommand({ Resources, Tags }));
  const untag = (Resources: string[], Tags?: { Key: string; Value?: string }[], as = client) =>
    as.send(new DeleteTagsCommand({ Resources, Tags }));

  it("tags a reservation for its owner, filterable with tag:KEY and tag-key, and deletes as the model says", async () => {
    const id = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    await tag([id, IN_USE], [{ Key: "env", Value: "test" }, { Key: "team" }]);
    expect((await describeOne(id))?.Tags).toEqual([{ Key: "env", Value: "test" }, { Key: "team", Value: "" }]);
    const byTag = await client.send(new DescribeCapacityReservationsCommand({ Filters: [{ Name: "tag:env", Values: ["test"] }] }));
    expect(byTag.CapacityReservations?.map((r) => r.CapacityReservationId).sort()).toEqual([IN_USE, id].sort());
    const byKey = await client.send(new DescribeCapacityReservationsCommand({ Filters: [{ Name: "tag-key", Values: ["team"] }] }));
    expect(byKey.CapacityReservations?.length).toBe(2);
    // The consumer sees none of the owner's tags, and may tag the shared one for itself.
    expect((await describeOne(IN_USE, sharee))?.Tags).toEqual([]);
    await tag([IN_USE], [{ Key: "mine", Value: "yes" }], sharee);
    expect((await describeOne(IN_USE, sharee))?.Tags).toEqual([{ Key: "mine", Value: "yes" }]);
    expect((await describeOne(IN_USE))?.Tags?.map((t) => t.Key)).toEqual(["env", "team"]);

    await untag([id], [{ Key: "env", Value: "other" }]);
    expect((await describeOne(id))?.Tags?.length).toBe(2);
    await untag([id], [{ Key: "env" }]);
    expect((await describeOne(id))?.Tags).toEqual([{ Key: "team", Value: "" }]);
    await untag([IN_USE]);
    expect((await describeOne(IN_USE))?.Tags).toEqual([]);
    await tag([id], [{ Key: "team", Value: "ml" }]);
    expect((await describeOne(id))?.Tags).toEqual([{ Key: "team", Value: "ml" }]);
  });

  it("refuses unknown, malformed and instance ids, aws: keys and the 51st tag, changing nothing", async () => {
    const id = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await tag([IN_USE], fifty);
    const before = await emu.state();
    expect(await failure(tag([id, IN_USE], [{ Key: "one-more", Value: "v" }]))).toMatchObject({
      code: "TagLimitExceeded",
      message: "The maximum number of Tags for a resource has been reached.",
    });
    expect(await failure(tag([id, "cr-0123456789abcdeff"], [{ Key: "a", Value: "b" }]))).toMatchObject({
      code: "InvalidCapacityReservationId.NotFound",
    });
    expect(await failure(tag([id, "i-0123456789abcdef0"], [{ Key: "a", Value: "b" }]))).toMatchObject({
      code: "InvalidInstanceID.NotFound",
      message: "The instance ID 'i-0123456789abcdef0' does not exist",
    });
    expect(await failure(tag(["vol-12"], [{ Key: "a", Value: "b" }]))).toMatchObject({ code: "InvalidID", message: "The ID 'vol-12' is not valid" });
    expect(await failure(tag([id], [{ Key: "aws:cloudformation:stack", Value: "b" }]))).toMatchObject({
      code: "InvalidParameterValue",
      message: "Tag keys starting with 'aws:' are reserved for internal use",
    });
    expect(await failure(untag([id], [{ Key: "AWS:x" }]))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await failure(tag([id], [{ Key: "k".repeat(129), Value: "b" }]))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await failure(tag([id], [{ Key: "a", Value: "v".repeat(257) }]))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await failure(tag([id], [{ Key: "a", Value: "🚀".repeat(257) }]))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await failure(tag([id], [{ Key: "🚀".repeat(129), Value: "b" }]))).toMatchObject({ code: "InvalidParameterValue" });
    expect(await emu.state()).toEqual(before);
  });

  it("counts a tag's length in characters as EC2 does, an emoji as one (JavaScript's length counts two)", async () => {
    const id = (await create()).CapacityReservation?.CapacityReservationId ?? "";
    const tags = [{ Key: "🚀".repeat(128), Value: "🌍".repeat(256) }];
    await tag([id], tags);
    expect((await describeOne(id))?.Tags).toEqual(tags);
    // The state it leaves loads back: the fixture checks count the same way.
    const fresh = await start({ fixtures: [await emu.state()] });
    await fresh.close();
  });
});

describe("settings, reset and the dump", () => {
  it("answers GET and PUT /_emulator/settings, refusing a bad body whole", async () => {
    const get = async () => JSON.parse((await raw(emu, { method: "GET", path: "/_emulator/settings", contentType: null })).text);
    expect(await get()).toEqual({ provisioningSeconds: 0, instanceTransitionSeconds: 0 });
    const put = (body: unknown) =>
      raw(emu, { method: "PUT", path: "/_emulator/settings", contentType: "application/json", body: JSON.stringify(body) });
    expect((await put({ instanceTransitionSeconds: 5 })).status).toBe(200);
    expect(await get()).toEqual({ provisioningSeconds: 0, instanceTransitionSeconds: 5 });
    for (const bad of [{ provisioningSeconds: 10, instanceTransitionSeconds: -1 }, { provisioningSeconds: "10" }, { other: 1 }, [1]]) {
      const refused = await put(bad);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text).error).toBe("InvalidSettings");
    }
    expect(await get()).toEqual({ provisioningSeconds: 0, instanceTransitionSeconds: 5 });
    await raw(emu, { path: "/_emulator/reset", contentType: null });
    expect(await get()).toEqual({ provisioningSeconds: 0, instanceTransitionSeconds: 5 });
    emu.settings.set({ instanceTransitionSeconds: 0 });
  });

  it("resets to the start state, and a dump loads into a fresh emulator with the same answers", async () => {
    emu.settings.set({ provisioningSeconds: 120 });
    const pending = (await create({ ClientToken: "dumped", TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "k", Value: "v" }] }] }))
      .CapacityReservation?.CapacityReservationId ?? "";
    const cancelled = (await create({ AvailabilityZone: "us-east-1b", InstanceType: "c5.large", InstanceCount: 4 })).CapacityReservation
      ?.CapacityReservationId ?? "";
    emu.clock.advance(120_000);
    await cancel(cancelled);
    emu.clock.set(NOW);
    const dump = await emu.state();
    const copy = await start({ fixtures: [dump], clock: NOW });
    try {
      const other = ec2(copy, OWNER);
      const all = async (c: EC2Client) => (await c.send(new DescribeCapacityReservationsCommand({}))).CapacityReservations;
      expect(await all(other)).toEqual(await all(client));
      for (const at of [60_000, 120_000, DAY + 120_000]) {
        emu.clock.set(new Date(Date.parse(NOW) + at));
        copy.clock.set(new Date(Date.parse(NOW) + at));
        expect(await all(other)).toEqual(await all(client));
      }
      emu.clock.set(NOW);
      copy.clock.set(NOW);
      // The token and the pool came along.
      const again = await other.send(
        new CreateCapacityReservationCommand({ ...basic, ClientToken: "dumped", TagSpecifications: [{ ResourceType: "capacity-reservation", Tags: [{ Key: "k", Value: "v" }] }] }),
      );
      expect(again.CapacityReservation?.CapacityReservationId).toBe(pending);
      expect(await failure(other.send(new CreateCapacityReservationCommand({ ...basic, AvailabilityZone: "us-east-1b", InstanceType: "c5.large", InstanceCount: 11 })))).toMatchObject({
        code: "InsufficientInstanceCapacity",
      });
      other.destroy();
    } finally {
      await copy.close();
    }
    await emu.reset();
    expect(await stateOf(pending)).toBeUndefined();
    expect((await emu.state()).capacityReservations?.length).toBe(2);
  });
});
