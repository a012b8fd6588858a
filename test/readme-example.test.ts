import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { EC2Client, GetCapacityReservationUsageCommand } from "@aws-sdk/client-ec2";
import { startEmulator, type CapacityReservationFixture, type RunningEmulator } from "ec2-capacity-emulator";

const reservation: CapacityReservationFixture = {
  capacityReservationId: "cr-0aaaaaaaaaaaaaaa1",
  ownerId: "123456789012",
  availabilityZone: "us-east-1a",
  instanceType: "m5.large",
  totalInstanceCount: 4,
  state: "active",
  usage: [{ accountId: "123456789012", usedInstanceCount: 1 }],
};

let emu: RunningEmulator;
let ec2: EC2Client;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0, // a free port; emu.url says which
    // Fixture objects, and paths of .json files or folders of them (relative to the current directory).
    fixtures: [{ capacityReservations: [reservation] }],
  });
  ec2 = new EC2Client({
    endpoint: emu.url,
    region: "us-east-1",
    // An access key of 12 digits acts as that account: no fixture needed for it.
    credentials: { accessKeyId: "123456789012", secretAccessKey: "test" },
  });
});

afterAll(async () => {
  ec2.destroy();
  await emu.close();
});

beforeEach(async () => {
  await emu.reset(); // every test starts from the fixtures above
});

const usageOf = (id: string) => ec2.send(new GetCapacityReservationUsageCommand({ CapacityReservationId: id }));

it("reports the capacity still available", async () => {
  const out = await usageOf(reservation.capacityReservationId);
  expect(out.AvailableInstanceCount).toBe(3);
  expect(out.InstanceUsages).toEqual([{ AccountId: "123456789012", UsedInstanceCount: 1 }]);
});

it("sees a change the test loads (gone again after the next reset)", async () => {
  await emu.load({ capacityReservations: [{ ...reservation, usage: [{ accountId: "123456789012", usedInstanceCount: 4 }] }] });
  expect((await usageOf(reservation.capacityReservationId)).AvailableInstanceCount).toBe(0);
  expect((await emu.state()).capacityReservations).toContainEqual(expect.objectContaining({ totalInstanceCount: 4 }));
});

it("answers an unknown reservation as EC2 does", async () => {
  await expect(usageOf("cr-0ffffffffffffffff")).rejects.toMatchObject({ name: "InvalidCapacityReservationId.NotFound" });
});
