// ModifyInstanceAttribute: changes one kept attribute of one of the caller's instances (SPEC section 13).

import { booleanValue, oneChange, type AttributeChange } from "../domain/instanceAttributes.js";
import { checkInstanceIds } from "../domain/placement.js";
import { Refusal, missingParameter, orThrow } from "../domain/refusal.js";
import { modifyInstanceAttribute as modify } from "../ec2/instanceAttributes.js";
import {
  type AttributeBooleanValue,
  type ModifyInstanceAttributeRequest,
  type ModifyInstanceAttributeResult,
} from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

/** Attributes EC2 lets this action change that the emulator does not keep: refused rather than pretended. */
const NOT_KEPT: readonly (keyof ModifyInstanceAttributeRequest)[] = [
  "SourceDestCheck",
  "EnclaveOptions",
  "BlockDeviceMappings",
  "Kernel",
  "Ramdisk",
  "Groups",
  "SriovNetSupport",
  "EnaSupport",
];

/** A blob member as it was read: the base64 text the wire carried (the query reader keeps a blob as its text). */
const blobText = (value: Uint8Array | string | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : Buffer.from(value).toString("base64");

const booleanOf = (member: AttributeBooleanValue | undefined): boolean => {
  if (member?.Value === undefined) throw missingParameter("value");
  return member.Value;
};

/** The changes the request names, each by its attribute name, in either of EC2's two forms. */
function requestedChanges(input: ModifyInstanceAttributeRequest): { changes: AttributeChange[]; named: string[] } {
  const changes: AttributeChange[] = [];
  const named: string[] = [];
  const text = (member: { Value?: string } | undefined): string => {
    if (member?.Value === undefined) throw missingParameter("value");
    return member.Value;
  };
  if (input.DisableApiTermination !== undefined) {
    named.push("disableApiTermination");
    changes.push({ attribute: "disableApiTermination", value: booleanOf(input.DisableApiTermination) });
  }
  if (input.DisableApiStop !== undefined) {
    named.push("disableApiStop");
    changes.push({ attribute: "disableApiStop", value: booleanOf(input.DisableApiStop) });
  }
  if (input.EbsOptimized !== undefined) {
    named.push("ebsOptimized");
    changes.push({ attribute: "ebsOptimized", value: booleanOf(input.EbsOptimized) });
  }
  if (input.InstanceType !== undefined) {
    named.push("instanceType");
    changes.push({ attribute: "instanceType", value: text(input.InstanceType) });
  }
  if (input.InstanceInitiatedShutdownBehavior !== undefined) {
    named.push("instanceInitiatedShutdownBehavior");
    changes.push({ attribute: "instanceInitiatedShutdownBehavior", value: text(input.InstanceInitiatedShutdownBehavior) });
  }
  if (input.UserData !== undefined) {
    named.push("userData");
    changes.push({ attribute: "userData", value: text({ Value: blobText(input.UserData.Value) }) });
  }
  for (const member of NOT_KEPT) if (input[member] !== undefined) named.push(member.charAt(0).toLowerCase() + member.slice(1));
  if (input.Attribute !== undefined) {
    named.push(input.Attribute);
    const change = attributeForm(input.Attribute, input.Value);
    if (change) changes.push(change);
  }
  return { changes, named };
}

/** The `Attribute=…&Value=…` form. */
function attributeForm(attribute: string, value: string | undefined): AttributeChange | undefined {
  if (value === undefined) throw missingParameter("value");
  switch (attribute) {
    case "disableApiTermination":
    case "disableApiStop":
    case "ebsOptimized":
      return { attribute, value: orThrow(booleanValue(attribute, value)) };
    case "instanceType":
    case "userData":
    case "instanceInitiatedShutdownBehavior":
      return { attribute, value };
    default:
      return undefined;
  }
}

export const modifyInstanceAttribute = defineAction({
  operation: "ModifyInstanceAttribute",
  summary:
    "Changes one kept attribute of one of the caller's instances; the instance type, user data and EBS optimization only while it is stopped.",
  overlay: {
    required: ["InstanceId"],
    members: { InstanceId: { check: (id) => checkInstanceIds([id]) } },
  },

  // A DryRun is refused as the call would be, by what it checks before it changes anything.
  dryRunChecksBeforeWrite: true,

  handle(input, context): ModifyInstanceAttributeResult {
    const { changes, named } = requestedChanges(input);
    if (named.length === 1 && changes.length === 0) {
      throw new Refusal("UnsupportedOperation", `ec2-capacity-emulator does not keep the instance attribute ${named[0]}.`);
    }
    const change = orThrow(oneChange(changes, named));
    modify(context, input.InstanceId, change);
    return {};
  },
});
