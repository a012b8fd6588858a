// The filters DescribeVolumes and DescribeVolumesModifications take (every name the AWS model documents for each), read from the item as the describe answers it.

import type { FilterTable } from "./filters.js";
import type { Tag, Volume, VolumeModification } from "../protocol/model/ec2.generated.js";

type FilterValue = string | readonly string[] | undefined;

// EC2 matches a filter on a Boolean, a number or a time by the text its response writes.
const text = (value: boolean | number | undefined): string | undefined => (value === undefined ? undefined : String(value));
const date = (value: Date | undefined): string | undefined => value?.toISOString();
const each = <T>(list: readonly T[] | undefined, read: (item: T) => string | undefined): readonly string[] =>
  (list ?? []).flatMap((item) => {
    const value = read(item);
    return value === undefined ? [] : [value];
  });

function describedTable<T extends { Tags?: readonly Tag[] }>(reads: Record<string, (item: T) => FilterValue>): FilterTable<T, undefined> {
  return {
    filters: Object.fromEntries(Object.entries(reads).map(([name, read]) => [name, { read: (item: T) => read(item) }])),
    tags: (item) => (item.Tags ?? []).map((tag) => ({ key: tag.Key ?? "", value: tag.Value ?? "" })),
  };
}

/** DescribeVolumes' documented filters (botocore's DescribeVolumesRequest). */
export const VOLUME_FILTERS = describedTable<Volume>({
  "attachment.attach-time": (v) => each(v.Attachments, (a) => date(a.AttachTime)),
  "attachment.delete-on-termination": (v) => each(v.Attachments, (a) => text(a.DeleteOnTermination)),
  "attachment.device": (v) => each(v.Attachments, (a) => a.Device),
  "attachment.instance-id": (v) => each(v.Attachments, (a) => a.InstanceId),
  "attachment.status": (v) => each(v.Attachments, (a) => a.State),
  "availability-zone": (v) => v.AvailabilityZone,
  "availability-zone-id": (v) => v.AvailabilityZoneId,
  "create-time": (v) => date(v.CreateTime),
  encrypted: (v) => text(v.Encrypted),
  "fast-restored": (v) => text(v.FastRestored),
  "multi-attach-enabled": (v) => text(v.MultiAttachEnabled),
  "operator.managed": (v) => text(v.Operator?.Managed),
  "operator.principal": (v) => v.Operator?.Principal,
  size: (v) => text(v.Size),
  "snapshot-id": (v) => v.SnapshotId,
  status: (v) => v.State,
  "volume-id": (v) => v.VolumeId,
  "volume-type": (v) => v.VolumeType,
});

/** DescribeVolumesModifications' documented filters (botocore's DescribeVolumesModificationsRequest). */
export const VOLUME_MODIFICATION_FILTERS: FilterTable<VolumeModification, undefined> = {
  filters: Object.fromEntries(
    Object.entries({
      "modification-state": (m: VolumeModification) => m.ModificationState,
      "original-iops": (m: VolumeModification) => text(m.OriginalIops),
      "original-size": (m: VolumeModification) => text(m.OriginalSize),
      "original-volume-type": (m: VolumeModification) => m.OriginalVolumeType,
      originalMultiAttachEnabled: (m: VolumeModification) => text(m.OriginalMultiAttachEnabled),
      "start-time": (m: VolumeModification) => date(m.StartTime),
      "target-iops": (m: VolumeModification) => text(m.TargetIops),
      "target-size": (m: VolumeModification) => text(m.TargetSize),
      "target-volume-type": (m: VolumeModification) => m.TargetVolumeType,
      targetMultiAttachEnabled: (m: VolumeModification) => text(m.TargetMultiAttachEnabled),
      "volume-id": (m: VolumeModification) => m.VolumeId,
    }).map(([name, read]) => [name, { read }]),
  ),
  // A modification has no tags: `tag:` filters match nothing.
  tags: () => [],
};
