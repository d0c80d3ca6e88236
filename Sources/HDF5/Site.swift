/// Where a call happens: the file and the object inside it, for error messages.
struct Site: Sendable {
    var file: String
    var object: String?

    /// The same file, another object.
    func at(_ object: String?) -> Site { Site(file: file, object: object) }
}
