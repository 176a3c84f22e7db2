/*
 * Access queries through the hipaa-iam C ABI.
 *
 *   explain: access_demo EXPORTS_DIR PRINCIPAL ACTION RESOURCE   prints "<decision> <principal>"
 *   who-can: access_demo EXPORTS_DIR ACTION RESOURCE             prints "<type> <name> <decision>" per principal
 *
 *   cc -Wall -Wextra -Werror -I ffi/include ffi/examples/access_demo.c -L target/debug -lhipaa_iam -o access_demo
 *   LD_LIBRARY_PATH=target/debug ./access_demo examples/demo-account s3:GetObject arn:aws:s3:::phi-records/x
 *
 * Exit status: 0 answered, 2 the query could not run (the library's message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hipaa_iam.h"
#include "demo_json.h"

/* Appends `"key":"value"` (value escaped) to request. */
static int field(char *request, size_t cap, const char *key, const char *value, int first) {
    size_t len = strlen(request);
    if (len + strlen(key) + 8 >= cap) return -1;
    snprintf(request + len, cap - len, "%s\"%s\":\"", first ? "" : ",", key);
    if (json_escape(request, cap - 4, value) != 0) return -1;
    strcat(request, "\"");
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s EXPORTS_DIR [PRINCIPAL] ACTION RESOURCE\n", argv[0]);
        return 2;
    }
    int explain = argc == 5;
    char request[8192] = "{";
    int bad = field(request, sizeof request, "exports_dir", argv[1], 1);
    if (explain) {
        strcat(request, ",\"requests\":[{");
        bad |= field(request, sizeof request, "principal", argv[2], 1);
        bad |= field(request, sizeof request, "action", argv[3], 0);
        bad |= field(request, sizeof request, "resource", argv[4], 0);
        strcat(request, "}]}");
    } else {
        bad |= field(request, sizeof request, "action", argv[2], 0);
        bad |= field(request, sizeof request, "resource", argv[3], 0);
        strcat(request, "}");
    }
    if (bad) {
        fprintf(stderr, "arguments too long\n");
        return 2;
    }

    char *response = NULL;
    int32_t status = explain ? hipaa_iam_access_explain(request, &response)
                             : hipaa_iam_access_who_can(request, &response);
    if (status != HIPAA_IAM_STATUS_OK) {
        fprintf(stderr, "query failed (status %d): %s\n", (int)status, hipaa_iam_last_error());
        return 2;
    }
    char principal[1024], name[1024], type[16], decision[32];
    const char *p = response;
    if (explain) {
        if ((p = string_field(p, "principal", principal, sizeof principal)) != NULL &&
            string_field(p, "decision", decision, sizeof decision) != NULL) {
            printf("%s %s\n", decision, principal);
        }
    } else {
        p = strstr(response, "\"principals\":[");
        while (p && (p = string_field(p, "name", name, sizeof name)) != NULL) {
            if (!(p = string_field(p, "type", type, sizeof type))) break;
            if (!(p = string_field(p, "decision", decision, sizeof decision))) break;
            printf("%s %s %s\n", type, name, decision);
        }
    }
    hipaa_iam_string_free(response);
    return 0;
}
