// Batch normalisation over the rows of a [rows, channels] float32 matrix (batchNorm.cc).
#pragma once
#include <napi.h>

namespace ibl {
// Adds batchNorm and batchNormGrad to the addon's exports.
void registerBatchNorm(Napi::Env env, Napi::Object exports);
}  // namespace ibl
