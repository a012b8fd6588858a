// Request bodies in flight are bounded server-wide (issue 21, outside pass, finding 3): many connections each sending most of a 1 MiB body and waiting.

import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../src/index.js";
import { errorOf, start } from "./support.js";

const BODY = 1_000_000;
let emu: RunningEmulator | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await emu?.close();
  emu = undefined;
});

function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve(socket));
    socket.once("error", reject);
    sockets.push(socket);
  });
}

/** Everything the server sends on `socket` until it closes it. */
function answerOf(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.once("close", () => resolve(text));
  });
}

/** Starts a POST whose body is announced as BODY bytes, sends `sent` of them, and waits. */
async function slowPost(url: string, path: string, sent: number, contentType = "application/x-www-form-urlencoded"): Promise<net.Socket> {
  const socket = await connect(url);
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${BODY}\r\n\r\n`);
  socket.write(`Action=DescribeInstances&x=${"a".repeat(sent)}`);
  return socket;
}

async function health(url: string): Promise<number> {
  return (await fetch(`${url}/_emulator/health`)).status;
}

describe("request bodies the server holds at once", () => {
  it("answers 503 Unavailable to a request whose body bytes would pass the server's bound, and closes its connection", async () => {
    emu = await start({ fixtures: [], bufferedBodyBytes: 3 * BODY + 1000 });
    const held = [];
    for (let n = 0; n < 3; n++) held.push(await slowPost(emu.url, "/", BODY - 2000));
    // The bytes the three waiting requests sent leave less than a fourth sends: one of the four is refused.
    const fourth = await slowPost(emu.url, "/", 100_000);
    const answers = [...held, fourth].map((socket) => answerOf(socket));
    const answer = await Promise.race(answers);
    expect(answer.startsWith("HTTP/1.1 503")).toBe(true);
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(errorOf(answer.slice(answer.indexOf("\r\n\r\n") + 4)).code).toBe("Unavailable");
    // Requests without a body are not held up; a small body still fits in what is left.
    expect(await health(emu.url)).toBe(200);
    const small = await fetch(emu.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=DescribeAvailabilityZones" });
    expect(small.status).toBe(200);
  });

  it("does not let requests that only announce a large Content-Length deny others", async () => {
    emu = await start({ fixtures: [], bufferedBodyBytes: 2 * BODY });
    // Far more announced than the bound holds, on both the EC2 endpoint and the control plane, nothing sent.
    for (let n = 0; n < 8; n++) await slowPost(emu.url, n % 2 === 0 ? "/" : "/_emulator/fixtures", 0);
    for (let n = 0; n < 3; n++) {
      const answered = await fetch(emu.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=DescribeAvailabilityZones" });
      await answered.text();
      expect(answered.status).toBe(200);
    }
  });

  it("gives back a request's share once its connection closes or it is answered", async () => {
    emu = await start({ fixtures: [], bufferedBodyBytes: 2 * BODY + 1000 });
    const first = await slowPost(emu.url, "/", BODY - 2000);
    const second = await slowPost(emu.url, "/", BODY - 2000);
    const closed = new Promise((resolve) => first.once("close", resolve));
    first.destroy();
    await closed;
    // The server sees the close on its next turn: a full-size request then fits, and is answered.
    const body = `Action=DescribeAvailabilityZones&Filter.1.Name=zone-name&${"Filter.1.Value.1=a&".repeat((BODY - 200) / 19)}`;
    let status = 503;
    for (let attempt = 0; attempt < 50 && status === 503; attempt++) {
      status = (await fetch(emu.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body })).status;
    }
    // Read whole and answered (EC2 refuses the repeated parameter), not refused unread.
    expect(status).not.toBe(503);
    expect(status).toBeLessThan(500);
    // Answered requests give their share back: more of them in a row than the bound holds at once.
    for (let n = 0; n < 5; n++) {
      const answered = await fetch(emu.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
      await answered.text();
      expect(answered.status).not.toBe(503);
    }
    second.destroy();
  });

  it("counts control-plane bodies in the same bound", async () => {
    emu = await start({ fixtures: [], bufferedBodyBytes: BODY + 1000 });
    const first = await slowPost(emu.url, "/", BODY - 2000);
    const refused = await slowPost(emu.url, "/_emulator/fixtures", 10_000, "application/json");
    // Whichever request's bytes arrive last passes the bound.
    expect((await Promise.race([answerOf(first), answerOf(refused)])).startsWith("HTTP/1.1 503")).toBe(true);
    expect(await health(emu.url)).toBe(200);
  });

  it("refuses a control-plane request past the bound in the control plane's JSON form, an EC2 request in EC2's XML", async () => {
    emu = await start({ fixtures: [], bufferedBodyBytes: BODY + 1000 });
    const first = await slowPost(emu.url, "/_emulator/fixtures", BODY - 2000, "application/json");
    const refused = await slowPost(emu.url, "/_emulator/fixtures", 10_000, "application/json");
    const answer = await Promise.race([answerOf(first), answerOf(refused)]);
    expect(answer.startsWith("HTTP/1.1 503")).toBe(true);
    expect(answer).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toMatchObject({ error: "Unavailable" });
    expect(await health(emu.url)).toBe(200);
  });
});
