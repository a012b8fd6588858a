// One GetCapacityReservationUsage call through the JS SDK v3, for the Python checks to compare: prints the output or the error as JSON.
// Usage: node jssdk.mjs ENDPOINT ACCESS_KEY REGION '{"CapacityReservationId":"cr-…","MaxResults":5}'

import process from "node:process";
import { EC2Client, GetCapacityReservationUsageCommand } from "@aws-sdk/client-ec2";

const [endpoint, accessKeyId, region, input] = process.argv.slice(2);
const client = new EC2Client({
  endpoint,
  region,
  credentials: { accessKeyId, secretAccessKey: "not-checked-in-lenient-mode" },
  maxAttempts: 1,
});

let result;
try {
  const output = await client.send(new GetCapacityReservationUsageCommand(JSON.parse(input)));
  const { $metadata, ...members } = output;
  result = { output: members, requestId: $metadata.requestId, status: $metadata.httpStatusCode };
} catch (error) {
  result = {
    error: error.name,
    message: error.message,
    status: error.$metadata?.httpStatusCode,
    requestId: error.$metadata?.requestId,
  };
}
process.stdout.write(`${JSON.stringify(result)}\n`);
