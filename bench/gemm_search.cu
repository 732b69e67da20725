// bench/gemm_search.cu — does cuBLASLt have faster configurations than its heuristic's first 16
// for BERT-base's GEMMs? Times the heuristic's ranks, then every configuration cuBLASLt accepts
// (cublasLtMatmulAlgoGetIds, each algorithm's tiles x stages x split-K x swizzle x cluster shapes,
// cublasLtMatmulAlgoCheck), and prints the best of each with its configuration, for the weights
// as [K, N] and as [N, K] (mirt's two weight layouts). Weights rotate over copies that do not fit
// L2 (cold, as in the network). With "mutate" after the budget in seconds, the heuristic's own
// configurations are varied instead (its algorithm offers nothing to enumerate). Not part of the
// build:
//   nvcc -O2 -std=c++17 -arch=sm_90 -I. bench/gemm_search.cu -lcublasLt -o gemm_search
//   ./gemm_search 240 [mutate]
#include <cublasLt.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <cstdio>
#include <vector>

#include "bench/kernel_bench.cuh"

namespace {

struct shape {
  const char* name;
  int m, n, k;
  bool gelu;
};

struct config {
  int id = 0, tile = 0, stages = 0, splitk = 1, reduction = 0, swizzle = 0, custom = 0, cluster = 0;
};

config read_config(const cublasLtMatmulAlgo_t& a) {
  config c;
  size_t w;
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_ID, &c.id, sizeof(int), &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_TILE_ID, &c.tile, sizeof(int), &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_STAGES_ID, &c.stages, sizeof(int), &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &c.splitk, sizeof(int), &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, &c.reduction, sizeof(int), &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING, &c.swizzle, sizeof(int), &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION, &c.custom, sizeof(int), &w);
  cublasLtMatmulAlgoConfigGetAttribute(&a, CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID, &c.cluster, sizeof(int), &w);
  return c;
}

void print_config(const char* what, double us, const config& c, size_t ws) {
  printf("    %-10s %8.2f us  id %d tile %d stages %d splitk %d red %d swz %d custom %d cluster %d ws %zu\n", what, us, c.id,
         c.tile, c.stages, c.splitk, c.reduction, c.swizzle, c.custom, c.cluster, ws);
}

template <class T>
std::vector<T> cap_list(const cublasLtMatmulAlgo_t& a, cublasLtMatmulAlgoCapAttributes_t attr) {
  size_t bytes = 0;
  if (cublasLtMatmulAlgoCapGetAttribute(&a, attr, nullptr, 0, &bytes) != CUBLAS_STATUS_SUCCESS || bytes == 0) return {};
  std::vector<T> v(bytes / sizeof(T));
  cublasLtMatmulAlgoCapGetAttribute(&a, attr, v.data(), bytes, &bytes);
  return v;
}

int cap_int(const cublasLtMatmulAlgo_t& a, cublasLtMatmulAlgoCapAttributes_t attr) {
  int v = 0;
  size_t w;
  cublasLtMatmulAlgoCapGetAttribute(&a, attr, &v, sizeof(v), &w);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const double budget_s = argc > 1 ? atof(argv[1]) : 200;
  const bool mutate = argc > 2 && std::string(argv[2]) == "mutate";  // vary the heuristic's configurations
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  cublasLtHandle_t h;
  CK(cublasLtCreate(&h));
  const size_t ws_size = 32 << 20;
  void* ws;
  CK(cudaMalloc(&ws, ws_size));
  const shape shapes[] = {{"qkv-4096", 4096, 2304, 768, 0}, {"out-4096", 4096, 768, 768, 0},  {"ffn1-4096", 4096, 3072, 768, 1},
                          {"ffn2-4096", 4096, 768, 3072, 0}, {"qkv-128", 128, 2304, 768, 0},  {"out-128", 128, 768, 768, 0},
                          {"ffn1-128", 128, 3072, 768, 1},   {"ffn2-128", 128, 768, 3072, 0}};
  const int copies = 24;  // 24 x 4.7 MB of weights: more than the 50 MB of L2
  void *x, *y, *y_ref, *bias;
  std::vector<void*> w(copies);
  CK(cudaMalloc(&x, 4096 * 3072 * 2));
  CK(cudaMalloc(&y, 4096 * 3072 * 2));
  CK(cudaMalloc(&y_ref, 4096 * 3072 * 2));
  CK(cudaMalloc(&bias, 3072 * 2));
  {
    std::vector<__half> host(4096 * 3072);
    for (size_t i = 0; i < host.size(); ++i) host[i] = __float2half(float((i * 2654435761u) % 1000) / 1000.f - 0.5f);
    CK(cudaMemcpy(x, host.data(), 4096 * 3072 * 2, cudaMemcpyHostToDevice));
    CK(cudaMemcpy(bias, host.data(), 3072 * 2, cudaMemcpyHostToDevice));
    for (auto& p : w) {
      CK(cudaMalloc(&p, 3072 * 768 * 2));
      CK(cudaMemcpy(p, host.data() + 7, 3072 * 768 * 2, cudaMemcpyHostToDevice));
    }
  }
  cudaStream_t st;
  CK(cudaStreamCreate(&st));
  for (const shape& s : shapes) {
    for (bool wt : {false, true}) {
      const double case_end = elapsed() + budget_s / 16;
      printf("%s M=%d N=%d K=%d weights %s\n", s.name, s.m, s.n, s.k, wt ? "[N,K]" : "[K,N]");
      cublasLtMatmulDesc_t d;
      CK(cublasLtMatmulDescCreate(&d, CUBLAS_COMPUTE_32F, CUDA_R_32F));
      const cublasOperation_t op_a = wt ? CUBLAS_OP_T : CUBLAS_OP_N;
      CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof(op_a)));
      const cublasLtEpilogue_t epi = s.gelu ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
      CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof(epi)));
      CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
      cublasLtMatrixLayout_t la, lb, ly;
      CK(wt ? cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, s.k, s.n, s.k) : cublasLtMatrixLayoutCreate(&la, CUDA_R_16F, s.n, s.k, s.n));
      CK(cublasLtMatrixLayoutCreate(&lb, CUDA_R_16F, s.k, s.m, s.k));
      CK(cublasLtMatrixLayoutCreate(&ly, CUDA_R_16F, s.n, s.m, s.n));
      const float alpha = 1, beta = 0;
      auto time_algo = [&](const cublasLtMatmulAlgo_t& algo, size_t used, void* out) {
        return time_graph(st, [&](int i) {
          cublasLtMatmul(h, d, &alpha, w[i % copies], la, x, lb, &beta, out, ly, out, ly, &algo, used ? ws : nullptr, used, st);
        });
      };
      // The heuristic's ranks, without workspace and with.
      cublasLtMatmulPreference_t pref;
      CK(cublasLtMatmulPreferenceCreate(&pref));
      double heuristic_best = 1e30;
      std::vector<cublasLtMatmulAlgo_t> heuristic_algos;  // without workspace
      for (uint64_t limit : {uint64_t(0), uint64_t(ws_size)}) {
        CK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &limit, sizeof(limit)));
        cublasLtMatmulHeuristicResult_t r[16];
        int found = 0;
        CK(cublasLtMatmulAlgoGetHeuristic(h, d, la, lb, ly, ly, pref, 16, r, &found));
        for (int i = 0; limit == 0 && i < found; ++i) heuristic_algos.push_back(r[i].algo);
        double best = 1e30;
        int best_i = -1;
        for (int i = 0; i < found; ++i) {
          const double us = time_algo(r[i].algo, r[i].workspaceSize, limit == 0 && heuristic_best == 1e30 && i == 0 ? y_ref : y);
          if (us > 0 && us < best) best = us, best_i = i;
        }
        if (best_i >= 0) {
          char what[32];
          snprintf(what, sizeof what, "heur%s r%d", limit ? "+ws" : "", best_i);
          print_config(what, best, read_config(r[best_i].algo), r[best_i].workspaceSize);
          if (limit == 0) print_config("heur r0", time_algo(r[0].algo, 0, y), read_config(r[0].algo), 0);
        }
        heuristic_best = std::min(heuristic_best, best);
      }
      cublasLtMatmulPreferenceDestroy(pref);
      // Every configuration cuBLASLt accepts.
      int ids[256], n_ids = 0;
      CK(cublasLtMatmulAlgoGetIds(h, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, 256, ids, &n_ids));
      struct timed {
        double us;
        cublasLtMatmulAlgo_t algo;
        size_t ws;
      };
      std::vector<timed> all, candidates;
      int tried = 0, accepted = 0;
      if (mutate) {
        // The heuristic's algorithm (nvjet on Hopper) lists no tiles or options to enumerate:
        // its ranks' configurations are varied instead, every tile any rank uses with every
        // custom option and swizzle, and whatever cuBLASLt accepts is timed.
        std::vector<int> tiles;
        for (const auto& a : heuristic_algos) tiles.push_back(read_config(a).tile);
        std::sort(tiles.begin(), tiles.end());
        tiles.erase(std::unique(tiles.begin(), tiles.end()), tiles.end());
        std::vector<std::vector<int>> seen;
        for (const auto& base : heuristic_algos)
          for (int tile : tiles)
            for (int custom = 0; custom < 8; ++custom)
              for (int swz = 0; swz < 2; ++swz) {
                cublasLtMatmulAlgo_t a = base;
                cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof tile);
                cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION, &custom, sizeof custom);
                cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING, &swz, sizeof swz);
                const config c = read_config(a);
                const std::vector<int> key{c.id, c.tile, c.stages, c.splitk, c.reduction, c.swizzle, c.custom, c.cluster};
                if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
                seen.push_back(key);
                ++tried;
                cublasLtMatmulHeuristicResult_t check{};
                if (cublasLtMatmulAlgoCheck(h, d, la, lb, ly, ly, &a, &check) != CUBLAS_STATUS_SUCCESS || check.workspaceSize > 0) continue;
                ++accepted;
                candidates.push_back({0, a, 0});
              }
        n_ids = 0;
      }
      for (int i = 0; i < n_ids; ++i) {
        cublasLtMatmulAlgo_t algo;
        if (cublasLtMatmulAlgoInit(h, CUBLAS_COMPUTE_32F, CUDA_R_32F, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, CUDA_R_16F, ids[i], &algo) !=
            CUBLAS_STATUS_SUCCESS)
          continue;
        std::vector<int> tiles = cap_list<int>(algo, CUBLASLT_ALGO_CAP_TILE_IDS);
        std::vector<int> stages = cap_list<int>(algo, CUBLASLT_ALGO_CAP_STAGES_IDS);
        if (tiles.empty()) tiles = {0};
        if (stages.empty()) stages = {0};
        const bool splitk = cap_int(algo, CUBLASLT_ALGO_CAP_SPLITK_SUPPORT);
        const int reductions = cap_int(algo, CUBLASLT_ALGO_CAP_REDUCTION_SCHEME_MASK);
        const int swizzle_max = cap_int(algo, CUBLASLT_ALGO_CAP_CTA_SWIZZLING_SUPPORT) ? 1 : 0;
        const int custom_max = std::min(cap_int(algo, CUBLASLT_ALGO_CAP_CUSTOM_OPTION_MAX), 7);
        const size_t before = candidates.size();
        for (int tile : tiles)
          for (int stage : stages)
            for (int sk : {1, 2, 3, 4, 6})
              for (int red : {0, 1, 2, 4}) {
                if (sk == 1 ? red != 0 : (!splitk || red == 0 || !(reductions & red))) continue;
                for (int swz = 0; swz <= swizzle_max; ++swz)
                  for (int custom = 0; custom <= custom_max; ++custom)
                    for (int cluster : {0, 2, 3, 5}) {
                      cublasLtMatmulAlgo_t a = algo;
                      cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof tile);
                      cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_STAGES_ID, &stage, sizeof stage);
                      cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &sk, sizeof sk);
                      cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, &red, sizeof red);
                      cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_CTA_SWIZZLING, &swz, sizeof swz);
                      cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_CUSTOM_OPTION, &custom, sizeof custom);
                      // Algorithms without clusters refuse the attribute: those take only the default.
                      if (cublasLtMatmulAlgoConfigSetAttribute(&a, CUBLASLT_ALGO_CONFIG_CLUSTER_SHAPE_ID, &cluster, sizeof cluster) !=
                              CUBLAS_STATUS_SUCCESS &&
                          cluster != 0)
                        continue;
                      ++tried;
                      cublasLtMatmulHeuristicResult_t check{};
                      if (cublasLtMatmulAlgoCheck(h, d, la, lb, ly, ly, &a, &check) != CUBLAS_STATUS_SUCCESS) continue;
                      if (check.workspaceSize > ws_size) continue;
                      ++accepted;
                      candidates.push_back({0, a, check.workspaceSize});
                    }
              }
        if (candidates.size() > before)
          printf("    id %d: %zu tiles, %zu stages, split-K %d, custom options %d: %zu configurations accepted\n", ids[i], tiles.size(),
                 stages.size(), int(splitk), custom_max + 1, candidates.size() - before);
      }
      // Timed in a shuffled order, so that a budget too short for all samples every algorithm.
      std::mt19937 rng(7);
      std::shuffle(candidates.begin(), candidates.end(), rng);
      for (timed& c : candidates) {
        if (elapsed() > case_end) break;
        c.us = time_algo(c.algo, c.ws, y);
        if (c.us > 0) all.push_back(c);
      }
      std::sort(all.begin(), all.end(), [](const timed& a, const timed& b) { return a.us < b.us; });
      printf("    %d algorithm ids, %d configurations tried, %d accepted, %zu timed\n", n_ids, tried, accepted, all.size());
      for (size_t i = 0; i < std::min<size_t>(all.size(), 3); ++i) {
        time_algo(all[i].algo, all[i].ws, y);
        char what[32];
        snprintf(what, sizeof what, "search #%zu", i);
        print_config(what, all[i].us, read_config(all[i].algo), all[i].ws);
        printf("      max diff against heuristic rank 0: %.2e; %.3fx the heuristic's best\n",
               max_diff(static_cast<__half*>(y_ref), static_cast<__half*>(y), size_t(s.m) * s.n), heuristic_best / all[i].us);
      }
      fflush(stdout);
      cublasLtMatrixLayoutDestroy(la);
      cublasLtMatrixLayoutDestroy(lb);
      cublasLtMatrixLayoutDestroy(ly);
      cublasLtMatmulDescDestroy(d);
    }
  }
  printf("elapsed %.1f s\n", elapsed());
  return 0;
}
