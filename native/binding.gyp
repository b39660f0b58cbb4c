{
  "targets": [
    {
      "target_name": "mosmos_dnnl",
      "sources": [
        "src/binding.cc",
        "src/dnnl_core.cc",
        "src/dnnl_conv.cc",
        "src/dnnl_pool.cc",
        "src/dnnl_norm.cc",
        "src/dnnl_elementwise.cc",
        "src/dnnl_matmul.cc",
        "src/dnnl_shape.cc",
        "src/dnnl_optim.cc",
        "src/bn_direct.cc",
        "src/channel_direct.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-api-headers').include_dir\" 2>/dev/null || echo /usr/include/node)"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
