//! `hipaa-iam checks`.

use hipaa_iam_core::checks::CATALOGUE;

use crate::{ChecksArgs, ListFormat, EXIT_OK};

/// Lists the catalogue.
pub fn run(args: ChecksArgs) -> hipaa_iam_core::Result<u8> {
    match args.format {
        ListFormat::Json => {
            println!("{}", serde_json::to_string_pretty(CATALOGUE).unwrap_or_default());
        }
        ListFormat::Table => {
            println!("{:<8} {:<26} {:<9} {:<8} TITLE", "ID", "SLUG", "SEVERITY", "RESOURCE");
            for c in CATALOGUE {
                println!(
                    "{:<8} {:<26} {:<9} {:<8} {}",
                    c.id,
                    c.slug,
                    c.severity.as_str(),
                    c.resource_type.as_str(),
                    c.title
                );
            }
        }
    }
    Ok(EXIT_OK)
}
