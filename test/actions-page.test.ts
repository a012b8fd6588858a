// docs/actions.md is generated from the action registry: it must list exactly what the emulator serves.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../src/actions/index.js";
import { ACTIONS_PAGE_COMMAND, ACTIONS_PAGE_PATH, actionsPage } from "../src/actions/generateActionsPage.js";

describe("docs/actions.md", () => {
  it("is what the action registry generates", () => {
    const page = readFileSync(ACTIONS_PAGE_PATH, "utf8");
    expect(page, `docs/actions.md and src/actions/index.ts disagree: run \`${ACTIONS_PAGE_COMMAND}\` and commit docs/actions.md`).toBe(actionsPage());
  });

  it("lists every action served, each with what it models, and none of them as not emulated", () => {
    const page = actionsPage();
    const served = page.slice(page.indexOf("## Served"), page.indexOf("## Nearby"));
    const nearby = page.slice(page.indexOf("## Nearby"), page.indexOf("## Other services"));
    for (const name of ACTIONS.keys()) {
      expect([name, served.includes(`| \`${name}\` |`), nearby.includes(`\`${name}\``)]).toEqual([name, true, false]);
    }
    const unsummarised = [...ACTIONS.values()].filter((action) => !action.summary).map((action) => action.name);
    expect(unsummarised, `give each a summary in its defineAction, then run \`${ACTIONS_PAGE_COMMAND}\``).toEqual([]);
  });
});
