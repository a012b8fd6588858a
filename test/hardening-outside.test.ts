// Issue 21, outside pass on main: characters XML cannot carry (finding 5), CreateFleet override values (6), echoed values in errors (7).

import {
  CreateCapacityReservationCommand,
  CreateFleetCommand,
  type CreateFleetCommandInput,
  CreateLaunchTemplateCommand,
  CreateTagsCommand,
  DescribeFleetsCommand,
  DescribeTagsCommand,
  type EC2Client,
  type FleetLaunchTemplateOverridesRequest,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./process.js";
import type { RunningEmulator } from "../src/index.js";
import { errorOf, ec2, failure, OWNER, start } from "./support.js";

let emu: RunningEmulator;
let client: EC2Client;
let instanceId = "";

beforeAll(async () => {
  emu = await start({ fixtures: [], clock: "2026-03-01T00:00:00Z" });
  client = ec2(emu, OWNER);
  await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "outside", LaunchTemplateData: { ImageId: "ami-0123456789abcdef0", InstanceType: "m5.large" } }));
  const run = await client.send(new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: 1, MaxCount: 1 }));
  instanceId = run.Instances?.[0]?.InstanceId ?? "";
});

afterAll(async () => {
  await emu.close();
});

/** A raw Query request, so that any character reaches the server as sent. */
async function post(params: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(emu.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text() };
}

describe("characters XML 1.0 cannot carry (finding 5)", () => {
  // (A lone surrogate cannot be sent: UTF-8 has none, and the form encoder sends U+FFFD for it.)
  const bad = ["\u0000", "\u0001", "\u001f", "\ufffe", "\uffff"];

  it("refuses them with InvalidParameterValue in tag keys and values, and keeps nothing", async () => {
    for (const character of bad) {
      for (const [key, value] of [
        [`k${character}`, "v"],
        ["k", `v${character}`],
      ]) {
        const answer = await post({ Action: "CreateTags", "ResourceId.1": instanceId, "Tag.1.Key": key ?? "", "Tag.1.Value": value ?? "" });
        expect(answer.status).toBe(400);
        expect(errorOf(answer.text).code).toBe("InvalidParameterValue");
      }
    }
    const tags = await client.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [instanceId] }] }));
    expect(tags.Tags ?? []).toEqual([]);
  });

  it("refuses them in a KeyName, a ClientToken, a launch's tags and a template's VersionDescription", async () => {
    const cases: Record<string, string>[] = [
      { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: "1", MaxCount: "1", KeyName: "key\u0000" },
      { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: "1", MaxCount: "1", ClientToken: "token\uffff" },
      {
        Action: "RunInstances",
        ImageId: "ami-0123456789abcdef0",
        InstanceType: "t3.micro",
        MinCount: "1",
        MaxCount: "1",
        "TagSpecification.1.ResourceType": "instance",
        "TagSpecification.1.Tag.1.Key": "Name",
        "TagSpecification.1.Tag.1.Value": "a\u0008b",
      },
      { Action: "CreateCapacityReservation", InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", AvailabilityZone: "us-east-1a", InstanceCount: "1", ClientToken: "\ufffe" },
      { Action: "CreateLaunchTemplate", LaunchTemplateName: "nul-version", VersionDescription: "v\u0000", "LaunchTemplateData.ImageId": "ami-0123456789abcdef0" },
    ];
    for (const params of cases) {
      const answer = await post(params);
      expect(answer.status, params.Action).toBe(400);
      expect(errorOf(answer.text).code).toBe("InvalidParameterValue");
      expect(errorOf(answer.text).message).toMatch(/Character U\+[0-9A-F]{4} is not allowed/);
    }
  });

  it("keeps tabs, line ends, characters beyond the Basic Multilingual Plane and U+FFFD as sent", async () => {
    const value = "a\tb\nc\rd 😀 \ufffd é";
    await client.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: "fine", Value: value }] }));
    const tags = await client.send(new DescribeTagsCommand({ Filters: [{ Name: "key", Values: ["fine"] }] }));
    expect(tags.Tags?.[0]?.Value).toBe(value);
  });
});

describe("CreateFleet override values (finding 6)", () => {
  const fleet = (override: FleetLaunchTemplateOverridesRequest): CreateFleetCommandInput => ({
    Type: "instant",
    LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "outside", Version: "$Latest" }, Overrides: [override] }],
    TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 1 },
  });

  it("refuses malformed override values with 400 and keeps no fleet", async () => {
    const before = (await client.send(new DescribeFleetsCommand({}))).Fleets?.length ?? 0;
    const refused: [FleetLaunchTemplateOverridesRequest, string][] = [
      [{ AvailabilityZone: "z".repeat(100_000) }, "InvalidParameterValue"],
      [{ AvailabilityZone: "us-east-1zz" }, "InvalidParameterValue"],
      [{ AvailabilityZoneId: "use1-az99" }, "InvalidParameterValue"],
      [{ MaxPrice: "abc" }, "InvalidParameterValue"],
      [{ MaxPrice: "1".repeat(100_000) }, "InvalidParameterValue"],
      [{ MaxPrice: "-1" }, "InvalidParameterValue"],
      [{ SubnetId: "subnet-xyz" }, "InvalidSubnetID.Malformed"],
      [{ ImageId: "ami-1" }, "InvalidAMIID.Malformed"],
      // As RunInstances and CreateLaunchTemplate answer it: a name longer than EC2 takes cannot exist.
      [{ KeyName: "k".repeat(256) }, "InvalidKeyPair.NotFound"],
      [{ Placement: { GroupName: "g".repeat(256) } }, "InvalidParameterValue"],
    ];
    for (const [override, code] of refused) {
      const error = await failure(client.send(new CreateFleetCommand(fleet(override))));
      expect(error.status).toBe(400);
      expect(error.code).toBe(code);
      expect(error.message.length).toBeLessThan(2500);
    }
    expect((await client.send(new DescribeFleetsCommand({}))).Fleets?.length ?? 0).toBe(before);
  });

  it("takes well-formed override values", async () => {
    const out = await client.send(new CreateFleetCommand(fleet({ AvailabilityZone: "us-east-1a", MaxPrice: "0.25", InstanceType: "m5.large" })));
    expect(out.Instances?.[0]?.InstanceIds).toHaveLength(1);
  });
});

describe("values echoed in errors (finding 7)", () => {
  it("echoes at most 2,048 characters of a long value, then an ellipsis", async () => {
    const name = "k".repeat(200_000);
    const answer = await post({ Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: "1", MaxCount: "1", KeyName: name });
    expect(answer.status).toBe(400);
    expect(answer.text.length).toBeLessThan(3000);
    const { message } = errorOf(answer.text);
    // The run cut short starts at the quote before the name.
    expect(message).toMatch(/'k{2047}…/);
    expect(message).not.toContain("k".repeat(2049));
  });

  it("still lists every id a NotFound names", async () => {
    const ids = Array.from({ length: 300 }, (_, n) => `cr-0${n.toString(16).padStart(16, "0")}`);
    const answer = await post({ Action: "DescribeCapacityReservations", ...Object.fromEntries(ids.map((id, n) => [`CapacityReservationId.${n + 1}`, id])) });
    expect(errorOf(answer.text).code).toBe("InvalidCapacityReservationId.NotFound");
    for (const id of ids) expect(errorOf(answer.text).message).toContain(id);
  });

  it("answers a long ClientToken's refusal briefly", async () => {
    const error = await failure(
      client.send(
        new CreateCapacityReservationCommand({
          InstanceType: "m5.large",
          InstancePlatform: "Linux/UNIX",
          AvailabilityZone: "us-east-1a",
          InstanceCount: 1,
          ClientToken: "t".repeat(100_000),
        }),
      ),
    );
    expect(error.status).toBe(400);
    expect(error.message.length).toBeLessThan(2500);
  });
});

describe("RunInstances values it does not keep (finding 8)", () => {
  it("refuses them by the model's bounds with InvalidParameterValue, launching nothing", async () => {
    const base = { Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", MinCount: "1", MaxCount: "1" };
    const malformed: Record<string, string>[] = [
      { PrivateIpAddress: "10.0.0.256" },
      { PrivateIpAddress: "x".repeat(100_000) },
      { "Placement.GroupName": "g".repeat(100_000) },
      { "CpuOptions.CoreCount": "-1" },
      { "CpuOptions.ThreadsPerCore": "0" },
    ];
    for (const extra of malformed) {
      const answer = await post({ ...base, ...extra });
      expect(answer.status, JSON.stringify(extra).slice(0, 60)).toBe(400);
      expect(errorOf(answer.text).code).toBe("InvalidParameterValue");
    }
    // An address of the launch's subnet (us-east-1a's default, 172.31.0.0/20) and CPU options the type has.
    const fine = await post({
      ...base,
      PrivateIpAddress: "172.31.0.12",
      "Placement.GroupName": "my-group",
      "CpuOptions.CoreCount": "1",
      "CpuOptions.ThreadsPerCore": "2",
    });
    expect(fine.status).toBe(200);
  });
});

describe("a --db file the process may not write (finding 8)", () => {
  it("says the file is read-only, not 'disk I/O error', and exits 1", () => {
    const folder = mkdtempSync(join(tmpdir(), "ec2-readonly-"));
    chmodSync(folder, 0o755);
    const file = join(folder, "state.db");
    writeFileSync(file, "");
    chmodSync(file, 0o444);
    // Root writes every file: the command runs as root without the capabilities that override file
    // modes (so the 0444 file is read-only to it), still able to read a checkout in a folder only
    // root may enter (a clone under /root, or CI's private temporary folder), which another user could not.
    const asRoot = process.getuid?.() === 0;
    const withoutOverride = ["--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-dac_override,-dac_read_search", "--"];
    const [command, args] = asRoot
      ? ["setpriv", [...withoutOverride, process.execPath, CLI, "--port", "0", "--db", file]]
      : [process.execPath, [CLI, "--port", "0", "--db", file]];
    const run = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}: the database file is read-only or not writable by this process (permission denied)`);
    expect(run.stderr).not.toContain("disk I/O error");
  });
});
