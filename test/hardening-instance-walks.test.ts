// SPEC section 15 for the records as many as instances beside DescribeInstances: DescribeVolumes, DescribeVolumesModifications and DescribeIamInstanceProfileAssociations read at most 1,000 a request, answering a short page with a NextToken.

import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeVolumesCommand,
  DescribeVolumesModificationsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { INSTANCES_READ_PER_REQUEST } from "../src/actions/walkPage.js";
import { ec2, runInstances, start } from "./support.js";

/** More instances than one request reads: one launch of 1,000 and one of 300, each with a profile and a root volume. */
const INSTANCES = 1_300;

describe("walks over as many records as instances", () => {
  let emu: RunningEmulator;
  let client: EC2Client;
  const instanceIds: string[] = [];
  beforeAll(async () => {
    emu = await start({ clock: "2026-12-07T00:00:00.000Z" });
    client = ec2(emu);
    for (const count of [1_000, INSTANCES - 1_000]) {
      const out = await runInstances(client, { MinCount: count, MaxCount: count, InstanceType: "c5.large", IamInstanceProfile: { Name: "walker" } });
      instanceIds.push(...(out.Instances ?? []).flatMap((instance) => instance.InstanceId ?? []));
    }
  });
  afterAll(async () => {
    client.destroy();
    await emu.close();
  });

  /** Every page of a walk: what each held, until no NextToken. */
  async function walk<T>(page: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[][]> {
    const pages: T[][] = [];
    let token: string | undefined;
    do {
      const { items, next } = await page(token);
      pages.push(items);
      token = next;
    } while (token !== undefined && pages.length < 10);
    return pages;
  }

  it("DescribeVolumes with a filter that matches none answers empty pages with a NextToken until it has read every volume", async () => {
    const pages = await walk(async (NextToken) => {
      const out = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "size", Values: ["999"] }], NextToken }));
      return { items: out.Volumes ?? [], next: out.NextToken };
    });
    expect(pages).toEqual([[], []]);
    expect(INSTANCES_READ_PER_REQUEST).toBeLessThan(INSTANCES);
  });

  it("DescribeVolumes with a filter every volume passes still answers every volume once, over pages", async () => {
    const pages = await walk(async (NextToken) => {
      const out = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "size", Values: ["8"] }], MaxResults: 500, NextToken }));
      return { items: (out.Volumes ?? []).map((v) => v.VolumeId), next: out.NextToken };
    });
    const ids = pages.flat();
    expect(ids).toHaveLength(INSTANCES);
    expect(new Set(ids).size).toBe(INSTANCES);
  });

  it("DescribeVolumes naming more instances by attachment.instance-id than one request reads walks them: a short page and a NextToken", async () => {
    expect(instanceIds).toHaveLength(INSTANCES);
    const named = { Name: "attachment.instance-id", Values: instanceIds };
    const none = await walk(async (NextToken) => {
      const out = await client.send(new DescribeVolumesCommand({ Filters: [named, { Name: "size", Values: ["999"] }], NextToken }));
      return { items: out.Volumes ?? [], next: out.NextToken };
    });
    expect(none).toEqual([[], []]);
    const every = await walk(async (NextToken) => {
      const out = await client.send(new DescribeVolumesCommand({ Filters: [named], MaxResults: 500, NextToken }));
      return { items: (out.Volumes ?? []).map((v) => v.VolumeId), next: out.NextToken };
    });
    expect(new Set(every.flat()).size).toBe(INSTANCES);
    // Instances whose volumes fit one request's reads are read by instance: one page, no NextToken.
    const few = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "attachment.instance-id", Values: instanceIds.slice(0, 3) }] }));
    expect(few.Volumes?.map((v) => v.Attachments?.[0]?.InstanceId).sort()).toEqual(instanceIds.slice(0, 3).sort());
    expect(few.NextToken).toBeUndefined();
  });

  it("DescribeVolumes with a volume-id filter naming volumes reads them by id: in pages of MaxResults, in id order, those of no volume left out", async () => {
    const all = (
      await walk(async (NextToken) => {
        const out = await client.send(new DescribeVolumesCommand({ MaxResults: 500, NextToken }));
        return { items: (out.Volumes ?? []).map((v) => v.VolumeId ?? ""), next: out.NextToken };
      })
    ).flat();
    expect(all).toHaveLength(INSTANCES);
    // The last volumes of the walk: a walk of every volume reached them only on its second request.
    const last = all.slice(-3);
    const few = await client.send(new DescribeVolumesCommand({ Filters: [{ Name: "volume-id", Values: [...last, "vol-00000000000000000"] }] }));
    expect(few.Volumes?.map((v) => v.VolumeId)).toEqual(last);
    expect(few.NextToken).toBeUndefined();
    const named = { Name: "volume-id", Values: [...all].reverse() };
    const pages = await walk(async (NextToken) => {
      const out = await client.send(new DescribeVolumesCommand({ Filters: [named], MaxResults: 500, NextToken }));
      return { items: (out.Volumes ?? []).map((v) => v.VolumeId ?? ""), next: out.NextToken };
    });
    expect(pages.map((page) => page.length)).toEqual([500, 500, 300]);
    expect(pages.flat()).toEqual(all);
    const byIds = await walk(async (NextToken) => {
      const out = await client.send(new DescribeVolumesCommand({ VolumeIds: [...all].reverse(), NextToken }));
      return { items: (out.Volumes ?? []).map((v) => v.VolumeId ?? ""), next: out.NextToken };
    });
    expect(byIds.flat()).toEqual(all);
  });

  it("DescribeVolumesModifications of volumes never modified reads them a page at a time", async () => {
    const pages = await walk(async (NextToken) => {
      const out = await client.send(new DescribeVolumesModificationsCommand({ NextToken }));
      return { items: out.VolumesModifications ?? [], next: out.NextToken };
    });
    expect(pages).toEqual([[], []]);
  });

  it("DescribeIamInstanceProfileAssociations with a state none is in answers empty pages with a NextToken", async () => {
    const pages = await walk(async (NextToken) => {
      const out = await client.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: "state", Values: ["disassociating"] }], NextToken }));
      return { items: out.IamInstanceProfileAssociations ?? [], next: out.NextToken };
    });
    expect(pages).toEqual([[], []]);
    const all = await walk(async (NextToken) => {
      const out = await client.send(new DescribeIamInstanceProfileAssociationsCommand({ MaxResults: 1000, NextToken }));
      return { items: (out.IamInstanceProfileAssociations ?? []).map((a) => a.AssociationId), next: out.NextToken };
    });
    expect(new Set(all.flat()).size).toBe(INSTANCES);
  });
});
