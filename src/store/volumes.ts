// EBS volumes (migrations/*_volumes.sql): statements, an account's keyset pages, an instance's volumes, the writes of a launch and of ModifyVolume, load and dump.

import type { Tag } from "../domain/capacityReservation.js";
import { isVolumeType, type VolumeRecord, type VolumeType } from "../domain/volume.js";
import type { VolumeFixture } from "../fixtures/types.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

interface VolumeRow {
  volume_id: string;
  owner_id: string;
  region: string;
  availability_zone: string;
  size: number;
  volume_type: string;
  iops: number | null;
  throughput: number | null;
  encrypted: 0 | 1;
  kms_key_id: string | null;
  snapshot_id: string | null;
  create_time: number;
  instance_id: string | null;
  device: string | null;
  attach_time: number | null;
  delete_on_termination: 0 | 1;
  modification_start: number | null;
  modification_end: number | null;
  original_size: number | null;
  original_volume_type: string | null;
  original_iops: number | null;
  original_throughput: number | null;
}

const COLUMNS = `volume_id, owner_id, region, availability_zone, size, volume_type, iops, throughput, encrypted, kms_key_id,
  snapshot_id, create_time, instance_id, device, attach_time, delete_on_termination, modification_start, modification_end,
  original_size, original_volume_type, original_iops, original_throughput`;

/** The table's CHECK holds the type to EC2's; a row of another (none can be written) reads as gp2. */
const typeOf = (text: string | null): VolumeType => (text !== null && isVolumeType(text) ? text : "gp2");

const recordOf = (row: VolumeRow): VolumeRecord => ({
  volumeId: row.volume_id,
  ownerId: row.owner_id,
  region: row.region,
  availabilityZone: row.availability_zone,
  size: row.size,
  volumeType: typeOf(row.volume_type),
  iops: row.iops,
  throughput: row.throughput,
  encrypted: row.encrypted === 1,
  kmsKeyId: row.kms_key_id,
  snapshotId: row.snapshot_id,
  createTime: row.create_time,
  attachment:
    row.instance_id === null || row.device === null || row.attach_time === null
      ? null
      : { instanceId: row.instance_id, device: row.device, attachTime: row.attach_time, deleteOnTermination: row.delete_on_termination === 1 },
  modification:
    row.modification_start === null || row.modification_end === null || row.original_size === null
      ? null
      : {
          startTime: row.modification_start,
          endTime: row.modification_end,
          originalSize: row.original_size,
          originalVolumeType: typeOf(row.original_volume_type),
          originalIops: row.original_iops,
          originalThroughput: row.original_throughput,
        },
});

const rowOf = (record: VolumeRecord): VolumeRow => ({
  volume_id: record.volumeId,
  owner_id: record.ownerId,
  region: record.region,
  availability_zone: record.availabilityZone,
  size: record.size,
  volume_type: record.volumeType,
  iops: record.iops,
  throughput: record.throughput,
  encrypted: record.encrypted ? 1 : 0,
  kms_key_id: record.kmsKeyId,
  snapshot_id: record.snapshotId,
  create_time: record.createTime,
  instance_id: record.attachment?.instanceId ?? null,
  device: record.attachment?.device ?? null,
  attach_time: record.attachment?.attachTime ?? null,
  delete_on_termination: record.attachment?.deleteOnTermination === true ? 1 : 0,
  modification_start: record.modification?.startTime ?? null,
  modification_end: record.modification?.endTime ?? null,
  original_size: record.modification?.originalSize ?? null,
  original_volume_type: record.modification?.originalVolumeType ?? null,
  original_iops: record.modification?.originalIops ?? null,
  original_throughput: record.modification?.originalThroughput ?? null,
});

function prepare(db: SqliteDatabase) {
  return {
    byId: db.prepare<[string], VolumeRow>(`SELECT ${COLUMNS} FROM volume WHERE volume_id = ?`),
    page: db.prepare<[string, string, string, number], VolumeRow>(
      `SELECT ${COLUMNS} FROM volume INDEXED BY volume_by_owner WHERE owner_id = ? AND region = ? AND volume_id > ?
        ORDER BY volume_id LIMIT ?`,
    ),
    // An IN over json_each of a parameter: one index lookup an instance, the list read once.
    ofInstances: db.prepare<[string], VolumeRow>(
      `SELECT ${COLUMNS} FROM volume INDEXED BY volume_by_instance WHERE instance_id IN (SELECT value FROM json_each(?))
        ORDER BY instance_id, device`,
    ),
    // Counted in the index alone (instance_id, device): no row is read.
    countOfInstances: db.prepare<[string, number], number>(
      `SELECT count(*) FROM (SELECT 1 FROM volume INDEXED BY volume_by_instance WHERE instance_id IN (SELECT value FROM json_each(?)) LIMIT ?)`,
    ).pluck(),
    seenOfInstances: db.prepare<[string, string, string], VolumeRow>(
      `SELECT ${COLUMNS} FROM volume INDEXED BY volume_by_instance WHERE instance_id IN (SELECT value FROM json_each(?))
        AND owner_id = ? AND region = ?`,
    ),
    // Ids only, from the primary key: naming 9,000 volumes reads no volume row.
    seenIds: db
      .prepare<[string, string, string], string>(
        `SELECT volume_id FROM volume WHERE volume_id IN (SELECT value FROM json_each(?)) AND owner_id = ? AND region = ? ORDER BY volume_id`,
      )
      .pluck(),
    all: db.prepare<[], VolumeRow>(`SELECT ${COLUMNS} FROM volume ORDER BY volume_id`),
    // A launch's volumes in one statement: each row a JSON array of what differs between them (LaunchVolumeRow).
    insertLaunch: db.prepare<[{ owner: string; region: string; now: number; rows: string }]>(
      `INSERT INTO volume (${COLUMNS})
        SELECT value ->> 0, @owner, @region, value ->> 2, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8,
          value ->> 9, value ->> 10, @now, value ->> 1, value ->> 3, @now, value ->> 11, NULL, NULL, NULL, NULL, NULL, NULL
        FROM json_each(@rows)`,
    ),
    detach: db.prepare<[string]>(`UPDATE volume SET instance_id = NULL, device = NULL, attach_time = NULL WHERE volume_id = ?`),
    remove: db.prepare<[string]>(`DELETE FROM volume WHERE volume_id = ?`),
    insert: db.prepare<[VolumeRow]>(
      `INSERT INTO volume (${COLUMNS}) VALUES (@volume_id, @owner_id, @region, @availability_zone, @size, @volume_type, @iops,
        @throughput, @encrypted, @kms_key_id, @snapshot_id, @create_time, @instance_id, @device, @attach_time,
        @delete_on_termination, @modification_start, @modification_end, @original_size, @original_volume_type,
        @original_iops, @original_throughput)
       ON CONFLICT (volume_id) DO UPDATE SET owner_id = excluded.owner_id, region = excluded.region,
         availability_zone = excluded.availability_zone, size = excluded.size, volume_type = excluded.volume_type,
         iops = excluded.iops, throughput = excluded.throughput, encrypted = excluded.encrypted,
         kms_key_id = excluded.kms_key_id, snapshot_id = excluded.snapshot_id, create_time = excluded.create_time,
         instance_id = excluded.instance_id, device = excluded.device, attach_time = excluded.attach_time,
         delete_on_termination = excluded.delete_on_termination, modification_start = excluded.modification_start,
         modification_end = excluded.modification_end, original_size = excluded.original_size,
         original_volume_type = excluded.original_volume_type, original_iops = excluded.original_iops,
         original_throughput = excluded.original_throughput`,
    ),
  };
}

/**
 * One new volume of a launch, as insertLaunch writes it: volume id, instance id, zone, device, size,
 * type, IOPS, throughput, encrypted (0 or 1), KMS key, snapshot, delete on termination (0 or 1).
 */
export type LaunchVolumeRow = readonly [
  volumeId: string,
  instanceId: string,
  availabilityZone: string,
  device: string,
  size: number,
  volumeType: VolumeType,
  iops: number | null,
  throughput: number | null,
  encrypted: 0 | 1,
  kmsKeyId: string | null,
  snapshotId: string | null,
  deleteOnTermination: 0 | 1,
];

export class Volumes {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  byId(volumeId: string): VolumeRecord | undefined {
    const row = this.s.byId.get(volumeId);
    return row && recordOf(row);
  }

  /** Up to `limit` of an account's volumes in a region after `after`, by id. */
  page(ownerId: string, region: string, after: string, limit: number): VolumeRecord[] {
    return this.s.page.all(ownerId, region, after, limit).map(recordOf);
  }

  /** Which of `volumeIds` are an account's volumes in a region, in id order. */
  seenIds(ownerId: string, region: string, volumeIds: readonly string[]): string[] {
    return this.s.seenIds.all(JSON.stringify(volumeIds), ownerId, region);
  }

  /** The volumes attached to an instance, by device name. */
  ofInstance(instanceId: string): VolumeRecord[] {
    return this.ofInstances([instanceId]).get(instanceId) ?? [];
  }

  /** The volumes attached to each of `instanceIds`, by device name, in one read. */
  ofInstances(instanceIds: readonly string[]): Map<string, VolumeRecord[]> {
    const byInstance = new Map<string, VolumeRecord[]>();
    for (const row of this.s.ofInstances.all(JSON.stringify(instanceIds))) {
      const record = recordOf(row);
      const id = row.instance_id ?? "";
      const list = byInstance.get(id);
      if (list) list.push(record);
      else byInstance.set(id, [record]);
    }
    return byInstance;
  }

  /**
   * An account's volumes in a region attached to any of `instanceIds`, in no order, when all the
   * volumes attached to them number at most `limit` (counted in the index, no row read); else undefined.
   */
  seenOfInstances(ownerId: string, region: string, instanceIds: readonly string[], limit: number): VolumeRecord[] | undefined {
    const ids = JSON.stringify(instanceIds);
    if ((this.s.countOfInstances.get(ids, limit + 1) ?? 0) > limit) return undefined;
    return this.s.seenOfInstances.all(ids, ownerId, region).map(recordOf);
  }

  /**
   * Writes a launch's new volumes, attached at `now`, in one statement (inside a write): a launch of
   * 1,000 instances wrote one upsert a volume (issue 21, the review of the volumes work).
   */
  insertLaunch(ownerId: string, region: string, now: number, rows: readonly LaunchVolumeRow[]): void {
    assertInWrite(this.db, "Volumes.insertLaunch()");
    if (rows.length > 0) this.s.insertLaunch.run({ owner: ownerId, region, now, rows: JSON.stringify(rows) });
  }

  all(): VolumeRecord[] {
    return this.s.all.all().map(recordOf);
  }

  /** Takes a volume off its instance (a load about to write it, maybe onto a device another volume of the load leaves). */
  detach(volumeId: string): void {
    assertInWrite(this.db, "Volumes.detach()");
    this.s.detach.run(volumeId);
  }

  /** Deletes a volume, its tags with it (the volumes migration's trigger). */
  remove(volumeId: string): void {
    assertInWrite(this.db, "Volumes.remove()");
    this.s.remove.run(volumeId);
  }

  /** Writes a volume whole, replacing the one of its id (a load, a launch, a modification). */
  put(record: VolumeRecord): void {
    assertInWrite(this.db, "Volumes.put()");
    // An upsert, never a delete and insert: deleting the row would take its tags with it (the volumes migration's trigger).
    this.s.insert.run(rowOf(record));
  }
}

/** A volume as a fixture writes it: members at their defaults left out, times as ISO 8601. */
export function volumeFixtureOf(record: VolumeRecord, tags: readonly Tag[]): VolumeFixture {
  const fixture: VolumeFixture = {
    volumeId: record.volumeId,
    ownerId: record.ownerId,
    availabilityZone: record.availabilityZone,
    size: record.size,
    volumeType: record.volumeType,
    createTime: new Date(record.createTime).toISOString(),
  };
  // gp2's IOPS follow its size (a fixture may not give them, as EC2 refuses them for gp2).
  if (record.iops !== null && record.volumeType !== "gp2") fixture.iops = record.iops;
  if (record.throughput !== null) fixture.throughput = record.throughput;
  if (record.encrypted) fixture.encrypted = true;
  if (record.kmsKeyId !== null) fixture.kmsKeyId = record.kmsKeyId;
  if (record.snapshotId !== null) fixture.snapshotId = record.snapshotId;
  const { attachment, modification } = record;
  if (attachment !== null) {
    fixture.attachment = {
      instanceId: attachment.instanceId,
      device: attachment.device,
      attachTime: new Date(attachment.attachTime).toISOString(),
      deleteOnTermination: attachment.deleteOnTermination,
    };
  }
  if (modification !== null) {
    fixture.modification = {
      startTime: new Date(modification.startTime).toISOString(),
      endTime: new Date(modification.endTime).toISOString(),
      originalSize: modification.originalSize,
      originalVolumeType: modification.originalVolumeType,
      ...(modification.originalIops === null ? {} : { originalIops: modification.originalIops }),
      ...(modification.originalThroughput === null ? {} : { originalThroughput: modification.originalThroughput }),
    };
  }
  if (tags.length > 0) fixture.tags = [...tags];
  return fixture;
}
