// Thin shim over libpq: the client header only.
#ifndef HOUSHI_CLIBPQ_SHIM_H
#define HOUSHI_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
