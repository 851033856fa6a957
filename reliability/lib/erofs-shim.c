/*
 * EROFS injection for the read-only database test (reliability/README.md B6), loaded into chatd with
 * LD_PRELOAD. Linux refuses `mount -o remount,ro` while any process holds a file of that
 * filesystem open for writing (EBUSY), and SQLite keeps its database and WAL open read-write, so a
 * real read-only remount cannot happen under a running chatd. This shim makes the write calls
 * SQLite uses (write, pwrite64, ftruncate64, fsync; see `nm -D better_sqlite3.node`) fail with
 * EROFS, exactly as on a read-only filesystem, for regular files under CHAOS_EROFS_DIR while the
 * file CHAOS_EROFS_FLAG exists. Reads, sockets, pipes and every other file are left alone.
 *
 * Build: cc -shared -fPIC -O2 -o erofs-shim.so erofs-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *dir_prefix;
static size_t dir_len;
static const char *flag_path;

/* the flag is looked up at most every 5 ms (a coarse clock read is a vDSO call, not a syscall),
 * so an inactive shim costs next to nothing on chatd's socket writes */
static long long flag_checked_ns = -1;
static int flag_on;

__attribute__((constructor)) static void init(void) {
  dir_prefix = getenv("CHAOS_EROFS_DIR");
  flag_path = getenv("CHAOS_EROFS_FLAG");
  dir_len = dir_prefix ? strlen(dir_prefix) : 0;
}

static int active(void) {
  if (!dir_prefix || !flag_path || dir_len == 0) return 0;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  long long now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
  if (flag_checked_ns < 0 || now - flag_checked_ns > 5000000LL) {
    flag_checked_ns = now;
    flag_on = access(flag_path, F_OK) == 0;
  }
  return flag_on;
}

/* true when fd is a regular file below CHAOS_EROFS_DIR and the flag is up */
static int refused(int fd) {
  if (!active()) return 0;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  char link[64];
  char target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return 0;
  target[n] = '\0';
  return strncmp(target, dir_prefix, dir_len) == 0 &&
         (target[dir_len] == '/' || target[dir_len] == '\0');
}

#define REAL(name) \
  static __typeof__(name) *real_##name; \
  if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t count) {
  REAL(write);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_write(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
  REAL(pwrite);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_pwrite(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset) {
  REAL(pwrite64);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_pwrite64(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
  REAL(writev);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_writev(fd, iov, iovcnt);
}

int ftruncate(int fd, off_t length) {
  REAL(ftruncate);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_ftruncate(fd, length);
}

int ftruncate64(int fd, off64_t length) {
  REAL(ftruncate64);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_ftruncate64(fd, length);
}

int fsync(int fd) {
  REAL(fsync);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_fsync(fd);
}

int fdatasync(int fd) {
  REAL(fdatasync);
  if (refused(fd)) { errno = EROFS; return -1; }
  return real_fdatasync(fd);
}
