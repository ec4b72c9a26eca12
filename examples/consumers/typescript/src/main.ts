// An application that loads the artifact of `policies/` through the generated bindings
// (`src/rolec-roles.ts`, written by `rolec bindings --lang typescript policies/ -o
// src/rolec-roles.ts`) and answers `can(role id, permission)`.
//
//   node out/main.js ARTIFACT.json
//
// It refuses an artifact other than the one the bindings were generated from (their SHA-256
// differs: generate the bindings again), reads the roles the artifact holds, and answers
// from them; every answer is checked against the bindings' own table. Exit status 1 when an
// answer is wrong.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import {
  ARTIFACT_SCHEMA,
  ARTIFACT_SHA256,
  PERMISSIONS,
  Permission,
  Permissions,
  ROLE_IDS,
  RoleId,
  Roles,
  can,
  isPermission,
  isRoleId,
} from "./rolec-roles";

/** The part of the artifact this application reads (docs/artifact.md). */
interface ArtifactJson {
  schema: string;
  roles: { id: string; name: string; permissions: string[] }[];
}

/** Each role's permissions, read from the artifact at `path`. */
function load(path: string): Map<RoleId, Set<Permission>> {
  const bytes = readFileSync(path);
  const digest = createHash("sha256").update(bytes).digest("hex");
  if (digest !== ARTIFACT_SHA256) {
    throw new Error(
      `${path} is not the artifact the bindings were generated from ` +
        `(SHA-256 ${digest}, not ${ARTIFACT_SHA256}): generate them again`,
    );
  }
  const artifact = JSON.parse(bytes.toString("utf8")) as ArtifactJson;
  if (artifact.schema !== ARTIFACT_SCHEMA) {
    throw new Error(`${path} has the schema ${artifact.schema}, not ${ARTIFACT_SCHEMA}`);
  }
  const roles = new Map<RoleId, Set<Permission>>();
  for (const role of artifact.roles) {
    if (!isRoleId(role.id)) {
      throw new Error(`${path} has a role the bindings do not know: ${role.id}`);
    }
    roles.set(role.id, new Set(role.permissions.filter(isPermission)));
  }
  return roles;
}

/** Questions with their expected answers: the assertions of `policies/`. */
const QUESTIONS: readonly [RoleId, Permission, boolean][] = [
  [Roles.ACCOUNTANT, Permissions.BILLING, true],
  [Roles.ACCOUNTANT, Permissions.FISKATOR, true],
  [Roles.ACCOUNTANT, Permissions.COMMERCE, false],
  [Roles.OFFICE_MANAGER, Permissions.ROLES, true],
  [Roles.OFFICE_MANAGER, Permissions.BILLING, false],
  [Roles.CONTENT_EDITOR, Permissions.KB, true],
  // Plain strings are checked too: "cms" is a `Permission`, "cms-admin" would not compile.
  ["content-editor", "cms", false],
  ["web-publisher", "cms", true],
];

function main(argv: readonly string[]): number {
  const path = argv[2];
  if (path === undefined) {
    console.error("usage: node out/main.js ARTIFACT.json");
    return 2;
  }
  let roles: Map<RoleId, Set<Permission>>;
  try {
    roles = load(path);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
  const loadedCan = (role: RoleId, permission: Permission): boolean =>
    roles.get(role)?.has(permission) ?? false;
  let wrong = 0;
  for (const [role, permission, expected] of QUESTIONS) {
    const answer = loadedCan(role, permission);
    const ok = answer === expected;
    console.log(`can(${role}, ${permission}) = ${answer}${ok ? "" : `, expected ${expected}`}`);
    if (!ok) wrong += 1;
  }
  // The loaded artifact and the bindings' table agree on every role and permission.
  for (const role of ROLE_IDS) {
    for (const permission of PERMISSIONS) {
      if (loadedCan(role, permission) !== can(role, permission)) {
        console.log(`the artifact and the bindings disagree on can(${role}, ${permission})`);
        wrong += 1;
      }
    }
  }
  console.log(wrong === 0 ? `ok: ${roles.size} roles` : `${wrong} wrong answers`);
  return wrong === 0 ? 0 : 1;
}

process.exitCode = main(process.argv);
