// Bench fixtures: reservations with as many usage rows as asked, written as fixture files for a child to load.

import { closeSync, openSync, writeSync } from "node:fs";
import { OWNER } from "./lib.js";

/** A capacity reservation id in the bench's own range, apart from the shipped demo's. */
export const benchId = (n: number): string => `cr-f${n.toString(16).padStart(16, "0")}`;

/** Account ids of the accounts a bench reservation is shared with. */
const sharee = (i: number): string => String(700000000000 + i);

/**
 * One active reservation owned by the demo owner with `rows` usage rows: the owner's and `rows - 1`
 * accounts it is shared with, each using one instance.
 */
function* reservationJson(id: string, rows: number): Generator<string> {
  yield `{"capacityReservationId":"${id}","ownerId":"${OWNER}","availabilityZone":"us-east-1a",` +
    `"instanceType":"m5.large","totalInstanceCount":${rows + 10},"state":"active","sharedWith":[`;
  const chunk: string[] = [];
  for (let i = 1; i < rows; i++) {
    chunk.push(`"${sharee(i)}"`);
    if (chunk.length === 10_000) yield chunk.splice(0).join(",") + (i < rows - 1 ? "," : "");
  }
  if (chunk.length > 0) yield chunk.splice(0).join(",");
  yield `],"usage":[{"accountId":"${OWNER}","usedInstanceCount":1}`;
  for (let i = 1; i < rows; i++) {
    chunk.push(`,{"accountId":"${sharee(i)}","usedInstanceCount":1}`);
    if (chunk.length === 10_000) yield chunk.splice(0).join("");
  }
  if (chunk.length > 0) yield chunk.splice(0).join("");
  yield "]}";
}

/** Writes a fixture file of reservations, each `{ id, rows }`, without holding it all in memory. */
export function writeFixture(path: string, reservations: Iterable<{ id: string; rows: number }>): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, '{"capacityReservations":[');
    let first = true;
    for (const { id, rows } of reservations) {
      if (!first) writeSync(fd, ",");
      first = false;
      for (const part of reservationJson(id, rows)) writeSync(fd, part);
    }
    writeSync(fd, "]}\n");
  } finally {
    closeSync(fd);
  }
}

/** `count` reservations of `rowsEach` usage rows each. */
export function* manyReservations(count: number, rowsEach: number): Generator<{ id: string; rows: number }> {
  for (let n = 0; n < count; n++) yield { id: benchId(0x100000 + n), rows: rowsEach };
}

/** An instance id for the bench: `i-` and 17 hex digits from a number. */
export const benchInstanceId = (n: number): string => `i-${n.toString(16).padStart(17, "0")}`;

/**
 * Writes a fixture of one reservation per entry, each `{ id, instances }` with that many running
 * instances of the owner holding a place in it (all of one launch), one line per instance, streamed.
 */
export function writeInstanceFixture(path: string, reservations: readonly { id: string; instances: number }[]): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, '{"capacityReservations":[');
    reservations.forEach(({ id, instances }, index) => {
      writeSync(
        fd,
        `${index === 0 ? "" : ","}{"capacityReservationId":"${id}","ownerId":"${OWNER}","availabilityZone":"us-east-1a","instanceType":"m5.large","totalInstanceCount":${instances},"state":"active","instanceMatchCriteria":"targeted"}`,
      );
    });
    writeSync(fd, '],"instances":[\n');
    let n = 0;
    const chunk: string[] = [];
    for (const { id, instances } of reservations) {
      const launch = `r-${id.slice(3).padStart(17, "0")}`;
      for (let i = 0; i < instances; i++) {
        chunk.push(
          `${n === 0 ? "" : ","}{"instanceId":"${benchInstanceId(n)}","ownerId":"${OWNER}","imageId":"ami-0123456789abcdef0","instanceType":"m5.large","availabilityZone":"us-east-1a","state":"running","reservationId":"${launch}","capacityReservationId":"${id}"}\n`,
        );
        n++;
        if (chunk.length >= 10_000) writeSync(fd, chunk.splice(0).join(""));
      }
    }
    if (chunk.length > 0) writeSync(fd, chunk.splice(0).join(""));
    writeSync(fd, "]}\n");
  } finally {
    closeSync(fd);
  }
}

const INSTANCE_TYPES = ["m5.large", "m5.xlarge", "c6i.large", "r6g.2xlarge"];

/**
 * Writes `count` reservations of the demo owner in `region` (zones a to c), one a line: nine in ten
 * active, the rest pending or cancelled; every other one tagged team=a (the others team=b); types in
 * turn. Ids start at `first` in the bench's range.
 */
export function writeRegionFixture(path: string, groups: readonly { region: string; count: number; first: number }[]): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, '{"capacityReservations":[\n');
    let separator = "";
    for (const { region, count, first } of groups) {
      const lines: string[] = [];
      for (let n = 0; n < count; n++) {
        const state = n % 10 === 9 ? (n % 20 === 19 ? "cancelled" : "pending") : "active";
        lines.push(
          `{"capacityReservationId":"${benchId(first + n)}","ownerId":"${OWNER}","availabilityZone":"${region}${"abc"[n % 3]}",` +
            `"instanceType":"${INSTANCE_TYPES[n % INSTANCE_TYPES.length]}","totalInstanceCount":${(n % 7) + 1},"state":"${state}",` +
            `"tags":[{"key":"team","value":"${n % 2 === 0 ? "a" : "b"}"}]}`,
        );
        if (lines.length === 10_000) {
          writeSync(fd, separator + lines.splice(0).join(",\n"));
          separator = ",\n";
        }
      }
      if (lines.length > 0) {
        writeSync(fd, separator + lines.join(",\n"));
        separator = ",\n";
      }
    }
    writeSync(fd, "\n]}\n");
  } finally {
    closeSync(fd);
  }
}
