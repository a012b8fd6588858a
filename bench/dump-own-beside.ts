// `npx tsx <this checkout>/bench/dump-own-beside.ts` from a folder holding a build (dist/): the size of a state dump of 1,000 volumes each given a Name of its own, then 49 long tags in one CreateTags (docs/reliability.md, "C1").

import { startBuiltCommand } from "./lib.js";

const COUNT = 1000;

const server = await startBuiltCommand(4691);
const { url, call } = server;

try {
  // 1,000 instances of one launch: 1,000 root volumes, untagged.
  const launched = await call({ Action: "RunInstances", ImageId: "ami-0123456789abcdef0", InstanceType: "c5.large", MinCount: String(COUNT), MaxCount: String(COUNT) });
  const instances = [...new Set([...launched.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((match) => match[1] ?? ""))];
  const ofInstances: Record<string, string> = { Action: "DescribeVolumes", "Filter.1.Name": "attachment.instance-id" };
  instances.forEach((id, n) => (ofInstances[`Filter.1.Value.${n + 1}`] = id));
  const volumes: string[] = [];
  // Every page of them (DescribeVolumes answers 500 a page without MaxResults).
  for (let token: string | undefined = ""; token !== undefined; ) {
    const page = await call(token === "" ? ofInstances : { ...ofInstances, NextToken: token });
    for (const match of page.matchAll(/<volumeId>(vol-[0-9a-f]+)<\/volumeId>/g)) if (!volumes.includes(match[1] ?? "")) volumes.push(match[1] ?? "");
    token = /<nextToken>([^<]+)<\/nextToken>/.exec(page)?.[1];
  }
  for (const [n, id] of volumes.entries()) await call({ Action: "CreateTags", "ResourceId.1": id, "Tag.1.Key": "Name", "Tag.1.Value": `volume-${n}` });
  const together: Record<string, string> = { Action: "CreateTags" };
  volumes.forEach((id, n) => (together[`ResourceId.${n + 1}`] = id));
  // 49 tags of a 122-character key and a 256-character value, as the outside pass's.
  for (let n = 0; n < 49; n++) {
    together[`Tag.${n + 1}.Key`] = `k${String(n).padStart(2, "0")}-${"K".repeat(118)}`;
    together[`Tag.${n + 1}.Value`] = `${String(n).padStart(2, "0")}-${"v".repeat(253)}`;
  }
  await call(together);
  const started = process.hrtime.bigint();
  const response = await fetch(`${url}/_emulator/state`);
  const bytes = Buffer.byteLength(await response.text());
  console.log(
    `dump of ${volumes.length} volumes (each a Name, then 49 long tags together) and ${instances.length} untagged instances: ${(bytes / 1e6).toFixed(2)} MB in ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms`,
  );
} finally {
  server.stop();
}
