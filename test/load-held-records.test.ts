// A load may not take what records already loaded hold: a launch template's or fleet's ClientToken, a launch of another owner, an id a fleet of another owner names (the outside attack on 4dee177, A2-A4, A7).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DeleteLaunchTemplateCommand,
  DescribeFleetsCommand,
  RunInstancesCommand,
  type CreateFleetCommandInput,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import type { FleetFixture, InstanceFixture, LaunchTemplateFixture } from "../src/fixtures/types.js";
import { runToExit } from "./process.js";
import { AMI, OWNER, ec2, instanceIdsOf, start } from "./support.js";

const OTHER = "210987654321";
const NOW = "2026-03-01T00:00:00.000Z";

let emu: RunningEmulator;
let client: EC2Client;
const folder = mkdtempSync(join(tmpdir(), "load-held-"));

beforeAll(async () => {
  emu = await start({ clock: NOW });
  client = ec2(emu);
});
afterAll(async () => {
  await emu.close();
  rmSync(folder, { recursive: true, force: true });
});
beforeEach(() => emu.reset());

/** POST /_emulator/fixtures: the status and the answer's JSON. */
async function load(fixture: FixtureDocument): Promise<{ status: number; body: { error?: string; message?: string; problems?: string[] } }> {
  const response = await fetch(`${emu.url}/_emulator/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fixture) });
  return { status: response.status, body: (await response.json()) as { error?: string; message?: string; problems?: string[] } };
}

async function dump(): Promise<FixtureDocument> {
  return (await (await fetch(`${emu.url}/_emulator/state`)).json()) as FixtureDocument;
}

const template = (id: string, name: string, changes: Partial<LaunchTemplateFixture> = {}): LaunchTemplateFixture => ({
  launchTemplateId: id,
  launchTemplateName: name,
  ownerId: OWNER,
  region: "us-east-1",
  launchTemplateData: { ImageId: AMI, InstanceType: "m5.large" },
  ...changes,
});

const fleetRequest = (templateName: string, token?: string): CreateFleetCommandInput => ({
  Type: "instant",
  ClientToken: token,
  LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: templateName, Version: "$Latest" } }],
  TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 1 },
});

/** A template and an instant fleet from it, by the API; their ids and the fleet's instance. */
async function fleetFromTemplate(token?: string): Promise<{ templateId: string; fleetId: string; instanceId: string }> {
  const made = await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "held", LaunchTemplateData: { ImageId: AMI, InstanceType: "m5.large" } }));
  const fleet = await client.send(new CreateFleetCommand(fleetRequest("held", token)));
  return {
    templateId: made.LaunchTemplate?.LaunchTemplateId ?? "",
    fleetId: fleet.FleetId ?? "",
    instanceId: fleet.Instances?.[0]?.InstanceIds?.[0] ?? "",
  };
}

describe("a launch template's ClientToken held twice", () => {
  it("is refused at run time when the API's template holds it, naming the holder, and the holder stays", async () => {
    const made = await client.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "api-made", ClientToken: "LT-TOKEN", LaunchTemplateData: { ImageId: AMI } }),
    );
    const holder = made.LaunchTemplate?.LaunchTemplateId ?? "";
    const { launchTemplates = [] } = await dump();
    const { requestFingerprint } = launchTemplates.find(({ launchTemplateId }) => launchTemplateId === holder) ?? {};
    expect(requestFingerprint).toBeDefined();
    const answer = await load({ launchTemplates: [template("lt-0aaaaaaaaaaaaaaa9", "loaded-2", { clientToken: "LT-TOKEN", requestFingerprint })] });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe("InvalidFixture");
    expect(answer.body.message).toBe(
      `request body: launchTemplates[0].clientToken: "LT-TOKEN" is the clientToken of launch template ${holder} already loaded (owner ${OWNER} in us-east-1); a load does not give it to another template`,
    );
    const again = await client.send(
      new CreateLaunchTemplateCommand({ LaunchTemplateName: "api-made", ClientToken: "LT-TOKEN", LaunchTemplateData: { ImageId: AMI } }),
    );
    expect(again.LaunchTemplate?.LaunchTemplateId).toBe(holder);
  });

  it("is refused when a second load gives it to another template, and when one set holds it twice", async () => {
    const first = template("lt-0aaaaaaaaaaaaaab0", "loaded-a", { clientToken: "T2", requestFingerprint: "f" });
    expect((await load({ launchTemplates: [first] })).status).toBe(200);
    const second = await load({ launchTemplates: [template("lt-0aaaaaaaaaaaaaab1", "loaded-b", { clientToken: "T2", requestFingerprint: "f" })] });
    expect(second.status).toBe(400);
    expect(second.body.message).toMatch(/^request body: launchTemplates\[0\]\.clientToken: "T2" is the clientToken of launch template lt-0aaaaaaaaaaaaaab0 already loaded/);
    const twice = await load({
      launchTemplates: [
        template("lt-0aaaaaaaaaaaaaab2", "loaded-c", { clientToken: "T3", requestFingerprint: "f" }),
        template("lt-0aaaaaaaaaaaaaab3", "loaded-d", { clientToken: "T3", requestFingerprint: "f" }),
      ],
    });
    expect(twice.status).toBe(400);
    expect(twice.body.message).toBe(
      `request body: launchTemplates[1].clientToken: "T3" is a duplicate CreateLaunchTemplate clientToken of ${OWNER} in us-east-1 (first at request body: launchTemplates[0])`,
    );
  });

  it("goes with the template a load names again, and with the one whose name a template takes", async () => {
    const first = template("lt-0aaaaaaaaaaaaaac0", "moving", { clientToken: "T4", requestFingerprint: "f" });
    expect((await load({ launchTemplates: [first] })).status).toBe(200);
    // The holder named again without its token: the other template of the set may take it, in either order.
    const swapped = await load({
      launchTemplates: [template("lt-0aaaaaaaaaaaaaac1", "taker", { clientToken: "T4", requestFingerprint: "f" }), { ...first, clientToken: undefined, requestFingerprint: undefined }],
    });
    expect(swapped).toEqual({ status: 200, body: { status: "loaded" } });
    // A template of another id taking the name "taker" replaces that template, token and all.
    expect((await load({ launchTemplates: [template("lt-0aaaaaaaaaaaaaac2", "taker", { clientToken: "T4", requestFingerprint: "f" })] })).status).toBe(200);
  });

  it("refuses to start with one line naming the file and record, where it said 'UNIQUE constraint failed'", async () => {
    const file = join(folder, "tokens.json");
    const set = { launchTemplates: [template("lt-0aaaaaaaaaaaaaad0", "one", { clientToken: "T5", requestFingerprint: "f" }), template("lt-0aaaaaaaaaaaaaad1", "two", { clientToken: "T5", requestFingerprint: "f" })] };
    writeFileSync(file, JSON.stringify(set));
    const { code, stderr } = await runToExit(["--port", "0", "--fixtures", file]);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `ec2-capacity-emulator: ${file}: launchTemplates[1].clientToken: "T5" is a duplicate CreateLaunchTemplate clientToken of ${OWNER} in us-east-1 (first at ${file}: launchTemplates[0])`,
    ]);
  });
});

describe("a fleet's ClientToken", () => {
  it("stays with the API's fleet: a load giving it to another fleet is refused, and CreateFleet's retry answers the first fleet", async () => {
    const { fleetId } = await fleetFromTemplate("FLEET-TOKEN");
    const record = (await dump()).fleets?.find((fleet) => fleet.fleetId === fleetId);
    expect(record?.clientToken).toBe("FLEET-TOKEN");
    const other: FleetFixture = { ...(record as FleetFixture), fleetId: "fleet-00000000-1111-2222-3333-444444444444" };
    const answer = await load({ fleets: [other] });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      `request body: fleets[0].clientToken: "FLEET-TOKEN" is the clientToken of fleet ${fleetId} already loaded (owner ${OWNER} in us-east-1); a load does not give it to another fleet`,
    );
    expect((await client.send(new DescribeFleetsCommand({ FleetIds: [fleetId] }))).Fleets?.map((fleet) => fleet.FleetId)).toEqual([fleetId]);
    expect((await client.send(new CreateFleetCommand(fleetRequest("held", "FLEET-TOKEN")))).FleetId).toBe(fleetId);
  });

  it("held twice in one set is named as the record gives it, not as an internal key", async () => {
    const { fleetId } = await fleetFromTemplate("DUP");
    const record = (await dump()).fleets?.find((fleet) => fleet.fleetId === fleetId) as FleetFixture;
    const answer = await load({ fleets: [record, { ...record, fleetId: "fleet-00000000-1111-2222-3333-444444444445" }] });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(`request body: fleets[1].clientToken: "DUP" is a duplicate CreateFleet clientToken of ${OWNER} in us-east-1 (first at request body: fleets[0].clientToken)`);
  });
});

describe("an id a fleet already loaded names", () => {
  it("is not given to a launch template of another owner, even once the template is deleted", async () => {
    const { templateId, fleetId } = await fleetFromTemplate();
    const moved = template(templateId, "taken-over", { ownerId: OTHER });
    const live = await load({ launchTemplates: [moved] });
    expect(live.status).toBe(400);
    expect(live.body.message).toBe(
      `request body: launchTemplates[0].launchTemplateId: "${templateId}" is named by fleet ${fleetId} of ${OWNER} in us-east-1, already loaded; a load does not give that id to ${OTHER} in us-east-1`,
    );
    await client.send(new DeleteLaunchTemplateCommand({ LaunchTemplateId: templateId }));
    expect((await load({ launchTemplates: [moved] })).status).toBe(400);
    // What was loaded loads back: the dump of the state is taken whole.
    expect((await load(await dump())).status).toBe(200);
  });

  it("is not given to an instance of another owner; the set's own fleet naming one is 'an instance'", async () => {
    const { instanceId, fleetId } = await fleetFromTemplate();
    const instance: InstanceFixture = { instanceId, ownerId: OTHER, imageId: AMI, instanceType: "m5.large", availabilityZone: "us-east-1a", state: "stopped" };
    const answer = await load({ instances: [instance] });
    expect(answer.status).toBe(400);
    // Also refused for moving the instance's volumes to another owner (volume-loads.test.ts).
    expect(answer.body.message).toContain(
      `request body: instances[0].instanceId: "${instanceId}" is named by fleet ${fleetId} of ${OWNER} in us-east-1, already loaded; a load does not give that id to ${OTHER} in us-east-1`,
    );
    const fleet = (await dump()).fleets?.find((record) => record.fleetId === fleetId) as FleetFixture;
    const both = await load({ instances: [instance], fleets: [fleet] });
    expect(both.status).toBe(400);
    expect(both.body.message).toMatch(new RegExp(`instanceIds\\[0\\]: "${instanceId}" is an instance of ${OTHER} in us-east-1, not of the fleet's owner ${OWNER}`));
  });
});

describe("a launch (reservationId) already loaded", () => {
  it("takes no instance of another owner or region, and RunInstances' retry lists only the launcher's", async () => {
    const launch = { ImageId: AMI, InstanceType: "m5.large" as const, MinCount: 2, MaxCount: 2, ClientToken: "TOK" };
    const first = await client.send(new RunInstancesCommand(launch));
    const [moved = ""] = instanceIdsOf(first);
    const base: InstanceFixture = { instanceId: moved, reservationId: first.ReservationId, ownerId: OTHER, imageId: AMI, instanceType: "c5.xlarge", availabilityZone: "us-east-1b", state: "stopped" };
    const owner = await load({ instances: [base] });
    expect(owner.status).toBe(400);
    expect(owner.body.message).toContain(
      `request body: instances[0].reservationId: launch ${first.ReservationId} already loaded is of ${OWNER} in us-east-1; an instance of ${OTHER} in us-east-1 does not join it`,
    );
    const region = await load({ instances: [{ ...base, ownerId: OWNER, availabilityZone: "eu-west-1a" }] });
    expect(region.status).toBe(400);
    expect(region.body.message).toMatch(/an instance of 123456789012 in eu-west-1 does not join it$/);
    expect(instanceIdsOf(await client.send(new RunInstancesCommand(launch)))).toEqual(instanceIdsOf(first));
  });

  it("is one owner's in one set too", async () => {
    const instance = (id: string, ownerId: string): InstanceFixture => ({
      instanceId: id,
      reservationId: "r-0aaaaaaaaaaaaaaa1",
      ownerId,
      imageId: AMI,
      instanceType: "m5.large",
      availabilityZone: "us-east-1a",
      state: "running",
    });
    const answer = await load({ instances: [instance("i-0aaaaaaaaaaaaaaa1", OWNER), instance("i-0aaaaaaaaaaaaaaa2", OTHER)] });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      `request body: instances[1].ownerId: launch r-0aaaaaaaaaaaaaaa1 is of ${OWNER} in us-east-1 (first at request body: instances[0]); the instances of one launch are of one owner in one region`,
    );
  });
});
