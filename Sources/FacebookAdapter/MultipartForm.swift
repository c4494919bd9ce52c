import Foundation
import OpenAPIRuntime

/// A `multipart/form-data` body with text fields and one file part whose bytes stream from another body:
/// known length, re-sendable when the file part is.
struct MultipartForm: Sendable {
    let boundary: String
    let fields: [(String, String)]
    let fileField: String
    let fileName: String
    let fileContentType: String
    let file: HTTPBody
    let fileLength: Int64

    /// Creates a form.
    /// - Parameters:
    ///   - file: The file part's bytes (e.g. a ``FileRegion`` body), `fileLength` bytes long.
    ///   - boundary: The delimiter; the default is random enough never to occur in the fields or the video.
    init(
        fields: [(String, String)], fileField: String, fileName: String, contentType: String, file: HTTPBody, fileLength: Int64,
        boundary: String = "atom-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    ) {
        self.boundary = boundary
        self.fields = fields
        self.fileField = fileField
        self.fileName = fileName
        self.fileContentType = contentType
        self.file = file
        self.fileLength = fileLength
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
    var body: HTTPBody {
        let head = self.head
        let tail = self.tail
        let parts = ConcatenatedBody(parts: [HTTPBody(head), file, HTTPBody(tail)])
        return HTTPBody(parts, length: .known(Int64(head.count) + fileLength + Int64(tail.count)), iterationBehavior: .multiple)
    }
}
