// A request's log line reaches a library user's pino.multistream destination as pino's own line would (src/logger.ts, infoLineWriter).

import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { ec2, start } from "./support.js";
import { DescribeCapacityReservationsCommand } from "@aws-sdk/client-ec2";

describe("request lines to a pino.multistream destination", () => {
  const infoLines: string[] = [];
  const errorLines: string[] = [];
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start({
      logLevel: "info",
      logDestination: pino.multistream([
        { level: "info", stream: { write: (line: string) => void infoLines.push(line) } },
        { level: "error", stream: { write: (line: string) => void errorLines.push(line) } },
      ]),
    });
  });
  afterAll(async () => emu.close());

  it("routes each request line by its level, info: to the info stream only", async () => {
    await ec2(emu).send(new DescribeCapacityReservationsCommand({}));
    const requests = infoLines.map((line) => JSON.parse(line) as { msg?: string; level?: number }).filter((l) => l.msg === "request");
    expect(requests).toHaveLength(1);
    expect(requests[0]?.level).toBe(30);
    expect(errorLines).toEqual([]);
  });
});
