// DescribeFleets' pages are bounded in what they describe, with or without MaxResults: fleets of 1,000 instances named together answer in pages (SPEC section 15).

import { CreateFleetCommand, CreateLaunchTemplateCommand, DescribeFleetsCommand, paginateDescribeFleets, type EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, start } from "./support.js";

const TEMPLATE = "fleet-pages";
/** Six fleets of 1,000 instances: 1,004 members each (the fleet, its launch and 1,000 ids, its config and override). */
const FLEETS = 6;
/** One zone each: a default subnet has addresses for about 4,000 instances. */
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"];

describe("DescribeFleets pages bounded in members (outside pass on c063112, F6)", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  const ids: string[] = [];
  beforeAll(async () => {
    emu = await start({ clock: "2026-03-01T00:00:00.000Z" });
    client = ec2(emu);
    await client.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: TEMPLATE, LaunchTemplateData: { ImageId: "ami-0123456789abcdef0" } }));
    for (let i = 0; i < FLEETS; i += 1) {
      const out = await client.send(
        new CreateFleetCommand({
          Type: "instant",
          LaunchTemplateConfigs: [
            { LaunchTemplateSpecification: { LaunchTemplateName: TEMPLATE, Version: "1" }, Overrides: [{ InstanceType: "m5.large", AvailabilityZone: ZONES[i] }] },
          ],
          TargetCapacitySpecification: { DefaultTargetCapacityType: "on-demand", TotalTargetCapacity: 1000 },
        }),
      );
      expect(out.Errors ?? []).toEqual([]);
      expect(out.Instances?.[0]?.InstanceIds).toHaveLength(1000);
      ids.push(out.FleetId ?? "");
    }
  }, 120_000);
  afterAll(async () => emu.close());

  it("answers named fleets without MaxResults in more than one page, each fleet once", async () => {
    const first = await client.send(new DescribeFleetsCommand({ FleetIds: ids }));
    // 5,000 members a page: four fleets of about 1,004 members, the fifth starts the next page.
    expect(first.Fleets?.map((f) => f.FleetId)).toEqual(ids.slice(0, 4));
    expect(first.NextToken).toBeDefined();
    const seen: string[] = [];
    let pagesRead = 0;
    for await (const page of paginateDescribeFleets({ client }, { FleetIds: ids })) {
      pagesRead += 1;
      seen.push(...(page.Fleets ?? []).map((f) => f.FleetId ?? ""));
    }
    expect(seen).toEqual(ids);
    expect(pagesRead).toBe(2);
  });

  it("bounds a page the same way when MaxResults asks for more", async () => {
    const first = await client.send(new DescribeFleetsCommand({ FleetIds: ids, MaxResults: 1000 }));
    expect(first.Fleets).toHaveLength(4);
    const second = await client.send(new DescribeFleetsCommand({ FleetIds: ids, MaxResults: 1000, NextToken: first.NextToken }));
    expect(second.Fleets?.map((f) => f.FleetId)).toEqual(ids.slice(4));
    expect(second.NextToken).toBeUndefined();
  });

  it("keeps MaxResults below the bound as it was", async () => {
    const first = await client.send(new DescribeFleetsCommand({ FleetIds: ids, MaxResults: 2 }));
    expect(first.Fleets?.map((f) => f.FleetId)).toEqual(ids.slice(0, 2));
    expect(first.NextToken).toBeDefined();
  });
});
