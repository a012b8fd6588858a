// The store: emulator state in SQLite behind one facade, with one write path that keeps the read memos true.

import { randomBytes } from "node:crypto";
import type { CapacityReservationRecord, Tag, UsagePage } from "../domain/capacityReservation.js";
import type { CapacityReservationFixture, DerivedResourceTagsFixture, FixtureDocument, InstanceFixture, TagSetFixture } from "../fixtures/types.js";
import { Accounts, type AccessKeyRecord } from "./accounts.js";
import { openDatabase, openSnapshot, type SqliteDatabase } from "./database.js";
import { ReadCache } from "./readCache.js";
import { prepareNextChange } from "./changeTimes.js";
import { Sweep } from "./sweep.js";
import type { Filter } from "../domain/filters.js";
import type { Refusal } from "../domain/refusal.js";
import type { ReservationQuery } from "./capacityReservationFilters.js";
import { CapacityPools } from "./capacityPools.js";
import { InstanceTypes } from "./instanceTypes.js";
import type { DeclaredInstanceTypes } from "../domain/instanceTypes.js";
import { Reservations, type ReservationChange, type VisiblePage } from "./reservations.js";
import { Instances, WAITING, type InstancePosition, type WaitingKind } from "./instances.js";
import { Tags, type TagPosition, type TagRow } from "./tags.js";
import type { InstanceProfileAssociation, InstanceRecord, InstanceStateChange, LaunchRecord, MetadataOptions } from "../domain/instance.js";
import type { InstanceAttributeValues } from "../domain/instanceAttributes.js";
import { StartState } from "./stateTables.js";
import { instanceFixtureOf } from "./instanceFixtures.js";
import type { CapacityReservationToStore, FixtureRecordKey, FixtureRecordKind, StateRecords } from "../domain/state.js";
import { ipv4Text, regionOfDefaultResource } from "../domain/network.js";
import { Network } from "./network.js";
import { LaunchTemplates } from "./launchTemplates.js";
import { Fleets, fleetConfigurationFixture } from "./fleets.js";
import type { FleetRecord, FleetState } from "../domain/fleet.js";
import type { LaunchTemplateRecord } from "../domain/launchTemplate.js";
import { launchTemplateFixtureOf } from "./launchTemplateFixtures.js";
import { FixtureRecordsTakenIn } from "./takenIn.js";
import { imageFixtureOf, securityGroupFixtureOf, subnetFixtureOf } from "./networkFixtures.js";
import { Volumes, volumeFixtureOf, type LaunchVolumeRow } from "./volumes.js";
import type { VolumeRecord } from "../domain/volume.js";
import type { ImageRecord, InstanceNetwork, SecurityGroupRecord, SubnetRecord } from "../domain/network.js";

export type { AccessKeyRecord } from "./accounts.js";
export type { ReservationChange, VisiblePage } from "./reservations.js";
export type { ReservationQuery } from "./capacityReservationFilters.js";
export type { CapacityReservationRecord, UsagePage } from "../domain/capacityReservation.js";
export type { InstancePosition, WaitingKind } from "./instances.js";
export type { TagPosition, TagRow } from "./tags.js";

/** What is told of each outermost write (Store.listenToWrites). */
export interface WriteListener {
  before(): void;
  after(): void;
}

/** What DescribeInstances asks the store for: an owner's instances in a region, narrowed by its filters where an index can. */
export interface InstanceQuery {
  readonly owner: string;
  readonly region: string;
  readonly filters: readonly Filter[];
}

/** The ids of the reservations of one zone and instance type that an account owns or is shared. */
function prepareReservationsOfZone(db: SqliteDatabase) {
  const statement = db
    .prepare<[string, string, string, string], string>(
      `SELECT capacity_reservation_id FROM capacity_reservation AS r INDEXED BY capacity_reservation_by_zone_and_type
        WHERE availability_zone = ? AND instance_type = ?
          AND (owner_id = ? OR EXISTS (SELECT 1 FROM capacity_reservation_share AS s
                WHERE s.capacity_reservation_id = r.capacity_reservation_id AND s.account_id = ?))
        ORDER BY capacity_reservation_id`,
    )
    .pluck(true);
  const all = db
    .prepare<[string, string], string>(
      `SELECT capacity_reservation_id FROM capacity_reservation INDEXED BY capacity_reservation_by_zone_and_type
        WHERE availability_zone = ? AND instance_type = ? ORDER BY capacity_reservation_id`,
    )
    .pluck(true);
  // The open reservations that may have room to take in instances waiting of their kind (the state
  // at the clock is still the caller's to check): one seek when none has room.
  const withRoom = db
    .prepare<[string, string], string>(
      `SELECT capacity_reservation_id FROM capacity_reservation AS r INDEXED BY capacity_reservation_open_with_room
        WHERE availability_zone = ? AND instance_type = ? AND instance_match_criteria = 'open'
          AND total_instance_count > used_instance_count_total
          AND state NOT IN ('cancelled', 'cancelling', 'failed', 'expired') AND reservation_type = 'default'
          AND EXISTS (SELECT 1 FROM instance AS i INDEXED BY instance_waiting
                       WHERE i.availability_zone = r.availability_zone AND i.instance_type = r.instance_type
                         AND i.platform = r.instance_platform AND i.tenancy = r.tenancy AND ${WAITING})
        ORDER BY capacity_reservation_id`,
    )
    .pluck(true);
  return {
    usableBy: (zone: string, type: string, accountId: string) => statement.all(zone, type, accountId, accountId),
    all: (zone: string, type: string) => all.all(zone, type),
    withRoom: (zone: string, type: string) => withRoom.all(zone, type),
  };
}

function prepareMeta(db: SqliteDatabase) {
  return {
    get: db.prepare<[string], { value: string }>("SELECT value FROM emulator_meta WHERE key = ?"),
    put: db.prepare<[string, string]>("INSERT OR IGNORE INTO emulator_meta (key, value) VALUES (?, ?)"),
    counts: db.prepare<[], StateCounts>(
      `SELECT
         (SELECT count(*) FROM (SELECT account_id FROM account UNION SELECT owner_id FROM capacity_reservation)) AS accounts,
         (SELECT count(*) FROM capacity_reservation) AS capacityReservations,
         (SELECT count(*) FROM instance) AS instances,
         (SELECT coalesce(sum(used_instance_count_total), 0) FROM capacity_reservation) AS instancesInUse`,
    ),
  };
}

/** What write() throws while Store.checkBeforeWrite runs: the caller has reached the change it would make. */
class WriteReached extends Error {}

/**
 * Every read and write of emulator state. The database handle is private to src/store/ (a lint
 * rule refuses better-sqlite3 and openDatabase elsewhere), and every change goes through write(),
 * after which every kept read is stale (ReadCache's generation), committed or rolled back.
 *
 * What is kept for speed, and why, is in docs/architecture.md ("What is kept for speed").
 */
export class Store {
  readonly #db: SqliteDatabase;
  /** The request path's reads, answered from memory after their first trip into SQLite. */
  readonly #reads = new ReadCache();
  /** Set while checkBeforeWrite runs: write() makes no change and ends it. */
  #writesHeld = false;

  /** A number that changes with every write(), committed or not: what an answer was made from. */
  get generation(): number {
    return this.#reads.generation;
  }
  readonly #reservations: Reservations;
  readonly #accounts: Accounts;
  readonly #instances: Instances;
  readonly #tags: Tags;
  readonly #network: Network;
  readonly #launchTemplates: LaunchTemplates;
  readonly #fleets: Fleets;
  readonly #volumes: Volumes;
  /** Each instance's volumes, read for every instance DescribeInstances describes: kept until a write. */
  readonly #instanceVolumes = this.#reads.memo<readonly VolumeRecord[]>(10_000);
  readonly #takenIn: FixtureRecordsTakenIn;
  readonly #reservationsOfZone: ReturnType<typeof prepareReservationsOfZone>;
  readonly #pools: CapacityPools;
  readonly #instanceTypes: InstanceTypes;
  /** The declared instance types: read before every action that takes a type, kept until a write. */
  readonly #declaredTypes = this.#reads.memo<DeclaredInstanceTypes>(1);
  readonly #meta: ReturnType<typeof prepareMeta>;
  #startState: StartState | undefined;
  /** When the earliest instance transition settles: asked before every action, kept until a write. */
  readonly #nextSettle = this.#reads.memo<number | undefined>(1);
  readonly #ending = this.#reads.memo<readonly { capacityReservationId: string; endMs: number }[]>(1);
  readonly #activating = this.#reads.memo<readonly string[]>(1);
  readonly #instanceNetworks = this.#reads.memo<InstanceNetwork | undefined>(10_000);
  readonly #nextChange: (after: number) => number;
  /** Deletes the rows no caller can describe again, as the clock passes their times (src/store/sweep.ts). */
  readonly #sweep: Sweep;
  /** When the sweep next has a row to look at: asked before every action, kept until a write. */
  readonly #nextSweep = this.#reads.memo<number | undefined>(1);
  /**
   * The last answer of nextChangeAfter(): the first change after `from` is `at`, so it is the first
   * after any time in [from, at). Kept until a write (ReadCache) and while the clock stays in it.
   */
  readonly #changes = this.#reads.slot<{ readonly from: number; readonly at: number }>();

  private constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#reservations = new Reservations(db, this.#reads);
    this.#accounts = new Accounts(db, this.#reads);
    this.#instances = new Instances(db, this.#reads);
    this.#tags = new Tags(db);
    this.#network = new Network(db);
    this.#launchTemplates = new LaunchTemplates(db);
    this.#fleets = new Fleets(db);
    this.#volumes = new Volumes(db);
    this.#takenIn = new FixtureRecordsTakenIn(db);
    this.#reservationsOfZone = prepareReservationsOfZone(db);
    this.#pools = new CapacityPools(db);
    this.#sweep = new Sweep(db);
    this.#instanceTypes = new InstanceTypes(db);
    this.#meta = prepareMeta(db);
    this.#nextChange = prepareNextChange(db);
  }

  /** The whole database as bytes (SQLite's serialization): what a lagging describe reads later. */
  snapshot(): Buffer {
    return this.#db.serialize();
  }

  /** A read-only store over a snapshot: every read as the state was when it was taken. */
  static ofSnapshot(snapshot: Buffer): Store {
    return new Store(openSnapshot(snapshot));
  }

  #writeListener: WriteListener | undefined;

  /**
   * Calls `listener.before` as each outermost write transaction begins (the state is still the one
   * before it) and `listener.after` once it has ended, committed or not; no one with undefined. The
   * lag history listens.
   */
  listenToWrites(listener: WriteListener | undefined): void {
    this.#writeListener = listener;
  }

  /** Opens ":memory:" or a file and migrates it. Throws DatabaseError. */
  static open(path = ":memory:"): Store {
    return new Store(openDatabase(path));
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /**
   * Runs `fn` in one SQLite transaction (a savepoint when nested in another write) and returns
   * what it returns; when `fn` throws, nothing it wrote stays and the error is rethrown. The only
   * way to change state: each write method of the store asserts it runs inside it. While it runs,
   * reads go to SQLite (they see the transaction's own writes); once it has ended, every read kept
   * before it is stale (ReadCache), so an answer read before the write, or read inside it and then
   * rolled back, is never served afterwards.
   */
  write<T>(fn: () => T): T {
    if (this.#writesHeld) throw new WriteReached("a write reached while checkBeforeWrite runs");
    const outermost = !this.#db.inTransaction;
    if (outermost) this.#writeListener?.before();
    try {
      return this.#reads.writing(() => this.#db.transaction(fn)());
    } finally {
      if (outermost) this.#writeListener?.after();
    }
  }

  /**
   * Runs `fn` up to its first write(), which is not made: what a DryRun of a change checks
   * (ActionDefinition.dryRunChecksBeforeWrite). Returns when `fn` returns or reaches a write, with
   * nothing changed; a refusal `fn` throws before that is thrown.
   */
  checkBeforeWrite(fn: () => unknown): void {
    if (this.#writesHeld) throw new Error("checkBeforeWrite does not nest");
    this.#writesHeld = true;
    try {
      fn();
    } catch (error) {
      if (!(error instanceof WriteReached)) throw error;
    } finally {
      this.#writesHeld = false;
    }
  }

  /**
   * A change a call makes and is refused all the same (TerminateInstances terminates the instances
   * protection does not hold back, then answers OperationNotPermitted): `fn` runs, then `refusal`
   * is thrown. While checkBeforeWrite runs, `refusal` is thrown without `fn`: the call's answer is
   * known before its write, so its DryRun is refused as the call is, not answered DryRunOperation.
   */
  writeThenRefuse(fn: () => unknown, refusal: Refusal): never {
    if (!this.#writesHeld) fn();
    throw refusal;
  }

  /** The reservation by id, or undefined when none has it. */
  findReservation(capacityReservationId: string): CapacityReservationRecord | undefined {
    return this.#reservations.find(capacityReservationId);
  }

  isSharedWith(capacityReservationId: string, accountId: string): boolean {
    return this.#reservations.isSharedWith(capacityReservationId, accountId);
  }

  /** The instances one account has in a reservation; 0 when it has no usage row. */
  usedBy(capacityReservationId: string, accountId: string): number {
    return this.#reservations.usedBy(capacityReservationId, accountId);
  }

  /**
   * One page of a reservation's usage as EC2 orders it: on the first page (`after` empty) the
   * owner's row leads, even at 0; then the accounts other than the owner with instances in use, in
   * account order, after `after`. `more` says whether rows follow the page. The page is frozen.
   */
  usagePage(capacityReservationId: string, ownerId: string, after: string, size: number): UsagePage {
    return this.#reservations.usagePage(capacityReservationId, ownerId, after, size);
  }

  /** One account's tags on a resource, in key order (EC2 tags belong to an account). */
  tagsOf(resourceId: string, accountId: string): Tag[] {
    return this.#reservations.tagsOf(resourceId, accountId);
  }

  /** One account's tags on several resources, by resource id; a resource without tags is absent. */
  tagsOfResources(resourceIds: readonly string[], accountId: string): Map<string, readonly Tag[]> {
    return this.#reservations.tagsOfResources(resourceIds, accountId);
  }

  /** Up to `limit` of an account's tags on any resource, in (resource id, key) order after `after` (DescribeTags). */
  tagPage(accountId: string, after: TagPosition | undefined, limit: number): TagRow[] {
    return this.#tags.page(accountId, after, limit);
  }

  /**
   * The describe's page, in one prepared statement: the ids of up to `limit` reservations with an id
   * after `after`, in id order, that the query's account owns or that are shared with it in its
   * region, passing the filters SQL decides; only among the query's ids when it names some.
   * `undecided` are the filters left for the caller to match in memory on the records
   * (findReservation()), as are the state at the clock and a failed reservation's retention. When
   * SQL narrows the walk, it reads at most `walk` visible rows and says where it stopped (`walkedTo`).
   */
  visibleReservationIds(query: ReservationQuery, after: string, limit: number, walk: number): VisiblePage {
    return this.#reservations.visiblePage(query, after, limit, walk);
  }

  // --- subnets, security groups and images that fixtures add (SPEC section 14) ---

  /** An added subnet by id (a default subnet is derived, never stored). */
  subnet(subnetId: string): SubnetRecord | undefined {
    return this.#network.subnet(subnetId);
  }

  /** Up to `limit` of an account's added subnets in a region, in id order after `after`. */
  subnetPage(ownerId: string, region: string, after: string, limit: number): SubnetRecord[] {
    return this.#network.subnetPage(ownerId, region, after, limit);
  }

  /** The VPCs an account's added subnets and security groups of a region name (the default VPC is derived). */
  vpcIds(ownerId: string, region: string): string[] {
    return this.#network.vpcIds(ownerId, region);
  }

  /** The added subnets that name a VPC, in id order. */
  subnetsOfVpc(vpcId: string): SubnetRecord[] {
    return this.#network.subnetsOfVpc(vpcId);
  }

  securityGroup(groupId: string): SecurityGroupRecord | undefined {
    return this.#network.securityGroup(groupId);
  }

  securityGroupPage(ownerId: string, region: string, after: string, limit: number): SecurityGroupRecord[] {
    return this.#network.securityGroupPage(ownerId, region, after, limit);
  }

  /** An added group by its name in an owner's VPC of a region (unique there), or undefined. */
  securityGroupByName(ownerId: string, region: string, vpcId: string, groupName: string): SecurityGroupRecord | undefined {
    return this.#network.securityGroupByName(ownerId, region, vpcId, groupName);
  }

  /**
   * Records the region of one of an account's derived resources (default VPC, subnet or security
   * group) as it gains tags, so that a dump can name it (inside write()).
   */
  putDerivedRegion(resourceId: string, accountId: string, region: string): void {
    this.#network.putDerivedRegion(resourceId, accountId, region);
  }

  /** Whether a --db file has taken in this fixture record (migration 015). */
  hasTakenIn(kind: FixtureRecordKind, id: string): boolean {
    return this.#takenIn.has(kind, id);
  }

  image(imageId: string): ImageRecord | undefined {
    return this.#network.image(imageId);
  }

  /** Up to `limit` declared images of a region, every owner's, in id order after `after`. */
  imagePage(region: string, after: string, limit: number): ImageRecord[] {
    return this.#network.imagePage(region, after, limit);
  }

  /** Up to `limit` live instances with an address in a subnet. */
  instancesInSubnet(subnetId: string, limit: number): string[] {
    return this.#network.instancesInSubnet(subnetId, limit);
  }

  /** The live instance that holds an address (a number) in a subnet, or undefined. */
  instanceAtAddress(subnetId: string, address: number): string | undefined {
    return this.#network.instanceAtAddress(subnetId, address);
  }

  /** The live instances that name each security group, by group id (one pass over them). */
  instancesByGroup(): Map<string, string[]> {
    return this.#network.instancesByGroup();
  }

  /** How many of a subnet's addresses live (not terminated) instances hold. */
  addressesInUse(subnetId: string): number {
    return this.#network.addressesInUse(subnetId);
  }

  /** The lowest free address of a subnet in `first`..`last` (as numbers), or undefined when none is. */
  freeAddress(subnetId: string, first: number, last: number): number | undefined {
    return this.#network.freeAddress(subnetId, first, last);
  }

  /** A volume by id, whoever owns it. */
  volume(volumeId: string): VolumeRecord | undefined {
    return this.#volumes.byId(volumeId);
  }

  /** Which of `volumeIds` are an account's volumes in a region, in id order, each once (no volume row is read). */
  seenVolumeIds(ownerId: string, region: string, volumeIds: readonly string[]): string[] {
    return this.#volumes.seenIds(ownerId, region, volumeIds);
  }

  /** The volumes attached to an instance, by device name (kept until the next write). */
  volumesOfInstance(instanceId: string): readonly VolumeRecord[] {
    return this.volumesOfInstances([instanceId]).get(instanceId) ?? [];
  }

  /** The volumes attached to each of `instanceIds`, by device name (kept until the next write), in one read. */
  volumesOfInstances(instanceIds: readonly string[]): ReadonlyMap<string, readonly VolumeRecord[]> {
    // Each instance's kept until a write; one not kept has all of them read in one statement.
    let read: ReadonlyMap<string, readonly VolumeRecord[]> | undefined;
    const found = new Map<string, readonly VolumeRecord[]>();
    for (const id of instanceIds) found.set(id, this.#instanceVolumes.get(id, () => (read ??= this.#volumes.ofInstances(instanceIds)).get(id) ?? []));
    return found;
  }

  /** An account's volumes in a region attached to any of `instanceIds`, in no order, in one read; undefined when more than `limit` are attached to them. */
  seenVolumesOfInstances(ownerId: string, region: string, instanceIds: readonly string[], limit: number): VolumeRecord[] | undefined {
    return this.#volumes.seenOfInstances(ownerId, region, instanceIds, limit);
  }

  /** Writes a launch's new volumes in one statement (inside write()). */
  insertLaunchVolumes(ownerId: string, region: string, now: number, rows: readonly LaunchVolumeRow[]): void {
    this.#volumes.insertLaunch(ownerId, region, now, rows);
  }

  /** Up to `limit` of an account's volumes in a region after `after`, by id. */
  volumePage(ownerId: string, region: string, after: string, limit: number): VolumeRecord[] {
    return this.#volumes.page(ownerId, region, after, limit);
  }

  /** Writes a volume whole (inside write()): a launch's, a modification's, a load's. */
  putVolume(volume: VolumeRecord): void {
    this.#volumes.put(volume);
  }

  /** Where an instance sits in its VPC (kept until the next write), or undefined when it has no address. */
  instanceNetwork(instanceId: string): InstanceNetwork | undefined {
    return this.#instanceNetworks.get(instanceId, () => this.#network.instanceNetwork(instanceId));
  }

  /** Gives a launched instance its subnet, address and groups (inside write()). */
  putInstanceNetwork(instanceId: string, network: InstanceNetwork): void {
    this.#network.putInstanceNetwork(instanceId, network);
  }

  // --- launch templates (SPEC section 14) ---

  launchTemplateById(id: string): LaunchTemplateRecord | undefined {
    return this.#launchTemplates.byId(id);
  }

  launchTemplateByName(ownerId: string, region: string, name: string): LaunchTemplateRecord | undefined {
    return this.#launchTemplates.byName(ownerId, region, name);
  }

  launchTemplateByClientToken(ownerId: string, region: string, token: string): LaunchTemplateRecord | undefined {
    return this.#launchTemplates.byClientToken(ownerId, region, token);
  }

  /** Up to `limit` of an account's templates in a region, in id order after `after`. */
  launchTemplatePage(ownerId: string, region: string, after: string, limit: number): LaunchTemplateRecord[] {
    return this.#launchTemplates.page(ownerId, region, after, limit);
  }

  /** Adds a template with its tags (inside write()). */
  putLaunchTemplate(record: LaunchTemplateRecord, tags: readonly Tag[]): void {
    this.#launchTemplates.put(record);
    if (tags.length > 0) this.#reservations.setTags(record.launchTemplateId, record.ownerId, tags);
  }

  /** Deletes a template and its tags (inside write()). */
  deleteLaunchTemplate(id: string): void {
    this.#launchTemplates.delete(id);
  }

  /** The instant fleet an owner's ClientToken made in a region. */
  fleetByClientToken(ownerId: string, region: string, token: string): FleetRecord | undefined {
    return this.#fleets.byClientToken(ownerId, region, token);
  }

  /** An instant fleet by id, whoever owns it. */
  fleet(fleetId: string): FleetRecord | undefined {
    return this.#fleets.byId(fleetId);
  }

  /** Every instant fleet, whoever owns it, in id order. */
  allFleets(): FleetRecord[] {
    return this.#fleets.all();
  }

  /** A fleet's new state (inside write()). */
  setFleetState(fleetId: string, state: FleetState): void {
    this.#fleets.setState(fleetId, state);
  }

  /** Keeps an instant fleet's outcome (inside write()). */
  putFleet(record: FleetRecord): void {
    this.#fleets.put(record);
  }

  // --- instances (SPEC section 11) ---

  findInstance(instanceId: string): InstanceRecord | undefined {
    return this.#instances.find(instanceId);
  }

  /** An instance's owner, region and zone, or undefined when there is none by that id. */
  instancePlace(instanceId: string): { ownerId: string; region: string; availabilityZone: string } | undefined {
    return this.#instances.placeOf(instanceId);
  }

  /**
   * A page of an account's instances in a region, in (launch, instance) order after `after`: the
   * walk DescribeInstances filters in memory. A `capacity-reservation-id` filter of one literal value
   * walks that reservation's index instead (only instances holding a place in it can pass it).
   */
  instancePage(query: InstanceQuery, after: InstancePosition | undefined, limit: number): readonly InstanceRecord[] {
    const byReservation = query.filters.find((f) => f.kind === "member" && f.name === "capacity-reservation-id");
    const literals = byReservation?.values.allLiteral ? [...byReservation.values.literals] : [];
    const one = literals.length === 1 ? literals[0] : undefined;
    return one === undefined
      ? this.#instances.pageOfOwner(query.owner, query.region, after, limit)
      : this.#instances.pageInReservation(one, query.owner, query.region, after, limit);
  }

  /** An instance's AmiLaunchIndex: its place among its launch's instances in id order (RunInstances' order). */
  launchIndex(record: InstanceRecord): number {
    return this.#instances.launchIndex(record);
  }

  instancesOfLaunch(reservationId: string): InstanceRecord[] {
    return this.#instances.ofLaunch(reservationId);
  }

  /**
   * An account's instances of one kind that an open reservation may take in (outside any, preference
   * open, no target, pending or running), oldest first, at most `limit`.
   */
  waitingInstances(kind: WaitingKind, ownerId: string, limit: number): InstanceRecord[] {
    return this.#instances.waitingOf(kind, ownerId, limit);
  }

  /** Whether any instance of a zone and type waits to be taken in (one seek). */
  anyInstanceWaiting(availabilityZone: string, instanceType: string): boolean {
    return this.#instances.anyWaiting(availabilityZone, instanceType);
  }

  /** Of the owners of these reservations and the accounts they are shared with, those with instances of `kind` waiting to be taken in. */
  accountsWaiting(kind: WaitingKind, capacityReservationIds: readonly string[]): string[] {
    return this.#instances.waitingAccounts(kind, capacityReservationIds);
  }

  /**
   * The open reservations of a zone and type, by id, that have places left and a stored state that
   * may be active, and instances of their kind waiting outside any reservation: the only ones
   * take-in may fill. Their state at the clock is the caller's to check.
   */
  openReservationIdsWithRoom(availabilityZone: string, instanceType: string): string[] {
    return this.#reservationsOfZone.withRoom(availabilityZone, instanceType);
  }

  /** The reservations of a zone and type an account owns or is shared (all of them when accountId is undefined), by id. */
  reservationIdsOfZone(availabilityZone: string, instanceType: string, accountId?: string): string[] {
    return accountId === undefined
      ? this.#reservationsOfZone.all(availabilityZone, instanceType)
      : this.#reservationsOfZone.usableBy(availabilityZone, instanceType, accountId);
  }

  launch(reservationId: string): LaunchRecord | undefined {
    return this.#instances.launch(reservationId);
  }

  launchByClientToken(ownerId: string, region: string, clientToken: string): LaunchRecord | undefined {
    return this.#instances.launchByClientToken(ownerId, region, clientToken);
  }

  /** Writes a launch and its instances (inside write()). */
  putLaunch(launch: LaunchRecord, instances: readonly InstanceRecord[]): void {
    this.#instances.putLaunch(launch);
    for (const instance of instances) this.#instances.put(instance);
  }

  /** Sets an instance's state and its place (inside write()); the schema moves the usage counts. */
  changeInstance(change: InstanceStateChange): void {
    this.#instances.change(change);
  }

  /** Sets the attributes ModifyInstanceAttribute changes (inside write()). */
  setInstanceAttributes(instanceId: string, values: InstanceAttributeValues): void {
    this.#instances.setAttributes(instanceId, values);
  }

  /** Sets an instance's metadata options, as ModifyInstanceMetadataOptions changes them (inside write()). */
  setInstanceMetadataOptions(instanceId: string, options: MetadataOptions): void {
    this.#instances.setMetadataOptions(instanceId, options);
  }

  /** Sets an instance's IAM instance profile association, or removes it with null (inside write()). */
  setInstanceProfileAssociation(instanceId: string, association: InstanceProfileAssociation | null): void {
    this.#instances.setAssociation(instanceId, association);
  }

  /** The instance whose IAM instance profile association has this id, whoever owns it. */
  instanceByProfileAssociation(associationId: string): InstanceRecord | undefined {
    return this.#instances.byAssociation(associationId);
  }

  /** A page of an account's instances with an IAM instance profile association in a region, in association id order after `after`. */
  instanceProfileAssociationPage(ownerId: string, region: string, after: string, limit: number): InstanceRecord[] {
    return this.#instances.associationPage(ownerId, region, after, limit);
  }

  /** Turns an instance's detailed monitoring on or off (inside write()). */
  setInstanceMonitoring(instanceId: string, enabled: boolean): void {
    this.#instances.setMonitoring(instanceId, enabled);
  }

  /** Moves an instance into a reservation, or out of any with null (inside write()). */
  placeInstance(instanceId: string, capacityReservationId: string | null): void {
    this.#instances.place(instanceId, capacityReservationId);
  }

  /** How many instances of a zone and type hold capacity outside any reservation (a capacity pool's share). */
  instancesOutside(availabilityZone: string, instanceType: string): number {
    return this.#instances.outside(availabilityZone, instanceType);
  }

  /** The reservations with a limited end that hold instances, and that end (ms); kept until the next write. */
  reservationsEndingWithInstances(): readonly { capacityReservationId: string; endMs: number }[] {
    return this.#ending.get("", () => this.#instances.ending());
  }

  /** Open reservations with room that become active over time where instances wait to be taken in; kept until the next write. */
  reservationsActivatingWithWaiting(): readonly string[] {
    return this.#activating.get("", () => this.#instances.activating());
  }

  /** The instances holding a place in a reservation, in fixture form (what a run-time load checks against). */
  instancesHeldIn(capacityReservationId: string): InstanceFixture[] {
    return this.#instances.heldIn(capacityReservationId).map((record) => instanceFixtureOf(record, [], undefined));
  }

  /** One reservation in the form a dump writes it (its usage rows without its instances), or undefined. */
  reservationFixture(capacityReservationId: string): CapacityReservationFixture | undefined {
    return this.#reservations.fixtureOf(capacityReservationId);
  }

  /** Whether any instance holds a place in a reservation (so a load need not ask reservation by reservation). */
  instancesHeldAnywhere(): boolean {
    return this.#instances.anyHeld();
  }

  /** Every instance in a cancelled reservation runs on outside it (inside write()). */
  releaseInstances(capacityReservationId: string): void {
    this.#instances.release(capacityReservationId);
  }

  /** Every instance in an ended capacity block is terminated at its end, `at` (inside write()). */
  terminateInstancesIn(capacityReservationId: string, at: number): void {
    this.#instances.terminateIn(capacityReservationId, at);
  }

  /** When the earliest instance transition settles, or undefined. */
  nextInstanceSettle(): number | undefined {
    return this.#nextSettle.get("", () => this.#instances.nextSettle());
  }

  /** The first clock time at which a row may be past every time a caller could describe it, or undefined. */
  nextSweep(): number | undefined {
    return this.#nextSweep.get(String(this.#sweep.version), () => this.#sweep.nextDue());
  }

  /**
   * Deletes, in one bounded batch, launches and reservations no caller can describe again at `now`
   * (inside write(); src/store/sweep.ts): a reservation when `forgotten` says so. Returns the rows deleted.
   */
  sweepForgotten(now: number, forgotten: (capacityReservationId: string) => boolean): number {
    return this.#sweep.run(now, forgotten);
  }

  /** Settles the transitions due at `now` (inside write()); returns the zones and types where places were given back. */
  settleInstances(now: number): { availabilityZone: string; instanceType: string }[] {
    return this.#instances.settle(now);
  }

  /**
   * The first stored time after `now` (ms) at which some state read through the clock changes, for
   * any row of the whole state: a reservation's provisioning end, start, end, commitment end, the
   * end of its retention once failed, cancelled or expired; an instance's transition settling, the
   * time a terminated one is no longer described and gives up its ClientToken (src/store/changeTimes.ts).
   * Infinity when none is stored. Until then, with no write, every state at the clock reads the
   * same: a kept answer made at `now` holds until it (src/actions/answerCache.ts). Kept until a write,
   * and read again only when the clock leaves the span it was read for.
   */
  nextChangeAfter(now: number): number {
    const kept = this.#changes.get();
    // Checked on both sides: the clock may be set back to before the span was read.
    if (kept !== undefined && kept.from <= now && now < kept.at) return kept.at;
    const at = this.#nextChange(now);
    this.#changes.set({ from: now, at });
    return at;
  }

  /** The reservation an owner's ClientToken made in a region, with the fingerprint of that request. */
  reservationOfClientToken(
    ownerId: string,
    region: string,
    clientToken: string,
  ): { capacityReservationId: string; requestFingerprint: string } | undefined {
    return this.#reservations.clientToken(ownerId, region, clientToken);
  }

  /** A capacity pool's `available` as loaded, or undefined when the zone has no pool for the type (unlimited). */
  capacityPool(availabilityZone: string, instanceType: string): number | undefined {
    return this.#pools.available(availabilityZone, instanceType);
  }

  /** The instance types fixtures declare, by name (the catalogue's own are not stored). */
  declaredInstanceTypes(): DeclaredInstanceTypes {
    return this.#declaredTypes.get("", () => this.#instanceTypes.declared());
  }

  /** The API-made reservations of a zone and type whose stored state may still hold pool capacity. */
  reservationsHoldingCapacity(availabilityZone: string, instanceType: string): CapacityReservationRecord[] {
    return this.#reservations.holdingCapacity(availabilityZone, instanceType);
  }

  /** Adds a reservation made through the API (CreateCapacityReservation), with its owner's tags. Only inside write(). */
  createReservation(reservation: CapacityReservationToStore, tags: readonly Tag[]): void {
    this.#reservations.put({ reservation, tags, sharedWith: [], usage: [] });
  }

  /** ModifyCapacityReservation's change; only inside write(). */
  modifyReservation(capacityReservationId: string, change: ReservationChange): void {
    this.#reservations.modify(capacityReservationId, change);
  }

  /** CancelCapacityReservation: `cancelled` (or `cancelling`) from `cancelDate` (ISO); only inside write(). */
  cancelReservation(capacityReservationId: string, state: "cancelled" | "cancelling", cancelDate: string): void {
    this.#reservations.cancel(capacityReservationId, state, cancelDate);
  }

  /** Gives a launch's instances the same tags, kept once as a set they share until one's own tags change; only inside write(). */
  shareTagsOfInstances(instanceIds: readonly string[], accountId: string, tags: readonly Tag[]): void {
    this.#reservations.shareTagsOfInstances(instanceIds, accountId, tags);
  }

  /** Replaces one account's tags on each resource with `change` of them (CreateTags / DeleteTags), a shared set changed once; only inside write(). */
  retag(resourceIds: readonly string[], accountId: string, change: (tags: readonly Tag[]) => readonly Tag[]): void {
    this.#reservations.retag(resourceIds, accountId, change);
  }

  /** Replaces one account's tags on a resource whole (CreateTags / DeleteTags); only inside write(). */
  setTags(resourceId: string, accountId: string, tags: readonly Tag[]): void {
    this.#reservations.setTags(resourceId, accountId, tags);
  }

  accessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.#accounts.accessKey(accessKeyId);
  }

  isDenied(accountId: string, action: string): boolean {
    return this.#accounts.isDenied(accountId, action);
  }

  /** A value kept with the data (for example the page-token key), created on first use. */
  meta(key: string, create: () => string): string {
    return this.write(() => {
      this.#meta.put.run(key, create());
      const row = this.#meta.get.get(key);
      if (!row) throw new Error(`emulator_meta.${key} was not written`);
      return row.value;
    });
  }

  /** Page tokens are signed with a key stored beside the data, so they outlive a restart on the same file. */
  tokenKey(): Buffer {
    return Buffer.from(this.meta("page-token-key", () => randomBytes(32).toString("base64")), "base64");
  }

  /**
   * Writes one load's records (a checked fixture set: recordsOfFixture() in src/fixtures/records.ts)
   * in one transaction, replacing each account, reservation and instance it names whole (an upsert
   * by id) and leaving everything else as it was; and remembers `takenIn` as fixture records the
   * database has taken in (hasTakenIn), in the same transaction.
   */
  load(records: StateRecords, takenIn: Iterable<FixtureRecordKey> = []): void {
    // A load may write rows whose times the sweep has passed.
    this.#sweep.rewind();
    this.write(() => {
      this.#takenIn.add(takenIn);
      for (const account of records.accounts) this.#accounts.put(account);
      // Every replaced reservation goes first, so that a ClientToken one of them gives up can go to
      // another of the set whatever their order (the index keeps a token to one reservation).
      for (const { reservation } of records.capacityReservations) this.#reservations.remove(reservation.capacityReservationId);
      for (const loaded of records.capacityReservations) {
        this.#reservations.put(loaded);
        this.#instances.recount(loaded.reservation.capacityReservationId);
      }
      for (const launch of records.launches) this.#instances.putLaunch(launch);
      for (const { instance } of records.instances) this.#instances.put(instance);
      for (const pool of records.capacityPools) this.#pools.put(pool);
      for (const info of records.instanceTypes) this.#instanceTypes.put(info);
      for (const { subnet, tags } of records.subnets) {
        this.#network.putSubnet(subnet);
        if (tags.length > 0) this.#reservations.setTags(subnet.subnetId, subnet.ownerId, tags);
      }
      for (const { group, tags } of records.securityGroups) {
        this.#network.putSecurityGroup(group);
        if (tags.length > 0) this.#reservations.setTags(group.groupId, group.ownerId, tags);
      }
      for (const { image, tags } of records.images) {
        this.#network.putImage(image);
        if (tags.length > 0) this.#reservations.setTags(image.imageId, image.ownerId, tags);
      }
      // Every replaced template goes first, so that a ClientToken one of them gives up can go to
      // another of the set whatever their order (the index of migration 008 keeps a token to one).
      for (const { template } of records.launchTemplates) this.#launchTemplates.delete(template.launchTemplateId);
      for (const { template, tags } of records.launchTemplates) {
        this.#launchTemplates.put(template);
        if (tags.length > 0) this.#reservations.setTags(template.launchTemplateId, template.ownerId, tags);
      }
      for (const { fleet, tags } of records.fleets) {
        this.#fleets.put(fleet);
        if (tags.length > 0) this.#reservations.setTags(fleet.outcome.fleetId, fleet.ownerId, tags);
      }
      for (const { instanceId, network } of records.instanceNetworks) this.#network.putInstanceNetwork(instanceId, network);
      // After the instances: a volume attached to one of them goes with it when it terminates. The
      // set's volumes of an instance it writes replace the ones attached to it (its launch's, an
      // earlier load's); the set's volumes are taken off their instances first, so that one may take
      // a device another of the set leaves (docs/fixtures.md, "Volumes").
      const setVolumes = new Set(records.volumes.map(({ volume }) => volume.volumeId));
      const writtenInstances = new Set(records.instances.map(({ instance }) => instance.instanceId));
      const replacedOn = new Set<string>();
      for (const { volume } of records.volumes) {
        const instanceId = volume.attachment?.instanceId;
        if (instanceId !== undefined && writtenInstances.has(instanceId)) replacedOn.add(instanceId);
      }
      for (const instanceId of replacedOn) {
        for (const { volumeId } of this.#volumes.ofInstance(instanceId)) if (!setVolumes.has(volumeId)) this.#volumes.remove(volumeId);
      }
      for (const volumeId of setVolumes) this.#volumes.detach(volumeId);
      for (const { volume } of records.volumes) this.#volumes.put(volume);
      // A volume named again is replaced with its tags, as an instance is: its old ones (own rows, a
      // shared set's reference) go, and the record's own are written below (D3 of the sixteenth outside
      // pass: a volume loaded again without tags kept its old ones, and every later dump wrote them).
      this.#reservations.untag([...setVolumes]);
      // Instances and volumes of one owner with the same tags share them, as a launch's do: a dump of
      // a 1,000-instance launch with 50 tags loads back as 50 rows, not 50,000, and a launch's 127,000
      // volumes that a dump names one tag set from as that set once (docs/reliability.md, "C1"). Both
      // kinds in one pass: a set CreateTags kept for instances and volumes together stays one.
      this.#shareAlike([
        ...records.instances.map(({ instance, tags, tagSetTags }) => ({ resourceId: instance.instanceId, ownerId: instance.ownerId, tags, tagSetTags })),
        ...records.volumes.map(({ volume, tags, tagSetTags }) => ({ resourceId: volume.volumeId, ownerId: volume.ownerId, tags, tagSetTags })),
      ]);
      for (const { resourceId, accountId, region, tags } of records.derivedResourceTags) {
        this.#reservations.setTags(resourceId, accountId, tags);
        this.#network.putDerivedRegion(resourceId, accountId, region);
      }
    });
  }

  /**
   * Gives resources of one owner with the same tags one shared set (one alone gets its own rows;
   * untagged ones are left as they are); only inside write(). A resource that named a set beside
   * tags of its own (`tagSetTags`) goes with the others of that set's tags, and keeps the rest as its
   * own rows beside the shared set, as CreateTags left them (so a dump writes it back the same). The
   * tags of a fixture's tag set are one list for every record naming it, so `keys` makes each list's
   * text once, not once per record.
   */
  #shareAlike(resources: readonly { resourceId: string; ownerId: string; tags: readonly Tag[]; tagSetTags?: readonly Tag[] | undefined }[]): void {
    const keys = new Map<readonly Tag[], string>();
    const groups = new Map<string, { ownerId: string; tags: readonly Tag[]; ids: Set<string>; beside: Map<string, readonly Tag[]> }>();
    for (const { resourceId, ownerId, tags, tagSetTags } of resources) {
      if (tags.length === 0) continue;
      const shared = tagSetTags ?? tags;
      let text = keys.get(shared);
      if (text === undefined) keys.set(shared, (text = JSON.stringify(shared.map((tag) => [tag.key, tag.value]))));
      const key = `${ownerId} ${text}`;
      let group = groups.get(key);
      if (group) group.ids.add(resourceId);
      else groups.set(key, (group = { ownerId, tags: shared, ids: new Set([resourceId]), beside: new Map() }));
      if (tagSetTags !== undefined) {
        const setKeys = new Set(tagSetTags.map(({ key: tagKey }) => tagKey));
        group.beside.set(resourceId, tags.filter(({ key: tagKey }) => !setKeys.has(tagKey)));
      } else group.beside.delete(resourceId);
    }
    for (const { ownerId, tags, ids, beside } of groups.values()) {
      if (ids.size === 1) {
        const [resourceId = ""] = ids;
        this.#reservations.setTags(resourceId, ownerId, [...tags, ...(beside.get(resourceId) ?? [])]);
        continue;
      }
      this.#reservations.shareTagsOfInstances([...ids], ownerId, tags);
      for (const [resourceId, own] of beside) this.#reservations.setOwnTagsBeside(resourceId, ownerId, own);
    }
  }

  /** The generation at which the state was last the start state (saved or put back), if it was. */
  #startGeneration: number | undefined;

  /**
   * The clock of the emulator's last instance step (src/ec2/instances.ts), so that a reservation's
   * activation is acted on once. Held in memory, not written (a step that finds nothing to do writes
   * nothing), and part of the start state: restoreStartState() puts it back with the rows.
   */
  #lastStep = Number.NEGATIVE_INFINITY;
  #startLastStep = Number.NEGATIVE_INFINITY;

  /** Moves the instance step's clock to `now`; returns where it was. */
  stepTo(now: number): number {
    const since = this.#lastStep;
    this.#lastStep = now;
    // Set back, the clock may see rows written at times the sweep has passed.
    if (now < since) this.#sweep.rewind();
    return since;
  }

  /** Remembers the current state as the one restoreStartState() returns to. */
  saveStartState(): void {
    const startState = (this.#startState ??= new StartState(this.#db));
    this.write(() => startState.saveCurrent());
    this.#startGeneration = this.generation;
    this.#startLastStep = this.#lastStep;
  }

  /**
   * Back to the state saveStartState() remembered, in one transaction: all or nothing. With no
   * write since it was saved or last put back (the generation has not moved) the state is the start
   * state already, and nothing is done: a test that only reads costs its reset nothing.
   */
  restoreStartState(): void {
    const startState = this.#startState;
    if (!startState) throw new Error("restoreStartState() before saveStartState()");
    this.#lastStep = this.#startLastStep;
    if (this.generation === this.#startGeneration) return;
    this.#sweep.rewind();
    this.write(() => startState.restoreSaved());
    this.#startGeneration = this.generation;
    // An in-memory database (auto_vacuum incremental: openDatabase) gives back the pages the rows
    // written since the start held; a file's are reused by later writes.
    this.#db.pragma("incremental_vacuum");
  }

  /**
   * Writes the same document as `JSON.stringify(this.dump())`, in pieces of about `chunkBytes`,
   * without ever holding the whole of it: rows are read one at a time, so ten million usage rows
   * never become one string (V8's limit is about 512 MiB) or one object tree. It runs synchronously,
   * so what it writes is one consistent state; `write` must not call back into the store. Secret
   * access keys are left out unless `secrets` is true (as withoutSecrets()).
   */
  writeDump(write: (chunk: string) => void, options: { secrets: boolean; chunkBytes?: number }): void {
    const limit = options.chunkBytes ?? 64 * 1024;
    let pending = "";
    const put = (text: string): void => {
      pending += text;
      if (pending.length >= limit) {
        write(pending);
        pending = "";
      }
    };
    put('{"accounts":[');
    let first = true;
    for (const account of this.#accounts.each()) {
      if (!options.secrets && account.accessKeys) {
        account.accessKeys = account.accessKeys.map(({ accessKeyId }) => ({ accessKeyId }));
      }
      put(`${first ? "" : ","}${JSON.stringify(account)}`);
      first = false;
    }
    put('],"capacityReservations":[');
    this.#reservations.writeEach(put);
    put("]");
    const tagSets = this.#dumpTagSets();
    // As dump(): instances and capacityPools only when there are some.
    first = true;
    for (const record of this.#instances.each()) {
      const instance = this.#instanceFixture(record, tagSets, this.#instances.launch(record.reservationId));
      put(`${first ? ',"instances":[' : ","}${JSON.stringify(instance)}`);
      first = false;
    }
    if (!first) put("]");
    const pools = this.#pools.dump();
    if (pools.length > 0) put(`,"capacityPools":${JSON.stringify(pools)}`);
    const instanceTypes = this.#instanceTypes.dump();
    if (instanceTypes.length > 0) put(`,"instanceTypes":${JSON.stringify(instanceTypes)}`);
    // Each record apart, as instances are: volumes are as many as instances times their block
    // devices, and 128,000 of them made one string past V8's limit (a 500 after 27 s).
    for (const [name, records] of Object.entries(this.#networkDump(tagSets))) {
      put(`,${JSON.stringify(name)}:[`);
      for (const [n, record] of (records ?? []).entries()) put(`${n === 0 ? "" : ","}${JSON.stringify(record)}`);
      put("]");
    }
    const sets = tagSets.written();
    if (sets.length > 0) {
      put(',"tagSets":[');
      for (const [n, set] of sets.entries()) put(`${n === 0 ? "" : ","}${JSON.stringify(set)}`);
      put("]");
    }
    put("}");
    if (pending !== "") write(pending);
  }

  /** The whole state as one fixture object that loads back to the same answers. */
  dump(): FixtureDocument {
    const dump: FixtureDocument = { accounts: this.#accounts.dump(), capacityReservations: this.#reservations.dump() };
    const held = this.#instances.dump();
    const launches = new Map(held.launches.map((launch) => [launch.reservationId, launch]));
    const tagSets = this.#dumpTagSets();
    const instances = held.instances.map((record) => this.#instanceFixture(record, tagSets, launches.get(record.reservationId)));
    // Each left out when there are none, so a dump of a database without them reads as before.
    if (instances.length > 0) dump.instances = instances;
    const pools = this.#pools.dump();
    if (pools.length > 0) dump.capacityPools = pools;
    const instanceTypes = this.#instanceTypes.dump();
    if (instanceTypes.length > 0) dump.instanceTypes = instanceTypes;
    Object.assign(dump, this.#networkDump(tagSets));
    const sets = tagSets.written();
    if (sets.length > 0) dump.tagSets = sets;
    return dump;
  }

  /**
   * The tag sets of one dump: a resource whose tags are a stored set that other resources share
   * (a launch's instances, its volumes) names it (`tagSet`), and the set is written once in
   * `tagSets`, named in the order the dump first names it, with the resource's own rows beside it
   * (keys apart) if it has some; a resource with tags of its own alone, or alone in its set, has
   * them all written on it. So a dump of a launch of 127,000 volumes with 50 long tags holds them
   * once (2.6 GB written before), and 1,000 volumes each with a Name beside 49 long tags set
   * together the 49 once too (docs/reliability.md, "C1").
   */
  #dumpTagSets(): DumpTagSets {
    const shared = new Set(this.#reservations.tagSetsShared());
    const names = new Map<number, string>();
    return {
      of: (resourceId, ownerId) => {
        const tagSetId = shared.size === 0 ? undefined : this.#reservations.tagSetOf(resourceId, ownerId);
        if (tagSetId === undefined || !shared.has(tagSetId)) return { tags: this.#reservations.tagsOf(resourceId, ownerId) };
        let name = names.get(tagSetId);
        if (name === undefined) names.set(tagSetId, (name = `tags-${names.size + 1}`));
        // Rows of its own beside the set (Reservations.retag keeps what resources named together hold
        // alike as a set): written beside the set's name, which a load keeps shared.
        return { tags: this.#reservations.ownTagsOf(resourceId, ownerId), tagSet: name };
      },
      written: () => [...names].map(([tagSetId, name]) => ({ name, tags: this.#reservations.tagSetTags(tagSetId) })),
    };
  }

  /** An instance as a dump writes it: its tags or the set it names, and where it sits in its VPC. */
  #instanceFixture(record: InstanceRecord, tagSets: DumpTagSets, launch: LaunchRecord | undefined): InstanceFixture {
    const { tags, tagSet } = tagSets.of(record.instanceId, record.ownerId);
    const fixture = this.#withNetwork(instanceFixtureOf(record, tags, launch));
    return tagSet === undefined ? fixture : { ...fixture, tagSet };
  }

  /** An instance's fixture with where it sits in its VPC, when it has an address. */
  #withNetwork(fixture: InstanceFixture): InstanceFixture {
    const network = this.#network.instanceNetwork(fixture.instanceId);
    if (!network) return fixture;
    return {
      ...fixture,
      subnetId: network.subnetId,
      vpcId: network.vpcId,
      privateIpAddress: ipv4Text(network.privateIp),
      securityGroups: network.securityGroups.map(({ groupId, groupName }) => ({ groupId, groupName })),
    };
  }

  /**
   * A subnet or security group of `ownerId` that names the VPC `vpcId` (whose region is the VPC's),
   * or undefined: fixtures name VPCs only there, so such a VPC is derived from them.
   */
  vpcNamedBy(vpcId: string, ownerId: string): SubnetRecord | SecurityGroupRecord | undefined {
    return (
      this.#network.subnetsOfVpc(vpcId).find((subnet) => subnet.ownerId === ownerId) ??
      this.#network.allSecurityGroups().find((group) => group.vpcId === vpcId && group.ownerId === ownerId)
    );
  }

  /**
   * The tags accounts put on the resources the emulator derives (no row holds them but their tags)
   * in fixture form, by id kind, id and account: their default VPC, default subnets and default
   * security group, and the VPCs their subnets and security groups name. Tags on an id of those
   * kinds that is none of these are of nothing anyone can see, and are left out.
   */
  #derivedResourceTags(): DerivedResourceTagsFixture[] {
    const entries: DerivedResourceTagsFixture[] = [];
    for (const prefix of ["sg-", "subnet-", "vpc-"]) {
      let entry: DerivedResourceTagsFixture | undefined;
      let skipping: string | undefined;
      for (const { resourceId, accountId, key, value } of this.#tags.withIdPrefix(prefix)) {
        const owner = `${resourceId} ${accountId}`;
        if (owner === skipping) continue;
        if (entry === undefined || entry.resourceId !== resourceId || entry.ownerId !== accountId) {
          const stored = this.#network.subnet(resourceId) ?? this.#network.securityGroup(resourceId);
          // The region CreateTags or a load recorded (any region the wire serves), else one of the
          // listed regions whose default it is (tags written before migration 016).
          const region =
            stored === undefined
              ? (this.#network.derivedRegion(resourceId, accountId) ??
                regionOfDefaultResource(resourceId, accountId) ??
                (prefix === "vpc-" ? this.vpcNamedBy(resourceId, accountId)?.region : undefined))
              : undefined;
          if (region === undefined) {
            skipping = owner;
            entry = undefined;
            continue;
          }
          entry = { resourceId, ownerId: accountId, region, tags: [] };
          entries.push(entry);
        }
        entry.tags.push({ key, value });
      }
    }
    return entries;
  }

  /** The added subnets, security groups and images in fixture form, each list only when there are some. */
  #networkDump(tagSets: DumpTagSets): Pick<FixtureDocument, "subnets" | "securityGroups" | "images" | "launchTemplates" | "fleets" | "volumes" | "derivedResourceTags"> {
    const tags = (id: string, ownerId: string) => this.#reservations.tagsOf(id, ownerId);
    const subnets = this.#network.allSubnets().map((subnet) => subnetFixtureOf(subnet, tags(subnet.subnetId, subnet.ownerId)));
    const securityGroups = this.#network
      .allSecurityGroups()
      .map((group) => securityGroupFixtureOf(group, tags(group.groupId, group.ownerId)));
    const images = this.#network.allImages().map((image) => imageFixtureOf(image, tags(image.imageId, image.ownerId)));
    const fleets = this.#fleets.all().map((fleet) => {
      const { fleetId, ...outcome } = fleet.outcome;
      return {
        fleetId,
        ownerId: fleet.ownerId,
        region: fleet.region,
        createTime: new Date(fleet.createTime).toISOString(),
        ...(fleet.clientToken !== null && fleet.requestDigest !== null
          ? { clientToken: fleet.clientToken, requestFingerprint: fleet.requestDigest }
          : {}),
        outcome: { launches: [...outcome.launches], errors: [...outcome.errors] },
        ...fleetConfigurationFixture(fleet, tags(fleetId, fleet.ownerId)),
      };
    });
    const launchTemplates = this.#launchTemplates
      .all()
      .map((template) => launchTemplateFixtureOf(template, tags(template.launchTemplateId, template.ownerId)));
    const derivedResourceTags = this.#derivedResourceTags();
    const volumes = this.#volumes.all().map((volume) => {
      const { tags: own, tagSet } = tagSets.of(volume.volumeId, volume.ownerId);
      const fixture = volumeFixtureOf(volume, own);
      return tagSet === undefined ? fixture : { ...fixture, tagSet };
    });
    return {
      ...(subnets.length > 0 ? { subnets } : {}),
      ...(securityGroups.length > 0 ? { securityGroups } : {}),
      ...(images.length > 0 ? { images } : {}),
      ...(launchTemplates.length > 0 ? { launchTemplates } : {}),
      ...(fleets.length > 0 ? { fleets } : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
      ...(derivedResourceTags.length > 0 ? { derivedResourceTags } : {}),
    };
  }

  /** What is loaded, for the health answer and the ready line (SPEC section 7). */
  counts(): StateCounts {
    return this.#meta.counts.get() ?? { accounts: 0, capacityReservations: 0, instances: 0, instancesInUse: 0 };
  }
}

/** What one dump knows of the tag sets it writes (Store.#dumpTagSets). */
interface DumpTagSets {
  /** A resource's tags for its owner: all of them, or the name of the shared set it refers to and its own rows beside it. */
  of(resourceId: string, ownerId: string): { tags: Tag[]; tagSet?: string };
  /** Every set named so far, in the order first named. */
  written(): TagSetFixture[];
}

/**
 * How many accounts (listed by a fixture, or owning a reservation), capacity reservations,
 * instances (described one by one, whatever their state), and instances in use in reservations
 * (the sum of the usage rows: fixture usage plus the instances holding a place) the state holds.
 */
export interface StateCounts {
  readonly accounts: number;
  readonly capacityReservations: number;
  readonly instances: number;
  readonly instancesInUse: number;
}
