# The guide's deny-without-MFA policy as a policy document data source.

data "aws_iam_policy_document" "deny_without_mfa" {
  statement {
    sid    = "DenyAllActionsIfNoMFA"
    effect = "Deny"
    not_actions = [
      "iam:CreateVirtualMFADevice",
      "iam:EnableMfaDevices",
      "iam:ListMFADevices",
      "iam:ListVirtualMFADevices",
      "iam:ResyncMFADevice",
      "iam:DeleteVirtualMFADevice",
      "iam:GetUser",
      "sts:GetCallerIdentity",
      "sts:GetSessionToken",
      "iam:ChangePassword",
    ]
    resources = ["*"]

    condition {
      test     = "BoolIfExists"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
}

resource "aws_iam_policy" "deny_without_mfa" {
  name   = "deny-without-mfa"
  policy = data.aws_iam_policy_document.deny_without_mfa.json
}
