/* The subset of the standard WebAssembly C API (wasm.h) that the PHP host calls through FFI.
 * FFI::cdef reads this file at run time, so it holds plain declarations only: no #include, no
 * macros, no inline bodies, no `own` markers. tests/php/HeaderCheckTest.php compiles it against the
 * runtime's real wasm.h with gcc, so any drift in a type or prototype fails the tests. */

typedef char byte_t;
typedef byte_t wasm_byte_t;
typedef struct wasm_byte_vec_t { size_t size; wasm_byte_t* data; } wasm_byte_vec_t;
typedef wasm_byte_vec_t wasm_name_t;
typedef wasm_name_t wasm_message_t;

typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_store_t wasm_store_t;
typedef struct wasm_module_t wasm_module_t;
typedef struct wasm_instance_t wasm_instance_t;
typedef struct wasm_extern_t wasm_extern_t;
typedef struct wasm_func_t wasm_func_t;
typedef struct wasm_memory_t wasm_memory_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasm_importtype_t wasm_importtype_t;
typedef struct wasm_exporttype_t wasm_exporttype_t;

typedef struct wasm_extern_vec_t { size_t size; wasm_extern_t** data; } wasm_extern_vec_t;
typedef struct wasm_importtype_vec_t { size_t size; wasm_importtype_t** data; } wasm_importtype_vec_t;
typedef struct wasm_exporttype_vec_t { size_t size; wasm_exporttype_t** data; } wasm_exporttype_vec_t;

typedef uint8_t wasm_valkind_t;
typedef uint8_t wasm_externkind_t;
struct wasm_ref_t;
typedef struct wasm_val_t {
  wasm_valkind_t kind;
  union { int32_t i32; int64_t i64; float f32; double f64; struct wasm_ref_t* ref; } of;
} wasm_val_t;
typedef struct wasm_val_vec_t { size_t size; wasm_val_t* data; } wasm_val_vec_t;

void wasm_byte_vec_new(wasm_byte_vec_t* out, size_t size, const wasm_byte_t* data);
void wasm_byte_vec_delete(wasm_byte_vec_t* vec);

wasm_engine_t* wasm_engine_new(void);
void wasm_engine_delete(wasm_engine_t* engine);
wasm_store_t* wasm_store_new(wasm_engine_t* engine);
void wasm_store_delete(wasm_store_t* store);

wasm_module_t* wasm_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary);
void wasm_module_delete(wasm_module_t* module);
void wasm_module_imports(const wasm_module_t* module, wasm_importtype_vec_t* out);
void wasm_module_exports(const wasm_module_t* module, wasm_exporttype_vec_t* out);
void wasm_module_serialize(const wasm_module_t* module, wasm_byte_vec_t* out);
wasm_module_t* wasm_module_deserialize(wasm_store_t* store, const wasm_byte_vec_t* serialized);
void wasm_importtype_vec_delete(wasm_importtype_vec_t* vec);
void wasm_exporttype_vec_delete(wasm_exporttype_vec_t* vec);
const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t* exporttype);

wasm_instance_t* wasm_instance_new(wasm_store_t* store, const wasm_module_t* module,
                                   const wasm_extern_vec_t* imports, wasm_trap_t** trap);
void wasm_instance_delete(wasm_instance_t* instance);
void wasm_instance_exports(const wasm_instance_t* instance, wasm_extern_vec_t* out);
void wasm_extern_vec_delete(wasm_extern_vec_t* vec);

wasm_externkind_t wasm_extern_kind(const wasm_extern_t* ext);
wasm_func_t* wasm_extern_as_func(wasm_extern_t* ext);
wasm_memory_t* wasm_extern_as_memory(wasm_extern_t* ext);

size_t wasm_func_param_arity(const wasm_func_t* func);
size_t wasm_func_result_arity(const wasm_func_t* func);
wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args, wasm_val_vec_t* results);

byte_t* wasm_memory_data(wasm_memory_t* memory);
size_t wasm_memory_data_size(const wasm_memory_t* memory);

void wasm_trap_message(const wasm_trap_t* trap, wasm_message_t* out);
void wasm_trap_delete(wasm_trap_t* trap);
