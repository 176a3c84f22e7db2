/*
 * Lints policy files through the hipaa-iam C ABI and prints each problem, one per line:
 * "<file>:<line>:<column> <severity> <rule>".
 *
 *   cc -Wall -Wextra -Werror -I ffi/include ffi/examples/lint_demo.c -L target/debug -lhipaa_iam -o lint_demo
 *   LD_LIBRARY_PATH=target/debug ./lint_demo examples/policies
 *
 * Exit status: 0 no problem at or above high, 1 problems at or above high, 2 the lint could
 * not run (the library's message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hipaa_iam.h"
#include "demo_json.h"

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    char request[8192] = "{\"fail_on\":\"high\",\"paths\":[";
    for (int i = 1; i < argc; i++) {
        if (i > 1) strcat(request, ",");
        strcat(request, "\"");
        if (json_escape(request, sizeof request - 4, argv[i]) != 0) {
            fprintf(stderr, "paths too long\n");
            return 2;
        }
        strcat(request, "\"");
    }
    strcat(request, "]}");

    char *response = NULL;
    int32_t status = hipaa_iam_lint_policy(request, &response);
    if (status != HIPAA_IAM_STATUS_OK) {
        fprintf(stderr, "lint failed (status %d): %s\n", (int)status, hipaa_iam_last_error());
        return 2;
    }
    const char *p = strstr(response, "\"problems\":[");
    char file[1024], rule[64], severity[16];
    long line = 0, column = 0;
    while (p && (p = string_field(p, "file", file, sizeof file)) != NULL) {
        if (!(p = number_field(p, "line", &line))) break;
        if (!(p = number_field(p, "column", &column))) break;
        if (!(p = string_field(p, "rule", rule, sizeof rule))) break;
        if (!(p = string_field(p, "severity", severity, sizeof severity))) break;
        printf("%s:%ld:%ld %s %s\n", file, line, column, severity, rule);
    }
    const char *failed = strstr(response, "\"failed\":true");
    hipaa_iam_string_free(response);
    return failed ? 1 : 0;
}
