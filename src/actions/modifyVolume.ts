// ModifyVolume: a new size (never smaller), type, IOPS or throughput for one of the caller's volumes, at once; its modification is `modifying` for the instance transition time, then `completed`.

import { VOLUME_ID, volumeIdMalformed, type VolumeChange } from "../domain/volume.js";
import { modifyVolume as modify } from "../ec2/volumes.js";
import type { ModifyVolumeRequest, ModifyVolumeResult } from "../protocol/model/ec2.generated.js";
import { invalidParameterValue } from "../domain/refusal.js";
import { defineAction } from "./action.js";
import { modelVolumeModification } from "./shapes/volume.js";

export const modifyVolume = defineAction({
  operation: "ModifyVolume",
  summary:
    "A new size (never smaller), type, IOPS or throughput for one of the caller's volumes, at most once in 6 hours of emulator time; the modification is modifying, then completed.",
  overlay: {
    required: ["VolumeId"],
    members: {
      VolumeId: {
        check: (id) => {
          if (!VOLUME_ID.test(id)) throw volumeIdMalformed(id);
        },
      },
      MultiAttachEnabled: {
        check: (enabled) => {
          // Multi-Attach is io1 and io2 only, and not modelled: a volume is attached to one instance.
          if (enabled) throw invalidParameterValue("Multi-Attach is not supported by the emulator's volumes");
        },
      },
    },
  },

  // A DryRun is refused as the call would be: a volume not the caller's is not found, a change EC2 refuses is refused.
  dryRunChecksBeforeWrite: true,

  handle(input, context): ModifyVolumeResult {
    const volume = modify(context, input.VolumeId, changeOf(input));
    const { modification } = volume;
    // ModifyVolume's own answer is `modifying`, as EC2's is, whatever the transition time.
    return {
      VolumeModification:
        modification === null
          ? undefined
          : { ...modelVolumeModification(volume, modification, modification.startTime), ModificationState: "modifying", Progress: 0, EndTime: undefined },
    };
  },
});

/** The figures a ModifyVolume request asks for. */
const changeOf = (input: ModifyVolumeRequest): VolumeChange => ({
  size: input.Size,
  volumeType: input.VolumeType,
  iops: input.Iops,
  throughput: input.Throughput,
});
