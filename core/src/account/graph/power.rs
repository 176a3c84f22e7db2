//! What a principal may do, as sets of real actions: enough to tell whether reaching another
//! principal gains anything.

use crate::policy::{ActionSet, Ceiling, Document};

/// The actions a principal may be allowed: on some resource under some conditions
/// (`anywhere`), and unconditionally on every resource (`everywhere`), after its boundary,
/// its ceiling (the organization's policies) and the unconditional denies on every resource.
#[derive(Debug, Clone)]
pub struct Power {
    /// Actions some `Allow` may grant on some resource.
    pub anywhere: ActionSet,
    /// Actions granted unconditionally on every resource.
    pub everywhere: ActionSet,
}

impl Power {
    /// The power of `identity` documents within `boundary`, capped by `ceiling`.
    pub fn of(identity: &[&Document], boundary: Option<&Document>, ceiling: Option<&Ceiling>) -> Power {
        let mut anywhere = ActionSet::empty();
        let mut everywhere = ActionSet::empty();
        let mut denied = ActionSet::empty();
        for d in identity {
            anywhere.union_with(d.allowed_somewhere());
            everywhere.union_with(d.granted_everywhere());
            denied.union_with(d.denied_everywhere());
        }
        if let Some(b) = boundary {
            anywhere.intersect_with(b.allowed_somewhere());
            everywhere.intersect_with(b.granted_everywhere());
            denied.union_with(b.denied_everywhere());
        }
        anywhere.subtract(&denied);
        everywhere.subtract(&denied);
        Power { anywhere, everywhere }.capped(ceiling)
    }

    /// This power within what every chain of `ceiling` lets through.
    fn capped(mut self, ceiling: Option<&Ceiling>) -> Power {
        for chain in ceiling.iter().flat_map(|c| c.chains.iter()) {
            let (some, every, removed) = chain.sets();
            self.anywhere.intersect_with(&some);
            self.everywhere.intersect_with(&every);
            self.anywhere.subtract(&removed);
            self.everywhere.subtract(&removed);
        }
        self
    }

    /// Whatever `boundary` allows (everything without one) within `ceiling`: the power of a
    /// principal whose identity policies can be rewritten.
    pub fn within(boundary: Option<&Document>, ceiling: Option<&Ceiling>) -> Power {
        match boundary {
            Some(b) => Power::of(&[b], None, ceiling),
            None => Power {
                anywhere: ActionSet::full(),
                everywhere: ActionSet::full(),
            }
            .capped(ceiling),
        }
    }

    /// Whether this grants something `base` does not: an action `base` has on no resource, or
    /// an action on every resource that `base` has only on some.
    pub fn gains_over(&self, base: &Power) -> bool {
        !self.anywhere.is_subset(&base.anywhere) || !self.everywhere.is_subset(&base.everywhere)
    }

    /// What this grants beyond `base`, for a finding's detail: `3 actions it lacks
    /// (s3:DeleteObject, ...)` or `s3:GetObject on every resource`.
    pub fn describe_gain(&self, base: &Power) -> String {
        let mut new = self.anywhere.clone();
        new.subtract(&base.anywhere);
        if !new.is_empty() {
            if self.anywhere.is_full() {
                return "every action".to_string();
            }
            return format!(
                "{} action{} it lacks ({})",
                new.len(),
                if new.len() == 1 { "" } else { "s" },
                new.describe(3)
            );
        }
        let mut wider = self.everywhere.clone();
        wider.subtract(&base.everywhere);
        format!("{} on every resource", wider.describe(3))
    }
}
