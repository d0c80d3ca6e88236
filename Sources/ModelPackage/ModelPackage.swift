// The ModelPackage module. Its files are named for the concepts they define.
