// Capacity reservations, who they are shared with and their usage rows: statements, kept reads, writes and dump.

import {
  regionOfZone,
  type CapacityReservationDeliveryPreference,
  type CapacityReservationMembers,
  type CapacityReservationRecord,
  type CapacityReservationTenancy,
  type CapacityReservationType,
  type CommitmentInfo,
  type InstanceMatchCriteria,
  type Tag,
  type CapacityReservationState,
  type InstanceUsage,
  type UsagePage,
} from "../domain/capacityReservation.js";
import type { ReservationToLoad } from "../domain/state.js";
import type { CapacityReservationFixture, ShareeTagsFixture } from "../fixtures/types.js";
import type { Filter } from "../domain/filters.js";
import { planFilters, RESERVATION_FILTER_CONDITION, type FilterParameters, type PlannedFilters, type ReservationQuery } from "./capacityReservationFilters.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";
import { keyOf, type ReadCache } from "./readCache.js";

interface ReservationRow extends ReservationMemberColumns {
  capacity_reservation_id: string;
  owner_id: string;
  availability_zone: string;
  region: string;
  instance_type: string;
  instance_platform: string;
  total_instance_count: number;
  state: CapacityReservationState;
  create_date: string;
  start_date: string | null;
  end_date: string | null;
  end_date_type: "limited" | "unlimited";
  interruptible: number | null;
  interruptible_capacity_allocation: string | null;
  interruption_info: string | null;
  provisioned_date: string | null;
  cancel_date: string | null;
  used_instance_count_total: number;
}

/** The columns of migration 003, as a row holds them. */
interface ReservationMemberColumns {
  tenancy: CapacityReservationTenancy;
  instance_match_criteria: InstanceMatchCriteria;
  reservation_type: CapacityReservationType;
  ebs_optimized: number;
  ephemeral_storage: number;
  availability_zone_id: string | null;
  placement_group_arn: string | null;
  outpost_arn: string | null;
  capacity_block_id: string | null;
  delivery_preference: CapacityReservationDeliveryPreference | null;
  commitment_info: string | null;
  unused_reservation_billing_owner_id: string | null;
}

const RESERVATION_MEMBER_COLUMNS = `tenancy, instance_match_criteria, reservation_type, ebs_optimized, ephemeral_storage,
  availability_zone_id, placement_group_arn, outpost_arn, capacity_block_id, delivery_preference, commitment_info,
  unused_reservation_billing_owner_id`;

function toMembers(row: ReservationMemberColumns): CapacityReservationMembers {
  return {
    tenancy: row.tenancy,
    instanceMatchCriteria: row.instance_match_criteria,
    reservationType: row.reservation_type,
    ebsOptimized: row.ebs_optimized === 1,
    ephemeralStorage: row.ephemeral_storage === 1,
    availabilityZoneId: row.availability_zone_id,
    placementGroupArn: row.placement_group_arn,
    outpostArn: row.outpost_arn,
    capacityBlockId: row.capacity_block_id,
    deliveryPreference: row.delivery_preference,
    commitmentInfo: row.commitment_info === null ? null : (JSON.parse(row.commitment_info) as CommitmentInfo),
    unusedReservationBillingOwnerId: row.unused_reservation_billing_owner_id,
  };
}

/** The migration 003 columns of a reservation. */
function memberColumnsOf(reservation: CapacityReservationMembers): ReservationMemberColumns {
  return {
    tenancy: reservation.tenancy,
    instance_match_criteria: reservation.instanceMatchCriteria,
    reservation_type: reservation.reservationType,
    ebs_optimized: Number(reservation.ebsOptimized),
    ephemeral_storage: Number(reservation.ephemeralStorage),
    availability_zone_id: reservation.availabilityZoneId,
    placement_group_arn: reservation.placementGroupArn,
    outpost_arn: reservation.outpostArn,
    capacity_block_id: reservation.capacityBlockId,
    delivery_preference: reservation.deliveryPreference,
    commitment_info: reservation.commitmentInfo ? JSON.stringify(reservation.commitmentInfo) : null,
    unused_reservation_billing_owner_id: reservation.unusedReservationBillingOwnerId,
  };
}

/**
 * The members of migration 003 as a fixture writes them (a dump): a member at EC2's default is left
 * out, as a fixture would leave it, so a dump of a database that never set one reads as before.
 */
function membersFixture(members: CapacityReservationMembers): Partial<CapacityReservationFixture> {
  const fixture: Partial<CapacityReservationFixture> = {};
  if (members.tenancy !== "default") fixture.tenancy = members.tenancy;
  if (members.instanceMatchCriteria !== "open") fixture.instanceMatchCriteria = members.instanceMatchCriteria;
  if (members.reservationType !== "default") fixture.reservationType = members.reservationType;
  if (members.ebsOptimized) fixture.ebsOptimized = true;
  if (members.ephemeralStorage) fixture.ephemeralStorage = true;
  if (members.availabilityZoneId !== null) fixture.availabilityZoneId = members.availabilityZoneId;
  if (members.placementGroupArn !== null) fixture.placementGroupArn = members.placementGroupArn;
  if (members.outpostArn !== null) fixture.outpostArn = members.outpostArn;
  if (members.capacityBlockId !== null) fixture.capacityBlockId = members.capacityBlockId;
  if (members.deliveryPreference !== null) fixture.deliveryPreference = members.deliveryPreference;
  if (members.commitmentInfo !== null) fixture.commitmentInfo = members.commitmentInfo;
  if (members.unusedReservationBillingOwnerId !== null) {
    fixture.unusedReservationBillingOwnerId = members.unusedReservationBillingOwnerId;
  }
  return fixture;
}

// used_instance_count_total is read, never written: the schema's triggers keep it (migration 002).
// The ClientToken columns (migration 004) are read only by clientToken() and the dump, not with every record.
const RECORD_COLUMNS = `capacity_reservation_id, owner_id, availability_zone, region, instance_type, instance_platform,
  total_instance_count, state, create_date, start_date, end_date, end_date_type, interruptible,
  interruptible_capacity_allocation, interruption_info, ${RESERVATION_MEMBER_COLUMNS}, provisioned_date, cancel_date`;
const WRITTEN_COLUMNS = `${RECORD_COLUMNS}, client_token, request_fingerprint`;
const RESERVATION_COLUMNS = `${RECORD_COLUMNS}, used_instance_count_total`;

function toRecord(row: ReservationRow): CapacityReservationRecord {
  return {
    capacityReservationId: row.capacity_reservation_id,
    ownerId: row.owner_id,
    availabilityZone: row.availability_zone,
    region: row.region,
    instanceType: row.instance_type,
    instancePlatform: row.instance_platform,
    totalInstanceCount: row.total_instance_count,
    state: row.state,
    createDate: row.create_date,
    startDate: row.start_date,
    endDate: row.end_date,
    endDateType: row.end_date_type,
    interruptible: row.interruptible === null ? null : row.interruptible === 1,
    interruptibleCapacityAllocation:
      row.interruptible_capacity_allocation === null ? null : JSON.parse(row.interruptible_capacity_allocation),
    interruptionInfo: row.interruption_info === null ? null : JSON.parse(row.interruption_info),
    provisionedDate: row.provisioned_date,
    cancelDate: row.cancel_date,
    usedInstanceCountTotal: row.used_instance_count_total,
    ...toMembers(row),
  };
}

/** What the describe's page statements take: who asks and where, the keyset position and its bound, how many rows, the SQL part of the filters. */
type VisiblePageParameters = FilterParameters & {
  /** The calling account: it sees what it owns and what is shared with it. */
  account: string;
  region: string;
  /** The keyset position: rows with a greater id ("" for the first page). */
  after: string;
  /** The last id the walk may read (walkEnd()), or null to the region's end. */
  upto: string | null;
  limit: number;
};

// Visible to @account in @region: owned, or shared (the share table's primary key answers it).
const VISIBLE = `cr.region = @region AND (cr.owner_id = @account OR EXISTS (
    SELECT 1 FROM capacity_reservation_share AS s
     WHERE s.capacity_reservation_id = cr.capacity_reservation_id AND s.account_id = @account))`;

const BOUNDED = "(@upto IS NULL OR cr.capacity_reservation_id <= @upto)";

/**
 * The describe's page of ids: a keyset walk of the region index (region, id, owner) from @after, in
 * id order without a sort, up to @upto, stopping at @limit rows that are visible and pass the SQL
 * filters. Each row read costs one index step (and, for a filter on a column, one primary-key
 * lookup), whatever else the region holds. Ids only: the records come from find(), whose kept
 * answers a repeated page reuses.
 */
export const VISIBLE_PAGE_SQL = `SELECT cr.capacity_reservation_id FROM capacity_reservation AS cr INDEXED BY capacity_reservation_by_region
  WHERE cr.capacity_reservation_id > @after AND ${BOUNDED} AND ${VISIBLE}
    AND ${RESERVATION_FILTER_CONDITION}
  ORDER BY cr.capacity_reservation_id LIMIT @limit`;

/** The same walk when the request has no filter SQL decides: the condition's per-row cost left out. */
export const VISIBLE_PAGE_UNFILTERED_SQL = `SELECT cr.capacity_reservation_id FROM capacity_reservation AS cr INDEXED BY capacity_reservation_by_region
  WHERE cr.capacity_reservation_id > @after AND ${BOUNDED} AND ${VISIBLE}
  ORDER BY cr.capacity_reservation_id LIMIT @limit`;

/** The same page among the ids a request names (@ids, a JSON array): driven by the primary key, not the region. */
export const VISIBLE_PAGE_OF_IDS_SQL = `SELECT cr.capacity_reservation_id FROM capacity_reservation AS cr
  WHERE cr.capacity_reservation_id IN (SELECT value FROM json_each(@ids))
    AND cr.capacity_reservation_id > @after AND ${BOUNDED} AND ${VISIBLE}
    AND ${RESERVATION_FILTER_CONDITION}
  ORDER BY cr.capacity_reservation_id LIMIT @limit`;

/** The id of the @rows-th reservation visible after @after: how far one request's walk may go. */
export const WALK_END_SQL = `SELECT cr.capacity_reservation_id FROM capacity_reservation AS cr INDEXED BY capacity_reservation_by_region
  WHERE cr.capacity_reservation_id > @after AND ${VISIBLE}
  ORDER BY cr.capacity_reservation_id LIMIT 1 OFFSET @rows - 1`;

/** A chunk of the describe's walk (Reservations.visiblePage). */
export interface VisiblePage {
  readonly ids: readonly string[];
  /** The filters SQL left for the caller to match in memory. */
  readonly undecided: readonly Filter[];
  /** Where a walk SQL narrowed stopped short of the region's end, or null. */
  readonly walkedTo: string | null;
}

function planOf(query: ReservationQuery): PlannedFilters {
  return planFilters(query.filters, query.account);
}

function prepare(db: SqliteDatabase) {
  return {
    visiblePage: db.prepare<[VisiblePageParameters], string>(VISIBLE_PAGE_SQL).pluck(),
    visiblePageUnfiltered: db
      .prepare<[{ account: string; region: string; after: string; upto: string | null; limit: number }], string>(
        VISIBLE_PAGE_UNFILTERED_SQL,
      )
      .pluck(),
    walkEnd: db.prepare<[{ account: string; region: string; after: string; rows: number }], string>(WALK_END_SQL).pluck(),
    visiblePageOfIds: db.prepare<[VisiblePageParameters & { ids: string }], string>(VISIBLE_PAGE_OF_IDS_SQL).pluck(),
    reservation: db.prepare<[string], ReservationRow>(
      `SELECT ${RESERVATION_COLUMNS} FROM capacity_reservation WHERE capacity_reservation_id = ?`,
    ),
    allReservations: db.prepare<[], ReservationRow>(
      `SELECT ${RESERVATION_COLUMNS} FROM capacity_reservation ORDER BY capacity_reservation_id`,
    ),
    isShared: db.prepare<[string, string], { one: number }>(
      "SELECT 1 AS one FROM capacity_reservation_share WHERE capacity_reservation_id = ? AND account_id = ?",
    ),
    sharesOf: db.prepare<[string], { account_id: string }>(
      "SELECT account_id FROM capacity_reservation_share WHERE capacity_reservation_id = ? ORDER BY account_id",
    ),
    usedBy: db.prepare<[string, string], { used_instance_count: number }>(
      "SELECT used_instance_count FROM instance_usage WHERE capacity_reservation_id = ? AND account_id = ?",
    ),
    // Keyset page over the partial index: accounts after `after` with instances in use, owner excluded.
    // Rows come back as [account_id, used_instance_count] arrays (raw mode): a page can hold 500 of
    // them, and arrays are cheaper to build than objects with named keys.
    usagePage: db
      .prepare<[string, string, string, number], [string, number]>(
        `SELECT account_id, used_instance_count FROM instance_usage INDEXED BY instance_usage_in_use
          WHERE capacity_reservation_id = ? AND used_instance_count > 0 AND account_id > ? AND account_id <> ?
          ORDER BY account_id LIMIT ?`,
      )
      .raw(true),
    // The fixture part of each row (what instances add is theirs to write back); a row that only
    // instances made is left out.
    usageOf: db.prepare<[string], { account_id: string; used_instance_count: number }>(
      `SELECT account_id, used_instance_count - instance_count AS used_instance_count FROM instance_usage
        WHERE capacity_reservation_id = ? AND (instance_count = 0 OR used_instance_count > instance_count)
        ORDER BY account_id`,
    ),
    deleteReservation: db.prepare<[string]>("DELETE FROM capacity_reservation WHERE capacity_reservation_id = ?"),
    // A ClientToken given to a new row is given up by the row that had it (one no longer described:
    // Create and the fixture checks refuse to take it from one that is), so the unique index of
    // migration 004 never refuses the write.
    giveUpToken: db.prepare<[string, string, string, string]>(
      `UPDATE capacity_reservation SET client_token = NULL, request_fingerprint = NULL
        WHERE owner_id = ? AND region = ? AND client_token = ? AND capacity_reservation_id <> ?`,
    ),
    insertReservation: db.prepare(
      `INSERT INTO capacity_reservation (${WRITTEN_COLUMNS}) VALUES (
        @capacity_reservation_id, @owner_id, @availability_zone, @region, @instance_type, @instance_platform,
        @total_instance_count, @state, @create_date, @start_date, @end_date, @end_date_type, @interruptible,
        @interruptible_capacity_allocation, @interruption_info, @tenancy, @instance_match_criteria,
        @reservation_type, @ebs_optimized, @ephemeral_storage, @availability_zone_id, @placement_group_arn,
        @outpost_arn, @capacity_block_id, @delivery_preference, @commitment_info, @unused_reservation_billing_owner_id,
        @provisioned_date, @cancel_date, @client_token, @request_fingerprint)`,
    ),
    // What ModifyCapacityReservation changes.
    modify: db.prepare<[number, string | null, string, string, string]>(
      `UPDATE capacity_reservation SET total_instance_count = ?, end_date = ?, end_date_type = ?,
        instance_match_criteria = ? WHERE capacity_reservation_id = ?`,
    ),
    cancel: db.prepare<[string, string, string]>(
      "UPDATE capacity_reservation SET state = ?, cancel_date = ? WHERE capacity_reservation_id = ?",
    ),
    clientToken: db.prepare<[string, string, string], { capacity_reservation_id: string; request_fingerprint: string }>(
      `SELECT capacity_reservation_id, request_fingerprint FROM capacity_reservation
        WHERE owner_id = ? AND region = ? AND client_token = ?`,
    ),
    tokenOf: db.prepare<[string], { client_token: string | null; request_fingerprint: string | null }>(
      "SELECT client_token, request_fingerprint FROM capacity_reservation WHERE capacity_reservation_id = ?",
    ),
    // The API-made reservations of a zone and type that may still hold capacity (stateAt() decides).
    holdingCapacity: db.prepare<[string, string], ReservationRow>(
      `SELECT ${RESERVATION_COLUMNS} FROM capacity_reservation INDEXED BY capacity_reservation_by_zone_type
        WHERE availability_zone = ? AND instance_type = ? AND provisioned_date IS NOT NULL
          AND state NOT IN ('cancelled', 'failed', 'expired')`,
    ),
    deleteTags: db.prepare<[string, string]>("DELETE FROM resource_tag WHERE resource_id = ? AND account_id = ?"),
    // A resource's tags go in as one JSON array of [key, value] pairs: one call into SQLite per resource.
    insertTags: db.prepare<[string, string, string]>(
      `INSERT INTO resource_tag (resource_id, account_id, key, value)
        SELECT ?, ?, value ->> 0, value ->> 1 FROM json_each(?)`,
    ),
    deleteTagsOfResources: db.prepare<[string, string]>(
      "DELETE FROM resource_tag WHERE resource_id IN (SELECT value FROM json_each(?)) AND account_id = ?",
    ),
    // Every account's rows and set references of some resources, as the volume_tags_deleted trigger takes them.
    deleteEveryTagOfResources: db.prepare<[string]>("DELETE FROM resource_tag WHERE resource_id IN (SELECT value FROM json_each(?))"),
    dropEveryTagSetOfResources: db.prepare<[string]>("DELETE FROM resource_tag_set WHERE resource_id IN (SELECT value FROM json_each(?))"),
    // Shared tag sets (migration 014): a launch's tags once, and its instances' references to them.
    dropTagSet: db.prepare<[string, string]>("DELETE FROM resource_tag_set WHERE resource_id = ? AND account_id = ?"),
    dropTagSetsOfResources: db.prepare<[string, string]>(
      "DELETE FROM resource_tag_set WHERE resource_id IN (SELECT value FROM json_each(?)) AND account_id = ?",
    ),
    newTagSetId: db.prepare<[], number>("SELECT coalesce(max(tag_set_id), 0) + 1 FROM tag_set_tag").pluck(true),
    insertTagSet: db.prepare<[number, string]>(
      "INSERT INTO tag_set_tag (tag_set_id, key, value) SELECT ?, value ->> 0, value ->> 1 FROM json_each(?)",
    ),
    referTagSet: db.prepare<[string, number, string]>(
      "INSERT INTO resource_tag_set (resource_id, account_id, tag_set_id) SELECT value, ?, ? FROM json_each(?)",
    ),
    tagSetsOfResources: db
      .prepare<[string, string], [string, number]>(
        `SELECT resource_id, tag_set_id FROM resource_tag_set
          WHERE resource_id IN (SELECT value FROM json_each(?)) AND account_id = ?`,
      )
      .raw(true),
    tagSet: db.prepare<[number], Tag>("SELECT key, value FROM tag_set_tag WHERE tag_set_id = ? ORDER BY key"),
    tagSetOf: db
      .prepare<[string, string], number>("SELECT tag_set_id FROM resource_tag_set WHERE resource_id = ? AND account_id = ?")
      .pluck(true),
    ownTagsOf: db.prepare<[string, string], Tag>("SELECT key, value FROM resource_tag WHERE resource_id = ? AND account_id = ? ORDER BY key"),
    // The sets more than one resource refers to: one walk of the index by set.
    tagSetsShared: db
      .prepare<[], number>(
        "SELECT tag_set_id FROM resource_tag_set INDEXED BY resource_tag_set_by_set GROUP BY tag_set_id HAVING count(*) > 1",
      )
      .pluck(true),
    // The tags of the accounts a reservation is shared with (a reservation's are rows, never a shared set).
    shareeTagsOf: db.prepare<[string], { account_id: string; key: string; value: string }>(
      `SELECT t.account_id, t.key, t.value FROM resource_tag AS t
        JOIN capacity_reservation_share AS s ON s.capacity_reservation_id = t.resource_id AND s.account_id = t.account_id
        WHERE t.resource_id = ? ORDER BY t.account_id, t.key`,
    ),
    // A resource has its own rows, one shared set, or both with keys apart (Reservations.retag): the union is its tags.
    tagsOf: db.prepare<[{ resourceId: string; accountId: string }], Tag>(
      `SELECT key, value FROM resource_tag WHERE resource_id = @resourceId AND account_id = @accountId
        UNION ALL
        SELECT t.key, t.value FROM resource_tag_set AS r JOIN tag_set_tag AS t ON t.tag_set_id = r.tag_set_id
          WHERE r.resource_id = @resourceId AND r.account_id = @accountId
        ORDER BY key`,
    ),
    // One account's own tag rows on a page of resources in one statement (ids as a JSON array), in id then key order.
    tagsOfResources: db
      .prepare<[string, string], [string, string, string]>(
        `SELECT resource_id, key, value FROM resource_tag
          WHERE resource_id IN (SELECT value FROM json_each(?)) AND account_id = ? ORDER BY resource_id, key`,
      )
      .raw(true),
    // A reservation's shares and usage rows go in as one JSON array each (usage as [accountId, count]
    // pairs, which SQLite reads faster than objects): one call into SQLite per reservation instead of
    // one per row, which was most of the cost of loading a million rows.
    insertShares: db.prepare<[string, string]>(
      `INSERT OR IGNORE INTO capacity_reservation_share (capacity_reservation_id, account_id)
        SELECT ?, value FROM json_each(?)`,
    ),
    insertUsages: db.prepare<[string, string]>(
      `INSERT INTO instance_usage (capacity_reservation_id, account_id, used_instance_count)
        SELECT ?, value ->> 0, value ->> 1 FROM json_each(?)`,
    ),
  };
}

/** What ModifyCapacityReservation stores (ISO end date, null when unlimited). */
export interface ReservationChange {
  readonly totalInstanceCount: number;
  readonly endDate: string | null;
  readonly endDateType: "limited" | "unlimited";
  readonly instanceMatchCriteria: InstanceMatchCriteria;
}

/** How many answers each read keeps (for usage pages, how many rows): a few MB at most. */
const KEPT_ANSWERS = 10_000;
const KEPT_USAGE_ROWS = 100_000;
/** The describe's pages of ids kept, counted in ids. */
const KEPT_PAGE_IDS = 100_000;

function keptReads(cache: ReadCache) {
  return {
    reservation: cache.memo<CapacityReservationRecord | undefined>(KEPT_ANSWERS),
    shared: cache.memo<boolean>(KEPT_ANSWERS),
    usedBy: cache.memo<number>(KEPT_ANSWERS),
    usagePage: cache.memo<UsagePage>(KEPT_USAGE_ROWS, (page) => page.rows.length),
    visiblePage: cache.memo<Omit<VisiblePage, "undecided">>(KEPT_PAGE_IDS, (page) => page.ids.length),
  };
}

/** How many groups of one signature retag() compares a resource's tags with before it starts another. */
const SAME_TAGS_LOOKS = 8;
/**
 * How many groups of instances with the same tags retag() remembers: keeping every instance's tags
 * until the end when no two are alike (1,000 × 50 long tags) cost a tenth more than writing them.
 */
const SAME_TAGS_GROUPS = 64;

/** The kinds whose tags may be a shared set (instances and volumes): no other reader of theirs reads resource_tag alone. */
const SHARES_TAGS = /^(?:i|vol)-/;

/** A resource retag() changes on its own: its own rows, whether it refers to a set too, and its tags after the change. */
interface Apart {
  readonly id: string;
  readonly own: readonly Tag[];
  /** The tags of the shared set it refers to, if it refers to one. */
  readonly set: readonly Tag[] | undefined;
  readonly changed: readonly Tag[];
}

/**
 * The tags of `changed` that are not `set`'s when every tag of `set` is in it with its value (the
 * resource can keep referring to the set, these beside it); undefined when the change took a tag
 * of the set away or gave it another value.
 */
function besideSet(set: readonly Tag[], changed: readonly Tag[]): Tag[] | undefined {
  const values = new Map(changed.map((tag) => [tag.key, tag.value]));
  if (!set.every((tag) => values.get(tag.key) === tag.value)) return undefined;
  const keys = new Set(set.map((tag) => tag.key));
  return changed.filter((tag) => !keys.has(tag.key));
}

/** A UTF-16 unit moved so that units compare as the code points they begin: surrogates after U+E000–U+FFFF. */
const inCodePointOrder = (unit: number): number => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

/**
 * SQLite's BINARY order of two keys (UTF-8 bytes, that is code points), which JS's `<` on UTF-16
 * units is not past U+FFFF: at the first unit that differs, a surrogate (U+D800–U+DFFF, half of a
 * code point past U+FFFF) goes after U+E000–U+FFFF. No allocation: merging costs a comparison a tag.
 */
function byKey(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let n = 0; n < length; n++) {
    const x = a.charCodeAt(n);
    const y = b.charCodeAt(n);
    if (x === y) continue;
    return inCodePointOrder(x) - inCodePointOrder(y);
  }
  return a.length - b.length;
}

/** A resource's own rows and its shared set (disjoint keys), each in key order, as one list in key order. */
function mergedByKey(own: readonly Tag[], set: readonly Tag[]): Tag[] {
  const merged: Tag[] = [];
  let o = 0;
  let s = 0;
  while (o < own.length && s < set.length) {
    const mine = own[o];
    const shared = set[s];
    if (mine === undefined || shared === undefined) break;
    if (byKey(mine.key, shared.key) < 0) {
      merged.push(mine);
      o++;
    } else {
      merged.push(shared);
      s++;
    }
  }
  merged.push(...own.slice(o), ...set.slice(s));
  return merged;
}

/** The tags every list holds with the same value, in the first list's order. */
function commonTags(lists: readonly (readonly Tag[])[]): Tag[] {
  const [head = [], ...rest] = lists;
  const common = new Map(head.map((tag) => [tag.key, tag.value]));
  for (const list of rest) {
    if (common.size === 0) break;
    const values = new Map(list.map((tag) => [tag.key, tag.value]));
    for (const [key, value] of common) if (values.get(key) !== value) common.delete(key);
  }
  return head.filter((tag) => common.has(tag.key));
}

/** Whether two tag lists hold the same keys with the same values, in whatever order. */
function sameTagMaps(a: readonly Tag[], b: readonly Tag[]): boolean {
  if (a.length !== b.length) return false;
  const values = new Map(a.map((tag) => [tag.key, tag.value]));
  return b.every((tag) => values.get(tag.key) === tag.value);
}

/** Whether two tag lists, each in key order, are the same. */
function sameTags(a: readonly Tag[], b: readonly Tag[]): boolean {
  return a.length === b.length && a.every((tag, n) => tag.key === b[n]?.key && tag.value === b[n]?.value);
}

export class Reservations {
  private readonly s: ReturnType<typeof prepare>;
  private readonly kept: ReturnType<typeof keptReads>;

  constructor(
    private readonly db: SqliteDatabase,
    cache: ReadCache,
  ) {
    this.s = prepare(db);
    this.kept = keptReads(cache);
  }

  find(capacityReservationId: string): CapacityReservationRecord | undefined {
    return this.kept.reservation.get(capacityReservationId, () => {
      const row = this.s.reservation.get(capacityReservationId);
      return row && toRecord(row);
    });
  }

  isSharedWith(capacityReservationId: string, accountId: string): boolean {
    return this.kept.shared.get(
      keyOf(capacityReservationId, accountId),
      () => this.s.isShared.get(capacityReservationId, accountId) !== undefined,
    );
  }

  usedBy(capacityReservationId: string, accountId: string): number {
    return this.kept.usedBy.get(
      keyOf(capacityReservationId, accountId),
      () => this.s.usedBy.get(capacityReservationId, accountId)?.used_instance_count ?? 0,
    );
  }

  /**
   * The ids of up to `limit` reservations after `after`, in id order, that the query's account sees
   * in its region and that pass the filters SQL decides; among the query's ids when it names some.
   * Says which filters it left undecided, for the caller to match in memory. When SQL narrows by a
   * filter (and so may read many rows to return few), it reads at most `walk` visible rows: a walk
   * that stopped there says where (`walkedTo`), and the next starts after it.
   * Kept until the next write, frozen, weighed by its ids: a describe that repeats a page (a
   * controller's poll) makes no trip into SQLite. The ids do not depend on the clock; the state at
   * the clock is decided on the records afterwards.
   */
  visiblePage(query: ReservationQuery, after: string, limit: number, walk: number): VisiblePage {
    const plan = planOf(query);
    const { account, region } = query;
    const ids = query.ids === undefined ? undefined : JSON.stringify(query.ids);
    const key = keyOf(account, region, after, String(limit), String(walk), ids ?? "", plan.key);
    // The ids and where the walk stopped are kept; which filters are undecided is the query's own
    // (two queries with the same SQL part may leave different filters to memory).
    const found = this.kept.visiblePage.get(key, () => {
      if (ids !== undefined) {
        const rows = this.s.visiblePageOfIds.all({ ...plan.parameters, account, region, after, upto: null, limit, ids });
        return { ids: rows, walkedTo: null };
      }
      if (!plan.narrowed) {
        const rows = this.s.visiblePageUnfiltered.all({ account, region, after, upto: null, limit });
        return { ids: rows, walkedTo: null };
      }
      const upto = this.s.walkEnd.get({ account, region, after, rows: walk }) ?? null;
      const rows = this.s.visiblePage.all({ ...plan.parameters, account, region, after, upto, limit });
      return { ids: rows, walkedTo: rows.length < limit ? upto : null };
    });
    return { ...found, undecided: plan.undecided };
  }

  usagePage(capacityReservationId: string, ownerId: string, after: string, size: number): UsagePage {
    return this.kept.usagePage.get(keyOf(capacityReservationId, ownerId, after, String(size)), () => {
      const rows: InstanceUsage[] =
        after === "" ? [{ accountId: ownerId, usedInstanceCount: this.usedBy(capacityReservationId, ownerId) }] : [];
      const room = size - rows.length;
      const others = this.s.usagePage.all(capacityReservationId, after, ownerId, room + 1);
      for (const [accountId, usedInstanceCount] of others.slice(0, room)) rows.push({ accountId, usedInstanceCount });
      return { rows, more: others.length > room };
    });
  }

  /** Replaces the reservation whole, with its owner's tags, its shares and its usage rows; only inside Store.write(). */
  put({ reservation, tags, shareeTags = [], sharedWith, usage }: ReservationToLoad): void {
    assertInWrite(this.db, "Reservations.put()");
    const s = this.s;
    const region = regionOfZone(reservation.availabilityZone);
    // The fixture schema's zone pattern guarantees a region; a record without one could never be seen.
    if (region === undefined) throw new Error(`${reservation.availabilityZone} names no region`);
    s.deleteReservation.run(reservation.capacityReservationId);
    if (reservation.clientToken !== null) {
      s.giveUpToken.run(reservation.ownerId, region, reservation.clientToken, reservation.capacityReservationId);
    }
    s.insertReservation.run({
      capacity_reservation_id: reservation.capacityReservationId,
      owner_id: reservation.ownerId,
      availability_zone: reservation.availabilityZone,
      region,
      instance_type: reservation.instanceType,
      instance_platform: reservation.instancePlatform,
      total_instance_count: reservation.totalInstanceCount,
      state: reservation.state,
      create_date: reservation.createDate,
      start_date: reservation.startDate,
      end_date: reservation.endDate,
      end_date_type: reservation.endDateType,
      interruptible: reservation.interruptible === null ? null : Number(reservation.interruptible),
      interruptible_capacity_allocation: reservation.interruptibleCapacityAllocation
        ? JSON.stringify(reservation.interruptibleCapacityAllocation)
        : null,
      interruption_info: reservation.interruptionInfo ? JSON.stringify(reservation.interruptionInfo) : null,
      ...memberColumnsOf(reservation),
      provisioned_date: reservation.provisionedDate,
      cancel_date: reservation.cancelDate,
      client_token: reservation.clientToken,
      request_fingerprint: reservation.requestFingerprint,
    });
    if (tags.length > 0) {
      s.insertTags.run(reservation.capacityReservationId, reservation.ownerId, JSON.stringify(tags.map((tag) => [tag.key, tag.value])));
    }
    for (const sharee of shareeTags) {
      if (sharee.tags.length === 0) continue;
      s.insertTags.run(reservation.capacityReservationId, sharee.accountId, JSON.stringify(sharee.tags.map((tag) => [tag.key, tag.value])));
    }
    if (sharedWith.length > 0) s.insertShares.run(reservation.capacityReservationId, JSON.stringify(sharedWith));
    if (usage.length > 0) {
      s.insertUsages.run(
        reservation.capacityReservationId,
        JSON.stringify(usage.map((row) => [row.accountId, row.usedInstanceCount])),
      );
    }
  }

  /** ModifyCapacityReservation's members, as planModify() gave them; only inside Store.write(). */
  modify(capacityReservationId: string, change: ReservationChange): void {
    assertInWrite(this.db, "Reservations.modify()");
    this.s.modify.run(
      change.totalInstanceCount,
      change.endDate,
      change.endDateType,
      change.instanceMatchCriteria,
      capacityReservationId,
    );
  }

  /** CancelCapacityReservation: the state it now has and when; only inside Store.write(). */
  cancel(capacityReservationId: string, state: "cancelled" | "cancelling", cancelDate: string): void {
    assertInWrite(this.db, "Reservations.cancel()");
    this.s.cancel.run(state, cancelDate, capacityReservationId);
  }

  /** The reservation an owner's ClientToken made in a region, and the fingerprint of that request. */
  clientToken(
    ownerId: string,
    region: string,
    clientToken: string,
  ): { capacityReservationId: string; requestFingerprint: string } | undefined {
    const row = this.s.clientToken.get(ownerId, region, clientToken);
    return row && { capacityReservationId: row.capacity_reservation_id, requestFingerprint: row.request_fingerprint };
  }

  /** The reservations made through the API in a zone for a type whose stored state may still hold capacity. */
  holdingCapacity(availabilityZone: string, instanceType: string): CapacityReservationRecord[] {
    return this.s.holdingCapacity.all(availabilityZone, instanceType).map(toRecord);
  }

  /**
   * Replaces one account's tags on a resource whole, as its own rows; only inside Store.write(). A
   * shared set it referred to stays with the launch's other instances (copied on write).
   */
  setTags(resourceId: string, accountId: string, tags: readonly Tag[]): void {
    assertInWrite(this.db, "Reservations.setTags()");
    this.s.deleteTags.run(resourceId, accountId);
    this.s.dropTagSet.run(resourceId, accountId);
    if (tags.length > 0) this.s.insertTags.run(resourceId, accountId, JSON.stringify(tags.map((t) => [t.key, t.value])));
  }

  /**
   * Takes every tag off each resource, its own rows and its reference to a shared set, whatever
   * account kept them; only inside Store.write(). A load replacing volumes whole (their rows are
   * upserted, never deleted, so the volume_tags_deleted trigger does not run) clears their tags first,
   * as an instance's delete and insert does.
   */
  untag(resourceIds: readonly string[]): void {
    assertInWrite(this.db, "Reservations.untag()");
    if (resourceIds.length === 0) return;
    const ids = JSON.stringify(resourceIds);
    this.s.deleteEveryTagOfResources.run(ids);
    this.s.dropEveryTagSetOfResources.run(ids);
  }

  /**
   * Gives each of a launch's instances (or each of their volumes) the same tags of one account,
   * written once as a shared set that each refers to (a 1,000-instance launch with 50 tags writes 50
   * rows and 1,000 references, not 50,000 rows); only inside Store.write(). Never a reservation: its
   * tags are its own rows, which its tag filters read in SQL.
   */
  shareTagsOfInstances(instanceIds: readonly string[], accountId: string, tags: readonly Tag[]): void {
    assertInWrite(this.db, "Reservations.shareTagsOfInstances()");
    const ids = JSON.stringify(instanceIds);
    this.s.deleteTagsOfResources.run(ids, accountId);
    this.s.dropTagSetsOfResources.run(ids, accountId);
    if (tags.length === 0 || instanceIds.length === 0) return;
    const tagSetId = this.s.newTagSetId.get() ?? 1;
    this.s.insertTagSet.run(tagSetId, JSON.stringify(tags.map((t) => [t.key, t.value])));
    this.s.referTagSet.run(accountId, tagSetId, ids);
  }

  /**
   * Replaces one account's tags on each resource with what `change` makes of them (CreateTags,
   * DeleteTags); only inside Store.write(). Resources whose tags are the same before (the instances of
   * one shared set, or of one launch tagged alike since) are changed once: instances named together
   * share the result as a new set (a CreateTags on 1,000 instances writes its tags once, not 1,000
   * times, even when they had their own rows before); one alone, and every other kind, gets its own
   * rows (issue 21, F7 of the last outside pass: 1,000 instances launched untagged wrote 50,000 rows
   * on every CreateTags). Instances and volumes named together whose tags differ keep what they have
   * in common after the change as one shared set beside their own rows for the rest (issue 21: 49 long
   * tags added to 1,000 instances each with a Name of its own wrote 50,000 rows; now 49 and a
   * reference each, the Names left as they were).
   */
  retag(resourceIds: readonly string[], accountId: string, change: (tags: readonly Tag[]) => readonly Tag[]): void {
    assertInWrite(this.db, "Reservations.retag()");
    const unique = [...new Set(resourceIds)];
    const ids = JSON.stringify(unique);
    // Everything read before anything is written: each resource's own rows and its set.
    const own = this.ownTagsOfResources(ids, accountId);
    const setOf = new Map<string, number>();
    // The resources of each shared set with no own rows beside it (their tags are the set), changed once.
    const bySet = new Map<number, string[]>();
    for (const [resourceId, tagSetId] of this.s.tagSetsOfResources.all(ids, accountId)) {
      setOf.set(resourceId, tagSetId);
      if (own.has(resourceId)) continue;
      const members = bySet.get(tagSetId);
      if (members) members.push(resourceId);
      else bySet.set(tagSetId, [resourceId]);
    }
    const sets = new Map<number, readonly Tag[]>();
    const setTags = (tagSetId: number): readonly Tag[] => {
      let set = sets.get(tagSetId);
      if (set === undefined) sets.set(tagSetId, (set = this.s.tagSet.all(tagSetId)));
      return set;
    };
    for (const [tagSetId, members] of bySet) this.retagGroup(members, setTags(tagSetId), accountId, change);
    const inSets = new Set([...bySet.values()].flat());
    // The others: an instance whose tags are the same as an earlier one's joins it, the group then
    // sharing one set. Groups are found by a short signature (the count and the last tag) and
    // compared whole with a few groups of it: a key of every tag's text cost seconds at 1,000 × 50
    // long tags.
    const bySignature = new Map<string, { tags: readonly Tag[]; ids: string[] }[]>();
    const joined = new Set<{ tags: readonly Tag[]; ids: string[] }>();
    const apart: Apart[] = [];
    let remembered = 0;
    for (const id of unique) {
      if (inSets.has(id)) continue;
      const ownTags = own.get(id) ?? [];
      const tagSetId = setOf.get(id);
      const tags = tagSetId === undefined ? ownTags : mergedByKey(ownTags, setTags(tagSetId));
      const last = tags.at(-1);
      const signature = last === undefined ? "" : `${tags.length}\u0000${last.key}\u0000${last.value}`;
      const alike = bySignature.get(signature);
      const group = id.startsWith("i-") ? alike?.find((candidate, n) => n < SAME_TAGS_LOOKS && sameTags(candidate.tags, tags)) : undefined;
      if (group) {
        group.ids.push(id);
        joined.add(group);
        continue;
      }
      apart.push({ id, own: ownTags, set: tagSetId === undefined ? undefined : setTags(tagSetId), changed: change(tags) });
      if (!id.startsWith("i-") || remembered++ >= SAME_TAGS_GROUPS) continue;
      if (alike) alike.push({ tags, ids: [id] });
      else bySignature.set(signature, [{ tags, ids: [id] }]);
    }
    // A group that joined is written as one set: its first member's result goes with the others'.
    const first = new Set<string>();
    for (const group of joined) {
      first.add(group.ids[0] ?? "");
      this.shareTagsOfInstances(group.ids, accountId, change(group.tags));
    }
    this.writeApart(apart.filter(({ id }) => !first.has(id)), accountId);
  }

  /**
   * Writes the results of resources changed one by one. Two or more instances or volumes with tags
   * in common after the change get those as one new shared set, each keeping its own rows for the
   * rest (left unwritten where they are the same); every other gets its own rows whole.
   */
  private writeApart(apart: readonly Apart[], accountId: string): void {
    const sharing = apart.filter(({ id }) => SHARES_TAGS.test(id));
    const common = sharing.length >= 2 ? commonTags(sharing.map(({ changed }) => changed)) : [];
    const together = common.length > 0 ? new Set(sharing.map(({ id }) => id)) : new Set<string>();
    for (const { id, own, set, changed } of apart) {
      if (together.has(id)) continue;
      // Nothing to write when the result is what the resource holds as its own rows already.
      if (set === undefined && sameTagMaps(own, changed)) continue;
      if (set !== undefined && this.keepSet(id, accountId, own, set, changed)) continue;
      this.setTags(id, accountId, changed);
    }
    if (together.size === 0) return;
    // What they hold in common is the one set they all refer to (a call that changed nothing of
    // it): they keep it, with their own rows beside it, rather than a new copy of it.
    const set = sharing[0]?.set;
    if (set !== undefined && sharing.every((resource) => resource.set === set) && sameTagMaps(set, common)) {
      for (const { id, own, changed } of sharing) if (!this.keepSet(id, accountId, own, set, changed)) this.setTags(id, accountId, changed);
      return;
    }
    const keys = new Set(common.map((tag) => tag.key));
    for (const { id, own, changed } of sharing) {
      const rest = changed.filter((tag) => !keys.has(tag.key));
      if (sameTagMaps(own, rest)) continue;
      this.s.deleteTags.run(id, accountId);
      if (rest.length > 0) this.s.insertTags.run(id, accountId, JSON.stringify(rest.map((t) => [t.key, t.value])));
    }
    const ids = JSON.stringify([...together]);
    this.s.dropTagSetsOfResources.run(ids, accountId);
    const tagSetId = this.s.newTagSetId.get() ?? 1;
    this.s.insertTagSet.run(tagSetId, JSON.stringify(common.map((t) => [t.key, t.value])));
    this.s.referTagSet.run(accountId, tagSetId, ids);
  }

  /** The resources of one shared set, changed once: instances named together share the result as a new set, one alone gets its own rows. */
  private retagGroup(ids: readonly string[], tags: readonly Tag[], accountId: string, change: (tags: readonly Tag[]) => readonly Tag[]): void {
    const changed = change(tags);
    // A change that leaves the set as it was writes nothing; one resource alone keeps the set with
    // what the change adds beside it.
    if (sameTagMaps(tags, changed)) return;
    if (ids.length === 1) {
      const id = ids[0] ?? "";
      if (!this.keepSet(id, accountId, [], tags, changed)) this.setTags(id, accountId, changed);
    } else {
      this.shareTagsOfInstances(ids, accountId, changed);
    }
  }

  /**
   * Keeps a resource's reference to its set when `changed` leaves every tag of the set as it was,
   * writing only its own rows beside it (left unwritten when they are what it has); false, with
   * nothing written, when the change took a tag of the set away or gave it another value. One
   * resource named alone so costs what the call names, not a copy of its set: 15,000 calls each
   * naming one volume of a set of 49 long tags made a 298 MB dump (D1 by another route, E1).
   */
  private keepSet(id: string, accountId: string, own: readonly Tag[], set: readonly Tag[], changed: readonly Tag[]): boolean {
    const beside = besideSet(set, changed);
    if (beside === undefined) return false;
    if (sameTagMaps(own, beside)) return true;
    this.s.deleteTags.run(id, accountId);
    if (beside.length > 0) this.s.insertTags.run(id, accountId, JSON.stringify(beside.map((t) => [t.key, t.value])));
    return true;
  }

  /**
   * One account's tags on a resource (a reservation's, an instance's), in key order; empty when it
   * has none. EC2 tags belong to an account: the owner's are not shown to a consumer.
   */
  tagsOf(resourceId: string, accountId: string): Tag[] {
    return this.s.tagsOf.all({ resourceId, accountId });
  }

  /**
   * One account's tags on several resources in two trips into SQLite and one per shared set, by
   * resource id; a resource without tags is absent. The instances of one shared set get one list.
   */
  tagsOfResources(resourceIds: readonly string[], accountId: string): Map<string, readonly Tag[]> {
    const ids = JSON.stringify(resourceIds);
    const tags = new Map<string, readonly Tag[]>();
    let list: Tag[] = [];
    for (const [resourceId, key, value] of this.s.tagsOfResources.all(ids, accountId)) {
      if (tags.get(resourceId) !== list) tags.set(resourceId, (list = []));
      list.push({ key, value });
    }
    const sets = new Map<number, readonly Tag[]>();
    for (const [resourceId, tagSetId] of this.s.tagSetsOfResources.all(ids, accountId)) {
      let set = sets.get(tagSetId);
      if (set === undefined) sets.set(tagSetId, (set = this.s.tagSet.all(tagSetId)));
      const ownTags = tags.get(resourceId);
      tags.set(resourceId, ownTags === undefined ? set : mergedByKey(ownTags, set));
    }
    return tags;
  }

  /** One account's own rows (not its shared sets') on several resources, by resource id, in key order. */
  private ownTagsOfResources(ids: string, accountId: string): Map<string, Tag[]> {
    const tags = new Map<string, Tag[]>();
    let list: Tag[] = [];
    for (const [resourceId, key, value] of this.s.tagsOfResources.all(ids, accountId)) {
      if (tags.get(resourceId) !== list) tags.set(resourceId, (list = []));
      list.push({ key, value });
    }
    return tags;
  }

  /** The shared set an account's tags on a resource are, if they are one (not its own rows). */
  tagSetOf(resourceId: string, accountId: string): number | undefined {
    return this.s.tagSetOf.get(resourceId, accountId);
  }

  /** An account's rows of its own on a resource (beside a shared set it may also refer to), in key order. */
  ownTagsOf(resourceId: string, accountId: string): Tag[] {
    return this.s.ownTagsOf.all(resourceId, accountId);
  }

  /**
   * Replaces one account's own rows on a resource, leaving the shared set it refers to as it is
   * (a load writes a record's own tags beside the set it names); only inside Store.write(). The
   * caller keeps the keys apart from the set's.
   */
  setOwnTagsBeside(resourceId: string, accountId: string, tags: readonly Tag[]): void {
    assertInWrite(this.db, "Reservations.setOwnTagsBeside()");
    this.s.deleteTags.run(resourceId, accountId);
    if (tags.length > 0) this.s.insertTags.run(resourceId, accountId, JSON.stringify(tags.map((t) => [t.key, t.value])));
  }

  /** The shared sets more than one resource refers to. */
  tagSetsShared(): number[] {
    return this.s.tagSetsShared.all();
  }

  /** A shared set's tags, in key order. */
  tagSetTags(tagSetId: number): Tag[] {
    return this.s.tagSet.all(tagSetId);
  }

  /** Every reservation as a fixture that loads back to the same answers. */
  dump(): CapacityReservationFixture[] {
    return this.s.allReservations.all().map((row) => this.fixtureOfRow(row));
  }

  /** One reservation as dump() writes it (its usage rows: the fixture part alone), or undefined. */
  fixtureOf(capacityReservationId: string): CapacityReservationFixture | undefined {
    const row = this.s.reservation.get(capacityReservationId);
    return row && this.fixtureOfRow(row);
  }

  /** Deletes a reservation with its shares, usage rows and tags; only inside Store.write(). */
  remove(capacityReservationId: string): void {
    assertInWrite(this.db, "Reservations.remove()");
    this.s.deleteReservation.run(capacityReservationId);
  }

  private fixtureOfRow(row: ReservationRow): CapacityReservationFixture {
    const { head, tail } = this.fixtureParts(row);
    const sharedWith = this.s.sharesOf.all(head.capacityReservationId).map((r) => r.account_id);
    const usage = this.s.usageOf
      .all(head.capacityReservationId)
      .map((r) => ({ accountId: r.account_id, usedInstanceCount: r.used_instance_count }));
    return { ...head, ...(sharedWith.length > 0 ? { sharedWith } : {}), usage, ...tail };
  }

  /**
   * Writes the same JSON as each of dump()'s records, comma-separated, through `put`, reading one row
   * at a time (a reservation's shares and usage rows too), so a million usage rows never become one
   * string or one object tree (issue 11, item 18). `put` must not call back into the store.
   */
  writeEach(put: (text: string) => void): void {
    const s = this.s;
    let first = true;
    for (const row of s.allReservations.iterate()) {
      const { head, tail } = this.fixtureParts(row);
      put(`${first ? "" : ","}${JSON.stringify(head).slice(0, -1)}`);
      first = false;
      let firstShare = true;
      for (const share of s.sharesOf.iterate(head.capacityReservationId)) {
        put(`${firstShare ? ',"sharedWith":[' : ","}${JSON.stringify(share.account_id)}`);
        firstShare = false;
      }
      put(firstShare ? ',"usage":[' : '],"usage":[');
      let firstRow = true;
      for (const usage of s.usageOf.iterate(head.capacityReservationId)) {
        put(`${firstRow ? "" : ","}{"accountId":${JSON.stringify(usage.account_id)},"usedInstanceCount":${usage.used_instance_count}}`);
        firstRow = false;
      }
      const rest = JSON.stringify(tail);
      put(rest === "{}" ? "]}" : `],${rest.slice(1)}`);
    }
  }

  /** One reservation as a fixture record, in two parts around its shares and usage rows (read apart, as they may be many). */
  private fixtureParts(row: ReservationRow): { head: CapacityReservationFixture; tail: Partial<CapacityReservationFixture> } {
    const record = toRecord(row);
    const head: CapacityReservationFixture = {
      capacityReservationId: record.capacityReservationId,
      ownerId: record.ownerId,
      availabilityZone: record.availabilityZone,
      instanceType: record.instanceType,
      instancePlatform: record.instancePlatform,
      totalInstanceCount: record.totalInstanceCount,
      state: record.state,
      createDate: record.createDate,
      endDateType: record.endDateType,
    };
    if (record.startDate !== null) head.startDate = record.startDate;
    if (record.endDate !== null) head.endDate = record.endDate;
    const tail: Partial<CapacityReservationFixture> = {};
    if (record.interruptible !== null) tail.interruptible = record.interruptible;
    if (record.interruptibleCapacityAllocation) tail.interruptibleCapacityAllocation = record.interruptibleCapacityAllocation;
    if (record.interruptionInfo) tail.interruptionInfo = record.interruptionInfo;
    if (record.provisionedDate !== null) tail.provisionedDate = record.provisionedDate;
    if (record.cancelDate !== null) tail.cancelDate = record.cancelDate;
    const token = this.s.tokenOf.get(record.capacityReservationId);
    if (token?.client_token && token.request_fingerprint) {
      tail.clientToken = token.client_token;
      tail.requestFingerprint = token.request_fingerprint;
    }
    Object.assign(tail, membersFixture(record));
    const tags = this.tagsOf(record.capacityReservationId, record.ownerId);
    if (tags.length > 0) tail.tags = tags;
    // Each account it is shared with keeps its own tags on it (docs/fixtures.md, shareeTags).
    const shareeTags: ShareeTagsFixture[] = [];
    for (const { account_id: accountId, key, value } of this.s.shareeTagsOf.iterate(record.capacityReservationId)) {
      const last = shareeTags.at(-1);
      if (last?.accountId === accountId) last.tags.push({ key, value });
      else shareeTags.push({ accountId, tags: [{ key, value }] });
    }
    if (shareeTags.length > 0) tail.shareeTags = shareeTags;
    return { head, tail };
  }
}
