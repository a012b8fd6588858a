// `npx tsx <this checkout>/bench/createtags-held.ts [--rounds 30]` from a folder holding a build (dist/): how long CreateTags of one tag takes on 1,000 instances holding 48 long tags in a set, 10 of them a Name beside it (the read of held tags before the write that checks the 50-tag limit, docs/performance.md).

import { parseArgs } from "node:util";
import { startBuiltCommand } from "./lib.js";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "30" } } });
const ROUNDS = Number(values.rounds);
const COUNT = 1000;

const server = await startBuiltCommand(4692);
const { call } = server;

try {
  const launched = await call({ Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "c5.large", MinCount: String(COUNT), MaxCount: String(COUNT) });
  const instances = [...new Set([...launched.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((match) => match[1] ?? ""))];
  const onAll = (tags: [string, string][]): Record<string, string> => {
    const params: Record<string, string> = { Action: "CreateTags" };
    instances.forEach((id, n) => (params[`ResourceId.${n + 1}`] = id));
    tags.forEach(([key, value], n) => {
      params[`Tag.${n + 1}.Key`] = key;
      params[`Tag.${n + 1}.Value`] = value;
    });
    return params;
  };
  await call(onAll(Array.from({ length: 48 }, (_, n): [string, string] => [`k${String(n).padStart(2, "0")}-${"K".repeat(118)}`, "v".repeat(255)])));
  for (let n = 0; n < COUNT; n += 100) await call({ Action: "CreateTags", "ResourceId.1": instances[n] ?? "", "Tag.1.Key": "Name", "Tag.1.Value": `n${n}` });
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    const answer = await call(onAll([["round", String(round)]]));
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!answer.includes("<CreateTagsResponse")) throw new Error(`CreateTags was refused: ${answer.slice(0, 300)}`);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): string => (times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0).toFixed(1);
  console.log(`CreateTags of one tag on ${instances.length} instances, ${ROUNDS} rounds: min ${at(0)} ms, median ${at(0.5)} ms, p90 ${at(0.9)} ms`);
} finally {
  server.stop();
}
