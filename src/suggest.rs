//! *Did you mean*: the known name closest to an unknown one, found with bounded work.
//!
//! Every input is untrusted, so the work is bounded three ways. A name longer than any valid
//! name ([`MAX_NAME_CHARS`]) gets no suggestion, so edit distance never runs on a long string;
//! a candidate whose length differs by more than the distance allowed is skipped before any
//! table is filled; and a [`Suggester`] spends at most a fixed budget per run, one unit per
//! candidate looked at and one per cell of an edit-distance table, after which it suggests
//! nothing more. Callers that see the same unknown name many times ask once per name (see
//! [`Suggester::cached`]), so 10,000 references to one misspelt role cost one search.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use crate::names::MAX_NAME_CHARS;

/// Units of work one [`Suggester`] may spend: far more than the suggestions of any real
/// policy need (a search among 10,000 roles of typical length costs about 10⁶), and a
/// fraction of a second at most.
pub const BUDGET: u64 = 40_000_000;

/// Finds close names, spending at most [`BUDGET`] units of work over its life.
#[derive(Debug)]
pub struct Suggester {
    remaining: Cell<u64>,
    /// Suggestions already computed, by kind of name and name.
    cache: RefCell<HashMap<(NameKind, String), Option<String>>>,
}

/// What kind of name a cached suggestion is for (the same text may be looked up as a role
/// and as a permission).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    Role,
    Permission,
    Group,
}

impl Default for Suggester {
    fn default() -> Suggester {
        Suggester::with_budget(BUDGET)
    }
}

impl Suggester {
    pub fn with_budget(budget: u64) -> Suggester {
        Suggester {
            remaining: Cell::new(budget),
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// The work left.
    pub fn remaining(&self) -> u64 {
        self.remaining.get()
    }

    /// The candidate closest to `name` (case-insensitively), when one is close enough: within
    /// a third of the name's length plus one edits. `None` too when the budget runs out.
    pub fn closest<'c>(
        &self,
        name: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Option<&'c str> {
        let length = name.chars().take(MAX_NAME_CHARS + 1).count();
        if length == 0 || length > MAX_NAME_CHARS {
            return None;
        }
        let limit = max_distance(length);
        let lowered = name.to_lowercase();
        let counts = CharCounts::of(&lowered);
        let mut best: Option<(usize, &'c str)> = None;
        // A candidate the name is the beginning of (`integrations` of
        // `integrations_and_automations`), the shortest first: suggested when no candidate is
        // close enough by edit distance.
        let mut extension: Option<(usize, &'c str)> = None;
        for candidate in candidates {
            if !self.spend(1) {
                break;
            }
            if length >= MIN_PREFIX_CHARS
                && candidate.len() > name.len()
                && candidate.len() <= 4 * MAX_NAME_CHARS
                && candidate
                    .get(..name.len())
                    .is_some_and(|start| start.eq_ignore_ascii_case(name))
                && extension.is_none_or(|found| (candidate.len(), candidate) < found)
            {
                extension = Some((candidate.len(), candidate));
            }
            let candidate_length = candidate.chars().take(MAX_NAME_CHARS + 1).count();
            if candidate_length > MAX_NAME_CHARS || candidate_length.abs_diff(length) > limit {
                continue;
            }
            // A cheap lower bound first: most candidates are far, and are dropped in time
            // proportional to the two lengths instead of their product.
            if !self.spend((length + candidate_length) as u64) {
                break;
            }
            let candidate_lowered = candidate.to_lowercase();
            if counts.distance_bound(&candidate_lowered) > limit {
                continue;
            }
            let cells = (length as u64 + 1) * (candidate_length as u64 + 1);
            if !self.spend(cells) {
                break;
            }
            let distance = strsim::damerau_levenshtein(&lowered, &candidate_lowered);
            if distance <= limit && best.is_none_or(|found| (distance, candidate) < found) {
                best = Some((distance, candidate));
            }
        }
        best.or(extension).map(|(_, candidate)| candidate)
    }

    /// Like [`Suggester::closest`], computed once per `(kind, name)`: the candidates (a lazy
    /// iterator) are looked at only the first time.
    pub fn cached<'c>(
        &self,
        kind: NameKind,
        name: &str,
        candidates: impl IntoIterator<Item = &'c str>,
    ) -> Option<String> {
        if name.len() > 4 * MAX_NAME_CHARS {
            return None;
        }
        let key = (kind, name.to_string());
        if let Some(found) = self.cache.borrow().get(&key) {
            return found.clone();
        }
        let found = self.closest(name, candidates).map(str::to_string);
        self.cache.borrow_mut().insert(key, found.clone());
        found
    }

    /// Takes `units` from the budget; false (and nothing taken) when too few are left.
    fn spend(&self, units: u64) -> bool {
        match self.remaining.get().checked_sub(units) {
            Some(left) => {
                self.remaining.set(left);
                true
            }
            None => false,
        }
    }
}

/// How often each character occurs in a name, folded into 128 buckets (character code
/// modulo 128; folding only merges counts, so the bound below stays a lower bound).
struct CharCounts([i32; 128]);

impl CharCounts {
    fn of(text: &str) -> CharCounts {
        let mut counts = [0; 128];
        for c in text.chars() {
            if let Some(count) = counts.get_mut(u32::from(c) as usize % 128) {
                *count += 1;
            }
        }
        CharCounts(counts)
    }

    /// A lower bound of the edit distance (insertions, deletions, substitutions and
    /// transpositions) between the counted text and `other`: an insertion or deletion changes
    /// the counts by one, a substitution by two, a transposition not at all.
    fn distance_bound(&self, other: &str) -> usize {
        let mut difference = self.0;
        for c in other.chars() {
            if let Some(count) = difference.get_mut(u32::from(c) as usize % 128) {
                *count -= 1;
            }
        }
        let total: u32 = difference.iter().map(|count| count.unsigned_abs()).sum();
        (total as usize).div_ceil(2)
    }
}

/// The shortest name that is suggested as the beginning of a longer one.
const MIN_PREFIX_CHARS: usize = 3;

/// The largest edit distance at which a name of `length` characters is still suggested.
pub fn max_distance(length: usize) -> usize {
    (length / 3).max(1) + 1
}

/// The help line that suggests `candidate`.
pub fn help(candidate: &str) -> String {
    format!("did you mean `{candidate}`?")
}

/// "did you mean `x`?" for the closest of a short, fixed list of `candidates` (settings keys,
/// codes, built-in roles), with a budget of its own.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    Suggester::default().closest(name, candidates).map(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["webhooks", "webchat", "mail"];
        assert_eq!(
            did_you_mean("webhook", names).as_deref(),
            Some("did you mean `webhooks`?")
        );
        assert_eq!(did_you_mean("billing", names), None);
        assert_eq!(
            did_you_mean("WEBHOOK", names).as_deref(),
            Some("did you mean `webhooks`?")
        );
    }

    #[test]
    fn the_beginning_of_a_name_suggests_it() {
        let groups = [
            "integrations_and_automations",
            "integrations_extra_long_name",
            "basic",
        ];
        assert_eq!(
            did_you_mean("integrations", groups).as_deref(),
            Some("did you mean `integrations_and_automations`?")
        );
        assert_eq!(
            did_you_mean("in", groups),
            None,
            "too short to mean anything"
        );
        assert_eq!(
            did_you_mean("basi", ["basic"]).as_deref(),
            Some("did you mean `basic`?")
        );
    }

    #[test]
    fn long_names_are_never_compared() {
        let suggester = Suggester::default();
        let long = "a".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(suggester.closest(&long, [long.as_str()]), None);
        assert_eq!(suggester.remaining(), BUDGET, "no work spent");
        let valid = "a".repeat(MAX_NAME_CHARS);
        assert_eq!(
            suggester.closest("bbb", [long.as_str(), valid.as_str()]),
            None
        );
        assert_eq!(
            suggester.remaining(),
            BUDGET - 2,
            "only the candidates were looked at"
        );
    }

    /// The work of a search grows with the candidates looked at, and stops at the budget: ten
    /// times the candidates cost at most ten times the work.
    #[test]
    fn work_is_linear_in_the_candidates_and_bounded() {
        let work = |count: usize| {
            let names: Vec<String> = (0..count).map(|i| format!("role{i:06}")).collect();
            let suggester = Suggester::with_budget(u64::MAX);
            suggester.closest("rol000000x", names.iter().map(String::as_str));
            u64::MAX - suggester.remaining()
        };
        let (small, large) = (work(1_000), work(10_000));
        assert!(large <= 10 * small + 10, "{small} -> {large}");
        // The only close name comes last: a budget too small to get there suggests nothing.
        let mut names: Vec<String> = (0..10_000).map(|i| format!("role{i:06}")).collect();
        names.push("Sales Lead".into());
        let candidates = || names.iter().map(String::as_str);
        let suggester = Suggester::with_budget(500);
        assert_eq!(suggester.closest("Sales Led", candidates()), None);
        assert!(suggester.remaining() < 500);
        let suggester = Suggester::default();
        assert_eq!(
            suggester.closest("Sales Led", candidates()),
            Some("Sales Lead")
        );
    }

    proptest::proptest! {
        /// The cheap bound never exceeds the edit distance, so it never hides a suggestion.
        #[test]
        fn the_count_bound_is_a_lower_bound(a in "[a-eé ]{0,12}", b in "[a-eé ]{0,12}") {
            let bound = CharCounts::of(&a).distance_bound(&b);
            proptest::prop_assert!(bound <= strsim::damerau_levenshtein(&a, &b));
        }
    }

    #[test]
    fn a_cached_name_is_searched_once() {
        let suggester = Suggester::default();
        let candidates = ["Sales Lead"];
        let first = suggester.cached(NameKind::Role, "Sales Led", candidates);
        let spent = BUDGET - suggester.remaining();
        let again = suggester.cached(NameKind::Role, "Sales Led", candidates);
        assert_eq!(first.as_deref(), Some("Sales Lead"));
        assert_eq!(again, first);
        assert_eq!(BUDGET - suggester.remaining(), spent);
    }
}
