"""An application that loads the artifact of `policies/` through the generated bindings.

The bindings (`rolec_roles.py`) are written by
`rolec bindings --lang python policies/ -o rolec_roles.py`; then

    python3 main.py ARTIFACT.json

refuses an artifact other than the one the bindings were generated from (their SHA-256
differs: generate the bindings again), reads the roles the artifact holds, and answers
`can(role id, permission)` from them; every answer is checked against the bindings' own
table. Exit status 1 when an answer is wrong.
"""

from __future__ import annotations

import hashlib
import json
import sys

import rolec_roles
from rolec_roles import PERMISSIONS, ROLE_IDS, Permission, Permissions, RoleId, Roles


def load(path: str) -> dict[RoleId, frozenset[Permission]]:
    """Each role's permissions, read from the artifact at `path`."""
    with open(path, "rb") as file:
        data = file.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != rolec_roles.ARTIFACT_SHA256:
        raise ValueError(
            f"{path} is not the artifact the bindings were generated from "
            f"(SHA-256 {digest}, not {rolec_roles.ARTIFACT_SHA256}): generate them again"
        )
    artifact = json.loads(data)
    if artifact["schema"] != rolec_roles.ARTIFACT_SCHEMA:
        raise ValueError(f"{path} has the schema {artifact['schema']}")
    roles: dict[RoleId, frozenset[Permission]] = {}
    for role in artifact["roles"]:
        role_id = role["id"]
        if not rolec_roles.is_role_id(role_id):
            raise ValueError(f"{path} has a role the bindings do not know: {role_id}")
        roles[role_id] = frozenset(p for p in role["permissions"] if rolec_roles.is_permission(p))
    return roles


# Questions with their expected answers: the assertions of `policies/`. Plain strings are
# checked too: "cms" is a `Permission`, "cms-admin" would fail `mypy --strict`.
QUESTIONS: list[tuple[RoleId, Permission, bool]] = [
    (Roles.ACCOUNTANT, Permissions.BILLING, True),
    (Roles.ACCOUNTANT, Permissions.FISKATOR, True),
    (Roles.ACCOUNTANT, Permissions.COMMERCE, False),
    (Roles.OFFICE_MANAGER, Permissions.ROLES, True),
    (Roles.OFFICE_MANAGER, Permissions.BILLING, False),
    (Roles.CONTENT_EDITOR, Permissions.KB, True),
    ("content-editor", "cms", False),
    ("web-publisher", "cms", True),
]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python3 main.py ARTIFACT.json", file=sys.stderr)
        return 2
    try:
        roles = load(argv[1])
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    def loaded_can(role: RoleId, permission: Permission) -> bool:
        return permission in roles.get(role, frozenset())

    wrong = 0
    for role, permission, expected in QUESTIONS:
        answer = loaded_can(role, permission)
        note = "" if answer == expected else f", expected {expected}"
        print(f"can({role}, {permission}) = {answer}{note}")
        wrong += answer != expected
    # The loaded artifact and the bindings' table agree on every role and permission.
    for role in ROLE_IDS:
        for permission in PERMISSIONS:
            if loaded_can(role, permission) != rolec_roles.can(role, permission):
                print(f"the artifact and the bindings disagree on can({role}, {permission})")
                wrong += 1
    print(f"ok: {len(roles)} roles" if wrong == 0 else f"{wrong} wrong answers")
    return 0 if wrong == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
