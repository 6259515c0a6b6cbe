/* Definitions of the four WASI calls libc links in, so cometprov.wasm imports nothing.
   The core never does I/O; these exist only to satisfy libc's references. */
#include <stdint.h>

__attribute__((noreturn)) void __wasi_proc_exit(uint32_t code) {
    (void)code;
    __builtin_trap();
}

int32_t __wasi_fd_write(int32_t fd, const void* iovs, uint32_t iovs_len, uint32_t* nwritten) {
    /* Report every byte as written without writing anything: there is nowhere to write to. */
    const struct { const void* buf; uint32_t len; }* v = iovs;
    uint32_t total = 0;
    (void)fd;
    for (uint32_t i = 0; i < iovs_len; ++i) total += v[i].len;
    *nwritten = total;
    return 0;
}

int32_t __wasi_fd_close(int32_t fd) {
    (void)fd;
    return 0;
}

int32_t __wasi_fd_seek(int32_t fd, int64_t offset, int32_t whence, uint64_t* newoffset) {
    (void)fd;
    (void)offset;
    (void)whence;
    *newoffset = 0;
    return 0;
}

/* With memory growth, standalone builds notify the embedder after memory.grow. The hosts re-read the
   memory's data pointer after every call anyway, so the notification is a no-op defined here. */
void emscripten_notify_memory_growth(uint32_t memory_index) {
    (void)memory_index;
}
