// DescribeAvailabilityZones: the zones of the caller's region, with the ids every AvailabilityZoneId shows (SPEC section 14).

import { AVAILABILITY_ZONE_FILTERS, describedZone, selectedZones } from "../domain/availabilityZones.js";
import { matches, parseFilters } from "../domain/filters.js";
import { orThrow } from "../domain/refusal.js";
import { withoutTagFilters } from "../domain/untaggedFilters.js";
import type { DescribeAvailabilityZonesResult } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

export const describeAvailabilityZones = defineAction({
  operation: "DescribeAvailabilityZones",
  summary:
    "The zones of the caller's region, with the zone ids every AvailabilityZoneId shows, by name, id or the documented filters.",

  handle(input, { caller }): DescribeAvailabilityZonesResult {
    const filters = parseFilters(AVAILABILITY_ZONE_FILTERS, withoutTagFilters(input.Filters));
    // AllAvailabilityZones adds Local and Wavelength Zones and zones of regions not opted in: the emulator has none.
    const zones = orThrow(selectedZones(caller.region, input.ZoneNames ?? [], input.ZoneIds ?? []));
    return {
      AvailabilityZones: zones.map(describedZone).filter((zone) => matches(AVAILABILITY_ZONE_FILTERS, filters, zone, undefined)),
    };
  },
});
