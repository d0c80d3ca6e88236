// The HDF5 module. Its files are named for the concepts they define.
