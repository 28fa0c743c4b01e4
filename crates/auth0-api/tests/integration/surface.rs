//! The crate's public surface as rustdoc shows it.

/// A `///` comment on a `pub use` of several items is copied onto every
/// one of them: each would read like the comment instead of its own
/// summary (as the clocks and the token-exchange types once did).
#[test]
fn no_doc_comment_is_copied_onto_several_re_exported_items() {
    let lib = include_str!("../../src/lib.rs");
    let lines: Vec<&str> = lib.lines().map(str::trim_start).collect();
    let mut checked = 0;
    for (i, line) in lines.iter().enumerate() {
        if !(line.starts_with("pub use") && line.contains('{')) {
            continue;
        }
        checked += 1;
        let above = lines[..i].iter().rev().find(|l| !l.is_empty());
        assert!(
            !above.is_some_and(|l| l.starts_with("///")),
            "lib.rs line {}: a doc comment on a multi-item re-export",
            i + 1
        );
    }
    assert!(checked >= 4, "the multi-item re-exports were not found");
}
