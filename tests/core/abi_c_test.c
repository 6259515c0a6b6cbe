/* Drives the C ABI from plain C, exactly as a wasm host would: alloc, copy in, call, copy out, free. */
#define _GNU_SOURCE /* memmem */
#include "cometprov_abi.h"

#include <stdio.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond)) {                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                               \
        }                                                             \
    } while (0)

static int call(const char* request, char* out, size_t cap) {
    uint32_t len = (uint32_t)strlen(request);
    cp_ptr in = cp_alloc(len);
    CHECK(in != 0);
    memcpy(cp_native_pointer(in), request, len);
    int status = cp_call(in, len);
    cp_free(in);
    uint32_t n = cp_output_len();
    const char* data = (const char*)cp_native_pointer(cp_output_ptr());
    CHECK(data != NULL);
    if (n >= cap) n = (uint32_t)cap - 1;
    memcpy(out, data, n);
    out[n] = 0;
    return status;
}

int main(void) {
    char out[4096];
    CHECK(cp_abi_version() == 1);
    CHECK(call("{\"op\":\"version\"}", out, sizeof out) == 0);
    CHECK(strncmp(out, "{\"ok\":true,", 11) == 0);
    CHECK(call("{\"op\":\"password.validate\",\"args\":{\"password\":\"short\"}}", out, sizeof out) == 0);
    CHECK(strstr(out, "password.too_short") != NULL);
    CHECK(call("not json", out, sizeof out) == 1);
    CHECK(strstr(out, "request.bad_json") != NULL);
    CHECK(call("{\"op\":\"nope\"}", out, sizeof out) == 1);
    CHECK(strstr(out, "request.unknown_op") != NULL);
    /* An input range that does not exist is refused, not read. */
    CHECK(cp_call(999, 10) == -2);
    CHECK(strstr((const char*)cp_native_pointer(cp_output_ptr()), "abi.bad_input") != NULL);
    /* Zero-length input is a valid (and malformed) request. */
    cp_ptr empty = cp_alloc(0);
    CHECK(empty != 0);
    CHECK(cp_call(empty, 0) == 1);
    cp_free(empty);
    cp_free(0);

    /* A streamed reply: plan.start UsageUpdate, open with its state, write the body in pieces (the
       name "alice" and a \u escape split across writes), close with the HTTP status. */
    static char step[8192];
    CHECK(call("{\"op\":\"plan.start\",\"args\":{\"action\":\"UsageUpdate\",\"context\":{\"services\":"
               "[{\"serviceid\":5,\"username\":\"alice\"}]}}}", step, sizeof step) == 0);
    CHECK(strstr(step, "\"stream\":true") != NULL);
    char* st = strstr(step, "\"state\":\"");
    CHECK(st != NULL);
    if (st != NULL) {
        st += 9;
        /* The state is a JSON string: copy it back to its raw text (only \" and \\ occur in it). */
        static char state[8192];
        size_t n = 0;
        for (const char* p = st; *p != '"' && n + 1 < sizeof state; ++p) {
            if (*p == '\\') ++p;
            state[n++] = *p;
        }
        CHECK(cp_stream_write(1, 1) == -3); /* no stream open yet */
        cp_ptr sp = cp_alloc((uint32_t)n);
        memcpy(cp_native_pointer(sp), state, n);
        CHECK(cp_stream_open(sp, (uint32_t)n) == 0);
        cp_free(sp);
        const char* pieces[] = {"{\"al", "i", "ce\":{\"Destinations\":{\"v\":{\"Statistics\":{\"Client",
                                "ProvidedSize\":{\"Size\":1048", "5760}}}}},\"\\u00", "e9\":{}}"};
        cp_ptr buf = cp_alloc(64); /* one block reused for every write */
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; ++i) {
            size_t len = strlen(pieces[i]);
            memcpy(cp_native_pointer(buf), pieces[i], len);
            CHECK(cp_stream_write(buf, (uint32_t)len) == 0);
        }
        CHECK(cp_stream_write(999, 10) == -2);
        const char* close = "{\"httpStatus\":200}";
        memcpy(cp_native_pointer(buf), close, strlen(close));
        CHECK(cp_stream_close(buf, (uint32_t)strlen(close)) == 0);
        uint32_t on = cp_output_len();
        const char* o = (const char*)cp_native_pointer(cp_output_ptr());
        CHECK(on > 0 && o != NULL && memmem(o, on, "\"diskusage\":10,", 15) != NULL);
        CHECK(o != NULL && memmem(o, on, "\"unknownAccounts\":[\"\xC3\xA9\"]", 22) != NULL);
        /* A bad body says so at once; the close still answers with the failed step. */
        sp = cp_alloc((uint32_t)n);
        memcpy(cp_native_pointer(sp), state, n);
        CHECK(cp_stream_open(sp, (uint32_t)n) == 0);
        cp_free(sp);
        memcpy(cp_native_pointer(buf), "{]", 2);
        CHECK(cp_stream_write(buf, 2) == 1);
        memcpy(cp_native_pointer(buf), close, strlen(close));
        CHECK(cp_stream_close(buf, (uint32_t)strlen(close)) == 0);
        o = (const char*)cp_native_pointer(cp_output_ptr());
        CHECK(o != NULL && memmem(o, cp_output_len(), "comet.bad_reply", 15) != NULL);
        CHECK(cp_stream_close(buf, (uint32_t)strlen(close)) == 1); /* closed already */
        o = (const char*)cp_native_pointer(cp_output_ptr());
        CHECK(o != NULL && memmem(o, cp_output_len(), "plan.no_stream", 14) != NULL);
        cp_free(buf);
    }
    if (failures == 0) printf("abi_c_test: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
