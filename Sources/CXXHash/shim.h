// CXXHash: the C API of Debian's libxxhash (xxHash 0.8, `apt-get install libxxhash-dev`, pkg-config
// `libxxhash`). Only the streaming XXH3-128 functions are used, by PackageFormat's `XXH3` hasher.
#ifndef PTQKIT_CXXHASH_SHIM_H
#define PTQKIT_CXXHASH_SHIM_H

#include <xxhash.h>

#endif
