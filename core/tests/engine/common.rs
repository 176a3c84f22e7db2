//! What the mocked-client tests share: an SDK configuration that never reaches the network,
//! and one interceptor made of `aws-smithy-mocks` rules.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
use aws_smithy_mocks::{create_mock_http_client, MockResponseInterceptor, Rule, RuleMode};

/// A configuration whose HTTP client is never reached: every answer comes from the rules of
/// an [`interceptor`] added to the client built from it (us-east-1, test credentials).
pub fn mock_config() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDTEST",
            "not-a-secret",
            None,
            None,
            "test",
        )))
        .http_client(create_mock_http_client())
        .build()
}

/// The rules as one interceptor, matched in `mode`.
pub fn interceptor<'a>(mode: RuleMode, rules: impl IntoIterator<Item = &'a Rule>) -> MockResponseInterceptor {
    rules
        .into_iter()
        .fold(MockResponseInterceptor::new().rule_mode(mode), |i, r| i.with_rule(r))
}
