// The background worker: one native thread, named "lgalloc-0", that every interval moves
// up to `clear_bytes` of regions per size class from the dirty pool to the clean pool,
// handing their pages back to the kernel lazily with MADV_FREE.
//
// It can be started, reconfigured and stopped at any time; `stop` wakes and joins it.
#pragma once

#include <pthread.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "lgalloc/lgalloc.h"

namespace lgalloc {

class BackgroundWorker {
 public:
  /// `pass` runs one clearing pass with the given clear_bytes.
  explicit BackgroundWorker(std::function<void(std::uint64_t clear_bytes)> pass)
      : pass_(std::move(pass)) {}
  ~BackgroundWorker() { stop(); }
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;

  /// Starts the thread with `config`, or hands a running one the new config: its next pass
  /// comes one new interval after its last pass (or after its start, if none ran yet), not
  /// after this call, so that frequent reconfiguration cannot postpone passes forever; an
  /// interval that has already elapsed since then runs the pass at once. Returns 0 or the
  /// errno of pthread_create.
  int run(const BackgroundConfig& config) noexcept;

  /// Stops and joins the thread, if running.
  void stop() noexcept;

  std::optional<BackgroundConfig> config() const;

 private:
  static void* thread_main(void* self) noexcept;
  void loop() noexcept;

  const std::function<void(std::uint64_t)> pass_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<BackgroundConfig> config_;  // guarded by mutex_
  std::uint64_t config_version_ = 0;        // guarded by mutex_
  bool stopping_ = false;                   // guarded by mutex_
  bool running_ = false;                    // guarded by lifecycle_mutex_
  pthread_t thread_{};
  std::mutex lifecycle_mutex_;  // serialises run and stop
};

}  // namespace lgalloc
