// The C ABI boundary of the PHP-facing module: bytes in, bytes out, a status code, no exceptions.
#include "cometprov_abi.h"

#include "cometprov/invoke.hpp"
#include "cometprov/plan.hpp"
#include "cometprov/version.hpp"

#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

namespace {

// The last call's output; owned here and valid until the next call.
std::string* g_output = nullptr;

std::string* output() {
    if (g_output == nullptr) g_output = new (std::nothrow) std::string();
    return g_output;
}

// The one streamed reply in progress (one caller at a time, like cp_call).
cometprov::PlanStream* g_stream = nullptr;

cometprov::PlanStream* stream() {
    if (g_stream == nullptr) g_stream = new (std::nothrow) cometprov::PlanStream();
    return g_stream;
}

// {"ok":true,"value":...} or {"ok":false,"error":...}, as invoke writes it.
std::string outcome_text(cometprov::Outcome o) {
    cometprov::json r = cometprov::json::object();
    r["ok"] = o.ok;
    if (o.ok) {
        r["value"] = std::move(o.value);
    } else {
        r["error"] = o.error.to_json();
    }
    return cometprov::dump(r);
}

constexpr const char* kBadInput =
    R"({"ok":false,"error":{"code":"abi.bad_input","message":"The input range lies outside the module's memory"}})";

#if defined(__wasm__)
inline void* to_pointer(cp_ptr p) { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(p)); }
inline cp_ptr to_offset(const void* p) {
    return static_cast<cp_ptr>(reinterpret_cast<std::uintptr_t>(p));
}
bool in_memory(cp_ptr ptr, uint32_t len) {
    const auto end = static_cast<unsigned long long>(ptr) + len;
    return end <= static_cast<unsigned long long>(__builtin_wasm_memory_size(0)) * 65536ull;
}
#else
// Natively, 64-bit pointers do not fit the 32-bit ABI: hand out indexes into a small table instead,
// so the plain-C test drives exactly the same functions the wasm exports.
constexpr std::size_t kSlots = 1024;
void* g_slots[kSlots];
std::size_t g_sizes[kSlots];
inline void* to_pointer(cp_ptr p) { return p > 0 && p < kSlots ? g_slots[p] : nullptr; }
cp_ptr to_offset_new(void* p, std::size_t n) {
    for (cp_ptr i = 1; i < kSlots; ++i) {
        if (g_slots[i] == nullptr) {
            g_slots[i] = p;
            g_sizes[i] = n;
            return i;
        }
    }
    return 0;
}
bool in_memory(cp_ptr ptr, uint32_t len) {
    return ptr > 0 && ptr < kSlots && g_slots[ptr] != nullptr && len <= g_sizes[ptr];
}
cp_ptr g_output_slot = 0;
#endif

}  // namespace

extern "C" {

int32_t cp_abi_version(void) { return cometprov::kAbiVersion; }

cp_ptr cp_alloc(uint32_t len) {
    void* p = std::malloc(len == 0 ? 1 : len);
    if (p == nullptr) return 0;
#if defined(__wasm__)
    return to_offset(p);
#else
    cp_ptr slot = to_offset_new(p, len);
    if (slot == 0) std::free(p);
    return slot;
#endif
}

void cp_free(cp_ptr ptr) {
    if (ptr == 0) return;
#if defined(__wasm__)
    std::free(to_pointer(ptr));
#else
    if (ptr < kSlots && g_slots[ptr] != nullptr) {
        std::free(g_slots[ptr]);
        g_slots[ptr] = nullptr;
        g_sizes[ptr] = 0;
    }
#endif
}

int32_t cp_call(cp_ptr in_ptr, uint32_t in_len) {
    std::string* outp = output();
    if (outp == nullptr) return -1;
    std::string& out = *outp;
    if ((in_len > 0 && !in_memory(in_ptr, in_len)) || (in_len == 0 && in_ptr != 0 && !in_memory(in_ptr, 0))) {
        out = kBadInput;
        return -2;
    }
    const char* data = in_len == 0 ? "" : static_cast<const char*>(to_pointer(in_ptr));
    bool ok = false;
    out = cometprov::invoke(std::string_view(data, in_len), ok);
    return ok ? 0 : 1;
}

int32_t cp_stream_open(cp_ptr state_ptr, uint32_t state_len) {
    std::string* outp = output();
    cometprov::PlanStream* ps = stream();
    if (outp == nullptr || ps == nullptr) return -1;
    if (state_len > 0 && !in_memory(state_ptr, state_len)) {
        *outp = kBadInput;
        return -2;
    }
    const char* data = state_len == 0 ? "" : static_cast<const char*>(to_pointer(state_ptr));
    cometprov::Outcome o = ps->open(std::string_view(data, state_len));
    const bool ok = o.ok;
    *outp = outcome_text(std::move(o));
    return ok ? 0 : 1;
}

int32_t cp_stream_write(cp_ptr ptr, uint32_t len) {
    cometprov::PlanStream* ps = stream();
    if (ps == nullptr) return -1;
    if (!ps->is_open()) return -3;
    if (len == 0) return 0;
    if (!in_memory(ptr, len)) return -2;
    return ps->write(static_cast<const char*>(to_pointer(ptr)), len) ? 0 : 1;
}

int32_t cp_stream_close(cp_ptr in_ptr, uint32_t in_len) {
    std::string* outp = output();
    cometprov::PlanStream* ps = stream();
    if (outp == nullptr || ps == nullptr) return -1;
    if (in_len > 0 && !in_memory(in_ptr, in_len)) {
        *outp = kBadInput;
        return -2;
    }
    const char* data = in_len == 0 ? "" : static_cast<const char*>(to_pointer(in_ptr));
    cometprov::json response;
    cometprov::Error err;
    if (!cometprov::parse(std::string_view(data, in_len), response, err, 8)) {
        ps->close(cometprov::json());  // the stream ends either way
        *outp = outcome_text(cometprov::Outcome::failure(err));
        return 1;
    }
    cometprov::Outcome o = ps->close(response);
    const bool ok = o.ok;
    *outp = outcome_text(std::move(o));  // the usage rows are moved, not copied
    return ok ? 0 : 1;
}

cp_ptr cp_output_ptr(void) {
    std::string* outp = output();
    if (outp == nullptr) return 0;
    std::string& out = *outp;
#if defined(__wasm__)
    return to_offset(out.data());
#else
    if (g_output_slot != 0) {
        g_slots[g_output_slot] = nullptr;
        g_sizes[g_output_slot] = 0;
    }
    g_output_slot = to_offset_new(out.data(), out.size());
    return g_output_slot;
#endif
}

uint32_t cp_output_len(void) {
    const std::string* out = output();
    return out == nullptr ? 0 : static_cast<uint32_t>(out->size());
}

#if !defined(__wasm__)
void* cp_native_pointer(cp_ptr ptr) { return to_pointer(ptr); }
#endif

}  // extern "C"
