// DescribeVolumesModifications: the last modification of each of the caller's volumes that has one, by volume id or filter, paged; what Terraform's provider waits on after ModifyVolume.

import { checkFilters, matches, parseFilters } from "../domain/filters.js";
import { volumeModificationNotFound, type VolumeRecord } from "../domain/volume.js";
import { VOLUME_MODIFICATION_FILTERS } from "../domain/volumeFilters.js";
import { checkVolumeIds, namedVolumes } from "../ec2/volumes.js";
import type { DescribeVolumesModificationsResult, VolumeModification } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelVolumeModification } from "./shapes/volume.js";
import { INSTANCES_READ_PER_REQUEST, namedPage, walkPage } from "./walkPage.js";

const DEFAULT_PAGE_SIZE = 500;

export const describeVolumesModifications = defineAction({
  operation: "DescribeVolumesModifications",
  summary:
    "The last modification of each of the caller's volumes that has one (ModifyVolume's), modifying then completed over the emulator's clock; by volume id or filter, paged.",
  overlay: {
    members: {
      VolumeIds: { check: checkVolumeIds },
      MaxResults: { range: [5, 500] },
      Filters: { check: (filters) => checkFilters(VOLUME_MODIFICATION_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, now, pages }): DescribeVolumesModificationsResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(VOLUME_MODIFICATION_FILTERS, input.Filters);
    const { budget } = position;
    const describe = (volume: VolumeRecord): VolumeModification | undefined => {
      if (volume.modification === null) return undefined;
      const item = modelVolumeModification(volume, volume.modification, now);
      return matches(VOLUME_MODIFICATION_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };
    const page = { idOf: (volume: VolumeRecord) => volume.volumeId, describe, after: position.after ?? "", size: input.MaxResults ?? DEFAULT_PAGE_SIZE, budget };
    const answer = ({ items, next }: { items: VolumeModification[]; next: string | undefined }): DescribeVolumesModificationsResult => ({
      VolumesModifications: items,
      NextToken: next === undefined ? undefined : pages.next(next, position.page),
    });

    if (input.VolumeIds?.length) {
      const found = namedVolumes(store, caller, input.VolumeIds);
      // A volume never modified: EC2 names the first such id.
      const unmodified = found.find((volume) => volume.modification === null);
      if (unmodified !== undefined) throw volumeModificationNotFound(unmodified.volumeId);
      return answer(namedPage({ ...page, records: found }));
    }
    // At most INSTANCES_READ_PER_REQUEST volumes read a request, as DescribeInstances reads instances (SPEC section 15).
    return answer(walkPage({ ...page, maxRead: INSTANCES_READ_PER_REQUEST, read: (after, limit) => store.volumePage(caller.accountId, caller.region, after, limit) }));
  },
});
