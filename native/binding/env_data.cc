// Per-environment data: created on first use, freed (with every context's references)
// when the environment goes away.
#include "env_data.h"

#include "js.h"

namespace lgalloc::node {
namespace {

void free_env_data(napi_env env, void* data, void* /*hint*/) {
  auto* env_data = static_cast<EnvData*>(data);
  for (const auto& context : env_data->contexts) {
    if (context->create_error != nullptr) napi_delete_reference(env, context->create_error);
  }
  delete env_data;
}

}  // namespace

EnvData& env_data(napi_env env) {
  void* data = nullptr;
  check(napi_get_instance_data(env, &data));
  if (data == nullptr) {
    auto owned = std::make_unique<EnvData>();
    check(napi_set_instance_data(env, owned.get(), free_env_data, nullptr));
    data = owned.release();
  }
  return *static_cast<EnvData*>(data);
}

}  // namespace lgalloc::node
