// Whole requests that merely wait their turn do not hold the connection bound (issue 21, the outside pass on 55e7ed6): a new connection makes room from them, the costliest first, and a request reset while it waited never ran.

import { DescribeCapacityReservationsCommand, DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import net from "node:net";
import type { DestinationStream } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { turnShareOf, type TurnShare } from "../src/http/turns.js";
import type { RunningEmulator } from "../src/index.js";
import { serverOf } from "../src/inProcess.js";
import { AMI, ec2, ec2OverSocket, OWNER_KEY, rawConnection, start } from "./support.js";

let emu: RunningEmulator | undefined;
const sockets: net.Socket[] = [];
const releases: (() => void)[] = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const socket of sockets.splice(0)) socket.destroy();
  await emu?.close();
  emu = undefined;
});

const HEALTH = "GET /_emulator/health HTTP/1.1\r\nHost: x\r\n\r\n";
const AUTH = `AWS4-HMAC-SHA256 Credential=${OWNER_KEY}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0`;

/** An EC2 Query request, whole, as an SDK sends it (lenient auth reads the key and not the signature). */
function post(params: Record<string, string>): string {
  const body = new URLSearchParams({ Version: "2016-11-15", ...params }).toString();
  return `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: ${AUTH}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

const DESCRIBE = post({ Action: "DescribeCapacityReservations" });

/** A launch of one instance named `name`. */
const launch = (name: string): string =>
  post({
    Action: "RunInstances",
    ImageId: AMI,
    InstanceType: "t3.micro",
    MinCount: "1",
    MaxCount: "1",
    "TagSpecification.1.ResourceType": "instance",
    "TagSpecification.1.Tag.1.Key": "Name",
    "TagSpecification.1.Tag.1.Value": name,
  });

/** The server's log lines as they are written. */
function logSink(): { lines: Record<string, unknown>[]; destination: DestinationStream } {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (text: string): void => void lines.push(JSON.parse(text) as Record<string, unknown>) } };
}

function turnsOf(running: RunningEmulator): TurnShare {
  const turns = turnShareOf(serverOf(running)?.server ?? {});
  if (turns === undefined) throw new Error("no TurnShare for this emulator");
  return turns;
}

/**
 * Holds the EC2 requests' turns with a piece of the test's own, as one long request would: every
 * EC2 request that comes after it waits its turn until the returned release is called.
 */
async function holdTurns(turns: TurnShare): Promise<() => void> {
  let release: (() => void) | undefined;
  void turns.run(() => new Promise<void>((resolve) => (release = resolve)));
  await vi.waitFor(() => expect(release).toBeDefined());
  const released = release ?? ((): void => undefined);
  releases.push(released);
  return released;
}

/**
 * A raw connection, and what it gets: the status of its first answer ("200", …), or "reset" when the
 * server closes it before any answer comes. Listens from the start: a reset may come at any time.
 */
async function connection(url: string): Promise<{ socket: net.Socket; outcome: Promise<string> }> {
  const socket = await rawConnection(url, sockets);
  const outcome = new Promise<string>((resolve) => {
    let text = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => {
      text += chunk;
      if (text.includes("\r\n\r\n")) resolve(text.slice(9, 12));
    });
    socket.once("close", () => resolve("reset"));
  });
  return { socket, outcome };
}

/** Sends `request` on a new connection and waits until it waits its turn (one more piece waiting in `turns`). */
async function waitingOn(url: string, turns: TurnShare, request: string): Promise<{ socket: net.Socket; outcome: Promise<string> }> {
  const before = turns.waiting;
  const opened = await connection(url);
  opened.socket.write(request);
  await vi.waitFor(() => expect(turns.waiting).toBe(before + 1));
  return opened;
}

describe("whole requests waiting their turn at the connection bound", () => {
  it("does not refuse a new connection when every connection's request waits its turn: health and the SDK get through", async () => {
    const log = logSink();
    emu = await start({ fixtures: [], logLevel: "debug", logDestination: log.destination, maxConnections: 3 });
    const turns = turnsOf(emu);
    const release = await holdTurns(turns);
    const first = await waitingOn(emu.url, turns, DESCRIBE);
    const second = await waitingOn(emu.url, turns, DESCRIBE);
    const third = await waitingOn(emu.url, turns, DESCRIBE);

    // The SDK's new connection is taken: the least recently active of the waiting makes room, and its request waits in turn.
    const described = ec2OverSocket(emu).send(new DescribeCapacityReservationsCommand({}));
    expect(await first.outcome).toBe("reset");
    await vi.waitFor(() => expect(turns.waiting).toBe(4));
    // Health on a new connection is answered while every other connection's request still waits.
    const health = await connection(emu.url);
    health.socket.write(HEALTH);
    expect(await health.outcome).toBe("200");
    expect(await second.outcome).toBe("reset");
    release();
    expect((await described).CapacityReservations).toEqual([]);
    expect(await third.outcome).toBe("200");
    const closed = log.lines.filter((line) => line.msg === "closed an idle connection to make room for a new one: connections at their bound");
    expect(closed.map((line) => line.requestsWaiting)).toEqual([1, 1]);
    // The requests reset while they waited did nothing when their turn came: each is logged as closed by its client.
    expect(log.lines.filter((line) => line.msg === "request" && line.closedBy === "client").length).toBe(2);
  });

  it("never runs a launch whose connection was reset while it waited its turn", async () => {
    emu = await start({ fixtures: [], maxConnections: 2 });
    const turns = turnsOf(emu);
    const release = await holdTurns(turns);
    const dropped = await waitingOn(emu.url, turns, launch("reset-while-waiting"));
    const kept = await waitingOn(emu.url, turns, launch("kept-waiting"));

    const health = await connection(emu.url);
    health.socket.write(HEALTH);
    expect(await health.outcome).toBe("200");
    expect(await dropped.outcome).toBe("reset");
    release();
    expect(await kept.outcome).toBe("200");

    // Its turn came after the one kept (in the order they came), and it did nothing: no instance, no reservation of it.
    const named = async (name: string): Promise<number> => {
      const found = await ec2(emu as RunningEmulator).send(new DescribeInstancesCommand({ Filters: [{ Name: "tag:Name", Values: [name] }] }));
      return (found.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []).length;
    };
    expect(await named("kept-waiting")).toBe(1);
    expect(await named("reset-while-waiting")).toBe(0);
    const all = await ec2(emu).send(new DescribeInstancesCommand({}));
    expect((all.Reservations ?? []).length).toBe(1);
  });

  it("makes room from the connection whose requests cost the most first, so reconnecting connections never reach one whose requests cost little", async () => {
    emu = await start({ fixtures: [], maxConnections: 3 });
    const turns = turnsOf(emu);
    // A connection of cheap requests (an empty describe, many times) and one of costly ones (launches of 400 instances).
    const cheap = await connection(emu.url);
    const costly = await connection(emu.url);
    const answered = (socket: net.Socket, count: number): Promise<void> =>
      new Promise((resolve) => {
        let text = "";
        const onData = (chunk: string): void => {
          text += chunk;
          if (text.split("HTTP/1.1 200").length - 1 < count) return;
          socket.off("data", onData);
          resolve();
        };
        socket.on("data", onData);
      });
    const cheapAnswered = answered(cheap.socket, 8);
    cheap.socket.write(DESCRIBE.repeat(8));
    await cheapAnswered;
    const launches = post({ Action: "RunInstances", ImageId: AMI, InstanceType: "t3.micro", MinCount: "400", MaxCount: "400" });
    const costlyAnswered = answered(costly.socket, 3);
    costly.socket.write(launches.repeat(3));
    await costlyAnswered;

    // Both ask again and wait, the cheap one first (the least recently active); a third connection's request waits too.
    const release = await holdTurns(turns);
    const before = turns.waiting;
    cheap.socket.write(DESCRIBE);
    await vi.waitFor(() => expect(turns.waiting).toBe(before + 1));
    costly.socket.write(DESCRIBE);
    await vi.waitFor(() => expect(turns.waiting).toBe(before + 2));
    const costlyClosed = new Promise((resolve) => costly.socket.once("close", resolve));
    await waitingOn(emu.url, turns, DESCRIBE);

    // A new connection makes room from the costly one, and each one after it (as an attacker
    // reconnecting would) from a connection none of whose requests has run yet, never the cheap one.
    let newest = await waitingOn(emu.url, turns, DESCRIBE);
    await costlyClosed;
    for (let round = 0; round < 5; round++) newest = await waitingOn(emu.url, turns, DESCRIBE);
    expect(cheap.socket.destroyed).toBe(false);
    const cheapAgain = answered(cheap.socket, 1);
    release();
    await cheapAgain;
    expect(await newest.outcome).toBe("200");
  });
});
