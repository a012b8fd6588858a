# Checks a raw EC2 answer against botocore's service model: each element a member of its shape, in the model's order, by its locationName, recursively.

import gzip
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import botocore

from crossclient import local

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
INTEGER = re.compile(r"^-?\d+$")


def read_model(botocore_folder):
    folder = os.path.join(botocore_folder, "data", "ec2", "2016-11-15")
    plain = os.path.join(folder, "service-2.json")
    if os.path.exists(plain):
        with open(plain, encoding="utf-8") as f:
            return json.load(f)
    with gzip.open(plain + ".gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def load_model():
    """The EC2 model of the botocore boto3 runs on here (Debian's)."""
    return read_model(os.path.dirname(botocore.__file__))


def newest_model():
    """(version, model) of the newest botocore on this machine besides Debian's, or None.

    Debian's botocore (1.29) predates members, actions and a reordering of old shapes that the JS SDK's
    model, the emulator's authority, has; a newer botocore (a python3 on PATH, or BOTOCORE_FOLDER) says
    which of those are EC2's and gives the order of today's model.
    """
    folders = []
    if os.environ.get("BOTOCORE_FOLDER"):
        folders.append(os.environ["BOTOCORE_FOLDER"])
    for python in {shutil.which("python3"), shutil.which("python")} - {None, "/usr/bin/python3"}:
        done = subprocess.run(
            [python, "-c", "import botocore, os; print(botocore.__version__, os.path.dirname(botocore.__file__))"],
            capture_output=True, text=True, timeout=60, env={"PATH": os.environ.get("PATH", "")},
        )
        if done.returncode == 0 and done.stdout.strip():
            folders.append(done.stdout.split(maxsplit=1)[1].strip())
    best = None
    for folder in folders:
        version_file = os.path.join(folder, "__init__.py")
        with open(version_file, encoding="utf-8") as f:
            match = re.search(r"__version__ = '([0-9.]+)'", f.read())
        version = tuple(int(part) for part in match.group(1).split(".")) if match else (0,)
        if version > tuple(int(part) for part in botocore.__version__.split(".")) and (best is None or version > best[0]):
            best = (version, read_model(folder))
    return best


class ModelCheck:
    """Walks one answer's XML along an operation's output shape and lists every departure from the model.

    reference: the model names, locationNames, types and order are checked against (the newest botocore here).
    debian: the model Debian's boto3 parses with; a member it lacks (where it reads the parent) must be in
    newer_members: {(shape name, element name): reason}.
    newer_values: {(enum shape name, value): reason} for enum values the reference model does not list.
    """

    def __init__(self, reference, debian, newer_members=None, newer_values=None, current=True):
        # Debian's botocore lists old shapes alphabetically and lacks today's enum values: order and
        # enum values are checked only when the reference is a newer, current model.
        self.current = current
        self.reference = reference["shapes"]
        self.operations = reference["operations"]
        self.debian = debian["shapes"]
        self.debian_operations = debian["operations"]
        self.newer_members = newer_members or {}
        self.newer_values = newer_values or {}
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
                if (shape_name, name) in self.newer_members:
                    self.newer_met.add((shape_name, name))
                    continue
                problems.append(f"{where}: not a member of {shape_name} (its members: {', '.join(order)})")
                continue
            self.seen.add((shape_name, name))
            if debian_of is not None and name not in debian_of:
                if (shape_name, name) in self.newer_members:
                    self.newer_met.add((shape_name, name))
                else:
                    problems.append(f"{where}: a member of {shape_name} that Debian's botocore lacks, not in NEWER_MEMBERS")
            index = order.index(name)
            if self.current and index < last:
                problems.append(f"{where}: out of {shape_name}'s order ({order[last]} came before it)")
            last = max(last, index)
            self.value(shape_of[name], (debian_of or {}).get(name), child, where, problems)

    def value(self, shape_name, debian_shape, element, path, problems):
        shape = self.reference[shape_name]
        kind = shape["type"]
        if kind == "structure":
            self.structure(shape_name, debian_shape, list(element), path, problems)
        elif kind == "list":
            # Without a locationName on the member, Smithy's default (the JS and Go SDKs read it): <member>.
            item_name = shape["member"].get("locationName", "member")
            debian_list = self.debian.get(debian_shape) if debian_shape else None
            debian_item = debian_list["member"]["shape"] if debian_list and debian_list["type"] == "list" else None
            for index, item in enumerate(element):
                if local(item.tag) != item_name:
                    problems.append(f"{path}: item {index} is <{local(item.tag)}>, not <{item_name}>")
                self.value(shape["member"]["shape"], debian_item, item, f"{path}[{index}]", problems)
        elif kind == "map":
            for index, entry in enumerate(element):
                names = [local(child.tag) for child in entry]
                key_name = shape["key"].get("locationName", "key")
                value_name = shape["value"].get("locationName", "value")
                if names != [key_name, value_name]:
                    problems.append(f"{path}[{index}]: map entry {names}, not [{key_name}, {value_name}]")
        else:
            if len(element):
                problems.append(f"{path}: a {kind} ({shape_name}) with child elements")
                return
            self.scalar(shape_name, shape, element.text or "", path, problems)

    def scalar(self, shape_name, shape, text, path, problems):
        kind = shape["type"]
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
        elif self.current and kind == "string" and "enum" in shape and text not in shape["enum"]:
            if (shape_name, text) not in self.newer_values and (shape_name, "*") not in self.newer_values:
                problems.append(f"{path}: {text!r} is not one of {shape_name}'s values")
