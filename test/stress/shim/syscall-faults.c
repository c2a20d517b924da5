// An LD_PRELOAD shim that makes the kernel refuse lgalloc's own madvise calls, or lock its
// mappings, for the stress scenario test/stress/madvise-faults.scenario.js: the faults happen at
// the syscall boundary, so the production code runs unchanged and no test hook exists in it. Only
// calls made from the lgalloc addon (a caller whose shared object's path ends in "lgalloc.node")
// are failed; Node's and V8's own calls always reach the kernel. Built by test/stress/shim.js.
// Environment:
//
//   LGALLOC_SHIM_HUGEPAGE=<errno>       madvise(MADV_HUGEPAGE) fails with it (THP unavailable)
//   LGALLOC_SHIM_CLEAR=<errno>[:<n>]    madvise(MADV_FREE) and madvise(MADV_DONTNEED) fail
//                                       with it, the first n calls only when n is given
//   LGALLOC_SHIM_MLOCK=1                every anonymous mapping lgalloc makes is locked at once
//                                       with mlock2(MLOCK_ONFAULT), as a caller that mlocks the
//                                       regions it is given: the real kernel then refuses
//                                       MADV_FREE and MADV_DONTNEED on them with EINVAL, and
//                                       ONFAULT leaves the reserved areas unpopulated
//   LGALLOC_SHIM_REPORT=<file>          at exit, one JSON line of what was failed and seen
//
// The settings are read once, before main, so no thread races a setenv. (Locking the whole
// process with mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) is no way to lock the regions:
// V8 checks the result of its own page discards and permission changes, and aborted in
// OS::SetPermissions when every mapping was locked.)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

typedef int (*madvise_fn)(void*, size_t, int);
typedef void* (*mmap_fn)(void*, size_t, int, int, int, off_t);

static madvise_fn real_madvise;
static mmap_fn real_mmap;

static int hugepage_errno;
static int clear_errno;
static long clear_budget = -1;  // failures left; -1: every call
static const char* report_path;
static int lock_mappings;

static atomic_long hugepage_failed;
static atomic_long free_failed;
static atomic_long dontneed_failed;
static atomic_long lgalloc_free_calls;
static atomic_long lgalloc_dontneed_calls;
static atomic_long lgalloc_hugepage_calls;
static atomic_long locked_mappings;
static atomic_long lock_failures;
static atomic_int lock_errno;

// Whether `address` (a return address) lies in the lgalloc addon.
static int from_lgalloc(const void* address) {
  Dl_info info;
  if (dladdr(address, &info) == 0 || info.dli_fname == NULL) return 0;
  const char* suffix = "lgalloc.node";
  const size_t length = strlen(info.dli_fname);
  const size_t suffix_length = strlen(suffix);
  return length >= suffix_length && strcmp(info.dli_fname + length - suffix_length, suffix) == 0;
}

// Takes one unit from `budget` while it lasts; 1 when one was taken.
static int consume(long* budget) {
  long left = __atomic_load_n(budget, __ATOMIC_RELAXED);
  while (left > 0) {
    if (__atomic_compare_exchange_n(budget, &left, left - 1, 0, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED)) {
      return 1;
    }
  }
  return 0;
}

int madvise(void* address, size_t length, int advice) {
  if (real_madvise == NULL) real_madvise = (madvise_fn)dlsym(RTLD_NEXT, "madvise");
  if ((advice == MADV_HUGEPAGE || advice == MADV_FREE || advice == MADV_DONTNEED) &&
      from_lgalloc(__builtin_return_address(0))) {
    if (advice == MADV_HUGEPAGE) {
      atomic_fetch_add(&lgalloc_hugepage_calls, 1);
      if (hugepage_errno != 0) {
        atomic_fetch_add(&hugepage_failed, 1);
        errno = hugepage_errno;
        return -1;
      }
    } else {
      atomic_fetch_add(advice == MADV_FREE ? &lgalloc_free_calls : &lgalloc_dontneed_calls, 1);
      if (clear_errno != 0 && (clear_budget < 0 || consume(&clear_budget))) {
        atomic_fetch_add(advice == MADV_FREE ? &free_failed : &dontneed_failed, 1);
        errno = clear_errno;
        return -1;
      }
    }
  }
  return real_madvise(address, length, advice);
}

// Both names: the addon is built with _FILE_OFFSET_BITS=64 (node-gyp), so it calls mmap64,
// the same function as mmap on 64-bit glibc.
static void* shim_mmap(void* caller, void* address, size_t length, int protection, int flags,
                       int fd, off_t offset) {
  if (real_mmap == NULL) real_mmap = (mmap_fn)dlsym(RTLD_NEXT, "mmap");
  if (!lock_mappings || !(flags & MAP_ANONYMOUS) || !from_lgalloc(caller)) {
    return real_mmap(address, length, protection, flags, fd, offset);
  }
  void* mapped = real_mmap(address, length, protection, flags, fd, offset);
  if (mapped != MAP_FAILED) {
    const int saved = errno;
    if (mlock2(mapped, length, MLOCK_ONFAULT) == 0) {
      atomic_fetch_add(&locked_mappings, 1);
    } else {
      atomic_fetch_add(&lock_failures, 1);
      atomic_store(&lock_errno, errno);
    }
    errno = saved;
  }
  return mapped;
}

void* mmap(void* address, size_t length, int protection, int flags, int fd, off_t offset) {
  return shim_mmap(__builtin_return_address(0), address, length, protection, flags, fd, offset);
}

void* mmap64(void* address, size_t length, int protection, int flags, int fd, off_t offset) {
  return shim_mmap(__builtin_return_address(0), address, length, protection, flags, fd, offset);
}

static int parse_errno(const char* text) {
  if (text == NULL || *text == '\0') return 0;
  if (strncmp(text, "EINVAL", 6) == 0) return EINVAL;
  if (strncmp(text, "EAGAIN", 6) == 0) return EAGAIN;
  if (strncmp(text, "EPERM", 5) == 0) return EPERM;
  return atoi(text);
}

__attribute__((constructor)) static void shim_start(void) {
  real_madvise = (madvise_fn)dlsym(RTLD_NEXT, "madvise");
  real_mmap = (mmap_fn)dlsym(RTLD_NEXT, "mmap");
  hugepage_errno = parse_errno(getenv("LGALLOC_SHIM_HUGEPAGE"));
  const char* clear = getenv("LGALLOC_SHIM_CLEAR");
  clear_errno = parse_errno(clear);
  if (clear != NULL && strchr(clear, ':') != NULL) clear_budget = atol(strchr(clear, ':') + 1);
  report_path = getenv("LGALLOC_SHIM_REPORT");
  const char* lock = getenv("LGALLOC_SHIM_MLOCK");
  lock_mappings = lock != NULL && strcmp(lock, "1") == 0;
}

__attribute__((destructor)) static void shim_stop(void) {
  if (report_path == NULL) return;
  FILE* file = fopen(report_path, "w");
  if (file == NULL) return;
  fprintf(file,
          "{\"hugepageFailed\":%ld,\"freeFailed\":%ld,\"dontneedFailed\":%ld,"
          "\"hugepageCalls\":%ld,\"freeCalls\":%ld,\"dontneedCalls\":%ld,"
          "\"lockedMappings\":%ld,\"lockFailures\":%ld,\"lockErrno\":%d}\n",
          atomic_load(&hugepage_failed), atomic_load(&free_failed), atomic_load(&dontneed_failed),
          atomic_load(&lgalloc_hugepage_calls), atomic_load(&lgalloc_free_calls),
          atomic_load(&lgalloc_dontneed_calls), atomic_load(&locked_mappings),
          atomic_load(&lock_failures), atomic_load(&lock_errno));
  fclose(file);
}
