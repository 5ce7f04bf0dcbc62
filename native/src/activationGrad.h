// Fused activation gradients (activationGrad.cc).
#pragma once
#include <napi.h>

namespace ibl {
// Adds reluGrad to the addon's exports.
void registerActivationGrad(Napi::Env env, Napi::Object exports);
}  // namespace ibl
