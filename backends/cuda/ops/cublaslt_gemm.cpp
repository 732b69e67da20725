// backends/cuda/ops/cublaslt_gemm.cpp — row-major GEMMs as column-major cuBLASLt calls.
//
// A row-major Y[M,N] is a column-major Y^T[N,M] with the same leading dimension, so
// Y = op(A) op(B) runs as Y^T = op(B)^T op(A)^T: cuBLASLt's "A" is our B and its "B" our A, with
// m = N, n = M. A bias of N values is then a per-row vector of Y^T: CUBLASLT_EPILOGUE_BIAS.
#include "backends/cuda/ops/cublaslt_gemm.hpp"

#include <algorithm>
#include <memory>

#include "backends/cuda/check.hpp"

namespace mirt::cuda {
namespace {

template <class T, cublasStatus_t (*Destroy)(T)>
struct lt_deleter {
  void operator()(T p) const {
    if (p) Destroy(p);
  }
};
using op_desc = std::unique_ptr<std::remove_pointer_t<cublasLtMatmulDesc_t>, lt_deleter<cublasLtMatmulDesc_t, cublasLtMatmulDescDestroy>>;
using layout = std::unique_ptr<std::remove_pointer_t<cublasLtMatrixLayout_t>, lt_deleter<cublasLtMatrixLayout_t, cublasLtMatrixLayoutDestroy>>;
using preference = std::unique_ptr<std::remove_pointer_t<cublasLtMatmulPreference_t>,
                                   lt_deleter<cublasLtMatmulPreference_t, cublasLtMatmulPreferenceDestroy>>;

cudaDataType_t cuda_type(mirt_dtype dtype) {
  switch (dtype) {
    case MIRT_DTYPE_FLOAT16: return CUDA_R_16F;
    case MIRT_DTYPE_BFLOAT16: return CUDA_R_16BF;
    default: return CUDA_R_32F;
  }
}

layout make_layout(cudaDataType_t type, uint64_t rows, uint64_t cols, int64_t ld, int64_t batch, int64_t stride) {
  cublasLtMatrixLayout_t l = nullptr;
  cublas_check(cublasLtMatrixLayoutCreate(&l, type, rows, cols, ld), "cublasLtMatrixLayoutCreate");
  layout owned(l);
  if (batch > 1) {
    const int32_t count = int32_t(batch);
    cublas_check(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)), "setting the batch count");
    cublas_check(cublasLtMatrixLayoutSetAttribute(l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)),
                 "setting the batch stride");
  }
  return owned;
}

// Largest power of two (at most 16) dividing every address and byte stride.
uint32_t alignment_of(std::initializer_list<uint64_t> values) {
  uint32_t a = 16;
  for (uint64_t v : values)
    while (a > 1 && v % a != 0) a /= 2;
  return a;
}

}  // namespace

cublaslt_runner::cublaslt_runner(bool allow_tf32, int algo_rank) : tf32_(allow_tf32), algo_rank_(std::clamp(algo_rank, 0, k_algo_ranks - 1)) {
  cublas_check(cublasLtCreate(&handle_), "cublasLtCreate");
}

cublaslt_runner::~cublaslt_runner() {
  if (handle_) cublasLtDestroy(handle_);
}

// Everything cuBLASLt needs for one problem, built once: the descriptors are only read afterwards
// (by concurrent contexts too), so the bias pointer is part of the problem's key.
struct cublaslt_runner::prepared {
  op_desc desc;
  layout la, lb, ly;
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;  // what the algorithm was chosen for: 0 runs it without one
};

cublaslt_runner::prepared cublaslt_runner::prepare(const row_major_gemm& g, const uint32_t (&align)[4], size_t workspace_size) const {
  prepared p;
  {
    cublasLtMatmulDesc_t d = nullptr;
    // Halves accumulate in float32 with float scales; float32 runs in TF32 only when allowed.
    const bool fast = tf32_ && g.dtype == MIRT_DTYPE_FLOAT32;
    cublas_check(cublasLtMatmulDescCreate(&d, fast ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, CUDA_R_32F),
                 "cublasLtMatmulDescCreate");
    p.desc.reset(d);
  }
  // cuBLASLt A = our B, cuBLASLt B = our A (see the banner).
  const cublasOperation_t op_a = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublas_check(cublasLtMatmulDescSetAttribute(p.desc.get(), CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof(op_a)), "setting transA");
  cublas_check(cublasLtMatmulDescSetAttribute(p.desc.get(), CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof(op_b)), "setting transB");
  if (g.bias != nullptr || g.relu || g.gelu_tanh) {
    const bool bias = g.bias != nullptr;
    const cublasLtEpilogue_t epi = g.relu        ? (bias ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU)
                                   : g.gelu_tanh ? (bias ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU)
                                                 : CUBLASLT_EPILOGUE_BIAS;
    cublas_check(cublasLtMatmulDescSetAttribute(p.desc.get(), CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)), "setting the epilogue");
  }
  if (g.bias != nullptr)
    cublas_check(cublasLtMatmulDescSetAttribute(p.desc.get(), CUBLASLT_MATMUL_DESC_BIAS_POINTER, &g.bias, sizeof(g.bias)),
                 "setting the bias pointer");
  // Stored (column-major) shapes: our B is [K,N] row-major = [N,K] col-major (ld N), or [N,K] = [K,N] (ld K).
  const int64_t lda = g.trans_b ? g.k : g.n, ldb = g.trans_a ? g.m : g.k, ldy = g.n;
  const cudaDataType_t type = cuda_type(g.dtype);
  p.la = g.trans_b ? make_layout(type, uint64_t(g.k), uint64_t(g.n), lda, g.batch, g.stride_b)
                   : make_layout(type, uint64_t(g.n), uint64_t(g.k), lda, g.batch, g.stride_b);
  p.lb = g.trans_a ? make_layout(type, uint64_t(g.m), uint64_t(g.k), ldb, g.batch, g.stride_a)
                   : make_layout(type, uint64_t(g.k), uint64_t(g.m), ldb, g.batch, g.stride_a);
  p.ly = make_layout(type, uint64_t(g.n), uint64_t(g.m), ldy, g.batch, g.stride_y);

  cublasLtMatmulPreference_t pref_handle = nullptr;
  cublas_check(cublasLtMatmulPreferenceCreate(&pref_handle), "cublasLtMatmulPreferenceCreate");
  preference pref(pref_handle);
  const cublasLtMatmulPreferenceAttributes_t alignments[4] = {
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
  for (int i = 0; i < 4; ++i)
    cublas_check(cublasLtMatmulPreferenceSetAttribute(pref_handle, alignments[i], &align[i], sizeof(align[i])), "setting an alignment");
  // Algorithms that need no workspace first: those that do (split-K, stream-K) clear it with a
  // memset before each run, one more node in a CUDA graph. Timed alone they were a little faster,
  // but in BERT-base at batch 32 on an H100 the run took 1.654 ms pipelined without them against
  // 1.689 ms with them (bench/results/gpu-h100-2026-11-26-bert16*.json): 12 memsets fewer and
  // GEMM kernels 1.141 against 1.164 ms. The workspace is offered where nothing runs without it.
  // An algorithm chosen without workspace also runs without (run() passes none): given one, some
  // use it, memset included.
  cublasLtMatmulHeuristicResult_t results[k_algo_ranks]{};
  int found = 0;
  for (const uint64_t ws : {uint64_t(0), uint64_t(workspace_size)}) {
    cublas_check(cublasLtMatmulPreferenceSetAttribute(pref_handle, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof(ws)),
                 "setting the workspace limit");
    cublas_check(cublasLtMatmulAlgoGetHeuristic(handle_, p.desc.get(), p.la.get(), p.lb.get(), p.ly.get(), p.ly.get(), pref_handle,
                                                algo_rank_ + 1, results, &found),
                 "cublasLtMatmulAlgoGetHeuristic for M=", g.m, " N=", g.n, " K=", g.k, " batch=", g.batch);
    if (found > 0 || ws == workspace_size) break;
  }
  if (found == 0)
    fail(MIRT_STATUS_UNSUPPORTED, "cuBLASLt has no algorithm for M=", g.m, " N=", g.n, " K=", g.k, " batch=", g.batch, " with ",
         workspace_size, " bytes of workspace");
  const cublasLtMatmulHeuristicResult_t& chosen = results[std::min(algo_rank_, found - 1)];
  p.algo = chosen.algo;
  p.workspace = chosen.workspaceSize;
  return p;
}

void cublaslt_runner::run(const row_major_gemm& g, void* workspace, size_t workspace_size, cudaStream_t stream) const {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  if (workspace == nullptr) workspace_size = 0;
  const int64_t lda = g.trans_b ? g.k : g.n, ldb = g.trans_a ? g.m : g.k, ldy = g.n;
  const uint64_t es = dtype_size(g.dtype);
  const uint32_t align_y = alignment_of({uint64_t(reinterpret_cast<uintptr_t>(g.y)), uint64_t(ldy) * es, uint64_t(g.stride_y) * es});
  const uint32_t align[4] = {
      alignment_of({uint64_t(reinterpret_cast<uintptr_t>(g.b)), uint64_t(lda) * es, uint64_t(g.stride_b) * es}),
      alignment_of({uint64_t(reinterpret_cast<uintptr_t>(g.a)), uint64_t(ldb) * es, uint64_t(g.stride_a) * es}), align_y, align_y};
  const problem_key key{int(g.dtype), g.m, g.n, g.k, g.trans_a, g.trans_b, g.batch, g.stride_a, g.stride_b, g.stride_y,
                        g.bias, g.relu, g.gelu_tanh, g.beta != 0.f, align[0], align[1], align_y, workspace_size};
  const prepared* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = problems_.find(key);
    if (it == problems_.end()) it = problems_.emplace(key, std::make_unique<prepared>(prepare(g, align, workspace_size))).first;
    p = it->second.get();  // entries stay until the runner goes
  }
  const size_t used = std::min(p->workspace, workspace_size);
  cublas_check(cublasLtMatmul(handle_, p->desc.get(), &g.alpha, g.b, p->la.get(), g.a, p->lb.get(), &g.beta, g.y, p->ly.get(), g.y,
                              p->ly.get(), &p->algo, used > 0 ? workspace : nullptr, used, stream),
               "cublasLtMatmul M=", g.m, " N=", g.n, " K=", g.k, " batch=", g.batch);
}

}  // namespace mirt::cuda
