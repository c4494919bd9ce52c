import Foundation
import PlatformKit
import PublishingCore

/// The `snippet` and `status` a session was started with, checked against YouTube's documented rules.
struct FakeYouTubeVideoMetadata: Sendable, Equatable {
    var title: String
    var description: String
    var tags: [String]
    var categoryID: String
    var privacyStatus: String
    var publishAt: String?
    var madeForKids: Bool?
    var containsSyntheticMedia: Bool?

    /// Assignable categories (US): Film & Animation … Nonprofits & Activism.
    static let categories: Set<String> = [
        "1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29",
    ]

    /// Parses and checks a `video` resource body; the error is what YouTube answers.
    static func parse(_ json: JSONValue, now: Date) -> Result<FakeYouTubeVideoMetadata, FakeGoogleError> {
        func invalid(_ reason: String, _ message: String) -> Result<FakeYouTubeVideoMetadata, FakeGoogleError> {
            .failure(FakeGoogleError(status: 400, reason: reason, message: message, domain: "youtube.video"))
        }
        guard let root = json.objectValue, let snippet = root["snippet"]?.objectValue else {
            return invalid("invalidVideoMetadata", "The request metadata is invalid: snippet is missing.")
        }
        let status = root["status"]?.objectValue ?? [:]

        guard let title = snippet["title"]?.stringValue, !title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
            title.count <= 100, !title.contains(where: { $0 == "<" || $0 == ">" })
        else { return invalid("invalidTitle", "The request metadata specifies an invalid or empty video title.") }

        let description = snippet["description"]?.stringValue ?? ""
        if snippet["description"] != nil, snippet["description"]?.stringValue == nil {
            return invalid("invalidDescription", "The request metadata specifies an invalid video description.")
        }
        guard description.utf8.count <= 5000, !description.contains(where: { $0 == "<" || $0 == ">" }) else {
            return invalid("invalidDescription", "The request metadata specifies an invalid video description.")
        }

        var tags: [String] = []
        if let value = snippet["tags"] {
            guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
                return invalid("invalidTags", "The request metadata specifies invalid video keywords.")
            }
            tags = items.compactMap(\.stringValue)
        }
        guard countedTagLength(tags) <= 500 else {
            return invalid("invalidTags", "The request metadata specifies invalid video keywords.")
        }

        let categoryID = snippet["categoryId"]?.stringValue ?? "22"
        guard categories.contains(categoryID) else {
            return invalid("invalidCategoryId", "The snippet.categoryId property specifies an invalid category ID.")
        }

        let privacy = status["privacyStatus"]?.stringValue ?? "public"
        guard ["public", "private", "unlisted"].contains(privacy) else {
            return invalid("invalidVideoMetadata", "The request metadata is invalid: unknown privacyStatus.")
        }

        var publishAt: String?
        if let value = status["publishAt"] {
            guard let text = value.stringValue, let date = try? Date(text, strategy: .iso8601) else {
                return invalid(
                    "invalidPublishAt", "The request metadata specifies an invalid scheduled publishing time.")
            }
            guard privacy == "private", date > now else {
                return invalid(
                    "invalidPublishAt", "The request metadata specifies an invalid scheduled publishing time.")
            }
            publishAt = text
        }

        func flag(_ key: String) -> Result<Bool?, FakeGoogleError> {
            guard let value = status[key] else { return .success(nil) }
            guard let bool = value.boolValue else {
                return .failure(
                    FakeGoogleError(
                        status: 400, reason: "invalidVideoMetadata",
                        message: "The request metadata is invalid: \(key).",
                        domain: "youtube.video"))
            }
            return .success(bool)
        }
        let madeForKids: Bool?
        let synthetic: Bool?
        switch (flag("selfDeclaredMadeForKids"), flag("containsSyntheticMedia")) {
        case (.success(let kids), .success(let ai)):
            madeForKids = kids
            synthetic = ai
        case (.failure(let error), _), (_, .failure(let error)):
            return .failure(error)
        }
        return .success(
            FakeYouTubeVideoMetadata(
                title: title, description: description, tags: tags, categoryID: categoryID, privacyStatus: privacy,
                publishAt: publishAt, madeForKids: madeForKids, containsSyntheticMedia: synthetic
            ))
    }

    /// YouTube's count for `snippet.tags`: commas between tags count, and a tag with a space counts two quotes.
    static func countedTagLength(_ tags: [String]) -> Int {
        let own = tags.reduce(0) { $0 + $1.count + ($1.contains(" ") ? 2 : 0) }
        return own + max(0, tags.count - 1)
    }
}

extension FakeGoogleError {
    /// The response YouTube gives for this error.
    var response: FakeResponse {
        let body: JSONValue = .object([
            "error": .object([
                "code": .number(Double(status)),
                "message": .string(message),
                "errors": .array([
                    .object(["message": .string(message), "domain": .string(domain), "reason": .string(reason)])
                ]),
            ])
        ])
        return .json(status, body, headers: retryAfter.map { [("Retry-After", String($0))] } ?? [])
    }

    /// 401 for a missing or refused bearer token.
    static let unauthorized = FakeGoogleError(
        status: 401, reason: "authError",
        message:
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        domain: "global")

    /// A 400 for a request that breaks the protocol (the fake also records it as a violation).
    static func badRequest(_ message: String) -> FakeGoogleError {
        FakeGoogleError(status: 400, reason: "badRequest", message: message, domain: "global")
    }
}
