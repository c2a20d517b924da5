// Checked Node-API calls (see js.h).
#include "js.h"

namespace lgalloc::node {

napi_value js_number(napi_env env, double value) {
  napi_value result;
  check(napi_create_double(env, value, &result));
  return result;
}

napi_value js_bool(napi_env env, bool value) {
  napi_value result;
  check(napi_get_boolean(env, value, &result));
  return result;
}

napi_value js_string(napi_env env, std::string_view text) {
  napi_value result;
  check(napi_create_string_utf8(env, text.data(), text.size(), &result));
  return result;
}

napi_value js_object(napi_env env) {
  napi_value result;
  check(napi_create_object(env, &result));
  return result;
}

napi_value js_undefined(napi_env env) {
  napi_value result;
  check(napi_get_undefined(env, &result));
  return result;
}

napi_value js_null(napi_env env) {
  napi_value result;
  check(napi_get_null(env, &result));
  return result;
}

void js_set(napi_env env, napi_value object, const char* name, napi_value value) {
  check(napi_set_named_property(env, object, name, value));
}

napi_value js_get(napi_env env, napi_value object, const char* name) {
  napi_value result;
  check(napi_get_named_property(env, object, name, &result));
  return result;
}

napi_valuetype js_type(napi_env env, napi_value value) {
  napi_valuetype type;
  check(napi_typeof(env, value, &type));
  return type;
}

double js_double_value(napi_env env, napi_value number) {
  double result;
  check(napi_get_value_double(env, number, &result));
  return result;
}

bool js_bool_value(napi_env env, napi_value boolean) {
  bool result;
  check(napi_get_value_bool(env, boolean, &result));
  return result;
}

std::string js_utf8(napi_env env, napi_value string) {
  std::size_t length = 0;
  check(napi_get_value_string_utf8(env, string, nullptr, 0, &length));
  std::string result(length, '\0');
  check(napi_get_value_string_utf8(env, string, result.data(), length + 1, &length));
  return result;
}

bool js_is_array_buffer(napi_env /*env*/, napi_value value) {
  // V8's check: napi_is_arraybuffer adds its argument checks on every dispose.
  return to_v8(value)->IsArrayBuffer();
}

Args js_args(napi_env env, napi_callback_info info) {
  Args args;
  std::size_t argc = Args::kMax;
  check(napi_get_cb_info(env, info, &argc, args.argv, nullptr, &args.data));
  // napi_get_cb_info fills missing arguments with undefined.
  return args;
}

void throw_plain_error(napi_env env, const char* code, const char* message) noexcept {
  // Fails harmlessly (napi_pending_exception) when JS cannot run or an error is pending.
  napi_throw_error(env, code, message);
}

}  // namespace lgalloc::node
