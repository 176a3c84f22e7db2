// The P/Invoke shim between the HipaaIam PowerShell module and the hipaa_iam C library.
//
// One class, compiled once per session by Add-Type (HipaaIam.psm1), and the same source
// compiles with Mono's mcs for the tests. It works on .NET Framework 4.x (Windows
// PowerShell 5.1) and .NET (PowerShell 7): strings are marshalled to and from UTF-8 by
// hand (the Framework has no UTF-8 string marshalling), no bool crosses the boundary, and
// every string the library returns is freed with hipaa_iam_string_free in a finally block.
//
// The native library is loaded by its full path in the module's folder, because
// PowerShell does not search a module's folder for native libraries: Initialize(dir)
// records the path and, on .NET, registers a DllImport resolver for it; on Windows
// PowerShell it preloads the DLL with LoadLibraryW so the DllImport below binds to it.
using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Threading;

namespace HipaaIam
{
    /// <summary>
    /// A call into the hipaa_iam library failed: the library's own description of the error
    /// (hipaa_iam_last_error_json), never parsed from the message text.
    /// </summary>
    public class HipaaIamException : Exception
    {
        /// <summary>The library's status code.</summary>
        public int Status { get; private set; }

        /// <summary>The status code's name from the library, e.g. "AwsError".</summary>
        public string StatusName { get; private set; }

        /// <summary>argument, json, input, config, aws, io or panic.</summary>
        public string Kind { get; private set; }

        /// <summary>The AWS error code (e.g. "AccessDenied") of an AWS failure, else null.</summary>
        public string AwsErrorCode { get; private set; }

        /// <summary>The AWS operation of an AWS failure (e.g. "GetAccountAuthorizationDetails"), else null.</summary>
        public string Operation { get; private set; }

        /// <summary>The request field the error is about (e.g. "users"), else null.</summary>
        public string Field { get; private set; }

        /// <summary>With Field: the message before the field's name.</summary>
        public string FieldBefore { get; private set; }

        /// <summary>With Field: the message after the field's name.</summary>
        public string FieldAfter { get; private set; }

        /// <summary>The library function that failed.</summary>
        public string Function { get; private set; }

        public HipaaIamException(string function, int status, string message)
            : this(function, status, message, null) { }

        internal HipaaIamException(string function, int status, string message, System.Collections.Generic.IDictionary<string, object> error)
            : base(message)
        {
            Function = function;
            Status = status;
            StatusName = Native.StatusName(status);
            if (error != null)
            {
                Kind = Text(error, "kind");
                AwsErrorCode = Text(error, "code");
                Operation = Text(error, "operation");
                Field = Text(error, "field");
                FieldBefore = Text(error, "field_before");
                FieldAfter = Text(error, "field_after");
            }
        }

        /// <summary>
        /// The message with <paramref name="name"/> in the place of the field's name (how the
        /// module shows it: -UserName instead of users); the message itself without a field.
        /// </summary>
        public string MessageNaming(string name)
        {
            if (Field == null || name == null) return Message;
            return (FieldBefore ?? "") + name + (FieldAfter ?? "");
        }

        private static string Text(System.Collections.Generic.IDictionary<string, object> error, string key)
        {
            object value;
            return error.TryGetValue(key, out value) ? value as string : null;
        }
    }

    /// <summary>The hipaa_iam C ABI: JSON request in, JSON response out.</summary>
    public static class Native
    {
        private const string Library = "hipaa_iam";

        /// <summary>Success: the one status the C ABI's contract fixes (every other status
        /// and its name come from the library: StatusName, StatusCode).</summary>
        public const int StatusOk = 0;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_version")]
        private static extern IntPtr NativeVersion();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_last_error_json")]
        private static extern IntPtr NativeLastErrorJson();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_status_name")]
        private static extern IntPtr NativeStatusName(int status);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_string_free")]
        private static extern void NativeStringFree(IntPtr s);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_checks")]
        private static extern int NativeChecks(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_audit")]
        private static extern int NativeAudit(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_run_audit")]
        private static extern int NativeRunAudit(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_mfa_report")]
        private static extern int NativeMfaReport(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_write_evidence")]
        private static extern int NativeWriteEvidence(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_remediation_plan")]
        private static extern int NativeRemediationPlan(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_remediation_apply")]
        private static extern int NativeRemediationApply(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_lint_policy")]
        private static extern int NativeLintPolicy(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_access_explain")]
        private static extern int NativeAccessExplain(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_access_who_can")]
        private static extern int NativeAccessWhoCan(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_diff")]
        private static extern int NativeDiff(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_review_start")]
        private static extern int NativeReviewStart(byte[] request, out IntPtr response);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, EntryPoint = "hipaa_iam_review_sign")]
        private static extern int NativeReviewSign(byte[] request, out IntPtr response);

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true, EntryPoint = "LoadLibraryW")]
        private static extern IntPtr LoadLibraryW(string path);

        private delegate int JsonCall(byte[] request, out IntPtr response);

        private static readonly object InitLock = new object();
        private static string libraryPath;
        private static bool resolverRegistered;
        private static long stringsReceived;
        private static long stringsFreed;

        /// <summary>The full path of the native library, set by Initialize.</summary>
        public static string LibraryPath { get { return libraryPath; } }

        /// <summary>Strings received from the library so far (for tests: equals StringsFreed after every call).</summary>
        public static long StringsReceived { get { return Interlocked.Read(ref stringsReceived); } }

        /// <summary>Strings released with hipaa_iam_string_free so far.</summary>
        public static long StringsFreed { get { return Interlocked.Read(ref stringsFreed); } }

        /// <summary>The native library's file name on this platform.</summary>
        public static string LibraryFileName()
        {
            if (IsWindows()) return "hipaa_iam.dll";
            if (IsMacOS()) return "libhipaa_iam.dylib";
            return "libhipaa_iam.so";
        }

        private static bool IsWindows()
        {
            PlatformID p = Environment.OSVersion.Platform;
            return p == PlatformID.Win32NT || p == PlatformID.Win32Windows || p == PlatformID.Win32S || p == PlatformID.WinCE;
        }

        private static bool IsMacOS()
        {
            if (IsWindows()) return false;
            if (Environment.OSVersion.Platform == PlatformID.MacOSX) return true;
            // .NET 5+: OperatingSystem.IsMacOS(); looked up by reflection so this compiles on the Framework.
            MethodInfo m = typeof(OperatingSystem).GetMethod("IsMacOS", BindingFlags.Public | BindingFlags.Static, null, Type.EmptyTypes, null);
            if (m != null) return (bool)m.Invoke(null, null);
            return File.Exists("/System/Library/CoreServices/SystemVersion.plist");
        }

        /// <summary>
        /// Binds the library in <paramref name="directory"/> (full path) before the first call.
        /// Calling it again with the same directory does nothing.
        /// </summary>
        public static void Initialize(string directory)
        {
            if (string.IsNullOrEmpty(directory)) throw new ArgumentException("directory is empty", "directory");
            string path = Path.GetFullPath(Path.Combine(directory, LibraryFileName()));
            lock (InitLock)
            {
                if (libraryPath != null)
                {
                    if (string.Equals(libraryPath, path, StringComparison.Ordinal)) return;
                    throw new InvalidOperationException("the hipaa_iam library is already loaded from " + libraryPath + "; start a new session to load " + path);
                }
                if (!File.Exists(path))
                    throw new FileNotFoundException("the hipaa_iam native library was not found at " + path + " (build the module with powershell/build.sh or build.ps1)", path);
                if (!RegisterResolver(path) && IsWindows())
                {
                    // Windows PowerShell (.NET Framework): a DLL already loaded under this
                    // base name satisfies DllImport("hipaa_iam").
                    if (LoadLibraryW(path) == IntPtr.Zero)
                        throw new DllNotFoundException("LoadLibraryW(" + path + ") failed with Win32 error " + Marshal.GetLastWin32Error());
                }
                libraryPath = path;
            }
        }

        // .NET Core 3+ / .NET 5+: NativeLibrary.SetDllImportResolver(assembly, resolver), by
        // reflection because the Framework and Mono do not have the type.
        private static bool RegisterResolver(string path)
        {
            if (resolverRegistered) return true;
            Type nativeLibrary = typeof(Marshal).Assembly.GetType("System.Runtime.InteropServices.NativeLibrary");
            Type resolverType = typeof(Marshal).Assembly.GetType("System.Runtime.InteropServices.DllImportResolver");
            if (nativeLibrary == null || resolverType == null) return false;
            MethodInfo set = nativeLibrary.GetMethod("SetDllImportResolver", BindingFlags.Public | BindingFlags.Static);
            if (set == null) return false;
            MethodInfo resolve = typeof(Native).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static);
            Delegate resolver = Delegate.CreateDelegate(resolverType, resolve);
            set.Invoke(null, new object[] { typeof(Native).Assembly, resolver });
            resolverRegistered = true;
            return true;
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
        {
            if (name != Library || libraryPath == null) return IntPtr.Zero;
            Type nativeLibrary = typeof(Marshal).Assembly.GetType("System.Runtime.InteropServices.NativeLibrary");
            MethodInfo load = nativeLibrary.GetMethod("Load", BindingFlags.Public | BindingFlags.Static, null, new Type[] { typeof(string) }, null);
            return (IntPtr)load.Invoke(null, new object[] { libraryPath });
        }

        private static void EnsureInitialized()
        {
            if (libraryPath == null)
                throw new InvalidOperationException("HipaaIam.Native.Initialize(directory) must be called before the first call into hipaa_iam");
        }

        /// <summary>The library's version.</summary>
        public static string Version()
        {
            EnsureInitialized();
            return FromUtf8(NativeVersion());
        }

        /// <summary>The check catalogue (a JSON array).</summary>
        public static string Checks() { return Call("hipaa_iam_checks", NativeChecks, "{}"); }

        /// <summary>The findings report for a request (JSON).</summary>
        public static string Audit(string requestJson) { return Call("hipaa_iam_audit", NativeAudit, requestJson); }

        /// <summary>
        /// One audit, the evidence written from it (with output_dir) and the fail_on verdict:
        /// {"report", "verdict", "evidence"} (JSON).
        /// </summary>
        public static string RunAudit(string requestJson) { return Call("hipaa_iam_run_audit", NativeRunAudit, requestJson); }

        /// <summary>The MFA rows (JSON array).</summary>
        public static string MfaReport(string requestJson) { return Call("hipaa_iam_mfa_report", NativeMfaReport, requestJson); }

        /// <summary>Writes the evidence directory; returns the manifest (JSON).</summary>
        public static string WriteEvidence(string requestJson) { return Call("hipaa_iam_write_evidence", NativeWriteEvidence, requestJson); }

        /// <summary>A remediation's plan (JSON); changes nothing.</summary>
        public static string RemediationPlan(string requestJson) { return Call("hipaa_iam_remediation_plan", NativeRemediationPlan, requestJson); }

        /// <summary>Applies a remediation (JSON results).</summary>
        public static string RemediationApply(string requestJson) { return Call("hipaa_iam_remediation_apply", NativeRemediationApply, requestJson); }

        /// <summary>Lints policy files (JSON: the problems at their files, lines and columns, and the fail-on verdict).</summary>
        public static string LintPolicy(string requestJson) { return Call("hipaa_iam_lint_policy", NativeLintPolicy, requestJson); }

        /// <summary>Explains access requests from identity policies and boundaries (JSON array, one object per request in order).</summary>
        public static string AccessExplain(string requestJson) { return Call("hipaa_iam_access_explain", NativeAccessExplain, requestJson); }

        /// <summary>Who can do an action on a resource (JSON: the principals, the conditions they need, what was not considered).</summary>
        public static string AccessWhoCan(string requestJson) { return Call("hipaa_iam_access_who_can", NativeAccessWhoCan, requestJson); }

        /// <summary>Compares two verified evidence directories (JSON: new, resolved, still open, changed, exceptions, principals, counts).</summary>
        public static string Diff(string requestJson) { return Call("hipaa_iam_diff", NativeDiff, requestJson); }

        /// <summary>Writes the access review roster into an evidence directory (JSON: roster, roster_id, principals).</summary>
        public static string ReviewStart(string requestJson) { return Call("hipaa_iam_review_start", NativeReviewStart, requestJson); }

        /// <summary>Checks a filled-in roster and signs the review (JSON: the review and the planned changes).</summary>
        public static string ReviewSign(string requestJson) { return Call("hipaa_iam_review_sign", NativeReviewSign, requestJson); }

        /// <summary>
        /// Applies a remediation with a secret: "<paramref name="key"/>": the secret is added to
        /// the request's JSON object only in a byte buffer that is zeroed after the call (the
        /// plain text never becomes a .NET string). <paramref name="requestJson"/> must be a
        /// JSON object without that key.
        /// </summary>
        public static string RemediationApplyWithSecret(string requestJson, string key, SecureString secret)
        {
            byte[] request = null;
            try
            {
                request = RequestWithSecret(requestJson, key, secret);
                return CallBytes("hipaa_iam_remediation_apply", NativeRemediationApply, request);
            }
            finally
            {
                if (request != null) Array.Clear(request, 0, request.Length);
            }
        }

        // The UTF-8, NUL-terminated request {...,"key":"secret"}; the caller zeroes it.
        internal static byte[] RequestWithSecret(string requestJson, string key, SecureString secret)
        {
            if (requestJson == null) throw new ArgumentNullException("requestJson");
            if (secret == null) throw new ArgumentNullException("secret");
            string head = requestJson.TrimEnd();
            if (!head.StartsWith("{", StringComparison.Ordinal) || !head.EndsWith("}", StringComparison.Ordinal))
                throw new ArgumentException("requestJson must be a JSON object", "requestJson");
            head = head.Substring(0, head.Length - 1).TrimEnd();
            bool empty = head.TrimStart() == "{";
            byte[] prefix = Encoding.UTF8.GetBytes(head + (empty ? "" : ",") + "\"" + key + "\":\"");
            byte[] suffix = Encoding.UTF8.GetBytes("\"}");
            IntPtr plain = IntPtr.Zero;
            char[] chars = null;
            char[] escaped = null;
            try
            {
                plain = Marshal.SecureStringToGlobalAllocUnicode(secret);
                chars = new char[secret.Length];
                Marshal.Copy(plain, chars, 0, chars.Length);
                escaped = new char[chars.Length * 6];
                int n = 0;
                foreach (char c in chars)
                {
                    if (c == '"' || c == '\\') { escaped[n++] = '\\'; escaped[n++] = c; }
                    else if (c < 0x20)
                    {
                        const string hex = "0123456789abcdef";
                        escaped[n++] = '\\'; escaped[n++] = 'u'; escaped[n++] = '0'; escaped[n++] = '0';
                        escaped[n++] = hex[c >> 4]; escaped[n++] = hex[c & 0xf];
                    }
                    else escaped[n++] = c;
                }
                int secretBytes = Encoding.UTF8.GetByteCount(escaped, 0, n);
                byte[] request = new byte[prefix.Length + secretBytes + suffix.Length + 1];
                Buffer.BlockCopy(prefix, 0, request, 0, prefix.Length);
                Encoding.UTF8.GetBytes(escaped, 0, n, request, prefix.Length);
                Buffer.BlockCopy(suffix, 0, request, prefix.Length + secretBytes, suffix.Length);
                return request;
            }
            finally
            {
                if (plain != IntPtr.Zero) Marshal.ZeroFreeGlobalAllocUnicode(plain);
                if (chars != null) Array.Clear(chars, 0, chars.Length);
                if (escaped != null) Array.Clear(escaped, 0, escaped.Length);
            }
        }

        private static string Call(string function, JsonCall call, string requestJson)
        {
            if (requestJson == null) throw new ArgumentNullException("requestJson");
            return CallBytes(function, call, ToUtf8(requestJson));
        }

        private static string CallBytes(string function, JsonCall call, byte[] request)
        {
            EnsureInitialized();
            IntPtr response = IntPtr.Zero;
            try
            {
                int status = call(request, out response);
                if (status != StatusOk)
                {
                    // The thread's last error, read on the same thread right after the call.
                    string json = FromUtf8(NativeLastErrorJson());
                    // On error the library leaves *out_json untouched: nothing to free.
                    response = IntPtr.Zero;
                    System.Collections.Generic.IDictionary<string, object> error = ParseFlatObject(json);
                    string message = error == null ? null : error["message"] as string;
                    throw new HipaaIamException(function, status, string.IsNullOrEmpty(message) ? function + " failed with status " + StatusName(status) : message, error);
                }
                if (response == IntPtr.Zero)
                    throw new HipaaIamException(function, StatusCode("Panic"), function + " returned OK without a response");
                Interlocked.Increment(ref stringsReceived);
                return FromUtf8(response);
            }
            finally
            {
                if (response != IntPtr.Zero)
                {
                    NativeStringFree(response);
                    Interlocked.Increment(ref stringsFreed);
                }
            }
        }

        /// <summary>The name of a status code, from the library (e.g. "InvalidInput").</summary>
        public static string StatusName(int status)
        {
            EnsureInitialized();
            string name = FromUtf8(NativeStatusName(status));
            return name ?? "Unknown(" + status + ")";
        }

        /// <summary>The code of a status name, from the library; -1 when the library has no such status.</summary>
        public static int StatusCode(string name)
        {
            EnsureInitialized();
            // Status codes are small and never reused; the library names each one.
            for (int status = 0; status < 256; status++)
            {
                if (string.Equals(FromUtf8(NativeStatusName(status)), name, StringComparison.Ordinal)) return status;
            }
            return -1;
        }

        // Reads a JSON object whose values are strings, numbers, booleans or null (the
        // library's last error): key -> string, long, bool or null. null when it is not one.
        internal static System.Collections.Generic.IDictionary<string, object> ParseFlatObject(string json)
        {
            if (json == null) return null;
            System.Collections.Generic.Dictionary<string, object> result = new System.Collections.Generic.Dictionary<string, object>(StringComparer.Ordinal);
            int i = 0;
            Space(json, ref i);
            if (!Take(json, ref i, '{')) return null;
            Space(json, ref i);
            if (Take(json, ref i, '}')) return result;
            while (true)
            {
                Space(json, ref i);
                string key = JsonString(json, ref i);
                if (key == null) return null;
                Space(json, ref i);
                if (!Take(json, ref i, ':')) return null;
                Space(json, ref i);
                object value;
                if (i < json.Length && json[i] == '"')
                {
                    value = JsonString(json, ref i);
                    if (value == null) return null;
                }
                else
                {
                    int start = i;
                    while (i < json.Length && ",} \t\r\n".IndexOf(json[i]) < 0) i++;
                    string word = json.Substring(start, i - start);
                    long number;
                    if (word == "null") value = null;
                    else if (word == "true") value = true;
                    else if (word == "false") value = false;
                    else if (long.TryParse(word, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out number)) value = number;
                    else return null;
                }
                result[key] = value;
                Space(json, ref i);
                if (Take(json, ref i, ',')) continue;
                if (Take(json, ref i, '}')) return result;
                return null;
            }
        }

        private static void Space(string s, ref int i)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
        }

        private static bool Take(string s, ref int i, char c)
        {
            if (i < s.Length && s[i] == c) { i++; return true; }
            return false;
        }

        // A JSON string at s[i] (the opening quote), its escapes decoded; null when malformed.
        private static string JsonString(string s, ref int i)
        {
            if (!Take(s, ref i, '"')) return null;
            StringBuilder b = new StringBuilder();
            while (i < s.Length)
            {
                char c = s[i++];
                if (c == '"') return b.ToString();
                if (c != '\\') { b.Append(c); continue; }
                if (i >= s.Length) return null;
                char e = s[i++];
                switch (e)
                {
                    case '"': b.Append('"'); break;
                    case '\\': b.Append('\\'); break;
                    case '/': b.Append('/'); break;
                    case 'b': b.Append('\b'); break;
                    case 'f': b.Append('\f'); break;
                    case 'n': b.Append('\n'); break;
                    case 'r': b.Append('\r'); break;
                    case 't': b.Append('\t'); break;
                    case 'u':
                        if (i + 4 > s.Length) return null;
                        int code;
                        if (!int.TryParse(s.Substring(i, 4), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out code)) return null;
                        b.Append((char)code);
                        i += 4;
                        break;
                    default: return null;
                }
            }
            return null;
        }

        private static byte[] ToUtf8(string s)
        {
            int n = Encoding.UTF8.GetByteCount(s);
            byte[] bytes = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        private static string FromUtf8(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            byte[] bytes = new byte[n];
            Marshal.Copy(p, bytes, 0, n);
            return Encoding.UTF8.GetString(bytes);
        }
    }
}
