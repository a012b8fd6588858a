// Every value launch data keeps or carries is checked for form and length, in one place for CreateLaunchTemplate, RunInstances and CreateFleet, before anything is kept (SPEC section 15; issue 21, third outside pass).

import {
  CreateFleetCommand,
  CreateLaunchTemplateCommand,
  DescribeFleetsCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  RunInstancesCommand,
  type RequestLaunchTemplateData,
  type RunInstancesCommandInput,
} from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { MAX_ADDRESSES_PER_INTERFACE, MAX_NETWORK_CARDS, MAX_NETWORK_INTERFACES } from "../src/ec2/launchValues.js";
import { catalogueNames, catalogueType } from "../src/instanceTypes/catalogue.js";
import { AMI, failure, sharedEmulator } from "./support.js";

const NOW = "2026-03-01T00:00:00.000Z";
const IAM_ARN = "arn:aws:iam::123456789012:instance-profile/";
const LICENSE_ARN = "arn:aws:license-manager:us-east-1:123456789012:license-configuration:lic-0123456789abcdef0123456789abcdef";

/**
 * The outside pass's cases, each as template data (RunInstances sends the same members at its top
 * level), with the parameter its refusal names under LaunchTemplateData. and the words it gives.
 */
const REFUSED: [string, RequestLaunchTemplateData, string, RegExp][] = [
  ["a security group name of 5,000 characters", { SecurityGroups: ["g".repeat(5000)] }, "SecurityGroup.1", /must be at most 255 characters long/],
  ["2,000 network interfaces", { NetworkInterfaces: Array.from({ length: 2000 }, (_, i) => ({ DeviceIndex: i })) }, "NetworkInterface", /has 2000 entries; it may have at most 80/],
  ["a network interface address 999.1.1.1", { NetworkInterfaces: [{ DeviceIndex: 0, PrivateIpAddress: "999.1.1.1" }] }, "NetworkInterface.1.PrivateIpAddress", /Value \(999\.1\.1\.1\).*It is not a valid IPv4 address/],
  ["a Spot MaxPrice of abc", { InstanceMarketOptions: { MarketType: "spot", SpotOptions: { MaxPrice: "abc" } } }, "InstanceMarketOptions.SpotOptions.MaxPrice", /"abc" is an invalid spot instance price/],
  ["a Spot MaxPrice of -1", { InstanceMarketOptions: { MarketType: "spot", SpotOptions: { MaxPrice: "-1" } } }, "InstanceMarketOptions.SpotOptions.MaxPrice", /"-1" is an invalid spot instance price/],
  ["a hop limit of 1e9", { MetadataOptions: { HttpPutResponseHopLimit: 1e9 } }, "MetadataOptions.HttpPutResponseHopLimit", /Expecting a value between 1 and 64/],
  ["a hop limit of 0", { MetadataOptions: { HttpPutResponseHopLimit: 0 } }, "MetadataOptions.HttpPutResponseHopLimit", /Expecting a value between 1 and 64/],
  ["HttpTokens perhaps", { MetadataOptions: { HttpTokens: "perhaps" as "required" } }, "MetadataOptions.HttpTokens", /Expecting one of: optional, required/],
  ["a volume type floppy", { BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeType: "floppy" as "gp3" } }] }, "BlockDeviceMapping.1.Ebs.VolumeType", /Expecting one of: gp2, gp3/],
  ["an IAM instance profile ARN of 100,000 characters", { IamInstanceProfile: { Arn: `${IAM_ARN}${"x".repeat(100_000)}` } }, "IamInstanceProfile.Arn", /must be at most 2048 characters long/],
  ["an IAM instance profile ARN not in ARN form", { IamInstanceProfile: { Arn: "arn:aws:iam::${AWS::AccountId}:instance-profile/x" } }, "IamInstanceProfile.Arn", /Invalid IAM Instance Profile ARN/],
  ["an Elastic GPU type of 10,000 characters", { ElasticGpuSpecifications: [{ Type: "e".repeat(10_000) }] }, "ElasticGpuSpecification.1.Type", /must be at most 255 characters long/],
  ["a license configuration ARN of 10,000 characters", { LicenseSpecifications: [{ LicenseConfigurationArn: "l".repeat(10_000) }] }, "LicenseSpecification.1.LicenseConfigurationArn", /must be at most 2048 characters long/],
  ["a license configuration ARN not in ARN form", { LicenseSpecifications: [{ LicenseConfigurationArn: "lic-0123" }] }, "LicenseSpecification.1.LicenseConfigurationArn", /It is not an ARN/],
  ["a volume of 100,000 GiB", { BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 100_000 } }] }, "BlockDeviceMapping.1.Ebs.VolumeSize", /between 1 and 65536/],
  ["a negative core count", { CpuOptions: { CoreCount: -5 } }, "CpuOptions.CoreCount", /It must be 1 or greater/],
  ["an IPv6 address that is not one", { NetworkInterfaces: [{ DeviceIndex: 0, Ipv6Addresses: [{ Ipv6Address: "2001:db8::g" }] }] }, "NetworkInterface.1.Ipv6Addresses.1.Ipv6Address", /not a valid IPv6 address/],
  ["65 addresses on one interface", { NetworkInterfaces: [{ DeviceIndex: 0, PrivateIpAddresses: Array.from({ length: 65 }, (_, i) => ({ PrivateIpAddress: `10.0.${i}.1` })) }] }, "NetworkInterface.1.PrivateIpAddresses", /it may have at most 64/],
  ["an empty KMS key id", { BlockDeviceMappings: [{ DeviceName: "/dev/xvdb", Ebs: { VolumeSize: 8, KmsKeyId: "" } }] }, "BlockDeviceMapping.1.Ebs.KmsKeyId", /may not be empty/],
  ["a network interface type EC2 does not have", { NetworkInterfaces: [{ DeviceIndex: 0, InterfaceType: "tunnel" }] }, "NetworkInterface.1.InterfaceType", /Expecting one of: interface, efa, efa-only/],
];

/** The same case as RunInstances' own members: a template's `SecurityGroups` is RunInstances' too, and so on (its Elastic GPU list is singular). */
function runInput(data: RequestLaunchTemplateData): RunInstancesCommandInput {
  const { ElasticGpuSpecifications: gpus, ...same } = data;
  return {
    ImageId: AMI,
    InstanceType: "m5.large",
    MinCount: 1,
    MaxCount: 1,
    ...(same as Partial<RunInstancesCommandInput>),
    ...(gpus === undefined ? {} : { ElasticGpuSpecification: gpus }),
  };
}

/**
 * Values at EC2's bounds, each kept and answered back: the largest counts, the longest names and
 * ARNs, the edges of each number's range, a price of a tenth of a cent.
 */
const AT_THE_BOUNDS: RequestLaunchTemplateData = {
  ImageId: AMI,
  InstanceType: "m5.large",
  SecurityGroups: Array.from({ length: 16 }, (_, i) => `${i}`.padEnd(255, "g")),
  NetworkInterfaces: [
    { DeviceIndex: 0, PrivateIpAddress: "255.255.255.255", NetworkCardIndex: 0, Ipv6Addresses: [{ Ipv6Address: "2001:db8::ffff:1.2.3.4" }] },
    ...Array.from({ length: MAX_NETWORK_INTERFACES - 1 }, (_, i) => ({ DeviceIndex: i + 1, NetworkCardIndex: MAX_NETWORK_CARDS - 1 })),
  ],
  BlockDeviceMappings: Array.from({ length: 128 }, (_, i) => ({
    // Names EC2 takes: the root's, then /dev/xvdba, /dev/xvdbb, … (128 volumes: m7i.48xlarge's attachment limit, below).
    DeviceName: i === 0 ? "/dev/xvda" : `/dev/xvd${String.fromCharCode(98 + Math.floor((i - 1) / 26))}${String.fromCharCode(97 + ((i - 1) % 26))}`,
    Ebs: { VolumeType: "io2", VolumeSize: i === 0 ? 65_536 : 4, Iops: 256_000 },
  })),
  InstanceMarketOptions: { MarketType: "spot", SpotOptions: { MaxPrice: "0.001" } },
  MetadataOptions: { HttpPutResponseHopLimit: 64, HttpTokens: "required" },
  IamInstanceProfile: { Arn: `${IAM_ARN}${"p".repeat(2048 - IAM_ARN.length)}` },
  ElasticGpuSpecifications: [{ Type: "e".repeat(255) }],
  LicenseSpecifications: [{ LicenseConfigurationArn: LICENSE_ARN }],
  CpuOptions: { CoreCount: 1, ThreadsPerCore: 1 },
  UserData: Buffer.alloc(16 * 1024, 1).toString("base64"),
};

describe("launch values' form and length", () => {
  const shared = sharedEmulator({ fixtures: [], clock: NOW });
  const client = () => shared.client;
  const templateNames = async () =>
    ((await client().send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map((t) => t.LaunchTemplateName);
  const instanceCount = async () =>
    ((await client().send(new DescribeInstancesCommand({}))).Reservations ?? []).flatMap((r) => r.Instances ?? []).length;

  it.each(REFUSED)("CreateLaunchTemplate refuses %s, naming the parameter, and keeps nothing", async (_, data, parameter, words) => {
    const refused = await failure(
      client().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "refused", LaunchTemplateData: { ImageId: AMI, ...data } })),
    );
    expect(refused.code).toBe("InvalidParameterValue");
    expect(refused.message).toContain(`LaunchTemplateData.${parameter}`);
    expect(refused.message).toMatch(words);
    // The refusal never repeats a value longer than the bound it names.
    expect(refused.message.length).toBeLessThan(2400);
    expect(await templateNames()).toEqual([]);
  });

  it.each(REFUSED)("RunInstances refuses %s, naming the parameter, and launches nothing", async (_, data, parameter, words) => {
    const refused = await failure(client().send(new RunInstancesCommand(runInput(data))));
    expect(refused.code).toBe("InvalidParameterValue");
    expect(refused.message).toContain(` ${parameter}`);
    expect(refused.message).toMatch(words);
    expect(await instanceCount()).toBe(0);
  });

  it.each(["foo", "", "snap-0123456789ABCDEF0", "snap-12"])(
    "refuses a block device's snapshot id %j with InvalidSnapshotID.Malformed, from RunInstances and a template, keeping nothing",
    async (snapshotId) => {
      const data: RequestLaunchTemplateData = { BlockDeviceMappings: [{ DeviceName: "/dev/xvdb", Ebs: { SnapshotId: snapshotId, VolumeSize: 8 } }] };
      for (const call of [
        client().send(new RunInstancesCommand(runInput(data))),
        client().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "refused", LaunchTemplateData: { ImageId: AMI, ...data } })),
      ]) {
        const refused = await failure(call);
        expect(refused).toMatchObject({ code: "InvalidSnapshotID.Malformed", message: `Invalid id: "${snapshotId}" (expecting "snap-...")` });
      }
      expect(await instanceCount()).toBe(0);
      expect(await templateNames()).toEqual([]);
    },
  );

  it("refuses a range whose Min is greater than its Max (InstanceRequirements), and keeps nothing", async () => {
    const requirements = { VCpuCount: { Min: 8, Max: 2 }, MemoryMiB: { Min: 1024 } };
    const refused = await failure(
      client().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "refused", LaunchTemplateData: { ImageId: AMI, InstanceRequirements: requirements } })),
    );
    expect(refused.code).toBe("InvalidParameterValue");
    expect(refused.message).toContain("LaunchTemplateData.InstanceRequirements.VCpuCount.Min (8) must not be greater than");
    expect(await templateNames()).toEqual([]);
    const equal = { VCpuCount: { Min: 2, Max: 2 }, MemoryMiB: { Min: 1024 } };
    await client().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "kept", LaunchTemplateData: { ImageId: AMI, InstanceRequirements: equal } }));
    expect(await templateNames()).toEqual(["kept"]);
  });

  it("keeps values at EC2's bounds and answers them back; RunInstances takes them, from the template and sent itself", async () => {
    await client().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "bounds", LaunchTemplateData: AT_THE_BOUNDS }));
    const versions = await client().send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: "bounds" }));
    const data = versions.LaunchTemplateVersions?.[0]?.LaunchTemplateData;
    expect(data?.SecurityGroups).toEqual(AT_THE_BOUNDS.SecurityGroups);
    expect(data?.NetworkInterfaces).toHaveLength(MAX_NETWORK_INTERFACES);
    expect(data?.NetworkInterfaces?.[0]?.PrivateIpAddress).toBe("255.255.255.255");
    expect(data?.NetworkInterfaces?.[0]?.Ipv6Addresses).toEqual([{ Ipv6Address: "2001:db8::ffff:1.2.3.4" }]);
    expect(data?.BlockDeviceMappings).toHaveLength(128);
    expect(data?.BlockDeviceMappings?.[0]?.Ebs).toMatchObject({ VolumeType: "io2", VolumeSize: 65_536, Iops: 256_000 });
    expect(data?.InstanceMarketOptions?.SpotOptions?.MaxPrice).toBe("0.001");
    expect(data?.MetadataOptions).toMatchObject({ HttpPutResponseHopLimit: 64, HttpTokens: "required" });
    expect(data?.IamInstanceProfile?.Arn).toBe(AT_THE_BOUNDS.IamInstanceProfile?.Arn);
    expect(data?.IamInstanceProfile?.Arn).toHaveLength(2048);
    expect(data?.ElasticGpuSpecifications).toEqual(AT_THE_BOUNDS.ElasticGpuSpecifications);
    expect(data?.LicenseSpecifications).toEqual(AT_THE_BOUNDS.LicenseSpecifications);

    // Security group names are looked up at launch (none of these exists): from the template, and sent, the rest is taken.
    // So are an interface's address (it must be a free host of the launch's subnet) and an instance
    // profile's name (IAM's 128 characters at most): those at the bounds are kept, not launched.
    const [first, ...otherInterfaces] = AT_THE_BOUNDS.NetworkInterfaces ?? [];
    const launchable: RequestLaunchTemplateData = {
      ...AT_THE_BOUNDS,
      // A type that takes 128 EBS volumes an instance (m5.large takes 27); one core is m5.large's CPU option, not its.
      InstanceType: "m7i.48xlarge",
      CpuOptions: undefined,
      SecurityGroups: undefined,
      NetworkInterfaces: [{ ...first, PrivateIpAddress: undefined }, ...otherInterfaces],
      IamInstanceProfile: { Arn: `${IAM_ARN}${"p".repeat(128)}` },
    };
    await client().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "launchable", LaunchTemplateData: launchable }));
    const fromTemplate = await client().send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, LaunchTemplate: { LaunchTemplateName: "launchable" } }));
    expect(fromTemplate.Instances).toHaveLength(1);
    const sent = await client().send(new RunInstancesCommand(runInput(launchable)));
    expect(sent.Instances).toHaveLength(1);
  });

  it("holds a fleet's overrides to the same forms, and keeps no fleet", async () => {
    await client().send(new CreateLaunchTemplateCommand({ LaunchTemplateName: "fleet", LaunchTemplateData: { ImageId: AMI, InstanceType: "m5.large" } }));
    const fleet = (override: Record<string, unknown>) =>
      client().send(
        new CreateFleetCommand({
          Type: "instant",
          TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: "on-demand" },
          LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateName: "fleet", Version: "$Latest" }, Overrides: [override] }],
        }),
      );
    for (const [override, parameter] of [
      [{ MaxPrice: "abc" }, "LaunchTemplateConfigs.1.Overrides.1.MaxPrice"],
      [{ MetadataOptions: { HttpPutResponseHopLimit: 65 } }, "LaunchTemplateConfigs.1.Overrides.1.MetadataOptions.HttpPutResponseHopLimit"],
      [{ MetadataOptions: { HttpTokens: "perhaps" } }, "LaunchTemplateConfigs.1.Overrides.1.MetadataOptions.HttpTokens"],
      [{ BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeType: "floppy" } }] }, "LaunchTemplateConfigs.1.Overrides.1.BlockDeviceMapping.1.Ebs.VolumeType"],
      [{ IamInstanceProfile: { Arn: "x".repeat(3000) } }, "LaunchTemplateConfigs.1.Overrides.1.IamInstanceProfile.Arn"],
      [{ Placement: { HostResourceGroupArn: "group" } }, "LaunchTemplateConfigs.1.Overrides.1.Placement.HostResourceGroupArn"],
    ] as const) {
      const refused = await failure(fleet(override));
      expect([refused.code, refused.message.includes(parameter)], parameter).toEqual(["InvalidParameterValue", true]);
    }
    expect((await client().send(new DescribeFleetsCommand({}))).Fleets ?? []).toEqual([]);
    expect((await fleet({ MaxPrice: "0.5", MetadataOptions: { HttpPutResponseHopLimit: 64, HttpTokens: "required" } })).FleetId).toMatch(/^fleet-/);
  });
});

describe("the bounds taken from the catalogue", () => {
  it("are its largest network interface, card and address counts, so no type's launch is refused", () => {
    const largest = { interfaces: 0, cards: 0, addresses: 0 };
    for (const name of catalogueNames()) {
      const network = catalogueType(name)?.NetworkInfo;
      largest.interfaces = Math.max(largest.interfaces, network?.MaximumNetworkInterfaces ?? 0);
      largest.cards = Math.max(largest.cards, network?.MaximumNetworkCards ?? 0);
      largest.addresses = Math.max(largest.addresses, network?.Ipv4AddressesPerInterface ?? 0, network?.Ipv6AddressesPerInterface ?? 0);
    }
    expect(largest).toEqual({ interfaces: MAX_NETWORK_INTERFACES, cards: MAX_NETWORK_CARDS, addresses: MAX_ADDRESSES_PER_INTERFACE });
  });
});
