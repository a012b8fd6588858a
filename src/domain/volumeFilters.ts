// The filters DescribeVolumes and DescribeVolumesModifications take (every name the AWS model documents for each), read from the item as the describe answers it.

import { date, describedTable, each, text, type FilterTable } from "./filters.js";
import type { Volume, VolumeModification } from "../protocol/model/ec2.generated.js";

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
