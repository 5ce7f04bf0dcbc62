# Built by scripts/build-native.mjs (never directly by npm): it finds a BLAS with pkg-config and
# passes its flags in IBL_BLAS_CFLAGS / IBL_BLAS_LIBS.
{
  "targets": [
    {
      "target_name": "ibl_native",
      "sources": ["src/addon.cc", "src/gemm.cc", "src/elementwise.cc", "src/reduce.cc", "src/conv.cc", "src/pool.cc",
                  "src/directConv.cc",
                  "src/batchNorm.cc",
                  "src/activationGrad.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      # -ffp-contract=off: no fused multiply-add, so x - a*y rounds exactly like the two-op JS path.
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "<!@(node -p \"process.env.IBL_BLAS_CFLAGS || ''\")"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "libraries": ["<!@(node -p \"process.env.IBL_BLAS_LIBS || ''\")", "-ldl"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-ffp-contract=off"]
      }
    }
  ]
}
