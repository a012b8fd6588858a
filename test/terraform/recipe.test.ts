// docs/terraform.md's recipe, taken from the page as written and run by real Terraform against the emulator with the demo fixtures.

import { readFileSync } from "node:fs";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { OWNER_KEY, ec2, usage } from "../support.js";
import { TERRAFORM_OPTED_OUT, useTerraform } from "./terraform.js";

/** The endpoint the recipe names: the command's default port. */
const RECIPE_ENDPOINT = "http://127.0.0.1:4580";

/** The first `hcl` block under "## The recipe" in docs/terraform.md, as a reader copies it. */
function recipe(): string {
  const page = readFileSync(new URL("../../docs/terraform.md", import.meta.url), "utf8");
  const section = page.slice(page.indexOf("## The recipe"));
  const block = /```hcl\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("docs/terraform.md has no ```hcl block under ## The recipe");
  return block;
}

// As the recipe's reader runs it: the shipped demo fixtures (its access key is the demo's).
const setUp = useTerraform();

describe.skipIf(TERRAFORM_OPTED_OUT)("docs/terraform.md's recipe", { timeout: 600_000 }, () => {
  it("names the endpoint, the four skip_ settings and a well-formed AMI id", () => {
    const text = recipe();
    expect(text).toContain(`ec2 = "${RECIPE_ENDPOINT}"`);
    for (const setting of ["skip_credentials_validation", "skip_requesting_account_id", "skip_metadata_api_check", "skip_region_validation"]) {
      expect(text).toMatch(new RegExp(`${setting}\\s*=\\s*true`));
    }
    expect(text).toMatch(/ami\s*=\s*"ami-[0-9a-f]{17}"/);
  });

  it("applies as pasted (only the port changed), plans nothing more, and destroys", async () => {
    const config = setUp.terraform.configuration("recipe", recipe().replace(RECIPE_ENDPOINT, setUp.emu.url), { versions: false });
    await config.apply();
    await config.expectEmptyPlan();

    const state = config.state();
    const reservation = String(state["aws_ec2_capacity_reservation.web"]?.id);
    const instance = String(state["aws_instance.web"]?.id);
    const client = ec2(setUp.log.emu, OWNER_KEY);
    expect(await usage(client, { CapacityReservationId: reservation })).toMatchObject({ TotalInstanceCount: 2, AvailableInstanceCount: 1 });
    const described = (await client.send(new DescribeInstancesCommand({ InstanceIds: [instance] }))).Reservations?.[0]?.Instances?.[0];
    expect(described).toMatchObject({ State: { Name: "running" }, CapacityReservationId: reservation });

    await config.destroy();
    // An ended reservation holds nothing: it reads its whole total available.
    expect(await usage(client, { CapacityReservationId: reservation })).toMatchObject({ State: "cancelled", AvailableInstanceCount: 2 });
    expect(setUp.log.failedCallsSince(0)).toEqual([]);
  });
});
