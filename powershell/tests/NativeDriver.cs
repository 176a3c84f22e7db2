// Drives HipaaIam.Native.cs against the real hipaa_iam library (compiled with Mono's mcs
// by tests/tests/workspace/powershell.rs, which checks what this program writes).
//
// Usage: NativeDriver.exe EXPORTS_DIR OUT_DIR [live]
// The native library sits next to this program, as it sits next to the module.
// Writes OUT_DIR/{checks,audit,mfa,evidence-manifest,evidence-no-html-manifest,
// evidence-no-xlsx-manifest,run}.json and prints one line per error
// case: "ERROR <case> <status> <StatusName> <kind> <field or -> <message>". With "live",
// it only runs the audit of the live account (the AWS environment) with the evidence
// into OUT_DIR/live, as Invoke-HipaaIamAudit -OutputDirectory does, and writes
// OUT_DIR/live-run.json. Exits 1 when an expectation fails.
using System;
using System.IO;
using System.Security;
using System.Text;

namespace HipaaIam.Tests
{
    public static class NativeDriver
    {
        private static int failures;

        private static void Expect(bool ok, string what)
        {
            if (!ok)
            {
                failures++;
                Console.Error.WriteLine("FAILED: " + what);
            }
        }

        private static string Quote(string s)
        {
            return "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }

        private static void ExpectFreed(string after)
        {
            Expect(Native.StringsReceived == Native.StringsFreed,
                "after " + after + ": received " + Native.StringsReceived + " strings, freed " + Native.StringsFreed);
        }

        private static void ExpectError(string name, Func<string> call, int status)
        {
            long received = Native.StringsReceived;
            try
            {
                call();
                Expect(false, name + ": no exception");
            }
            catch (HipaaIamException e)
            {
                Console.WriteLine("ERROR " + name + " " + e.Status + " " + e.StatusName + " " + e.Kind + " " + (e.Field ?? "-") + " " + e.Message);
                if (e.Field != null) Console.WriteLine("NAMED " + name + " " + e.MessageNaming("-UserName"));
                Expect(e.Status == status, name + ": status " + e.Status + ", expected " + status);
                Expect(e.Message.Length > 0, name + ": empty message");
            }
            Expect(Native.StringsReceived == received, name + ": an error returned a string");
            ExpectFreed(name);
        }

        public static int Main(string[] args)
        {
            // The names it prints are UTF-8 whatever the locale (a bare environment makes
            // Mono's console ASCII, and "déjà-vu" would print as "d?j?-vu").
            Console.OutputEncoding = new System.Text.UTF8Encoding(false);
            if (args.Length != 2 && !(args.Length == 3 && args[2] == "live"))
            {
                Console.Error.WriteLine("usage: NativeDriver.exe EXPORTS_DIR OUT_DIR [live]");
                return 2;
            }
            string exports = args[0];
            string outDir = args[1];
            string here = AppDomain.CurrentDomain.BaseDirectory;

            try
            {
                Native.Version();
                Expect(false, "a call before Initialize did not throw");
            }
            catch (InvalidOperationException) { }

            Native.Initialize(here);
            Native.Initialize(here); // a second Initialize with the same folder is a no-op
            Expect(Native.LibraryPath == Path.GetFullPath(Path.Combine(here, "libhipaa_iam.so")), "LibraryPath " + Native.LibraryPath);
            Console.WriteLine("LIBRARY " + Native.LibraryPath);
            Console.WriteLine("VERSION " + Native.Version());

            if (args.Length == 3)
            {
                // One call: the audit of the live account and its evidence, as the module makes it.
                string live = Path.Combine(outDir, "live");
                File.WriteAllText(Path.Combine(outDir, "live-run.json"),
                    Native.RunAudit("{\"regions\":[\"us-east-1\"],\"fail_on\":\"none\",\"output_dir\":" + Quote(live) + "}"), new UTF8Encoding(false));
                ExpectFreed("live run_audit");
                Console.WriteLine(failures == 0 ? "DRIVER OK" : "DRIVER FAILED " + failures);
                return failures == 0 ? 0 : 1;
            }

            File.WriteAllText(Path.Combine(outDir, "checks.json"), Native.Checks(), new UTF8Encoding(false));
            ExpectFreed("checks");

            string request = "{\"exports_dir\":" + Quote(exports) + "}";
            File.WriteAllText(Path.Combine(outDir, "audit.json"), Native.Audit(request), new UTF8Encoding(false));
            ExpectFreed("audit");
            File.WriteAllText(Path.Combine(outDir, "mfa.json"), Native.MfaReport(request), new UTF8Encoding(false));
            ExpectFreed("mfa_report");
            string evidence = Path.Combine(outDir, "evidence");
            string manifest = Native.WriteEvidence("{\"exports_dir\":" + Quote(exports) + ",\"output_dir\":" + Quote(evidence) + "}");
            File.WriteAllText(Path.Combine(outDir, "evidence-manifest.json"), manifest, new UTF8Encoding(false));
            ExpectFreed("write_evidence");
            // -NoHtml and -NoXlsx: the request fields html and xlsx set to false.
            foreach (string field in new[] { "html", "xlsx" })
            {
                string without = Path.Combine(outDir, "evidence-no-" + field);
                File.WriteAllText(Path.Combine(outDir, "evidence-no-" + field + "-manifest.json"),
                    Native.WriteEvidence("{\"exports_dir\":" + Quote(exports) + ",\"output_dir\":" + Quote(without) + ",\"" + field + "\":false}"), new UTF8Encoding(false));
                ExpectFreed("write_evidence " + field + ":false");
            }
            string runEvidence = Path.Combine(outDir, "run-evidence");
            File.WriteAllText(Path.Combine(outDir, "run.json"),
                Native.RunAudit("{\"exports_dir\":" + Quote(exports) + ",\"fail_on\":\"high\",\"output_dir\":" + Quote(runEvidence) + "}"), new UTF8Encoding(false));
            ExpectFreed("run_audit");
            // The policy files next to the demo account, as Test-HipaaIamPolicy lints them.
            string policies = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(exports)), "policies");
            File.WriteAllText(Path.Combine(outDir, "lint.json"),
                Native.LintPolicy("{\"paths\":[" + Quote(policies) + "],\"fail_on\":\"high\"}"), new UTF8Encoding(false));
            ExpectFreed("lint_policy");
            // Test-HipaaIamAccess's and Get-HipaaIamAccessPath's calls on the demo account.
            const string phi = "\"arn:aws:s3:::phi-records/x\"";
            File.WriteAllText(Path.Combine(outDir, "access-explain.json"),
                Native.AccessExplain("{\"exports_dir\":" + Quote(exports) + ",\"requests\":["
                    + "{\"principal\":\"jordan.lee\",\"action\":\"s3:GetObject\",\"resource\":" + phi + ",\"context\":{\"aws:MultiFactorAuthPresent\":\"true\"}},"
                    + "{\"principal\":\"jordan.lee\",\"action\":\"s3:GetObject\",\"resource\":" + phi + "}]}"), new UTF8Encoding(false));
            ExpectFreed("access_explain");
            File.WriteAllText(Path.Combine(outDir, "access-who-can.json"),
                Native.AccessWhoCan("{\"exports_dir\":" + Quote(exports) + ",\"action\":\"s3:GetObject\",\"resource\":" + phi + "}"), new UTF8Encoding(false));
            ExpectFreed("access_who_can");
            // Compare-HipaaIamAudit's, Start- and Complete-HipaaIamAccessReview's calls: two
            // evidence directories of the demo account, then a review of the first.
            File.WriteAllText(Path.Combine(outDir, "diff.json"),
                Native.Diff("{\"old_dir\":" + Quote(evidence) + ",\"new_dir\":" + Quote(runEvidence) + ",\"fail_on\":\"critical\"}"), new UTF8Encoding(false));
            ExpectFreed("diff");
            File.WriteAllText(Path.Combine(outDir, "review-start.json"),
                Native.ReviewStart("{\"evidence_dir\":" + Quote(evidence) + "}"), new UTF8Encoding(false));
            ExpectFreed("review_start");
            string[] rows = File.ReadAllLines(Path.Combine(evidence, "access_review.csv"));
            for (int i = 1; i < rows.Length; i++) rows[i] = rows[i].Substring(0, rows[i].Length - 3) + ",keep,,";
            string roster = Path.Combine(outDir, "roster.csv");
            File.WriteAllText(roster, string.Join("\r\n", rows) + "\r\n", new UTF8Encoding(false));
            File.WriteAllText(Path.Combine(outDir, "review-sign.json"),
                Native.ReviewSign("{\"evidence_dir\":" + Quote(evidence) + ",\"roster\":" + Quote(roster) + ",\"reviewer\":\"Jane Doe\",\"title\":\"CISO\"}"), new UTF8Encoding(false));
            ExpectFreed("review_sign");

            int invalidJson = Native.StatusCode("InvalidJson");
            int invalidInput = Native.StatusCode("InvalidInput");
            int invalidArgument = Native.StatusCode("InvalidArgument");
            Expect(invalidJson > 0 && invalidInput > 0 && invalidArgument > 0, "status codes from the library");
            Expect(Native.StatusCode("NoSuchStatus") == -1, "an unknown status name has no code");
            Console.WriteLine("STATUS InvalidInput=" + invalidInput + " " + Native.StatusName(invalidInput) + " AwsError=" + Native.StatusCode("AwsError"));
            ExpectError("bad-json", () => Native.Audit("{not json"), invalidJson);
            ExpectError("unknown-field", () => Native.Audit("{\"no_such_field\":1}"), invalidJson);
            ExpectError("missing-dir", () => Native.Audit("{\"exports_dir\":" + Quote(Path.Combine(outDir, "no-such-dir")) + "}"), invalidInput);
            ExpectError("wrong-type", () => Native.MfaReport("{\"regions\":5}"), invalidJson);
            ExpectError("lint-missing", () => Native.LintPolicy("{\"paths\":[" + Quote(Path.Combine(outDir, "no-such-policy.json")) + "]}"), Native.StatusCode("IoError"));
            ExpectError("diff-unverified", () => Native.Diff("{\"old_dir\":" + Quote(outDir) + ",\"new_dir\":" + Quote(evidence) + "}"), Native.StatusCode("IoError"));
            ExpectError("access-principal", () => Native.AccessExplain("{\"exports_dir\":" + Quote(exports) + ",\"requests\":[{\"principal\":\"jordan.le\",\"action\":\"s3:GetObject\",\"resource\":\"*\"}]}"), invalidArgument);
            // A field error: the library names the request field; the module puts its own name in.
            ExpectError("field", () => Native.RemediationPlan("{\"remediation\":\"create-user\",\"users\":[\"alice\"],\"exports_dir\":" + Quote(exports) + "}"), invalidArgument);

            // A non-ASCII value survives the round trip through the library's error message.
            ExpectError("utf8", () => Native.Audit("{\"exports_dir\":" + Quote(Path.Combine(outDir, "d\u00e9j\u00e0-vu")) + "}"), invalidInput);

            // The last error's JSON is read as the library writes it, escapes and all.
            System.Collections.Generic.IDictionary<string, object> parsed = Native.ParseFlatObject(
                "{\"status\":5,\"kind\":\"aws\",\"code\":\"AccessDenied\",\"operation\":\"GetAccountAuthorizationDetails\",\"field\":null,\"message\":\"a \\\"q\\\" \\u00e9\\n\"}");
            Expect(parsed != null && (long)parsed["status"] == 5 && (string)parsed["code"] == "AccessDenied" && parsed["field"] == null, "parsed last error");
            Expect(parsed != null && (string)parsed["message"] == "a \"q\" \u00e9\n", "parsed message escapes");
            HipaaIamException aws = new HipaaIamException("hipaa_iam_audit", 5, "AWS x failed", parsed);
            Expect(aws.AwsErrorCode == "AccessDenied" && aws.Operation == "GetAccountAuthorizationDetails", "AwsErrorCode " + aws.AwsErrorCode);
            Expect(aws.StatusName == "AwsError", "StatusName " + aws.StatusName);
            Expect(Native.ParseFlatObject("{\"a\":") == null && Native.ParseFlatObject("[]") == null, "malformed JSON is refused");

            // The secret is spliced into the request as an escaped JSON string.
            SecureString secret = new SecureString();
            foreach (char c in "p\"w\\d\u00e9\n") secret.AppendChar(c);
            secret.MakeReadOnly();
            byte[] spliced = Native.RequestWithSecret("{\"remediation\":\"create-user\" }", "console_password", secret);
            Expect(spliced[spliced.Length - 1] == 0, "spliced request is NUL-terminated");
            string text = Encoding.UTF8.GetString(spliced, 0, spliced.Length - 1);
            Expect(text == "{\"remediation\":\"create-user\",\"console_password\":\"p\\\"w\\\\d\u00e9\\u000a\"}", "spliced request " + text);
            byte[] onlySecret = Native.RequestWithSecret("{}", "console_password", secret);
            string text2 = Encoding.UTF8.GetString(onlySecret, 0, onlySecret.Length - 1);
            Expect(text2 == "{\"console_password\":\"p\\\"w\\\\d\u00e9\\u000a\"}", "spliced empty request " + text2);

            Console.WriteLine("STRINGS received=" + Native.StringsReceived + " freed=" + Native.StringsFreed);
            Expect(Native.StringsReceived == 13, "expected 13 strings from the library, got " + Native.StringsReceived);
            ExpectFreed("all calls");
            Console.WriteLine(failures == 0 ? "DRIVER OK" : "DRIVER FAILED " + failures);
            return failures == 0 ? 0 : 1;
        }
    }
}
