//! Sets of real actions (positions in the [action catalogue](super::catalogue)), for the
//! questions that range over every action: does a policy allow *every* action, what is left
//! of a wildcard once the document's denies are taken out.

use super::catalogue::{self, Action, Catalogue};
use super::pattern::Pattern;

/// A set of actions of the embedded catalogue: one bit per action.
#[derive(Clone, PartialEq, Eq)]
pub struct ActionSet {
    words: Box<[u64]>,
}

impl std::fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionSet").field("len", &self.len()).finish()
    }
}

fn words() -> usize {
    catalogue::get().len().div_ceil(64)
}

impl ActionSet {
    /// No action.
    pub fn empty() -> ActionSet {
        ActionSet {
            words: vec![0; words()].into_boxed_slice(),
        }
    }

    /// Every action of the catalogue.
    pub fn full() -> ActionSet {
        let mut set = ActionSet {
            words: vec![u64::MAX; words()].into_boxed_slice(),
        };
        set.clear_tail();
        set
    }

    /// The actions `pattern` (an `Action` entry, any case) matches.
    pub fn matching(pattern: &Pattern) -> ActionSet {
        if pattern.matches_everything() {
            return ActionSet::full();
        }
        let mut set = ActionSet::empty();
        set.insert_matching(pattern);
        set
    }

    /// Adds the actions `pattern` matches.
    pub fn insert_matching(&mut self, pattern: &Pattern) {
        if pattern.matches_everything() {
            *self = ActionSet::full();
            return;
        }
        for i in catalogue::get().expand_indices(pattern) {
            self.words[i / 64] |= 1 << (i % 64);
        }
    }

    /// Whether `pattern` matches some action of this set.
    pub fn intersects_pattern(&self, pattern: &Pattern) -> bool {
        if pattern.matches_everything() {
            return !self.is_empty();
        }
        catalogue::get()
            .expand_indices(pattern)
            .any(|i| self.words[i / 64] & (1 << (i % 64)) != 0)
    }

    /// The actions not in this set.
    pub fn complement(mut self) -> ActionSet {
        for w in self.words.iter_mut() {
            *w = !*w;
        }
        self.clear_tail();
        self
    }

    /// Adds every action of `other`.
    pub fn union_with(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a |= b;
        }
    }

    /// Takes out every action of `other`.
    pub fn subtract(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a &= !b;
        }
    }

    /// Keeps only the actions also in `other`.
    pub fn intersect_with(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a &= b;
        }
    }

    /// Whether every action of this set is in `other`.
    pub fn is_subset(&self, other: &ActionSet) -> bool {
        self.words.iter().zip(other.words.iter()).all(|(a, b)| a & !b == 0)
    }

    /// How many actions the set has.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set has no action.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Whether the set has every action of the catalogue.
    pub fn is_full(&self) -> bool {
        self.len() == catalogue::get().len()
    }

    /// The actions of the set, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = Action<'static>> + '_ {
        let cat: &'static Catalogue = catalogue::get();
        self.words.iter().enumerate().flat_map(move |(w, bits)| {
            let bits = *bits;
            (0..64)
                .filter(move |b| bits & (1 << b) != 0)
                .map(move |b| cat.at(w * 64 + b))
        })
    }

    /// The services the set has every action of, and the actions it has of the others:
    /// `s3:*` for a whole service, names for the rest (for messages; at most `limit` items,
    /// then `... and N more`).
    pub fn describe(&self, limit: usize) -> String {
        let cat = catalogue::get();
        let mut items: Vec<String> = Vec::new();
        let mut total = 0usize;
        for service in cat.services() {
            let actions: Vec<Action<'_>> = service.actions().filter(|a| self.contains(a)).collect();
            if actions.is_empty() {
                continue;
            }
            if actions.len() == service.actions().len() {
                total += 1;
                if items.len() < limit {
                    items.push(format!("{}:*", service.prefix()));
                }
            } else {
                for a in actions {
                    total += 1;
                    if items.len() < limit {
                        items.push(a.name().to_string());
                    }
                }
            }
        }
        if total > items.len() {
            items.push(format!("... and {} more", total - items.len()));
        }
        items.join(", ")
    }

    /// Whether `action` is in the set.
    pub fn contains(&self, action: &Action<'_>) -> bool {
        let i = action.position();
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    fn clear_tail(&mut self) {
        let len = catalogue::get().len();
        if !len.is_multiple_of(64) {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << (len % 64)) - 1;
            }
        }
    }
}
