import Foundation
import PublishingCore

/// Graph error fields that ``GraphAPIError`` does not carry: the chunked upload's `error_data` offsets.
struct GraphErrorExtras: Decodable {
    struct Body: Decodable {
        var code: Int?
        var errorSubcode: Int?
        var errorData: Offsets?

        enum CodingKeys: String, CodingKey { case code, errorSubcode, errorData }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            code = try? container.decodeIfPresent(Int.self, forKey: .code)
            errorSubcode = try? container.decodeIfPresent(Int.self, forKey: .errorSubcode)
            // `error_data` is an object in the chunked-upload answers and, in some Graph errors, a JSON string.
            if let object = try? container.decodeIfPresent(Offsets.self, forKey: .errorData) {
                errorData = object
            } else if let text = try? container.decodeIfPresent(String.self, forKey: .errorData) {
                errorData = try? SnakeCaseJSON.decode(Offsets.self, from: Array(text.utf8))
            }
        }
    }

    struct Offsets: Decodable {
        var startOffset: FlexibleInt64?
        var endOffset: FlexibleInt64?
    }

    var error: Body?

    /// The offsets of an "offset correction" error (subcode 1363037), if `bytes` is one.
    static func offsetCorrection(in bytes: [UInt8]) -> (start: Int64, end: Int64)? {
        guard let body = try? SnakeCaseJSON.decode(GraphErrorExtras.self, from: bytes).error,
              body.errorSubcode == 1_363_037, let start = body.errorData?.startOffset?.value,
              let end = body.errorData?.endOffset?.value else { return nil }
        return (start, end)
    }
}
