// The background worker's thread and schedule. The clearing itself is the allocator's
// (`pass_`); this file only decides when it runs.
#include "background_worker.h"

#include <chrono>

namespace lgalloc {

int BackgroundWorker::run(const BackgroundConfig& config) noexcept {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mutex_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    config_ = config;
    ++config_version_;
    stopping_ = false;
  }
  if (running_) {
    wake_.notify_all();
    return 0;
  }
  const int error = pthread_create(&thread_, nullptr, &BackgroundWorker::thread_main, this);
  if (error != 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    config_.reset();
    return error;
  }
  // The name shows in /proc/<pid>/task/*/comm, top and gdb. At most 15 characters.
  pthread_setname_np(thread_, "lgalloc-0");
  running_ = true;
  return 0;
}

void BackgroundWorker::stop() noexcept {
  std::lock_guard<std::mutex> lifecycle(lifecycle_mutex_);
  if (!running_) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    config_.reset();
  }
  wake_.notify_all();
  pthread_join(thread_, nullptr);
  running_ = false;
}

std::optional<BackgroundConfig> BackgroundWorker::config() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return config_;
}

void* BackgroundWorker::thread_main(void* self) noexcept {
  static_cast<BackgroundWorker*>(self)->loop();
  return nullptr;
}

void BackgroundWorker::loop() noexcept {
  using Clock = std::chrono::steady_clock;
  std::unique_lock<std::mutex> lock(mutex_);
  // A stop() between pthread_create and this lock has already reset the schedule (and
  // set stopping_): reading config_ now would be undefined behaviour (issue 7, item 5).
  if (stopping_ || !config_) return;
  std::uint64_t version = config_version_;
  // Passes are scheduled from the last one, so that frequent reconfiguration cannot
  // postpone them forever.
  auto last_pass = Clock::now();
  auto next_pass = last_pass + std::chrono::nanoseconds(config_->interval_ns);
  while (!stopping_) {
    if (wake_.wait_until(lock, next_pass,
                         [&] { return stopping_ || version != config_version_; })) {
      if (stopping_ || !config_) break;
      version = config_version_;
      next_pass = last_pass + std::chrono::nanoseconds(config_->interval_ns);
      continue;
    }
    if (!config_) break;
    const std::uint64_t clear_bytes = config_->clear_bytes;
    lock.unlock();
    pass_(clear_bytes);
    lock.lock();
    last_pass = Clock::now();
    if (config_) next_pass = last_pass + std::chrono::nanoseconds(config_->interval_ns);
  }
}

}  // namespace lgalloc
