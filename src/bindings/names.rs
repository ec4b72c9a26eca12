//! Identifiers for the generated code: every permission, group and role id mapped to a valid,
//! unique identifier of the target language, deterministically (docs/artifact.md,
//! "Bindings"). Identifiers are ASCII: a name's words are its runs of ASCII letters and
//! digits after NFKD with combining marks dropped (`księgowa-pl` → `ksiegowa`, `pl`); a
//! letter or digit with no ASCII form becomes a word of its own, `u` and its code point in
//! hexadecimal (`ł` → `u0142`). Names that give the same identifier keep it in the order they
//! come, the first plainly, the others with a number (`2`, `3`, …) that no other name's plain
//! identifier uses.

use std::collections::{HashMap, HashSet};

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// How an identifier's words are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    /// `SalesLead`: Rust's enum variants.
    UpperCamel,
    /// `SALES_LEAD`: constants in TypeScript and Python.
    ScreamingSnake,
}

/// The identifier of each of `names`, in their order: valid in `case`'s languages, unique,
/// and none of `reserved`.
pub(crate) fn identifiers<'n>(
    names: impl Iterator<Item = &'n str>,
    case: Case,
    reserved: &[&str],
) -> Vec<String> {
    identifiers_counted(names, case, reserved).0
}

/// [`identifiers`], and how many numbered identifiers were tried: at most one per name plus
/// one per plain identifier skipped, so linear in the number of names however many collide
/// (each plain identifier's numbering goes on from where it stopped).
fn identifiers_counted<'n>(
    names: impl Iterator<Item = &'n str>,
    case: Case,
    reserved: &[&str],
) -> (Vec<String>, usize) {
    let plain: Vec<String> = names.map(|name| identifier(&words(name), case)).collect();
    // A number is only ever added where it cannot take another name's plain identifier.
    let claimed: HashSet<&str> = plain.iter().map(String::as_str).collect();
    let mut taken: HashSet<String> = reserved.iter().map(|word| word.to_string()).collect();
    let mut next_number: HashMap<&str, usize> = HashMap::new();
    let mut tries = 0;
    let mut assigned = Vec::with_capacity(plain.len());
    for base in &plain {
        if !taken.contains(base) {
            taken.insert(base.clone());
            assigned.push(base.clone());
            continue;
        }
        let number = next_number.entry(base.as_str()).or_insert(2);
        let numbered = loop {
            tries += 1;
            let candidate = numbered(base, *number, case);
            *number += 1;
            if !taken.contains(&candidate) && !claimed.contains(candidate.as_str()) {
                break candidate;
            }
        };
        taken.insert(numbered.clone());
        assigned.push(numbered);
    }
    (assigned, tries)
}

/// The words of `name`: runs of ASCII letters and digits, lowercase, after NFKD with
/// combining marks dropped; a letter or digit without an ASCII form is a word `uXXXX`.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in name.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            continue;
        }
        if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if !c.is_ascii() && c.is_alphanumeric() {
            words.push(format!("u{:04x}", u32::from(c)));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `words` joined in `case`; `Unnamed` when there are none, and `_` before a leading digit.
fn identifier(words: &[String], case: Case) -> String {
    let mut out = String::new();
    for word in words {
        match case {
            Case::UpperCamel => {
                // `V1_2`, not `V12` (another name's identifier); no `_` next to a letter,
                // which Rust's `non_camel_case_types` would warn about.
                let digits_meet = out.ends_with(|c: char| c.is_ascii_digit())
                    && word.starts_with(|c: char| c.is_ascii_digit());
                if digits_meet {
                    out.push('_');
                }
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.extend(chars);
                }
            }
            Case::ScreamingSnake => {
                if !out.is_empty() {
                    out.push('_');
                }
                out.push_str(&word.to_ascii_uppercase());
            }
        }
    }
    if out.is_empty() {
        out.push_str(match case {
            Case::UpperCamel => "Unnamed",
            Case::ScreamingSnake => "UNNAMED",
        });
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `base` with `number` added: `Base2` (`Base1_2` after a digit), `BASE_2`.
fn numbered(base: &str, number: usize, case: Case) -> String {
    match case {
        Case::UpperCamel if !base.ends_with(|c: char| c.is_ascii_digit()) => {
            format!("{base}{number}")
        }
        _ => format!("{base}_{number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camel(names: &[&str]) -> Vec<String> {
        identifiers(names.iter().copied(), Case::UpperCamel, &["Self"])
    }

    fn screaming(names: &[&str]) -> Vec<String> {
        identifiers(names.iter().copied(), Case::ScreamingSnake, &[])
    }

    #[test]
    fn names_become_identifiers() {
        let names = [
            "profile",
            "noe/widgets",
            "sales-lead",
            "księgowa-pl",
            "zespół",
            "2fa-admin",
            "v1-2",
            "",
            "!!",
            "Ｆｕｌｌ",
            "бух",
        ];
        assert_eq!(
            camel(&names),
            [
                "Profile",
                "NoeWidgets",
                "SalesLead",
                "KsiegowaPl",
                "ZespoU0142",
                "_2faAdmin",
                "V1_2",
                "Unnamed",
                "Unnamed2",
                "Full",
                "U0431U0443U0445",
            ]
        );
        assert_eq!(
            screaming(&names),
            [
                "PROFILE",
                "NOE_WIDGETS",
                "SALES_LEAD",
                "KSIEGOWA_PL",
                "ZESPO_U0142",
                "_2FA_ADMIN",
                "V1_2",
                "UNNAMED",
                "UNNAMED_2",
                "FULL",
                "U0431_U0443_U0445",
            ]
        );
    }

    #[test]
    fn colliding_names_get_numbers_that_no_other_name_uses() {
        // `noe_widgets_2`'s own identifier is `NOE_WIDGETS_2`: the second `noe…widgets`
        // skips it. The first of a colliding pair keeps the plain identifier.
        assert_eq!(
            screaming(&["noe/widgets", "noe_widgets", "noe-widgets", "noe_widgets_2"]),
            [
                "NOE_WIDGETS",
                "NOE_WIDGETS_3",
                "NOE_WIDGETS_4",
                "NOE_WIDGETS_2"
            ]
        );
        assert_eq!(
            camel(&["ksiegowa-pl", "księgowa-pl", "ksiegowa-pl2"]),
            ["KsiegowaPl", "KsiegowaPl3", "KsiegowaPl2"]
        );
        assert_eq!(camel(&["a1", "a-1", "a1-2"]), ["A1", "A1_3", "A1_2"]);
        // Reserved words are never used plainly.
        assert_eq!(camel(&["self", "self-2"]), ["Self3", "Self2"]);
        // The same names give the same identifiers.
        assert_eq!(camel(&["x", "x", "x"]), camel(&["x", "x", "x"]));
    }

    #[test]
    fn many_names_on_one_identifier_cost_linear_work() {
        // `e` with 4,000 different mark sequences (and `e2`, `e3`, ... among them): all but
        // the numbered names want the identifier `E`.
        let marks = ['\u{0300}', '\u{0301}', '\u{0302}', '\u{0303}', '\u{0308}'];
        let mut names: Vec<String> = (0..4000usize)
            .map(|i| {
                let mut name = String::from("e");
                let mut rest = i;
                while rest > 0 {
                    name.push(marks[rest % marks.len()]);
                    rest /= marks.len();
                }
                name
            })
            .collect();
        names.extend((2..500).map(|n| format!("e{n}")));
        let (found, tries) =
            identifiers_counted(names.iter().map(String::as_str), Case::UpperCamel, &[]);
        assert_eq!(found.iter().collect::<HashSet<_>>().len(), names.len());
        assert_eq!(found[0], "E");
        assert_eq!(found[3999], "E4498");
        assert!(
            tries <= 2 * names.len(),
            "{tries} tries for {} names",
            names.len()
        );
    }

    #[test]
    fn identifiers_are_unique_and_valid() {
        let names: Vec<String> = (0..300)
            .map(|i| match i % 5 {
                0 => format!("r{}", i / 10),
                1 => format!("r-{}", i / 10),
                2 => format!("{}", i / 7),
                3 => "ż".repeat(i % 3),
                _ => format!("a/{}_b", i % 4),
            })
            .collect();
        for case in [Case::UpperCamel, Case::ScreamingSnake] {
            let found = identifiers(names.iter().map(String::as_str), case, &["Self"]);
            let unique: HashSet<&String> = found.iter().collect();
            assert_eq!(unique.len(), names.len(), "{found:?}");
            for identifier in &found {
                assert!(identifier != "Self");
                let mut chars = identifier.chars();
                let first = chars.next().unwrap();
                assert!(first == '_' || first.is_ascii_alphabetic(), "{identifier}");
                assert!(
                    chars.all(|c| c == '_' || c.is_ascii_alphanumeric()),
                    "{identifier}"
                );
                if case == Case::UpperCamel {
                    assert!(!identifier.contains("__"), "{identifier}");
                }
            }
        }
    }
}
