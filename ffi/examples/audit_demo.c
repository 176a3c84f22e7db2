/*
 * Audits an exports directory through the hipaa-iam C ABI and prints the failing findings,
 * one per line: "<check_id> <severity> <resource_name>".
 *
 *   cc -Wall -Wextra -Werror -I ffi/include ffi/examples/audit_demo.c -L target/debug -lhipaa_iam -o audit_demo
 *   LD_LIBRARY_PATH=target/debug ./audit_demo examples/demo-account
 *
 * Exit status: 0 no failing finding, 1 failing findings, 2 the audit could not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hipaa_iam.h"
#include "demo_json.h"

/* The severity of check `check`: each check's metadata is stated once, in the report's
 * "checks" object (which comes before "findings"), not in every finding. */
static void check_severity(const char *response, const char *check, char *out, size_t cap) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\":{", check);
    const char *checks = strstr(response, "\"checks\":{");
    const char *at = checks ? strstr(checks, needle) : NULL;
    if (!at || !string_field(at, "severity", out, cap)) snprintf(out, cap, "?");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXPORTS_DIR\n", argv[0]);
        return 2;
    }
    char request[4096] = "{\"exports_dir\":\"";
    if (json_escape(request, sizeof request - 3, argv[1]) != 0) {
        fprintf(stderr, "path too long\n");
        return 2;
    }
    strcat(request, "\"}");

    printf("hipaa-iam %s\n", hipaa_iam_version());
    char *response = NULL;
    int32_t status = hipaa_iam_audit(request, &response);
    if (status != HIPAA_IAM_STATUS_OK) {
        fprintf(stderr, "audit failed (status %d): %s\n", (int)status, hipaa_iam_last_error());
        return 2;
    }

    int failing = 0;
    const char *p = strstr(response, "\"findings\":[");
    char check[32], severity[16], st[16], name[512];
    while (p && (p = string_field(p, "check_id", check, sizeof check)) != NULL) {
        p = string_field(p, "status", st, sizeof st);
        if (!p) break;
        p = string_field(p, "resource_name", name, sizeof name);
        if (!p) break;
        if (strcmp(st, "fail") == 0) {
            check_severity(response, check, severity, sizeof severity);
            printf("%s %s %s\n", check, severity, name);
            failing++;
        }
    }
    hipaa_iam_string_free(response);

    /* Errors come back as a status and a message, never a crash. */
    char *unused = NULL;
    status = hipaa_iam_audit("{not json", &unused);
    if (status != HIPAA_IAM_STATUS_INVALID_JSON || unused != NULL || strlen(hipaa_iam_last_error()) == 0) {
        fprintf(stderr, "malformed request was not reported as INVALID_JSON\n");
        return 2;
    }
    status = hipaa_iam_audit(NULL, &unused);
    if (status != HIPAA_IAM_STATUS_INVALID_ARGUMENT) {
        fprintf(stderr, "NULL request was not reported as INVALID_ARGUMENT\n");
        return 2;
    }
    hipaa_iam_string_free(NULL);

    printf("%d failing finding(s)\n", failing);
    return failing > 0 ? 1 : 0;
}
