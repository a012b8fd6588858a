# Every action the emulator serves, answered with realistic non-empty results, against the JS SDK's model of EC2: member names, locationNames, order and values, recursively.

import base64
import unittest
import uuid

from crossclient import (
    DEMO_INTERRUPTIBLE_SOURCE,
    DEMO_LARGE,
    DEMO_SHARED,
    NAMESPACE,
    OWNER_KEY,
    SHAREE_KEY,
    control,
    raw,
    recording_client,
)
from modelcheck import ModelCheck, load_model, sdk_model

# An account of its own (a 12-digit key acts as that account): what it makes changes no number other checks read.
ACCOUNT = "464646464646"
PARTNER = "464646464647"
RESERVATION = "cr-04646000000000001"
INTERRUPTIBLE_RESERVATION = "cr-04646000000000002"
SUBNET = "subnet-04646000000000001"
GROUP = "sg-04646000000000001"
IMAGE = "ami-04646000000000001"
USER_DATA = base64.b64encode(b"#!/bin/sh\necho hello\n").decode("ascii")

# Members Debian's botocore (1.29, December 2022) lacks, by (shape, element), each with the reason the emulator renders
# it: EC2 added them since, and the JS SDK's model (the emulator's authority) has them. Debian's boto3 leaves them unread.
CAPACITY_BLOCKS = "Capacity Blocks and future-dated reservations (2023-2024)"
INTERRUPTIBLE = "interruptible capacity reservations (2025)"
TYPE_FIGURES = "DescribeInstanceTypes figures EC2 added since 2022"
BLOCK_PUBLIC_ACCESS = "VPC Block Public Access (2024)"
NEWER_MEMBERS = {
    ("AvailabilityZone", "groupLongName"): "zone group long names (2024)",
    ("CapacityReservation", "reservationType"): CAPACITY_BLOCKS,
    ("CapacityReservation", "capacityBlockId"): CAPACITY_BLOCKS,
    ("CapacityReservation", "commitmentInfo"): CAPACITY_BLOCKS,
    ("CapacityReservation", "deliveryPreference"): CAPACITY_BLOCKS,
    ("CapacityReservation", "unusedReservationBillingOwnerId"): "reservation billing ownership (2024)",
    ("CapacityReservation", "interruptible"): INTERRUPTIBLE,
    ("CapacityReservation", "interruptibleCapacityAllocation"): INTERRUPTIBLE,
    ("CapacityReservation", "interruptionInfo"): INTERRUPTIBLE,
    ("GetCapacityReservationUsageResult", "interruptible"): INTERRUPTIBLE,
    ("GetCapacityReservationUsageResult", "interruptibleCapacityAllocation"): INTERRUPTIBLE,
    ("GetCapacityReservationUsageResult", "interruptionInfo"): INTERRUPTIBLE,
    ("InterruptibleCapacityAllocation", "zeroSizePreference"): INTERRUPTIBLE,
    ("CapacityReservationCommitmentInfo", "commitmentDuration"): CAPACITY_BLOCKS,
    ("Placement", "availabilityZoneId"): "Placement.AvailabilityZoneId (2025)",
    ("SecurityGroup", "securityGroupArn"): "security group ARNs (2024)",
    ("Subnet", "blockPublicAccessStates"): BLOCK_PUBLIC_ACCESS,
    ("Vpc", "blockPublicAccessStates"): BLOCK_PUBLIC_ACCESS,
    **{
        (shape, member): TYPE_FIGURES
        for shape, members in {
            "InstanceTypeInfo": (
                "mediaAcceleratorInfo", "neuronInfo", "nitroEnclavesSupport", "nitroTpmInfo", "nitroTpmSupport",
                "phcSupport", "rebootMigrationSupport", "supportedInRegion",
            ),
            "EbsInfo": ("attachmentLimitType", "ebsCardSet", "maximumEbsAttachments", "maximumEbsCards"),
            "GpuDeviceInfo": ("gpuPartitionSize", "logicalGpuCount", "workloadSet"),
            "InferenceAcceleratorInfo": ("totalInferenceMemoryInMiB",),
            "InferenceDeviceInfo": ("memoryInfo",),
            "NetworkCardInfo": (
                "additionalFlexibleNetworkInterfaces", "baselineBandwidthInGbps", "defaultEnaQueueCountPerInterface",
                "maximumEnaQueueCount", "maximumEnaQueueCountPerInterface", "peakBandwidthInGbps",
            ),
            "NetworkInfo": (
                "bandwidthWeightings", "connectionTrackingConfiguration", "flexibleEnaQueuesSupport",
                "ipv4AddressesPerSecondaryInterface", "secondaryNetworkSupported",
            ),
            "ProcessorInfo": ("manufacturer", "supportedFeatures"),
        }.items()
        for member in members
    },
}
FIXTURE = {
    "capacityReservations": [
        {
            "capacityReservationId": RESERVATION,
            "ownerId": ACCOUNT,
            "availabilityZone": "us-east-1a",
            "availabilityZoneId": "use1-az1",
            "instanceType": "m5.large",
            "totalInstanceCount": 6,
            "state": "active",
            "instanceMatchCriteria": "targeted",
            "endDateType": "limited",
            "endDate": "2099-01-01T00:00:00Z",
            "ebsOptimized": True,
            "sharedWith": [PARTNER],
            "usage": [{"accountId": PARTNER, "usedInstanceCount": 1}],
            "tags": [{"key": "team", "value": "model"}],
        },
        {
            "capacityReservationId": INTERRUPTIBLE_RESERVATION,
            "ownerId": ACCOUNT,
            "availabilityZone": "us-east-1d",
            "instanceType": "c5.large",
            "totalInstanceCount": 2,
            "state": "active",
            "interruptible": True,
        },
    ],
    "capacityPools": [{"availabilityZone": "us-east-1c", "instanceType": "c5.xlarge", "available": 0}],
    "subnets": [
        {
            "subnetId": SUBNET,
            "ownerId": ACCOUNT,
            "availabilityZone": "us-east-1b",
            "cidrBlock": "172.31.128.0/24",
            "mapPublicIpOnLaunch": True,
            "tags": [{"key": "Name", "value": "model-subnet"}],
        }
    ],
    "securityGroups": [
        {
            "groupId": GROUP,
            "ownerId": ACCOUNT,
            "region": "us-east-1",
            "groupName": "model-web",
            "description": "web servers",
            "tags": [{"key": "Name", "value": "model-web"}],
        }
    ],
    "images": [
        {
            "imageId": IMAGE,
            "ownerId": ACCOUNT,
            "region": "us-east-1",
            "name": "model-image-2026",
            "architecture": "arm64",
            "description": "an image with every optional member",
            "public": True,
            "creationDate": "2026-01-01T00:00:00Z",
            "bootMode": "uefi",
            "deprecationTime": "2099-01-01T00:00:00Z",
            "tags": [{"key": "os", "value": "linux"}],
        }
    ],
}

TEMPLATE_DATA = {
    "ImageId": IMAGE,
    "InstanceType": "m5.large",
    "KeyName": "model-key",
    "UserData": USER_DATA,
    "EbsOptimized": True,
    "DisableApiTermination": False,
    "DisableApiStop": False,
    "InstanceInitiatedShutdownBehavior": "terminate",
    "IamInstanceProfile": {"Name": "model-profile"},
    "Monitoring": {"Enabled": True},
    "Placement": {"AvailabilityZone": "us-east-1a", "Tenancy": "default"},
    "SecurityGroupIds": [GROUP],
    "BlockDeviceMappings": [
        {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3", "DeleteOnTermination": True, "Encrypted": True}}
    ],
    "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "HttpEndpoint": "enabled"},
    "CapacityReservationSpecification": {"CapacityReservationPreference": "open"},
    "CreditSpecification": {"CpuCredits": "standard"},
    "CpuOptions": {"CoreCount": 1, "ThreadsPerCore": 2},
    "PrivateDnsNameOptions": {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": True},
    "MaintenanceOptions": {"AutoRecovery": "default"},
    "TagSpecifications": [
        {"ResourceType": "instance", "Tags": [{"Key": "karpenter.sh/nodepool", "Value": "default"}]},
        {"ResourceType": "volume", "Tags": [{"Key": "team", "Value": "model"}]},
    ],
}

# The answers of every call the scenario made, by action (filled once for the class).
ANSWERS = {}


def record(calls):
    for operation, body in calls:
        ANSWERS.setdefault(operation, []).append(body)
    calls.clear()


def scenario():
    """Makes state for the account and calls every served action on it; leaves each answer in ANSWERS."""
    control("POST", "/fixtures", FIXTURE)
    client, calls = recording_client(ACCOUNT)
    try:
        _reads(client)
        template_id = _templates(client)
        _instances(client, template_id)
        _reservations(client)
        _fleets(client, template_id)
    finally:
        record(calls)
    # The demo's reservations, as their owner and an account they are shared with see them (every member EC2 has).
    for key in (OWNER_KEY, SHAREE_KEY):
        demo, demo_calls = recording_client(key)
        demo.describe_capacity_reservations()
        for reservation_id in (DEMO_SHARED, DEMO_LARGE, DEMO_INTERRUPTIBLE_SOURCE):
            if key == OWNER_KEY or reservation_id == DEMO_SHARED:
                demo.get_capacity_reservation_usage(CapacityReservationId=reservation_id, MaxResults=5)
        record(demo_calls)
    # Other regions' reservations: the generated ones of us-west-2 and a shared one in eu-west-1.
    for key, region in ((OWNER_KEY, "us-west-2"), (OWNER_KEY, "eu-west-1"), (SHAREE_KEY, "eu-west-1")):
        other, other_calls = recording_client(key, region)
        other.describe_capacity_reservations(MaxResults=1000)
        record(other_calls)


def _reads(client):
    client.describe_availability_zones(AllAvailabilityZones=True)
    list(client.get_paginator("describe_instance_types").paginate(PaginationConfig={"PageSize": 100}))
    for location in ("region", "availability-zone", "availability-zone-id"):
        client.describe_instance_type_offerings(LocationType=location, Filters=[{"Name": "instance-type", "Values": ["m5.*", "p5.*"]}])
    client.describe_images(ImageIds=[IMAGE])
    client.describe_images(Owners=["self"])
    vpc = client.describe_vpcs()["Vpcs"][0]["VpcId"]
    for attribute in ("enableDnsSupport", "enableDnsHostnames"):
        client.describe_vpc_attribute(VpcId=vpc, Attribute=attribute)
    client.describe_subnets()
    client.describe_security_groups()


def _templates(client):
    name = f"model-{uuid.uuid4().hex[:8]}"
    made = client.create_launch_template(
        LaunchTemplateName=name,
        VersionDescription="every member a client sends",
        LaunchTemplateData=TEMPLATE_DATA,
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [{"Key": "team", "Value": "model"}]}],
    )["LaunchTemplate"]
    spare = client.create_launch_template(LaunchTemplateName=name + "-spare", LaunchTemplateData={"ImageId": IMAGE})["LaunchTemplate"]
    client.describe_launch_templates(LaunchTemplateIds=[made["LaunchTemplateId"]])
    client.describe_launch_templates()
    client.describe_launch_template_versions(LaunchTemplateId=made["LaunchTemplateId"], Versions=["$Latest", "$Default"])
    client.describe_launch_template_versions(LaunchTemplateName=name)
    client.delete_launch_template(LaunchTemplateId=spare["LaunchTemplateId"])
    return made["LaunchTemplateId"]


def _instances(client, template_id):
    from_template = client.run_instances(
        MinCount=2,
        MaxCount=2,
        LaunchTemplate={"LaunchTemplateId": template_id, "Version": "$Latest"},
        CapacityReservationSpecification={"CapacityReservationTarget": {"CapacityReservationId": RESERVATION}},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "model-node"}]}],
        ClientToken=uuid.uuid4().hex,
    )["Instances"]
    plain = client.run_instances(
        ImageId=IMAGE,
        InstanceType="c5.large",
        MinCount=1,
        MaxCount=1,
        SubnetId=SUBNET,
        SecurityGroupIds=[GROUP],
        KeyName="model-key",
        UserData="#!/bin/sh\n",
        DisableApiTermination=True,
        InstanceMarketOptions={"MarketType": "spot"},
    )["Instances"]
    interruptible = client.run_instances(
        ImageId=IMAGE, InstanceType="c5.large", MinCount=1, MaxCount=1, Placement={"AvailabilityZone": "us-east-1d"}
    )["Instances"]
    ids = [i["InstanceId"] for i in from_template + plain + interruptible]
    client.describe_instances(InstanceIds=ids)
    client.describe_instances(Filters=[{"Name": "tag:Name", "Values": ["model-node"]}])
    for attribute in client.meta.service_model.shape_for("InstanceAttributeName").enum:
        try:
            client.describe_instance_attribute(InstanceId=ids[0], Attribute=attribute)
        except client.exceptions.ClientError:
            pass  # an attribute the emulator does not keep: its refusal is not an answer to check
    client.describe_instance_attribute(InstanceId=ids[2], Attribute="disableApiTermination")
    client.stop_instances(InstanceIds=[ids[0]])
    client.modify_instance_attribute(InstanceId=ids[0], EbsOptimized={"Value": False})
    client.modify_instance_attribute(InstanceId=ids[2], DisableApiTermination={"Value": False})
    client.start_instances(InstanceIds=[ids[0]])
    client.modify_instance_metadata_options(InstanceId=ids[0], HttpTokens="required", HttpPutResponseHopLimit=3)
    # What Terraform calls when iam_instance_profile changes on an instance (its template's profile made one at launch):
    # describe, replace, disassociate, associate.
    launched = client.describe_iam_instance_profile_associations(Filters=[{"Name": "instance-id", "Values": [ids[1]]}])
    replaced = client.replace_iam_instance_profile_association(
        AssociationId=launched["IamInstanceProfileAssociations"][0]["AssociationId"], IamInstanceProfile={"Name": "model-other"}
    )
    client.disassociate_iam_instance_profile(AssociationId=replaced["IamInstanceProfileAssociation"]["AssociationId"])
    client.associate_iam_instance_profile(InstanceId=ids[1], IamInstanceProfile={"Name": "model-profile"})
    client.describe_iam_instance_profile_associations(MaxResults=5)
    client.monitor_instances(InstanceIds=[ids[1], ids[2]])
    client.unmonitor_instances(InstanceIds=[ids[2]])
    vpc = client.describe_vpcs()["Vpcs"][0]["VpcId"]
    client.create_tags(Resources=[ids[1], RESERVATION, vpc, SUBNET, GROUP, template_id], Tags=[{"Key": "stage", "Value": "test"}])
    client.describe_tags()
    client.describe_tags(Filters=[{"Name": "resource-type", "Values": ["instance"]}], MaxResults=5)
    client.delete_tags(Resources=[vpc], Tags=[{"Key": "stage"}])
    client.terminate_instances(InstanceIds=ids)


def _reservations(client):
    made = client.create_capacity_reservation(
        InstanceType="m5.large",
        InstancePlatform="Linux/UNIX",
        AvailabilityZone="us-east-1b",
        InstanceCount=2,
        EndDateType="unlimited",
        TagSpecifications=[{"ResourceType": "capacity-reservation", "Tags": [{"Key": "team", "Value": "model"}]}],
    )["CapacityReservation"]
    reservation_id = made["CapacityReservationId"]
    client.modify_capacity_reservation(CapacityReservationId=reservation_id, InstanceCount=3)
    client.get_capacity_reservation_usage(CapacityReservationId=RESERVATION)
    client.describe_capacity_reservations()
    client.cancel_capacity_reservation(CapacityReservationId=reservation_id)
    if hasattr(client, "describe_capacity_block_offerings"):
        offerings = client.describe_capacity_block_offerings(InstanceType="p5.48xlarge", InstanceCount=1, CapacityDurationHours=24)
        offering = offerings["CapacityBlockOfferings"][0]["CapacityBlockOfferingId"]
        client.purchase_capacity_block(
            CapacityBlockOfferingId=offering,
            InstancePlatform="Linux/UNIX",
            TagSpecifications=[{"ResourceType": "capacity-reservation", "Tags": [{"Key": "team", "Value": "model"}]}],
        )
        return
    # Debian's botocore predates Capacity Blocks (2023): the same calls on the wire.
    search = {"InstanceType": "p5.48xlarge", "InstanceCount": "1", "CapacityDurationHours": "24"}
    offerings = wire_call("DescribeCapacityBlockOfferings", search)
    offering = offerings.findtext(f".//{{{NAMESPACE}}}capacityBlockOfferingId")
    purchase = {
        "CapacityBlockOfferingId": offering,
        "InstancePlatform": "Linux/UNIX",
        "TagSpecification.1.ResourceType": "capacity-reservation",
        "TagSpecification.1.Tag.1.Key": "team",
        "TagSpecification.1.Tag.1.Value": "model",
    }
    wire_call("PurchaseCapacityBlock", purchase)


def wire_call(action, params):
    """One call on the wire, for an action this botocore has no method for; keeps its answer in ANSWERS."""
    answer = raw(form={"Action": action, "Version": "2016-11-15", **params}, access_key=ACCOUNT)
    if answer.status != 200:
        raise AssertionError(f"{action}: {answer.status} {answer.text}")
    ANSWERS.setdefault(action, []).append(answer.body)
    return answer.xml()


def _fleets(client, template_id):
    fleet = client.create_fleet(
        Type="instant",
        LaunchTemplateConfigs=[
            {
                "LaunchTemplateSpecification": {"LaunchTemplateId": template_id, "Version": "$Latest"},
                "Overrides": [
                    {"InstanceType": "c5.xlarge", "AvailabilityZone": "us-east-1c", "Priority": 1.0},
                    {"InstanceType": "m5.large", "SubnetId": SUBNET, "Priority": 2.0},
                ],
            }
        ],
        TargetCapacitySpecification={"TotalTargetCapacity": 2, "DefaultTargetCapacityType": "on-demand"},
        OnDemandOptions={"AllocationStrategy": "prioritized"},
        TagSpecifications=[{"ResourceType": "fleet", "Tags": [{"Key": "team", "Value": "model"}]}],
    )
    fleet_id = fleet["FleetId"]
    client.describe_fleets(FleetIds=[fleet_id])
    client.delete_fleets(FleetIds=[fleet_id, "fleet-04646000-0000-0000-0000-000000000001"], TerminateInstances=True)
    client.describe_fleets(FleetIds=[fleet_id])


class EveryActionAgainstTheJsSdksModel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.debian = load_model()
        cls.served = control("GET", "/health")["actions"]
        cls.reference = sdk_model(cls.served)
        if not ANSWERS:
            scenario()

    def check_action(self, action):
        bodies = ANSWERS.get(action, [])
        self.assertGreater(len(bodies), 0, f"the scenario made no successful {action} call")
        self.assertIn(action, self.reference["operations"])
        check = ModelCheck(self.reference, self.debian, NEWER_MEMBERS)
        problems = []
        for body in bodies:
            problems += check.check_answer(action, body)
        self.assertEqual(problems[:40], [], f"{len(problems)} problems")
        return check

    def test_the_scenario_calls_every_served_action(self):
        self.assertEqual(sorted(set(self.served) - set(ANSWERS)), [])

    def test_every_served_action_answers_as_the_js_sdks_model(self):
        for action in self.served:
            with self.subTest(action=action):
                self.check_action(action)

    def test_the_reference_is_the_js_sdks_model_in_ec2s_order(self):
        self.assertEqual(self.reference["metadata"]["source"], "@aws-sdk/client-ec2")
        self.assertEqual(sorted(self.reference["operations"]), sorted(self.served))
        # Debian's botocore lists old shapes alphabetically (groupSet first); EC2 and the SDK write reservationId first.
        reservation = [member["locationName"] for member in self.reference["shapes"]["Reservation"]["members"].values()]
        self.assertEqual(reservation[:2], ["reservationId", "ownerId"])
        self.assertIn("cancelling", self.reference["shapes"]["CapacityReservationState"]["enum"])

    def test_the_check_finds_a_wrong_item_a_wrong_value_a_member_out_of_order_and_a_wrong_name(self):
        body = (
            f'<DescribeVpcsResponse xmlns="{NAMESPACE}"><requestId>r</requestId><vpcSet><member>'
            "<vpcId>vpc-1</vpcId><state>ready</state><cidrBlock>10.0.0.0/16</cidrBlock><isDefault>yes</isDefault>"
            "<vpcID>x</vpcID></member></vpcSet></DescribeVpcsResponse>"
        ).encode("utf-8")
        problems = ModelCheck(self.reference, self.debian).check_answer("DescribeVpcs", body)
        self.assertEqual(len(problems), 5, problems)
        self.assertIn("not <item>", problems[0])
        self.assertIn("'ready' is not one of VpcState's values", problems[1])
        self.assertIn("out of Vpc's order", problems[2])
        self.assertIn("boolean 'yes'", problems[3])
        self.assertIn("not a member of Vpc", problems[4])

    def test_each_newer_member_allowed_is_one_debians_botocore_lacks_and_the_js_sdks_model_has(self):
        for shape, member in NEWER_MEMBERS:
            with self.subTest(shape=shape, member=member):
                known = [m.get("locationName", name) for name, m in self.debian["shapes"].get(shape, {}).get("members", {}).items()]
                self.assertNotIn(member, known)
                self.assertIn(member, [m["locationName"] for m in self.reference["shapes"][shape]["members"].values()])

    def test_the_answers_are_not_empty(self):
        # What each action's main list or member must hold, so the model check above read real content.
        musts = {
            "DescribeInstanceTypes": ("InstanceTypeInfo", "gpuInfo"),
            "DescribeLaunchTemplateVersions": ("ResponseLaunchTemplateData", "blockDeviceMappingSet"),
            "DescribeInstances": ("Instance", "tagSet"),
            "DescribeFleets": ("FleetData", "launchTemplateConfigs"),
            "CreateFleet": ("CreateFleetResult", "errorSet"),
            "DeleteFleets": ("DeleteFleetsResult", "unsuccessfulFleetDeletionSet"),
            "DescribeImages": ("Image", "tagSet"),
            "DescribeTags": ("TagDescription", "resourceType"),
            "DescribeCapacityBlockOfferings": ("CapacityBlockOffering", "upfrontFee"),
            "DescribeSubnets": ("Subnet", "tagSet"),
            "DescribeSecurityGroups": ("SecurityGroup", "tagSet"),
            "DescribeVpcs": ("Vpc", "cidrBlock"),
            "DescribeInstanceAttribute": ("InstanceAttribute", "userData"),
        }
        for action, (shape, member) in musts.items():
            with self.subTest(action=action):
                check = self.check_action(action)
                self.assertIn((shape, member), check.seen)


if __name__ == "__main__":
    unittest.main()
