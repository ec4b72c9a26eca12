//! Permission sets as bitsets indexed by catalog position.
//!
//! The words live inline for catalogs of up to 128 permissions (the Intum catalog has 78),
//! so the sets of 100,000 roles cost no allocation each.

use smallvec::SmallVec;

/// Position of a permission in the catalog.
pub type PermissionId = usize;

/// A set of permissions: bit `i` is the catalog's `i`-th permission.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PermSet {
    words: SmallVec<[u64; 2]>,
}

impl PermSet {
    pub fn new() -> PermSet {
        PermSet::default()
    }

    pub fn contains(&self, id: PermissionId) -> bool {
        self.words
            .get(id / 64)
            .is_some_and(|word| word & (1 << (id % 64)) != 0)
    }

    /// Adds `id`; returns whether it was absent.
    pub fn insert(&mut self, id: PermissionId) -> bool {
        let index = id / 64;
        if self.words.len() <= index {
            self.words.resize(index + 1, 0);
        }
        let bit = 1 << (id % 64);
        let was_absent = self.words.get(index).is_some_and(|word| word & bit == 0);
        if let Some(word) = self.words.get_mut(index) {
            *word |= bit;
        }
        was_absent
    }

    /// Removes `id`; returns whether it was present.
    pub fn remove(&mut self, id: PermissionId) -> bool {
        let bit = 1 << (id % 64);
        match self.words.get_mut(id / 64) {
            Some(word) if *word & bit != 0 => {
                *word &= !bit;
                true
            }
            _ => false,
        }
    }

    pub fn union_with(&mut self, other: &PermSet) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (word, other_word) in self.words.iter_mut().zip(&other.words) {
            *word |= other_word;
        }
    }

    pub fn is_subset(&self, other: &PermSet) -> bool {
        self.words.iter().enumerate().all(|(index, word)| {
            let other_word = other.words.get(index).copied().unwrap_or(0);
            word & !other_word == 0
        })
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&word| word == 0)
    }

    /// How many permissions the set holds.
    pub fn len(&self) -> usize {
        self.words
            .iter()
            .map(|word| word.count_ones() as usize)
            .sum()
    }

    /// Permissions of `self` not in `other`.
    pub fn difference(&self, other: &PermSet) -> PermSet {
        let words = self
            .words
            .iter()
            .enumerate()
            .map(|(index, word)| word & !other.words.get(index).copied().unwrap_or(0))
            .collect();
        PermSet { words }
    }

    pub fn intersection(&self, other: &PermSet) -> PermSet {
        let words = self
            .words
            .iter()
            .zip(&other.words)
            .map(|(word, other_word)| word & other_word)
            .collect();
        PermSet { words }
    }

    /// Members in ascending order, which is catalog order: one step per member (the lowest
    /// set bit of a word, then that bit cleared), not one per bit.
    pub fn iter(&self) -> impl Iterator<Item = PermissionId> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(index * 64 + bit)
            })
        })
    }

    /// Equality as sets, whatever trailing zero words either side carries.
    pub fn same_members(&self, other: &PermSet) -> bool {
        self.is_subset(other) && other.is_subset(self)
    }
}

impl FromIterator<PermissionId> for PermSet {
    fn from_iter<I: IntoIterator<Item = PermissionId>>(iter: I) -> PermSet {
        let mut set = PermSet::new();
        for id in iter {
            set.insert(id);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn insert_remove_and_contains() {
        let mut set = PermSet::new();
        assert!(set.insert(70));
        assert!(!set.insert(70));
        assert!(set.contains(70));
        assert!(!set.contains(6));
        assert!(set.remove(70));
        assert!(!set.remove(70));
        assert!(set.is_empty());
    }

    proptest! {
        #[test]
        fn behaves_like_a_set_of_numbers(a in proptest::collection::btree_set(0usize..200, 0..40),
                                         b in proptest::collection::btree_set(0usize..200, 0..40)) {
            let set_a: PermSet = a.iter().copied().collect();
            let set_b: PermSet = b.iter().copied().collect();
            prop_assert_eq!(set_a.iter().collect::<Vec<_>>(), a.iter().copied().collect::<Vec<_>>());
            prop_assert_eq!(set_a.is_subset(&set_b), a.is_subset(&b));
            let difference: Vec<_> = a.difference(&b).copied().collect();
            prop_assert_eq!(set_a.difference(&set_b).iter().collect::<Vec<_>>(), difference);
            let intersection: Vec<_> = a.intersection(&b).copied().collect();
            prop_assert_eq!(set_a.intersection(&set_b).iter().collect::<Vec<_>>(), intersection);
            let mut union = set_a.clone();
            union.union_with(&set_b);
            let expected: Vec<_> = a.union(&b).copied().collect();
            prop_assert_eq!(union.iter().collect::<Vec<_>>(), expected);
            prop_assert_eq!(set_a.same_members(&set_b), a == b);
            prop_assert_eq!(set_a.len(), a.len());
        }
    }
}
