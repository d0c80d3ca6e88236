// `ptq`: the command-line front end of PTQKit, with the built-in observers. A package that registers its
// own observers builds the same tool with `PTQCommandLine.main { registry in ... }` (see
// Examples/CustomObserver).
import PTQCommandLine

PTQCommandLine.main()
