// A volume and its last modification in the model's form, the one place: DescribeVolumes' item, ModifyVolume's and DescribeVolumesModifications' answers.

import type { Tag } from "../../domain/capacityReservation.js";
import { volumeModificationStateAt, volumeStateOf, type VolumeModificationRecord, type VolumeRecord } from "../../domain/volume.js";
import { zoneNamed } from "../../domain/zones.js";
import type { Volume, VolumeModification } from "../../protocol/model/ec2.generated.js";

/** A volume as DescribeVolumes answers it, with its owner's tags. */
export function modelVolume(volume: VolumeRecord, tags: readonly Tag[]): Volume {
  const { attachment } = volume;
  return {
    AvailabilityZoneId: zoneNamed(volume.availabilityZone)?.zoneId,
    Iops: volume.iops ?? undefined,
    Tags: tags.length > 0 ? tags.map((tag) => ({ Key: tag.key, Value: tag.value })) : undefined,
    VolumeType: volume.volumeType,
    MultiAttachEnabled: false,
    Throughput: volume.throughput ?? undefined,
    VolumeId: volume.volumeId,
    Size: volume.size,
    // "" for a volume made without a snapshot, as EC2's recorded answers write it.
    SnapshotId: volume.snapshotId ?? "",
    AvailabilityZone: volume.availabilityZone,
    State: volumeStateOf(volume),
    CreateTime: new Date(volume.createTime),
    Attachments:
      attachment === null
        ? []
        : [
            {
              DeleteOnTermination: attachment.deleteOnTermination,
              VolumeId: volume.volumeId,
              InstanceId: attachment.instanceId,
              Device: attachment.device,
              State: "attached",
              AttachTime: new Date(attachment.attachTime),
            },
          ],
    Encrypted: volume.encrypted,
    KmsKeyId: volume.kmsKeyId ?? undefined,
  };
}

/** A volume's last modification at `now`: `modifying` (progress 0) until its end, then `completed` (100) with its EndTime. */
export function modelVolumeModification(volume: VolumeRecord, modification: VolumeModificationRecord, now: number): VolumeModification {
  const state = volumeModificationStateAt(modification, now);
  return {
    VolumeId: volume.volumeId,
    ModificationState: state,
    TargetSize: volume.size,
    TargetIops: volume.iops ?? undefined,
    TargetVolumeType: volume.volumeType,
    TargetThroughput: volume.throughput ?? undefined,
    TargetMultiAttachEnabled: false,
    OriginalSize: modification.originalSize,
    OriginalIops: modification.originalIops ?? undefined,
    OriginalVolumeType: modification.originalVolumeType,
    OriginalThroughput: modification.originalThroughput ?? undefined,
    OriginalMultiAttachEnabled: false,
    Progress: state === "completed" ? 100 : 0,
    StartTime: new Date(modification.startTime),
    EndTime: state === "completed" ? new Date(modification.endTime) : undefined,
  };
}
