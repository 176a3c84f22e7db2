//! `hipaa-iam access explain` and `hipaa-iam access who-can`: the access queries of
//! `hipaa_iam_core::access` on an exports directory or the live account, as a table, JSON or
//! CSV.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use hipaa_iam_core::access::{self, Explanation, Request, WhoCan};
use hipaa_iam_core::error::Field;
use hipaa_iam_core::report::csv_file::CsvTable;
use hipaa_iam_core::text::terminal_safe;
use hipaa_iam_core::Error;

use crate::{SourceArgs, EXIT_OK};

/// What `access --help` and its subcommands' say after the options: the scope and the exit
/// status.
pub const ACCESS_HELP: &str = "\
    These are identity-based answers: the principal's identity policies (its own and, for a user, its \
    groups') within its permissions boundary, and the paths of the access graph to other principals that \
    have the access (assuming roles under their trust policies, passing roles to compute, taking over users, \
    joining groups, rewriting policies), each hop with what it requires. Not considered: resource-based \
    policies (S3 bucket policies, KMS key policies and grants - a key is judged as if its key policy \
    delegated to IAM -, queue, topic, function and secret policies), session policies, and service control \
    and resource control policies (not collected in single-account runs); every answer lists those that \
    apply to its resource. An account directory of `collect --org` (--exports DIR/<account-id>) is judged \
    under its organization's service and resource control policies (DIR/organization/).\n\n\
    Exit status: 0 answered (whatever the answer); 2 the command could not run (bad arguments, an unknown \
    principal, a malformed requests line, unreadable account data).";

/// Arguments of `hipaa-iam access`.
#[derive(Debug, Args)]
pub struct AccessArgs {
    #[command(subcommand)]
    pub command: AccessCommand,
}

/// The access queries.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// How AWS would judge a request of a user or role: allowed, denied or not granted, and
    /// the statements that decided (every context key not given is absent)
    #[command(after_help = ACCESS_HELP)]
    Explain(ExplainArgs),
    /// Every user and role whose own policies allow an action on a resource, definitely or
    /// under conditions (e.g. with MFA)
    #[command(name = "who-can", after_help = ACCESS_HELP)]
    WhoCan(WhoCanArgs),
}

/// Output format of the access queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccessFormat {
    /// A readable table
    Table,
    /// JSON (explain: an array, one object per request in input order)
    Json,
    /// CSV, one row per request or principal (formula cells neutralised)
    Csv,
}

/// Arguments of `hipaa-iam access explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The user or role making the request: its name or ARN
    #[arg(long, value_name = "NAME|ARN", conflicts_with = "requests")]
    pub principal: Option<String>,
    /// The action, service:action (e.g. s3:GetObject)
    #[arg(long, value_name = "ACTION", conflicts_with = "requests")]
    pub action: Option<String>,
    /// The resource's ARN (or *)
    #[arg(long, value_name = "ARN", conflicts_with = "requests")]
    pub resource: Option<String>,
    /// A context key of the request and its value (repeat the key for several values), e.g.
    /// aws:MultiFactorAuthPresent=true; every key not given is absent
    #[arg(long, value_name = "KEY=VALUE", conflicts_with = "requests")]
    pub context: Vec<String>,
    /// Read the requests from this file: JSON lines, one request each, like
    /// {"principal": "alice", "action": "s3:GetObject", "resource": "arn:...", "context": {"aws:MultiFactorAuthPresent": "true"}}
    #[arg(long, value_name = "FILE")]
    pub requests: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = AccessFormat::Table)]
    pub format: AccessFormat,
}

/// Arguments of `hipaa-iam access who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The action, service:action (e.g. s3:GetObject)
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The resource's ARN (or *)
    #[arg(long, value_name = "ARN")]
    pub resource: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = AccessFormat::Table)]
    pub format: AccessFormat,
}

/// Runs an access query.
pub fn run(args: AccessArgs) -> hipaa_iam_core::Result<u8> {
    match args.command {
        AccessCommand::Explain(a) => explain(a),
        AccessCommand::WhoCan(a) => who_can(a),
    }
}

/// The request of `--principal`, `--action`, `--resource` and `--context`.
fn one_request(args: &ExplainArgs) -> hipaa_iam_core::Result<Request> {
    let missing: Vec<&str> = [
        ("--principal", args.principal.is_none()),
        ("--action", args.action.is_none()),
        ("--resource", args.resource.is_none()),
    ]
    .iter()
    .filter(|(_, absent)| *absent)
    .map(|(flag, _)| *flag)
    .collect();
    if !missing.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "missing {}: give --principal, --action and --resource, or --requests FILE",
            missing.join(", ")
        )));
    }
    let mut context: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for pair in &args.context {
        let (key, value) = pair
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| Error::field(Field::Context, format!("{pair:?}: expected KEY=VALUE")))?;
        context
            .entry(key.trim().to_string())
            .or_default()
            .push(value.to_string());
    }
    let mut request = Request::new(
        args.principal.clone().unwrap_or_default(),
        args.action.clone().unwrap_or_default(),
        args.resource.clone().unwrap_or_default(),
    );
    request.context = context;
    Ok(request)
}

fn explain(args: ExplainArgs) -> hipaa_iam_core::Result<u8> {
    // Validate the arguments (and read the requests) before touching AWS or the account data.
    let requests = match &args.requests {
        Some(path) => Some((path, access::read_requests_file(path)?)),
        None => None,
    };
    let single = match &requests {
        Some(_) => None,
        None => {
            let r = one_request(&args)?;
            access::check_action(&r.action).map_err(|m| Error::field(Field::Action, m))?;
            Some(r)
        }
    };
    let account = load_account(&args.source)?;
    let explanations = match (&requests, single) {
        (Some((path, lines)), _) => access::explain_lines(&account, path, lines)?,
        (None, Some(r)) => vec![access::explain(&account, &r)?],
        (None, None) => Vec::new(),
    };
    super::term::to_stdout(|out| match args.format {
        AccessFormat::Json => serde_json::to_writer_pretty(&mut *out, &explanations)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        AccessFormat::Csv => out.write_all(&explain_csv(&explanations).to_bytes(false)),
        AccessFormat::Table => write_explanations(out, &explanations, access::scope(&account)),
    })?;
    Ok(EXIT_OK)
}

fn who_can(args: WhoCanArgs) -> hipaa_iam_core::Result<u8> {
    access::check_action(&args.action).map_err(|m| Error::field(Field::Action, m))?;
    let account = load_account(&args.source)?;
    let answer = access::who_can(&account, &args.action, &args.resource)?;
    super::term::to_stdout(|out| match args.format {
        AccessFormat::Json => serde_json::to_writer_pretty(&mut *out, &answer)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
        AccessFormat::Csv => out.write_all(&who_can_csv(&answer).to_bytes(false)),
        AccessFormat::Table => write_who_can(out, &answer),
    })?;
    Ok(EXIT_OK)
}

/// The account of `--exports DIR`, or collected live; an account directory of a `collect
/// --org` directory comes with its organization's service control policies.
fn load_account(source: &SourceArgs) -> hipaa_iam_core::Result<hipaa_iam_core::account::Account> {
    let mut account = super::load_account(source, &[])?;
    if let Some(dir) = &source.exports {
        hipaa_iam_core::org::attach_collected_organization(&mut account, dir)?;
    }
    Ok(account)
}

/// `a; b; c`, for a CSV cell.
fn cell(items: &[String]) -> String {
    items.join("; ")
}

fn explain_csv(explanations: &[Explanation]) -> CsvTable {
    let mut t = CsvTable::new(&[
        "principal",
        "action",
        "resource",
        "decision",
        "conditional_allow",
        "conditional_deny",
        "statements",
        "reason",
        "path",
        "not_considered",
    ]);
    for e in explanations {
        let statements: Vec<String> = e.statements.iter().map(statement_text).collect();
        t.push(vec![
            e.principal.clone(),
            e.action.clone(),
            e.resource.clone(),
            e.decision.as_str().to_string(),
            e.conditional_allow.to_string(),
            e.conditional_deny.to_string(),
            cell(&statements),
            e.reason.clone(),
            hops(&e.path),
            cell(&e.not_considered),
        ]);
    }
    t
}

fn hops(path: &[access::Hop]) -> String {
    path.iter()
        .map(|h| format!("{} -> {} -> {}", h.from, h.action, h.to))
        .collect::<Vec<_>>()
        .join("; ")
}

fn who_can_csv(answer: &WhoCan) -> CsvTable {
    let mut t = CsvTable::new(&[
        "principal",
        "name",
        "type",
        "decision",
        "requires",
        "allowed_by",
        "conditional_deny",
        "path",
        "identity_center",
    ]);
    for a in &answer.principals {
        t.push(vec![
            a.principal.clone(),
            a.name.clone(),
            a.kind.as_str().to_string(),
            a.decision.as_str().to_string(),
            cell(&a.requires),
            cell(&a.allowed_by),
            a.conditional_deny.to_string(),
            hops(&a.path),
            cell(&a.identity_center),
        ]);
    }
    t
}

/// One line per item under a heading, every name made safe for a terminal.
fn write_list(out: &mut impl Write, heading: &str, items: &[String]) -> std::io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "  {heading}:")?;
    for i in items {
        writeln!(out, "    - {}", terminal_safe(i))?;
    }
    Ok(())
}

fn write_explanations(out: &mut impl Write, explanations: &[Explanation], scope: &str) -> std::io::Result<()> {
    for (i, e) in explanations.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} {} on {}",
            terminal_safe(&e.principal),
            terminal_safe(&e.action),
            terminal_safe(&e.resource)
        )?;
        writeln!(
            out,
            "  {}: {}",
            e.decision.as_str().to_uppercase(),
            terminal_safe(&e.reason)
        )?;
        let statements: Vec<String> = e.statements.iter().map(statement_text).collect();
        write_list(out, "statements", &statements)?;
        if !e.path.is_empty() {
            writeln!(out, "  path: {}", terminal_safe(&hops(&e.path)))?;
        }
        write_list(out, "incomplete data", &e.incomplete)?;
        write_list(out, "warnings", &e.warnings)?;
        write_list(out, "not considered", &e.not_considered)?;
    }
    writeln!(out)?;
    writeln!(out, "Answers of {}.", scope)
}

fn write_who_can(out: &mut impl Write, answer: &WhoCan) -> std::io::Result<()> {
    writeln!(
        out,
        "who can {} on {}",
        terminal_safe(&answer.action),
        terminal_safe(&answer.resource)
    )?;
    writeln!(out)?;
    let name_w = answer
        .principals
        .iter()
        .map(|a| terminal_safe(&a.name).chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 40);
    writeln!(
        out,
        "{:<4}  {:<name_w$}  {:<11}  {:<20}  ALLOWED BY",
        "TYPE", "NAME", "DECISION", "REQUIRES"
    )?;
    for a in &answer.principals {
        let requires = if a.requires.is_empty() {
            "-".to_string()
        } else {
            a.requires.join(", ")
        };
        writeln!(
            out,
            "{:<4}  {:<name_w$}  {:<11}  {:<20}  {}{}",
            a.kind.as_str(),
            terminal_safe(&a.name),
            a.decision.as_str(),
            terminal_safe(&requires),
            terminal_safe(&a.allowed_by.join(", ")),
            if a.conditional_deny {
                " (a conditional deny may apply)"
            } else {
                ""
            }
        )?;
        for who in &a.identity_center {
            writeln!(
                out,
                "      signs in through IAM Identity Center: {}",
                terminal_safe(who)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{} principal(s).", answer.principals.len())?;
    write_list(
        out,
        "not evaluated (policies missing from the data)",
        &answer.not_evaluated,
    )?;
    write_list(out, "warnings", &answer.warnings)?;
    write_list(out, "not considered", &answer.not_considered)?;
    writeln!(out, "Answers of {}.", answer.scope)
}

/// `Allow policy [Sid] (conditional)`: one deciding statement, as the table and the CSV show it.
fn statement_text(s: &hipaa_iam_core::access::DecidingStatement) -> String {
    format!(
        "{:?} {}{}",
        s.effect,
        s.label(),
        if s.conditional { " (conditional)" } else { "" }
    )
}
