# The clinic's IAM in Terraform: policies written as heredocs and with jsonencode.

variable "records_bucket_arn" {
  type = string
}

resource "aws_iam_policy" "records_read" {
  name        = "records-read"
  description = "Read the patient records bucket" # policy = <<EOF in a comment is no policy
  policy      = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ReadRecords",
          "Effect": "Allow",
          "Action": ["s3:GetObject", "s3:ListBucket"],
          "Resource": ["${var.records_bucket_arn}", "${var.records_bucket_arn}/home/$${aws:username}/*"]
        },
        {
          "Sid": "PassAnyRole",
          "Effect": "Allow",
          "Action": "iam:PassRole",
          "Resource": "*"
        }
      ]
    }
  EOF
}

resource "aws_iam_role" "imaging" {
  name = "imaging-worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  inline_policy {
    name = "imaging-data"
    policy = jsonencode({
      Version = "2012-10-17"
      Statement = [
        {
          Sid      = "ImagingEverything"
          Effect   = "Allow"
          Action   = "s3:*"
          Resource = var.records_bucket_arn
        },
        {
          Sid       = "EverythingElse"
          Effect    = "Allow"
          NotAction = ["iam:*", "organizations:*"]
          Resource  = "*"
        },
      ]
    })
  }
}

resource "aws_iam_group_policy" "break_glass" {
  name  = "break-glass"
  group = "admins"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = {
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
      Condition = {
        Bool = { "aws:MultiFactorAuthPresent" = "true" }
      }
    }
  })
}

resource "aws_sqs_queue" "claims" {
  name           = "claims"
  redrive_policy = jsonencode({ deadLetterTargetArn = "arn:aws:sqs:us-east-1:123456789012:claims-dlq", maxReceiveCount = 4 })
}
