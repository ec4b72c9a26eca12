//! Names (docs/language.md, "Tokens" and "Name collisions"): what a valid permission, group and role name is, when two role names
//! collide, and the characters a reviewer could not see in a diff.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// Longest name (role, permission or group, bare or quoted), in characters.
pub const MAX_NAME_CHARS: usize = 100;

fn is_segment(segment: &str) -> bool {
    let mut bytes = segment.bytes();
    bytes.next().is_some_and(|first| first.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// `[a-z][a-z0-9_]*` segments joined by `/`.
pub fn is_valid_permission(name: &str) -> bool {
    name.split('/').all(is_segment)
}

/// `[a-z][a-z0-9_]*`.
pub fn is_valid_group(name: &str) -> bool {
    is_segment(name)
}

/// A bidirectional control character (CVE-2021-42574): the embeddings, overrides and
/// isolates, and the three marks (U+061C, U+200E, U+200F).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character that shows as nothing, or as a blank that is not a space: every Unicode
/// `Default_Ignorable_Code_Point` (from ICU4X's property tables, kept current with Unicode by
/// its maintainers: soft hyphen, zero-width characters, Hangul fillers, variation selectors,
/// tags, ...), the blank Braille pattern U+2800, and the interlinear annotation characters
/// U+FFF9–U+FFFB (which Unicode leaves out of `Default_Ignorable_Code_Point` but editors do
/// not show).
pub fn is_invisible(c: char) -> bool {
    use icu_properties::props::{BinaryProperty, DefaultIgnorableCodePoint};
    matches!(c, '\u{2800}' | '\u{FFF9}'..='\u{FFFB}') || DefaultIgnorableCodePoint::for_char(c)
}

/// A line break other than LF and CRLF (a carriage return is judged by what follows it):
/// editors break the line there and rolec does not, so text after it in a `#` comment would
/// look like code to a reviewer and be ignored by the compiler.
pub fn is_other_line_break(c: char) -> bool {
    matches!(
        c,
        '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' | '\u{2029}'
    )
}

/// `text` with every control, bidirectional or invisible character replaced by U+FFFD: an
/// artifact read from a file is untrusted, and its names must not drive the terminal or hide
/// text in a comment.
pub fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) || is_invisible(c) || is_other_line_break(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// What is wrong with a role name, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameProblem {
    pub problem: String,
    pub fix: &'static str,
}

/// Checks the rules of a role name's text (after unescaping).
pub fn check_role_name(name: &str) -> Result<(), NameProblem> {
    let ascii = name.is_ascii();
    if ascii
        && (1..=MAX_NAME_CHARS).contains(&name.len())
        && name.bytes().all(|byte| (b' '..=b'~').contains(&byte))
        && !name.starts_with(' ')
        && !name.ends_with(' ')
    {
        // Printable ASCII without edge spaces: the checks below all pass.
        return Ok(());
    }
    let length = name.chars().count();
    let problem = |problem: String, fix: &'static str| Err(NameProblem { problem, fix });
    if length == 0 {
        return problem("a role name cannot be empty".into(), "give the role a name");
    }
    if length > MAX_NAME_CHARS {
        return problem(
            format!("a role name has at most {MAX_NAME_CHARS} characters, this one has {length}"),
            "shorten the name",
        );
    }
    if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        return problem(
            "a role name cannot start or end with a space".into(),
            "remove the space inside the quotes",
        );
    }
    if let Some(c) = name
        .chars()
        .find(|&c| c.is_whitespace() && c != ' ' && !c.is_control() && !is_other_line_break(c))
    {
        return problem(
            format!(
                "a role name cannot contain the space character {}, only the plain space U+0020",
                describe_char(c)
            ),
            "replace it with a plain space: other spaces look the same in a diff",
        );
    }
    if let Some(c) = name.chars().find(|&c| c.is_control()) {
        return problem(
            format!(
                "a role name cannot contain the control character {}",
                describe_char(c)
            ),
            "remove the character from the name",
        );
    }
    if let Some(c) = name.chars().find(|&c| is_other_line_break(c)) {
        return problem(
            format!(
                "a role name cannot contain the line break {}",
                describe_char(c)
            ),
            "remove the character: a name stays on one line",
        );
    }
    if let Some(c) = name
        .chars()
        .find(|&c| is_bidi_control(c) || is_invisible(c))
    {
        return problem(
            format!(
                "a role name cannot contain the invisible character {}",
                describe_char(c)
            ),
            "remove the character: a reviewer cannot see it",
        );
    }
    Ok(())
}

/// `U+200B ZERO WIDTH SPACE`-style description of a character for messages.
pub fn describe_char(c: char) -> String {
    let name = match c {
        '\r' => "CARRIAGE RETURN",
        '\t' => "CHARACTER TABULATION",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{000B}' => "LINE TABULATION",
        '\u{000C}' => "FORM FEED",
        '\u{0085}' => "NEXT LINE",
        '\u{00A0}' => "NO-BREAK SPACE",
        '\u{00AD}' => "SOFT HYPHEN",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{115F}' => "HANGUL CHOSEONG FILLER",
        '\u{1160}' => "HANGUL JUNGSEONG FILLER",
        '\u{17B4}' => "KHMER VOWEL INHERENT AQ",
        '\u{17B5}' => "KHMER VOWEL INHERENT AA",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202F}' => "NARROW NO-BREAK SPACE",
        '\u{2061}' => "FUNCTION APPLICATION",
        '\u{2062}' => "INVISIBLE TIMES",
        '\u{2063}' => "INVISIBLE SEPARATOR",
        '\u{2064}' => "INVISIBLE PLUS",
        '\u{2800}' => "BRAILLE PATTERN BLANK",
        '\u{3000}' => "IDEOGRAPHIC SPACE",
        '\u{3164}' => "HANGUL FILLER",
        '\u{FFA0}' => "HALFWIDTH HANGUL FILLER",
        '\u{FFF9}' => "INTERLINEAR ANNOTATION ANCHOR",
        '\u{FFFA}' => "INTERLINEAR ANNOTATION SEPARATOR",
        '\u{FFFB}' => "INTERLINEAR ANNOTATION TERMINATOR",
        _ => "",
    };
    if name.is_empty() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("U+{:04X} {name}", u32::from(c))
    }
}

/// The key under which role names collide: NFKC, full Unicode case folding, whitespace runs
/// collapsed to one space, then the UTS #39 confusable skeleton (lowercased again, as
/// prototypes are mixed case).
pub fn collision_key(name: &str) -> String {
    if name.is_ascii() {
        return ascii_collision_key(name);
    }
    let folded = caseless::default_case_fold_str(&name.nfkc().collect::<String>());
    let mut collapsed = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    let skeleton: String = skeleton(&collapsed).collect();
    skeleton.chars().flat_map(char::to_lowercase).collect()
}

/// The key of an ASCII name, from a table of each ASCII character's key: NFKC leaves ASCII
/// alone, its case folding is ASCII lowercase, and its skeleton maps character by character
/// (a test checks this against the general path).
fn ascii_collision_key(name: &str) -> String {
    static TABLE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0u8..128)
            .map(|byte| {
                let lower = char::from(byte.to_ascii_lowercase()).to_string();
                let skeleton: String = skeleton(&lower).collect();
                skeleton.chars().flat_map(char::to_lowercase).collect()
            })
            .collect()
    });
    let mut key = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        for byte in word.bytes() {
            key.push_str(table.get(usize::from(byte)).map_or("", String::as_str));
        }
    }
    key
}

/// Longest pinned role id (`@id("...")`), in characters.
pub const MAX_ID_CHARS: usize = 64;

/// A role's id derived from its name: NFKC, then Unicode lowercase, then every run of
/// characters outside the general categories L (letters), M (marks) and Nd (decimal digits)
/// becomes one `-`, and leading and trailing `-` are dropped: `"Sales Lead"` → `sales-lead`,
/// `"Księgowa (PL)"` → `księgowa-pl`. Empty when the name has no letter or digit.
pub fn derive_id(name: &str) -> String {
    if name.is_ascii() {
        return derive_ascii_id(name);
    }
    use icu_properties::props::{GeneralCategory, GeneralCategoryGroup};
    use icu_properties::CodePointMapData;
    let categories = CodePointMapData::<GeneralCategory>::new();
    let kept = |c: char| {
        let category = categories.get(c);
        GeneralCategoryGroup::Letter.contains(category)
            || GeneralCategoryGroup::Mark.contains(category)
            || category == GeneralCategory::DecimalNumber
    };
    let lowered: String = name.nfkc().collect::<String>().to_lowercase();
    let mut id = String::with_capacity(lowered.len());
    let mut gap = false;
    for c in lowered.chars() {
        if kept(c) {
            if gap && !id.is_empty() {
                id.push('-');
            }
            gap = false;
            id.push(c);
        } else {
            gap = true;
        }
    }
    id
}

/// [`derive_id`] of an ASCII name: NFKC leaves ASCII alone, its lowercase is ASCII
/// lowercase, and its letters and decimal digits are `[A-Za-z0-9]` (a test checks this
/// against the general path).
fn derive_ascii_id(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    let mut gap = false;
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() {
            if gap && !id.is_empty() {
                id.push('-');
            }
            gap = false;
            id.push(char::from(byte.to_ascii_lowercase()));
        } else {
            gap = true;
        }
    }
    id
}

/// Whether `id` is a valid pinned id: ASCII `[a-z0-9]+(-[a-z0-9]+)*`, at most
/// [`MAX_ID_CHARS`] characters.
pub fn is_valid_pinned_id(id: &str) -> bool {
    id.len() <= MAX_ID_CHARS
        && id.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A character a reviewer cannot see: where it is (byte offset) and what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfusingCharacter {
    pub offset: usize,
    pub character: char,
    pub kind: ConfusingKind,
}

/// Why a character hides text from a reviewer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfusingKind {
    /// It reorders how the text around it is displayed.
    Bidirectional,
    /// It shows as nothing, or as a blank that is not a space.
    Invisible,
    /// Editors break the line there; rolec does not.
    LineBreak,
}

/// What hides `character`, standing at byte `offset` of `bytes`, from a reviewer, if
/// anything: a byte-order mark other than a leading one, a carriage return not followed by a
/// line feed, and the characters of [`is_bidi_control`], [`is_invisible`] and
/// [`is_other_line_break`].
pub fn confusing_kind(bytes: &[u8], offset: usize, character: char) -> Option<ConfusingKind> {
    match character {
        '\u{FEFF}' if offset == 0 => None,
        '\r' if bytes.get(offset + 1) == Some(&b'\n') => None,
        '\r' => Some(ConfusingKind::LineBreak),
        c if is_other_line_break(c) => Some(ConfusingKind::LineBreak),
        c if is_bidi_control(c) => Some(ConfusingKind::Bidirectional),
        c if is_invisible(c) => Some(ConfusingKind::Invisible),
        _ => None,
    }
}

/// Whether an ASCII byte may be a confusing character: a carriage return, a vertical tab or a
/// form feed (one comparison for the printable bytes that make up most of a file).
fn byte_may_hide(byte: u8) -> bool {
    byte <= 0x0D && matches!(byte, b'\r' | 0x0B | 0x0C)
}

/// Every character of `text` that [`confusing_kind`] reports.
pub fn confusing_characters(text: &str) -> Vec<ConfusingCharacter> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    // Every such character is a carriage return, a vertical tab, a form feed, or not ASCII:
    // only those are decoded.
    let mut offset = 0;
    while let Some(skipped) = bytes.get(offset..).and_then(|rest| {
        rest.iter()
            .position(|&byte| byte >= 0x80 || byte_may_hide(byte))
    }) {
        offset += skipped;
        let Some(character) = text.get(offset..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        if let Some(kind) = confusing_kind(bytes, offset, character) {
            found.push(ConfusingCharacter {
                offset,
                character,
                kind,
            });
        }
        offset += character.len_utf8();
    }
    found
}

/// A role name as it is written in a file: bare when it may be, else quoted with `\"` and
/// `\\` escaped.
pub fn written_name(name: &str) -> String {
    if crate::syntax::lexer::is_bare_name(name) {
        return name.to_string();
    }
    let mut written = String::with_capacity(name.len() + 2);
    written.push('"');
    for c in name.chars() {
        if c == '"' || c == '\\' {
            written.push('\\');
        }
        written.push(c);
    }
    written.push('"');
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collisions_follow_the_contract() {
        let admin = collision_key("Administrator");
        assert_eq!(collision_key("administrator"), admin);
        assert_eq!(collision_key("Admіnistrator"), admin, "Cyrillic і");
        assert_eq!(
            collision_key("ＡＤＭＩＮＩＳＴＲＡＴＯＲ"),
            admin,
            "fullwidth"
        );
        assert_eq!(collision_key("Sales  Lead"), collision_key("Sales Lead"));
        assert_eq!(
            collision_key("Sales\u{3000}Lead"),
            collision_key("sales lead")
        );
        assert_ne!(collision_key("Sales Lead"), collision_key("Sales Leads"));
        assert_ne!(collision_key("User"), collision_key("Guest"));
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_fast_path_agrees_with_the_general_one(name in "[\\x00-\\x7f]{0,24}") {
            let folded = caseless::default_case_fold_str(&name.nfkc().collect::<String>());
            let collapsed = folded.split_whitespace().collect::<Vec<_>>().join(" ");
            let general: String = skeleton(&collapsed).collect::<String>().chars().flat_map(char::to_lowercase).collect();
            proptest::prop_assert_eq!(ascii_collision_key(&name), general);
        }
    }

    proptest::proptest! {
        #[test]
        fn the_confusing_character_scan_decodes_only_what_it_must(
            text in "(\\PC|[\r\n\t\x0b\x0c \u{85}\u{2028}\u{200B}\u{202E}\u{3164}\u{FEFF}a-z]){0,40}"
        ) {
            let bytes = text.as_bytes();
            let everywhere: Vec<(usize, char)> = text
                .char_indices()
                .filter(|&(offset, c)| confusing_kind(bytes, offset, c).is_some())
                .collect();
            let found: Vec<(usize, char)> = confusing_characters(&text)
                .into_iter()
                .map(|found| (found.offset, found.character))
                .collect();
            proptest::prop_assert_eq!(found, everywhere);
        }

        #[test]
        fn the_ascii_name_check_agrees_with_the_general_one(name in "[\x00-\x7f]{0,102}") {
            let general = name.chars().count() >= 1
                && name.chars().count() <= MAX_NAME_CHARS
                && !name.starts_with(char::is_whitespace)
                && !name.ends_with(char::is_whitespace)
                && !name.chars().any(char::is_control);
            proptest::prop_assert_eq!(check_role_name(&name).is_ok(), general, "{:?}", name);
        }
    }

    #[test]
    fn role_name_rules() {
        let valid = ["Sales Lead", "Zespół sprzedaży", &"x".repeat(100)];
        let invalid = [
            "",
            " Lead",
            "Lead ",
            "a\tb",
            "a\u{202E}b",
            "a\u{200B}b",
            "a\u{3000}b",
            "a\u{2028}b",
            &"x".repeat(101),
        ];
        for name in valid {
            assert!(check_role_name(name).is_ok(), "{name:?}");
        }
        for name in invalid {
            assert!(check_role_name(name).is_err(), "{name:?}");
        }
    }

    #[test]
    fn ids_derive_from_names() {
        for (name, id) in [
            ("Sales Lead", "sales-lead"),
            ("Księgowa (PL)", "księgowa-pl"),
            ("Administrator", "administrator"),
            ("  Team -- Admin 2 ", "team-admin-2"),
            ("ＳＡＬＥＳ", "sales"),
            ("Café_Ops", "café-ops"),
            ("!!!", ""),
            ("İstanbul", "i\u{307}stanbul"),
        ] {
            assert_eq!(derive_id(name), id, "{name:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_id_fast_path_agrees_with_the_general_one(name in "[\x00-\x7f]{0,24}") {
            let general = {
                let mut padded = name.clone();
                padded.push('é');
                let id = derive_id(&padded);
                id.strip_suffix('é').map(|id| id.trim_end_matches('-').to_string()).unwrap_or_default()
            };
            proptest::prop_assert_eq!(derive_ascii_id(&name), general, "{:?}", name);
        }
    }

    #[test]
    fn pinned_ids() {
        for id in ["sales-lead", "a", "team-2", &"a".repeat(64)] {
            assert!(is_valid_pinned_id(id), "{id:?}");
        }
        for id in [
            "",
            "-a",
            "a-",
            "a--b",
            "Sales",
            "a_b",
            "księgowa",
            &"a".repeat(65),
        ] {
            assert!(!is_valid_pinned_id(id), "{id:?}");
        }
    }

    #[test]
    fn permission_and_group_names() {
        assert!(is_valid_permission("noe/widgets"));
        assert!(is_valid_permission("a1_b"));
        assert!(!is_valid_permission("Webhooks"));
        assert!(!is_valid_permission("noe/"));
        assert!(!is_valid_permission("1a"));
        assert!(is_valid_group("owner_only"));
        assert!(!is_valid_group("owner/only"));
    }

    #[test]
    fn finds_confusing_characters() {
        let text = "\u{feff}a\u{200b}b\r\nc\rd\u{202e}e\u{feff}";
        let found: Vec<char> = confusing_characters(text)
            .iter()
            .map(|c| c.character)
            .collect();
        assert_eq!(found, vec!['\u{200b}', '\r', '\u{202e}', '\u{feff}']);
    }
}
