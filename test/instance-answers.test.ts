// Instances answered as EC2 records them (issue 22), through the real JS SDK v3 client: refusal texts, transition answers, reasons, launch members.

import {
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, failure, start } from "./support.js";

const AMI = "ami-0123456789abcdef0";
const NOW = "2026-03-04T05:06:07.000Z";

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  emu = await start({ fixtures: [], clock: NOW });
  client = ec2(emu);
});
afterAll(async () => emu.close());
beforeEach(async () => {
  await emu.reset();
  emu.clock.set(NOW);
  emu.settings.set({ instanceTransitionSeconds: 0 });
});

const run = async (input: Partial<RunInstancesCommandInput> = {}) =>
  client.send(
    new RunInstancesCommand({ ImageId: AMI, MinCount: 1, MaxCount: 1, InstanceType: "m5.large", Placement: { AvailabilityZone: "us-east-1a" }, ...input }),
  );
const launchOne = async (input: Partial<RunInstancesCommandInput> = {}): Promise<string> =>
  (await run(input)).Instances?.[0]?.InstanceId ?? "";

describe("IncorrectInstanceState in EC2's own words", () => {
  it("refuses to stop an instance that never reached running, saying so", async () => {
    emu.settings.set({ instanceTransitionSeconds: 30 });
    const id = await launchOne();
    const refused = await failure(client.send(new StopInstancesCommand({ InstanceIds: [id] })));
    expect(refused).toMatchObject({
      code: "IncorrectInstanceState",
      status: 400,
      message: `Instance '${id}' cannot be stopped as it has never reached the 'running' state.`,
    });
  });

  it("refuses to stop a terminated instance and to start one, each in its own words", async () => {
    const id = await launchOne();
    await client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect((await failure(client.send(new StopInstancesCommand({ InstanceIds: [id] })))).message).toBe(
      `This instance '${id}' is not in a state from which it can be stopped.`,
    );
    expect((await failure(client.send(new StartInstancesCommand({ InstanceIds: [id] })))).message).toBe(
      `The instance '${id}' is not in a state from which it can be started.`,
    );
  });
});
