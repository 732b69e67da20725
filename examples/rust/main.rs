//! examples/rust/main.rs — mirt from Rust through the C ABI, with hand-written `extern "C"`
//! declarations (no crates, no bindgen): the structs below mirror abi/include/mirt/*.h field by field.
//!
//! It builds  y = Relu(x @ W^T + b)  for x [batch, 4] (batch dynamic, profile 1..8), builds a plan
//! for the "cpu" backend, creates an engine and a context, runs batch 3, and checks y against a
//! float64 reference computed here; then checks that a batch outside the profile fails with
//! INVALID_SHAPE naming the input. Exit status 0 when every check passed.
//!
//!   rustc --edition 2021 -L build/core -C link-args=-Wl,-rpath,$PWD/build/core \
//!         -o build/mirt_rust_example examples/rust/main.rs
//!   MIRT_MODULE_PATH=build/backends/cpu build/mirt_rust_example
//!
//! Works with Rust 1.63 (Debian 12's rustc).
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

// ---- Declarations (mirt/base.h, network.h, builder.h, runtime.h) --------------------------------

#[repr(C)]
#[derive(Clone, Copy)]
struct StringView {
    data: *const c_char,
    length: usize,
}

fn sv(s: &str) -> StringView {
    StringView { data: s.as_ptr() as *const c_char, length: s.len() }
}

// Opaque handles: only pointers to them cross the ABI.
#[repr(C)]
struct StatusImpl {
    _private: [u8; 0],
}
#[repr(C)]
struct Network {
    _private: [u8; 0],
}
#[repr(C)]
struct Tensor {
    _private: [u8; 0],
}
#[repr(C)]
struct BuilderConfig {
    _private: [u8; 0],
}
#[repr(C)]
struct Plan {
    _private: [u8; 0],
}
#[repr(C)]
struct Engine {
    _private: [u8; 0],
}
#[repr(C)]
struct Context {
    _private: [u8; 0],
}
type Status = *mut StatusImpl; // NULL is success

// C enums are int-sized.
const DTYPE_FLOAT32: i32 = 1;
const ATTRIBUTE_INT: i32 = 1;
const STATUS_INVALID_SHAPE: i32 = 3;
const LOCATION_HOST: i32 = 1;

#[repr(C)]
struct Attribute {
    name: StringView,
    kind: i32, // mirt_attribute_type
    count: usize,
    ints: *const i64,
    floats: *const f32,
    strings: *const StringView,
}

#[repr(C)]
struct LayerDesc {
    struct_size: u32,
    op_type: StringView,
    domain: StringView,
    name: StringView,
    num_inputs: usize,
    inputs: *const *mut Tensor,
    num_attributes: usize,
    attributes: *const Attribute,
    num_outputs: usize,
    output_names: *const StringView,
}

type ProgressFn = extern "C" fn(*mut c_void, *const c_char, u64, u64) -> c_int;

/// The 0.1 fields of mirt_builder_options. Later versions appended fields (timing_cache_path);
/// struct_size tells the library that this caller knows only these, so it reads no further.
#[repr(C)]
struct BuilderOptions {
    struct_size: u32,
    backend: StringView,
    precision_flags: u32,
    memory_limit_bytes: u64,
    optimization_level: i32,
    progress: Option<ProgressFn>,
    progress_user_data: *mut c_void,
}

#[repr(C)]
struct EngineOptions {
    struct_size: u32,
    plan: *const Plan,
}

#[repr(C)]
struct TensorInfo {
    struct_size: u32,
    name: StringView,
    is_input: i32,
    dtype: i32,
    rank: usize,
    dims: [i64; 8],
    location: i32,
}

#[repr(C)]
struct ContextOptions {
    struct_size: u32,
    profile: u32,
}

#[link(name = "mirt")]
extern "C" {
    fn mirt_version() -> *const c_char;
    fn mirt_status_get_code(status: Status) -> i32;
    fn mirt_status_get_message(status: Status) -> *const c_char;
    fn mirt_status_code_name(code: i32) -> *const c_char;
    fn mirt_status_destroy(status: Status);

    fn mirt_network_create(options: *const c_void, out_network: *mut *mut Network) -> Status;
    fn mirt_network_destroy(network: *mut Network);
    fn mirt_network_add_input(network: *mut Network, name: StringView, dtype: i32, rank: usize, dims: *const i64,
                              dim_names: *const StringView, out_tensor: *mut *mut Tensor) -> Status;
    fn mirt_network_add_constant(network: *mut Network, name: StringView, dtype: i32, rank: usize, dims: *const i64,
                                 data: *const c_void, data_size: usize, out_tensor: *mut *mut Tensor) -> Status;
    fn mirt_network_add_layer(network: *mut Network, desc: *const LayerDesc, out_outputs: *mut *mut Tensor) -> Status;
    fn mirt_network_mark_output(network: *mut Network, tensor: *mut Tensor) -> Status;

    fn mirt_builder_config_create(options: *const BuilderOptions, out_config: *mut *mut BuilderConfig) -> Status;
    fn mirt_builder_config_destroy(config: *mut BuilderConfig);
    fn mirt_builder_config_add_profile(config: *mut BuilderConfig, out_index: *mut usize) -> Status;
    fn mirt_builder_config_set_profile_shape(config: *mut BuilderConfig, profile: usize, input_name: StringView,
                                             rank: usize, min_dims: *const i64, opt_dims: *const i64,
                                             max_dims: *const i64) -> Status;
    fn mirt_builder_build(network: *const Network, config: *const BuilderConfig, out_plan: *mut *mut Plan) -> Status;
    fn mirt_plan_size(plan: *const Plan) -> usize;
    fn mirt_plan_destroy(plan: *mut Plan);

    fn mirt_engine_create(options: *const EngineOptions, out_engine: *mut *mut Engine) -> Status;
    fn mirt_engine_destroy(engine: *mut Engine);
    fn mirt_engine_find_io_tensor(engine: *const Engine, name: StringView, out_info: *mut TensorInfo) -> Status;
    fn mirt_context_create(engine: *mut Engine, options: *const ContextOptions, out_context: *mut *mut Context)
        -> Status;
    fn mirt_context_destroy(context: *mut Context);
    fn mirt_context_set_input_shape(context: *mut Context, name: StringView, rank: usize, dims: *const i64) -> Status;
    fn mirt_context_get_tensor_shape(context: *const Context, name: StringView, out_rank: *mut usize,
                                     out_dims: *mut i64) -> Status;
    fn mirt_context_set_tensor_address(context: *mut Context, name: StringView, address: *mut c_void) -> Status;
    fn mirt_context_enqueue(context: *mut Context, stream: *mut c_void) -> Status;
}

// ---- Helpers ------------------------------------------------------------------------------------

fn text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// Ok for a NULL status; else "what: CODE: message" (and the status is destroyed).
fn check(status: Status, what: &str) -> Result<(), String> {
    if status.is_null() {
        return Ok(());
    }
    let message = unsafe {
        format!("{}: {}: {}", what, text(mirt_status_code_name(mirt_status_get_code(status))),
                text(mirt_status_get_message(status)))
    };
    unsafe { mirt_status_destroy(status) };
    Err(message)
}

/// Frees a handle with its destroy call when dropped (every *_destroy accepts NULL).
struct Owned<T>(*mut T, unsafe extern "C" fn(*mut T));
impl<T> Drop for Owned<T> {
    fn drop(&mut self) {
        unsafe { (self.1)(self.0) }
    }
}

const K_IN: usize = 4;
const K_OUT: usize = 3;

fn weights() -> (Vec<f32>, Vec<f32>) {
    let w = (0..K_OUT * K_IN).map(|i| ((i * 7 % 11) as f32 - 5.0) / 4.0).collect();
    let b = (0..K_OUT).map(|i| i as f32 * 0.25 - 0.25).collect();
    (w, b)
}

fn add_layer(net: *mut Network, op: &str, name: &str, inputs: &[*mut Tensor], attributes: &[Attribute])
             -> Result<*mut Tensor, String> {
    let desc = LayerDesc {
        struct_size: std::mem::size_of::<LayerDesc>() as u32,
        op_type: sv(op),
        domain: sv(""),
        name: sv(name),
        num_inputs: inputs.len(),
        inputs: inputs.as_ptr(),
        num_attributes: attributes.len(),
        attributes: attributes.as_ptr(),
        num_outputs: 0,
        output_names: ptr::null(),
    };
    let mut out: *mut Tensor = ptr::null_mut();
    check(unsafe { mirt_network_add_layer(net, &desc, &mut out) }, name)?;
    Ok(out)
}

fn build_plan() -> Result<Owned<Plan>, String> {
    let mut net: *mut Network = ptr::null_mut();
    check(unsafe { mirt_network_create(ptr::null(), &mut net) }, "mirt_network_create")?;
    let net = Owned(net, mirt_network_destroy);
    let (w, b) = weights();
    let (x_dims, w_dims, b_dims) = ([-1i64, K_IN as i64], [K_OUT as i64, K_IN as i64], [K_OUT as i64]);
    let (mut x, mut wt, mut bt) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
    unsafe {
        check(mirt_network_add_input(net.0, sv("x"), DTYPE_FLOAT32, 2, x_dims.as_ptr(), ptr::null(), &mut x), "x")?;
        check(mirt_network_add_constant(net.0, sv("W"), DTYPE_FLOAT32, 2, w_dims.as_ptr(), w.as_ptr() as *const c_void,
                                        w.len() * 4, &mut wt), "W")?;
        check(mirt_network_add_constant(net.0, sv("b"), DTYPE_FLOAT32, 1, b_dims.as_ptr(), b.as_ptr() as *const c_void,
                                        b.len() * 4, &mut bt), "b")?;
    }
    let one = 1i64;
    let trans_b = Attribute { name: sv("transB"), kind: ATTRIBUTE_INT, count: 1, ints: &one, floats: ptr::null(),
                              strings: ptr::null() };
    let fc = add_layer(net.0, "Gemm", "fc", &[x, wt, bt], &[trans_b])?;
    let y = add_layer(net.0, "Relu", "y", &[fc], &[])?;
    check(unsafe { mirt_network_mark_output(net.0, y) }, "mark y")?;

    let options = BuilderOptions {
        struct_size: std::mem::size_of::<BuilderOptions>() as u32,
        backend: sv("cpu"),
        precision_flags: 0,
        memory_limit_bytes: 0,
        optimization_level: 0,
        progress: None,
        progress_user_data: ptr::null_mut(),
    };
    let mut config = ptr::null_mut();
    check(unsafe { mirt_builder_config_create(&options, &mut config) }, "mirt_builder_config_create")?;
    let config = Owned(config, mirt_builder_config_destroy);
    let mut profile = 0usize;
    let (min, opt, max) = ([1i64, 4], [2i64, 4], [8i64, 4]);
    unsafe {
        check(mirt_builder_config_add_profile(config.0, &mut profile), "add profile")?;
        check(mirt_builder_config_set_profile_shape(config.0, profile, sv("x"), 2, min.as_ptr(), opt.as_ptr(),
                                                    max.as_ptr()), "profile of x")?;
    }
    let mut plan = ptr::null_mut();
    check(unsafe { mirt_builder_build(net.0, config.0, &mut plan) }, "mirt_builder_build")?;
    Ok(Owned(plan, mirt_plan_destroy))
}

fn run() -> Result<(), String> {
    println!("mirt {} from Rust", text(unsafe { mirt_version() }));
    let plan = build_plan()?;
    println!("plan: {} bytes", unsafe { mirt_plan_size(plan.0) });
    let engine_options = EngineOptions { struct_size: std::mem::size_of::<EngineOptions>() as u32, plan: plan.0 };
    let mut engine = ptr::null_mut();
    check(unsafe { mirt_engine_create(&engine_options, &mut engine) }, "mirt_engine_create")?;
    let engine = Owned(engine, mirt_engine_destroy);
    drop(plan); // the engine copied the plan's bytes

    let mut info = TensorInfo { struct_size: std::mem::size_of::<TensorInfo>() as u32, name: sv(""), is_input: 0,
                                dtype: 0, rank: 0, dims: [0; 8], location: 0 };
    check(unsafe { mirt_engine_find_io_tensor(engine.0, sv("y"), &mut info) }, "find y")?;
    if info.is_input != 0 || info.dtype != DTYPE_FLOAT32 || info.rank != 2 || info.dims[..2] != [-1, K_OUT as i64]
        || info.location != LOCATION_HOST {
        return Err(format!("output y described wrongly: dtype {} rank {} dims {:?}", info.dtype, info.rank,
                           &info.dims[..info.rank]));
    }

    let context_options = ContextOptions { struct_size: std::mem::size_of::<ContextOptions>() as u32, profile: 0 };
    let mut context = ptr::null_mut();
    check(unsafe { mirt_context_create(engine.0, &context_options, &mut context) }, "mirt_context_create")?;
    let context = Owned(context, mirt_context_destroy); // dropped before the engine (declared after it)

    const BATCH: usize = 3;
    let mut x: Vec<f32> = (0..BATCH * K_IN).map(|i| (i as f32 * 0.37).sin() * 2.0).collect();
    let mut y = vec![f32::NAN; BATCH * K_OUT];
    let (mut rank, mut dims) = (0usize, [0i64; 8]);
    unsafe {
        check(mirt_context_set_input_shape(context.0, sv("x"), 2, [BATCH as i64, K_IN as i64].as_ptr()), "shape of x")?;
        check(mirt_context_get_tensor_shape(context.0, sv("y"), &mut rank, dims.as_mut_ptr()), "shape of y")?;
        check(mirt_context_set_tensor_address(context.0, sv("x"), x.as_mut_ptr() as *mut c_void), "bind x")?;
        check(mirt_context_set_tensor_address(context.0, sv("y"), y.as_mut_ptr() as *mut c_void), "bind y")?;
        check(mirt_context_enqueue(context.0, ptr::null_mut()), "enqueue")?; // cpu: synchronous
    }
    if dims[..rank] != [BATCH as i64, K_OUT as i64] {
        return Err(format!("y has shape {:?}, expected [{}, {}]", &dims[..rank], BATCH, K_OUT));
    }

    let (w, b) = weights();
    let mut worst = 0.0f64;
    for r in 0..BATCH {
        for c in 0..K_OUT {
            let dot: f64 = (0..K_IN).map(|k| x[r * K_IN + k] as f64 * w[c * K_IN + k] as f64).sum();
            let expected = (dot + b[c] as f64).max(0.0);
            let error = (y[r * K_OUT + c] as f64 - expected).abs() / (expected.abs() + 1e-3);
            worst = if error.is_nan() { f64::INFINITY } else { worst.max(error) };
        }
    }
    println!("y = {:?}; max relative error {:.2e}", y, worst);
    if worst > 1e-5 {
        return Err(format!("y differs from the float64 reference: max relative error {:.3e}", worst));
    }

    // A batch outside the profile is refused with INVALID_SHAPE, and the message names the input.
    let status = unsafe { mirt_context_set_input_shape(context.0, sv("x"), 2, [9i64, K_IN as i64].as_ptr()) };
    let (code, message) = unsafe { (mirt_status_get_code(status), text(mirt_status_get_message(status))) };
    unsafe { mirt_status_destroy(status) };
    if code != STATUS_INVALID_SHAPE || !message.contains("'x'") {
        return Err(format!("batch 9 gave code {} \"{}\", expected INVALID_SHAPE naming 'x'", code, message));
    }
    println!("batch 9 refused: {}", message);
    Ok(())
}

fn main() {
    match run() {
        Ok(()) => println!("examples/rust: all checks passed"),
        Err(e) => {
            eprintln!("examples/rust: FAILED: {}", e);
            std::process::exit(1);
        }
    }
}
