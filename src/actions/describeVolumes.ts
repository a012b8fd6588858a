// DescribeVolumes: the caller's EBS volumes in its region, by id or filter, paged; an instance's volumes are read through their attachment.

import { checkFilters, matches, parseFilters, type Filter } from "../domain/filters.js";
import type { VolumeRecord } from "../domain/volume.js";
import { VOLUME_FILTERS } from "../domain/volumeFilters.js";
import { checkVolumeIds, namedVolumeIds } from "../ec2/volumes.js";
import type { DescribeVolumesRequest, DescribeVolumesResult, Volume } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";
import { modelVolume } from "./shapes/volume.js";
import { INSTANCES_READ_PER_REQUEST, namedPage, walkPage } from "./walkPage.js";

/** Without MaxResults EC2 answers every volume; a page of the most MaxResults allows keeps memory bounded. */
const DEFAULT_PAGE_SIZE = 500;

/**
 * The instance ids an `attachment.instance-id` filter names exactly (no wildcard), when it has one:
 * only their volumes can match, so they are read by instance rather than by walking every volume.
 */
function namedInstances(input: DescribeVolumesRequest): string[] | undefined {
  const filter = input.Filters?.find((f) => f.Name === "attachment.instance-id");
  const values = filter?.Values;
  if (values === undefined || values.some((value) => /[*?\\]/.test(value))) return undefined;
  return [...new Set(values)];
}

/**
 * The volume ids a `volume-id` filter names exactly (no wildcard), when it has one: only those
 * volumes can match, so they are read by id (those the caller does not see are left out, as a
 * filter does) rather than by walking every volume and its tags.
 */
function filteredIds(filters: readonly Filter[]): string[] | undefined {
  const filter = filters.find((f) => f.kind === "member" && f.name === "volume-id");
  return filter === undefined || !filter.values.allLiteral ? undefined : [...filter.values.literals];
}

export const describeVolumes = defineAction({
  operation: "DescribeVolumes",
  summary:
    "The caller's EBS volumes in its region (each launch makes one per block device mapping): size, type, IOPS, throughput, attachment, state, tags; by id or filter, paged.",
  overlay: {
    members: {
      VolumeIds: { check: checkVolumeIds },
      MaxResults: { range: [5, 500] },
      Filters: { check: (filters) => checkFilters(VOLUME_FILTERS, filters) },
    },
  },

  handle(input, { caller, store, pages }): DescribeVolumesResult {
    const position = pages.start(input.NextToken);
    const filters = parseFilters(VOLUME_FILTERS, input.Filters);
    // One request spends at most one MatchBudget on its filters, named or walked (SPEC section 15).
    const { budget } = position;
    const describe = (volume: VolumeRecord): Volume | undefined => {
      const item = modelVolume(volume, store.tagsOf(volume.volumeId, caller.accountId));
      return matches(VOLUME_FILTERS, filters, item, undefined, budget) ? item : undefined;
    };
    const page = { idOf: (volume: VolumeRecord) => volume.volumeId, describe, after: position.after ?? "", size: input.MaxResults ?? DEFAULT_PAGE_SIZE, budget };
    const answer = ({ items, next }: { items: Volume[]; next: string | undefined }): DescribeVolumesResult => ({
      Volumes: items,
      NextToken: next === undefined ? undefined : pages.next(next, position.page),
    });

    // Named volumes: the ids the caller sees are found in one read of ids alone, and a page reads
    // only its own volumes (9,000 named volumes were read whole on every page).
    const describeId = (id: string): Volume | undefined => {
      const volume = store.volume(id);
      return volume === undefined ? undefined : describe(volume);
    };
    const byId = { ...page, idOf: (id: string) => id, describe: describeId };
    if (input.VolumeIds?.length) return answer(namedPage({ ...byId, records: namedVolumeIds(store, caller, input.VolumeIds, true) }));
    const filtered = filteredIds(filters);
    if (filtered) return answer(namedPage({ ...byId, records: namedVolumeIds(store, caller, filtered, false) }));
    const instances = namedInstances(input);
    if (instances) {
      // Read by instance only while their volumes fit the request's reads (counted first, in the
      // index): 3,000 instances of 100 volumes each read all 300,000 for a page of 5. Past that, the
      // bounded walk, which reads at most as many.
      const records = store.seenVolumesOfInstances(caller.accountId, caller.region, instances, INSTANCES_READ_PER_REQUEST);
      if (records !== undefined) return answer(namedPage({ ...page, records }));
    }
    // At most INSTANCES_READ_PER_REQUEST volumes read a request, as DescribeInstances reads instances (SPEC section 15).
    return answer(walkPage({ ...page, maxRead: INSTANCES_READ_PER_REQUEST, read: (after, limit) => store.volumePage(caller.accountId, caller.region, after, limit) }));
  },
});
