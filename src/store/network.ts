// Subnets, security groups and images that fixtures add: statements, keyset pages, load and dump (default ones are derived, never stored).

import type { ImageRecord, InstanceNetwork, SecurityGroupRecord, SubnetRecord } from "../domain/network.js";
import type { ImageBlockDevice } from "../domain/volume.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

interface SubnetRow {
  subnet_id: string;
  owner_id: string;
  region: string;
  vpc_id: string;
  availability_zone: string;
  cidr_block: string;
  map_public_ip_on_launch: number;
}

interface SecurityGroupRow {
  group_id: string;
  owner_id: string;
  region: string;
  vpc_id: string;
  group_name: string;
  description: string;
}

interface InstanceNetworkRow {
  instance_id: string;
  subnet_id: string;
  vpc_id: string;
  private_ip: number;
  security_groups: string;
}

const networkOf = (row: InstanceNetworkRow): InstanceNetwork =>
  Object.freeze({
    subnetId: row.subnet_id,
    vpcId: row.vpc_id,
    privateIp: row.private_ip,
    securityGroups: Object.freeze(
      (JSON.parse(row.security_groups) as [string, string][]).map(([groupId, groupName]) => Object.freeze({ groupId, groupName })),
    ),
  });

interface ImageRow {
  image_id: string;
  owner_id: string;
  region: string;
  name: string;
  architecture: string;
  state: string;
  image_owner_alias: string | null;
  public: number;
  creation_date: string;
  description: string | null;
  platform_details: string;
  root_device_type: string;
  root_device_name: string;
  virtualization_type: string;
  ena_support: number;
  boot_mode: string | null;
  deprecation_time: string | null;
  block_device_mappings: string | null;
}

const subnetOf = (row: SubnetRow): SubnetRecord =>
  Object.freeze({
    subnetId: row.subnet_id,
    ownerId: row.owner_id,
    region: row.region,
    vpcId: row.vpc_id,
    availabilityZone: row.availability_zone,
    cidrBlock: row.cidr_block,
    defaultForAz: false,
    mapPublicIpOnLaunch: row.map_public_ip_on_launch === 1,
  });

const groupOf = (row: SecurityGroupRow): SecurityGroupRecord =>
  Object.freeze({
    groupId: row.group_id,
    ownerId: row.owner_id,
    region: row.region,
    vpcId: row.vpc_id,
    groupName: row.group_name,
    description: row.description,
  });

const imageOf = (row: ImageRow): ImageRecord =>
  Object.freeze({
    imageId: row.image_id,
    ownerId: row.owner_id,
    region: row.region,
    name: row.name,
    architecture: row.architecture,
    state: row.state,
    imageOwnerAlias: row.image_owner_alias,
    public: row.public === 1,
    creationDate: row.creation_date,
    description: row.description,
    platformDetails: row.platform_details,
    rootDeviceType: row.root_device_type,
    rootDeviceName: row.root_device_name,
    virtualizationType: row.virtualization_type,
    enaSupport: row.ena_support === 1,
    bootMode: row.boot_mode,
    deprecationTime: row.deprecation_time,
    blockDeviceMappings: row.block_device_mappings === null ? null : imageBlockDevicesOf(row.block_device_mappings),
  });

/** The JSON list the volumes migration adds to `image`: written by putImage from checked records, so read as it was written. */
function imageBlockDevicesOf(text: string): readonly ImageBlockDevice[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter(isImageBlockDevice) : [];
}

const isImageBlockDevice = (value: unknown): value is ImageBlockDevice =>
  typeof value === "object" && value !== null && "deviceName" in value && "volumeSize" in value && "volumeType" in value;

const IMAGE_COLUMNS = `image_id, owner_id, region, name, architecture, state, image_owner_alias, public, creation_date,
  description, platform_details, root_device_type, root_device_name, virtualization_type, ena_support, boot_mode, deprecation_time, block_device_mappings`;

function prepare(db: SqliteDatabase) {
  return {
    subnet: db.prepare<[string], SubnetRow>("SELECT * FROM subnet WHERE subnet_id = ?"),
    subnetPage: db.prepare<[string, string, string, number], SubnetRow>(
      `SELECT * FROM subnet INDEXED BY subnet_by_owner WHERE owner_id = ? AND region = ? AND subnet_id > ?
        ORDER BY subnet_id LIMIT ?`,
    ),
    subnetsOfVpc: db.prepare<[string], SubnetRow>("SELECT * FROM subnet WHERE vpc_id = ? ORDER BY subnet_id"),
    allSubnets: db.prepare<[], SubnetRow>("SELECT * FROM subnet ORDER BY subnet_id"),
    vpcIds: db.prepare<[string, string, string, string], { vpc_id: string }>(
      `SELECT vpc_id FROM subnet INDEXED BY subnet_by_owner WHERE owner_id = ? AND region = ?
        UNION SELECT vpc_id FROM security_group INDEXED BY security_group_by_owner WHERE owner_id = ? AND region = ?
        ORDER BY vpc_id`,
    ),
    putSubnet: db.prepare<[SubnetRow]>(
      `INSERT INTO subnet (subnet_id, owner_id, region, vpc_id, availability_zone, cidr_block, map_public_ip_on_launch)
        VALUES (@subnet_id, @owner_id, @region, @vpc_id, @availability_zone, @cidr_block, @map_public_ip_on_launch)`,
    ),
    deleteSubnet: db.prepare<[string]>("DELETE FROM subnet WHERE subnet_id = ?"),
    group: db.prepare<[string], SecurityGroupRow>("SELECT * FROM security_group WHERE group_id = ?"),
    groupPage: db.prepare<[string, string, string, number], SecurityGroupRow>(
      `SELECT * FROM security_group INDEXED BY security_group_by_owner WHERE owner_id = ? AND region = ? AND group_id > ?
        ORDER BY group_id LIMIT ?`,
    ),
    allGroups: db.prepare<[], SecurityGroupRow>("SELECT * FROM security_group ORDER BY group_id"),
    putGroup: db.prepare<[SecurityGroupRow]>(
      `INSERT INTO security_group (group_id, owner_id, region, vpc_id, group_name, description)
        VALUES (@group_id, @owner_id, @region, @vpc_id, @group_name, @description)`,
    ),
    deleteGroup: db.prepare<[string]>("DELETE FROM security_group WHERE group_id = ?"),
    groupByName: db.prepare<[string, string, string, string], SecurityGroupRow>(
      "SELECT * FROM security_group WHERE owner_id = ? AND region = ? AND vpc_id = ? AND group_name = ?",
    ),
    deleteGroupByName: db.prepare<[string, string, string, string]>(
      "DELETE FROM security_group WHERE owner_id = ? AND region = ? AND vpc_id = ? AND group_name = ?",
    ),
    image: db.prepare<[string], ImageRow>(`SELECT ${IMAGE_COLUMNS} FROM image WHERE image_id = ?`),
    imagePage: db.prepare<[string, string, number], ImageRow>(
      `SELECT ${IMAGE_COLUMNS} FROM image INDEXED BY image_by_region WHERE region = ? AND image_id > ?
        ORDER BY image_id LIMIT ?`,
    ),
    allImages: db.prepare<[], ImageRow>(`SELECT ${IMAGE_COLUMNS} FROM image ORDER BY image_id`),
    putImage: db.prepare<[ImageRow]>(
      `INSERT INTO image (${IMAGE_COLUMNS}) VALUES (@image_id, @owner_id, @region, @name, @architecture, @state,
        @image_owner_alias, @public, @creation_date, @description, @platform_details, @root_device_type,
        @root_device_name, @virtualization_type, @ena_support, @boot_mode, @deprecation_time, @block_device_mappings)`,
    ),
    deleteImage: db.prepare<[string]>("DELETE FROM image WHERE image_id = ?"),
    derivedRegion: db
      .prepare<[string, string], string>("SELECT region FROM derived_resource_region WHERE resource_id = ? AND account_id = ?")
      .pluck(true),
    putDerivedRegion: db.prepare<[string, string, string]>(
      `INSERT INTO derived_resource_region (resource_id, account_id, region) VALUES (?, ?, ?)
        ON CONFLICT (resource_id, account_id) DO UPDATE SET region = excluded.region`,
    ),
    // Addresses a subnet has given out (a terminated instance has given its back: migration 008).
    addressesInUse: db
      .prepare<[string], number>("SELECT count(*) FROM instance_network INDEXED BY instance_network_by_address WHERE subnet_id = ?")
      .pluck(true),
    // Live instances in a subnet, or naming a security group: what a load replacing one would move (checkAgainstLoaded).
    instancesInSubnet: db
      .prepare<[string, number], string>(
        "SELECT instance_id FROM instance_network INDEXED BY instance_network_by_address WHERE subnet_id = ? LIMIT ?",
      )
      .pluck(true),
    instanceAtAddress: db
      .prepare<[string, number], string>(
        "SELECT instance_id FROM instance_network INDEXED BY instance_network_by_address WHERE subnet_id = ? AND private_ip = ? LIMIT 1",
      )
      .pluck(true),
    // The groups are a JSON list of [id, name] pairs: one scan for every group a load asks about.
    groupsOfInstances: db.prepare<[], { group_id: string; instance_id: string }>(
      "SELECT value ->> 0 AS group_id, instance_id FROM instance_network, json_each(security_groups)",
    ),
    highestAddress: db
      .prepare<[string], number | null>(
        "SELECT max(private_ip) FROM instance_network INDEXED BY instance_network_by_address WHERE subnet_id = ?",
      )
      .pluck(true),
    // The lowest address from `first` on that no instance of the subnet holds: `first` itself when
    // it is free, else the first after a held one with none after it.
    lowestFreeAddress: db
      .prepare<{ subnet: string; first: number }, number | null>(
        `SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM instance_network INDEXED BY instance_network_by_address
                                       WHERE subnet_id = @subnet AND private_ip = @first)
                     THEN @first
                     ELSE (SELECT min(a.private_ip) + 1 FROM instance_network AS a INDEXED BY instance_network_by_address
                            WHERE a.subnet_id = @subnet AND a.private_ip >= @first
                              AND NOT EXISTS (SELECT 1 FROM instance_network AS b INDEXED BY instance_network_by_address
                                               WHERE b.subnet_id = @subnet AND b.private_ip = a.private_ip + 1)) END`,
      )
      .pluck(true),
    instanceNetwork: db.prepare<[string], InstanceNetworkRow>("SELECT * FROM instance_network WHERE instance_id = ?"),
    putInstanceNetwork: db.prepare<[InstanceNetworkRow]>(
      `INSERT OR REPLACE INTO instance_network (instance_id, subnet_id, vpc_id, private_ip, security_groups)
        VALUES (@instance_id, @subnet_id, @vpc_id, @private_ip, @security_groups)`,
    ),
  };
}

/** The added subnets, security groups and images, and the addresses instances hold in subnets. */
export class Network {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  subnet(subnetId: string): SubnetRecord | undefined {
    const row = this.s.subnet.get(subnetId);
    return row && subnetOf(row);
  }

  /** Up to `limit` of an account's added subnets in a region, in id order after `after`. */
  subnetPage(ownerId: string, region: string, after: string, limit: number): SubnetRecord[] {
    return this.s.subnetPage.all(ownerId, region, after, limit).map(subnetOf);
  }

  /** The VPCs an account's added subnets and security groups of a region name, in id order. */
  vpcIds(ownerId: string, region: string): string[] {
    return this.s.vpcIds.all(ownerId, region, ownerId, region).map((row) => row.vpc_id);
  }

  subnetsOfVpc(vpcId: string): SubnetRecord[] {
    return this.s.subnetsOfVpc.all(vpcId).map(subnetOf);
  }

  securityGroup(groupId: string): SecurityGroupRecord | undefined {
    const row = this.s.group.get(groupId);
    return row && groupOf(row);
  }

  /** The group of that name in an owner's VPC of a region (a name is unique there), or undefined. */
  securityGroupByName(ownerId: string, region: string, vpcId: string, groupName: string): SecurityGroupRecord | undefined {
    const row = this.s.groupByName.get(ownerId, region, vpcId, groupName);
    return row && groupOf(row);
  }

  securityGroupPage(ownerId: string, region: string, after: string, limit: number): SecurityGroupRecord[] {
    return this.s.groupPage.all(ownerId, region, after, limit).map(groupOf);
  }

  image(imageId: string): ImageRecord | undefined {
    const row = this.s.image.get(imageId);
    return row && imageOf(row);
  }

  /** Up to `limit` images of a region (every owner's: who may see which is the caller's to decide), after `after`. */
  imagePage(region: string, after: string, limit: number): ImageRecord[] {
    return this.s.imagePage.all(region, after, limit).map(imageOf);
  }

  /** How many addresses of a subnet instances hold (terminated ones hold none). */
  addressesInUse(subnetId: string): number {
    return this.s.addressesInUse.get(subnetId) ?? 0;
  }

  /** Up to `limit` live instances with an address in a subnet (terminated ones hold none). */
  instancesInSubnet(subnetId: string, limit: number): string[] {
    return this.s.instancesInSubnet.all(subnetId, limit);
  }

  /** The live instance that holds an address (a number) in a subnet, or undefined. */
  instanceAtAddress(subnetId: string, address: number): string | undefined {
    return this.s.instanceAtAddress.get(subnetId, address);
  }

  /**
   * The live instances that name each security group, by group id, read in one pass: a load that
   * changed 995 groups asked once a group, each a scan of every instance, and held the server 44 s
   * beside 16,000 instances (the re-attack of 982ca4e, N1).
   */
  instancesByGroup(): Map<string, string[]> {
    const byGroup = new Map<string, string[]>();
    for (const { group_id: groupId, instance_id: instanceId } of this.s.groupsOfInstances.iterate()) {
      const instances = byGroup.get(groupId);
      if (instances === undefined) byGroup.set(groupId, [instanceId]);
      else instances.push(instanceId);
    }
    return byGroup;
  }

  /**
   * The lowest free address of a subnet at or after `first` (addresses as numbers), up to `last`;
   * undefined when every one is taken. The next after the highest held one when that fits (one
   * indexed read), else the first gap.
   */
  freeAddress(subnetId: string, first: number, last: number): number | undefined {
    // A launch asks again from past its last pick, before any of its picks is written: without this
    // bound it walked on past the subnet's end (the outside pass on c063112, F2).
    if (first > last) return undefined;
    const highest = this.s.highestAddress.get(subnetId) ?? null;
    if (highest === null || highest < first) return first;
    if (highest < last) return highest + 1;
    const gap = this.s.lowestFreeAddress.get({ subnet: subnetId, first }) ?? null;
    return gap !== null && gap <= last ? gap : undefined;
  }

  /** Where an instance sits in its VPC, or undefined for one that has no address (terminated, or loaded without a subnet). */
  instanceNetwork(instanceId: string): InstanceNetwork | undefined {
    const row = this.s.instanceNetwork.get(instanceId);
    return row && networkOf(row);
  }

  putInstanceNetwork(instanceId: string, network: InstanceNetwork): void {
    assertInWrite(this.db, "Network.putInstanceNetwork()");
    this.s.putInstanceNetwork.run({
      instance_id: instanceId,
      subnet_id: network.subnetId,
      vpc_id: network.vpcId,
      private_ip: network.privateIp,
      security_groups: JSON.stringify(network.securityGroups.map((group) => [group.groupId, group.groupName])),
    });
  }

  putSubnet(subnet: SubnetRecord): void {
    assertInWrite(this.db, "Network.putSubnet()");
    this.s.deleteSubnet.run(subnet.subnetId);
    this.s.putSubnet.run({
      subnet_id: subnet.subnetId,
      owner_id: subnet.ownerId,
      region: subnet.region,
      vpc_id: subnet.vpcId,
      availability_zone: subnet.availabilityZone,
      cidr_block: subnet.cidrBlock,
      map_public_ip_on_launch: subnet.mapPublicIpOnLaunch ? 1 : 0,
    });
  }

  putSecurityGroup(group: SecurityGroupRecord): void {
    assertInWrite(this.db, "Network.putSecurityGroup()");
    // An upsert by id, and by name (unique in its VPC): the name says which group a fixture means.
    this.s.deleteGroup.run(group.groupId);
    this.s.deleteGroupByName.run(group.ownerId, group.region, group.vpcId, group.groupName);
    this.s.putGroup.run({
      group_id: group.groupId,
      owner_id: group.ownerId,
      region: group.region,
      vpc_id: group.vpcId,
      group_name: group.groupName,
      description: group.description,
    });
  }

  /** The region CreateTags or a load recorded for one of an account's derived resources, or undefined. */
  derivedRegion(resourceId: string, accountId: string): string | undefined {
    return this.s.derivedRegion.get(resourceId, accountId);
  }

  /** Records the region of one of an account's derived resources that carries tags; only inside Store.write(). */
  putDerivedRegion(resourceId: string, accountId: string, region: string): void {
    assertInWrite(this.db, "Network.putDerivedRegion()");
    this.s.putDerivedRegion.run(resourceId, accountId, region);
  }

  putImage(image: ImageRecord): void {
    assertInWrite(this.db, "Network.putImage()");
    this.s.deleteImage.run(image.imageId);
    this.s.putImage.run({
      image_id: image.imageId,
      owner_id: image.ownerId,
      region: image.region,
      name: image.name,
      architecture: image.architecture,
      state: image.state,
      image_owner_alias: image.imageOwnerAlias,
      public: image.public ? 1 : 0,
      creation_date: image.creationDate,
      description: image.description,
      platform_details: image.platformDetails,
      root_device_type: image.rootDeviceType,
      root_device_name: image.rootDeviceName,
      virtualization_type: image.virtualizationType,
      ena_support: image.enaSupport ? 1 : 0,
      boot_mode: image.bootMode,
      deprecation_time: image.deprecationTime,
      block_device_mappings: image.blockDeviceMappings === null ? null : JSON.stringify(image.blockDeviceMappings),
    });
  }

  allSubnets(): SubnetRecord[] {
    return this.s.allSubnets.all().map(subnetOf);
  }

  allSecurityGroups(): SecurityGroupRecord[] {
    return this.s.allGroups.all().map(groupOf);
  }

  allImages(): ImageRecord[] {
    return this.s.allImages.all().map(imageOf);
  }
}
