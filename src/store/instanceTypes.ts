// The instance types fixtures declare (SPEC section 13), kept as their InstanceTypeInfo's JSON text by type name.

import type { DeclaredInstanceTypes } from "../domain/instanceTypes.js";
import type { InstanceTypeInfo } from "../protocol/model/ec2.generated.js";
import { assertInWrite, type SqliteDatabase } from "./database.js";

function prepare(db: SqliteDatabase) {
  return {
    put: db.prepare<[string, string]>(
      "INSERT INTO instance_type (instance_type, info) VALUES (?, ?) ON CONFLICT (instance_type) DO UPDATE SET info = excluded.info",
    ),
    all: db.prepare<[], { instance_type: string; info: string }>("SELECT instance_type, info FROM instance_type ORDER BY instance_type"),
  };
}

const NONE: DeclaredInstanceTypes = new Map();

export class InstanceTypes {
  private readonly s: ReturnType<typeof prepare>;
  /** The last set read, with the text it was read from: the same object while the rows do not change. */
  private last: { readonly text: string; readonly declared: DeclaredInstanceTypes } = { text: "", declared: NONE };

  constructor(private readonly db: SqliteDatabase) {
    this.s = prepare(db);
  }

  /** Upserts a declared type by name; only inside Store.write(). Checked against the model before (src/fixtures/check.ts). */
  put(info: InstanceTypeInfo): void {
    assertInWrite(this.db, "InstanceTypes.put()");
    this.s.put.run(String(info.InstanceType), JSON.stringify(info));
  }

  /**
   * Every declared type by name. The same Map object comes back while the rows are the same, so what
   * the domain keeps by it (the catalogue merged with them) outlives the writes that leave them alone.
   */
  declared(): DeclaredInstanceTypes {
    const rows = this.s.all.all();
    const text = rows.map((row) => `${row.instance_type}\n${row.info}`).join("\n");
    if (text !== this.last.text) {
      // Rows were checked against the model when loaded (src/fixtures/check.ts).
      const declared: DeclaredInstanceTypes = new Map(rows.map((row) => [row.instance_type, Object.freeze(JSON.parse(row.info) as InstanceTypeInfo)]));
      this.last = { text, declared };
    }
    return this.last.declared;
  }

  dump(): InstanceTypeInfo[] {
    return [...this.declared().values()];
  }
}
