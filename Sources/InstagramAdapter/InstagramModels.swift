import Foundation

/// `GET /{ig-user-id}/content_publishing_limit?fields=config,quota_usage`.
struct PublishingLimitResponse: Decodable, Sendable {
    struct Entry: Decodable, Sendable {
        struct Config: Decodable, Sendable {
            var quotaTotal: Int?
            var quotaDuration: Int?
        }
        var quotaUsage: Int?
        var config: Config?
    }
    var data: [Entry]
}

/// `POST /{ig-user-id}/media`: the container id, and for resumable uploads the rupload `uri`.
struct ContainerResponse: Decodable, Sendable {
    var id: String
    var uri: String?
}

/// A container's processing state.
struct ContainerStatus: Decodable, Sendable, Equatable {
    /// `IN_PROGRESS`, `FINISHED`, `ERROR`, `EXPIRED`, `PUBLISHED`.
    var statusCode: String?
    /// Free-text detail (for `ERROR`).
    var status: String?
}

/// `POST /{ig-user-id}/media_publish` and other answers that carry only an id.
struct IDResponse: Decodable, Sendable {
    var id: String
}

/// `GET /{ig-media-id}?fields=permalink`.
struct PermalinkResponse: Decodable, Sendable {
    var permalink: String?
}

/// `GET /refresh_access_token`.
struct RefreshedToken: Decodable, Sendable {
    var accessToken: String
    var tokenType: String?
    var expiresIn: Int?
}

/// What the rupload host says it holds for a container (`GET {uri}`). The field's name is not in
/// Meta's text; `offset`, `file_offset` (Resumable Upload API) and `bytes_transferred` (Reels) are read.
struct RuploadOffset: Decodable, Sendable {
    var offset: Int64?
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for name in ["offset", "file_offset", "bytes_transferred"] {
            guard let key = AnyKey(stringValue: name), container.contains(key) else { continue }
            if let value = try? container.decode(Int64.self, forKey: key) { offset = value; return }
            if let text = try? container.decode(String.self, forKey: key), let value = Int64(text) {
                offset = value; return
            }
        }
        offset = nil
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
