//! Arbitrary bytes (decoded lossily) into the formatter (`rolec fmt`): no panic; when the
//! text formats, formatting the result again changes nothing (idempotence), and the result
//! parses to the same statements — the same names, bases, edits, assertions and
//! annotations in the same order — with the same diagnostic codes: formatting changes the
//! layout and nothing else.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rolec::ast::{Edit, EditTarget, Statement};
use rolec::source::FileId;

/// A statement without its positions.
fn shape(statement: &Statement) -> String {
    match statement {
        Statement::Author(author) => format!("author {:?}", author.name.value),
        Statement::Role(role) => {
            let annotations: Vec<_> = role
                .annotations
                .iter()
                .map(|a| (&a.key.value, &a.value))
                .collect();
            let base = role.base.as_ref().map(|base| {
                let roles: Vec<_> = base.roles.iter().map(|r| &r.value).collect();
                format!("{:?} {roles:?}", base.kind)
            });
            let edits: Vec<String> = role.edits.iter().map(edit_shape).collect();
            format!(
                "{annotations:?} role {:?} {base:?} {edits:?}",
                role.name.value
            )
        }
        Statement::Assert(assertion) => {
            let permissions: Vec<_> = assertion.permissions.iter().map(|p| &p.value).collect();
            format!(
                "assert {:?} {:?} {permissions:?}",
                assertion.role.value, assertion.expectation
            )
        }
    }
}

fn edit_shape(edit: &Edit) -> String {
    match &edit.target {
        EditTarget::Permission(name) => format!("{:?} {name}", edit.sign),
        EditTarget::Group(name) => format!("{:?} @{name}", edit.sign),
    }
}

/// The statements and the diagnostic codes of a parse.
fn parsed(text: &str) -> (Vec<String>, Vec<&'static str>) {
    let (file, diagnostics) = rolec::syntax::parse_file(FileId(0), text);
    let mut codes: Vec<&'static str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    (file.statements.iter().map(shape).collect(), codes)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(formatted) = rolec::fmt::format_source(&text) else {
        return;
    };
    assert_eq!(
        rolec::fmt::format_source(&formatted).as_ref(),
        Ok(&formatted),
        "formatting is not idempotent"
    );
    assert_eq!(
        parsed(&formatted),
        parsed(&text),
        "the formatted text parses to other statements or diagnostics:\n{formatted}"
    );
});
