/* Drives the C ABI from plain C, exactly as a wasm host would: alloc, copy in, call, copy out, free. */
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
    if (failures == 0) printf("abi_c_test: all checks passed\n");
    return failures == 0 ? 0 : 1;
}
