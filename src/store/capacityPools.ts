// Capacity pools (SPEC section 4): the room EC2 has left in a zone for an instance type, as fixtures give it.

import type { CapacityPool } from "../domain/state.js";
import type { CapacityPoolFixture } from "../fixtures/types.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

function prepare(db: SqliteDatabase) {
  return {
    available: db.prepare<[string, string], { available: number }>(
      "SELECT available FROM capacity_pool WHERE availability_zone = ? AND instance_type = ?",
    ),
    put: db.prepare<[string, string, number]>(
      `INSERT INTO capacity_pool (availability_zone, instance_type, available) VALUES (?, ?, ?)
        ON CONFLICT (availability_zone, instance_type) DO UPDATE SET available = excluded.available`,
    ),
    all: db.prepare<[], { availability_zone: string; instance_type: string; available: number }>(
      "SELECT availability_zone, instance_type, available FROM capacity_pool ORDER BY availability_zone, instance_type",
    ),
  };
}

export class CapacityPools {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  /** The pool's `available` as loaded, or undefined when there is no pool (capacity is unlimited). */
  available(availabilityZone: string, instanceType: string): number | undefined {
    return this.s.available.get(availabilityZone, instanceType)?.available;
  }

  /** Upserts a pool by zone and type; only inside Store.write(). */
  put(pool: CapacityPool): void {
    assertInWrite(this.db, "CapacityPools.put()");
    this.s.put.run(pool.availabilityZone, pool.instanceType, pool.available);
  }

  dump(): CapacityPoolFixture[] {
    return this.s.all.all().map((row) => ({
      availabilityZone: row.availability_zone,
      instanceType: row.instance_type,
      available: row.available,
    }));
  }
}
