import Foundation
import OpenAPIRuntime
import PublishingCore

/// A `multipart/form-data` body with text fields and one file part whose bytes stream from a file region: known
/// length, re-sendable, and read straight from the file by atom's default transport (``FileRegion/source(of:)``).
struct MultipartForm: Sendable {
    let boundary: String
    let fields: [(String, String)]
    let fileField: String
    let fileName: String
    let fileContentType: String
    let file: FileRegion
    let onChunk: (@Sendable (Int) -> Void)?

    /// Creates a form.
    /// - Parameters:
    ///   - file: The file part's bytes.
    ///   - onChunk: Called with the byte count of each chunk of the file as the transport takes it.
    ///   - boundary: The delimiter; the default is random enough never to occur in the fields or the video.
    init(
        fields: [(String, String)], fileField: String, fileName: String, contentType: String, file: FileRegion,
        onChunk: (@Sendable (Int) -> Void)? = nil,
        boundary: String = "atom-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    ) {
        self.boundary = boundary
        self.fields = fields
        self.fileField = fileField
        self.fileName = fileName
        self.fileContentType = contentType
        self.file = file
        self.onChunk = onChunk
    }

    /// The `Content-Type` header value.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Everything before the file's bytes.
    var head: [UInt8] {
        var text = ""
        for (name, value) in fields {
            text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        text += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"\(fileName)\"\r\n"
        text += "Content-Type: \(fileContentType)\r\n\r\n"
        return Array(text.utf8)
    }

    /// Everything after the file's bytes.
    var tail: [UInt8] { Array("\r\n--\(boundary)--\r\n".utf8) }

    /// The whole body, streamed: head, file, tail.
    var body: HTTPBody { file.body(prefix: head, suffix: tail, onChunk: onChunk) }
}
