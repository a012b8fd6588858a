// IAM instance profile associations through the real JS SDK v3 client (SPEC section 13): what Terraform's aws_instance calls when iam_instance_profile changes on an existing instance.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AssociateIamInstanceProfileCommand,
  DescribeIamInstanceProfileAssociationsCommand,
  type DescribeIamInstanceProfileAssociationsCommandInput,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  paginateDescribeIamInstanceProfileAssociations,
  type EC2Client,
  type IamInstanceProfileAssociation,
} from "@aws-sdk/client-ec2";
import { afterAll, describe, expect, it } from "vitest";
import { ec2, failure, OWNER, runInstances, SHAREE_KEY, sharedEmulator, start } from "./support.js";

const CLOCK = "2026-03-04T05:06:07.000Z";
const shared = sharedEmulator({ clock: CLOCK }, (emu) => emu.settings.set({ instanceTransitionSeconds: 0 }));
const profileArn = (name: string): string => `arn:aws:iam::${OWNER}:instance-profile/${name}`;
const ASSOCIATION_ID = /^iip-assoc-[0-9a-f]{17}$/;

async function launch(client: EC2Client, profile?: string): Promise<string> {
  const out = await runInstances(client, profile === undefined ? {} : { IamInstanceProfile: { Name: profile } });
  return out.Instances?.[0]?.InstanceId ?? "";
}

/** The instance's associations, as Terraform's provider asks for them (filter instance-id). */
async function associationsOf(client: EC2Client, instanceId: string): Promise<IamInstanceProfileAssociation[]> {
  const out = await client.send(
    new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: "instance-id", Values: [instanceId] }] }),
  );
  return out.IamInstanceProfileAssociations ?? [];
}

async function profileOf(client: EC2Client, instanceId: string): Promise<string | undefined> {
  const out = await client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return out.Reservations?.[0]?.Instances?.[0]?.IamInstanceProfile?.Arn;
}

describe("a launch with IamInstanceProfile", () => {
  it("makes an association, described `associated` with its id, profile and time", async () => {
    const id = await launch(shared.client, "web");
    const [association, ...more] = await associationsOf(shared.client, id);
    expect(more).toEqual([]);
    expect(association).toMatchObject({
      InstanceId: id,
      State: "associated",
      IamInstanceProfile: { Arn: profileArn("web") },
      Timestamp: new Date(CLOCK),
    });
    expect(association?.AssociationId).toMatch(ASSOCIATION_ID);
    expect(association?.IamInstanceProfile?.Id).toMatch(/^AIPA[A-Z0-9]{17}$/);
    expect(await associationsOf(shared.client, await launch(shared.client))).toEqual([]);
  });
});

describe("AssociateIamInstanceProfile", () => {
  it("associates a profile with a running instance without one, answered `associating`, then `associated` and on the instance", async () => {
    const id = await launch(shared.client);
    const out = await shared.client.send(new AssociateIamInstanceProfileCommand({ InstanceId: id, IamInstanceProfile: { Name: "added" } }));
    expect(out.IamInstanceProfileAssociation).toMatchObject({ InstanceId: id, State: "associating", IamInstanceProfile: { Arn: profileArn("added") } });
    const associationId = out.IamInstanceProfileAssociation?.AssociationId;
    expect(associationId).toMatch(ASSOCIATION_ID);
    expect(await associationsOf(shared.client, id)).toMatchObject([{ AssociationId: associationId, State: "associated" }]);
    expect(await profileOf(shared.client, id)).toBe(profileArn("added"));
  });

  it("takes an ARN, and a stopped instance", async () => {
    const id = await launch(shared.client);
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const arn = "arn:aws:iam::123456789012:instance-profile/team/by-arn";
    await shared.client.send(new AssociateIamInstanceProfileCommand({ InstanceId: id, IamInstanceProfile: { Arn: arn } }));
    expect(await profileOf(shared.client, id)).toBe(arn);
  });

  it("refuses an instance that already has one with IncorrectState, in EC2's words", async () => {
    const id = await launch(shared.client, "first");
    expect(
      await failure(shared.client.send(new AssociateIamInstanceProfileCommand({ InstanceId: id, IamInstanceProfile: { Name: "second" } }))),
    ).toMatchObject({ code: "IncorrectState", status: 400, message: `There is an existing association for instance ${id}` });
    expect(await profileOf(shared.client, id)).toBe(profileArn("first"));
  });

  it("refuses a terminated instance, and another account's instance as not found", async () => {
    const id = await launch(shared.client);
    await shared.client.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(
      await failure(shared.client.send(new AssociateIamInstanceProfileCommand({ InstanceId: id, IamInstanceProfile: { Name: "late" } }))),
    ).toMatchObject({ code: "IncorrectInstanceState", status: 400 });
    const mine = await launch(shared.client);
    expect(
      await failure(ec2(shared.emu, SHAREE_KEY).send(new AssociateIamInstanceProfileCommand({ InstanceId: mine, IamInstanceProfile: { Name: "x" } }))),
    ).toMatchObject({ code: "InvalidInstanceID.NotFound", message: `The instance ID '${mine}' does not exist` });
    expect(
      await failure(ec2(shared.emu, undefined, "us-west-2").send(new AssociateIamInstanceProfileCommand({ InstanceId: mine, IamInstanceProfile: { Name: "x" } }))),
    ).toMatchObject({ code: "InvalidInstanceID.NotFound" });
  });

  it("refuses a profile not of IAM's form with the words the provider retries on", async () => {
    const id = await launch(shared.client);
    const refused = await failure(
      shared.client.send(new AssociateIamInstanceProfileCommand({ InstanceId: id, IamInstanceProfile: { Arn: "arn:aws:iam::123456789012:role/x" } })),
    );
    expect(refused).toMatchObject({ code: "InvalidParameterValue" });
    expect(refused.message).toMatch(/Invalid IAM Instance Profile ARN/);
    expect(await associationsOf(shared.client, id)).toEqual([]);
  });
});

describe("ReplaceIamInstanceProfileAssociation", () => {
  it("replaces a running instance's association with a new one, and the instance follows", async () => {
    const id = await launch(shared.client, "old");
    const [old] = await associationsOf(shared.client, id);
    const out = await shared.client.send(
      new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: old?.AssociationId, IamInstanceProfile: { Name: "new" } }),
    );
    expect(out.IamInstanceProfileAssociation).toMatchObject({ InstanceId: id, State: "associating", IamInstanceProfile: { Arn: profileArn("new") } });
    const replaced = out.IamInstanceProfileAssociation?.AssociationId;
    expect(replaced).toMatch(ASSOCIATION_ID);
    expect(replaced).not.toBe(old?.AssociationId);
    expect(await associationsOf(shared.client, id)).toMatchObject([{ AssociationId: replaced, State: "associated" }]);
    expect(await profileOf(shared.client, id)).toBe(profileArn("new"));
    // The old association is gone.
    expect(
      await failure(shared.client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: old?.AssociationId }))),
    ).toMatchObject({ code: "InvalidAssociationID.NotFound" });
  });

  it("refuses a stopped instance's association with IncorrectState (Terraform then disassociates and associates)", async () => {
    const id = await launch(shared.client, "kept");
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [id] }));
    const [association] = await associationsOf(shared.client, id);
    expect(
      await failure(
        shared.client.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: association?.AssociationId, IamInstanceProfile: { Name: "other" } })),
      ),
    ).toMatchObject({ code: "IncorrectState", message: `The association ${association?.AssociationId ?? ""} is not the active association` });
    await shared.client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: association?.AssociationId }));
    await shared.client.send(new AssociateIamInstanceProfileCommand({ InstanceId: id, IamInstanceProfile: { Name: "other" } }));
    expect(await profileOf(shared.client, id)).toBe(profileArn("other"));
  });

  it("refuses an unknown, another account's and a malformed association id", async () => {
    const id = await launch(shared.client, "mine");
    const [association] = await associationsOf(shared.client, id);
    const replace = (client: EC2Client, associationId: string) =>
      failure(client.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: associationId, IamInstanceProfile: { Name: "x" } })));
    expect(await replace(shared.client, "iip-assoc-0123456789abcdef0")).toMatchObject({
      code: "InvalidAssociationID.NotFound",
      status: 400,
      message: "An invalid association-id of 'iip-assoc-0123456789abcdef0' was given",
    });
    expect(await replace(ec2(shared.emu, SHAREE_KEY), association?.AssociationId ?? "")).toMatchObject({ code: "InvalidAssociationID.NotFound" });
    expect(await replace(shared.client, id)).toMatchObject({ code: "InvalidParameterValue", message: "Invalid value for associationId." });
    expect(await profileOf(shared.client, id)).toBe(profileArn("mine"));
  });
});

describe("DisassociateIamInstanceProfile", () => {
  it("removes the association, answered `disassociating`; the instance describes no profile after", async () => {
    const id = await launch(shared.client, "gone");
    const [association] = await associationsOf(shared.client, id);
    const out = await shared.client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: association?.AssociationId }));
    expect(out.IamInstanceProfileAssociation).toMatchObject({
      AssociationId: association?.AssociationId,
      InstanceId: id,
      State: "disassociating",
      IamInstanceProfile: { Arn: profileArn("gone") },
    });
    expect(await associationsOf(shared.client, id)).toEqual([]);
    expect(await profileOf(shared.client, id)).toBeUndefined();
    expect(
      await failure(shared.client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: association?.AssociationId }))),
    ).toMatchObject({ code: "InvalidAssociationID.NotFound" });
  });
  it("refuses a pending or stopping instance's association as Associate does: EC2 disassociates from a running or stopped instance", async () => {
    shared.emu.settings.set({ instanceTransitionSeconds: 60 });
    const pending = await launch(shared.client, "early");
    const [early] = await associationsOf(shared.client, pending);
    const disassociate = (associationId: string | undefined) =>
      shared.client.send(new DisassociateIamInstanceProfileCommand({ AssociationId: associationId }));
    expect(await failure(disassociate(early?.AssociationId))).toMatchObject({
      code: "IncorrectInstanceState",
      status: 400,
      message: `The instance '${pending}' is not in the 'running' or 'stopped' state.`,
    });
    expect(await profileOf(shared.client, pending)).toBe(profileArn("early"));

    shared.emu.settings.set({ instanceTransitionSeconds: 0 });
    const stopping = await launch(shared.client, "late");
    shared.emu.settings.set({ instanceTransitionSeconds: 60 });
    await shared.client.send(new StopInstancesCommand({ InstanceIds: [stopping] }));
    const [late] = await associationsOf(shared.client, stopping);
    expect(await failure(disassociate(late?.AssociationId))).toMatchObject({ code: "IncorrectInstanceState" });
    expect(await associationsOf(shared.client, stopping)).toMatchObject([{ AssociationId: late?.AssociationId, State: "associated" }]);
  });
});

describe("DescribeIamInstanceProfileAssociations", () => {
  it("answers named ids, refuses one the caller does not have, filters by state, and pages", async () => {
    const emu = await start({ clock: CLOCK });
    try {
      const client = ec2(emu);
      const ids = await Promise.all(Array.from({ length: 7 }, (_, i) => launch(client, `p${i}`)));
      const all = await associationsOf(client, ids[0] ?? "");
      expect(all).toHaveLength(1);
      const named = await client.send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: [all[0]?.AssociationId ?? ""] }));
      expect(named.IamInstanceProfileAssociations).toEqual(all);
      expect(
        await failure(client.send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: ["iip-assoc-0123456789abcdef0"] }))),
      ).toMatchObject({ code: "InvalidAssociationID.NotFound" });
      expect(
        await failure(ec2(emu, SHAREE_KEY).send(new DescribeIamInstanceProfileAssociationsCommand({ AssociationIds: [all[0]?.AssociationId ?? ""] }))),
      ).toMatchObject({ code: "InvalidAssociationID.NotFound" });
      expect(
        (await ec2(emu, SHAREE_KEY).send(new DescribeIamInstanceProfileAssociationsCommand({}))).IamInstanceProfileAssociations,
      ).toEqual([]);

      const seen: string[] = [];
      for await (const page of paginateDescribeIamInstanceProfileAssociations({ client, pageSize: 5 }, {})) {
        expect((page.IamInstanceProfileAssociations ?? []).length).toBeLessThanOrEqual(5);
        seen.push(...(page.IamInstanceProfileAssociations ?? []).map((a) => a.InstanceId ?? ""));
      }
      expect(seen.sort()).toEqual([...ids].sort());

      const associated = await client.send(
        new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: "state", Values: ["associated"] }] }),
      );
      expect(associated.IamInstanceProfileAssociations).toHaveLength(7);
      const disassociating = await client.send(
        new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: "state", Values: ["disassociating"] }] }),
      );
      expect(disassociating.IamInstanceProfileAssociations).toEqual([]);
      // A terminated instance's association is gone.
      await client.send(new TerminateInstancesCommand({ InstanceIds: [ids[0] ?? ""] }));
      expect(await associationsOf(client, ids[0] ?? "")).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it("refuses a filter it does not have, a MaxResults out of 5-1000, and a malformed id", async () => {
    const describeWith = (input: DescribeIamInstanceProfileAssociationsCommandInput) =>
      failure(shared.client.send(new DescribeIamInstanceProfileAssociationsCommand(input)));
    expect(await describeWith({ Filters: [{ Name: "tag:Name", Values: ["x"] }] })).toMatchObject({
      code: "InvalidParameterValue",
      message: "The filter 'tag:Name' is invalid",
    });
    expect(await describeWith({ Filters: [{ Name: "instance-state", Values: ["x"] }] })).toMatchObject({ code: "InvalidParameterValue" });
    expect(await describeWith({ MaxResults: 4 })).toMatchObject({ code: "InvalidParameterValue" });
    expect(await describeWith({ AssociationIds: ["assoc-1"] })).toMatchObject({ code: "InvalidParameterValue", message: "Invalid value for associationId." });
  });
});

describe("an association", () => {
  const folder = mkdtempSync(join(tmpdir(), "ec2-iip-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("survives a --db restart and a state dump load, with its id and time", async () => {
    const file = join(folder, "state.db");
    let emu = await start({ db: file, clock: CLOCK });
    const client = ec2(emu);
    const launched = await launch(client, "at-launch");
    const added = await launch(client);
    await client.send(new AssociateIamInstanceProfileCommand({ InstanceId: added, IamInstanceProfile: { Name: "added" } }));
    const before = await client.send(new DescribeIamInstanceProfileAssociationsCommand({}));
    expect(before.IamInstanceProfileAssociations).toHaveLength(2);
    const dump = await emu.state();
    const stoppedAt = emu.clock.now();
    await emu.close();

    emu = await start({ db: file, clock: stoppedAt });
    try {
      expect(await ec2(emu).send(new DescribeIamInstanceProfileAssociationsCommand({}))).toMatchObject({
        IamInstanceProfileAssociations: before.IamInstanceProfileAssociations,
      });
    } finally {
      await emu.close();
    }

    const loaded = await start({ fixtures: [dump], clock: stoppedAt });
    try {
      const again = ec2(loaded);
      expect(await again.send(new DescribeIamInstanceProfileAssociationsCommand({}))).toMatchObject({
        IamInstanceProfileAssociations: before.IamInstanceProfileAssociations,
      });
      expect(await profileOf(again, launched)).toBe(profileArn("at-launch"));
      expect(await profileOf(again, added)).toBe(profileArn("added"));
    } finally {
      await loaded.close();
    }
  });

  it("of a fixture instance is the one a launch gives, unless the fixture names its id; two alike are refused", async () => {
    const instance = {
      instanceId: "i-00000000000000c01",
      ownerId: OWNER,
      imageId: "ami-0123456789abcdef0",
      instanceType: "m5.large",
      availabilityZone: "us-east-1a",
      state: "running" as const,
      launchTime: "2026-03-01T00:00:00.000Z",
      iamInstanceProfile: { arn: profileArn("fixture"), id: "AIPAAAAAAAAAAAAAAAAAA" },
    };
    const named = { ...instance, instanceId: "i-00000000000000c02", iamInstanceProfile: { ...instance.iamInstanceProfile, associationId: "iip-assoc-00000000000000c02" } };
    const emu = await start({ fixtures: [{ instances: [instance, named] }], clock: CLOCK });
    try {
      const out = await ec2(emu).send(new DescribeIamInstanceProfileAssociationsCommand({}));
      const byInstance = new Map(out.IamInstanceProfileAssociations?.map((a) => [a.InstanceId, a]));
      expect(byInstance.get(instance.instanceId)).toMatchObject({ State: "associated", Timestamp: new Date(instance.launchTime) });
      expect(byInstance.get(instance.instanceId)?.AssociationId).toMatch(ASSOCIATION_ID);
      expect(byInstance.get(named.instanceId)?.AssociationId).toBe("iip-assoc-00000000000000c02");
      // Its dump leaves the launch's id out, and keeps the named one.
      const dumped = (await emu.state()).instances?.map((i) => i.iamInstanceProfile);
      expect(dumped).toEqual([instance.iamInstanceProfile, named.iamInstanceProfile]);
    } finally {
      await emu.close();
    }
    const twin = { ...named, instanceId: "i-00000000000000c03" };
    await expect(start({ fixtures: [{ instances: [named, twin] }], clock: CLOCK })).rejects.toThrow(/duplicate IAM instance profile association id/);
  });
});
