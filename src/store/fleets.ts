// Instant fleets: kept for their ClientToken (what the first call did, answered again), and the dump.

import type { FleetOutcome, FleetRecord } from "../domain/fleet.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

interface FleetRow {
  fleet_id: string;
  owner_id: string;
  region: string;
  create_time: number;
  client_token: string | null;
  request_digest: string | null;
  answer: string;
}

const recordOf = (row: FleetRow): FleetRecord => ({
  outcome: JSON.parse(row.answer) as FleetOutcome,
  ownerId: row.owner_id,
  region: row.region,
  createTime: row.create_time,
  clientToken: row.client_token,
  requestDigest: row.request_digest,
});

function prepare(db: SqliteDatabase) {
  return {
    byToken: db.prepare<[string, string, string], FleetRow>("SELECT * FROM fleet WHERE owner_id = ? AND region = ? AND client_token = ?"),
    all: db.prepare<[], FleetRow>("SELECT * FROM fleet ORDER BY fleet_id"),
    put: db.prepare<[FleetRow]>(
      `INSERT OR REPLACE INTO fleet (fleet_id, owner_id, region, create_time, client_token, request_digest, answer)
        VALUES (@fleet_id, @owner_id, @region, @create_time, @client_token, @request_digest, @answer)`,
    ),
  };
}

export class Fleets {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  byClientToken(ownerId: string, region: string, token: string): FleetRecord | undefined {
    const row = this.s.byToken.get(ownerId, region, token);
    return row && recordOf(row);
  }

  put(record: FleetRecord): void {
    assertInWrite(this.db, "Fleets.put()");
    this.s.put.run({
      fleet_id: record.outcome.fleetId,
      owner_id: record.ownerId,
      region: record.region,
      create_time: record.createTime,
      client_token: record.clientToken,
      request_digest: record.requestDigest,
      answer: JSON.stringify(record.outcome),
    });
  }

  all(): FleetRecord[] {
    return this.s.all.all().map(recordOf);
  }
}
