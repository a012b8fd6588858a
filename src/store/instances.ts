// Instances and their launches: statements, writes, the pages DescribeInstances reads, and the dump.

import type { InstanceProfileAssociation, InstanceRecord, InstanceStateChange, LaunchRecord, MetadataOptions, MetadataSwitch, ShutdownBehavior } from "../domain/instance.js";
import type { InstanceAttributeValues } from "../domain/instanceAttributes.js";
import type { CapacityReservationPreference, InstanceStateName, InstanceTenancy } from "../domain/placement.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";
import { keyOf, type KeptReads, type ReadCache } from "./readCache.js";

interface InstanceRow {
  instance_id: string;
  reservation_id: string;
  owner_id: string;
  region: string;
  image_id: string;
  instance_type: string;
  availability_zone: string;
  tenancy: InstanceTenancy;
  platform: string;
  state: InstanceStateName;
  state_since: number;
  settles_at: number;
  launch_time: number;
  capacity_reservation_preference: CapacityReservationPreference;
  capacity_reservation_target_id: string | null;
  market_type: string | null;
  capacity_reservation_id: string | null;
  disable_api_termination: 0 | 1;
  disable_api_stop: 0 | 1;
  instance_initiated_shutdown_behavior: ShutdownBehavior;
  user_data: string | null;
  ebs_optimized: 0 | 1;
  key_name: string | null;
  metadata_http_tokens: MetadataOptions["httpTokens"];
  metadata_hop_limit: number;
  metadata_http_endpoint: MetadataSwitch;
  metadata_http_protocol_ipv6: MetadataSwitch;
  metadata_tags: MetadataSwitch;
  monitoring: 0 | 1;
  iam_instance_profile_arn: string | null;
  iam_instance_profile_id: string | null;
  iam_instance_profile_association_id: string | null;
  iam_instance_profile_associated_at: number | null;
  cpu_core_count: number | null;
  cpu_threads_per_core: number | null;
}

interface LaunchRow {
  reservation_id: string;
  owner_id: string;
  region: string;
  client_token: string | null;
  request_digest: string | null;
}

const COLUMNS = `instance_id, reservation_id, owner_id, region, image_id, instance_type, availability_zone, tenancy,
  platform, state, state_since, settles_at, launch_time, capacity_reservation_preference, capacity_reservation_target_id,
  market_type, capacity_reservation_id, disable_api_termination, disable_api_stop, instance_initiated_shutdown_behavior,
  user_data, ebs_optimized, key_name, metadata_http_tokens, metadata_hop_limit, metadata_http_endpoint,
  metadata_http_protocol_ipv6, metadata_tags, monitoring, iam_instance_profile_arn, iam_instance_profile_id, cpu_core_count,
  cpu_threads_per_core, iam_instance_profile_association_id, iam_instance_profile_associated_at`;

function toRecord(row: InstanceRow): InstanceRecord {
  return {
    instanceId: row.instance_id,
    reservationId: row.reservation_id,
    ownerId: row.owner_id,
    region: row.region,
    imageId: row.image_id,
    instanceType: row.instance_type,
    availabilityZone: row.availability_zone,
    tenancy: row.tenancy,
    platform: row.platform,
    state: row.state,
    since: row.state_since,
    settlesAt: row.settles_at,
    launchTime: row.launch_time,
    preference: row.capacity_reservation_preference,
    targetId: row.capacity_reservation_target_id,
    marketType: row.market_type,
    capacityReservationId: row.capacity_reservation_id,
    disableApiTermination: row.disable_api_termination === 1,
    disableApiStop: row.disable_api_stop === 1,
    instanceInitiatedShutdownBehavior: row.instance_initiated_shutdown_behavior,
    userData: row.user_data,
    ebsOptimized: row.ebs_optimized === 1,
    keyName: row.key_name,
    metadataOptions: {
      httpTokens: row.metadata_http_tokens,
      httpPutResponseHopLimit: row.metadata_hop_limit,
      httpEndpoint: row.metadata_http_endpoint,
      httpProtocolIpv6: row.metadata_http_protocol_ipv6,
      instanceMetadataTags: row.metadata_tags,
    },
    monitoring: row.monitoring === 1,
    iamInstanceProfile: associationOf(row),
    cpuOptions:
      row.cpu_core_count === null || row.cpu_threads_per_core === null
        ? null
        : { coreCount: row.cpu_core_count, threadsPerCore: row.cpu_threads_per_core },
  };
}

function toRow(record: InstanceRecord): InstanceRow {
  return {
    instance_id: record.instanceId,
    reservation_id: record.reservationId,
    owner_id: record.ownerId,
    region: record.region,
    image_id: record.imageId,
    instance_type: record.instanceType,
    availability_zone: record.availabilityZone,
    tenancy: record.tenancy,
    platform: record.platform,
    state: record.state,
    state_since: record.since,
    settles_at: record.settlesAt,
    launch_time: record.launchTime,
    capacity_reservation_preference: record.preference,
    capacity_reservation_target_id: record.targetId,
    market_type: record.marketType,
    capacity_reservation_id: record.capacityReservationId,
    disable_api_termination: record.disableApiTermination ? 1 : 0,
    disable_api_stop: record.disableApiStop ? 1 : 0,
    instance_initiated_shutdown_behavior: record.instanceInitiatedShutdownBehavior,
    user_data: record.userData,
    ebs_optimized: record.ebsOptimized ? 1 : 0,
    key_name: record.keyName,
    ...metadataColumns(record.metadataOptions),
    monitoring: record.monitoring ? 1 : 0,
    ...associationColumns(record.iamInstanceProfile),
    cpu_core_count: record.cpuOptions?.coreCount ?? null,
    cpu_threads_per_core: record.cpuOptions?.threadsPerCore ?? null,
  };
}

/** An instance's profile association from its row: all four columns, or none (migration 023). */
function associationOf(row: InstanceRow): InstanceProfileAssociation | null {
  const { iam_instance_profile_arn: arn, iam_instance_profile_id: id } = row;
  const { iam_instance_profile_association_id: associationId, iam_instance_profile_associated_at: associatedAt } = row;
  if (arn === null || id === null || associationId === null || associatedAt === null) return null;
  return { arn, id, associationId, associatedAt };
}

function associationColumns(association: InstanceProfileAssociation | null) {
  return {
    iam_instance_profile_arn: association?.arn ?? null,
    iam_instance_profile_id: association?.id ?? null,
    iam_instance_profile_association_id: association?.associationId ?? null,
    iam_instance_profile_associated_at: association?.associatedAt ?? null,
  };
}

function metadataColumns(options: MetadataOptions) {
  return {
    metadata_http_tokens: options.httpTokens,
    metadata_hop_limit: options.httpPutResponseHopLimit,
    metadata_http_endpoint: options.httpEndpoint,
    metadata_http_protocol_ipv6: options.httpProtocolIpv6,
    metadata_tags: options.instanceMetadataTags,
  };
}

/** What a reservation matches an instance on (SPEC section 11): the index take-in reads by. */
export interface WaitingKind {
  readonly availabilityZone: string;
  readonly instanceType: string;
  readonly platform: string;
  readonly tenancy: string;
}

/** Where a DescribeInstances page starts: after this launch and instance (keyset order). */
export interface InstancePosition {
  readonly reservationId: string;
  readonly instanceId: string;
}

/** A launch's instances in id order, by the launch index (migration 006): RunInstances answers with them. */
export const OF_LAUNCH_SQL = `SELECT ${COLUMNS} FROM instance WHERE reservation_id = ? ORDER BY instance_id`;

/** The rows of the `instance_waiting` index: outside any reservation, preference open, no target, pending or running (waitsToBeTakenIn). */
export const WAITING = `capacity_reservation_id IS NULL AND capacity_reservation_preference = 'open'
  AND capacity_reservation_target_id IS NULL AND state IN ('pending', 'running')`;

function prepare(db: SqliteDatabase) {
  return {
    instance: db.prepare<[string], InstanceRow>(`SELECT ${COLUMNS} FROM instance WHERE instance_id = ?`),
    ownerAndRegion: db.prepare<[string], { owner_id: string; region: string; availability_zone: string }>(
      "SELECT owner_id, region, availability_zone FROM instance WHERE instance_id = ?",
    ),
    all: db.prepare<[], InstanceRow>(`SELECT ${COLUMNS} FROM instance ORDER BY reservation_id, instance_id`),
    ofOwner: db.prepare<[string, string, string, string, number], InstanceRow>(
      `SELECT ${COLUMNS} FROM instance INDEXED BY instance_by_owner
        WHERE owner_id = ? AND region = ? AND (reservation_id, instance_id) > (?, ?)
        ORDER BY reservation_id, instance_id LIMIT ?`,
    ),
    inReservation: db.prepare<[string, string, string, string, string, number], InstanceRow>(
      `SELECT ${COLUMNS} FROM instance INDEXED BY instance_by_capacity_reservation
        WHERE capacity_reservation_id = ? AND owner_id = ? AND region = ? AND (reservation_id, instance_id) > (?, ?)
        ORDER BY reservation_id, instance_id LIMIT ?`,
    ),
    anyHeld: db
      .prepare<[], number>(
        "SELECT EXISTS (SELECT 1 FROM instance INDEXED BY instance_by_capacity_reservation WHERE capacity_reservation_id IS NOT NULL)",
      )
      .pluck(true),
    heldIn: db.prepare<[string], InstanceRow>(
      `SELECT ${COLUMNS} FROM instance INDEXED BY instance_by_capacity_reservation WHERE capacity_reservation_id = ?`,
    ),
    // A launch's instance ids in the order RunInstances answers them (AmiLaunchIndex is the place in it).
    launchOrder: db
      .prepare<[string, string, string], string>(
        `SELECT instance_id FROM instance INDEXED BY instance_by_owner
          WHERE owner_id = ? AND region = ? AND reservation_id = ? ORDER BY instance_id`,
      )
      .pluck(true),
    ofLaunch: db.prepare<[string], InstanceRow>(OF_LAUNCH_SQL),
    // One account's instances of one kind (what a reservation matches on) waiting outside any
    // reservation, oldest first, at most as many as may be taken in (instance_waiting, migration 022).
    waitingOf: db.prepare<[string, string, string, string, string, number], InstanceRow>(
      `SELECT ${COLUMNS} FROM instance INDEXED BY instance_waiting
        WHERE availability_zone = ? AND instance_type = ? AND platform = ? AND tenancy = ? AND owner_id = ?
          AND ${WAITING}
        ORDER BY launch_time, instance_id LIMIT ?`,
    ),
    anyWaiting: db
      .prepare<[string, string], number>(
        `SELECT EXISTS (SELECT 1 FROM instance INDEXED BY instance_waiting
                         WHERE availability_zone = ? AND instance_type = ? AND ${WAITING})`,
      )
      .pluck(true),
    // Of the owners of these reservations and the accounts they are shared with (ids as a JSON
    // array), those with instances of one kind waiting outside any reservation.
    waitingAccounts: db
      .prepare<[string, string, string, string, string, string], string>(
        `SELECT a.account_id FROM (
           SELECT owner_id AS account_id FROM capacity_reservation
            WHERE capacity_reservation_id IN (SELECT value FROM json_each(?))
           UNION
           SELECT account_id FROM capacity_reservation_share
            WHERE capacity_reservation_id IN (SELECT value FROM json_each(?))) AS a
          WHERE EXISTS (SELECT 1 FROM instance AS i INDEXED BY instance_waiting
                         WHERE i.availability_zone = ? AND i.instance_type = ? AND i.platform = ? AND i.tenancy = ?
                           AND i.owner_id = a.account_id AND ${WAITING})
          ORDER BY a.account_id`,
      )
      .pluck(true),
    insert: db.prepare<[InstanceRow]>(
      `INSERT INTO instance (${COLUMNS}) VALUES (@instance_id, @reservation_id, @owner_id, @region, @image_id,
        @instance_type, @availability_zone, @tenancy, @platform, @state, @state_since, @settles_at, @launch_time,
        @capacity_reservation_preference, @capacity_reservation_target_id, @market_type, @capacity_reservation_id,
        @disable_api_termination, @disable_api_stop, @instance_initiated_shutdown_behavior, @user_data, @ebs_optimized, @key_name,
        @metadata_http_tokens, @metadata_hop_limit, @metadata_http_endpoint, @metadata_http_protocol_ipv6, @metadata_tags, @monitoring,
        @iam_instance_profile_arn, @iam_instance_profile_id, @cpu_core_count, @cpu_threads_per_core,
        @iam_instance_profile_association_id, @iam_instance_profile_associated_at)`,
    ),
    // An instance's profile association, made, replaced or removed (all four columns null).
    association: db.prepare<[ReturnType<typeof associationColumns> & { instance_id: string }]>(
      `UPDATE instance SET iam_instance_profile_arn = @iam_instance_profile_arn, iam_instance_profile_id = @iam_instance_profile_id,
          iam_instance_profile_association_id = @iam_instance_profile_association_id,
          iam_instance_profile_associated_at = @iam_instance_profile_associated_at
        WHERE instance_id = @instance_id`,
    ),
    byAssociation: db.prepare<[string], InstanceRow>(
      `SELECT ${COLUMNS} FROM instance INDEXED BY instance_by_iam_association WHERE iam_instance_profile_association_id = ?`,
    ),
    // An account's instances with an association in a region, by association id after one (Describe's walk).
    associationPage: db.prepare<[string, string, string, number], InstanceRow>(
      `SELECT ${COLUMNS} FROM instance INDEXED BY instance_iam_associations
        WHERE owner_id = ? AND region = ? AND iam_instance_profile_association_id IS NOT NULL
          AND iam_instance_profile_association_id > ?
        ORDER BY iam_instance_profile_association_id LIMIT ?`,
    ),
    deleteInstance: db.prepare<[string]>("DELETE FROM instance WHERE instance_id = ?"),
    monitoring: db.prepare<[0 | 1, string]>("UPDATE instance SET monitoring = ? WHERE instance_id = ?"),
    metadataOptions: db.prepare<[ReturnType<typeof metadataColumns> & { instance_id: string }]>(
      `UPDATE instance SET metadata_http_tokens = @metadata_http_tokens, metadata_hop_limit = @metadata_hop_limit,
          metadata_http_endpoint = @metadata_http_endpoint, metadata_http_protocol_ipv6 = @metadata_http_protocol_ipv6,
          metadata_tags = @metadata_tags
        WHERE instance_id = @instance_id`,
    ),
    // CPU options given at launch belong to the type they were checked against: a new type answers its own defaults.
    attributes: db.prepare<[string, string, string, string | null, 0 | 1, ShutdownBehavior, 0 | 1, 0 | 1, string]>(
      `UPDATE instance SET cpu_core_count = CASE WHEN instance_type = ? THEN cpu_core_count END,
          cpu_threads_per_core = CASE WHEN instance_type = ? THEN cpu_threads_per_core END,
          instance_type = ?, user_data = ?, disable_api_termination = ?,
          instance_initiated_shutdown_behavior = ?, ebs_optimized = ?, disable_api_stop = ?
        WHERE instance_id = ?`,
    ),
    // A start sets launch_time again (EC2's LaunchTime is the last launch); any other change keeps it.
    change: db.prepare<[string, number, number, string | null, number | null, string]>(
      `UPDATE instance SET state = ?, state_since = ?, settles_at = ?, capacity_reservation_id = ?,
          launch_time = coalesce(?, launch_time)
        WHERE instance_id = ?`,
    ),
    outside: db
      .prepare<[string, string], number>(
        `SELECT count(*) FROM instance INDEXED BY instance_outside
          WHERE availability_zone = ? AND instance_type = ? AND capacity_reservation_id IS NULL
            AND state NOT IN ('stopped', 'terminated')`,
      )
      .pluck(true),
    // Reservations with a limited end that hold instances: the ones whose end lets instances go.
    ending: db
      .prepare<[], [string, number]>(
        `SELECT capacity_reservation_id, (julianday(end_date) - 2440587.5) * 86400000.0 FROM capacity_reservation AS r
          WHERE end_date_type = 'limited' AND end_date IS NOT NULL
            AND EXISTS (SELECT 1 FROM instance AS i INDEXED BY instance_by_capacity_reservation
                         WHERE i.capacity_reservation_id = r.capacity_reservation_id)`,
      )
      .raw(true),
    // Open reservations with room that become active over time (made by the API, or scheduled) in a
    // zone and type where instances wait outside any: the ones that take them in when they do. Read
    // from the reservations with room (migration 022), each asking the waiting index for one row:
    // read from the waiting instances, it walked them all before each request after a write.
    activating: db
      .prepare<[], string>(
        `SELECT r.capacity_reservation_id FROM capacity_reservation AS r INDEXED BY capacity_reservation_open_with_room
          WHERE r.instance_match_criteria = 'open' AND r.total_instance_count > r.used_instance_count_total
            AND r.state NOT IN ('cancelled', 'cancelling', 'failed', 'expired')
            AND (r.provisioned_date IS NOT NULL OR r.state IN ('scheduled', 'payment-pending'))
            AND EXISTS (SELECT 1 FROM instance AS i INDEXED BY instance_waiting
                         WHERE i.availability_zone = r.availability_zone AND i.instance_type = r.instance_type AND ${WAITING})`,
      )
      .pluck(true),
    release: db.prepare<[string]>("UPDATE instance SET capacity_reservation_id = NULL WHERE capacity_reservation_id = ?"),
    // A capacity block's end terminates what runs in it: terminated at that time, its place given back.
    terminateIn: db.prepare<[number, number, string]>(
      `UPDATE instance SET state = 'terminated', state_since = ?, settles_at = ?, capacity_reservation_id = NULL
        WHERE capacity_reservation_id = ?`,
    ),
    place: db.prepare<[string | null, string]>("UPDATE instance SET capacity_reservation_id = ? WHERE instance_id = ?"),
    nextSettle: db.prepare<[], { at: number | null }>(
      `SELECT min(settles_at) AS at FROM instance INDEXED BY instance_settling
        WHERE state IN ('pending', 'stopping', 'shutting-down')`,
    ),
    freeing: db.prepare<[number], { availability_zone: string; instance_type: string }>(
      `SELECT DISTINCT availability_zone, instance_type FROM instance INDEXED BY instance_settling
        WHERE state IN ('pending', 'stopping', 'shutting-down') AND settles_at <= ?
          AND state <> 'pending' AND capacity_reservation_id IS NOT NULL`,
    ),
    // A transition that has run its time settles: pending → running, stopping → stopped (its place
    // given back), shutting-down → terminated (likewise). The CHECK on the table holds the place rule.
    settle: db.prepare<[number]>(
      `UPDATE instance INDEXED BY instance_settling
          SET state = CASE state WHEN 'pending' THEN 'running' WHEN 'stopping' THEN 'stopped' ELSE 'terminated' END,
              state_since = settles_at,
              capacity_reservation_id = CASE state WHEN 'pending' THEN capacity_reservation_id ELSE NULL END
        WHERE state IN ('pending', 'stopping', 'shutting-down') AND settles_at <= ?`,
    ),
    launch: db.prepare<[string], LaunchRow>(
      "SELECT reservation_id, owner_id, region, client_token, request_digest FROM launch WHERE reservation_id = ?",
    ),
    launchByToken: db.prepare<[string, string, string], LaunchRow>(
      `SELECT reservation_id, owner_id, region, client_token, request_digest FROM launch
        WHERE owner_id = ? AND region = ? AND client_token = ?`,
    ),
    allLaunches: db.prepare<[], LaunchRow>(
      "SELECT reservation_id, owner_id, region, client_token, request_digest FROM launch ORDER BY reservation_id",
    ),
    // A ClientToken given to a new launch is given up by the launch that had it (one whose instances
    // are no longer described: RunInstances and the fixture checks refuse to take it from another).
    giveUpToken: db.prepare<[string, string, string, string]>(
      `UPDATE launch SET client_token = NULL, request_digest = NULL
        WHERE owner_id = ? AND region = ? AND client_token = ? AND reservation_id <> ?`,
    ),
    // An upsert, never a REPLACE: replacing the row would delete the launch's instances already
    // loaded (the foreign key cascades). A launch named again keeps its token unless given one.
    insertLaunch: db.prepare<[LaunchRow]>(
      `INSERT INTO launch (reservation_id, owner_id, region, client_token, request_digest)
        VALUES (@reservation_id, @owner_id, @region, @client_token, @request_digest)
        ON CONFLICT (reservation_id) DO UPDATE
          SET client_token = coalesce(excluded.client_token, client_token),
              request_digest = coalesce(excluded.request_digest, request_digest)`,
    ),
    // The instance part of each account's use of a reservation, counted again after the reservation
    // was replaced whole by a fixture load (its usage rows went with it; its instances stayed).
    recount: db.prepare<[string]>(
      `INSERT INTO instance_usage (capacity_reservation_id, account_id, used_instance_count, instance_count)
        SELECT capacity_reservation_id, owner_id, count(*), count(*) FROM instance
         WHERE capacity_reservation_id = ? GROUP BY owner_id
        ON CONFLICT (capacity_reservation_id, account_id) DO UPDATE
          SET used_instance_count = used_instance_count + excluded.instance_count, instance_count = excluded.instance_count`,
    ),
  };
}

const toLaunch = (row: LaunchRow): LaunchRecord => ({
  reservationId: row.reservation_id,
  ownerId: row.owner_id,
  region: row.region,
  clientToken: row.client_token,
  requestDigest: row.request_digest,
});

/** Kept answers: instances by id, and pages (weighed by their rows). */
const KEPT_INSTANCES = 10_000;
const KEPT_PAGE_ROWS = 100_000;

export class Instances {
  private readonly s: ReturnType<typeof prepare>;
  private readonly kept: {
    instance: KeptReads<InstanceRecord | undefined>;
    page: KeptReads<readonly InstanceRecord[]>;
    launchOrder: KeptReads<ReadonlyMap<string, number>>;
    launch: KeptReads<LaunchRecord | undefined>;
  };

  constructor(
    private readonly db: SqliteDatabase,
    cache: ReadCache,
  ) {
    this.s = prepare(db);
    this.kept = {
      instance: cache.memo<InstanceRecord | undefined>(KEPT_INSTANCES),
      page: cache.memo<readonly InstanceRecord[]>(KEPT_PAGE_ROWS, (rows) => rows.length),
      launchOrder: cache.memo<ReadonlyMap<string, number>>(KEPT_PAGE_ROWS, (order) => order.size),
      launch: cache.memo<LaunchRecord | undefined>(KEPT_INSTANCES),
    };
  }

  find(instanceId: string): InstanceRecord | undefined {
    return this.kept.instance.get(instanceId, () => {
      const row = this.s.instance.get(instanceId);
      return row && toRecord(row);
    });
  }

  /**
   * Whose an instance is and where, without the rest of its row: a load checks the place of every
   * instance its fleets name (50,000 whole records took a second).
   */
  placeOf(instanceId: string): { ownerId: string; region: string; availabilityZone: string } | undefined {
    const row = this.s.ownerAndRegion.get(instanceId);
    return row && { ownerId: row.owner_id, region: row.region, availabilityZone: row.availability_zone };
  }

  /** A page of an account's instances in a region, in (launch, instance) order after `after`. */
  pageOfOwner(ownerId: string, region: string, after: InstancePosition | undefined, limit: number): readonly InstanceRecord[] {
    const from = [after?.reservationId ?? "", after?.instanceId ?? ""] as const;
    return this.kept.page.get(keyOf("owner", ownerId, region, ...from, String(limit)), () =>
      this.s.ofOwner.all(ownerId, region, ...from, limit).map(toRecord),
    );
  }

  /** The same, only those holding a place in one reservation. */
  pageInReservation(
    capacityReservationId: string,
    ownerId: string,
    region: string,
    after: InstancePosition | undefined,
    limit: number,
  ): readonly InstanceRecord[] {
    const from = [after?.reservationId ?? "", after?.instanceId ?? ""] as const;
    return this.kept.page.get(keyOf("reservation", capacityReservationId, ownerId, region, ...from, String(limit)), () =>
      this.s.inReservation.all(capacityReservationId, ownerId, region, ...from, limit).map(toRecord),
    );
  }

  /** Whether any instance holds a place in any reservation. */
  anyHeld(): boolean {
    return this.s.anyHeld.get() === 1;
  }

  /** The instances holding a place in a reservation (every owner, any region). */
  heldIn(capacityReservationId: string): InstanceRecord[] {
    return this.s.heldIn.all(capacityReservationId).map(toRecord);
  }

  /** The instance's place in its launch: 0 for the launch's smallest instance id, as RunInstances orders them. */
  launchIndex(record: InstanceRecord): number {
    // One read per launch, kept: a page of a launch's instances reads it once, not once per instance.
    const order = this.kept.launchOrder.get(keyOf(record.ownerId, record.region, record.reservationId), () => {
      const ids = this.s.launchOrder.all(record.ownerId, record.region, record.reservationId);
      return new Map(ids.map((id, index) => [id, index]));
    });
    return order.get(record.instanceId) ?? 0;
  }

  ofLaunch(reservationId: string): InstanceRecord[] {
    return this.s.ofLaunch.all(reservationId).map(toRecord);
  }

  /** Instances outside any reservation, preference open, pending or running, of one zone and type, oldest first. */
  waitingOf(kind: WaitingKind, ownerId: string, limit: number): InstanceRecord[] {
    const { availabilityZone, instanceType, platform, tenancy } = kind;
    return this.s.waitingOf.all(availabilityZone, instanceType, platform, tenancy, ownerId, limit).map(toRecord);
  }

  anyWaiting(availabilityZone: string, instanceType: string): boolean {
    return this.s.anyWaiting.get(availabilityZone, instanceType) === 1;
  }

  waitingAccounts(kind: WaitingKind, capacityReservationIds: readonly string[]): string[] {
    const ids = JSON.stringify(capacityReservationIds);
    return this.s.waitingAccounts.all(ids, ids, kind.availabilityZone, kind.instanceType, kind.platform, kind.tenancy);
  }

  /** A launch by its `r-` id; kept until the next write (every described instance reads its launch's ClientToken). */
  launch(reservationId: string): LaunchRecord | undefined {
    return this.kept.launch.get(reservationId, () => {
      const row = this.s.launch.get(reservationId);
      return row && toLaunch(row);
    });
  }

  launchByClientToken(ownerId: string, region: string, clientToken: string): LaunchRecord | undefined {
    const row = this.s.launchByToken.get(ownerId, region, clientToken);
    return row && toLaunch(row);
  }

  putLaunch(launch: LaunchRecord): void {
    assertInWrite(this.db, "Instances.putLaunch()");
    if (launch.clientToken !== null) this.s.giveUpToken.run(launch.ownerId, launch.region, launch.clientToken, launch.reservationId);
    this.s.insertLaunch.run({
      reservation_id: launch.reservationId,
      owner_id: launch.ownerId,
      region: launch.region,
      client_token: launch.clientToken,
      request_digest: launch.requestDigest,
    });
  }

  /** Inserts the instance, replacing one of the same id (an upsert by id, as fixture loads do). */
  put(record: InstanceRecord): void {
    assertInWrite(this.db, "Instances.put()");
    this.s.deleteInstance.run(record.instanceId);
    this.s.insert.run(toRow(record));
  }

  change(change: InstanceStateChange): void {
    assertInWrite(this.db, "Instances.change()");
    this.s.change.run(change.state, change.since, change.settlesAt, change.capacityReservationId, change.launchTime ?? null, change.instanceId);
  }

  /** Sets the attributes ModifyInstanceAttribute changes. */
  setAttributes(instanceId: string, values: InstanceAttributeValues): void {
    assertInWrite(this.db, "Instances.setAttributes()");
    const bit = (value: boolean): 0 | 1 => (value ? 1 : 0);
    this.s.attributes.run(
      values.instanceType,
      values.instanceType,
      values.instanceType,
      values.userData,
      bit(values.disableApiTermination),
      values.instanceInitiatedShutdownBehavior,
      bit(values.ebsOptimized),
      bit(values.disableApiStop),
      instanceId,
    );
  }

  /** Sets an instance's metadata options (ModifyInstanceMetadataOptions). */
  setMetadataOptions(instanceId: string, options: MetadataOptions): void {
    assertInWrite(this.db, "Instances.setMetadataOptions()");
    this.s.metadataOptions.run({ ...metadataColumns(options), instance_id: instanceId });
  }

  /** Sets an instance's profile association, or removes it with null (Associate, Replace, Disassociate). */
  setAssociation(instanceId: string, association: InstanceProfileAssociation | null): void {
    assertInWrite(this.db, "Instances.setAssociation()");
    this.s.association.run({ ...associationColumns(association), instance_id: instanceId });
  }

  /** The instance whose profile association has this id, if any. */
  byAssociation(associationId: string): InstanceRecord | undefined {
    const row = this.s.byAssociation.get(associationId);
    return row && toRecord(row);
  }

  /** Up to `limit` of an account's instances with a profile association in a region, by association id after `after`. */
  associationPage(ownerId: string, region: string, after: string, limit: number): InstanceRecord[] {
    return this.s.associationPage.all(ownerId, region, after, limit).map(toRecord);
  }

  /** Turns an instance's detailed monitoring on or off (MonitorInstances, UnmonitorInstances). */
  setMonitoring(instanceId: string, enabled: boolean): void {
    assertInWrite(this.db, "Instances.setMonitoring()");
    this.s.monitoring.run(enabled ? 1 : 0, instanceId);
  }

  /** Moves an instance into a reservation (or out of any, with null). */
  place(instanceId: string, capacityReservationId: string | null): void {
    assertInWrite(this.db, "Instances.place()");
    this.s.place.run(capacityReservationId, instanceId);
  }

  /** How many instances of a zone and type run (or start, or stop) outside any reservation. */
  outside(availabilityZone: string, instanceType: string): number {
    return this.s.outside.get(availabilityZone, instanceType) ?? 0;
  }

  /** The reservations with a limited end that hold instances, with that end (epoch ms). */
  ending(): { capacityReservationId: string; endMs: number }[] {
    return this.s.ending.all().map(([capacityReservationId, endMs]) => ({ capacityReservationId, endMs }));
  }

  /** Open reservations with room that become active over time where matching instances wait outside any. */
  activating(): string[] {
    return this.s.activating.all();
  }

  /** Every instance in a reservation leaves it (it was cancelled): they run on outside any. */
  release(capacityReservationId: string): void {
    assertInWrite(this.db, "Instances.release()");
    this.s.release.run(capacityReservationId);
  }

  /** Every instance in a capacity block is terminated at its end (`at`, epoch ms) and leaves it. */
  terminateIn(capacityReservationId: string, at: number): void {
    assertInWrite(this.db, "Instances.terminateIn()");
    this.s.terminateIn.run(Math.round(at), Math.round(at), capacityReservationId);
  }

  /** When the earliest transition settles, or undefined when none is under way. */
  nextSettle(): number | undefined {
    return this.s.nextSettle.get()?.at ?? undefined;
  }

  /**
   * Settles every transition due at `now` (a terminated instance stays, read as gone an hour later).
   * Returns the zones and types where a place was given back.
   */
  settle(now: number): { availabilityZone: string; instanceType: string }[] {
    assertInWrite(this.db, "Instances.settle()");
    const freed = this.s.freeing.all(now).map((row) => ({
      availabilityZone: row.availability_zone,
      instanceType: row.instance_type,
    }));
    this.s.settle.run(now);
    return freed;
  }

  recount(capacityReservationId: string): void {
    assertInWrite(this.db, "Instances.recount()");
    this.s.recount.run(capacityReservationId);
  }

  /** Every instance, one row read at a time (for the streamed dump). */
  *each(): Generator<InstanceRecord> {
    for (const row of this.s.all.iterate()) yield toRecord(row);
  }

  dump(): { instances: InstanceRecord[]; launches: LaunchRecord[] } {
    return { instances: this.s.all.all().map(toRecord), launches: this.s.allLaunches.all().map(toLaunch) };
  }
}
