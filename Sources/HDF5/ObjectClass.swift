/// The kind of object a hard link points to.
enum ObjectClass: Sendable {
    case group, dataset, namedDatatype, other
}
