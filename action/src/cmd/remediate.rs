//! `hipaa-iam remediate`: print a plan, and apply it with `--yes` or after confirmation.

use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};
use hipaa_iam_core::remediate::Remediation;
use hipaa_iam_core::Result;

use crate::SourceArgs;
#[cfg(feature = "aws")]
use {
    crate::EXIT_OK,
    hipaa_iam_core::config::Config,
    hipaa_iam_core::remediate::{self, Clients, Expect, Outcome, Password, Plan, SdkConfig, Secrets},
    hipaa_iam_core::text::terminal_safe,
    hipaa_iam_core::Error,
    serde_json::Value,
    std::io::{BufRead, IsTerminal, Read, Write},
};

/// A remediation as the command line names it: core's [`Remediation`], with its name and
/// summary in `--help`.
#[derive(Debug, Clone, Copy)]
pub struct Name(pub Remediation);

impl ValueEnum for Name {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: LazyLock<Vec<Name>> = LazyLock::new(|| Remediation::ALL.into_iter().map(Name).collect());
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()).help(self.0.summary()))
    }
}

impl From<Name> for Remediation {
    fn from(n: Name) -> Self {
        n.0
    }
}

/// Output format of `remediate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text
    Table,
    /// One JSON document: the plan and, when applied, the results
    Json,
}

/// `hipaa-iam remediate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Each remediation computes a plan from the current account data and prints it. \
    It is applied only with --yes, or after a confirmation when standard input is a terminal. \
    Applying is idempotent: what exists in the right state is left alone.\n\n\
    Exit status: 0 every step done, already in place or skipped (or the plan was only printed); \
    1 a step failed; 2 the remediation could not run."
)]
pub struct RemediateArgs {
    /// The remediation
    #[arg(value_enum)]
    pub name: Name,
    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Apply the plan without asking
    #[arg(long, short = 'y', conflicts_with = "dry_run")]
    pub yes: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Configuration file (default: ./hipaa-iam.toml if present, else built-in defaults)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub source: SourceArgs,
    /// group-membership, permissions-boundary: only these users (comma-separated)
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub users: Vec<String>,
    /// permissions-boundary: the boundary document (default: the hardening guide's)
    #[arg(long, value_name = "FILE")]
    pub policy_file: Option<PathBuf>,
    /// permissions-boundary: replace a different existing boundary
    #[arg(long)]
    pub replace: bool,
    /// create-user: the new user's name
    #[arg(long, value_name = "NAME")]
    pub user_name: Option<String>,
    /// create-user: no permissions boundary
    #[arg(long)]
    pub no_boundary: bool,
    /// create-user: a console password that must be changed at first sign-in (read from
    /// standard input when it is not a terminal, else generated and shown once)
    #[arg(long)]
    pub console: bool,
}

impl RemediateArgs {
    #[cfg(feature = "aws")]
    fn options(&self) -> remediate::request::Options {
        remediate::request::Options {
            users: self.users.clone(),
            policy_file: self.policy_file.clone(),
            replace: self.replace,
            user_name: self.user_name.clone(),
            boundary: !self.no_boundary,
            console: self.console,
        }
    }
}

/// Runs a remediation.
#[cfg(feature = "aws")]
pub fn run(args: RemediateArgs) -> Result<u8> {
    let options = args.options();
    options.validate(args.name.into())?;
    let loaded = Config::load(args.config.as_deref(), &hipaa_iam_core::checks::ids())?;
    let rt = super::runtime()?;
    let remediate::request::Planned {
        plan,
        sdk,
        regions,
        config,
    } = rt.block_on(remediate::request::prepare(
        args.name.into(),
        &args.source.to_source(),
        loaded.config,
        &options,
    ))?;

    let apply = if args.dry_run {
        false
    } else if args.yes {
        true
    } else if std::io::stdin().is_terminal() {
        print_plan(&plan, &args, None);
        return confirm_and_apply(&plan, &args, &config, &rt, &sdk, &regions);
    } else {
        false
    };
    if !apply {
        print_plan(&plan, &args, None);
        if !args.dry_run {
            let note = "Not applied: standard input is not a terminal. Run again with --yes to apply this plan.";
            if args.format == Format::Json {
                eprintln!("{note}");
            } else {
                println!("{note}");
            }
        }
        return Ok(EXIT_OK);
    }
    let secrets = secrets(&plan, &args, &config, false)?;
    execute(&plan, &args, &rt, &sdk, &regions, secrets)
}

#[cfg(feature = "aws")]
fn confirm_and_apply(
    plan: &Plan,
    args: &RemediateArgs,
    config: &Config,
    rt: &tokio::runtime::Runtime,
    sdk: &SdkConfig,
    regions: &[String],
) -> Result<u8> {
    eprint!(
        "Apply these {} steps to account {}? [y/N] ",
        plan.steps.len(),
        plan.account_id
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("<stdin>", e))?;
    if !matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        eprintln!("Not applied.");
        return Ok(EXIT_OK);
    }
    let secrets = secrets(plan, args, config, true)?;
    execute(plan, args, rt, sdk, regions, secrets)
}

/// The secrets of the plan: for a console password, the one read from standard input
/// (when it is not a terminal) or a generated one. Never printed here.
#[cfg(feature = "aws")]
fn secrets(plan: &Plan, args: &RemediateArgs, config: &Config, interactive: bool) -> Result<Secrets> {
    let wants_password = plan
        .steps
        .iter()
        .any(|s| matches!(s.call, remediate::Call::CreateLoginProfile { .. }) && s.expect == Expect::Change);
    if !args.console || !wants_password {
        return Ok(Secrets::default());
    }
    let password = if !interactive && !std::io::stdin().is_terminal() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("<stdin>", e))?;
        let line = text.lines().next().unwrap_or("").to_string();
        if line.is_empty() {
            return Err(Error::InvalidArgument(
                "--console: standard input is empty; pipe the password in, or run on a terminal to have one generated"
                    .into(),
            ));
        }
        let password = Password::new(line);
        remediate::check_password(&password, &config.password_policy)?;
        Generated::No(password)
    } else {
        Generated::Yes(remediate::generate_password(&config.password_policy)?)
    };
    Ok(match password {
        Generated::No(p) => Secrets {
            console_password: Some(p),
            generated: false,
        },
        Generated::Yes(p) => Secrets {
            console_password: Some(p),
            generated: true,
        },
    })
}

#[cfg(feature = "aws")]
enum Generated {
    Yes(Password),
    No(Password),
}

#[cfg(feature = "aws")]
fn execute(
    plan: &Plan,
    args: &RemediateArgs,
    rt: &tokio::runtime::Runtime,
    sdk: &SdkConfig,
    regions: &[String],
    secrets: Secrets,
) -> Result<u8> {
    let clients = Clients::new(sdk, regions);
    let outcomes = rt.block_on(remediate::apply(plan, &clients, &secrets))?;
    // A generated password is shown once, here, and only when it was set.
    let shown = secrets.to_show(&outcomes);
    print_plan(plan, args, Some((&outcomes, shown)));
    Ok(remediate::exit_status(&outcomes))
}

#[cfg(feature = "aws")]
fn arguments_line(call: &remediate::Call) -> String {
    let args = call.arguments();
    let mut parts = Vec::new();
    if let Value::Object(map) = &args {
        for (k, v) in map {
            let v = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                other => other.to_string(),
            };
            parts.push(format!("{k}={v}"));
        }
    }
    format!("{} {}", call.operation(), parts.join(" "))
}

/// Prints the plan, and the results when it was applied.
#[cfg(feature = "aws")]
fn print_plan(plan: &Plan, args: &RemediateArgs, applied: Option<(&Vec<Outcome>, Option<&Password>)>) {
    if args.format == Format::Json {
        let doc = remediate::request::document(
            plan,
            args.dry_run,
            applied.map(|(o, _)| o.as_slice()),
            applied.and_then(|(_, p)| p).map(Password::expose),
        );
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return;
    }
    if applied.is_none() {
        println!(
            "Plan: {} for account {}",
            plan.remediation.as_str(),
            terminal_safe(&plan.account_id)
        );
        if plan.steps.is_empty() {
            println!("  nothing to do");
        }
        for (i, s) in plan.steps.iter().enumerate() {
            let expect = match &s.expect {
                Expect::Change => "change".to_string(),
                Expect::InPlace => "in place".to_string(),
                Expect::Skip(why) => format!("skip: {why}"),
            };
            println!("  {}. {} [{expect}]", i + 1, terminal_safe(&s.id));
            println!("     {}", terminal_safe(&s.description));
            println!("     {}", terminal_safe(&arguments_line(&s.call)));
            if !s.depends_on.is_empty() {
                println!("     after: {}", terminal_safe(&s.depends_on.join(", ")));
            }
        }
        return;
    }
    let Some((outcomes, shown)) = applied else { return };
    println!(
        "Results: {} for account {}",
        plan.remediation.as_str(),
        terminal_safe(&plan.account_id)
    );
    for o in outcomes.iter() {
        println!(
            "  {:<17} {:<28} {}",
            o.status.label(),
            terminal_safe(&o.id),
            terminal_safe(&o.detail)
        );
        if let Some(prev) = &o.previous {
            println!("  {:<17} {:<28} previous: {}", "", "", terminal_safe(&prev.to_string()));
        }
    }
    let c = remediate::request::summary(outcomes);
    println!(
        "Summary: {} done, {} already in place, {} skipped, {} failed",
        c["done"], c["already_in_place"], c["skipped"], c["failed"]
    );
    if let Some(p) = shown {
        println!();
        println!("Temporary console password (shown once; the user must change it at first sign-in):");
        println!("  {}", p.expose());
    }
}
/// Remediation reads and changes AWS, which this build cannot.
#[cfg(not(feature = "aws"))]
pub fn run(_args: RemediateArgs) -> Result<u8> {
    Err(super::without_aws("`remediate`"))
}
