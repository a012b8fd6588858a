// AvailabilityZoneId on every reservation (issue 22 item 4), through the real JS SDK v3 client: from the one zone list, or the fixture's own.

import { CreateCapacityReservationCommand, DescribeCapacityReservationsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { OWNER, ec2, start } from "./support.js";

const PLAIN = "cr-0a1d0000000000001";
const MAPPED = "cr-0a1d0000000000002";
const FAR = "cr-0a1d0000000000003";

let emu: RunningEmulator;
let client: EC2Client;

beforeAll(async () => {
  const reservation = (capacityReservationId: string, availabilityZone: string, more: object = {}) => ({
    capacityReservationId,
    ownerId: OWNER,
    availabilityZone,
    instanceType: "m5.large",
    totalInstanceCount: 1,
    state: "active" as const,
    ...more,
  });
  emu = await start({
    fixtures: [
      {
        capacityReservations: [
          reservation(PLAIN, "us-east-1b"),
          // A fixture may name the zone id too; it must be its zone's (the fixture check refuses another).
          reservation(MAPPED, "us-east-1b", { availabilityZoneId: "use1-az2" }),
          reservation(FAR, "ap-northeast-1d"),
        ],
      },
    ],
  });
  client = ec2(emu, OWNER);
});
afterAll(async () => emu.close());

const zoneIdOf = async (id: string, region = "us-east-1") =>
  (await ec2(emu, OWNER, region).send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }))).CapacityReservations?.[0]
    ?.AvailabilityZoneId;

describe("AvailabilityZoneId on reservations", () => {
  it("answers the zone lettered N as PREFIX-azN when the fixture does not say", async () => {
    expect(await zoneIdOf(PLAIN)).toBe("use1-az2");
    expect(await zoneIdOf(FAR, "ap-northeast-1")).toBe("apne1-az4");
  });

  it("keeps the zone id a fixture gives for its zone", async () => {
    expect(await zoneIdOf(MAPPED)).toBe("use1-az2");
  });

  it("answers it for a reservation made by name, in Create's answer and in the describe", async () => {
    const made = await client.send(
      new CreateCapacityReservationCommand({ InstanceType: "c5.large", InstancePlatform: "Linux/UNIX", AvailabilityZone: "us-east-1c", InstanceCount: 1 }),
    );
    expect(made.CapacityReservation?.AvailabilityZoneId).toBe("use1-az3");
    expect(await zoneIdOf(made.CapacityReservation?.CapacityReservationId ?? "")).toBe("use1-az3");
  });
});
