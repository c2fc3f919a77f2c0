#ifndef HOUSHI_CTHREADS_H
#define HOUSHI_CTHREADS_H

/// Names the calling thread (the first 15 bytes; shown by `top -H` and `ps -L`).
/// Returns 0 or an errno value.
int houshi_name_current_thread(const char *name);

#endif
