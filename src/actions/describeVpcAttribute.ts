// DescribeVpcAttribute: one DNS or Network Address Usage attribute of one of the caller's VPCs, as EC2 sets it for a default VPC and for another (Terraform's data "aws_vpc" reads all three).

import { vpcAttributesOf, vpcNotFound } from "../domain/vpc.js";
import { findVpc } from "../ec2/network.js";
import type { DescribeVpcAttributeResult, VpcAttributeName } from "../protocol/model/ec2.generated.js";
import { defineAction } from "./action.js";

/** The answer's member for each attribute the model names (the reader refuses any other). */
const MEMBERS: Record<VpcAttributeName, "EnableDnsSupport" | "EnableDnsHostnames" | "EnableNetworkAddressUsageMetrics"> = {
  enableDnsSupport: "EnableDnsSupport",
  enableDnsHostnames: "EnableDnsHostnames",
  enableNetworkAddressUsageMetrics: "EnableNetworkAddressUsageMetrics",
};

export const describeVpcAttribute = defineAction({
  operation: "DescribeVpcAttribute",
  summary:
    "One attribute of one of the caller's VPCs: DNS support and DNS hostnames (both on in a default VPC, support only in another), Network Address Usage metrics (off).",
  overlay: { required: ["Attribute", "VpcId"] },

  handle(input, { caller, store }): DescribeVpcAttributeResult {
    const vpc = findVpc(store, caller, input.VpcId);
    if (!vpc) throw vpcNotFound([input.VpcId]);
    const attribute = input.Attribute as VpcAttributeName;
    return { VpcId: vpc.vpcId, [MEMBERS[attribute]]: { Value: vpcAttributesOf(vpc)[attribute] } };
  },
});
