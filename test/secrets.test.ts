// Secrets stay secret: the admin token guards /_emulator/, and no secret key leaves in a log line, an error or a default state dump.

import { EC2Client } from "@aws-sdk/client-ec2";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FixtureDocument, RunningEmulator } from "../src/index.js";
import { DEMO_SHARED, OWNER, OWNER_KEY, failure, start, usage } from "./support.js";

const OWNER_SECRET = "owner-secret";
const TOKEN = "admin-token-4650";

const strictClient = (emu: RunningEmulator, secretAccessKey = OWNER_SECRET) =>
  new EC2Client({
    endpoint: emu.url,
    region: "us-east-1",
    credentials: { accessKeyId: OWNER_KEY, secretAccessKey },
    maxAttempts: 1,
  });

/** Every log line the emulator writes, kept in memory. */
function logSink(): { stream: Writable; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { stream, text: () => lines.join("") };
}

/**
 * A response's status, its body read to the end: a state dump left unread fills the socket, and the
 * emulator's close() then waits its whole grace period (5 s) for that connection.
 */
async function statusOf(response: Promise<Response>): Promise<number> {
  const answer = await response;
  await answer.arrayBuffer();
  return answer.status;
}

describe("the control plane with --admin-token", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ adminToken: TOKEN });
  });
  afterAll(async () => emu.close());

  const call = (path: string, authorization?: string) =>
    fetch(`${emu.url}/_emulator/${path}`, { headers: authorization === undefined ? {} : { authorization } });

  it("refuses every call but health without the token, with a wrong one, or with one of the same length", async () => {
    for (const authorization of [undefined, "Bearer nope", `Bearer ${"x".repeat(TOKEN.length)}`, TOKEN, `Basic ${TOKEN}`]) {
      const answer = await call("state", authorization);
      expect(answer.status, String(authorization)).toBe(401);
      expect(await answer.text()).not.toContain("123456789012");
    }
    // The scheme's letter case does not matter (RFC 9110, section 11.1); the token's does.
    expect(await statusOf(call("state", `bearer ${TOKEN}`))).toBe(200);
    expect(await statusOf(call("state", `Bearer ${TOKEN.toUpperCase()}`))).toBe(401);
    const reset = await fetch(`${emu.url}/_emulator/reset`, { method: "POST" });
    expect(reset.status).toBe(401);
  });

  it("answers with the token, and health without it", async () => {
    expect(await statusOf(call("state", `Bearer ${TOKEN}`))).toBe(200);
    expect(await statusOf(call("health"))).toBe(200);
  });
});

describe("the state dump", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({ auth: "strict" });
  });
  afterAll(async () => emu.close());

  it("leaves every secretAccessKey out by default, over HTTP and in the library", async () => {
    const text = await (await fetch(`${emu.url}/_emulator/state`)).text();
    expect(text).toContain(OWNER_KEY);
    expect(text).not.toContain("secretAccessKey");
    expect(text).not.toContain(OWNER_SECRET);
    expect(JSON.stringify(await emu.state())).not.toContain("secretAccessKey");
  });

  it("includes them when asked for explicitly", async () => {
    expect(await (await fetch(`${emu.url}/_emulator/state?secrets=true`)).text()).toContain(`"secretAccessKey":"${OWNER_SECRET}"`);
    const state = await emu.state({ secrets: true });
    const owner = state.accounts?.find((account) => account.accountId === OWNER);
    expect(owner?.accessKeys).toEqual([{ accessKeyId: OWNER_KEY, secretAccessKey: OWNER_SECRET }]);
  });

  it("loads back into the same emulator keeping each key's secret", async () => {
    const dump = await (await fetch(`${emu.url}/_emulator/state`)).json() as FixtureDocument;
    const load = await fetch(`${emu.url}/_emulator/fixtures`, { method: "POST", body: JSON.stringify(dump) });
    expect(load.status).toBe(200);
    const out = await usage(strictClient(emu), { CapacityReservationId: DEMO_SHARED });
    expect(out.InstanceUsages?.[0]?.AccountId).toBe(OWNER);
  });

  it("loads into a fresh emulator with the same answers; its keys have no secret, so strict auth refuses them", async () => {
    const dump = await emu.state();
    const lenient = await start({ fixtures: [dump] });
    const strict = await start({ fixtures: [dump], auth: "strict" });
    try {
      const out = await usage(
        new EC2Client({ endpoint: lenient.url, region: "us-east-1", credentials: { accessKeyId: OWNER_KEY, secretAccessKey: "x" }, maxAttempts: 1 }),
        { CapacityReservationId: DEMO_SHARED },
      );
      expect(out.InstanceUsages?.[0]?.AccountId).toBe(OWNER);
      expect(await failure(usage(strictClient(strict), { CapacityReservationId: DEMO_SHARED }))).toMatchObject({ code: "AuthFailure" });
    } finally {
      await Promise.all([lenient.close(), strict.close()]);
    }
  });
});

describe("errors and log lines", () => {
  let emu: RunningEmulator;
  const logs = logSink();
  beforeAll(async () => {
    emu = await start({ auth: "strict", logLevel: "trace", logDestination: logs.stream });
  });
  afterAll(async () => emu.close());

  it("never quote a secret back: not a malformed one in a fixture, nor one inside a body that is not JSON", async () => {
    const malformed = await fetch(`${emu.url}/_emulator/fixtures`, {
      method: "POST",
      body: JSON.stringify({ accounts: [{ accountId: OWNER, accessKeys: [{ accessKeyId: OWNER_KEY, secretAccessKey: ["hunter2-secret"] }] }] }),
    });
    expect(malformed.status).toBe(400);
    const problem = await malformed.text();
    expect(problem).toContain("secretAccessKey");
    expect(problem).not.toContain("hunter2-secret");

    const broken = await fetch(`${emu.url}/_emulator/fixtures`, {
      method: "POST",
      body: `{"accounts":[{"accountId":"${OWNER}","accessKeys":[{"accessKeyId":"${OWNER_KEY}","secretAccessKey":hunter3-secret}]}]}`,
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).not.toContain("hunter3-secret");
  });

  it("never write a secret into a log line, whatever the requests did", async () => {
    await usage(strictClient(emu), { CapacityReservationId: DEMO_SHARED });
    await failure(usage(strictClient(emu, "wrong-secret"), { CapacityReservationId: DEMO_SHARED }));
    await statusOf(fetch(`${emu.url}/_emulator/state?secrets=true`));
    await emu.load({ accounts: [{ accountId: "555555555555", accessKeys: [{ accessKeyId: "AKIANEWKEY0000000005", secretAccessKey: "fresh-secret" }] }] });
    await new Promise((resolve) => setImmediate(resolve));
    const text = logs.text();
    expect(text).toContain('"status":401');
    for (const secret of [OWNER_SECRET, "wrong-secret", "fresh-secret", "hunter2-secret", "hunter3-secret"]) {
      expect(text).not.toContain(secret);
    }
  });
});
