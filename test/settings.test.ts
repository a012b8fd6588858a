// The settings of SPEC section 7 at start: options, variables and the library, each checked, each reaching the control plane.

import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/commandLine.js";
import { raw, start } from "./support.js";

describe("provisioningSeconds and instanceTransitionSeconds at start", () => {
  it("reads the options and the variables (an option wins), 0 by default", () => {
    const config = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const parsed = parseCommandLine(argv, env);
      if (typeof parsed === "string" || "check" in parsed) throw new Error(`not a config to serve: ${String(parsed)}`);
      return [parsed.provisioningSeconds, parsed.instanceTransitionSeconds];
    };
    expect(config([])).toEqual([0, 0]);
    expect(config(["--provisioning-seconds", "30", "--instance-transition-seconds", "2.5"])).toEqual([30, 2.5]);
    expect(config([], { EC2_EMULATOR_PROVISIONING_SECONDS: "7", EC2_EMULATOR_INSTANCE_TRANSITION_SECONDS: "3" })).toEqual([7, 3]);
    expect(config(["--provisioning-seconds", "8"], { EC2_EMULATOR_PROVISIONING_SECONDS: "7" })).toEqual([8, 0]);
  });

  it("refuses a value that is not a number of seconds, naming where it came from", () => {
    expect(() => parseCommandLine(["--provisioning-seconds=-1"], {})).toThrow(
      '--provisioning-seconds must be a number of seconds from 0 to 31536000, not "-1"',
    );
    expect(() => parseCommandLine([], { EC2_EMULATOR_INSTANCE_TRANSITION_SECONDS: "soon" })).toThrow(
      'EC2_EMULATOR_INSTANCE_TRANSITION_SECONDS must be a number of seconds from 0 to 31536000, not "soon"',
    );
  });

  it("takes them from startEmulator(), answers them on GET /_emulator/settings, and refuses bad ones", async () => {
    await expect(start({ fixtures: [], provisioningSeconds: -5 })).rejects.toThrow(
      "provisioningSeconds must be a number of seconds from 0 to 31536000, not -5",
    );
    const emu = await start({ fixtures: [], provisioningSeconds: 30, instanceTransitionSeconds: 4 });
    try {
      const got = await raw(emu, { method: "GET", path: "/_emulator/settings", contentType: null });
      expect(JSON.parse(got.text)).toEqual({ provisioningSeconds: 30, instanceTransitionSeconds: 4 });
      expect(() => emu.settings.set({ provisioningSeconds: Number.NaN })).toThrow(TypeError);
      emu.settings.set({ provisioningSeconds: 1 });
      expect(emu.settings.get()).toEqual({ provisioningSeconds: 1, instanceTransitionSeconds: 4 });
    } finally {
      await emu.close();
    }
  });
});
