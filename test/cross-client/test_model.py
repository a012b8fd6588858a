# The emulator's GetCapacityReservationUsage against botocore's own service model (Debian's python3-botocore): names, locationNames, order.

import unittest

from crossclient import DEMO_INTERRUPTIBLE_SOURCE, DEMO_LARGE, DEMO_SHARED, child_names, raw
from modelcheck import load_model

# Members newer than some botocore releases (the interruptible capacity reservations of 2025).
NEWER_MEMBERS = {"interruptible", "interruptibleCapacityAllocation", "interruptionInfo"}



class BotocoreModel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.model = load_model()
        operation = cls.model["operations"]["GetCapacityReservationUsage"]
        cls.input = cls.model["shapes"][operation["input"]["shape"]]
        cls.output = cls.model["shapes"][operation["output"]["shape"]]

    def location_names(self, shape):
        return [member.get("locationName", name[0].lower() + name[1:]) for name, member in shape["members"].items()]

    def usage(self, reservation_id, **extra):
        form = {"Action": "GetCapacityReservationUsage", "CapacityReservationId": reservation_id, **extra}
        return raw(form=form).xml()

    def test_the_request_members_are_the_ones_the_emulator_accepts(self):
        self.assertEqual(list(self.input["members"]), ["CapacityReservationId", "NextToken", "MaxResults", "DryRun"])
        self.assertEqual(self.input.get("required"), ["CapacityReservationId"])

    def test_every_rendered_member_is_in_the_model_in_the_models_order(self):
        order = self.location_names(self.output)
        for reservation_id, extra in ((DEMO_SHARED, {}), (DEMO_LARGE, {"MaxResults": "5"}), (DEMO_INTERRUPTIBLE_SOURCE, {})):
            with self.subTest(id=reservation_id):
                rendered = child_names(self.usage(reservation_id, **extra))[1:]  # after requestId
                known = [name for name in rendered if name in order]
                unknown = [name for name in rendered if name not in order]
                self.assertEqual(known, sorted(known, key=order.index))
                self.assertLessEqual(set(unknown), NEWER_MEMBERS)
                # Every member the model has is rendered (nextToken only while rows remain).
                expected = [name for name in order if name != "nextToken" or reservation_id == DEMO_LARGE]
                self.assertEqual([name for name in expected if name in rendered], expected)

    def test_the_usage_item_matches_the_model(self):
        list_member = self.output["members"]["InstanceUsages"]
        list_shape = self.model["shapes"][list_member["shape"]]
        self.assertEqual(list_member["locationName"], "instanceUsageSet")
        self.assertEqual(list_shape["member"].get("locationName"), "item")
        item_names = self.location_names(self.model["shapes"][list_shape["member"]["shape"]])
        usage_set = self.usage(DEMO_SHARED)[-1]
        for item in usage_set:
            self.assertEqual(child_names(item), item_names)

    def test_the_newer_members_match_the_model_when_it_has_them(self):
        members = self.output["members"]
        rendered = self.usage(DEMO_INTERRUPTIBLE_SOURCE)
        names = child_names(rendered)
        for member_name, location in (("Interruptible", "interruptible"), ("InterruptibleCapacityAllocation", "interruptibleCapacityAllocation")):
            with self.subTest(member=member_name):
                if member_name in members:
                    self.assertEqual(members[member_name].get("locationName"), location)
                self.assertIn(location, names)
        if "InterruptibleCapacityAllocation" in members:
            allocation = self.model["shapes"][members["InterruptibleCapacityAllocation"]["shape"]]
            self.assertEqual(child_names(rendered[-1]), self.location_names(allocation))


if __name__ == "__main__":
    unittest.main()
