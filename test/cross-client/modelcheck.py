# Checks a raw EC2 answer against the JS SDK's model of EC2: each element a member of its shape, in the model's order, by its locationName, recursively.

import gzip
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import botocore

from crossclient import HERE, NODE, ROOT, local

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
INTEGER = re.compile(r"^-?\d+$")


def load_model():
    """The EC2 model of the botocore boto3 runs on here (Debian's)."""
    folder = os.path.join(os.path.dirname(botocore.__file__), "data", "ec2", "2016-11-15")
    plain = os.path.join(folder, "service-2.json")
    if os.path.exists(plain):
        with open(plain, encoding="utf-8") as f:
            return json.load(f)
    with gzip.open(plain + ".gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def sdk_model(actions):
    """The output shapes of these actions in the JS SDK's model (@aws-sdk/client-ec2, the emulator's authority).

    sdkmodel.mjs reads them from node_modules and writes them in botocore's form; numbers are one kind
    there ("number"), so their width comes from Debian's botocore where it has the member.
    """
    done = subprocess.run(
        [NODE, os.path.join(HERE, "sdkmodel.mjs"), *actions], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"sdkmodel.mjs failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


class ModelCheck:
    """Walks one answer's XML along an operation's output shape and lists every departure from the model.

    reference: the model names, locationNames, order, item names, enum values and scalar kinds are checked
    against (the JS SDK's, from sdk_model()).
    debian: the model Debian's boto3 parses with; a member it lacks (where it reads the parent) must be in
    newer_members: {(shape name, element name): reason}. It also gives a number's width (integer or double).
    """

    def __init__(self, reference, debian, newer_members=None):
        self.reference = reference["shapes"]
        self.operations = reference["operations"]
        self.debian = debian["shapes"]
        self.debian_operations = debian["operations"]
        self.newer_members = newer_members or {}
        # (shape, wire name) of every member element met, so a check can say what it covered.
        self.seen = set()
        # (shape, wire name) met that Debian's botocore lacks, each allowed by newer_members.
        self.newer_met = set()

    @staticmethod
    def wire_members(shapes, shape_name):
        # botocore's XML parser reads a member by its locationName, else by the member's own name.
        members = shapes[shape_name].get("members", {})
        return [(member.get("locationName", name), member["shape"]) for name, member in members.items()]

    def check_answer(self, operation, body):
        """The problems of one successful answer (bytes), as text lines; [] when it matches the model."""
        root = ET.fromstring(body)
        problems = []
        if local(root.tag) != f"{operation}Response":
            problems.append(f"root element {local(root.tag)}, not {operation}Response")
        children = list(root)
        if not children or local(children[0].tag) != "requestId":
            problems.append("requestId is not the first element")
        else:
            children = children[1:]
        output = self.operations[operation].get("output")
        if output is None:
            # An operation without an output shape: EC2 answers <return>true</return> at most.
            extra = [local(child.tag) for child in children if local(child.tag) != "return"]
            if extra:
                problems.append(f"{operation}: elements {extra} where the model has no output")
            return problems
        debian_operation = self.debian_operations.get(operation)
        debian_shape = debian_operation["output"]["shape"] if debian_operation and "output" in debian_operation else None
        self.structure(output["shape"], debian_shape, children, operation, problems)
        return problems

    def structure(self, shape_name, debian_shape, children, path, problems):
        members = self.wire_members(self.reference, shape_name)
        order = [name for name, _ in members]
        shape_of = dict(members)
        debian_of = dict(self.wire_members(self.debian, debian_shape)) if debian_shape in self.debian else None
        last = -1
        met = set()
        for child in children:
            name = local(child.tag)
            where = f"{path}.{name}"
            if name in met:
                problems.append(f"{where}: repeated in {shape_name}")
                continue
            met.add(name)
            if name not in shape_of:
                problems.append(f"{where}: not a member of {shape_name} (its members: {', '.join(order)})")
                continue
            self.seen.add((shape_name, name))
            if debian_of is not None and name not in debian_of:
                if (shape_name, name) in self.newer_members:
                    self.newer_met.add((shape_name, name))
                else:
                    problems.append(f"{where}: a member of {shape_name} that Debian's botocore lacks, not in NEWER_MEMBERS")
            index = order.index(name)
            if index < last:
                problems.append(f"{where}: out of {shape_name}'s order ({order[last]} came before it)")
            last = max(last, index)
            self.value(shape_of[name], (debian_of or {}).get(name), child, where, problems)

    def value(self, shape_name, debian_shape, element, path, problems):
        shape = self.reference[shape_name]
        kind = shape["type"]
        if kind == "structure":
            self.structure(shape_name, debian_shape, list(element), path, problems)
        elif kind == "list":
            # sdkmodel.mjs names every list's items (Smithy's default, <member>, where the model names none).
            item_name = shape["member"]["locationName"]
            debian_list = self.debian.get(debian_shape) if debian_shape else None
            debian_item = debian_list["member"]["shape"] if debian_list and debian_list["type"] == "list" else None
            for index, item in enumerate(element):
                if local(item.tag) != item_name:
                    problems.append(f"{path}: item {index} is <{local(item.tag)}>, not <{item_name}>")
                self.value(shape["member"]["shape"], debian_item, item, f"{path}[{index}]", problems)
        else:
            if len(element):
                problems.append(f"{path}: a {kind} ({shape_name}) with child elements")
                return
            self.scalar(shape_name, shape, debian_shape, element.text or "", path, problems)

    def scalar(self, shape_name, shape, debian_shape, text, path, problems):
        kind = shape["type"]
        if kind == "number":
            # The JS SDK's schemas keep one kind for every number; Debian's botocore knows the width of the
            # members it has. A member newer than it may be either: any number.
            debian_kind = self.debian[debian_shape]["type"] if debian_shape in self.debian else None
            kind = debian_kind if debian_kind in ("integer", "long", "double", "float") else "double"
        if kind == "boolean" and text not in ("true", "false"):
            problems.append(f"{path}: boolean {text!r}")
        elif kind in ("integer", "long") and not INTEGER.match(text):
            problems.append(f"{path}: {kind} {text!r}")
        elif kind in ("double", "float"):
            try:
                float(text)
            except ValueError:
                problems.append(f"{path}: {kind} {text!r}")
        elif kind == "timestamp" and not TIMESTAMP.match(text):
            problems.append(f"{path}: timestamp {text!r}")
        elif kind == "string" and "enum" in shape and text not in shape["enum"]:
            problems.append(f"{path}: {text!r} is not one of {shape_name}'s values")
