//! The live collector: calls AWS and produces the same files the AWS CLI would.

use std::path::Path;

use super::ExportSet;
use crate::{Error, Result};

/// The AWS SDK configuration from the standard credential chain (environment, profiles,
/// SSO, IMDS; `AWS_ENDPOINT_URL` honoured), with adaptive retry for throttling.
pub async fn sdk_config(profile: Option<&str>) -> aws_config::SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(aws_config::retry::RetryConfig::adaptive().with_max_attempts(8));
    if let Some(p) = profile {
        loader = loader.profile_name(p);
    }
    loader.load().await
}

/// Collects the account data from the live account into memory.
pub async fn collect_live(profile: Option<&str>, regions: &[String]) -> Result<ExportSet> {
    let _ = (profile, regions);
    Err(Error::InvalidArgument("live collection is not available yet".into()))
}

/// Collects the account data and writes it, with `manifest.json`, into `dir`.
pub async fn collect_to_dir(profile: Option<&str>, regions: &[String], dir: &Path) -> Result<()> {
    let _ = (profile, regions, dir);
    Err(Error::InvalidArgument("live collection is not available yet".into()))
}
