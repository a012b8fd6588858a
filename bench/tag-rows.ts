// `npx tsx bench/tag-rows.ts [--rounds 3]`: what SQLite alone takes to write CreateTags' largest call as rows (1,000 resources × 49 tags of 127 + 255 characters and a Name, one transaction) into resource_tag's schema and variants of it, without the emulator (docs/reliability.md, issue 21).

import Database from "better-sqlite3";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const ROUNDS = Number(values.rounds);

const ACCOUNT = "123456789012";
const IDS = Array.from({ length: 1000 }, (_, n) => `i-${n.toString(16).padStart(17, "0")}`);

/** resource_tag as migration 003 makes it, and as a rowid table. */
const WITHOUT_ROWID = `CREATE TABLE resource_tag (resource_id TEXT NOT NULL, account_id TEXT NOT NULL, key TEXT NOT NULL,
  value TEXT NOT NULL, PRIMARY KEY (resource_id, account_id, key)) WITHOUT ROWID`;
const ROWID = WITHOUT_ROWID.replace(" WITHOUT ROWID", "");
// Migrations 007 and 003.
const BY_ACCOUNT = "CREATE INDEX resource_tag_by_account ON resource_tag (account_id, resource_id, key)";
const BY_KEY = "CREATE INDEX resource_tag_by_key ON resource_tag (account_id, key, value)";

interface Variant {
  readonly name: string;
  readonly schema: readonly string[];
  /** One INSERT a resource over json_each (as Reservations.setTags), or one a row. */
  readonly form: "json" | "row";
  readonly pageSize?: number;
}

const VARIANTS: Variant[] = [
  { name: "as the emulator has it (primary key and two indexes), one statement a resource", schema: [WITHOUT_ROWID, BY_ACCOUNT, BY_KEY], form: "json" },
  { name: "the same, one statement a row", schema: [WITHOUT_ROWID, BY_ACCOUNT, BY_KEY], form: "row" },
  { name: "the same, pages of 16 KiB", schema: [WITHOUT_ROWID, BY_ACCOUNT, BY_KEY], form: "json", pageSize: 16384 },
  { name: "a rowid table with the same indexes", schema: [ROWID, BY_ACCOUNT, BY_KEY], form: "json" },
  { name: "without resource_tag_by_key", schema: [WITHOUT_ROWID, BY_ACCOUNT], form: "json" },
  { name: "the primary key alone", schema: [WITHOUT_ROWID], form: "json" },
];

/** Each round's milliseconds: every resource's rows deleted and its Name and 49 tags (values of that round) written. */
function run(variant: Variant): number[] {
  const db = new Database(":memory:");
  if (variant.pageSize !== undefined) db.pragma(`page_size = ${variant.pageSize}`);
  db.pragma("auto_vacuum = INCREMENTAL");
  for (const sql of variant.schema) db.exec(sql);
  const remove = db.prepare("DELETE FROM resource_tag WHERE resource_id = ? AND account_id = ?");
  const many = db.prepare("INSERT INTO resource_tag (resource_id, account_id, key, value) SELECT ?, ?, value ->> 0, value ->> 1 FROM json_each(?)");
  const one = db.prepare("INSERT INTO resource_tag (resource_id, account_id, key, value) VALUES (?, ?, ?, ?)");
  for (const id of IDS) one.run(id, ACCOUNT, "Name", id);
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const began = performance.now();
    db.transaction(() => {
      for (const id of IDS) {
        const tags: [string, string][] = [["Name", id]];
        for (let tag = 1; tag <= 49; tag++) tags.push([`${tag}-`.padEnd(127, "k"), `${round}-${tag}-`.padEnd(255, "v")]);
        remove.run(id, ACCOUNT);
        if (variant.form === "json") many.run(id, ACCOUNT, JSON.stringify(tags));
        else for (const [key, value] of tags) one.run(id, ACCOUNT, key, value);
      }
    })();
    times.push(performance.now() - began);
  }
  db.close();
  return times;
}

process.stdout.write("| 50,000 rows of resource_tag in one transaction | each round (ms) |\n|---|---|\n");
for (const variant of VARIANTS) process.stdout.write(`| ${variant.name} | ${run(variant).map((ms) => ms.toFixed(0)).join(", ")} |\n`);
