/*
 * Compares two evidence directories through the hipaa-iam C ABI (hipaa_iam_diff) and
 * prints "failing <n>": the new and still-open failing findings at or above high.
 *
 *   cc -Wall -Wextra -Werror -I ffi/include ffi/examples/history_demo.c -L target/debug -lhipaa_iam -o history_demo
 *   LD_LIBRARY_PATH=target/debug ./history_demo reports/2026-11 reports/2026-12
 *
 * Exit status: 0 none, 1 some, 2 the comparison could not run (the library's message on
 * stderr, e.g. a directory that does not verify against its manifest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hipaa_iam.h"
#include "demo_json.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s OLD_DIR NEW_DIR\n", argv[0]);
        return 2;
    }
    char request[8192] = "{\"fail_on\":\"high\",\"old_dir\":\"";
    if (json_escape(request, sizeof request - 64, argv[1]) != 0) return 2;
    strcat(request, "\",\"new_dir\":\"");
    if (json_escape(request, sizeof request - 8, argv[2]) != 0) return 2;
    strcat(request, "\"}");

    char *response = NULL;
    int32_t status = hipaa_iam_diff(request, &response);
    if (status != HIPAA_IAM_STATUS_OK) {
        fprintf(stderr, "diff failed (status %d): %s\n", (int)status, hipaa_iam_last_error());
        return 2;
    }
    long failing = -1;
    const char *p = strstr(response, "\"failing\":");
    if (p) number_field(p, "failing", &failing);
    printf("failing %ld\n", failing);
    hipaa_iam_string_free(response);
    return failing > 0 ? 1 : 0;
}
