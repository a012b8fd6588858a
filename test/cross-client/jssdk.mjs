// EC2 calls through the JS SDK v3, for the Python checks to compare: prints each output or error as JSON.
// Usage: node jssdk.mjs ENDPOINT '[{"accessKeyId":"…","region":"us-east-1","input":{"CapacityReservationId":"cr-…"}}, …]'
// Each call is GetCapacityReservationUsage unless it names another action: "command": "DescribeVpcs".
// One process answers a whole batch, since starting Node and loading the SDK costs more than the calls.

import process from "node:process";
import * as ec2 from "@aws-sdk/client-ec2";

const [endpoint, calls] = process.argv.slice(2);

async function call({ accessKeyId, region, input, command = "GetCapacityReservationUsage" }) {
  const client = new ec2.EC2Client({
    endpoint,
    region,
    credentials: { accessKeyId, secretAccessKey: "not-checked-in-lenient-mode" },
    maxAttempts: 1,
  });
  try {
    const output = await client.send(new ec2[`${command}Command`](input));
    const { $metadata, ...members } = output;
    return { output: members, requestId: $metadata.requestId, status: $metadata.httpStatusCode };
  } catch (error) {
    return {
      error: error.name,
      message: error.message,
      status: error.$metadata?.httpStatusCode,
      requestId: error.$metadata?.requestId,
    };
  } finally {
    client.destroy();
  }
}

const results = [];
for (const each of JSON.parse(calls)) results.push(await call(each));
process.stdout.write(`${JSON.stringify(results)}\n`);
