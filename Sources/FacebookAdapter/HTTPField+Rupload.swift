import HTTPTypes

extension HTTPField.Name {
    /// rupload's `offset` header: where in the file the body starts.
    static let ruploadOffset = named("offset")
    /// rupload's `file_size` header: the whole file's size.
    static let ruploadFileSize = named("file_size")
    /// rupload's `file_url` header: where Facebook fetches the file from.
    static let ruploadFileURL = named("file_url")

    private static func named(_ name: StaticString) -> HTTPField.Name {
        guard let field = HTTPField.Name("\(name)") else { preconditionFailure("invalid header name \(name)") }
        return field
    }
}
