#!/usr/bin/env python3
"""Validates rolec's JSON Schemas and real documents with a second, independent validator.

The Rust tests validate every document they produce with the `jsonschema` crate; this script
checks the same contract with Python's `jsonschema` (a different implementation of draft
2020-12), against the release binary, as CI does (`.ci/run`, "schemas" section):

- each file of `schemas/` follows the draft 2020-12 metaschema and is what
  `rolec schema NAME` prints;
- the artifact of `policies/` (`rolec build policies/`) follows the artifact schema;
- the `check --format json` reports of a failing policy and of a command that cannot run
  follow the diagnostics schema;
- the `diff --format json` of a change to `policies/` follows the diff schema;
- a broken document of each kind is refused (the check is not vacuous).

    scripts/validate-schemas.py [ROLEC]      default: target/release/rolec

Needs `jsonschema` 4.x (`.ci/requirements.txt`). Exits 1 on any failure, naming it.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("artifact", "diff", "diagnostics")

# A policy with two errors (an escalation, an unknown permission) and a warning.
FAILING_POLICY = (
    "author Administrator\n"
    "role X copies User < +mail_private_all -nosuch >\n"
    "role Empty\n"
)

# Appended to a copy of policies/: a new role, so that the diff is not empty.
ADDED_ROLE = '\n@doc("added by scripts/validate-schemas.py")\nrole "Schema Check" copies User < -crm >\n'

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL {message}", file=sys.stderr)


def run(rolec, args, cwd, status):
    """Runs rolec; returns its stdout, or None (a failure recorded) on another status."""
    done = subprocess.run(
        [str(rolec), *args], cwd=cwd, capture_output=True, stdin=subprocess.DEVNULL
    )
    if done.returncode != status:
        fail(
            f"`rolec {' '.join(args)}` exited {done.returncode}, not {status}:\n"
            f"{done.stderr.decode(errors='replace')}"
        )
        return None
    return done.stdout


def load_validators(rolec):
    validators = {}
    for name in NAMES:
        path = ROOT / "schemas" / f"{name}.schema.json"
        text = path.read_bytes()
        schema = json.loads(text)
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            fail(f"{path.relative_to(ROOT)} breaks the draft 2020-12 metaschema: {error.message}")
            continue
        printed = run(rolec, ["schema", name], ROOT, 0)
        if printed is not None and printed != text:
            fail(
                f"{path.relative_to(ROOT)} differs from `rolec schema {name}`: "
                "run scripts/update-schemas.sh"
            )
        validators[name] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return validators


def validate(validators, name, text, what):
    """Validates one document; returns it parsed, or None."""
    if text is None or name not in validators:
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        fail(f"{what}: not JSON ({error})")
        return None
    errors = sorted(validators[name].iter_errors(document), key=lambda e: list(e.path))
    for error in errors[:20]:
        path = "/".join(str(part) for part in error.path)
        fail(f"{what}: {error.message} at `/{path}`")
    if not errors:
        print(f"ok   {what} follows schemas/{name}.schema.json")
    return document


def refuses(validators, name, document, what):
    """A broken document must be refused."""
    if name in validators and validators[name].is_valid(document):
        fail(f"the {name} schema accepts {what}")


def main():
    rolec = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target/release/rolec").resolve()
    if not rolec.is_file():
        print(f"no rolec binary at {rolec}: build it first (cargo build --release)", file=sys.stderr)
        return 1
    validators = load_validators(rolec)
    checked = 0

    artifact = validate(
        validators, "artifact", run(rolec, ["build", "policies/"], ROOT, 0), "`rolec build policies/`"
    )
    checked += 1

    with tempfile.TemporaryDirectory() as temp:
        temp = Path(temp)
        (temp / "bad.roles").write_text(FAILING_POLICY)
        report = validate(
            validators,
            "diagnostics",
            run(rolec, ["check", "--format", "json", "bad.roles"], temp, 1),
            "`rolec check --format json` of a failing policy",
        )
        checked += 1
        if report is not None and (report.get("errors"), report.get("warnings")) != (2, 1):
            fail(f"the failing policy's report counts {report.get('errors')} errors, {report.get('warnings')} warnings, not 2 and 1")
        validate(
            validators,
            "diagnostics",
            run(rolec, ["check", "--format", "json", "no-such-folder"], temp, 2),
            "`rolec check --format json` of a missing path (exit 2)",
        )
        checked += 1

        (temp / "base.json").write_bytes(run(rolec, ["build", "policies/"], ROOT, 0) or b"")
        shutil.copytree(ROOT / "policies", temp / "policies")
        with open(temp / "policies" / "sales.roles", "a", encoding="utf-8") as sales:
            sales.write(ADDED_ROLE)
        diff = validate(
            validators,
            "diff",
            run(rolec, ["diff", "base.json", "policies", "--format", "json"], temp, 0),
            "`rolec diff --format json` of a change to policies/",
        )
        checked += 1
        if diff is not None and not diff.get("roles"):
            fail("the diff of a change to policies/ lists no role")

    # The check is not vacuous: a broken document of each kind is refused.
    if artifact is not None:
        broken = json.loads(json.dumps(artifact))
        broken["schema"] = "rolec.artifact/v2"
        refuses(validators, "artifact", broken, "another schema version")
        broken = json.loads(json.dumps(artifact))
        del broken["roles"][0]["permissions"]
        refuses(validators, "artifact", broken, "a role without permissions")
    if report is not None and report.get("diagnostics"):
        broken = json.loads(json.dumps(report))
        broken["diagnostics"][0]["severity"] = "fatal"
        refuses(validators, "diagnostics", broken, "an unknown severity")
    if diff is not None and diff.get("roles"):
        broken = json.loads(json.dumps(diff))
        broken["roles"][0]["change"] = "moved"
        refuses(validators, "diff", broken, "an unknown change")

    if failures:
        print(f"schemas: {len(failures)} problem(s)", file=sys.stderr)
        return 1
    print(f"schemas: {len(validators)} schemas and {checked} documents valid, broken ones refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
