// Memory is bounded by the number of requests, never by the bytes clients send (issue 11, item 1).

import { request as httpRequest, Agent } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { MAX_KEY_LENGTH, Memo, ownCopy } from "../src/store/readCache.js";
import { start } from "./support.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

const MiB = 1024 * 1024;
/** A Version value as long as a parameter may be; four of them (three ignored repeats) fill a 1 MiB body. */
const FILLER = `Version=${"9".repeat(256 * 1024 - 200)}`;

function post(agent: Agent, url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", agent, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("requests with large bodies", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start();
  });
  afterAll(async () => emu.close());

  it("keep nothing of their bodies: 300 unsigned 1 MiB POSTs with new ids leave the heap where it was", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const send = async (from: number, count: number): Promise<number[]> => {
      const statuses: number[] = [];
      for (let i = from; i < from + count; i++) {
        const id = `cr-${i.toString(16).padStart(17, "0")}`;
        // Every other request names a new access key in X-Amz-Credential, which the caller's lookup keeps too.
        const credential = i % 2 === 0 ? "" : `&X-Amz-Credential=AKIA${i.toString().padStart(16, "0")}%2F20260101%2Fus-east-1%2Fec2%2Faws4_request`;
        const body = `Action=GetCapacityReservationUsage&CapacityReservationId=${id}${credential}&${[FILLER, FILLER, FILLER, FILLER].join("&")}`;
        statuses.push(await post(agent, emu.url, body));
      }
      return statuses;
    };
    // Warm the server's own lazy state first, so the measurement sees only what requests leave behind.
    await send(0, 20);
    const before = heapAfterGc();
    const statuses = await send(20, 300);
    const after = heapAfterGc();
    agent.destroy();
    expect(new Set(statuses)).toEqual(new Set([400]));
    // Kept slices of the bodies would hold about 300 MiB; kept copies of the ids, a few hundred KB.
    expect((after - before) / MiB).toBeLessThan(32);
  }, 60_000);
});

describe("Memo keys", () => {
  it("are copies that share no memory with the string they came from", () => {
    const body = `CapacityReservationId=cr-0123456789abcdef0&Version=${"x".repeat(1000)}`;
    const slice = body.slice(22, 41);
    const copy = ownCopy(slice);
    expect(copy).toBe(slice);
    expect(ownCopy("\ud800 lone surrogate")).toBe("\ud800 lone surrogate");
  });

  it("longer than any id are answered but never kept", () => {
    const memo = new Memo<number>(10);
    let calls = 0;
    const long = "k".repeat(MAX_KEY_LENGTH + 1);
    memo.get(long, () => ++calls);
    memo.get(long, () => ++calls);
    expect(calls).toBe(2);
    memo.get("short", () => ++calls);
    memo.get("short", () => ++calls);
    expect(calls).toBe(3);
  });
});
