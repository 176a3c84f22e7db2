/*
 * The little JSON the C examples need (audit_demo.c, lint_demo.c): a string escaped into a
 * request, and string and number fields read from a response. Enough for the library's own
 * compact responses, not a JSON parser.
 */
#ifndef HIPAA_IAM_DEMO_JSON_H
#define HIPAA_IAM_DEMO_JSON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends s to buf as a JSON string body (escaping quotes, backslashes and control bytes). */
static inline int json_escape(char *buf, size_t cap, const char *s) {
    size_t n = strlen(buf);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (n + 7 >= cap) return -1;
        if (c == '"' || c == '\\') { buf[n++] = '\\'; buf[n++] = (char)c; }
        else if (c < 0x20) { n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", c); }
        else buf[n++] = (char)c;
    }
    buf[n] = '\0';
    return 0;
}

/* Copies the JSON string value of "key" found at or after p into out; returns the position after it. */
static inline const char *string_field(const char *p, const char *key, char *out, size_t cap) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\":\"", key);
    const char *at = strstr(p, needle);
    if (!at) return NULL;
    at += strlen(needle);
    size_t n = 0;
    while (*at && *at != '"') {
        if (*at == '\\' && at[1]) at++;
        if (n + 1 < cap) out[n++] = *at;
        at++;
    }
    out[n] = '\0';
    return at;
}

/* Reads the JSON number value of "key" found at or after p into *out; returns the position after it. */
static inline const char *number_field(const char *p, const char *key, long *out) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\":", key);
    const char *at = strstr(p, needle);
    if (!at) return NULL;
    char *end = NULL;
    *out = strtol(at + strlen(needle), &end, 10);
    return end;
}

#endif
