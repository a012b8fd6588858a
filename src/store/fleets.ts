// Instant fleets: kept for their ClientToken (what the first call did, answered again), for DescribeFleets and DeleteFleets, and the dump.

import type { Tag } from "../domain/capacityReservation.js";
import type { FleetOutcome, FleetRecord, FleetState } from "../domain/fleet.js";
import type { FleetFixture } from "../fixtures/types.js";
import { fleetConfiguration } from "../ec2/fleetConfiguration.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

interface FleetRow {
  fleet_id: string;
  owner_id: string;
  region: string;
  create_time: number;
  client_token: string | null;
  request_digest: string | null;
  answer: string;
  fleet_state: string;
  configuration: string;
}

const recordOf = (row: FleetRow): FleetRecord => ({
  outcome: JSON.parse(row.answer) as FleetOutcome,
  // The table's CHECK holds it to these.
  fleetState: row.fleet_state === "deleted_terminating" ? "deleted_terminating" : "active",
  configuration: new Map(JSON.parse(row.configuration) as [string, string][]),
  ownerId: row.owner_id,
  region: row.region,
  createTime: row.create_time,
  clientToken: row.client_token,
  requestDigest: row.request_digest,
});

function prepare(db: SqliteDatabase) {
  return {
    byId: db.prepare<[string], FleetRow>("SELECT * FROM fleet WHERE fleet_id = ?"),
    byToken: db.prepare<[string, string, string], FleetRow>("SELECT * FROM fleet WHERE owner_id = ? AND region = ? AND client_token = ?"),
    all: db.prepare<[], FleetRow>("SELECT * FROM fleet ORDER BY fleet_id"),
    put: db.prepare<[FleetRow]>(
      `INSERT OR REPLACE INTO fleet (fleet_id, owner_id, region, create_time, client_token, request_digest, answer, fleet_state, configuration)
        VALUES (@fleet_id, @owner_id, @region, @create_time, @client_token, @request_digest, @answer, @fleet_state, @configuration)`,
    ),
    setState: db.prepare<[string, string]>("UPDATE fleet SET fleet_state = ? WHERE fleet_id = ?"),
  };
}

export class Fleets {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  byId(fleetId: string): FleetRecord | undefined {
    const row = this.s.byId.get(fleetId);
    return row && recordOf(row);
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
      fleet_state: record.fleetState,
      configuration: JSON.stringify([...record.configuration]),
    });
  }

  setState(fleetId: string, state: FleetState): void {
    assertInWrite(this.db, "Fleets.setState()");
    this.s.setState.run(state, fleetId);
  }

  all(): FleetRecord[] {
    return this.s.all.all().map(recordOf);
  }
}

/** The members a dump adds to a fleet's fixture: its state when deleted, its configuration when it has one, its tags. */
export function fleetConfigurationFixture(fleet: FleetRecord, tags: readonly Tag[]): Pick<FleetFixture, "fleetState" | "configuration" | "tags"> {
  return {
    ...(fleet.fleetState !== "active" ? { fleetState: fleet.fleetState } : {}),
    // Through JSON: dates as ISO text, as a fixture writes them.
    ...(fleet.configuration.size > 0 ? { configuration: JSON.parse(JSON.stringify(fleetConfiguration(fleet.configuration, "kept"))) as Record<string, unknown> } : {}),
    ...(tags.length > 0 ? { tags: [...tags] } : {}),
  };
}
