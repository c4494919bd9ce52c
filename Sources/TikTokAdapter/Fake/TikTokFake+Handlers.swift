import Foundation
import PlatformKit
import PublishingCore

extension TikTokFake {
    /// Answers one request and describes it for the log.
    func answer(
        _ request: FakeRequest, endpoint: TikTokFakeEndpoint
    ) async throws -> (FakeResponse, TikTokFakeRequestRecord) {
        var record = TikTokFakeRequestRecord(method: request.method, endpoint: endpoint, status: 0)
        let response: FakeResponse
        switch endpoint {
        case .token: response = try await token(request, record: &record)
        case .authorize: response = await authorize(request, record: &record)
        case .creatorInfo: response = await creatorInfo(request, record: &record)
        case .directInit: response = try await initialize(request, inbox: false, record: &record)
        case .inboxInit: response = try await initialize(request, inbox: true, record: &record)
        case .status: response = try await status(request, record: &record)
        case .upload: response = try await upload(request, record: &record)
        default:
            response = await apiError(
                404, "not_found", "no such endpoint: \(request.method) \(request.path)", record: &record)
        }
        record.status = response.drop ? 0 : response.status
        return (response, record)
    }

    // MARK: Envelopes

    func apiError(
        _ status: Int, _ code: String, _ message: String, headers: [(String, String)] = [],
        record: inout TikTokFakeRequestRecord
    ) async
        -> FakeResponse
    {
        record.errorCode = code
        let logID = await state.nextLogID()
        let error: JSONValue = .object(["code": .string(code), "message": .string(message), "log_id": .string(logID)])
        return .json(status, .object(["data": .object([:]), "error": error]), headers: headers)
    }

    private func ok(_ data: JSONValue) async -> FakeResponse {
        let logID = await state.nextLogID()
        return .json(
            200,
            .object([
                "data": data,
                "error": .object(["code": .string("ok"), "message": .string(""), "log_id": .string(logID)]),
            ]))
    }

    /// Faults, bearer auth and the JSON content type, shared by the API endpoints (`status/fetch` included).
    func prelude(
        _ request: FakeRequest, endpoint: TikTokFakeEndpoint, record: inout TikTokFakeRequestRecord
    ) async -> FakeResponse? {
        if let fault = await state.apiFault(for: endpoint) {
            return await apiError(fault.status, fault.code, fault.message, record: &record)
        }
        guard await state.isValid(accessToken: request.bearerToken) else {
            return await apiError(
                401, "access_token_invalid", TikTokFakeFault.message(for: "access_token_invalid"), record: &record)
        }
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/json") == true else {
            return await apiError(
                400, "invalid_params", "Content-Type must be application/json; charset=UTF-8", record: &record)
        }
        return nil
    }

    private func jsonObject(_ request: FakeRequest) async -> [String: JSONValue]? {
        guard let value = try? await request.jsonBody() else { return nil }
        return value.objectValue
    }

    private static func integer(_ value: JSONValue?) -> Int64? {
        guard let number = value?.numberValue, number.rounded() == number, abs(number) < 9.0e15 else { return nil }
        return Int64(number)
    }

    // MARK: creator_info/query

    private func creatorInfo(_ request: FakeRequest, record: inout TikTokFakeRequestRecord) async -> FakeResponse {
        if let refusal = await prelude(request, endpoint: .creatorInfo, record: &record) { return refusal }
        let creator = state.configuration.creator
        return await ok(
            .object([
                "creator_avatar_url": .string(request.baseURL + "/avatar/\(creator.username).jpeg"),
                "creator_username": .string(creator.username),
                "creator_nickname": .string(creator.nickname),
                "privacy_level_options": .array(creator.privacyLevelOptions.map { .string($0) }),
                "comment_disabled": .bool(creator.commentDisabled),
                "duet_disabled": .bool(creator.duetDisabled),
                "stitch_disabled": .bool(creator.stitchDisabled),
                "max_video_post_duration_sec": .number(Double(creator.maxVideoPostDurationSec)),
            ]))
    }

    // MARK: video/init and inbox/video/init

    private static let postInfoKeys: Set<String> = [
        "title", "privacy_level", "disable_duet", "disable_stitch", "disable_comment", "video_cover_timestamp_ms",
        "brand_content_toggle", "brand_organic_toggle", "is_aigc",
    ]
    private static let privacyLevels: Set<String> = [
        "PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY",
    ]

    private func initialize(
        _ request: FakeRequest, inbox: Bool, record: inout TikTokFakeRequestRecord
    ) async throws -> FakeResponse {
        if let refusal = await prelude(request, endpoint: inbox ? .inboxInit : .directInit, record: &record) {
            return refusal
        }
        func invalid(_ message: String) async -> FakeResponse {
            await apiError(400, "invalid_params", message, record: &record)
        }
        guard let body = await jsonObject(request) else { return await invalid("the body must be a JSON object") }
        let allowed: Set<String> = inbox ? ["source_info"] : ["post_info", "source_info"]
        if let unknown = body.keys.sorted().first(where: { !allowed.contains($0) }) {
            return await invalid("unknown field: \(unknown)")
        }

        var postInfo: [String: JSONValue] = [:]
        if !inbox {
            guard let info = body["post_info"]?.objectValue else { return await invalid("post_info is required") }
            if let unknown = info.keys.sorted().first(where: { !Self.postInfoKeys.contains($0) }) {
                return await invalid("unknown field: post_info.\(unknown)")
            }
            guard let privacy = info["privacy_level"]?.stringValue, Self.privacyLevels.contains(privacy) else {
                return await invalid(
                    "post_info.privacy_level must be one of \(Self.privacyLevels.sorted().joined(separator: ", "))")
            }
            if let title = info["title"] {
                guard let text = title.stringValue else { return await invalid("post_info.title must be a string") }
                if text.utf16.count > 2200 {
                    return await invalid("post_info.title is \(text.utf16.count) UTF-16 code units; the limit is 2200")
                }
            }
            for key in [
                "disable_duet", "disable_stitch", "disable_comment", "brand_content_toggle", "brand_organic_toggle",
                "is_aigc",
            ] {
                if let value = info[key], value.boolValue == nil {
                    return await invalid("post_info.\(key) must be a boolean")
                }
            }
            guard info["brand_content_toggle"]?.boolValue != nil else {
                return await invalid("post_info.brand_content_toggle is required")
            }
            if let cover = info["video_cover_timestamp_ms"] {
                guard let ms = Self.integer(cover), ms >= 0, ms <= Int64(Int32.max) else {
                    return await invalid("post_info.video_cover_timestamp_ms must be an int32")
                }
            }
            if !state.configuration.audited, privacy != "SELF_ONLY" {
                return await apiError(
                    403, "unaudited_client_can_only_post_to_private_accounts",
                    TikTokFakeFault.message(for: "unaudited_client_can_only_post_to_private_accounts"), record: &record)
            }
            if !state.configuration.creator.privacyLevelOptions.contains(privacy) {
                return await apiError(
                    403, "privacy_level_option_mismatch", TikTokFakeFault.message(for: "privacy_level_option_mismatch"),
                    record: &record)
            }
            postInfo = info
        }

        guard let source = body["source_info"]?.objectValue else { return await invalid("source_info is required") }
        let publish: TikTokFakeState.Created
        switch source["source"]?.stringValue {
        case "FILE_UPLOAD":
            let keys: Set<String> = ["source", "video_size", "chunk_size", "total_chunk_count"]
            if let unknown = source.keys.sorted().first(where: { !keys.contains($0) }) {
                return await invalid("unknown field for FILE_UPLOAD: source_info.\(unknown)")
            }
            guard let size = Self.integer(source["video_size"]), let chunk = Self.integer(source["chunk_size"]),
                let count = Self.integer(source["total_chunk_count"])
            else {
                return await invalid("FILE_UPLOAD needs integer video_size, chunk_size and total_chunk_count")
            }
            if let problem = state.configuration.chunkRules.violation(
                videoSize: size, chunkSize: chunk, chunkCount: count)
            {
                return await invalid(problem)
            }
            publish = await state.createPublish(
                inbox: inbox, source: "FILE_UPLOAD", postInfo: postInfo, videoSize: size, chunkSize: chunk,
                chunkCount: count, videoURL: nil)
        case "PULL_FROM_URL":
            let keys: Set<String> = ["source", "video_url"]
            if let unknown = source.keys.sorted().first(where: { !keys.contains($0) }) {
                return await invalid("unknown field for PULL_FROM_URL: source_info.\(unknown)")
            }
            guard let raw = source["video_url"]?.stringValue, let url = URL(string: raw), url.host() != nil else {
                return await invalid("PULL_FROM_URL needs a video_url")
            }
            guard Self.isVerified(url, prefixes: await state.verifiedURLPrefixes) else {
                return await apiError(
                    403, "url_ownership_unverified", TikTokFakeFault.message(for: "url_ownership_unverified"),
                    record: &record)
            }
            publish = await state.createPublish(
                inbox: inbox, source: "PULL_FROM_URL", postInfo: postInfo, videoSize: 0, chunkSize: 0,
                chunkCount: 0, videoURL: raw)
        default:
            return await invalid("source_info.source must be FILE_UPLOAD or PULL_FROM_URL")
        }
        record.publishID = publish.id
        var data: [String: JSONValue] = ["publish_id": .string(publish.id)]
        if let uploadID = publish.uploadID, let token = publish.uploadToken {
            let base = state.configuration.uploadURLBase ?? request.baseURL
            data["upload_url"] = .string("\(base)/upload/video/?upload_id=\(uploadID)&upload_token=\(token)")
        }
        return await ok(.object(data))
    }

    /// A URL prefix (with a scheme) must start the URL; a bare domain covers itself and its subdomains.
    static func isVerified(_ url: URL, prefixes: [String]) -> Bool {
        prefixes.contains { prefix in
            if prefix.contains("://") { return url.absoluteString.hasPrefix(prefix) }
            guard let host = url.host()?.lowercased() else { return false }
            let domain = prefix.lowercased()
            return host == domain || host.hasSuffix("." + domain)
        }
    }
}
