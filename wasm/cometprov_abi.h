/* The C ABI of cometprov.wasm (see ABI.md). Also compiled natively for the plain-C test. */
#ifndef COMETPROV_ABI_H
#define COMETPROV_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__wasm__)
#define CP_EXPORT(name) __attribute__((export_name(name), used))
#else
#define CP_EXPORT(name)
#endif

/* Offsets and lengths are 32-bit: wasm32 addresses, and the same width natively for the tests. */
typedef uint32_t cp_ptr;

CP_EXPORT("cp_abi_version") int32_t cp_abi_version(void);
CP_EXPORT("cp_alloc") cp_ptr cp_alloc(uint32_t len);
CP_EXPORT("cp_free") void cp_free(cp_ptr ptr);
CP_EXPORT("cp_call") int32_t cp_call(cp_ptr in_ptr, uint32_t in_len);
CP_EXPORT("cp_output_ptr") cp_ptr cp_output_ptr(void);
CP_EXPORT("cp_output_len") uint32_t cp_output_len(void);

/* A streamed reply to a plan step whose request says "stream": true (ABI.md "Streaming a reply"). */
CP_EXPORT("cp_stream_open") int32_t cp_stream_open(cp_ptr state_ptr, uint32_t state_len);
CP_EXPORT("cp_stream_write") int32_t cp_stream_write(cp_ptr ptr, uint32_t len);
CP_EXPORT("cp_stream_close") int32_t cp_stream_close(cp_ptr response_ptr, uint32_t response_len);

/* Native builds only: turn an offset back into a pointer (offsets index a process-wide table). */
#if !defined(__wasm__)
void* cp_native_pointer(cp_ptr ptr);
#endif

#ifdef __cplusplus
}
#endif

#endif
