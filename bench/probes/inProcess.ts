// Probe: startEmulator() in a fresh process to its first answer (cold), then again (warm), then reset() timings after a write and with nothing written.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { distUrl, send, signedUsageRequest } from "../lib.js";

const [warmRuns, resetRuns] = process.argv.slice(2).map(Number) as [number, number];
const { startEmulator } = (await import(distUrl("index.js"))) as typeof import("../../src/index.js");
// Signed once ahead of time; lenient mode reads the identity from the headers and does not check the host.
const request = await signedUsageRequest("http://127.0.0.1:4580", { capacityReservationId: "cr-0123456789abcdef0" });

// The client's own first-use cost (loading fetch's HTTP stack) is not the emulator's: pay it first, elsewhere.
const warmUp = createServer((_request, response) => response.end("ok"));
await new Promise<void>((resolve) => warmUp.listen(0, "127.0.0.1", resolve));
await fetch(`http://127.0.0.1:${(warmUp.address() as AddressInfo).port}/`).then((response) => response.text());
await new Promise((resolve) => warmUp.close(resolve));

async function startAndAnswer() {
  const t0 = performance.now();
  const emu = await startEmulator();
  const startMs = performance.now() - t0;
  await send(emu.url, request);
  return { ms: performance.now() - t0, startMs, emu };
}

const cold = await startAndAnswer();
await cold.emu.close();
const warm: number[] = [];
for (let i = 0; i < warmRuns; i++) {
  const run = await startAndAnswer();
  warm.push(run.ms);
  await run.emu.close();
}

const { emu } = await startAndAnswer();
// A test that changed something (here: one account loaded) resets everything back; one that only
// read finds the start state already there (Store.restoreStartState) and is timed apart.
const resets: number[] = [];
const idleResets: number[] = [];
for (let i = 0; i < resetRuns; i++) {
  await emu.load({ accounts: [{ accountId: "210987654321" }] });
  const t0 = performance.now();
  await emu.reset();
  resets.push(performance.now() - t0);
  const t1 = performance.now();
  await emu.reset();
  idleResets.push(performance.now() - t1);
}
await emu.close();
process.send?.({ result: { coldMs: cold.ms, coldStartMs: cold.startMs, warmMs: warm, resetMs: resets, idleResetMs: idleResets } });
