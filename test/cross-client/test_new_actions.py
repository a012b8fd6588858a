# This round's actions as a Python user drives them: boto3's paginators and waiters (on the emulator's clock), EC2's error codes through ClientError, and the AWS CLI's JSON.

import json
import unittest
import uuid
from datetime import datetime, timezone

from crossclient import aws, client_error, control, ec2, js_sdk_batch

# An account of its own (a 12-digit key acts as that account): what it makes changes no number other checks read.
ACCOUNT = "464646464648"
AMI = "ami-0123456789abcdef0"
PAGE = 5  # the smallest page most of these reads take
MAX_PAGES = 60  # a paginator that has not ended by then loops
VPCS = [f"vpc-0464648000000000{n}" for n in range(1, 7)]
FIXTURE = {
    "subnets": [
        {"subnetId": f"subnet-0464648000000000{n}", "ownerId": ACCOUNT, "availabilityZone": "us-east-1a", "cidrBlock": f"10.{n}.0.0/24", "vpcId": vpc}
        for n, vpc in enumerate(VPCS, start=1)
    ],
    "securityGroups": [
        {"groupId": f"sg-0464648000000000{n}", "ownerId": ACCOUNT, "region": "us-east-1", "groupName": f"group-{n}", "vpcId": vpc}
        for n, vpc in enumerate(VPCS, start=1)
    ],
    "images": [
        {"imageId": f"ami-0464648000000000{n}", "ownerId": ACCOUNT, "region": "us-east-1", "name": f"image-{n}"} for n in range(1, 8)
    ],
}


def walk(test, client, operation, key, **params):
    """Every item of a boto3 paginator's pages, failing when it does not end."""
    items, pages = [], 0
    for page in client.get_paginator(operation).paginate(**params):
        pages += 1
        test.assertLessEqual(pages, MAX_PAGES, f"{operation}'s paginator does not end")
        items.extend(page[key])
    return items, pages


class PaginatorsThroughBoto3(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        control("POST", "/fixtures", FIXTURE)
        cls.client = ec2(ACCOUNT)
        cls.prefix = f"pages-{uuid.uuid4().hex[:6]}"
        cls.templates = [
            cls.client.create_launch_template(
                LaunchTemplateName=f"{cls.prefix}-{n}", LaunchTemplateData={"ImageId": AMI, "InstanceType": "m5.large"}
            )["LaunchTemplate"]["LaunchTemplateId"]
            for n in range(7)
        ]

    @classmethod
    def tearDownClass(cls):
        for template_id in cls.templates:
            cls.client.delete_launch_template(LaunchTemplateId=template_id)

    def assert_walks_once_each(self, operation, key, id_key, expected_count, **params):
        whole = getattr(self.client, operation)(**params)[key]
        items, pages = walk(self, self.client, operation, key, PaginationConfig={"PageSize": PAGE}, **params)
        ids = [item[id_key] for item in items]
        self.assertEqual(len(ids), expected_count)
        self.assertEqual(len(set(ids)), len(ids), f"{operation} answered an item twice")
        self.assertEqual(sorted(ids), sorted(item[id_key] for item in whole))
        self.assertEqual(pages, -(-expected_count // PAGE))
        return items

    def test_describe_vpcs_pages_through_the_default_vpc_and_the_fixtures(self):
        vpcs = self.assert_walks_once_each("describe_vpcs", "Vpcs", "VpcId", 7)
        self.assertEqual(sorted(v["VpcId"] for v in vpcs if not v["IsDefault"]), VPCS)

    def test_describe_subnets_pages(self):
        self.assert_walks_once_each("describe_subnets", "Subnets", "SubnetId", 12)

    def test_describe_security_groups_pages(self):
        groups = self.assert_walks_once_each("describe_security_groups", "SecurityGroups", "GroupId", 7)
        self.assertIn("default", [g["GroupName"] for g in groups])

    def test_describe_launch_templates_and_their_versions_page(self):
        mine = [{"Name": "launch-template-name", "Values": [f"{self.prefix}-*"]}]
        self.assert_walks_once_each("describe_launch_templates", "LaunchTemplates", "LaunchTemplateId", 7, Filters=mine)
        versions, _ = walk(
            self, self.client, "describe_launch_template_versions", "LaunchTemplateVersions", PaginationConfig={"PageSize": PAGE}
        )
        ours = [v for v in versions if v["LaunchTemplateName"].startswith(self.prefix)]
        self.assertEqual(sorted(v["LaunchTemplateId"] for v in ours), sorted(self.templates))
        self.assertEqual({v["VersionNumber"] for v in ours}, {1})
        one, _ = walk(
            self, self.client, "describe_launch_template_versions", "LaunchTemplateVersions",
            LaunchTemplateId=self.templates[0], Versions=["$Latest", "$Default", "1"],
        )
        self.assertEqual([v["LaunchTemplateId"] for v in one], [self.templates[0]])

    def test_describe_tags_pages(self):
        resources = [g["GroupId"] for g in self.client.describe_security_groups()["SecurityGroups"]]
        self.client.create_tags(Resources=resources, Tags=[{"Key": "paged", "Value": "yes"}])
        try:
            tags, pages = walk(
                self, self.client, "describe_tags", "Tags",
                Filters=[{"Name": "key", "Values": ["paged"]}], PaginationConfig={"PageSize": PAGE},
            )
            self.assertEqual(sorted(t["ResourceId"] for t in tags), sorted(resources))
            self.assertEqual(pages, 2)
        finally:
            self.client.delete_tags(Resources=resources, Tags=[{"Key": "paged"}])

    def test_describe_instance_type_offerings_pages(self):
        offerings, pages = walk(
            self, self.client, "describe_instance_type_offerings", "InstanceTypeOfferings",
            LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": ["m5.large", "c5.large"]}],
            PaginationConfig={"PageSize": PAGE},
        )
        pairs = [(o["InstanceType"], o["Location"]) for o in offerings]
        self.assertEqual(len(pairs), len(set(pairs)))
        self.assertEqual(len(pairs), 12)
        self.assertGreater(pages, 1)

    def test_describe_images_by_owner_and_filter(self):
        # Debian's botocore predates DescribeImages' MaxResults and paginator: one call answers every image.
        mine = self.client.describe_images(Owners=["self"])["Images"]
        self.assertEqual(sorted(image["ImageId"] for image in mine), [f"ami-0464648000000000{n}" for n in range(1, 8)])
        named = self.client.describe_images(Owners=[ACCOUNT], Filters=[{"Name": "name", "Values": ["image-1", "image-3"]}])["Images"]
        self.assertEqual(sorted(image["Name"] for image in named), ["image-1", "image-3"])


class FleetsThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2(ACCOUNT)
        self.name = f"fleet-{uuid.uuid4().hex[:8]}"
        self.client.create_launch_template(LaunchTemplateName=self.name, LaunchTemplateData={"ImageId": AMI, "InstanceType": "m5.large"})
        self.addCleanup(self.client.delete_launch_template, LaunchTemplateName=self.name)

    def fleet(self, count=1):
        out = self.client.create_fleet(
            Type="instant",
            LaunchTemplateConfigs=[{"LaunchTemplateSpecification": {"LaunchTemplateName": self.name, "Version": "$Latest"}}],
            TargetCapacitySpecification={"TotalTargetCapacity": count, "DefaultTargetCapacityType": "on-demand"},
        )
        return out["FleetId"], [i for launch in out["Instances"] for i in launch["InstanceIds"]]

    def test_describe_fleets_pages_the_fleets_named_and_delete_fleets_terminates_their_instances(self):
        made = [self.fleet() for _ in range(6)]
        fleet_ids = [fleet_id for fleet_id, _ in made]
        fleets, pages = walk(self, self.client, "describe_fleets", "Fleets", FleetIds=fleet_ids, PaginationConfig={"PageSize": PAGE})
        self.assertEqual(sorted(f["FleetId"] for f in fleets), sorted(fleet_ids))
        self.assertEqual({f["FleetState"] for f in fleets}, {"active"})
        self.assertEqual({f["Type"] for f in fleets}, {"instant"})
        self.assertEqual(pages, 2)
        unknown = "fleet-04646480-0000-0000-0000-000000000001"
        out = self.client.delete_fleets(FleetIds=[*fleet_ids, unknown], TerminateInstances=True)
        self.assertEqual(sorted(d["FleetId"] for d in out["SuccessfulFleetDeletions"]), sorted(fleet_ids))
        self.assertEqual({d["CurrentFleetState"] for d in out["SuccessfulFleetDeletions"]}, {"deleted_terminating"})
        self.assertEqual(
            [(d["FleetId"], d["Error"]["Code"]) for d in out["UnsuccessfulFleetDeletions"]], [(unknown, "fleetIdDoesNotExist")]
        )
        instance_ids = [i for _, ids in made for i in ids]
        states = self.client.describe_instances(InstanceIds=instance_ids)["Reservations"]
        self.assertEqual({i["State"]["Name"] for r in states for i in r["Instances"]}, {"terminated"})
        after = self.client.describe_fleets(FleetIds=fleet_ids[:1])["Fleets"]
        self.assertEqual(after[0]["FleetState"], "deleted_terminating")

    def test_fleet_errors_through_client_error(self):
        error = client_error(self, self.client.describe_fleets, FleetIds=["fleet-04646480-0000-0000-0000-000000000002"])
        self.assertEqual(error.response["Error"]["Code"], "InvalidFleetId.NotFound")
        error = client_error(
            self, self.client.create_fleet, Type="maintain",
            LaunchTemplateConfigs=[{"LaunchTemplateSpecification": {"LaunchTemplateName": self.name, "Version": "$Latest"}}],
            TargetCapacitySpecification={"TotalTargetCapacity": 1, "DefaultTargetCapacityType": "on-demand"},
        )
        self.assertEqual(error.response["Error"]["Code"], "InvalidParameterValue")


class LaunchTemplatesThroughBoto3(unittest.TestCase):
    def setUp(self):
        self.client = ec2(ACCOUNT)
        self.name = f"lt-{uuid.uuid4().hex[:8]}"

    def test_run_instances_from_a_template_takes_its_data_and_the_errors_are_ec2s(self):
        made = self.client.create_launch_template(
            LaunchTemplateName=self.name,
            LaunchTemplateData={"ImageId": AMI, "InstanceType": "c5.large", "KeyName": "team-key", "Placement": {"AvailabilityZone": "us-east-1b"}},
        )["LaunchTemplate"]
        self.addCleanup(self.client.delete_launch_template, LaunchTemplateId=made["LaunchTemplateId"])
        duplicate = client_error(self, self.client.create_launch_template, LaunchTemplateName=self.name, LaunchTemplateData={"ImageId": AMI})
        self.assertEqual(duplicate.response["Error"]["Code"], "InvalidLaunchTemplateName.AlreadyExistsException")
        instance = self.client.run_instances(LaunchTemplate={"LaunchTemplateId": made["LaunchTemplateId"]}, MinCount=1, MaxCount=1)["Instances"][0]
        self.addCleanup(self.client.terminate_instances, InstanceIds=[instance["InstanceId"]])
        self.assertEqual(
            (instance["ImageId"], instance["InstanceType"], instance["KeyName"], instance["Placement"]["AvailabilityZone"]),
            (AMI, "c5.large", "team-key", "us-east-1b"),
        )
        overridden = self.client.run_instances(
            LaunchTemplate={"LaunchTemplateName": self.name, "Version": "$Default"}, InstanceType="m5.large", MinCount=1, MaxCount=1
        )["Instances"][0]
        self.addCleanup(self.client.terminate_instances, InstanceIds=[overridden["InstanceId"]])
        self.assertEqual(overridden["InstanceType"], "m5.large")
        versions = self.client.describe_launch_template_versions(LaunchTemplateName=self.name)["LaunchTemplateVersions"]
        self.assertEqual([(v["VersionNumber"], v["DefaultVersion"]) for v in versions], [(1, True)])
        self.assertEqual(versions[0]["LaunchTemplateData"]["KeyName"], "team-key")
        missing = client_error(self, self.client.describe_launch_template_versions, LaunchTemplateName=self.name, Versions=["2"])
        self.assertEqual(missing.response["Error"]["Code"], "InvalidLaunchTemplateId.VersionNotFound")
        absent = client_error(self, self.client.run_instances, LaunchTemplate={"LaunchTemplateName": self.name + "-absent"}, MinCount=1, MaxCount=1)
        self.assertEqual(absent.response["Error"]["Code"], "InvalidLaunchTemplateName.NotFoundException")
        absent = client_error(self, self.client.describe_launch_template_versions, LaunchTemplateId="lt-04646480000000001")
        self.assertEqual(absent.response["Error"]["Code"], "InvalidLaunchTemplateId.NotFound")

    def test_reads_refuse_unknown_ids_with_ec2s_not_found_codes(self):
        cases = [
            (self.client.describe_vpcs, {"VpcIds": ["vpc-04646480000000999"]}, "InvalidVpcID.NotFound"),
            (self.client.describe_security_groups, {"GroupIds": ["sg-04646480000000999"]}, "InvalidGroup.NotFound"),
            (self.client.describe_images, {"ImageIds": ["ami-04646480000000999"]}, "InvalidAMIID.NotFound"),
            (self.client.describe_availability_zones, {"ZoneNames": ["us-east-1z"]}, "InvalidParameterValue"),
            (self.client.describe_tags, {"Filters": [{"Name": "colour", "Values": ["x"]}]}, "InvalidParameterValue"),
            (self.client.describe_instance_attribute, {"InstanceId": "i-04646480000000999", "Attribute": "instanceType"}, "InvalidInstanceID.NotFound"),
            (self.client.delete_launch_template, {"LaunchTemplateName": "absent-template"}, "InvalidLaunchTemplateName.NotFoundException"),
        ]
        for call, params, code in cases:
            with self.subTest(params=params):
                error = client_error(self, call, **params)
                self.assertEqual(error.response["Error"]["Code"], code)
                self.assertEqual(error.response["ResponseMetadata"]["HTTPStatusCode"], 400)


class WaitersOnTheEmulatorsClock(unittest.TestCase):
    """boto3's waiters poll DescribeInstances; each poll that finds an instance between states moves the clock on."""

    TRANSITION = 60

    def setUp(self):
        self.client = ec2(ACCOUNT)
        control("PUT", "/settings", {"instanceTransitionSeconds": self.TRANSITION})
        self.addCleanup(control, "PUT", "/settings", {"instanceTransitionSeconds": 0})
        self.polls = []

        def advance_while_between_states(parsed, **_):
            states = [i["State"]["Name"] for r in parsed.get("Reservations", []) for i in r["Instances"]]
            self.polls.append(states)
            if any(state in ("pending", "stopping", "shutting-down") for state in states):
                control("POST", "/clock/advance", {"seconds": self.TRANSITION})

        self.client.meta.events.register("after-call.ec2.DescribeInstances", advance_while_between_states)
        self.addCleanup(self.client.meta.events.unregister, "after-call.ec2.DescribeInstances", advance_while_between_states)

    def wait(self, name, instance_id):
        self.polls.clear()
        self.client.get_waiter(name).wait(InstanceIds=[instance_id], WaiterConfig={"Delay": 0, "MaxAttempts": 4})
        return self.polls

    def test_instance_running_stopped_and_terminated(self):
        instance_id = self.client.run_instances(ImageId=AMI, InstanceType="m5.large", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        self.assertEqual(self.wait("instance_running", instance_id), [["pending"], ["running"]])
        self.client.stop_instances(InstanceIds=[instance_id])
        self.assertEqual(self.wait("instance_stopped", instance_id), [["stopping"], ["stopped"]])
        self.client.start_instances(InstanceIds=[instance_id])
        self.assertEqual(self.wait("instance_running", instance_id), [["pending"], ["running"]])
        self.client.terminate_instances(InstanceIds=[instance_id])
        self.assertEqual(self.wait("instance_terminated", instance_id), [["shutting-down"], ["terminated"]])

    def test_the_network_and_image_waiters_find_what_exists(self):
        vpc = self.client.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        self.client.get_waiter("vpc_available").wait(VpcIds=[vpc], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
        self.client.get_waiter("vpc_exists").wait(VpcIds=[vpc], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
        subnet = self.client.describe_subnets()["Subnets"][0]["SubnetId"]
        self.client.get_waiter("subnet_available").wait(SubnetIds=[subnet], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
        group = self.client.describe_security_groups(GroupNames=["default"])["SecurityGroups"][0]["GroupId"]
        self.client.get_waiter("security_group_exists").wait(GroupIds=[group], WaiterConfig={"Delay": 0, "MaxAttempts": 1})
        control("POST", "/fixtures", FIXTURE)
        self.client.get_waiter("image_available").wait(ImageIds=["ami-04646480000000001"], WaiterConfig={"Delay": 0, "MaxAttempts": 1})


def iso(value):
    """A boto3 timestamp as the JS SDK's JSON writes a Date."""
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class JsSdkAndBoto3ReadTheSame(unittest.TestCase):
    """Each new read through both SDKs: every member boto3 (Debian's, older) reads, the JS SDK reads the same."""

    @classmethod
    def setUpClass(cls):
        control("POST", "/fixtures", FIXTURE)
        cls.client = ec2(ACCOUNT)
        cls.name = f"both-{uuid.uuid4().hex[:8]}"
        data = {
            "ImageId": AMI, "InstanceType": "m5.large", "UserData": "IyEvYmluL3NoCg==", "EbsOptimized": True,
            "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 20, "VolumeType": "gp3"}}],
            "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "both", "Value": "sdks"}]}],
        }
        cls.template = cls.client.create_launch_template(LaunchTemplateName=cls.name, LaunchTemplateData=data)["LaunchTemplate"]
        fleet = cls.client.create_fleet(
            Type="instant",
            LaunchTemplateConfigs=[{
                "LaunchTemplateSpecification": {"LaunchTemplateName": cls.name, "Version": "$Latest"},
                "Overrides": [{"InstanceType": "m5.large", "AvailabilityZone": "us-east-1a", "Priority": 1.5}],
            }],
            TargetCapacitySpecification={"TotalTargetCapacity": 2, "DefaultTargetCapacityType": "on-demand"},
        )
        cls.fleet_id = fleet["FleetId"]
        cls.instances = [i for launch in fleet["Instances"] for i in launch["InstanceIds"]]

    @classmethod
    def tearDownClass(cls):
        cls.client.delete_fleets(FleetIds=[cls.fleet_id], TerminateInstances=True)
        cls.client.delete_launch_template(LaunchTemplateName=cls.name)

    def assert_reads_as(self, through_boto3, through_js, path):
        if isinstance(through_boto3, dict):
            self.assertIsInstance(through_js, dict, path)
            for key, value in through_boto3.items():
                self.assertIn(key, through_js, f"{path}.{key}: boto3 reads it, the JS SDK does not")
                self.assert_reads_as(value, through_js[key], f"{path}.{key}")
        elif isinstance(through_boto3, list):
            self.assertIsInstance(through_js, list, path)
            self.assertEqual(len(through_boto3), len(through_js), path)
            for index, (a, b) in enumerate(zip(through_boto3, through_js)):
                self.assert_reads_as(a, b, f"{path}[{index}]")
        elif isinstance(through_boto3, datetime):
            self.assertEqual(iso(through_boto3), through_js, path)
        else:
            self.assertEqual(through_boto3, through_js, path)

    def test_every_new_read(self):
        reads = [
            ("DescribeVpcs", {}),
            ("DescribeSubnets", {}),
            ("DescribeSecurityGroups", {}),
            ("DescribeImages", {"Owners": ["self"]}),
            ("DescribeAvailabilityZones", {}),
            ("DescribeInstanceTypeOfferings", {"LocationType": "availability-zone-id", "Filters": [{"Name": "instance-type", "Values": ["m5.large"]}]}),
            ("DescribeInstanceTypes", {"InstanceTypes": ["m5.large", "p4d.24xlarge", "t3.micro", "inf2.xlarge"]}),
            ("DescribeLaunchTemplates", {"LaunchTemplateNames": [self.name]}),
            ("DescribeLaunchTemplateVersions", {"LaunchTemplateName": self.name}),
            ("DescribeFleets", {"FleetIds": [self.fleet_id]}),
            ("DescribeInstances", {"InstanceIds": self.instances}),
            ("DescribeTags", {"Filters": [{"Name": "resource-id", "Values": self.instances}]}),
            ("DescribeInstanceAttribute", {"InstanceId": self.instances[0], "Attribute": "userData"}),
            ("DescribeInstanceAttribute", {"InstanceId": self.instances[0], "Attribute": "groupSet"}),
            ("DescribeInstanceAttribute", {"InstanceId": self.instances[0], "Attribute": "disableApiTermination"}),
        ]
        answers = js_sdk_batch([(ACCOUNT, "us-east-1", params, action) for action, params in reads])
        for (action, params), answer in zip(reads, answers):
            with self.subTest(action=action, params=params):
                self.assertIn("output", answer, answer)
                snake = "".join("_" + c.lower() if c.isupper() else c for c in action).lstrip("_")
                through_boto3 = getattr(self.client, snake)(**params)
                through_boto3.pop("ResponseMetadata")
                self.assertGreater(len(through_boto3), 0)
                self.assert_reads_as(through_boto3, answer["output"], action)

    def test_every_instance_type_of_the_catalogue(self):
        pages, token = [], None
        while True:
            self.assertLessEqual(len(pages), MAX_PAGES)
            params = {"MaxResults": 100, **({"NextToken": token} if token else {})}
            page = self.client.describe_instance_types(**params)
            pages.append((params, page["InstanceTypes"]))
            token = page.get("NextToken")
            if not token:
                break
        self.assertGreater(sum(len(types) for _, types in pages), 1300)
        answers = js_sdk_batch([(ACCOUNT, "us-east-1", params, "DescribeInstanceTypes") for params, _ in pages])
        for (params, through_boto3), answer in zip(pages, answers):
            self.assertIn("output", answer, answer)
            self.assert_reads_as(through_boto3, answer["output"]["InstanceTypes"], f"DescribeInstanceTypes {params.get('NextToken', 'first page')}")


class NewActionsThroughTheCli(unittest.TestCase):
    def cli(self, args):
        done = aws(args, access_key=ACCOUNT)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout) if done.stdout.strip() else {}

    def test_describe_vpcs(self):
        control("POST", "/fixtures", FIXTURE)
        vpcs = self.cli(["describe-vpcs", "--page-size", "5"])["Vpcs"]
        self.assertEqual(len(vpcs), 7)
        default = [v for v in vpcs if v["IsDefault"]]
        self.assertEqual([(v["CidrBlock"], v["State"], v["OwnerId"]) for v in default], [("172.31.0.0/16", "available", ACCOUNT)])

    def test_a_template_an_instance_from_it_and_a_fleet_through_the_cli(self):
        name = f"cli-{uuid.uuid4().hex[:8]}"
        data = json.dumps({"ImageId": AMI, "InstanceType": "c5.large", "TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "via", "Value": "cli"}]}]})
        template = self.cli(["create-launch-template", "--launch-template-name", name, "--launch-template-data", data])["LaunchTemplate"]
        self.addCleanup(aws, ["delete-launch-template", "--launch-template-id", template["LaunchTemplateId"]], access_key=ACCOUNT)
        self.assertEqual((template["LaunchTemplateName"], template["LatestVersionNumber"]), (name, 1))
        launched = self.cli(["run-instances", "--launch-template", f"LaunchTemplateName={name},Version=$Latest", "--count", "2"])["Instances"]
        self.assertEqual([i["InstanceType"] for i in launched], ["c5.large", "c5.large"])
        self.assertEqual([t for t in launched[0]["Tags"] if t["Key"] == "via"], [{"Key": "via", "Value": "cli"}])
        self.addCleanup(aws, ["terminate-instances", "--instance-ids", *[i["InstanceId"] for i in launched]], access_key=ACCOUNT)
        fleet = self.cli([
            "create-fleet", "--type", "instant",
            "--launch-template-configs", json.dumps([{"LaunchTemplateSpecification": {"LaunchTemplateName": name, "Version": "$Latest"}}]),
            "--target-capacity-specification", "TotalTargetCapacity=1,DefaultTargetCapacityType=on-demand",
        ])
        fleet_id = fleet["FleetId"]
        described = self.cli(["describe-fleets", "--fleet-ids", fleet_id])["Fleets"]
        self.assertEqual([(f["FleetId"], f["FleetState"], f["Type"]) for f in described], [(fleet_id, "active", "instant")])
        kept = self.cli(["delete-fleets", "--fleet-ids", fleet_id, "--no-terminate-instances"])
        self.assertEqual(
            [(d["FleetId"], d["Error"]["Code"]) for d in kept["UnsuccessfulFleetDeletions"]], [(fleet_id, "fleetNotInDeletableState")]
        )
        deleted = self.cli(["delete-fleets", "--fleet-ids", fleet_id, "--terminate-instances"])
        self.assertEqual([(d["FleetId"], d["CurrentFleetState"]) for d in deleted["SuccessfulFleetDeletions"]], [(fleet_id, "deleted_terminating")])
        self.assertEqual(deleted["UnsuccessfulFleetDeletions"], [])


if __name__ == "__main__":
    unittest.main()
