// Probe: the reservation's life in one process: Create+Cancel pairs per second, and a DescribeCapacityReservations page while reservations are created around it.

import { distUrl } from "../lib.js";

const [pairSecondsText, creationsText] = process.argv.slice(2) as [string, string];
const pairSeconds = Number(pairSecondsText);
const creations = Number(creationsText);

const { startEmulator } = (await import(distUrl("index.js"))) as typeof import("../../src/index.js");
const emu = await startEmulator({ fixtures: [] });

/** One unsigned EC2 call (lenient mode: the default account and region); the body of a 200 or a thrown error. */
async function call(form: Record<string, string>): Promise<string> {
  const response = await fetch(`${emu.url}/`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${form.Action}: ${response.status} ${text}`);
  return text;
}
const CREATE = { Action: "CreateCapacityReservation", InstanceType: "m5.large", InstancePlatform: "Linux/UNIX", InstanceCount: "2", AvailabilityZone: "us-east-1a" };
const idOf = (xml: string): string => /<capacityReservationId>([^<]+)</.exec(xml)?.[1] ?? "";

// Create+Cancel pairs, one after the other, for pairSeconds.
let pairs = 0;
const t0 = performance.now();
while (performance.now() - t0 < pairSeconds * 1000) {
  const id = idOf(await call(CREATE));
  await call({ Action: "CancelCapacityReservation", CapacityReservationId: id });
  pairs++;
}
const pairsPerSecond = pairs / ((performance.now() - t0) / 1000);

// A page of 100 reservations, read after every 100 creations, while `creations` are made.
const pageMs: number[] = [];
for (let made = 0; made < creations; made++) {
  await call(CREATE);
  if (made % 100 === 99) {
    const p0 = performance.now();
    await call({ Action: "DescribeCapacityReservations", MaxResults: "100", "Filter.1.Name": "state", "Filter.1.Value.1": "active" });
    pageMs.push(performance.now() - p0);
  }
}
pageMs.sort((a, b) => a - b);
const at = (p: number): number => pageMs[Math.min(pageMs.length - 1, Math.floor(p * pageMs.length))] ?? Number.NaN;
await emu.close();
process.send?.({ result: { pairsPerSecond, pages: pageMs.length, pageMedianMs: at(0.5), pageP99Ms: at(0.99), creations } });
