// Issue 21, item 6: under strict auth, every action refuses another account's or region's resource exactly as it refuses one that does not exist.

import {
  CancelCapacityReservationCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  EC2Client,
  GetCapacityReservationUsageCommand,
  ModifyCapacityReservationCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { failure, start } from "./support.js";

const MINE = "111122223333";
const THEIRS = "444455556666";
const MINE_KEY = { accessKeyId: "AKIAMINE000000000001", secretAccessKey: "mine-secret" };
const THEIRS_KEY = { accessKeyId: "AKIATHEIRS0000000002", secretAccessKey: "theirs-secret" };

const reservation = (id: string, zone: string, sharedWith?: string[]) => ({
  capacityReservationId: id,
  ownerId: THEIRS,
  availabilityZone: zone,
  instanceType: "m5.large",
  totalInstanceCount: 4,
  state: "active" as const,
  ...(sharedWith ? { sharedWith } : {}),
});

/** Resources the caller (MINE, in us-east-1) must not learn anything about, by what makes them hidden. */
const HIDDEN_RESERVATIONS: Record<string, string> = {
  "another account's, in another region, not shared": "cr-0aaaaaaaaaaaaaaa1",
  "another account's, in the caller's region, not shared": "cr-0aaaaaaaaaaaaaaa2",
  "shared with the caller, in another region": "cr-0aaaaaaaaaaaaaaa3",
};
const HIDDEN_INSTANCES: Record<string, string> = {
  "another account's, in the caller's region": "i-0bbbbbbbbbbbbbbb1",
  "another account's, in another region": "i-0bbbbbbbbbbbbbbb2",
};
/** Well-formed ids nothing has. */
const NO_RESERVATION = "cr-0fffffffffffffff0";
const NO_INSTANCE = "i-0fffffffffffffff0";

const FIXTURES: FixtureDocument = {
  accounts: [
    { accountId: MINE, accessKeys: [MINE_KEY] },
    { accountId: THEIRS, accessKeys: [THEIRS_KEY] },
  ],
  capacityReservations: [
    reservation("cr-0aaaaaaaaaaaaaaa1", "eu-west-1a"),
    reservation("cr-0aaaaaaaaaaaaaaa2", "us-east-1b"),
    reservation("cr-0aaaaaaaaaaaaaaa3", "eu-west-1b", [MINE]),
  ],
  instances: [
    { instanceId: "i-0bbbbbbbbbbbbbbb1", ownerId: THEIRS, imageId: "ami-0123456789abcdef0", instanceType: "m5.large", availabilityZone: "us-east-1b", state: "running" },
    { instanceId: "i-0bbbbbbbbbbbbbbb2", ownerId: THEIRS, imageId: "ami-0123456789abcdef0", instanceType: "m5.large", availabilityZone: "eu-west-1a", state: "running" },
  ],
};

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({ auth: "strict", fixtures: [FIXTURES] });
  client = new EC2Client({ endpoint: emu.url, region: "us-east-1", credentials: MINE_KEY, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await emu.close();
});

/** The refusal a call gives, with the id it was given written as ID: what the caller learns. */
async function learned(call: (id: string) => Promise<unknown>, id: string): Promise<{ code: string; status?: number; message: string }> {
  const { code, status, message } = await failure(call(id));
  return { code, status, message: message.split(id).join("ID") };
}

const RESERVATION_CALLS: Record<string, (id: string) => Promise<unknown>> = {
  GetCapacityReservationUsage: (id) => client.send(new GetCapacityReservationUsageCommand({ CapacityReservationId: id })),
  DescribeCapacityReservations: (id) => client.send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] })),
  ModifyCapacityReservation: (id) => client.send(new ModifyCapacityReservationCommand({ CapacityReservationId: id, InstanceCount: 1 })),
  CancelCapacityReservation: (id) => client.send(new CancelCapacityReservationCommand({ CapacityReservationId: id })),
  CreateTags: (id) => client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "k", Value: "v" }] })),
  DeleteTags: (id) => client.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: "k" }] })),
  "RunInstances targeting it": (id) =>
    client.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "m5.large",
        MinCount: 1,
        MaxCount: 1,
        CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } },
      }),
    ),
  "RunInstances targeting it in a zone": (id) =>
    client.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "m5.large",
        MinCount: 1,
        MaxCount: 1,
        Placement: { AvailabilityZone: "us-east-1b" },
        CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } },
      }),
    ),
  "RunInstances targeting it as a capacity block": (id) =>
    client.send(
      new RunInstancesCommand({
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "m5.large",
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: { MarketType: "capacity-block" },
        CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: id } },
      }),
    ),
};

const INSTANCE_CALLS: Record<string, (id: string) => Promise<unknown>> = {
  DescribeInstances: (id) => client.send(new DescribeInstancesCommand({ InstanceIds: [id] })),
  StartInstances: (id) => client.send(new StartInstancesCommand({ InstanceIds: [id] })),
  StopInstances: (id) => client.send(new StopInstancesCommand({ InstanceIds: [id] })),
  TerminateInstances: (id) => client.send(new TerminateInstancesCommand({ InstanceIds: [id] })),
  CreateTags: (id) => client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: "k", Value: "v" }] })),
  DeleteTags: (id) => client.send(new DeleteTagsCommand({ Resources: [id], Tags: [{ Key: "k" }] })),
};

const cases = <T>(calls: Record<string, T>, hidden: Record<string, string>): [string, string, T, string][] =>
  Object.entries(calls).flatMap(([action, call]) => Object.entries(hidden).map(([what, id]): [string, string, T, string] => [action, what, call, id]));

describe("refusals tell nothing of what the caller cannot see (issue 21, item 6; SPEC section 15)", () => {
  it.each(cases(RESERVATION_CALLS, HIDDEN_RESERVATIONS))("%s refuses a reservation %s as one that does not exist", async (_action, _what, call, id) => {
    const hidden = await learned(call, id);
    expect(hidden).toEqual(await learned(call, NO_RESERVATION));
    expect(hidden.code).toMatch(/NotFound$/);
    expect(hidden.message).not.toMatch(/eu-west|us-east-1b|444455556666/);
  });

  it.each(cases(INSTANCE_CALLS, HIDDEN_INSTANCES))("%s refuses an instance %s as one that does not exist", async (_action, _what, call, id) => {
    const hidden = await learned(call, id);
    expect(hidden).toEqual(await learned(call, NO_INSTANCE));
    expect(hidden.code).toMatch(/NotFound$/);
    expect(hidden.message).not.toMatch(/eu-west|us-east-1b|444455556666/);
  });

  it("still lets the owner use its reservation in its own region (the refusals above are not a refusal of everything)", async () => {
    const theirs = new EC2Client({ endpoint: emu.url, region: "us-east-1", credentials: THEIRS_KEY, maxAttempts: 1 });
    const out = await theirs.send(new GetCapacityReservationUsageCommand({ CapacityReservationId: "cr-0aaaaaaaaaaaaaaa2" }));
    theirs.destroy();
    expect(out.TotalInstanceCount).toBe(4);
  });
});
