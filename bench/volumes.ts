// `npx tsx <this checkout>/bench/volumes.ts` from a folder holding a build (dist/): what a launch of many volumes costs (RunInstances, DescribeInstances of its page, TerminateInstances) and DescribeVolumes naming many instances, against the built command in a process of its own, answers read as text (docs/reliability.md).

import { send, signedRequest, startBuiltCommand } from "./lib.js";

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => (argv.includes(name) ? (argv[argv.indexOf(name) + 1] ?? fallback) : fallback);
const INSTANCE_TYPE = option("--type", "m7i.48xlarge");
/** Data volumes a launch asks for beside the image's root (127: m7i.48xlarge's limit of 128). */
const DATA = Number(option("--data", "127"));

/** Distinct device names EC2 takes: /dev/xvdba, /dev/xvdbb, … */
const device = (n: number): string => `/dev/xvd${String.fromCharCode(98 + Math.floor(n / 26))}${String.fromCharCode(97 + (n % 26))}`;

const server = await startBuiltCommand(4690);
const { url } = server;

/** One request's answer as text, and how long it took to arrive whole. */
async function timed(label: string, params: Record<string, string>): Promise<string> {
  const request = await signedRequest(url, new URLSearchParams(params));
  const started = process.hrtime.bigint();
  const text = await send(url, request);
  console.log(`${label}: ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0)} ms (${(text.length / 1e6).toFixed(1)} MB)`);
  return text;
}

try {
  const launch: Record<string, string> = {
    Action: "RunInstances",
    ImageId: "ami-0123456789abcdef0",
    InstanceType: INSTANCE_TYPE,
    MinCount: "1000",
    MaxCount: "1000",
    "Placement.AvailabilityZone": "us-east-1b",
  };
  for (let n = 0; n < DATA; n++) {
    launch[`BlockDeviceMapping.${n + 1}.DeviceName`] = device(n);
    launch[`BlockDeviceMapping.${n + 1}.Ebs.VolumeSize`] = "1";
  }
  const launched = await timed(`RunInstances 1,000 ${INSTANCE_TYPE} x ${DATA + 1} volumes`, launch);
  const ids = [...new Set([...launched.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((match) => match[1] ?? ""))];
  // A write first, so that no read the launch's answer made is kept (each build's read caches start cold).
  await timed("CreateTags on one of them", { Action: "CreateTags", "ResourceId.1": ids[0] ?? "", "Tag.1.Key": "bench", "Tag.1.Value": "1" });
  await timed("DescribeInstances of that page (MaxResults 1000)", { Action: "DescribeInstances", MaxResults: "1000" });
  await timed("the same, again", { Action: "DescribeInstances", MaxResults: "1000" });
  const named: Record<string, string> = { Action: "DescribeVolumes", MaxResults: "5", "Filter.1.Name": "attachment.instance-id" };
  ids.forEach((id, n) => (named[`Filter.1.Value.${n + 1}`] = id));
  await timed(`DescribeVolumes attachment.instance-id of ${ids.length} instances, MaxResults 5`, named);
  const terminate: Record<string, string> = { Action: "TerminateInstances" };
  ids.forEach((id, n) => (terminate[`InstanceId.${n + 1}`] = id));
  await timed("TerminateInstances of the 1,000", terminate);
} finally {
  server.stop();
}
