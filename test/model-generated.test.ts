// The checked-in EC2 model module against what the generator makes from the installed model now.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GENERATED_PATH, generateFromInstalled } from "../src/protocol/model/generate.js";
import { EC2_OPERATION_NAMES, OPERATIONS } from "../src/protocol/model/ec2.generated.js";

describe("src/protocol/model/ec2.generated.ts", () => {
  it("is exactly what `npm run generate:model` writes from the installed @aws-sdk/client-ec2", async () => {
    expect(readFileSync(GENERATED_PATH, "utf8")).toBe(await generateFromInstalled());
  });

  it("knows every EC2 operation, declared or not", () => {
    expect(EC2_OPERATION_NAMES.has("DescribeVpcs")).toBe(true);
    expect(EC2_OPERATION_NAMES.has("GetCapacityReservationUsage")).toBe(true);
    expect(EC2_OPERATION_NAMES.has("ListBuckets")).toBe(false);
  });

  it("keeps the model's wire names: ec2QueryName in requests, the locationName in results", () => {
    const filters = OPERATIONS.DescribeCapacityReservations.input.members.find((m) => m.name === "Filters");
    expect(filters).toMatchObject({ queryName: "Filter", shape: { kind: "list" } });
    const tags = OPERATIONS.DescribeCapacityReservations.output.members
      .find((m) => m.name === "CapacityReservations");
    expect(tags).toMatchObject({ xmlName: "capacityReservationSet" });
  });
});
