// The catalogue decides which instance types every action accepts, and fixtures may add or override types (SPEC section 13), through the wire with the JS SDK.

import {
  CreateCapacityReservationCommand,
  DescribeCapacityReservationsCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  RunInstancesCommand,
  type _InstanceType,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FixtureError, type FixtureDocument, type RunningEmulator } from "../src/index.js";
import { ec2, failure, start } from "./support.js";

const type = (name: string): _InstanceType => name as _InstanceType;

const DECLARED: FixtureDocument = {
  instanceTypes: [
    {
      InstanceType: type("x9.test"),
      CurrentGeneration: true,
      VCpuInfo: { DefaultVCpus: 4 },
      MemoryInfo: { SizeInMiB: 16384 },
      ProcessorInfo: { SupportedArchitectures: ["x86_64"] },
    },
    { InstanceType: type("m5.large"), SupportedUsageClasses: ["on-demand"] },
  ],
};

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await start({ fixtures: [DECLARED] });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.reset();
});

const runInstances = (instanceType: string) =>
  ec2(emu).send(new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", InstanceType: type(instanceType), MinCount: 1, MaxCount: 1 }));
const createReservation = (instanceType: string) =>
  ec2(emu).send(
    new CreateCapacityReservationCommand({ InstanceType: instanceType, InstancePlatform: "Linux/UNIX", InstanceCount: 1, AvailabilityZone: "us-east-1a" }),
  );
const describeTypes = (names: string[]) => ec2(emu).send(new DescribeInstanceTypesCommand({ InstanceTypes: names.map(type) }));

describe("an instance type the catalogue does not have", () => {
  it("is refused by RunInstances with InvalidParameterValue, launching nothing", async () => {
    const refused = await failure(runInstances("m5.huge"));
    expect(refused).toMatchObject({ code: "InvalidParameterValue", status: 400, message: "Invalid value 'm5.huge' for InstanceType." });
    const described = await ec2(emu).send(new DescribeInstancesCommand({}));
    expect(described.Reservations ?? []).toEqual([]);
  });

  it("is refused by CreateCapacityReservation the same way, making nothing", async () => {
    const refused = await failure(createReservation("m5.huge"));
    expect(refused).toMatchObject({ code: "InvalidParameterValue", status: 400, message: "Invalid value 'm5.huge' for InstanceType." });
    const described = await ec2(emu).send(new DescribeCapacityReservationsCommand({}));
    expect(described.CapacityReservations ?? []).toEqual([]);
  });

  it("is refused even when the SDK's enum names it, while DescribeInstanceTypes does not list it", async () => {
    // r9g.large is in the model's InstanceType enum but in no recorded DescribeInstanceTypes answer.
    expect((await failure(runInstances("r9g.large"))).message).toBe("Invalid value 'r9g.large' for InstanceType.");
  });
});

describe("instance types fixtures declare", () => {
  it("adds a type every action accepts and DescribeInstanceTypes answers as given", async () => {
    expect((await runInstances("x9.test")).Instances?.[0]?.InstanceType).toBe("x9.test");
    expect((await createReservation("x9.test")).CapacityReservation?.InstanceType).toBe("x9.test");
    const out = await describeTypes(["x9.test"]);
    expect(out.InstanceTypes).toEqual([
      {
        InstanceType: "x9.test",
        CurrentGeneration: true,
        VCpuInfo: { DefaultVCpus: 4 },
        MemoryInfo: { SizeInMiB: 16384 },
        ProcessorInfo: { SupportedArchitectures: ["x86_64"] },
        SupportedInRegion: true,
      },
    ]);
    const listed = await ec2(emu).send(new DescribeInstanceTypesCommand({ Filters: [{ Name: "vcpu-info.default-vcpus", Values: ["4"] }, { Name: "instance-type", Values: ["x9.*", "m5.xlarge"] }] }));
    expect(listed.InstanceTypes?.map((info) => info.InstanceType)).toEqual(["m5.xlarge", "x9.test"]);
  });

  it("overrides the members it names of a catalogue type and keeps the others", async () => {
    const [m5] = (await describeTypes(["m5.large"])).InstanceTypes ?? [];
    expect(m5?.SupportedUsageClasses).toEqual(["on-demand"]);
    expect(m5?.VCpuInfo?.DefaultVCpus).toBe(2);
    expect(m5?.MemoryInfo?.SizeInMiB).toBe(8192);
  });

  it("come back from a state dump loaded into a new emulator, with the same answers", async () => {
    const dump = await emu.state();
    expect(dump.instanceTypes?.map((info) => info.InstanceType)).toEqual(["m5.large", "x9.test"]);
    const again = await start({ fixtures: [dump] });
    try {
      const names = ["m5.large", "x9.test"].map(type);
      const before = await ec2(emu).send(new DescribeInstanceTypesCommand({ InstanceTypes: names }));
      const after = await ec2(again).send(new DescribeInstanceTypesCommand({ InstanceTypes: names }));
      expect(after.InstanceTypes).toEqual(before.InstanceTypes);
    } finally {
      await again.close();
    }
  });

  it("loaded at run time go again at reset", async () => {
    await emu.load({ instanceTypes: [{ InstanceType: type("x9.later"), VCpuInfo: { DefaultVCpus: 1 } }] });
    expect((await describeTypes(["x9.later"])).InstanceTypes).toHaveLength(1);
    await emu.reset();
    expect((await failure(describeTypes(["x9.later"]))).code).toBe("InvalidInstanceType");
  });

  it("are refused whole when a member is not the model's, of the wrong kind, or named twice", async () => {
    const refusal = async (document: unknown): Promise<string> => {
      const error = await emu.load(document as FixtureDocument).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FixtureError);
      return (error as FixtureError).problems.join("\n");
    };
    const members = await refusal({
      instanceTypes: [
        { InstanceType: "x9.bad", VCpuInfo: { DefaultVCpus: "four", DefaultCores: 1.5 }, Turbo: true, Hypervisor: "kvm" },
        { InstanceType: "x9.bad" },
      ],
    });
    expect(members).toContain("instanceTypes[0].VCpuInfo.DefaultVCpus must be a number");
    expect(members).toContain("instanceTypes[0].VCpuInfo.DefaultCores must be a whole number");
    expect(members).toContain("instanceTypes[0].Turbo is not a member of InstanceTypeInfo");
    expect(members).toContain("instanceTypes[0].Hypervisor must be one of");
    expect(members).toMatch(/instanceTypes\[1\]\.InstanceType: .*duplicate instance type/);
    const name = await refusal({ instanceTypes: [{ InstanceType: "Not A Type" }] });
    expect(name).toContain("instanceTypes[0].InstanceType");
    expect((await failure(describeTypes(["x9.bad"]))).code).toBe("InvalidInstanceType");
  });
});
