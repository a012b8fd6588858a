// RunInstances, DescribeInstances, Start/Stop/TerminateInstances through the real JS SDK v3 client: SPEC section 11's rules, checked against usage after every step.

import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import type { FixtureDocument } from "../src/index.js";
import { INSTANCE_FILTERS } from "../src/domain/instanceFilters.js";
import { ec2, failure, instanceFixture, instanceIdsOf, OWNER, OWNER_KEY, runInstances, sharedEmulator, SHAREE, SHAREE_KEY, start, targeting, usage } from "./support.js";

const TARGETED = "cr-0a00000000000000a"; // m5.large, us-east-1a, targeted, 2
const OPEN = "cr-0b00000000000000b"; // c5.large, us-east-1a, open, 2, shared with SHAREE
const BLOCK_1 = "cr-0c00000000000000c"; // p5.48xlarge capacity block, 1
const BLOCK_2 = "cr-0d00000000000000d"; // p5.48xlarge capacity block, 1
const EXPIRING = "cr-0e00000000000000e"; // r5.large open, 1, ends 2026-01-02
const NOW = "2026-01-01T00:00:00.000Z";

const reservation = (id: string, instanceType: string, total: number, more: object = {}) => ({
  capacityReservationId: id,
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType,
  totalInstanceCount: total,
  state: "active" as const,
  createDate: "2025-12-01T00:00:00Z",
  ...more,
});

const FIXTURE: FixtureDocument = {
  accounts: [
    { accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: "s" }] },
    { accountId: SHAREE, accessKeys: [{ accessKeyId: SHAREE_KEY, secretAccessKey: "s" }] },
  ],
  capacityReservations: [
    reservation(TARGETED, "m5.large", 2, { instanceMatchCriteria: "targeted" }),
    reservation(OPEN, "c5.large", 2, { sharedWith: [SHAREE] }),
    ...[BLOCK_1, BLOCK_2].map((id) =>
      reservation(id, "p5.48xlarge", 1, {
        reservationType: "capacity-block",
        instanceMatchCriteria: "targeted",
        endDateType: "limited",
        endDate: "2026-02-01T00:00:00Z",
      }),
    ),
    reservation(EXPIRING, "r5.large", 1, { endDateType: "limited", endDate: "2026-01-02T00:00:00Z" }),
  ],
};

const shared = sharedEmulator({ fixtures: [FIXTURE], clock: NOW });

const run = (input: Partial<RunInstancesCommandInput>, on: EC2Client = shared.client) => runInstances(on, input);

/** Where each of the caller's described instances runs, by id (undefined: outside any reservation). */
async function placements(on: EC2Client = shared.client): Promise<Map<string, string | undefined>> {
  const out = await on.send(new DescribeInstancesCommand({}));
  const map = new Map<string, string | undefined>();
  for (const r of out.Reservations ?? []) for (const i of r.Instances ?? []) map.set(i.InstanceId ?? "", i.CapacityReservationId);
  return map;
}

/** The reservation's numbers through GetCapacityReservationUsage, checked against the instances DescribeInstances places in it. */
async function counts(id: string): Promise<{ available: number; owner: number }> {
  const out = await usage(shared.client, { CapacityReservationId: id });
  const owner = out.InstanceUsages?.find((u) => u.AccountId === OWNER)?.UsedInstanceCount ?? 0;
  const used = (out.InstanceUsages ?? []).reduce((sum, u) => sum + (u.UsedInstanceCount ?? 0), 0);
  if (out.State === "active") expect((out.AvailableInstanceCount ?? 0) + used).toBe(out.TotalInstanceCount);
  const described = [...(await placements()).values()].filter((held) => held === id).length;
  expect(owner).toBe(described);
  return { available: out.AvailableInstanceCount ?? 0, owner };
}

describe("a targeted launch until the reservation is full", () => {
  it("fills the reservation, then refuses with ReservationCapacityExceeded; MinCount..MaxCount launches what fits", async () => {
    const first = await run(targeting(TARGETED));
    expect(first.Instances?.[0]?.CapacityReservationId).toBe(TARGETED);
    // The launch answers pending (SPEC section 11, as EC2's recorded answers do); the next read shows running.
    expect(first.Instances?.[0]?.State?.Name).toBe("pending");
    expect(await counts(TARGETED)).toEqual({ available: 1, owner: 1 });

    const tooMany = await failure(run({ ...targeting(TARGETED), MinCount: 2, MaxCount: 2 }));
    expect(tooMany).toMatchObject({
      code: "ReservationCapacityExceeded",
      status: 400,
      message: "The requested reservation does not have sufficient compatible and available capacity for this request.",
    });
    expect(await counts(TARGETED)).toEqual({ available: 1, owner: 1 });

    const fit = await run({ ...targeting(TARGETED), MinCount: 1, MaxCount: 5 });
    expect(fit.Instances).toHaveLength(1);
    expect(await counts(TARGETED)).toEqual({ available: 0, owner: 2 });
    expect((await failure(run(targeting(TARGETED)))).code).toBe("ReservationCapacityExceeded");
  });

  it("refuses a mismatch, a target with preference open, and an unknown target", async () => {
    expect((await failure(run({ ...targeting(TARGETED), InstanceType: "m5.xlarge" }))).code).toBe("ReservationCapacityExceeded");
    expect(await failure(run({ ...targeting(TARGETED), Placement: { AvailabilityZone: "us-east-1b" } }))).toMatchObject({
      code: "ReservationCapacityExceeded",
    });
    const both = await failure(
      run({
        CapacityReservationSpecification: {
          CapacityReservationPreference: "open",
          CapacityReservationTarget: { CapacityReservationId: TARGETED },
        },
      }),
    );
    expect(both).toMatchObject({
      code: "InvalidParameterCombination",
      message: "The request can include either a CapacityReservationId or a CapacityReservationPreference but not both.",
    });
    expect((await failure(run(targeting("cr-0ffffffffffffffff")))).code).toBe("InvalidCapacityReservationId.NotFound");
    expect((await failure(run(targeting("cr-bad")))).code).toBe("InvalidCapacityReservationId.Malformed");
    expect(await counts(TARGETED)).toEqual({ available: 2, owner: 0 });
    expect(await placements()).toEqual(new Map());
  });

  it("a replacement launched before its predecessor is terminated hits ReservationCapacityExceeded", async () => {
    const old = instanceIdsOf(await run({ ...targeting(TARGETED), MinCount: 2, MaxCount: 2 }));
    expect((await failure(run(targeting(TARGETED)))).code).toBe("ReservationCapacityExceeded");
    const terminated = await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [old[0] ?? ""] }));
    expect(terminated.TerminatingInstances?.[0]).toMatchObject({
      PreviousState: { Name: "running", Code: 16 },
      CurrentState: { Name: "shutting-down", Code: 32 },
    });
    expect(await counts(TARGETED)).toEqual({ available: 1, owner: 1 });
    expect((await run(targeting(TARGETED))).Instances?.[0]?.CapacityReservationId).toBe(TARGETED);
    expect(await counts(TARGETED)).toEqual({ available: 0, owner: 2 });
  });
});

describe("open reservations", () => {
  it("a launch with preference none leaves an open reservation idle; an open one goes in", async () => {
    const none = await run({ InstanceType: "c5.large", CapacityReservationSpecification: { CapacityReservationPreference: "none" } });
    expect(none.Instances?.[0]?.CapacityReservationId).toBeUndefined();
    expect(none.Instances?.[0]?.CapacityReservationSpecification?.CapacityReservationPreference).toBe("none");
    expect(await counts(OPEN)).toEqual({ available: 2, owner: 0 });
    const open = await run({ InstanceType: "c5.large" });
    expect(open.Instances?.[0]?.CapacityReservationId).toBe(OPEN);
    expect(await counts(OPEN)).toEqual({ available: 1, owner: 1 });
  });

  it("takes in running instances outside it, oldest first, when a place is given back", async () => {
    const inside = instanceIdsOf(await run({ InstanceType: "c5.large", MinCount: 2, MaxCount: 2 }));
    expect(await counts(OPEN)).toEqual({ available: 0, owner: 2 });
    const outside = instanceIdsOf(await run({ InstanceType: "c5.large" }));
    await shared.emu.clock.advance(1000);
    const newer = instanceIdsOf(await run({ InstanceType: "c5.large" }));
    expect((await placements()).get(outside[0] ?? "")).toBeUndefined();
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [inside[0] ?? ""] }));
    const now = await placements();
    expect(now.get(outside[0] ?? "")).toBe(OPEN);
    expect(now.get(newer[0] ?? "")).toBeUndefined();
    expect(now.get(inside[0] ?? "")).toBeUndefined();
    expect(await counts(OPEN)).toEqual({ available: 0, owner: 2 });
  });

  it("a shared open reservation takes the consumer's launch, counted in the consumer's row", async () => {
    const sharee = ec2(shared.emu, SHAREE_KEY);
    const out = await run({ InstanceType: "c5.large" }, sharee);
    expect(out.Instances?.[0]?.CapacityReservationId).toBe(OPEN);
    const owner = await usage(shared.client, { CapacityReservationId: OPEN });
    expect(owner.InstanceUsages).toEqual([
      { AccountId: OWNER, UsedInstanceCount: 0 },
      { AccountId: SHAREE, UsedInstanceCount: 1 },
    ]);
    expect(owner.AvailableInstanceCount).toBe(1);
    expect(await placements()).toEqual(new Map());
  });

  it("capacity-reservations-only without a target: an open match, else ReservationCapacityExceeded", async () => {
    const only = { CapacityReservationSpecification: { CapacityReservationPreference: "capacity-reservations-only" as const } };
    expect((await run({ InstanceType: "c5.large", ...only, MaxCount: 5 })).Instances).toHaveLength(2);
    expect((await failure(run({ InstanceType: "c5.large", ...only }))).code).toBe("ReservationCapacityExceeded");
    expect((await failure(run({ InstanceType: "t3.micro", ...only }))).code).toBe("ReservationCapacityExceeded");
    expect(await counts(OPEN)).toEqual({ available: 0, owner: 2 });
  });

  it("an expired reservation lets its instances run on outside it", async () => {
    const id = instanceIdsOf(await run({ InstanceType: "r5.large" }))[0] ?? "";
    expect((await placements()).get(id)).toBe(EXPIRING);
    await shared.emu.clock.set("2026-01-03T00:00:00Z");
    expect((await placements()).get(id)).toBeUndefined();
    const out = await usage(shared.client, { CapacityReservationId: EXPIRING });
    expect(out.State).toBe("expired");
    // Nothing is used in a reservation that ended (SPEC section 3): its one place reads available.
    expect(out.AvailableInstanceCount).toBe(1);
    expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 0 }]);
    // It runs on outside any reservation: stopping it and starting it again changes nothing else.
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    await shared.client.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect((await placements()).get(id)).toBeUndefined();
  });
});

describe("the control plane at the clock", () => {
  it("the state dump and health show what the clock made of the instances, with no EC2 call between", async () => {
    const id = instanceIdsOf(await run({ InstanceType: "r5.large" }))[0] ?? "";
    const health = async () =>
      ((await (await fetch(`${shared.emu.url}/_emulator/health`)).json()) as { loaded: { instancesInUse: number } }).loaded;
    expect((await health()).instancesInUse).toBe(1);
    await shared.emu.clock.set("2026-01-03T00:00:00Z");
    expect((await health()).instancesInUse).toBe(0);
    const streamed = (await (await fetch(`${shared.emu.url}/_emulator/state`)).json()) as FixtureDocument;
    for (const dump of [streamed, await shared.emu.state()]) {
      const instance = dump.instances?.find((i) => i.instanceId === id);
      expect(instance).toMatchObject({ state: "running" });
      expect(instance?.capacityReservationId).toBeUndefined();
    }
  });
});

describe("capacity blocks", () => {
  it("two capacity blocks of one type are filled in turn", async () => {
    const block = (id: string) => ({
      InstanceType: "p5.48xlarge" as const,
      InstanceMarketOptions: { MarketType: "capacity-block" as const },
      ...targeting(id),
    });
    const first = await run(block(BLOCK_1));
    expect(first.Instances?.[0]).toMatchObject({ CapacityReservationId: BLOCK_1, InstanceLifecycle: "capacity-block" });
    expect((await failure(run(block(BLOCK_1)))).code).toBe("ReservationCapacityExceeded");
    expect((await run(block(BLOCK_2))).Instances?.[0]?.CapacityReservationId).toBe(BLOCK_2);
    expect(await counts(BLOCK_1)).toEqual({ available: 0, owner: 1 });
    expect(await counts(BLOCK_2)).toEqual({ available: 0, owner: 1 });
    expect((await failure(run({ ...targeting(BLOCK_1), InstanceType: "p5.48xlarge" }))).code).toBe(
      "InvalidParameterCombination",
    );
    expect(
      (await failure(run({ InstanceType: "p5.48xlarge", InstanceMarketOptions: { MarketType: "capacity-block" } }))).code,
    ).toBe("MissingParameter");
  });
});

describe("a capacity block's end", () => {
  it("terminates the instances running in it, as EC2 does, and they stay described as terminated for an hour", async () => {
    const block = { InstanceType: "p5.48xlarge" as const, InstanceMarketOptions: { MarketType: "capacity-block" as const } };
    const id = instanceIdsOf(await run({ ...block, ...targeting(BLOCK_1) }))[0] ?? "";
    await shared.emu.clock.set("2026-02-01T00:30:00Z");
    const described = await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const instance = described.Reservations?.[0]?.Instances?.[0];
    expect(instance?.State).toEqual({ Name: "terminated", Code: 48 });
    expect(instance?.CapacityReservationId).toBeUndefined();
    const out = await usage(shared.client, { CapacityReservationId: BLOCK_1 });
    expect(out).toMatchObject({ State: "expired", AvailableInstanceCount: 1 });
    expect(out.InstanceUsages).toEqual([{ AccountId: OWNER, UsedInstanceCount: 0 }]);
    expect((await shared.emu.state()).instances).toContainEqual(expect.objectContaining({ instanceId: id, state: "terminated" }));
    expect((await failure(shared.client.send(new StartInstancesCommand({ InstanceIds: [id] })))).code).toBe("IncorrectInstanceState");
    // Terminated at the block's end: no longer described an hour after it.
    await shared.emu.clock.set("2026-02-01T01:00:00Z");
    expect((await failure(shared.client.send(new DescribeInstancesCommand({ InstanceIds: [id] })))).code).toBe(
      "InvalidInstanceID.NotFound",
    );
  });
});

describe("stop, start and terminate", () => {
  it("stop gives the place back, start re-enters, and a full targeted reservation refuses the start", async () => {
    const [a = "", b = ""] = instanceIdsOf(await run({ ...targeting(TARGETED), MinCount: 2, MaxCount: 2 }));
    const stopped = await shared.client.send(new StopInstancesCommand({ InstanceIds: [a] }));
    expect(stopped.StoppingInstances?.[0]?.CurrentState?.Name).toBe("stopping");
    expect(await counts(TARGETED)).toEqual({ available: 1, owner: 1 });
    const described = await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [a] }));
    expect(described.Reservations?.[0]?.Instances?.[0]).toMatchObject({
      State: { Name: "stopped", Code: 80 },
      CapacityReservationSpecification: { CapacityReservationTarget: { CapacityReservationId: TARGETED } },
    });
    expect(described.Reservations?.[0]?.Instances?.[0]?.CapacityReservationId).toBeUndefined();

    const replacement = instanceIdsOf(await run(targeting(TARGETED)));
    expect((await failure(shared.client.send(new StartInstancesCommand({ InstanceIds: [a] }))))).toMatchObject({
      code: "ReservationCapacityExceeded",
    });
    expect(await counts(TARGETED)).toEqual({ available: 0, owner: 2 });
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: replacement }));
    const started = await shared.client.send(new StartInstancesCommand({ InstanceIds: [a] }));
    expect(started.StartingInstances?.[0]).toMatchObject({ PreviousState: { Name: "stopped" }, CurrentState: { Name: "pending" } });
    expect((await placements()).get(a)).toBe(TARGETED);
    expect((await placements()).get(b)).toBe(TARGETED);
    expect(await counts(TARGETED)).toEqual({ available: 0, owner: 2 });
  });

  it("refuses what EC2 refuses, all or nothing", async () => {
    const [a = ""] = instanceIdsOf(await run(targeting(TARGETED)));
    expect(await failure(shared.client.send(new StartInstancesCommand({ InstanceIds: ["i-0123"] })))).toMatchObject({
      code: "InvalidInstanceID.Malformed",
      message: 'Invalid id: "i-0123"',
    });
    expect(
      await failure(shared.client.send(new StopInstancesCommand({ InstanceIds: [a, "i-0ffffffffffffffff"] }))),
    ).toMatchObject({ code: "InvalidInstanceID.NotFound", message: "The instance ID 'i-0ffffffffffffffff' does not exist" });
    expect((await placements()).get(a)).toBe(TARGETED);
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [a] }));
    expect(await failure(shared.client.send(new StartInstancesCommand({ InstanceIds: [a] })))).toMatchObject({
      code: "IncorrectInstanceState",
      message: `The instance '${a}' is not in a state from which it can be started.`,
    });
    // Terminating again succeeds.
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [a] }));
    // Another account does not see it.
    expect((await failure(ec2(shared.emu, SHAREE_KEY).send(new StopInstancesCommand({ InstanceIds: [a] })))).code).toBe(
      "InvalidInstanceID.NotFound",
    );
  });

  it("a terminated instance is described for one hour, then not at all", async () => {
    const [a = ""] = instanceIdsOf(await run({}));
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [a] }));
    await shared.emu.clock.advance(59 * 60 * 1000);
    expect((await placements()).has(a)).toBe(true);
    await shared.emu.clock.advance(60 * 1000);
    expect((await placements()).has(a)).toBe(false);
    expect((await failure(shared.client.send(new DescribeInstancesCommand({ InstanceIds: [a] })))).code).toBe(
      "InvalidInstanceID.NotFound",
    );
  });
});

describe("DescribeInstances", () => {
  it("groups by launch, filters, pages, and refuses ids with MaxResults", async () => {
    await run({ ...targeting(TARGETED), MinCount: 2, MaxCount: 2, TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "team", Value: "ml" }] }] });
    await run({ InstanceType: "c5.large", MinCount: 3, MaxCount: 3 });
    const all = await shared.client.send(new DescribeInstancesCommand({}));
    expect(all.Reservations?.map((r) => r.Instances?.length).sort()).toEqual([2, 3]);
    expect(all.Reservations?.every((r) => r.OwnerId === OWNER && r.ReservationId?.startsWith("r-"))).toBe(true);

    const filtered = async (Name: string, Values: string[]) =>
      (await shared.client.send(new DescribeInstancesCommand({ Filters: [{ Name, Values }] }))).Reservations?.flatMap(
        (r) => r.Instances ?? [],
      ) ?? [];
    expect(await filtered("capacity-reservation-id", [TARGETED])).toHaveLength(2);
    expect(await filtered("capacity-reservation-id", [OPEN])).toHaveLength(2);
    expect(await filtered("tag:team", ["ml"])).toHaveLength(2);
    expect(await filtered("tag-key", ["team"])).toHaveLength(2);
    expect(await filtered("instance-type", ["c5.*"])).toHaveLength(3);
    expect(await filtered("instance-state-name", ["running"])).toHaveLength(5);
    expect(await filtered("availability-zone", ["us-east-1a"])).toHaveLength(5);
    expect(await filtered("owner-id", [OWNER])).toHaveLength(5);
    expect((await failure(filtered("no-such-filter", ["x"]))).message).toBe("The filter 'no-such-filter' is invalid");

    const first = await shared.client.send(new DescribeInstancesCommand({ MaxResults: 5, Filters: [{ Name: "instance-state-name", Values: ["running"] }] }));
    expect(first.NextToken).toBeUndefined();
    await run({ InstanceType: "t3.micro", MinCount: 4, MaxCount: 4 });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await shared.client.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: token }));
      seen.push(...(page.Reservations ?? []).flatMap((r) => instanceIdsOf(r)));
      token = page.NextToken;
    } while (token);
    expect(new Set(seen).size).toBe(9);
    expect(seen).toHaveLength(9);

    const combination = await failure(shared.client.send(new DescribeInstancesCommand({ InstanceIds: [seen[0] ?? ""], MaxResults: 5 })));
    expect(combination).toMatchObject({
      code: "InvalidParameterCombination",
      message: "The parameter instancesSet cannot be used with the parameter maxResults",
    });
    expect((await failure(shared.client.send(new DescribeInstancesCommand({ MaxResults: 4 })))).code).toBe("InvalidParameterValue");
  });

  it("answers a ClientToken again with the same launch, and refuses it with other parameters", async () => {
    const once = await run({ InstanceType: "c5.large", ClientToken: "token-1" });
    const again = await run({ InstanceType: "c5.large", ClientToken: "token-1" });
    expect(again.ReservationId).toBe(once.ReservationId);
    expect(instanceIdsOf(again)).toEqual(instanceIdsOf(once));
    expect(await counts(OPEN)).toEqual({ available: 1, owner: 1 });
    expect(await failure(run({ InstanceType: "c5.large", MaxCount: 2, ClientToken: "token-1" }))).toMatchObject({
      code: "IdempotentParameterMismatch",
    });
  });

  it("refuses a ClientToken over 64 ASCII characters, as CreateCapacityReservation does, launching nothing", async () => {
    for (const token of ["t".repeat(65), "é"]) {
      expect(await failure(run({ InstanceType: "c5.large", ClientToken: token }))).toMatchObject({
        code: "InvalidParameterValue",
        status: 400,
        message: `Value (${token}) for parameter ClientToken is invalid. It must be at most 64 ASCII characters`,
      });
    }
    expect(await counts(OPEN)).toEqual({ available: 2, owner: 0 });
    expect(instanceIdsOf(await run({ InstanceType: "c5.large", ClientToken: "t".repeat(64) }))).toHaveLength(1);
  });
});

describe("DescribeInstances' documented filters", () => {
  /** Three launches: 2 targeted and tagged, 3 open (2 land in OPEN), 1 with preference none. */
  async function launchSix(): Promise<{ targeted: string[]; open: string[]; none: string[]; indexes: Map<string, number | undefined> }> {
    const tagged = { TagSpecifications: [{ ResourceType: "instance" as const, Tags: [{ Key: "team", Value: "ml" }] }] };
    const a = await run({ ...targeting(TARGETED), MinCount: 2, MaxCount: 2, ...tagged });
    const b = await run({ InstanceType: "c5.large", MinCount: 3, MaxCount: 3 });
    const c = await run({ InstanceType: "c5.large", CapacityReservationSpecification: { CapacityReservationPreference: "none" } });
    const indexes = new Map([a, b, c].flatMap((out) => (out.Instances ?? []).map((i) => [i.InstanceId ?? "", i.AmiLaunchIndex] as const)));
    return { targeted: instanceIdsOf(a), open: instanceIdsOf(b), none: instanceIdsOf(c), indexes };
  }
  const matching = async (Name: string, Values: string[], InstanceIds?: string[]) =>
    ((await shared.client.send(new DescribeInstancesCommand({ Filters: [{ Name, Values }], InstanceIds }))).Reservations ?? [])
      .flatMap((r) => instanceIdsOf(r))
      .sort();

  it("takes every documented name; one on a member the emulator does not describe matches nothing, even with *", async () => {
    await launchSix();
    // What the emulator describes for these six instances: how many have a value for each filter.
    const described: Record<string, number> = {
      architecture: 6, "availability-zone": 6, "availability-zone-id": 6, "capacity-reservation-id": 4,
      "capacity-reservation-specification.capacity-reservation-preference": 4, "client-token": 6,
      "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id": 2,
      "dns-name": 6, "ebs-optimized": 6, hypervisor: 6, "image-id": 6, "instance-id": 6, "instance-state-code": 6,
      "instance-state-name": 6, "instance-type": 6, "launch-index": 6, "launch-time": 6, "monitoring-state": 6,
      "owner-id": 6, "placement-group-name": 6, "platform-details": 6, "private-dns-name": 6, "private-ip-address": 6, reason: 6,
      "reservation-id": 6, "root-device-name": 6, "root-device-type": 6, "tag-value": 2, tenancy: 6, "virtualization-type": 6,
      // Where each sits in its VPC (SPEC section 14): the default subnet of its zone and the default group.
      "subnet-id": 6, "vpc-id": 6, "group-id": 6, "group-name": 6, "source-dest-check": 6,
      "instance.group-id": 6, "instance.group-name": 6,
      // Every instance's metadata options, EC2's defaults here (test/instance-launch-options.test.ts).
      "metadata-options.http-endpoint": 6, "metadata-options.http-protocol-ipv6": 6, "metadata-options.http-put-response-hop-limit": 6,
      "metadata-options.http-tokens": 6, "metadata-options.instance-metadata-tags": 6, "metadata-options.state": 6,
      // Each one's root volume (test/volumes.test.ts).
      "block-device-mapping.attach-time": 6, "block-device-mapping.delete-on-termination": 6, "block-device-mapping.device-name": 6,
      "block-device-mapping.status": 6, "block-device-mapping.volume-id": 6,
    };
    for (const name of Object.keys(INSTANCE_FILTERS.filters)) {
      expect([name, (await matching(name, ["*"])).length]).toEqual([name, described[name] ?? 0]);
    }
  });

  it("matches each described member by its value, as the instance is described", async () => {
    const six = await launchSix();
    const all = [...six.targeted, ...six.open, ...six.none].sort();
    expect(await matching("architecture", ["x86_64"])).toEqual(all);
    expect(await matching("architecture", ["arm64"])).toEqual([]);
    expect(await matching("capacity-reservation-specification.capacity-reservation-preference", ["open"])).toEqual([...six.open].sort());
    expect(await matching("capacity-reservation-specification.capacity-reservation-preference", ["none"])).toEqual(six.none);
    // A launch that named only a target answers no preference (as Terraform's provider expects):
    // capacity-reservations-only is answered only when the launch gave it (test/instance-answers.test.ts).
    expect(await matching("capacity-reservation-specification.capacity-reservation-preference", ["capacity-reservations-only"])).toEqual([]);
    expect(await matching("capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id", [TARGETED])).toEqual(
      [...six.targeted].sort(),
    );
    expect(await matching("platform-details", ["Linux/UNIX"])).toEqual(all);
    expect(await matching("root-device-type", ["ebs"])).toEqual(all);
    expect(await matching("ebs-optimized", ["false"])).toEqual(all);
    expect(await matching("ebs-optimized", ["true"])).toEqual([]);
    expect(await matching("tag-value", ["ml"])).toEqual([...six.targeted].sort());
    expect(await matching("tag-value", ["m?"], six.targeted)).toEqual([...six.targeted].sort());
    expect(await matching("launch-time", ["2026-01-01T*"])).toEqual(all);
    expect(await matching("vpc-id", ["vpc-*"])).toEqual(all);
    expect(await matching("private-ip-address", ["172.31.*"])).toEqual(all);
    // launch-index is each instance's place in its RunInstances call, as RunInstances answered it.
    for (const index of [0, 1, 2]) {
      const expected = [...six.indexes].filter(([, i]) => i === index).map(([id]) => id).sort();
      expect(await matching("launch-index", [String(index)])).toEqual(expected);
    }
    expect([...six.indexes.values()].sort()).toEqual([0, 0, 0, 1, 1, 2]);
  });

  it("describes a Windows instance's platform as EC2 does (windows, lowercase), and the platform filter finds it", async () => {
    await shared.emu.load({
      instances: [
        instanceFixture("f1", 1, { platform: "Windows", availabilityZone: "us-east-1c" }),
        instanceFixture("f1", 2, { availabilityZone: "us-east-1c" }),
      ],
    });
    const windows = "i-f1000000000000001";
    const described = ((await shared.client.send(new DescribeInstancesCommand({ InstanceIds: [windows, "i-f1000000000000002"] }))).Reservations ?? [])
      .flatMap((r) => r.Instances ?? []);
    expect(described.map((i) => [i.InstanceId, i.Platform, i.PlatformDetails])).toEqual([
      [windows, "windows", "Windows"],
      ["i-f1000000000000002", undefined, "Linux/UNIX"],
    ]);
    expect(await matching("platform", ["windows"])).toEqual([windows]);
  });

  it("describes each instance's AmiLaunchIndex as RunInstances did, on every page", async () => {
    const six = await launchSix();
    const seen = new Map<string, number | undefined>();
    let token: string | undefined;
    do {
      const page = await shared.client.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: token }));
      for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) seen.set(i.InstanceId ?? "", i.AmiLaunchIndex);
      token = page.NextToken;
    } while (token);
    expect(seen).toEqual(six.indexes);
    const filtered = (await shared.client.send(new DescribeInstancesCommand({ Filters: [{ Name: "launch-index", Values: ["2"] }] }))).Reservations;
    expect(filtered?.flatMap((r) => r.Instances ?? []).map((i) => i.AmiLaunchIndex)).toEqual([2]);
  });

  it("still refuses a name EC2 does not document, as before", async () => {
    for (const name of ["placement-tenancy", "tag-values", "Instance-id", "network-interface.nope"]) {
      expect(await failure(matching(name, ["x"]))).toMatchObject({ code: "InvalidParameterValue", message: `The filter '${name}' is invalid` });
    }
  });
});

describe("the rest of RunInstances", () => {
  it("accepts every other member of the model when well formed, with no effect on placement", async () => {
    // The caller's default subnet of the reservation's zone and its default security group (SPEC section 14).
    const subnets = await shared.client.send(new DescribeSubnetsCommand({ Filters: [{ Name: "availability-zone", Values: ["us-east-1a"] }] }));
    const groups = await shared.client.send(new DescribeSecurityGroupsCommand({ GroupNames: ["default"] }));
    const defaults = { subnetId: subnets.Subnets?.[0]?.SubnetId ?? "", groupId: groups.SecurityGroups?.[0]?.GroupId ?? "" };
    const out = await run({
      ...targeting(TARGETED),
      KeyName: "my-key",
      SecurityGroupIds: [defaults.groupId],
      SubnetId: defaults.subnetId,
      UserData: Buffer.from("#!/bin/sh\necho hi\n").toString("base64"),
      Monitoring: { Enabled: true },
      EbsOptimized: true,
      IamInstanceProfile: { Name: "role" },
      MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 2 },
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 20, VolumeType: "gp3", DeleteOnTermination: true } }],
      TagSpecifications: [
        { ResourceType: "instance", Tags: [{ Key: "Name", Value: "a" }] },
        { ResourceType: "volume", Tags: [{ Key: "Name", Value: "v" }] },
      ],
      DisableApiTermination: false,
      InstanceInitiatedShutdownBehavior: "terminate",
    });
    expect(out.Instances?.[0]).toMatchObject({ CapacityReservationId: TARGETED, Tags: [{ Key: "Name", Value: "a" }] });
    expect(await counts(TARGETED)).toEqual({ available: 1, owner: 1 });
    expect((await failure(run({ ImageId: "not-an-ami" }))).code).toBe("InvalidAMIID.Malformed");
    // A subnet or group the caller does not have is refused as EC2 refuses it.
    expect((await failure(run({ SubnetId: "subnet-0123456789abcdef0" }))).code).toBe("InvalidSubnetID.NotFound");
    expect((await failure(run({ SecurityGroupIds: ["sg-0123456789abcdef0"] }))).code).toBe("InvalidGroup.NotFound");
    expect((await failure(run({ MinCount: 3, MaxCount: 2 }))).code).toBe("InvalidParameterValue");
    expect((await failure(run({ InstanceType: "m5.huge" as "m5.large" }))).code).toBe("InvalidParameterValue");
    expect((await failure(run({ TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "a", Value: "b" }] }] }))).code).toBe(
      "InvalidParameterValue",
    );
    expect(await placements()).toHaveProperty("size", 1);
  });
});

describe("state", () => {
  it("a dump loads back to the same answers, without counting an instance twice", async () => {
    await run({ ...targeting(TARGETED), MinCount: 2, MaxCount: 2 });
    await run({ InstanceType: "c5.large" });
    const dump = await shared.emu.state();
    expect(dump.instances).toHaveLength(3);
    expect(dump.capacityReservations?.find((r) => r.capacityReservationId === TARGETED)?.usage ?? []).toEqual([]);
    const second = await start({ fixtures: [dump], clock: NOW });
    try {
      const other = ec2(second);
      for (const id of [TARGETED, OPEN]) {
        const a = await usage(shared.client, { CapacityReservationId: id });
        const b = await usage(other, { CapacityReservationId: id });
        expect(b.InstanceUsages).toEqual(a.InstanceUsages);
        expect(b.AvailableInstanceCount).toBe(a.AvailableInstanceCount);
      }
      expect(await placements(other)).toEqual(await placements());
      await second.reset();
      expect(await placements(other)).toEqual(await placements());
    } finally {
      await second.close();
    }
  });

  it("a dump taken mid-transition, and with an instance terminated within the hour, loads back to the same answers as the clock moves", async () => {
    const [old = ""] = instanceIdsOf(await run({ ...targeting(TARGETED) }));
    await shared.emu.clock.set(new Date(Date.parse(NOW) + 2 * 3_600_000));
    shared.emu.settings.set({ instanceTransitionSeconds: 60 });
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [old] }));
    const [stopping = ""] = instanceIdsOf(await run({ ...targeting(TARGETED) }));
    await shared.emu.clock.advance(60_000);
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [stopping] }));
    const [pending = ""] = instanceIdsOf(await run({ InstanceType: "c5.large", ClientToken: "launch-once" }));
    await shared.emu.clock.advance(30_000);
    const states = async (on: EC2Client) => {
      const out = await on.send(new DescribeInstancesCommand({}));
      return new Map((out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, [i.State?.Name, i.CapacityReservationId]]));
    };
    const dump = await shared.emu.state();
    const copy = await start({ fixtures: [dump], clock: shared.emu.clock.now().toISOString() });
    try {
      const other = ec2(copy);
      expect((await states(shared.client)).get(pending)).toEqual(["pending", OPEN]);
      expect((await states(shared.client)).get(stopping)?.[0]).toBe("stopping");
      // The launch's ClientToken came along: a retry answers the same instance, other parameters are refused.
      expect(instanceIdsOf(await run({ InstanceType: "c5.large", ClientToken: "launch-once" }, other))).toEqual([pending]);
      expect((await failure(run({ InstanceType: "c5.large", MaxCount: 2, ClientToken: "launch-once" }, other))).code).toBe(
        "IdempotentParameterMismatch",
      );
      for (const step of [0, 30_000, 60_000, 3_600_000]) {
        await shared.emu.clock.advance(step);
        await copy.clock.advance(step);
        expect(await states(other)).toEqual(await states(shared.client));
        for (const id of [TARGETED, OPEN]) {
          expect((await usage(other, { CapacityReservationId: id })).AvailableInstanceCount).toBe(
            (await usage(shared.client, { CapacityReservationId: id })).AvailableInstanceCount,
          );
        }
      }
    } finally {
      shared.emu.settings.set({ instanceTransitionSeconds: 0 });
      await copy.close();
    }
  });

  it("reset forgets launched instances and gives their places back", async () => {
    await run({ ...targeting(TARGETED), MinCount: 2, MaxCount: 2 });
    await shared.emu.reset();
    expect(await placements()).toEqual(new Map());
    expect(await counts(TARGETED)).toEqual({ available: 2, owner: 0 });
  });
});
