// The model-driven parser and writer against the SDK itself: what @aws-sdk/client-ec2 serialises we read back
// unchanged, and what we write its own deserializer reads back unchanged.

import {
  DescribeCapacityReservationsCommand,
  EC2Client,
  RunInstancesCommand,
  type CapacityReservation as SdkCapacityReservation,
  type DescribeCapacityReservationsCommandInput,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from "@smithy/types";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { checkCapacityReservationIds } from "../src/domain/capacityReservationId.js";
import { Refusal } from "../src/domain/refusal.js";
import { Ec2Error } from "../src/protocol/errors.js";
import { OPERATIONS, type CapacityReservation } from "../src/protocol/model/ec2.generated.js";
import { DOUBLE, LONG, structureOf, type StructureShape } from "../src/protocol/model/shape.js";
import { parseFormEncoded } from "../src/protocol/params.js";
import { readInput, type InputRules } from "../src/protocol/query.js";
import { writeResult } from "../src/protocol/xml.js";

/** A client whose transport hands the request body to `capture` and answers with `xml`. */
function clientAnswering(xml: string, capture: (body: string) => void = () => undefined): EC2Client {
  return new EC2Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: HttpRequest, _options?: HttpHandlerOptions): Promise<{ response: HttpResponse }> => {
        capture(String(request.body));
        return {
          response: { statusCode: 200, headers: { "content-type": "text/xml;charset=UTF-8" }, body: Readable.from([Buffer.from(xml)]) },
        };
      },
    },
  });
}

/** The body the SDK serialises for a command (its response is not looked at). */
async function serialised(send: (client: EC2Client) => Promise<unknown>): Promise<string> {
  let body = "";
  const client = clientAnswering("<Response/>", (b) => (body = b));
  await send(client).catch(() => undefined);
  return body;
}

const refusal = (f: () => unknown): { code: string; message: string } => {
  try {
    f();
  } catch (error) {
    // The reader's own refusals are wire errors; an overlay's check (a domain rule) throws a Refusal, which dispatch turns into one.
    if (error instanceof Ec2Error || error instanceof Refusal) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
};

const read = <I extends object>(shape: StructureShape, body: string, rules?: InputRules<I>): I =>
  readInput<I>(shape, parseFormEncoded(body), rules);

describe("the query parser, against the SDK's own serializer", () => {
  it("reads back a DescribeCapacityReservations request: id lists, filters with value lists", async () => {
    const input: DescribeCapacityReservationsCommandInput = {
      CapacityReservationIds: ["cr-0123456789abcdef0", "cr-0abcdef0123456789"],
      Filters: [
        { Name: "state", Values: ["active", "pending"] },
        { Name: "tag:Team", Values: ["a&b c", ""] },
      ],
      MaxResults: 100,
      NextToken: "abc.def",
      DryRun: false,
    };
    const body = await serialised((c) => c.send(new DescribeCapacityReservationsCommand(input)));
    expect(body).toContain("Filter.2.Value.1=a%26b%20c");
    expect(read(OPERATIONS.DescribeCapacityReservations.input, body)).toEqual(input);
  });

  it("reads back a RunInstances request: nested structures, tag specifications, a timestamp", async () => {
    const input: RunInstancesCommandInput = {
      ImageId: "ami-12345678",
      InstanceType: "m5.large",
      MinCount: 1,
      MaxCount: 3,
      Placement: { AvailabilityZone: "us-east-1a", Tenancy: "default" },
      CapacityReservationSpecification: {
        CapacityReservationPreference: "capacity-reservations-only",
        CapacityReservationTarget: { CapacityReservationId: "cr-0123456789abcdef0" },
      },
      InstanceMarketOptions: {
        MarketType: "capacity-block",
        SpotOptions: { ValidUntil: new Date("2026-01-01T12:34:56.789Z"), MaxPrice: "0.5" },
      },
      TagSpecifications: [
        { ResourceType: "instance", Tags: [{ Key: "Name", Value: "web" }, { Key: "empty", Value: "" }] },
        { ResourceType: "volume", Tags: [{ Key: "k", Value: "v" }] },
      ],
      SecurityGroupIds: ["sg-1", "sg-2"],
      ClientToken: "token-1",
      DryRun: true,
    };
    const body = await serialised((c) => c.send(new RunInstancesCommand(input)));
    expect(body).toContain("CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId=cr-0123456789abcdef0");
    expect(body).toContain("TagSpecification.1.Tag.2.Key=empty");
    expect(read(OPERATIONS.RunInstances.input, body)).toEqual(input);
  });

  it("reads list entries in numeric index order, with gaps, each index once however many digits", () => {
    const body =
      "Filter.10.Name=c&Filter.10.Value.1=z&Filter.2.Name=b&Filter.2.Value.9=y2&Filter.2.Value.3=y1" +
      "&Filter.999999999.Name=last&CapacityReservationId.7=cr-2&CapacityReservationId.1=cr-1";
    expect(read(OPERATIONS.DescribeCapacityReservations.input, body)).toEqual({
      CapacityReservationIds: ["cr-1", "cr-2"],
      Filters: [
        { Name: "b", Values: ["y1", "y2"] },
        { Name: "c", Values: ["z"] },
        { Name: "last" },
      ],
    });
  });

  it("keeps the first value of a repeated index, as for any repeated name", () => {
    const body = "CapacityReservationId.1=cr-first&CapacityReservationId.1=cr-second&Filter.1.Name=a&Filter.1.Name=b";
    expect(read(OPERATIONS.DescribeCapacityReservations.input, body)).toEqual({
      CapacityReservationIds: ["cr-first"],
      Filters: [{ Name: "a" }],
    });
  });

  it("refuses a non-canonical index as an unknown parameter, naming it", () => {
    for (const name of ["Filter.01.Name", "Filter.0.Name", "Filter.-1.Name", "Filter.x.Name", "Filter.1", "Filter.1.Name.1", "Filter..Name"]) {
      expect(refusal(() => read(OPERATIONS.DescribeCapacityReservations.input, `${name}=v`)), name).toEqual({
        code: "UnknownParameter",
        message: `The parameter ${name} is not recognized`,
      });
    }
  });

  it("names the first unknown name in request order, before a missing or ill-typed one", () => {
    const out = refusal(() =>
      read<{ InstanceType?: string }>(OPERATIONS.CreateCapacityReservation.input, "InstanceCount=x&Bogus.1=a&Other=b", {
        required: ["InstanceType"],
      }),
    );
    expect(out).toEqual({ code: "UnknownParameter", message: "The parameter Bogus.1 is not recognized" });
    expect(
      refusal(() =>
        read<{ InstanceType?: string }>(OPERATIONS.CreateCapacityReservation.input, "InstanceCount=x", { required: ["InstanceType"] }),
      ),
    ).toEqual({ code: "MissingParameter", message: "The request must contain the parameter InstanceType" });
  });

  it("reads ISO 8601 timestamps with or without fractions, Z or an offset, and refuses anything else", () => {
    const shape = OPERATIONS.ModifyCapacityReservation.input;
    const at = (text: string) => read<{ EndDate?: Date }>(shape, `EndDate=${encodeURIComponent(text)}`).EndDate?.toISOString();
    expect(at("2026-03-01T10:00:00Z")).toBe("2026-03-01T10:00:00.000Z");
    expect(at("2026-03-01T10:00:00.5Z")).toBe("2026-03-01T10:00:00.500Z");
    expect(at("2026-03-01T12:00:00+02:00")).toBe("2026-03-01T10:00:00.000Z");
    expect(at("2026-03-01T05:00:00.123456-0500")).toBe("2026-03-01T10:00:00.123Z");
    for (const bad of ["2026-03-01", "2026-02-30T00:00:00Z", "2026-03-01T10:00:00", "1772359200", "March 1 2026", "2026-03-01T24:00:00Z"]) {
      expect(refusal(() => at(bad)), bad).toMatchObject({
        code: "InvalidParameterValue",
        message: expect.stringContaining(`Value ( ${bad} ) for parameter EndDate is invalid.`),
      });
    }
  });

  it("checks integers against the model's width and booleans in any letter case", () => {
    const shape = OPERATIONS.CreateCapacityReservation.input;
    expect(read(shape, "InstanceCount=2147483647&EbsOptimized=TRUE")).toEqual({ InstanceCount: 2147483647, EbsOptimized: true });
    expect(refusal(() => read(shape, "InstanceCount=2147483648"))).toEqual({
      code: "InvalidParameterValue",
      message: "Value ( 2147483648 ) for parameter InstanceCount is invalid. Expecting a value between -2147483648 and 2147483647.",
    });
    expect(refusal(() => read(shape, "InstanceCount=1.5")).code).toBe("InvalidParameterValue");
    expect(refusal(() => read(shape, "EbsOptimized=yes")).message).toBe(
      "Value ( yes ) for parameter EbsOptimized is invalid. Expecting true or false.",
    );
  });

  it("reads a long within JavaScript's safe integers and a double, as no declared operation has one yet", () => {
    const shape = structureOf("Probe", [
      ["Size", "Size", "size", LONG],
      ["Ratio", "Ratio", "ratio", DOUBLE],
    ]);
    expect(read(shape, "Size=9007199254740991&Ratio=-1.5e2")).toEqual({ Size: 9007199254740991, Ratio: -150 });
    expect(refusal(() => read(shape, "Size=9007199254740992")).code).toBe("InvalidParameterValue");
    for (const bad of ["NaN", "Infinity", "1e999", "0x10", "1,5", ""]) {
      expect(refusal(() => read(shape, `Ratio=${bad}`)), bad).toEqual({
        code: "InvalidParameterValue",
        message: `Value ( ${bad} ) for parameter Ratio is invalid. Expecting a number.`,
      });
    }
  });

  it("applies an overlay's range, enum and id checks in model order, inside lists too", () => {
    const shape = OPERATIONS.DescribeCapacityReservations.input;
    const rules: InputRules<{ CapacityReservationIds?: readonly string[]; MaxResults?: number }> = {
      members: { CapacityReservationIds: { check: checkCapacityReservationIds }, MaxResults: { range: [1, 1000] } },
    };
    expect(refusal(() => read(shape, "MaxResults=0&CapacityReservationId.1=cr-0123456789abcdef0&CapacityReservationId.2=cr-bad", rules))).toEqual({
      code: "InvalidCapacityReservationId.Malformed",
      message: 'Invalid id: "cr-bad" (expecting "cr-...")',
    });
    expect(refusal(() => read(shape, "MaxResults=1001", rules)).message).toBe(
      "Value ( 1001 ) for parameter maxResults is invalid. Expecting a value between 1 and 1000.",
    );
  });

  it("checks every enum member of a request against the model's values, however deep, naming the parameter as sent", () => {
    const create = OPERATIONS.CreateCapacityReservation.input;
    expect(refusal(() => read(create, "InstanceMatchCriteria=closed"))).toEqual({
      code: "InvalidParameterValue",
      message: "Value ( closed ) for parameter InstanceMatchCriteria is invalid. Expecting one of: open, targeted.",
    });
    const shape = OPERATIONS.RunInstances.input;
    expect(read(shape, "TagSpecification.1.ResourceType=instance")).toEqual({ TagSpecifications: [{ ResourceType: "instance" }] });
    expect(refusal(() => read(shape, "TagSpecification.1.ResourceType=instance&TagSpecification.2.ResourceType=vm"))).toEqual({
      code: "InvalidParameterValue",
      message: "Value ( vm ) for parameter TagSpecification.2.ResourceType is invalid. It is not a valid ResourceType.",
    });
    expect(refusal(() => read(shape, "MetadataOptions.HttpTokens=perhaps"))).toEqual({
      code: "InvalidParameterValue",
      message: "Value ( perhaps ) for parameter MetadataOptions.HttpTokens is invalid. Expecting one of: optional, required.",
    });
    expect(refusal(() => read(shape, "BlockDeviceMapping.1.DeviceName=/dev/xvda&BlockDeviceMapping.1.Ebs.VolumeType=floppy")).message).toBe(
      "Value ( floppy ) for parameter BlockDeviceMapping.1.Ebs.VolumeType is invalid. Expecting one of: gp2, gp3, io1, io2, sc1, st1, standard.",
    );
  });

  it("takes the enum values EC2 takes beyond the model's, and reads kept values back as they were kept", () => {
    // The catalogue decides instance types; the fleet strategies' first spellings stay (Terraform sends lowestPrice).
    expect(read(OPERATIONS.RunInstances.input, "InstanceType=zz.top")).toEqual({ InstanceType: "zz.top" });
    const fleet = OPERATIONS.CreateFleet.input;
    expect(read(fleet, "OnDemandOptions.AllocationStrategy=lowestPrice&SpotOptions.AllocationStrategy=capacityOptimized")).toEqual({
      OnDemandOptions: { AllocationStrategy: "lowestPrice" },
      SpotOptions: { AllocationStrategy: "capacityOptimized" },
    });
    expect(refusal(() => read(fleet, "SpotOptions.AllocationStrategy=cheapest")).code).toBe("InvalidParameterValue");
    // A database written before a check was made may keep such a value: it is read back, not refused.
    const kept = readInput(OPERATIONS.RunInstances.input, parseFormEncoded("MetadataOptions.HttpTokens=perhaps"), {}, "kept");
    expect(kept).toEqual({ MetadataOptions: { HttpTokens: "perhaps" } });
  });
});

describe("the XML writer, against the SDK's own deserializer", () => {
  it("writes a CapacityReservation with tags, timestamps and nested allocations that the SDK reads back equal", async () => {
    const reservation: CapacityReservation = {
      CapacityReservationId: "cr-0123456789abcdef0",
      OwnerId: "123456789012",
      CapacityReservationArn: "arn:aws:ec2:us-east-1:123456789012:capacity-reservation/cr-0123456789abcdef0",
      AvailabilityZoneId: "use1-az1",
      InstanceType: "m5.large",
      InstancePlatform: "Linux/UNIX",
      AvailabilityZone: "us-east-1a",
      Tenancy: "default",
      TotalInstanceCount: 10,
      AvailableInstanceCount: 4,
      EbsOptimized: false,
      EphemeralStorage: false,
      State: "active",
      StartDate: new Date("2026-01-01T00:00:00.000Z"),
      EndDate: new Date("2026-06-30T23:59:59.123Z"),
      EndDateType: "limited",
      InstanceMatchCriteria: "open",
      CreateDate: new Date("2025-12-31T08:00:00.000Z"),
      Tags: [
        { Key: "Team", Value: "a <b> & 'c'" },
        { Key: "empty", Value: "" },
      ],
      CapacityAllocations: [{ AllocationType: "used", Count: 6 }],
      CommitmentInfo: { CommittedInstanceCount: 2, CommitmentEndDate: new Date("2026-04-01T00:00:00.000Z") },
      Interruptible: true,
      InterruptibleCapacityAllocation: { InstanceCount: 3, TargetInstanceCount: 3, Status: "active", InterruptionType: "adhoc" },
    };
    const xml = writeResult("DescribeCapacityReservations", "rid-1", OPERATIONS.DescribeCapacityReservations.output, {
      CapacityReservations: [reservation],
    });
    expect(xml).toContain("<tagSet><item><key>Team</key><value>a &lt;b&gt; &amp; &apos;c&apos;</value></item>");
    expect(xml).toContain("<startDate>2026-01-01T00:00:00.000Z</startDate>");
    const out = await clientAnswering(xml).send(new DescribeCapacityReservationsCommand({}));
    const theirs: SdkCapacityReservation[] | undefined = out.CapacityReservations;
    expect(theirs).toEqual([reservation]);
  });

  it("writes an empty list as an empty element, which the SDK reads as an empty list", async () => {
    const xml = writeResult("DescribeCapacityReservations", "rid-2", OPERATIONS.DescribeCapacityReservations.output, {
      CapacityReservations: [],
    });
    expect(xml).toContain("<capacityReservationSet/>");
    expect(xml).not.toContain("nextToken");
    const out = await clientAnswering(xml).send(new DescribeCapacityReservationsCommand({}));
    expect(out.CapacityReservations).toEqual([]);
  });
});
