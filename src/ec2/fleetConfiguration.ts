// What an instant fleet's CreateFleet asked for, kept as the request's own parameters and read back by the model for DescribeFleets and the dump.

import { flatten } from "../protocol/flatten.js";
import { OPERATIONS, type CreateFleetRequest } from "../protocol/model/ec2.generated.js";
import { readInput, type ReadMode } from "../protocol/query.js";

/** What a fleet keeps of its request: all but DryRun, ClientToken and TagSpecifications (tags are kept as tags). */
export type FleetConfiguration = Omit<CreateFleetRequest, "DryRun" | "ClientToken" | "TagSpecifications">;

const CREATE_FLEET_INPUT = OPERATIONS.CreateFleet.input;

/** A request's configuration as the parameters that carry it (what the store keeps). */
export function configurationParams(request: CreateFleetRequest | Record<string, unknown>): Map<string, string> {
  const kept = Object.fromEntries(
    Object.entries(request).filter(([name, value]) => value !== undefined && name !== "DryRun" && name !== "ClientToken" && name !== "TagSpecifications"),
  );
  return flatten(CREATE_FLEET_INPUT, kept);
}

/**
 * The configuration read by the model: a fixture's as a request is read, a kept one as it was kept
 * (it was read so once already: it reads so again, its enums as they were taken).
 */
export const fleetConfiguration = (params: ReadonlyMap<string, string>, mode: ReadMode): FleetConfiguration =>
  readInput<FleetConfiguration>(CREATE_FLEET_INPUT, params, {}, mode);
