// CHDF5: the C API of libhdf5 plus the handful of values Swift cannot import.
//
// libhdf5 exposes its predefined types (H5T_NATIVE_FLOAT, ...), property-list
// defaults (H5P_DEFAULT) and flags (H5F_ACC_RDONLY, H5S_ALL, ...) as macros that
// expand to global variables or casts. Swift cannot import those, and reading the
// `H5T_*_g` globals directly is rejected under Swift 6 strict concurrency. Each
// value is therefore returned from a `static inline` function, always inlined.
// Nothing but the `HDF5` module imports this header.
#ifndef PTQKIT_CHDF5_SHIM_H
#define PTQKIT_CHDF5_SHIM_H

#include <hdf5.h>
#include <stdint.h>

#define PTQ_INLINE static inline __attribute__((always_inline))

// Property lists, dataspaces and error stacks.
PTQ_INLINE hid_t ptq_H5P_DEFAULT(void) { return H5P_DEFAULT; }
PTQ_INLINE hid_t ptq_H5S_ALL(void) { return H5S_ALL; }
PTQ_INLINE hid_t ptq_H5E_DEFAULT(void) { return H5E_DEFAULT; }
PTQ_INLINE hsize_t ptq_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
PTQ_INLINE hid_t ptq_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
PTQ_INLINE hid_t ptq_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
PTQ_INLINE hid_t ptq_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
PTQ_INLINE hid_t ptq_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
PTQ_INLINE hid_t ptq_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
PTQ_INLINE hid_t ptq_H5P_GROUP_ACCESS(void) { return H5P_GROUP_ACCESS; }

// File access flags.
PTQ_INLINE unsigned ptq_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
PTQ_INLINE unsigned ptq_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
PTQ_INLINE unsigned ptq_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
PTQ_INLINE unsigned ptq_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

// Variable-length string size marker.
PTQ_INLINE size_t ptq_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// Native (memory) types.
PTQ_INLINE hid_t ptq_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
PTQ_INLINE hid_t ptq_H5T_NATIVE_HBOOL(void) { return H5T_NATIVE_HBOOL; }

// Standard (file) types with a fixed byte order.
PTQ_INLINE hid_t ptq_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
PTQ_INLINE hid_t ptq_H5T_IEEE_F32BE(void) { return H5T_IEEE_F32BE; }
PTQ_INLINE hid_t ptq_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
PTQ_INLINE hid_t ptq_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
PTQ_INLINE hid_t ptq_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
PTQ_INLINE hid_t ptq_H5T_STD_I16LE(void) { return H5T_STD_I16LE; }
PTQ_INLINE hid_t ptq_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
PTQ_INLINE hid_t ptq_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
PTQ_INLINE hid_t ptq_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
PTQ_INLINE hid_t ptq_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
PTQ_INLINE hid_t ptq_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
PTQ_INLINE hid_t ptq_H5T_C_S1(void) { return H5T_C_S1; }

// Object info fields and error-stack minor codes (used to classify failures).
PTQ_INLINE unsigned ptq_H5O_INFO_BASIC(void) { return H5O_INFO_BASIC; }
PTQ_INLINE hid_t ptq_H5E_NOTFOUND(void) { return H5E_NOTFOUND; }
PTQ_INLINE hid_t ptq_H5E_TRUNCATED(void) { return H5E_TRUNCATED; }
PTQ_INLINE hid_t ptq_H5E_NOTHDF5(void) { return H5E_NOTHDF5; }
PTQ_INLINE hid_t ptq_H5E_CANTOPENFILE(void) { return H5E_CANTOPENFILE; }
PTQ_INLINE hid_t ptq_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }

// The POSIX (sec2) file driver, whose file handle is a pointer to its descriptor.
PTQ_INLINE hid_t ptq_H5FD_SEC2(void) { return H5FD_SEC2; }

// The "no address" marker (a chunk without file storage).
PTQ_INLINE haddr_t ptq_HADDR_UNDEF(void) { return HADDR_UNDEF; }

#endif
