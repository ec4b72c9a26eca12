//! Generates realistic policy sets for benchmarks: copy chains, inheritance fan-in, group
//! edits, delegated authors and assertions, spread over files. Every generated set compiles
//! without errors on the embedded Intum catalog (the benchmark script checks it).

/// One generated `.roles` file: a relative path and its text.
pub struct GeneratedFile {
    pub path: String,
    pub text: String,
}

/// Permissions every `User` holds, used in edits that never escalate.
const USER_PERMISSIONS: [&str; 12] = [
    "crm", "payments", "mail", "webhooks", "reports", "calendar", "files", "drive", "kb",
    "helpdesk", "tasks", "projects",
];

/// Groups outside the sensitive ones, used in group edits.
const GROUPS: [&str; 4] = [
    "communication",
    "crm_and_sales",
    "content_and_files",
    "other",
];

/// A small deterministic pseudo-random generator (xorshift), so sets are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("crm")
    }
}

/// `roles` custom roles over about `roles / roles_per_file` files.
pub fn generate(roles: usize, roles_per_file: usize, seed: u64) -> Vec<GeneratedFile> {
    let mut rng = Rng(seed.max(1));
    let per_file = roles_per_file.max(10);
    let file_count = roles.div_ceil(per_file).max(1);
    let mut files = Vec::with_capacity(file_count + 1);
    // Delegated administration: one team admin per ten files, created by Administrator.
    let team_admins = file_count.div_ceil(10);
    let mut admins =
        String::from("# Team administrators, created by Administrator.\nauthor Administrator\n\n");
    for team in 0..team_admins {
        admins.push_str(&format!(
            "@doc(\"administers team {team}\")\nrole \"Team Admin {team}\" copies Administrator < -billing -fiskator -domains -account_reports >\n"
        ));
    }
    files.push(GeneratedFile {
        path: "admins.roles".into(),
        text: admins,
    });
    let mut made = 0;
    for file_index in 0..file_count {
        let delegated = file_index % 10 == 9;
        let author = if delegated {
            format!("\"Team Admin {}\"", file_index / 10)
        } else {
            "Administrator".to_string()
        };
        let mut text = format!("# Generated policy {file_index}.\nauthor {author}\n\n");
        let count = per_file.min(roles - made);
        // Whether each role of this file holds `insight`: a copy chain toggles it, so that
        // no copy ends up with exactly its base's permissions (the `same-as-base` lint).
        let mut holds_insight: Vec<bool> = Vec::with_capacity(count);
        for index in 0..count {
            let name = format!("Team {file_index} Role {index}");
            let kind = rng.below(10);
            let added = rng.pick(&USER_PERMISSIONS);
            let mut removed = rng.pick(&USER_PERMISSIONS);
            if removed == added {
                removed = if added == "webhooks" {
                    "mail"
                } else {
                    "webhooks"
                };
            }
            if index > 0 && kind < 3 {
                // A copy chain: each role starts from the previous one and toggles `insight`.
                let previous = holds_insight.get(index - 1).copied().unwrap_or(false);
                let edit = if previous { "-insight" } else { "+insight" };
                text.push_str(&format!(
                    "role \"{name}\" copies \"Team {file_index} Role {}\" < {edit} >\n",
                    index - 1
                ));
                let verb = if previous { "cannot" } else { "can" };
                text.push_str(&format!("assert \"{name}\" {verb} insight\n"));
                holds_insight.push(!previous);
                made += 1;
                continue;
            } else if index > 3 && kind < 5 {
                // Inheritance fan-in from earlier roles of the same file.
                let parents: Vec<usize> = (0..1 + rng.below(3)).map(|_| rng.below(index)).collect();
                let names: Vec<String> = parents
                    .iter()
                    .map(|parent| format!("\"Team {file_index} Role {parent}\""))
                    .collect();
                text.push_str(&format!(
                    "role \"{name}\" inherits {} < +{added} >\n",
                    names.join(", ")
                ));
                holds_insight.push(
                    parents
                        .iter()
                        .any(|&p| holds_insight.get(p).copied().unwrap_or(false)),
                );
            } else if kind < 8 {
                let group = rng.pick(&GROUPS);
                text.push_str(&format!(
                    "@doc(\"generated\")\nrole \"{name}\" copies Guest < +@{group} +{added} >\n"
                ));
                holds_insight.push(false);
            } else {
                text.push_str(&format!(
                    "role \"{name}\" copies User < -{removed} +{added} >\n"
                ));
                holds_insight.push(false);
            }
            if kind % 4 == 0 {
                text.push_str(&format!("assert \"{name}\" can {added}\n"));
            }
            made += 1;
        }
        files.push(GeneratedFile {
            path: format!("team-{file_index:05}.roles"),
            text,
        });
    }
    files
}
