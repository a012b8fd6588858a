// The streamed state dump (GET /_emulator/state) holds exactly what emu.state() does, every resource included.

import {
  CreateCapacityReservationCommand,
  CreateTagsCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, OWNER, start } from "./support.js";

describe("GET /_emulator/state", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({
      fixtures: [
        {
          accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: "AKIASTREAM0000000001", secretAccessKey: "s" }] }],
          capacityPools: [{ availabilityZone: "us-east-1b", instanceType: "c5.large", available: 40 }],
          capacityReservations: [
            {
              capacityReservationId: "cr-0a1a2a3a4a5a6a7a8",
              ownerId: OWNER,
              availabilityZone: "us-east-1a",
              instanceType: "m5.large",
              totalInstanceCount: 4,
              state: "active",
              usage: [{ accountId: OWNER, usedInstanceCount: 1 }],
              tags: [{ key: "team", value: "ml" }],
            },
          ],
        },
      ],
    });
  });
  afterAll(async () => emu.close());

  it("streams the same document as emu.state(): accounts, reservations, instances and pools", async () => {
    const client = ec2(emu, OWNER);
    const created = await client.send(
      new CreateCapacityReservationCommand({
        InstanceType: "c5.large",
        InstancePlatform: "Linux/UNIX",
        AvailabilityZone: "us-east-1b",
        InstanceCount: 2,
      }),
    );
    const run = await client.send(
      new RunInstancesCommand({ ImageId: "ami-12345678", InstanceType: "m5.large", MinCount: 2, MaxCount: 2, ClientToken: "streamed" }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId ?? "";
    await client.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: "role", Value: "worker" }] }));

    for (const secrets of [false, true]) {
      const response = await fetch(`${emu.url}/_emulator/state${secrets ? "?secrets=true" : ""}`);
      expect(response.status).toBe(200);
      const streamed: unknown = await response.json();
      expect(streamed).toEqual(await emu.state({ secrets }));
    }
    const state = await emu.state();
    expect(state.instances?.map((i) => i.instanceId).sort()).toEqual(run.Instances?.map((i) => i.InstanceId).sort());
    expect(state.instances?.find((i) => i.instanceId === instanceId)?.tags).toEqual([{ key: "role", value: "worker" }]);
    expect(state.instances?.every((i) => i.clientToken === "streamed" && i.requestFingerprint !== undefined)).toBe(true);
    expect(state.capacityPools).toEqual([{ availabilityZone: "us-east-1b", instanceType: "c5.large", available: 40 }]);
    expect(state.capacityReservations?.map((r) => r.capacityReservationId)).toContain(
      created.CapacityReservation?.CapacityReservationId,
    );
  });
});
