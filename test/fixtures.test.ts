// Fixture sets are checked whole and refused whole, with every problem named by file and path.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeInstancesCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { FixtureError, type CapacityReservationFixture, type FixtureDocument } from "../src/index.js";
import type { InstanceFixture } from "../src/fixtures/types.js";
import { DEMO_SHARED, OWNER, SHAREE, ec2, failure, instanceFixture, raw, start, usage } from "./support.js";

const good: CapacityReservationFixture = {
  capacityReservationId: "cr-0a0000000000000a1",
  ownerId: OWNER,
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 10,
  state: "active",
  sharedWith: [SHAREE],
  usage: [
    { accountId: OWNER, usedInstanceCount: 3 },
    { accountId: SHAREE, usedInstanceCount: 2 },
  ],
};

function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "ec2-fixtures-"));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

async function problemsOf(fixtures: (string | FixtureDocument)[]): Promise<readonly string[]> {
  try {
    const emu = await start({ fixtures });
    await emu.close();
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    return (error as FixtureError).problems;
  }
  throw new Error("expected the fixtures to be refused");
}

const withReservation = (changes: Record<string, unknown>): FixtureDocument => ({
  capacityReservations: [{ ...good, ...changes } as CapacityReservationFixture],
});

describe("fixture checks", () => {
  it("names the file and the path of a usage row by an account neither owner nor shared with", async () => {
    const dir = folderWith({
      "team.json": {
        capacityReservations: [
          good,
          { ...good, capacityReservationId: "cr-0a0000000000000a2" },
          { ...good, capacityReservationId: "cr-0a0000000000000a3", usage: [good.usage?.[0], { accountId: "444455556666", usedInstanceCount: 1 }] },
        ],
      },
    });
    expect(await problemsOf([dir])).toEqual([
      `${join(dir, "team.json")}: capacityReservations[2].usage[1].accountId: "444455556666" is neither the owner nor shared with`,
    ]);
  });

  it.each([
    ["an id of the wrong form", { capacityReservationId: "cr-XYZ" }, "capacityReservations[0].capacityReservationId: \"cr-XYZ\" is not a capacity reservation id"],
    ["an owner id that is not 12 digits", { ownerId: "12345" }, "capacityReservations[0].ownerId: \"12345\" is not an account id of 12 digits"],
    ["a shared account id that is not 12 digits", { sharedWith: ["abc"] }, "capacityReservations[0].sharedWith[0]: \"abc\" is not an account id of 12 digits"],
    ["an unknown state", { state: "running" }, "capacityReservations[0].state: \"running\" is not one of active, expired"],
    ["a negative count", { totalInstanceCount: -1 }, "capacityReservations[0].totalInstanceCount: -1 is below the minimum of 0"],
    ["a non-integer count", { totalInstanceCount: 1.5 }, "capacityReservations[0].totalInstanceCount: 1.5 is not a whole number"],
    ["a negative usage", { usage: [{ accountId: OWNER, usedInstanceCount: -2 }] }, "capacityReservations[0].usage[0].usedInstanceCount: -2 is below the minimum of 0"],
    ["an unknown key", { color: "blue" }, "capacityReservations[0].color: unknown key"],
    ["a missing key", { instanceType: undefined }, "capacityReservations[0]: missing required key instanceType"],
    ["usage over the total of an active reservation", { totalInstanceCount: 4 }, "capacityReservations[0].usage: 5 instances in use is more than the totalInstanceCount of 4"],
    ["a limited end without an endDate", { endDateType: "limited" }, "capacityReservations[0].endDate: missing, but endDateType is limited"],
    ["a date that is not a date", { createDate: "2026-13-45T00:00:00Z" }, "capacityReservations[0].createDate: \"2026-13-45T00:00:00Z\" is not a real date"],
    ["a day the month does not have", { startDate: "2026-02-30T00:00:00Z" }, "capacityReservations[0].startDate: \"2026-02-30T00:00:00Z\" is not a real date"],
    ["an offset no time zone has", { startDate: "2026-03-01T15:00:00+15:00" }, "capacityReservations[0].startDate: \"2026-03-01T15:00:00+15:00\" is not a real date"],
    ["a usage row twice for one account", { usage: [{ accountId: OWNER, usedInstanceCount: 1 }, { accountId: OWNER, usedInstanceCount: 1 }] }, "capacityReservations[0].usage[1].accountId: \"123456789012\" has a usage row already"],
  ])("refuses %s", async (_what, changes, expected) => {
    const problems = await problemsOf([withReservation(changes)]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`fixtures[0]: ${expected}`);
  });

  it("allows usage over the total when the reservation is not active", async () => {
    const emu = await start({ fixtures: [withReservation({ totalInstanceCount: 4, state: "cancelled" })] });
    const out = await usage(ec2(emu), { CapacityReservationId: good.capacityReservationId });
    expect(out.AvailableInstanceCount).toBe(0);
    await emu.close();
  });

  it("refuses a duplicate id across files, naming where it was first", async () => {
    const dir = folderWith({ "a.json": { capacityReservations: [good] }, "b.json": { capacityReservations: [good] } });
    expect(await problemsOf([dir])).toEqual([
      `${join(dir, "b.json")}: capacityReservations[0].capacityReservationId: "${good.capacityReservationId}" is a duplicate capacity reservation id (first at ${join(dir, "a.json")}: capacityReservations[0].capacityReservationId)`,
    ]);
  });

  it("refuses duplicate accounts and access keys", async () => {
    const problems = await problemsOf([
      {
        accounts: [
          { accountId: OWNER, accessKeys: [{ accessKeyId: "AKIADUPLICATE0000001", secretAccessKey: "s" }] },
          { accountId: OWNER, accessKeys: [{ accessKeyId: "AKIADUPLICATE0000001", secretAccessKey: "t" }] },
        ],
      },
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("accounts[1].accountId: \"123456789012\" is a duplicate account id");
    expect(problems[1]).toContain("accounts[1].accessKeys[0].accessKeyId: \"AKIADUPLICATE0000001\" is a duplicate access key id");
  });

  it("lists the rules broken by well-formed records beside the form errors of others, in one answer", async () => {
    const problems = await problemsOf([
      {
        capacityReservations: [
          { ...good, capacityReservationId: "cr-0a0000000000000b1", state: "sleeping" } as unknown as CapacityReservationFixture,
          { ...good, capacityReservationId: "cr-0a0000000000000b2", totalInstanceCount: 1 },
          { ...good, capacityReservationId: "cr-0a0000000000000b2" },
        ],
      },
    ]);
    expect(problems).toEqual([
      expect.stringContaining("fixtures[0]: capacityReservations[0].state: \"sleeping\" is not one of"),
      "fixtures[0]: capacityReservations[1].usage: 5 instances in use is more than the totalInstanceCount of 1",
      "fixtures[0]: capacityReservations[2].capacityReservationId: \"cr-0a0000000000000b2\" is a duplicate capacity reservation id (first at fixtures[0]: capacityReservations[1].capacityReservationId)",
    ]);
  });

  it("lists every problem of a set, not only the first", async () => {
    const problems = await problemsOf([withReservation({ ownerId: "x", state: "nope", extra: 1 })]);
    expect(problems).toHaveLength(3);
  });

  it("reports a misspelt key once: the unknown key names the required one it was meant for, which is missing", async () => {
    const { instanceType, ownerId, ...withCount } = good;
    const rest = Object.fromEntries(Object.entries(withCount).filter(([key]) => key !== "totalInstanceCount"));
    const dir = folderWith({
      "misspelt.json": { capacityReservations: [{ ...rest, instanceTpye: instanceType, ownerID: ownerId, totalInstanceCount: 10 }] },
      // A near miss of a key that is there is only unknown; a key missing with nothing like it, only missing.
      "other.json": { capacityReservations: [{ ...rest, capacityReservationId: "cr-0a0000000000000a2", ownerId, instanceType, instanceTyp: instanceType }] },
    });
    expect(await problemsOf([dir])).toEqual([
      `${join(dir, "misspelt.json")}: capacityReservations[0].instanceTpye: unknown key (did you mean instanceType, which is missing?)`,
      `${join(dir, "misspelt.json")}: capacityReservations[0].ownerID: unknown key (did you mean ownerId, which is missing?)`,
      `${join(dir, "other.json")}: capacityReservations[0]: missing required key totalInstanceCount`,
      `${join(dir, "other.json")}: capacityReservations[0].instanceTyp: unknown key (did you mean instanceType?)`,
    ]);
  });

  it("names a file that is not JSON, and a path that does not exist", async () => {
    const dir = folderWith({ "broken.json": "{ not json" });
    const [broken] = await problemsOf([dir]);
    expect(broken).toMatch(new RegExp(`^${join(dir, "broken.json")}: not valid JSON at line \\d+, column \\d+: `));
    expect(await problemsOf([join(dir, "missing.json")])).toEqual([`${join(dir, "missing.json")}: cannot read: no such file or folder`]);
  });

  it("reads a folder's .json files in name order and leaves its schema.json aside", async () => {
    const schema = readFileSync("fixtures/schema.json", "utf8");
    const dir = folderWith({ "schema.json": schema, "z.json": { capacityReservations: [good] }, "readme.txt": "not a fixture" });
    const emu = await start({ fixtures: [dir] });
    const out = await usage(ec2(emu), { CapacityReservationId: good.capacityReservationId });
    expect(out.AvailableInstanceCount).toBe(5);
    await emu.close();
  });

  it("accepts every shipped demo file against the published schema", async () => {
    const emu = await start();
    const state = await emu.state();
    expect(state.capacityReservations?.length).toBeGreaterThanOrEqual(12);
    await emu.close();
  });

  it("refuses a bad load at run time whole: nothing of it is written", async () => {
    const emu = await start();
    const before = await emu.state();
    const response = await raw(emu, {
      path: "/_emulator/fixtures",
      contentType: "application/json",
      body: JSON.stringify({
        capacityReservations: [
          { ...good, capacityReservationId: DEMO_SHARED, totalInstanceCount: 99 },
          { ...good, capacityReservationId: "cr-0a0000000000000a9", state: "bogus" },
        ],
      }),
    });
    expect(response.status).toBe(400);
    const body = JSON.parse(response.text) as { problems: string[] };
    expect(body.problems).toEqual([
      "request body: capacityReservations[1].state: \"bogus\" is not one of active, expired, cancelled, pending, failed, scheduled, payment-pending, payment-failed, assessing, delayed, unsupported, unavailable, cancelling",
    ]);
    expect(await emu.state()).toEqual(before);
    const out = await usage(ec2(emu), { CapacityReservationId: DEMO_SHARED });
    expect(out.TotalInstanceCount).toBe(10);
    await failure(usage(ec2(emu), { CapacityReservationId: "cr-0a0000000000000a9" }));
    await emu.close();
  });
});

describe("fixture instances in reservations (SPEC sections 4 and 11)", () => {
  const instance = (n: number, changes: Partial<InstanceFixture> = {}): InstanceFixture =>
    instanceFixture("0a", n, { capacityReservationId: good.capacityReservationId, ...changes });
  const withInstances = (instances: InstanceFixture[], reservation: Partial<CapacityReservationFixture> = {}): FixtureDocument => ({
    capacityReservations: [{ ...good, ...reservation }],
    instances,
  });

  it("refuses an instance that names a reservation it does not match, cannot use, or holds no place in; and one naming no reservation of the set", async () => {
    const problems = await problemsOf([
      withInstances([
        instance(1, { instanceType: "c5.large" }),
        instance(2, { availabilityZone: "us-east-1b" }),
        instance(3, { tenancy: "dedicated" }),
        instance(4, { platform: "Windows" }),
        instance(5, { ownerId: "999999999999" }),
        instance(6, { state: "stopped" }),
        instance(7, { capacityReservationId: "cr-0f0000000000000f0" }),
      ]),
    ]);
    expect(problems.map((p) => p.replace(/^[^:]*: /, ""))).toEqual([
      "instances[0].capacityReservationId: the instance's instanceType c5.large does not match the reservation's m5.large",
      "instances[1].capacityReservationId: the instance's availabilityZone us-east-1b does not match the reservation's us-east-1a",
      "instances[2].capacityReservationId: the instance's tenancy dedicated does not match the reservation's default",
      "instances[3].capacityReservationId: the instance's platform Windows does not match the reservation's Linux/UNIX",
      `instances[4].capacityReservationId: 999999999999 is neither the owner of ${good.capacityReservationId} nor shared with`,
      "instances[5].capacityReservationId: a stopped instance holds no place in a reservation",
      'instances[6].capacityReservationId: "cr-0f0000000000000f0" is not a capacity reservation of this fixture set',
    ]);
  });

  it("reports a reservation refused for its own problem once, not again for every instance that names it", async () => {
    // One typo in the reservation: its record is refused, and the three instances naming it are its echoes.
    const problems = await problemsOf([withInstances([instance(1), instance(2), instance(3)], { state: "actve" as never })]);
    expect(problems).toEqual([expect.stringMatching(/^fixtures\[0\]: capacityReservations\[0\]\.state: "actve" is not one of active, /)]);
  });

  it("names an id no reservation of the set has once, for every instance naming it, with the id a typo came from", async () => {
    const typo = "cr-0a0000000000000a2"; // one digit away from good's cr-0a0000000000000a1
    const problems = await problemsOf([withInstances([instance(1, { capacityReservationId: typo }), instance(2), instance(3, { capacityReservationId: typo }), instance(4, { capacityReservationId: typo })])]);
    expect(problems).toEqual([
      `fixtures[0]: instances[0].capacityReservationId: "${typo}" is not a capacity reservation of this fixture set (did you mean "${good.capacityReservationId}", capacityReservations[0]?); 2 more name it: instances[2], instances[3]`,
    ]);
  });

  it("refuses usage rows plus instances above an active reservation's total, and counts both when they fit", async () => {
    // good: total 10, usage rows 3 + 2; six more instances make 11.
    const six = [1, 2, 3, 4, 5, 6].map((n) => instance(n));
    expect(await problemsOf([withInstances(six)])).toEqual([
      // Named by file and path, with the rows and the instances that make it up.
      "fixtures[0]: capacityReservations[0].totalInstanceCount: 11 instances in use is more than the totalInstanceCount of 10: 5 in usage rows and 6 instances holding a place (instances[0], instances[1], instances[2], instances[3], instances[4] and 1 more)",
    ]);
    // An ended reservation holds no instances at all (they run on outside it), so none may name it.
    expect(await problemsOf([withInstances(six, { state: "expired" })])).toEqual(
      six.map(() => expect.stringContaining("the reservation is expired, and an ended reservation holds no instances")),
    );

    const emu = await start({ fixtures: [withInstances([...six.slice(0, 4), instance(9, { ownerId: SHAREE })])] });
    try {
      const got = await usage(ec2(emu), { CapacityReservationId: good.capacityReservationId });
      expect(got.AvailableInstanceCount).toBe(0);
      expect(got.InstanceUsages).toEqual([
        { AccountId: OWNER, UsedInstanceCount: 7 },
        { AccountId: SHAREE, UsedInstanceCount: 3 },
      ]);
    } finally {
      await emu.close();
    }
  });
});

describe("instance types and zones a fixture names are ones the wire takes", () => {
  const FLEET_ID = "fleet-0a0a0a0a-0a0a-0a0a-0a0a-0a0a0a0a0a0a";
  const fleet = (instanceType: string, availabilityZone: string): NonNullable<FixtureDocument["fleets"]>[number] => ({
    fleetId: FLEET_ID,
    ownerId: OWNER,
    region: "us-east-1",
    createTime: "2026-01-01T00:00:00Z",
    outcome: {
      launches: [
        {
          override: { launchTemplateId: "lt-0a0a0a0a0a0a0a0a0", launchTemplateName: "team", version: "1", position: 0 },
          lifecycle: "on-demand",
          instanceType,
          availabilityZone,
          subnetId: undefined,
          instanceIds: [],
        },
      ],
      errors: [],
    },
    configuration: {
      Type: "instant",
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: "lt-0a0a0a0a0a0a0a0a0", Version: "1" }, Overrides: [{ InstanceType: instanceType }] }],
      TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
    },
  });
  const everywhere = (instanceType: string, availabilityZone: string): FixtureDocument => ({
    capacityReservations: [{ ...good, instanceType, availabilityZone, usage: [] }],
    instances: [instanceFixture("0c", 1, { instanceType, availabilityZone })],
    capacityPools: [{ availabilityZone, instanceType, available: 1 }],
    launchTemplates: [
      { launchTemplateId: "lt-0a0a0a0a0a0a0a0a0", launchTemplateName: "team", ownerId: OWNER, region: "us-east-1", launchTemplateData: { InstanceType: instanceType } },
    ],
    fleets: [fleet(instanceType, availabilityZone)],
  });

  it("refuses a misspelt type and a made-up zone in every record that names one, by file and path, with the type meant", async () => {
    const dir = folderWith({ "team.json": everywhere("m5.lrge", "us-east-9z") });
    const file = join(dir, "team.json");
    const problems = await problemsOf([dir]);
    const zone = '"us-east-9z" is not a zone of any region EC2 has (a made-up region has no zones)';
    const type = '"m5.lrge" is not an instance type the catalogue has nor one the fixtures declare in instanceTypes (did you mean m5.large?)';
    expect(problems).toEqual([
      `${file}: capacityReservations[0].availabilityZone: ${zone}`,
      `${file}: instances[0].availabilityZone: ${zone}`,
      `${file}: capacityPools[0].availabilityZone: ${zone}`,
      `${file}: fleets[0].outcome.launches[0].availabilityZone: "us-east-9z" is not a zone of us-east-1, whose zones are us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f`,
      `${file}: capacityReservations[0].instanceType: ${type}`,
      `${file}: instances[0].instanceType: ${type}`,
      `${file}: capacityPools[0].instanceType: ${type}`,
      `${file}: launchTemplates[0].launchTemplateData.InstanceType: ${type}`,
      `${file}: fleets[0].outcome.launches[0].instanceType: ${type}`,
      `${file}: fleets[0].configuration.LaunchTemplateConfigs[0].Overrides[0].InstanceType: ${type}`,
    ]);
  });

  it("names the zones of the region a zone letter is not one of", async () => {
    expect(await problemsOf([withReservation({ availabilityZone: "us-east-1g" })])).toEqual([
      "fixtures[0]: capacityReservations[0].availabilityZone: \"us-east-1g\" is not a zone of us-east-1, whose zones are us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f",
    ]);
  });

  it("takes a type the set declares in any of its files, and at run time one an earlier load declared", async () => {
    const declared = { instanceTypes: [{ InstanceType: "x9.test" as "m5.large" }] };
    const emu = await start({ fixtures: [everywhere("x9.test", "us-east-1a"), declared] });
    try {
      expect((await emu.state()).capacityReservations?.map((r) => r.instanceType)).toEqual(["x9.test"]);
      const more = { capacityReservations: [{ ...good, capacityReservationId: "cr-0a0000000000000c2", instanceType: "x9.test", usage: [] }] };
      await emu.load(more);
      // A type no load declared is refused at run time too, naming it.
      await expect(emu.load({ capacityReservations: [{ ...more.capacityReservations[0]!, instanceType: "x9.tset" }] })).rejects.toThrow(
        'load(): capacityReservations[0].instanceType: "x9.tset" is not an instance type the catalogue has nor one the fixtures declare in instanceTypes',
      );
    } finally {
      await emu.close();
    }
  });
});

describe("RunInstances clientTokens in fixtures (one launch per token, owner and region)", () => {
  const instance = (n: number, changes: Partial<InstanceFixture> = {}): InstanceFixture => instanceFixture("0b", n, changes);
  const launched = (reservationId: string, clientToken: string, requestFingerprint = "fp") => ({ reservationId, clientToken, requestFingerprint });
  const loadBody = async (emu: Awaited<ReturnType<typeof start>>, document: FixtureDocument) =>
    raw(emu, { path: "/_emulator/fixtures", contentType: "application/json", body: JSON.stringify(document) });

  it("refuses two launches with one clientToken of an owner in a region, in one file or across files", async () => {
    const first = instance(1, launched("r-0b0000000000000b1", "tok"));
    const second = instance(2, launched("r-0b0000000000000b2", "tok"));
    expect(await problemsOf([{ instances: [first, second] }])).toEqual([
      `fixtures[0]: instances[1].clientToken: "tok" is a duplicate RunInstances clientToken of ${OWNER} in us-east-1 (first at fixtures[0]: instances[0].clientToken)`,
    ]);
    expect(await problemsOf([{ instances: [first] }, { instances: [second] }])).toEqual([
      `fixtures[1]: instances[0].clientToken: "tok" is a duplicate RunInstances clientToken of ${OWNER} in us-east-1 (first at fixtures[0]: instances[0].clientToken)`,
    ]);
  });

  it("refuses instances of one launch that carry different clientTokens", async () => {
    const problems = await problemsOf([
      { instances: [instance(1, launched("r-0b0000000000000b1", "tok")), instance(2, launched("r-0b0000000000000b1", "other"))] },
    ]);
    expect(problems).toEqual([
      "fixtures[0]: instances[1].clientToken: differs from the clientToken and requestFingerprint of its launch r-0b0000000000000b1 (first at fixtures[0]: instances[0]); the instances of one launch carry the same",
    ]);
  });

  it("takes one token on every instance of its launch, and the same token for another owner, region or a reservation", async () => {
    const emu = await start({
      fixtures: [
        {
          capacityReservations: [{ ...good, clientToken: "tok", requestFingerprint: "fp" }],
          instances: [
            instance(1, launched("r-0b0000000000000b1", "tok")),
            instance(2, launched("r-0b0000000000000b1", "tok")),
            instance(3, { ...launched("r-0b0000000000000b3", "tok"), ownerId: SHAREE }),
            instance(4, { ...launched("r-0b0000000000000b4", "tok"), availabilityZone: "us-west-2a" }),
          ],
        },
      ],
    });
    await emu.close();
  });

  it("refuses at run time a token that a launch already loaded (or made by RunInstances) holds, changing nothing", async () => {
    const emu = await start({ fixtures: [{ instances: [instance(1, launched("r-0b0000000000000b1", "tok"))] }] });
    try {
      const before = await emu.state();
      const made = await ec2(emu).send(
        new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large", MinCount: 1, MaxCount: 1, ClientToken: "api" }),
      );
      const afterRun = await emu.state();
      expect(afterRun.instances).toHaveLength(2);
      for (const token of ["tok", "api"]) {
        const response = await loadBody(emu, { instances: [instance(2, launched("r-0b0000000000000b2", token))] });
        expect(response.status).toBe(400);
        const holder = token === "tok" ? "r-0b0000000000000b1" : made.ReservationId;
        expect((JSON.parse(response.text) as { problems: string[] }).problems).toEqual([
          `request body: instances[0].clientToken: "${token}" is the clientToken of launch ${holder} already loaded (owner ${OWNER}, us-east-1); a load does not give it to another launch`,
        ]);
      }
      // A launch already loaded keeps its token: another one on it is refused too.
      const renamed = await loadBody(emu, { instances: [instance(2, launched("r-0b0000000000000b1", "new"))] });
      expect(renamed.status).toBe(400);
      expect(renamed.text).toContain("launch r-0b0000000000000b1 is already loaded with the clientToken \\\"tok\\\"");
      expect(await emu.state()).toEqual(afterRun);
      expect(before.instances).toHaveLength(1);
      // An instance added to the launch with its own token joins it, keeping the launch's instances.
      expect((await loadBody(emu, { instances: [instance(2, launched("r-0b0000000000000b1", "tok"))] })).status).toBe(200);
      const described = await ec2(emu).send(new DescribeInstancesCommand({ Filters: [{ Name: "reservation-id", Values: ["r-0b0000000000000b1"] }] }));
      expect(described.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([
        "i-0b000000000000001",
        "i-0b000000000000002",
      ]);
    } finally {
      await emu.close();
    }
  });

  it("refuses at run time a reservation clientToken another loaded reservation holds (400, not a database error), changing nothing", async () => {
    const emu = await start({ fixtures: [{ capacityReservations: [{ ...good, clientToken: "t1", requestFingerprint: "fp" }] }] });
    try {
      const before = await emu.state();
      const other = { ...good, capacityReservationId: "cr-0a0000000000000a2", clientToken: "t1", requestFingerprint: "fp" };
      const response = await loadBody(emu, { capacityReservations: [other] });
      expect(response.status).toBe(400);
      expect((JSON.parse(response.text) as { problems: string[] }).problems).toEqual([
        `request body: capacityReservations[0].clientToken: "t1" is the clientToken of capacity reservation ${good.capacityReservationId} already loaded (owner ${OWNER}, us-east-1); a load does not give it to another reservation`,
      ]);
      expect(await emu.state()).toEqual(before);
      // The holder may give it up in the same load, whatever the order of the two.
      expect((await loadBody(emu, { capacityReservations: [other, good] })).status).toBe(200);
      expect((await emu.state()).capacityReservations?.map((r) => [r.capacityReservationId, r.clientToken])).toEqual([
        [good.capacityReservationId, undefined],
        [other.capacityReservationId, "t1"],
      ]);
    } finally {
      await emu.close();
    }
  });
});
